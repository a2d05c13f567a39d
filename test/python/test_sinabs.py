"""Sinabs 3 neurons (PyPI, scripts/setup.sh) and unknown SNN-library layers
in the exporter: Sinabs IAF/LIF (and their Squeeze forms) map exactly onto
the canonical neurons — checked against Sinabs itself, inputs and decays
dyadic so every order of operations rounds alike — and what has no exact
form, or is not a layer the exporter knows, is an ExportError naming the
module."""

import pytest
import torch

import sinabs.layers as sl
from sinabs.activation import MembraneReset, MembraneSubtract, MultiSpike, SingleSpike

import sparseflow
from sparseflow import nn

T, N, K = 24, 4, 16


def dyadic_inputs(seed):
    g = torch.Generator().manual_seed(seed)
    return torch.randint(-4, 13, (N, T, K), generator=g).float() / 8


def lif_with_alpha(alpha, **kwargs):
    layer = sl.LIF(tau_mem=2.0, train_alphas=True, **kwargs)
    with torch.no_grad():
        layer.alpha_mem.fill_(alpha)
        if layer.alpha_syn is not None:
            layer.alpha_syn.fill_(0.5)
    return layer


SINABS = {
    "IAF-subtract": lambda: sl.IAF(spike_fn=SingleSpike),
    "IAF-reset": lambda: sl.IAF(spike_fn=SingleSpike, reset_fn=MembraneReset(),
                                spike_threshold=torch.tensor(0.75)),
    "IAFSqueeze": lambda: sl.IAFSqueeze(spike_fn=SingleSpike, batch_size=N),
    "LIF-norm": lambda: lif_with_alpha(0.5, spike_fn=SingleSpike, spike_threshold=torch.tensor(0.25)),
    "LIF": lambda: lif_with_alpha(0.75, spike_fn=SingleSpike, norm_input=False),
    "LIF-synapse": lambda: lif_with_alpha(0.5, tau_syn=2.0, spike_fn=SingleSpike,
                                          spike_threshold=torch.tensor(0.25)),
}


@pytest.mark.parametrize("kind", SINABS)
def test_sinabs_neurons_map_exactly(kind):
    layer = SINABS[kind]()
    x = dyadic_inputs(1)
    with torch.no_grad():
        if kind == "IAFSqueeze":  # [batch*time, ...], batch-major
            want = layer(x.reshape(N * T, K)).reshape(N, T, K)
        else:
            want = layer(x)
    canonical = sparseflow.to_canonical(layer, "neuron")
    nn.reset(canonical)
    with torch.no_grad():
        got = torch.stack([canonical(x[:, t]) for t in range(T)], 1)
    assert 0 < want.sum() < want.numel()
    assert torch.equal(got, want)


@pytest.mark.parametrize("module, message", [
    (lambda: sl.IAF(), "emits spike counts, not binary spikes"),  # MultiSpike by default
    (lambda: sl.IAF(spike_fn=SingleSpike, min_v_mem=-1.0), "min_v_mem clips the membrane"),
    (lambda: sl.IAF(spike_fn=SingleSpike, reset_fn=MembraneReset(reset_value=-0.5)),
     "only MembraneSubtract\\(\\) and MembraneReset\\(reset_value=0\\)"),
    (lambda: sl.IAF(spike_fn=SingleSpike, reset_fn=MembraneSubtract(subtract_value=0.5)),
     "only MembraneSubtract"),
    (lambda: sl.ExpLeak(tau_mem=2.0), "sinabs's ExpLeak .* is not a layer SparseFlow maps"),
])
def test_unmappable_sinabs_layers_are_refused(module, message):
    with pytest.raises(sparseflow.ExportError, match=message):
        sparseflow.to_canonical(module(), "layer")


def test_unknown_snn_layers_fail_at_export_naming_the_module(tmp_path):
    # Before, a Sinabs neuron exported "successfully" and sfc failed later
    # on an unrelated Shape op; SpikingJelly's LIAFNode (analog output) is
    # a neuron the exporter does not know.
    from spikingjelly.clock_driven import neuron

    for layer, name in ((sl.IAF(), "IAF"), (neuron.LIAFNode(act=torch.nn.ReLU(), threshold_related=False), "LIAFNode")):
        model = torch.nn.Sequential(torch.nn.Linear(K, K), layer)
        with pytest.raises(sparseflow.ExportError, match=f"^1: .*{name}"):
            sparseflow.export_onnx(model, torch.zeros(1, K), str(tmp_path / "m.onnx"), timesteps=T)
