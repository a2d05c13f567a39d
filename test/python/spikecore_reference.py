"""An independent integer reference for SpikeCore layers.

It takes the quantized layers of `sfc compile --emit=spikecore-json` (the
weights, biases and integer neuron parameters the compiler chose, read by
sparseflow.spikecore.quantized_layers) and evaluates them
with numpy int64 arithmetic following docs/spikecore.md and
docs/spikecore-isa.md, without the runtime, the artifact or the routine
binary. The tests compare it bit for bit with the simulator.
"""

import numpy as np

from sparseflow.spikecore import quantized_layers as parse_layers  # noqa: F401

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
