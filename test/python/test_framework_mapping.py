"""The exporter maps framework neurons onto the canonical form exactly."""

import pytest
import torch

import sparseflow
from sparseflow import nn

import lookalikes


def dyadic_inputs(steps, shape, seed):
    """Multiples of 1/16 in [-0.5, 1.5]: with tau = 2 (or beta = 0.5/0.75)
    every framework's operation order computes them exactly in float32, so
    spike trains must agree bit for bit, exact threshold hits included."""
    generator = torch.Generator().manual_seed(seed)
    return torch.randint(-8, 25, (steps, *shape), generator=generator).float() / 16


def spike_trains(module, inputs):
    if hasattr(module, "reset_state"):
        module.reset_state()
    else:
        module.reset()
    return torch.stack([module(x) for x in inputs])


SPIKINGJELLY = [
    lookalikes.LIFNode(tau=2.0, decay_input=True, v_reset=0.0),
    lookalikes.LIFNode(tau=2.0, decay_input=False, v_reset=0.0),
    lookalikes.LIFNode(tau=2.0, decay_input=True, v_reset=None),
    lookalikes.LIFNode(tau=4.0, decay_input=False, v_reset=None, v_threshold=0.75),
    lookalikes.LIFNode(tau=2.0, v_reset=0.25, v_threshold=1.25),
    lookalikes.IFNode(v_reset=0.0),
    lookalikes.IFNode(v_reset=None),
]

SNNTORCH = [
    lookalikes.Leaky(beta=0.5, reset_mechanism="subtract", reset_delay=True),
    lookalikes.Leaky(beta=0.75, reset_mechanism="zero", reset_delay=True),
    lookalikes.Leaky(beta=0.75, reset_mechanism="zero", reset_delay=False),
    lookalikes.Leaky(beta=0.5, reset_mechanism="none"),
    lookalikes.Leaky(beta=1.5, threshold=0.5),  # snnTorch clamps beta to [0, 1]
]


@pytest.mark.parametrize("framework", SPIKINGJELLY + SNNTORCH,
                         ids=lambda m: f"{type(m).__name__}-{id(m) % 997}")
def test_canonical_form_reproduces_framework_spikes(framework):
    canonical = sparseflow.to_canonical(framework, "neuron")
    assert isinstance(canonical, nn.LIF)
    inputs = dyadic_inputs(10, (4, 16), seed=3)
    want = spike_trains(framework, inputs)
    got = spike_trains(canonical, inputs)
    assert want.sum() > 0, "the test inputs should make the neuron fire"
    assert torch.equal(got, want)


def test_spikingjelly_mapping_values():
    lif = sparseflow.to_canonical(lookalikes.LIFNode(tau=4.0, decay_input=True, v_reset=0.5))
    assert lif.export_attributes() == dict(
        leak=0.25, gain=0.25, v_leak=0.5, v_threshold=1.0, v_init=0.5,
        reset="hard", fire="ge", reset_delay=0, v_reset=0.5)


def test_snntorch_mapping_values():
    lif = sparseflow.to_canonical(lookalikes.Leaky(beta=0.75, threshold=2.0))
    assert lif.export_attributes() == dict(
        leak=0.25, gain=1.0, v_leak=0.0, v_threshold=2.0, v_init=0.0,
        reset="soft", fire="gt", reset_delay=1)


@pytest.mark.parametrize("module, message", [
    (lookalikes.LIFNode(tau=0.5), "tau=0.5: leak = 1/tau would exceed 1"),
    (lookalikes.LIFNode(step_mode="m"), "step_mode='m'"),
    (lookalikes.Leaky(beta=0.5, graded_spikes_factor=2.0), "non-binary spikes"),
    (lookalikes.Leaky(beta=0.5, inhibition=True), "inhibition=True"),
    (lookalikes.Leaky(beta=0.5, init_hidden=False), "init_hidden=True"),
    (lookalikes.Leaky(beta=0.5, reset_mechanism="mystery"), "reset_mechanism='mystery'"),
    (lookalikes.Leaky(beta=0.5, reset_mechanism="subtract", reset_delay=False),
     "reset_delay=False decides each spike after subtracting a reset re-evaluated"),
])
def test_unmappable_neurons_are_rejected(module, message):
    with pytest.raises(sparseflow.ExportError, match=message):
        sparseflow.to_canonical(module, "layer")
