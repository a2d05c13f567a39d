"""The two MNIST networks of the SpikeCore walk-through and their weights.

- `lif_mlp()`: 784 -> 64 LIF -> 10, T = 4, direct encoding, mean readout.
  SpikeCore takes the pixels as graded events (8-bit payloads), the hidden
  layer fires spikes, the output layer's membranes are read out each step.
- `relu_mlp()`: 784 -> 64 ReLU -> 10, an ordinary (non-spiking) network that
  SpikeCore runs with graded neurons, T = 1.

Both read flattened images [N, 784] in [0, 1]. train.py trains them on MNIST
test images 0-7999 (the images examples/mnist/heldout.npz does not hold);
the .pt files hold the trained weights.
"""

import pathlib
import sys

import torch
from torch import nn

import sparseflow

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "mnist"))
import mnist_snn  # noqa: E402  (the held-out images and the LIF neuron)

TIMESTEPS = {"lif_mlp": 4, "relu_mlp": 1}


def lif_mlp() -> nn.Module:
    return nn.Sequential(nn.Linear(784, 64), mnist_snn.lif(), nn.Linear(64, 10))


def relu_mlp() -> nn.Module:
    return nn.Sequential(nn.Linear(784, 64), nn.ReLU(), nn.Linear(64, 10))


BUILDERS = {"lif_mlp": lif_mlp, "relu_mlp": relu_mlp}


def trained(name: str) -> nn.Module:
    """The shipped trained network `name`, in eval mode."""
    model = BUILDERS[name]()
    model.load_state_dict(torch.load(HERE / f"{name}.pt"))
    return model.eval()


def heldout():
    """(images [1000, 784] float32 in [0, 1], labels [1000] int64)."""
    images, labels = mnist_snn.heldout()
    return images.reshape(len(images), 784), labels


def reference(name: str, model: nn.Module, images) -> torch.Tensor:
    """The float PyTorch scores the compiled model is compared with."""
    with torch.no_grad():
        return sparseflow.nn.simulate(model, torch.from_numpy(images),
                                      TIMESTEPS[name])


def export(name: str, path) -> None:
    """Writes trained network `name` as SparseFlow ONNX (batch 1)."""
    sparseflow.export_onnx(trained(name), torch.zeros(1, 784), str(path),
                           timesteps=TIMESTEPS[name])
