"""An independent integer reference for SpikeCore layers.

It reads the quantized layers from `sfc --emit=spikecore` (the weights,
biases and integer neuron parameters the compiler chose) and evaluates them
with numpy int64 arithmetic following docs/spikecore.md and
docs/spikecore-isa.md, without the runtime, the artifact or the routine
binary. The tests compare it bit for bit with the simulator.
"""

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


def parse_layers(ir: str):
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


def _check_int32(v, name):
    assert np.all(np.abs(v) < 2**31), f"{name}: the reference does not model saturation"


def run_layer(layer, steps):
    """`steps`: per timestep an int64 [N, K] array of event payloads (0: no
    event). Returns per step the payloads emitted (spikes, graded) or the
    membranes read out (readout)."""
    w, b = layer["weights"], layer["bias"]
    v = np.zeros((steps[0].shape[0], w.shape[0]), np.int64)
    outputs = []
    for payload in steps:
        if layer["output"] == "spikes" and layer["leak_mul"]:
            v = v - ((v * layer["leak_mul"]) >> layer["leak_shift"])  # floor shift
        v = v + payload @ w.T
        if b is not None:
            v = v + b
        _check_int32(v, layer["name"])
        if layer["output"] == "spikes":
            theta = layer["threshold"]
            fired = v > theta if layer["greater"] else v >= theta
            if layer["reset"] == "hard":
                v = np.where(fired, layer["vreset"], v)
            elif layer["reset"] == "soft":
                v = v - theta * fired
            outputs.append(fired.astype(np.int64))
        elif layer["output"] == "graded":
            shift = layer["out_shift"]
            rounded = (v * layer["out_mul"] + ((1 << shift) >> 1)) >> shift
            outputs.append(np.clip(rounded, 0, 255))
            v = np.zeros_like(v)
        else:
            outputs.append(v)
            v = np.zeros_like(v)
    return outputs


def simulate(layers, x, timesteps, encoding):
    """Runs a chain of layers on `x` ([N, K], or [T, N, K] spikes) and returns
    the last layer's per-step float output [T, N, M], as the runtime does."""
    first = layers[0]
    if encoding == "spikes":
        steps = [np.asarray(x[t], np.int64) for t in range(timesteps)]
    else:
        q = np.clip(np.rint(np.asarray(x, np.float64) / first["input_scale"]), 0, 255)
        steps = [q.astype(np.int64)] * timesteps
    for layer in layers:
        steps = run_layer(layer, steps)
    last = layers[-1]
    out = np.stack(steps).astype(np.float64)
    if last["output"] == "graded":
        out = out * last["output_scale"]
    elif last["output"] == "readout":
        out = out * last["scale"]
    return out.astype(np.float32), steps
