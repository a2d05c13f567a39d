"""The layers `sfc estimate` is validated on against ZigZag
(test/Hardware/zigzag/layers.json), as single-layer SparseFlow ONNX models,
and the side-by-side comparison with the ZigZag goldens.

    /usr/bin/python3 test/python/zigzag_layers.py     # prints the table of docs/hardware-modelling.md
"""

import json
import os
import pathlib
import re
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper

REPO = pathlib.Path(__file__).resolve().parents[2]
BIN_DIR = pathlib.Path(os.environ.get("SPARSEFLOW_BIN_DIR", REPO / "build" / "bin"))
ZIGZAG = REPO / "test" / "Hardware" / "zigzag"
PRESETS = ["edge-tpu-like", "seneca-like"]


def layers():
    """(T, the layers of layers.json)."""
    spec = json.loads((ZIGZAG / "layers.json").read_text())
    return spec["timesteps"], spec["layers"]


def golden(preset):
    return json.loads((ZIGZAG / f"golden-{preset}.json").read_text())


def build(layer, timesteps, path):
    """Writes `layer` as a SparseFlow ONNX model: a Conv (or Gemm) reading
    spikes (encoding 'spikes') or graded values (encoding 'direct') that feeds
    a LIF neuron when it is a spiking layer."""
    k, c = layer["out_channels"], layer["in_channels"]
    kh, kw = layer["kernel"]
    ih, iw = layer["input"]
    s, p = layer["stride"], layer["padding"]
    if layer.get("linear", False):
        shape, weight_shape, out_shape = [1, c], [k, c], [1, k]
        node = helper.make_node("Gemm", ["x", "w"], ["h"], name=layer["name"], transB=1)
    else:
        shape, weight_shape = [1, c, ih, iw], [k, c, kh, kw]
        out_shape = [1, k, (ih + 2 * p - kh) // s + 1, (iw + 2 * p - kw) // s + 1]
        node = helper.make_node("Conv", ["x", "w"], ["h"], name=layer["name"], kernel_shape=[kh, kw],
                                strides=[s, s], pads=[p, p, p, p])
    weights = np.random.default_rng(0).standard_normal(weight_shape).astype(np.float32)
    nodes, output = [node], "h"
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


def estimate(layer, preset, tmp, density=1.0, extra=()):
    """`sfc estimate --format=json` of `layer` on hardware/<preset>.yaml (the
    model is built in `tmp` once): (the CompletedProcess, the layer's JSON or
    None when sfc failed)."""
    model = pathlib.Path(tmp) / f"{layer['name']}.onnx"
    if not model.exists():
        build(layer, layers()[0], model)
    result = subprocess.run([str(BIN_DIR / "sfc"), "estimate", str(model),
                             f"--accelerator={REPO / 'hardware' / f'{preset}.yaml'}",
                             f"--density={density}", "--format=json", *extra],
                            capture_output=True, text=True)
    return result, (json.loads(result.stdout)["layers"][0] if result.returncode == 0 else None)


def level_energy(layer_json):
    """sfc's energy per memory level (pJ)."""
    return {level["name"]: sum(level[op]["energy_pj"] for op in ("I1", "I2", "O"))
            for level in layer_json["levels"]}


def zigzag_level_energy(result):
    return {name: sum(by_operand.values()) for name, by_operand in result["levels_pj"].items()}


def comparison_table(tmp):
    """The markdown table of docs/hardware-modelling.md."""
    rows = ["| preset | layer | energy sfc (µJ) | energy ZigZag (µJ) | ratio | cycles sfc | cycles ZigZag | ratio "
            "| dominant level sfc / ZigZag | utilisation sfc / ZigZag |",
            "|---|---|---:|---:|---:|---:|---:|---:|---|---|"]
    for preset in PRESETS:
        results = golden(preset)["layers"]
        for layer in layers()[1]:
            z = results[layer["name"]]
            run, ours = estimate(layer, preset, tmp)
            if "zigzag_error" in z:
                level = re.search(r"memory level '([^']+)' \(([0-9]+) bits\)", run.stderr)
                sfc = (f"sfc: does not fit `{level[1]}` ({level[2]} bits)" if ours is None and level
                       else "sfc: estimated")
                rows.append(f"| {preset} | {layer['name']} | — | — | | | | | ZigZag: "
                            f"`{z['zigzag_error'].split(':')[0]}`; {sfc} | |")
                continue
            ours_levels, z_levels = level_energy(ours), zigzag_level_energy(z)
            rows.append(
                f"| {preset} | {layer['name']} | {ours['energy_pj'] / 1e6:.3f} | {z['energy_pj'] / 1e6:.3f} "
                f"| {ours['energy_pj'] / z['energy_pj']:.2f} | {ours['cycles']:.0f} | {z['cycles']:.0f} "
                f"| {ours['cycles'] / z['cycles']:.2f} | {max(ours_levels, key=ours_levels.get)} / "
                f"{max(z_levels, key=z_levels.get)} | {ours['mapping']['utilization']:.3f} / "
                f"{z['spatial_utilization']:.3f} |")
    return "\n".join(rows)


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        sys.stdout.write(comparison_table(tmp) + "\n")
