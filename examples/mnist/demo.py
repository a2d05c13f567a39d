"""The quick-start demo: compile the trained MNIST SNN and run it with sf-run.

Exports the shipped network to ONNX, compiles it with `sfc`, runs the 1000
held-out images through `sf-run --profile`, and prints the accuracy next to
the PyTorch reference's.

usage: PYTHONPATH=python /usr/bin/python3 examples/mnist/demo.py BUILD_BIN_DIR OUT_DIR
"""

import pathlib
import shlex
import subprocess
import sys

import numpy as np
import torch

import sparseflow
import mnist_snn


def run(*args):
    print("$", " ".join(shlex.quote(str(a)) for a in args), flush=True)
    subprocess.run([str(a) for a in args], check=True)


def main():
    bin_dir, out = map(pathlib.Path, sys.argv[1:3])
    out.mkdir(parents=True, exist_ok=True)
    onnx_path, sfa, x_path, y_path = (out / name for name in
                                      ("mnist_snn.onnx", "mnist_snn.sfa", "heldout.npy", "scores.npy"))
    mnist_snn.export(onnx_path)
    images, labels = mnist_snn.heldout()
    np.save(x_path, images)

    run(bin_dir / "sfc", "compile", onnx_path, "-o", sfa, "--report")
    run(bin_dir / "sf-run", sfa, "--input", x_path, "--output", y_path, "--profile")

    scores = np.load(y_path)
    accuracy = float((scores.argmax(1) == labels).mean())
    reference = sparseflow.nn.simulate(mnist_snn.trained(), torch.from_numpy(images),
                                       mnist_snn.TIMESTEPS).numpy()
    print(f"\nfirst predictions: {scores.argmax(1)[:10].tolist()}  labels: {labels[:10].tolist()}")
    print(f"accuracy on {len(labels)} held-out MNIST images: SparseFlow {accuracy:.4f}, "
          f"PyTorch reference {float((reference.argmax(1) == labels).mean()):.4f}")


if __name__ == "__main__":
    main()
