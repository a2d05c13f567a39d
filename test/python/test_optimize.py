"""`sparseflow.optimize`: the compiled module against the eager model, for
SparseFlow, SpikingJelly (0.0.0.0.14, single- and multi-step) and snnTorch
models, any batch size, the artifact cache, and `check=True`'s report.

Tolerance: the outputs agree exactly on these dyadic-friendly models except
where a membrane ties with the threshold (docs/semantics.md); the check's
default tolerance is rtol 1e-4, atol 1e-5."""

import warnings

import numpy as np
import pytest
import torch

import sparseflow
from sparseflow import nn


def conv_net(neuron):
    torch.manual_seed(0)
    return torch.nn.Sequential(
        torch.nn.Conv2d(1, 4, 3, padding=1), neuron(),
        torch.nn.AvgPool2d(2), torch.nn.Flatten(),
        torch.nn.Linear(4 * 4 * 4, 10), neuron())


def images(n, seed=0):
    return torch.rand(n, 1, 8, 8, generator=torch.Generator().manual_seed(seed)) * 2


def test_sparseflow_model_any_batch_and_cache(tmp_path):
    model = conv_net(lambda: nn.LIF(leak=0.25, v_threshold=0.5, v_reset=0.0))
    optimized = sparseflow.optimize(model, images(2), timesteps=8, cache_dir=tmp_path, check=True)
    assert optimized.check.ok, optimized.check
    for n in (1, 2, 5):
        x = images(n, seed=n)
        want = nn.simulate(model, x, 8, "direct", "mean")
        got = optimized(x)
        assert isinstance(got, torch.Tensor) and got.shape == want.shape
        assert torch.equal(got, want)
    artifacts = sorted(tmp_path.glob("*.sfa"))
    assert len(artifacts) == 3  # one per batch size (2 was compiled by the check)
    # A new process (here: a new optimize) reuses the cached artifacts.
    stamps = [a.stat().st_mtime_ns for a in artifacts]
    again = sparseflow.optimize(model, images(2), timesteps=8, cache_dir=tmp_path)
    assert torch.equal(again(images(5, seed=5)), optimized(images(5, seed=5)))
    assert [a.stat().st_mtime_ns for a in sorted(tmp_path.glob("*.sfa"))] == stamps


def test_spikingjelly_single_step(tmp_path):
    from spikingjelly.clock_driven import neuron

    model = conv_net(lambda: neuron.LIFNode(tau=2.0))
    optimized = sparseflow.optimize(model, images(3), timesteps=6, cache_dir=tmp_path, check=True)
    assert optimized.check.ok, optimized.check
    assert optimized.check.max_abs_diff == 0.0


def test_spikingjelly_multi_step(tmp_path):
    from spikingjelly.clock_driven import layer, neuron

    torch.manual_seed(1)
    model = torch.nn.Sequential(
        layer.SeqToANNContainer(torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.BatchNorm2d(4)),
        neuron.MultiStepLIFNode(tau=2.0),
        layer.SeqToANNContainer(torch.nn.Flatten(), torch.nn.Linear(4 * 8 * 8, 10)),
        neuron.MultiStepLIFNode(tau=2.0, v_reset=None))
    model.eval()
    spikes = (torch.rand(5, 2, 1, 8, 8, generator=torch.Generator().manual_seed(2)) < 0.3).float()
    optimized = sparseflow.optimize(model, spikes, cache_dir=tmp_path, check=True)
    assert optimized.multi_step and optimized.encoding == "spikes"
    assert optimized.check.ok, optimized.check
    # The caller's model is untouched and still multi-step.
    assert isinstance(model[1], neuron.MultiStepLIFNode)
    more = (torch.rand(5, 4, 1, 8, 8, generator=torch.Generator().manual_seed(3)) < 0.3).float()
    from spikingjelly.clock_driven import functional
    functional.reset_net(model)
    with torch.no_grad():
        want = model(more)
    got = optimized(more)
    assert got.shape == (5, 4, 10)
    assert torch.equal(got, want)


def test_spikingjelly_2x_step_mode_is_switched_for_export(tmp_path):
    # SpikingJelly 2.x's step_mode='m' (its stand-in: SpikingJelly 2.x does
    # not run on torch 1.13): exported from a single-step copy, compiled
    # multi-step, and the caller's modules left in multi-step mode.
    import lookalikes

    torch.manual_seed(5)
    model = torch.nn.Sequential(torch.nn.Linear(6, 5), lookalikes.LIFNode(tau=2.0, step_mode="m"),
                                torch.nn.Linear(5, 3), lookalikes.LIFNode(tau=2.0, step_mode="m"))
    spikes = (torch.rand(4, 2, 6, generator=torch.Generator().manual_seed(6)) < 0.5).float()
    optimized = sparseflow.optimize(model, spikes, cache_dir=tmp_path, check=True)
    assert optimized.multi_step and optimized.check.ok, optimized.check
    assert [m.step_mode for m in model if hasattr(m, "step_mode")] == ["m", "m"]


def test_snntorch_single_step(tmp_path):
    import snntorch as snn

    model = conv_net(lambda: snn.Leaky(beta=0.5, init_hidden=True))
    optimized = sparseflow.optimize(model, images(2), timesteps=4, readout="sum",
                                    cache_dir=tmp_path, check=True)
    assert optimized.check.ok, optimized.check


class ExportsDifferently(torch.nn.Module):
    """The identity when run eagerly, zero when exported: a stand-in for a
    layer whose export is wrong."""

    def forward(self, x):
        return x * (0.0 if torch.onnx.is_in_onnx_export() else 1.0)


def test_check_reports_the_difference_and_the_first_diverging_layer(tmp_path):
    torch.manual_seed(2)
    model = torch.nn.Sequential(torch.nn.Linear(6, 6), ExportsDifferently(),
                                nn.LIF(leak=0.5, v_threshold=0.25), torch.nn.Linear(6, 3))
    x = torch.rand(2, 6)
    with pytest.warns(UserWarning, match="first diverging layer: 1 \\(ExportsDifferently\\)"):
        optimized = sparseflow.optimize(model, x, timesteps=4, cache_dir=tmp_path, check=True)
    assert not optimized.check.ok
    assert optimized.check.max_abs_diff > 0.01
    assert optimized.check.first_diverging_layer == "1 (ExportsDifferently)"


def test_refusals_name_the_problem(tmp_path):
    with pytest.raises(sparseflow.ExportError, match="timesteps .* is required"):
        sparseflow.optimize(conv_net(lambda: nn.LIF(leak=0.5)), images(1), cache_dir=tmp_path)
    from spikingjelly.clock_driven import neuron
    model = torch.nn.Sequential(torch.nn.Linear(4, 4), neuron.MultiStepLIFNode(tau=2.0))
    analog = torch.rand(3, 1, 4)
    with pytest.raises(sparseflow.ExportError, match="must be spikes \\(0 or 1\\) or the same at every step"):
        sparseflow.optimize(model, analog, cache_dir=tmp_path)
