"""The quantized SpikeCore layers of a compiled model, read from the text
of `sfc --emit=spikecore` (docs/spikecore.md): per layer its int8 weights,
int32 bias, scales and integer neuron parameters."""

import re

import numpy as np

_LAYER = re.compile(r'spikecore\.layer "(?P<name>[^"]+)" %\S+ \{(?P<attrs>.*)\} : '
                    r'tensor<(?P<input>[^>]+)> -> tensor<(?P<result>[^>]+)>')


def _dense(attrs, key, dtype, shape):
    match = re.search(key + r' = dense<(?P<value>"0x[0-9A-F]+"|[^>]*)> : tensor<[^>]*>', attrs)
    if not match:
        return None
    value = match.group("value")
    if value.startswith('"0x'):
        return np.frombuffer(bytes.fromhex(value[3:-1]), dtype=dtype).reshape(shape).copy()
    numbers = np.array([int(v) for v in re.findall(r"-?\d+", value)], dtype=dtype)
    return np.broadcast_to(numbers, shape).copy() if numbers.size == 1 else numbers.reshape(shape)


def _scalar(attrs, key, default=0, cast=int):
    match = re.search(r"(?<![\w.])" + key + r" = (-?[\d.e+-]+) : \w+", attrs)
    return cast(match.group(1)) if match else default


def quantized_layers(ir: str):
    """The spikecore.layer ops of `ir`, in order, as dicts."""
    layers = []
    for match in _LAYER.finditer(ir):
        attrs = match.group("attrs")
        m, k = (int(d) for d in re.search(r"tensor<(\d+)x(\d+)xi8>", attrs).groups())
        output = re.search(r"#spikecore<output (\w+)>", attrs).group(1)
        reset = re.search(r"#spikecore<reset (\w+)>", attrs)
        layers.append({
            "name": match.group("name"),
            "weights": _dense(attrs, "weights", np.int8, (m, k)).astype(np.int64),
            "bias": _dense(attrs, "bias", "<i4", (m,)),
            "spike_input": re.search(r"\bspike_input\b", attrs) is not None,
            "input_scale": _scalar(attrs, "input_scale", 1.0, float),
            "scale": np.array([float(v) for v in re.search(
                r"(?<![\w.])scale = array<f64: ([^>]*)>", attrs).group(1).split(",")]),
            "output": output,
            "leak_mul": _scalar(attrs, "leak_mul"), "leak_shift": _scalar(attrs, "leak_shift"),
            "threshold": _scalar(attrs, "threshold"), "vreset": _scalar(attrs, "vreset"),
            "reset": reset.group(1) if reset else "hard",
            "greater": re.search(r"\bgreater\b", attrs) is not None,
            "out_mul": _scalar(attrs, "out_mul"), "out_shift": _scalar(attrs, "out_shift"),
            "output_scale": _scalar(attrs, "output_scale", 0.0, float),
        })
    return layers
