"""The quantized SpikeCore layers of a compiled model, read from the JSON of
`sfc compile --emit=spikecore-json` (docs/cli.md, docs/spikecore.md): per
layer its int8 weights, int32 bias, scales, integer neuron parameters and
cores."""

import json
from typing import Union

import numpy as np


def quantized_layers(layers_json: Union[str, bytes, dict]):
    """The layers of `sfc compile --emit=spikecore-json`, in program order,
    as dicts. `layers_json` is that output's text or the object it parses
    to. Each dict has the JSON's fields, with `weights` an int64 [neurons,
    fan_in] array, `bias` an int32 [neurons] array or None and `scale` a
    float64 array (one value, or one per neuron); the rest (`name`,
    `spike_input`, `input_scale`, `output`, `leak_mul`, `leak_shift`,
    `threshold`, `vreset`, `reset`, `greater`, `out_mul`, `out_shift`,
    `output_scale`, `first_core`, `cores`, `neurons_per_core`) as in the
    JSON. A model without SpikeCore layers gives an empty list."""
    if isinstance(layers_json, (str, bytes)):
        layers_json = json.loads(layers_json)
    layers = []
    for layer in layers_json["layers"]:
        shape = (layer["neurons"], layer["fan_in"])
        bias = layer["bias"]
        layers.append(dict(
            layer,
            weights=np.array(layer["weights"], dtype=np.int64).reshape(shape),
            bias=None if bias is None else np.array(bias, dtype=np.int32),
            scale=np.array(layer["scale"], dtype=np.float64)))
    return layers
