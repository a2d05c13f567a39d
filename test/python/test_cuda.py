"""The cuda backend end to end: exported networks compiled by sfc and run on
the GPU must give what the host backend gives.

The GPU kernels add in the order of the host's dense kernels, without
fused multiply-adds, so against host runs with dense kernels
(--sparse-kernels=false) they agree exactly; against the host's sparse
kernels (which sum in another order) analog outputs agree within rtol =
atol = 1e-5 and spike outputs exactly. Where no GPU can run these tests skip
and say why; the tests of what happens without one run everywhere.
"""

import json
import subprocess

import numpy as np
import pytest
import torch

import sparseflow
from conftest import BIN_DIR
from test_export_import import NETWORKS
from test_runtime import active_model, compile_network

TOLERANCE = dict(rtol=1e-5, atol=1e-5)
HAS_CUDA = sparseflow.has_backend("cuda")
needs_gpu = pytest.mark.skipif(
    not HAS_CUDA, reason="no CUDA device can run here (GPU checks not run)")


def network_input(shape, batch=2):
    torch.manual_seed(1)
    return (torch.rand((batch,) + tuple(shape[1:])) * 2).numpy()


@needs_gpu
@pytest.mark.parametrize("kernels", ["sparse", "dense"])
@pytest.mark.parametrize("name", NETWORKS)
def test_network_on_cuda_matches_host(tmp_path, name, kernels):
    model, shape, spikes = active_model(name)
    # Host-only fused layers (Conv2dLIF, LinearLIF) stay apart, so that the
    # whole artifact can run on the cuda backend.
    flags = ["--fuse-neurons=false"] + (["--sparse-kernels=false"] if kernels == "dense" else [])
    artifact = compile_network(tmp_path, name, model, shape, *flags,
                               batch=2, readout="all")
    x = network_input(shape)
    host = artifact.run(x, backend="host")
    cuda = artifact.run(x, backend="cuda")
    if spikes or kernels == "dense":
        np.testing.assert_array_equal(cuda, host)
    else:
        np.testing.assert_allclose(cuda, host, **TOLERANCE)


@needs_gpu
def test_profile_on_cuda_counts_the_same_spikes(tmp_path):
    model, shape, _ = active_model("vgg56")
    artifact = compile_network(tmp_path, "vgg56", model, shape, "--fuse-neurons=false")
    x = network_input(shape, batch=1)
    profiles = {}
    for backend in ("host", "cuda"):
        session = artifact.session(backend=backend, profile=True)
        session.run(x)
        profiles[backend] = [(p["name"], p.get("spikes"),
                              p.get("active_blocks"))
                             for p in session.profile()]
    assert profiles["cuda"] == profiles["host"]


def test_cuda_backend_says_why_it_cannot_run(tmp_path):
    if HAS_CUDA:
        pytest.skip("a CUDA device is present; the tests above run on it")
    model, shape, _ = active_model("mnist_mlp")
    artifact = compile_network(tmp_path, "mnist_mlp", model, shape)
    with pytest.raises(sparseflow.RuntimeError, match="the cuda backend cannot run: "
                       "(no CUDA device|this runtime was built without)") as error:
        artifact.session(backend="cuda")
    assert error.value.args[1] == "unavailable"
    np.save(tmp_path / "x.npy", network_input(shape, batch=1))
    run = subprocess.run([str(BIN_DIR / "sf-run"), str(artifact.path),
                          "--input", str(tmp_path / "x.npy"),
                          "--backend=cuda"], capture_output=True, text=True)
    assert run.returncode != 0
    assert "the cuda backend cannot run" in run.stderr


@pytest.mark.parametrize("name", ["lenet_bn", "residual"])
def test_auto_runs_gpu_placed_ops_where_it_can(tmp_path, name):
    """Ops compiled for the GPU run there under auto when a device is
    present, and on the host otherwise: the results are the same."""
    model, shape, spikes = active_model(name)
    artifact = compile_network(tmp_path, name, model, shape, batch=2,
                               targets="gpu,host")
    plan = json.loads(subprocess.run(
        [str(BIN_DIR / "sfc"), "compile", str(tmp_path / f"{name}.onnx"),
         "--targets=gpu,host", "--emit=plan-json"],
        capture_output=True, text=True, check=True).stdout)
    assert any(op["target"] == "gpu" for op in plan["ops"])
    x = network_input(shape)
    np.testing.assert_allclose(artifact.run(x, backend="auto"),
                               artifact.run(x, backend="host"), **TOLERANCE)
