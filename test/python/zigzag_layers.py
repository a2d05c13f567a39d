"""The single-layer SparseFlow ONNX models of test/Hardware/zigzag/layers.json:
a Conv (or Gemm) that reads spikes (encoding 'spikes') or graded values
(encoding 'direct') and, when it is a spiking layer, feeds a LIF neuron."""

import json

import numpy as np
import onnx
from onnx import TensorProto, helper

from conftest import REPO

SPEC = REPO / "test" / "Hardware" / "zigzag" / "layers.json"


def layers():
    spec = json.loads(SPEC.read_text())
    return spec["timesteps"], spec["layers"]


def build(layer, timesteps, path):
    """Writes `layer` as a SparseFlow ONNX model to `path`."""
    k, c = layer["out_channels"], layer["in_channels"]
    kh, kw = layer["kernel"]
    ih, iw = layer["input"]
    s, p = layer["stride"], layer["padding"]
    linear = layer.get("linear", False)
    if linear:
        shape, weight_shape = [1, c], [k, c]
        node = helper.make_node("Gemm", ["x", "w"], ["h"], name=layer["name"], transB=1)
        out_shape = [1, k]
    else:
        shape, weight_shape = [1, c, ih, iw], [k, c, kh, kw]
        node = helper.make_node("Conv", ["x", "w"], ["h"], name=layer["name"], kernel_shape=[kh, kw],
                                strides=[s, s], pads=[p, p, p, p])
        out_shape = [1, k, (ih + 2 * p - kh) // s + 1, (iw + 2 * p - kw) // s + 1]
    weights = np.random.default_rng(0).standard_normal(weight_shape).astype(np.float32)
    nodes = [node]
    output = "h"
    if layer["spiking_output"]:
        nodes.append(helper.make_node("LIF", ["h"], ["y"], domain="sparseflow", leak=0.5))
        output = "y"
    graph = helper.make_graph(
        nodes, layer["name"],
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, shape)],
        [helper.make_tensor_value_info(output, TensorProto.FLOAT, out_shape)],
        [helper.make_tensor("w", TensorProto.FLOAT, weight_shape, weights.tobytes(), raw=True)])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13),
                                                    helper.make_opsetid("sparseflow", 1)])
    model.ir_version = 8
    encoding = "spikes" if layer["spike_input"] else "direct"
    for key, value in (("sparseflow.timesteps", str(timesteps)), ("sparseflow.encoding", encoding)):
        entry = model.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.save(model, str(path))
    return path
