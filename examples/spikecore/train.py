"""Trains the walk-through's two MNIST networks (models.py).

Data: the MNIST test set in ../shared/data/mnist (Y. LeCun, C. Cortes,
C. Burges; CC BY-SA 3.0), images 0-7999; the held-out images are
examples/mnist/heldout.npz (images 8000-8999). The LIF network trains with
examples/mnist/train.py's surrogate gradient.

usage: PYTHONPATH=python /usr/bin/python3 examples/spikecore/train.py [MNIST_DIR]
writes examples/spikecore/{lif_mlp.pt, relu_mlp.pt}
"""

import pathlib
import sys

import numpy as np
import torch
from torch import nn

import sparseflow
import models
import train as mnist_train  # examples/mnist/train.py, on models' sys.path


def main(mnist=None):
    mnist = pathlib.Path(mnist or models.HERE.parents[2] / "shared" / "data" / "mnist")
    images = mnist_train.read_idx(mnist / "t10k-images-idx3-ubyte.gz")
    labels = mnist_train.read_idx(mnist / "t10k-labels-idx1-ubyte.gz")
    x = torch.from_numpy(images.astype(np.float32).reshape(-1, 784) / 255.0)
    y = torch.from_numpy(labels.astype(np.int64))
    held_x, held_y = models.heldout()

    original = sparseflow.nn.LIF.forward
    sparseflow.nn.LIF.forward = mnist_train.surrogate_forward
    for name, builder in models.BUILDERS.items():
        torch.manual_seed(0)
        model = builder()
        steps = models.TIMESTEPS[name]
        optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
        for epoch in range(8):
            order = torch.randperm(8000)
            for start in range(0, 8000, 64):
                batch = order[start:start + 64]
                sparseflow.nn.reset(model)
                scores = sum(model(x[batch]) for _ in range(steps)) / steps
                loss = nn.functional.cross_entropy(scores, y[batch])
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
        model.eval()
        sparseflow.nn.reset(model)
        sparseflow.nn.LIF.forward = original
        scores = models.reference(name, model, held_x)
        accuracy = (scores.argmax(1).numpy() == held_y).mean()
        sparseflow.nn.LIF.forward = mnist_train.surrogate_forward
        print(f"{name}: held-out accuracy (PyTorch, 1000 images) {accuracy:.4f}")
        torch.save(model.state_dict(), models.HERE / f"{name}.pt")
    sparseflow.nn.LIF.forward = original


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
