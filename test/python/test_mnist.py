"""The trained MNIST SNN (examples/mnist) keeps its PyTorch accuracy through
sfc and the runtime, on 1000 held-out test images training never saw."""

import subprocess
import sys

import numpy as np
import pytest
import torch

import sparseflow
from conftest import BIN_DIR, REPO

sys.path.insert(0, str(REPO / "examples" / "mnist"))
import mnist_snn  # noqa: E402


@pytest.fixture(scope="module")
def reference():
    images, labels = mnist_snn.heldout()
    scores = sparseflow.nn.simulate(mnist_snn.trained(), torch.from_numpy(images),
                                    mnist_snn.TIMESTEPS).numpy()
    return images, labels, scores


def test_accuracy_through_sfc_and_sf_run(tmp_path, reference):
    images, labels, expected = reference
    mnist_snn.export(tmp_path / "m.onnx")
    subprocess.run([str(BIN_DIR / "sfc"), "compile", str(tmp_path / "m.onnx"), "-o",
                    str(tmp_path / "m.sfa")], check=True)
    np.save(tmp_path / "x.npy", images)
    subprocess.run([str(BIN_DIR / "sf-run"), str(tmp_path / "m.sfa"), "--input",
                    str(tmp_path / "x.npy"), "--output", str(tmp_path / "y.npy")], check=True)
    scores = np.load(tmp_path / "y.npy")
    reference_accuracy = (expected.argmax(1) == labels).mean()
    assert reference_accuracy >= 0.97
    # Same predictions as PyTorch on every image; scores within float32
    # summation-order tolerance (spikes identical, analog readout layer).
    np.testing.assert_array_equal(scores.argmax(1), expected.argmax(1))
    np.testing.assert_allclose(scores, expected, rtol=1e-5, atol=1e-5)
    assert (scores.argmax(1) == labels).mean() == reference_accuracy


def test_dense_kernels_give_the_same_scores(tmp_path, reference):
    images, labels, expected = reference
    mnist_snn.export(tmp_path / "m.onnx")
    model = sparseflow.compile(tmp_path / "m.onnx", batch=50,
                               extra_args=["--sparse-kernels=false"])
    np.testing.assert_allclose(model.run(images), expected, rtol=1e-5, atol=1e-5)
