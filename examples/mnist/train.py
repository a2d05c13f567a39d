"""Trains the bundled MNIST spiking network and writes what the repository ships.

The network is mnist_snn.mnist_snn().

Data: the MNIST test set in ../shared/data/mnist (Y. LeCun, C. Cortes,
C. Burges; CC BY-SA 3.0). Images 0-7999 train the network; images 8000-9999
are held out, and the first 1000 of them are shipped as heldout.npz for the
accuracy checks.

The LIF neurons are SparseFlow's (sparseflow.nn.LIF: leak 0.5, gain 0.5,
threshold 1, hard reset to 0). Training replaces their step function's
gradient by a fast-sigmoid surrogate; the forward pass is unchanged, so the
trained weights run as they are.

usage: PYTHONPATH=python /usr/bin/python3 examples/mnist/train.py [MNIST_DIR]
writes examples/mnist/{mnist_snn.pt, heldout.npz}
"""

import gzip
import pathlib
import sys

import numpy as np
import torch
from torch import nn

import sparseflow
from mnist_snn import HERE, TIMESTEPS, mnist_snn


def read_idx(path: pathlib.Path) -> np.ndarray:
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims))
    return np.frombuffer(data, np.uint8, offset=4 + 4 * dims).reshape(shape)


class _SurrogateSpike(torch.autograd.Function):
    """Heaviside forward (h >= threshold), fast-sigmoid derivative backward."""

    @staticmethod
    def forward(ctx, margin):
        ctx.save_for_backward(margin)
        return (margin >= 0).to(margin.dtype)

    @staticmethod
    def backward(ctx, grad):
        (margin,) = ctx.saved_tensors
        return grad / (1.0 + 5.0 * margin.abs()) ** 2


def surrogate_forward(self, x):
    """sparseflow.nn.LIF.forward for hard reset without reset_delay, with the
    surrogate gradient; the same arithmetic in the same order."""
    v = self.v if self.v is not None else torch.zeros_like(x)
    h = v + self.leak * (self.v_leak - v)
    h = h + self.gain * x
    spikes = _SurrogateSpike.apply(h - self.v_threshold)
    self.v = h * (1 - spikes) + self.v_reset * spikes
    return spikes


def simulate_train(model, x):
    sparseflow.nn.reset(model)
    out = sum(model(x) for _ in range(TIMESTEPS)) / TIMESTEPS
    sparseflow.nn.reset(model)
    return out


def main():
    mnist = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else HERE.parents[2] / "shared" / "data" / "mnist")
    images = read_idx(mnist / "t10k-images-idx3-ubyte.gz")
    labels = read_idx(mnist / "t10k-labels-idx1-ubyte.gz")
    x = torch.from_numpy(images.astype(np.float32) / 255.0).unsqueeze(1)
    y = torch.from_numpy(labels.astype(np.int64))

    torch.manual_seed(0)
    model = mnist_snn()
    original = sparseflow.nn.LIF.forward
    sparseflow.nn.LIF.forward = surrogate_forward
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    for epoch in range(6):
        order = torch.randperm(8000)
        for start in range(0, 8000, 64):
            batch = order[start:start + 64]
            loss = nn.functional.cross_entropy(simulate_train(model, x[batch]), y[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        print(f"epoch {epoch}: loss {loss.item():.3f}", flush=True)
    sparseflow.nn.LIF.forward = original

    model.eval()
    held_x, held_y = x[8000:9000], y[8000:9000]
    scores = sparseflow.nn.simulate(model, held_x, TIMESTEPS)
    accuracy = (scores.argmax(1) == held_y).float().mean().item()
    print(f"held-out accuracy (PyTorch reference, 1000 images): {accuracy:.4f}")
    torch.save(model.state_dict(), HERE / "mnist_snn.pt")
    np.savez_compressed(HERE / "heldout.npz", images=images[8000:9000],
                        labels=labels[8000:9000])


if __name__ == "__main__":
    main()
