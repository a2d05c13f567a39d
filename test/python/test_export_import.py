"""Real PyTorch networks: export to ONNX, import with `sfc`, check the IR."""

import collections
import re

import pytest
import torch
from torch import nn as tnn

import sparseflow
from sparseflow import nn

import lookalikes
from conftest import run_sfc


def lif():
    return nn.LIF(leak=0.5, gain=0.5, v_reset=0.0)


def mnist_mlp():
    return tnn.Sequential(tnn.Flatten(), tnn.Linear(784, 128), lif(),
                          tnn.Linear(128, 10), lif())


def lenet_bn():
    return tnn.Sequential(
        tnn.Conv2d(1, 6, 5, padding=2), tnn.BatchNorm2d(6), lif(), tnn.MaxPool2d(2),
        tnn.Conv2d(6, 16, 5), tnn.BatchNorm2d(16), lif(), tnn.MaxPool2d(2),
        tnn.Flatten(), tnn.Linear(400, 120), tnn.BatchNorm1d(120), lif(),
        tnn.Linear(120, 10), lif())


def vgg56():
    def block(cin, cout):
        return [tnn.Conv2d(cin, cout, 3, padding=1), tnn.BatchNorm2d(cout), lif()]
    return tnn.Sequential(
        *block(3, 16), *block(16, 16), tnn.MaxPool2d(2),
        *block(16, 32), tnn.MaxPool2d(2),
        *block(32, 64), tnn.MaxPool2d(2),
        *block(64, 64),
        tnn.Flatten(), tnn.Linear(64 * 7 * 7, 10), lif())


class ResidualBlock(tnn.Module):
    """SEW-ResNet style: spikes + conv(spikes), then a neuron."""

    def __init__(self):
        super().__init__()
        self.stem = tnn.Sequential(tnn.Conv2d(3, 8, 3, padding=1), lif())
        self.body = tnn.Sequential(tnn.Conv2d(8, 8, 3, padding=1), lif(),
                                   tnn.Conv2d(8, 8, 3, padding=1))
        self.out = lif()
        self.head = tnn.Sequential(tnn.AdaptiveAvgPool2d(1), tnn.Flatten(),
                                   tnn.Linear(8, 10))

    def forward(self, x):
        s = self.stem(x)
        return self.head(self.out(s + self.body(s)))


def relu_mlp():
    return tnn.Sequential(tnn.Flatten(), tnn.Linear(784, 64), tnn.ReLU(),
                          tnn.Linear(64, 10))


def framework_neurons():
    return tnn.Sequential(tnn.Flatten(), tnn.Linear(16, 8),
                          lookalikes.LIFNode(tau=2.0, v_reset=0.0),
                          tnn.Linear(8, 4), lookalikes.Leaky(beta=0.9))


NETWORKS = {
    # name: (model, input shape, expected spike-op counts, result type)
    "mnist_mlp": (mnist_mlp, (1, 1, 28, 28),
                  {"flatten": 1, "linear": 2, "lif": 2}, "tensor<1x10xi1>"),
    # torch folds Conv+BatchNorm2d when exporting in eval mode; the
    # BatchNorm1d after a Linear stays.
    "lenet_bn": (lenet_bn, (1, 1, 28, 28),
                 {"conv2d": 2, "batch_norm": 1, "lif": 4, "max_pool2d": 2,
                  "flatten": 1, "linear": 2}, "tensor<1x10xi1>"),
    "vgg56": (vgg56, (1, 3, 56, 56),
              {"conv2d": 5, "lif": 6, "max_pool2d": 3, "flatten": 1, "linear": 1},
              "tensor<1x10xi1>"),
    "residual": (ResidualBlock, (1, 3, 16, 16),
                 {"conv2d": 3, "lif": 3, "add": 1, "global_avg_pool": 1,
                  "flatten": 1, "linear": 1}, "tensor<1x10xf32>"),
    "relu_mlp": (relu_mlp, (1, 1, 28, 28),
                 {"flatten": 1, "linear": 2, "relu": 1}, "tensor<1x10xf32>"),
    "framework_neurons": (framework_neurons, (1, 16),
                          {"flatten": 1, "linear": 2, "lif": 2}, "tensor<1x4xi1>"),
}


def export_and_import(tmp_path, name, timesteps=4, extra=()):
    factory, shape, _, _ = NETWORKS[name]
    torch.manual_seed(0)
    model = factory().eval()
    path = tmp_path / f"{name}.onnx"
    sparseflow.export_onnx(model, torch.rand(shape), str(path), timesteps=timesteps)
    return run_sfc("import", path, "--mlir-elide-elementsattrs-if-larger=16",
                   *extra).stdout


@pytest.mark.parametrize("name", NETWORKS)
def test_network_imports_to_verified_spike_ir(tmp_path, name):
    ir = export_and_import(tmp_path, name)
    _, shape, counts, result = NETWORKS[name]
    ops = collections.Counter(re.findall(r"= spike\.(\w+)", ir))
    assert dict(ops) == counts, ir
    input_type = "tensor<" + "x".join(map(str, shape)) + "xf32>"
    assert re.search(rf"func\.func @main\(%arg0: {re.escape(input_type)}\) -> {re.escape(result)}", ir), ir
    assert "#spike.model<timesteps = 4, encoding = direct, readout = mean>" in ir


def test_vgg_feature_maps_are_56_28_14_7(tmp_path):
    ir = export_and_import(tmp_path, "vgg56")
    heights = [int(m) for m in re.findall(r"spike\.conv2d .*-> tensor<1x\d+x(\d+)x\d+xf32>", ir)]
    assert heights == [56, 56, 28, 14, 7]
    pools = re.findall(r"spike\.max_pool2d .*-> tensor<1x\d+x(\d+)x\d+xi1>", ir)
    assert pools == ["28", "14", "7"]


def test_lif_successors_consume_spike_tensors(tmp_path):
    ir = export_and_import(tmp_path, "lenet_bn")
    # The second conv reads the max-pooled spikes of the first LIF.
    assert re.search(r"spike\.conv2d %\w+, %\w+, %\w+ .*: \(tensor<1x6x14x14xi1>", ir), ir


def test_framework_neurons_become_canonical_lif(tmp_path):
    ir = export_and_import(tmp_path, "framework_neurons")
    lifs = re.findall(r"spike\.lif .*", ir)
    assert "reset = #spike.reset<hard>" in lifs[0] and "leak = array<f32: 5.000000e-01>" in lifs[0]
    assert "fire = #spike.fire<gt>" in lifs[1] and "reset_delay = true" in lifs[1]


def test_flags_override_metadata_and_batch(tmp_path):
    ir = export_and_import(tmp_path, "mnist_mlp", extra=(
        "--timesteps=8", "--encoding=rate", "--readout=sum", "--batch=16"))
    assert "#spike.model<timesteps = 8, encoding = rate, readout = sum>" in ir
    assert "func.func @main(%arg0: tensor<16x1x28x28xf32>) -> tensor<16x10xi1>" in ir


def test_export_rejects_unmappable_neurons(tmp_path):
    model = tnn.Sequential(tnn.Linear(4, 4), lookalikes.Leaky(beta=0.5, graded_spikes_factor=0.5))
    with pytest.raises(sparseflow.ExportError, match=r"^1: snnTorch Leaky with graded"):
        sparseflow.export_onnx(model, torch.rand(1, 4), str(tmp_path / "m.onnx"), timesteps=2)
