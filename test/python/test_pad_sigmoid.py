"""Pad and Sigmoid end to end (PyTorch -> ONNX -> sfc -> runtime) against
the PyTorch reference (sparseflow.nn.simulate): the two ops issue 18 added
through the op catalogue (docs/adding-an-op.md).

Analog outputs agree within rtol = atol = 1e-5 (float32, another summation
order; the sigmoid's exp within a few ulp).
"""

import json
import subprocess

import numpy as np
import torch
import torch.nn as tnn

import sparseflow
from conftest import BIN_DIR

T = 4
TOLERANCE = dict(rtol=1e-5, atol=1e-5)


class PaddedSpikes(tnn.Module):
    """Average pools with padding, which torch exports as a zero Pad of the
    spikes and an AveragePool: with ceil_mode the Pad stays (it runs on the
    packed spikes), without it folds into the pool."""

    def __init__(self):
        super().__init__()
        self.conv = tnn.Conv2d(1, 4, 3, padding=1)
        self.lif = sparseflow.nn.LIF(leak=0.5, v_threshold=0.5)
        self.folded = tnn.AvgPool2d(3, stride=1, padding=1)
        self.kept = tnn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True)
        self.fc = tnn.Linear(4 * 8 * 8 + 4 * 5 * 5, 3)

    def forward(self, x):
        s = self.lif(self.conv(x))
        return self.fc(torch.cat([self.folded(s).flatten(1),
                                  self.kept(s).flatten(1)], 1))


class SigmoidReadout(tnn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = tnn.Linear(16, 32)
        self.lif = sparseflow.nn.LIF(leak=0.5, v_threshold=0.5)
        self.fc2 = tnn.Linear(32, 5)

    def forward(self, x):
        return torch.sigmoid(self.fc2(self.lif(self.fc1(x))))


def compile_and_plan(tmp_path, model, x, name):
    path = tmp_path / f"{name}.onnx"
    sparseflow.export_onnx(model, x, str(path), timesteps=T)
    artifact = sparseflow.compile(path, tmp_path / f"{name}.sfa")
    plan = json.loads(subprocess.run(
        [str(BIN_DIR / "sfc"), "compile", str(path), "--emit=plan-json"],
        capture_output=True, text=True, check=True).stdout)
    return artifact, plan


def test_pads_of_spikes_run_packed_and_match_torch(tmp_path):
    torch.manual_seed(0)
    model = PaddedSpikes().eval()
    with torch.no_grad():
        model.conv.weight.mul_(3.0)
    x = torch.rand(2, 1, 8, 8)
    artifact, plan = compile_and_plan(tmp_path, model, x, "padded")

    kinds = [op["kind"] for op in plan["ops"]]
    pads = [op for op in plan["ops"] if op["kind"] == "Pad"]
    assert len(pads) == 1 and kinds.count("AvgPool2d") == 2, kinds
    assert plan["tensors"][pads[0]["outputs"][0]]["storage"] == "PackedSpikes"

    expected = sparseflow.nn.simulate(model, x, T).numpy()
    spikes = sparseflow.nn.simulate(model.lif, model.conv(x), T)
    assert 0.0 < float(spikes.mean()) < 1.0, "the comparison needs some spikes"
    np.testing.assert_allclose(artifact.run(x.numpy()), expected, **TOLERANCE)


def test_sigmoid_readout_matches_torch(tmp_path):
    torch.manual_seed(1)
    model = SigmoidReadout().eval()
    with torch.no_grad():
        model.fc1.weight.mul_(3.0)
    x = torch.rand(3, 16)
    artifact, plan = compile_and_plan(tmp_path, model, x, "sigmoid")
    assert [op["kind"] for op in plan["ops"]][-1] == "Sigmoid"
    expected = sparseflow.nn.simulate(model, x, T).numpy()
    got = artifact.run(x.numpy())
    assert np.all((0.0 < got) & (got < 1.0))
    np.testing.assert_allclose(got, expected, **TOLERANCE)
