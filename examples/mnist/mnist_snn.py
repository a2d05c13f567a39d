"""The bundled MNIST spiking network and its shipped data.

`mnist_snn()` (T = 4, direct encoding, mean readout): conv 5x5 (8) -> LIF ->
max-pool 2 -> conv 5x5 (16) -> LIF -> max-pool 2 -> linear 256 -> 10, a
non-spiking readout layer whose output averaged over T gives the class
scores. train.py trains it; mnist_snn.pt holds the weights and heldout.npz
1000 held-out MNIST test images (Y. LeCun, C. Cortes, C. Burges; CC BY-SA
3.0) that training never saw.
"""

import pathlib

import numpy as np
import torch
from torch import nn

import sparseflow

HERE = pathlib.Path(__file__).resolve().parent
TIMESTEPS = 4


def lif():
    # SpikingJelly's LIFNode(tau=2.0, v_reset=0.0) in canonical form.
    return sparseflow.nn.LIF(leak=0.5, gain=0.5, v_reset=0.0)


def mnist_snn() -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(1, 8, 5), lif(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 5), lif(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(256, 10))


def trained() -> nn.Module:
    """The shipped trained network, in eval mode."""
    model = mnist_snn()
    model.load_state_dict(torch.load(HERE / "mnist_snn.pt"))
    return model.eval()


def heldout():
    """(images [1000, 1, 28, 28] float32 in [0, 1], labels [1000] int64)."""
    data = np.load(HERE / "heldout.npz")
    images = data["images"].astype(np.float32)[:, None] / 255.0
    return images, data["labels"].astype(np.int64)


def export(path) -> None:
    """Writes the trained network as SparseFlow ONNX (batch 1, T = 4)."""
    sparseflow.export_onnx(trained(), torch.zeros(1, 1, 28, 28), str(path),
                           timesteps=TIMESTEPS)
