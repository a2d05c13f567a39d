"""The bundled example: a LeNet-style spiking network for 28x28 digits.

Builds the network in PyTorch with SparseFlow's reference neurons and exports
it to SparseFlow's ONNX form (T = 4, direct encoding, mean readout).

usage: PYTHONPATH=python /usr/bin/python3 examples/lenet_snn.py OUT.onnx
"""

import sys

import torch
from torch import nn

import sparseflow


def lenet_snn() -> nn.Module:
    def lif():
        # SpikingJelly's LIFNode(tau=2.0, v_reset=0.0) in canonical form.
        return sparseflow.nn.LIF(leak=0.5, gain=0.5, v_reset=0.0)

    return nn.Sequential(
        nn.Conv2d(1, 8, 5), nn.BatchNorm2d(8), lif(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 5), nn.BatchNorm2d(16), lif(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(256, 64), lif(),
        nn.Linear(64, 10), lif())


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    torch.manual_seed(0)
    model = lenet_snn().eval()
    sparseflow.export_onnx(model, torch.rand(1, 1, 28, 28), sys.argv[1], timesteps=4)
    print(f"wrote {sys.argv[1]}")
