"""End to end: PyTorch SNN -> ONNX -> sfc -> .sfa -> runtime, against the
PyTorch reference semantics (sparseflow.nn.simulate).

Spike outputs must be identical; analog outputs agree within rtol = atol =
1e-5 (float32 sums in a different order). Every network is made active
(weights scaled) so the comparison exercises real spike trains, and each
test checks the activity it compares is neither all-zero nor saturated.
"""

import json
import subprocess

import numpy as np
import pytest
import torch

import sparseflow
from conftest import BIN_DIR
from test_export_import import NETWORKS

T = 4
TOLERANCE = dict(rtol=1e-5, atol=1e-5)


def active_model(name, gain=3.0, bias=0.6):
    """The test network with weights scaled and biases raised, so that spikes
    reach the output of even the deepest one (untrained, they die out)."""
    factory, shape, _, result = NETWORKS[name]
    torch.manual_seed(0)
    model = factory().eval()
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, (torch.nn.Conv2d, torch.nn.Linear)):
                module.weight.mul_(gain)
                if module.bias is not None:
                    module.bias.add_(bias)
    return model, shape, "xi1" in result


def compile_network(tmp_path, name, model, shape, *flags, batch=1, **kwargs):
    path = tmp_path / f"{name}.onnx"
    sparseflow.export_onnx(model, torch.rand(shape), str(path), timesteps=T)
    extra = [*flags] + ([f"--batch={batch}"] if batch != 1 else [])
    return sparseflow.compile(path, tmp_path / f"{name}{len(extra)}.sfa",
                              extra_args=extra, **kwargs)


@pytest.mark.parametrize("kernels", ["sparse", "dense"])
@pytest.mark.parametrize("name", NETWORKS)
def test_network_matches_pytorch(tmp_path, name, kernels):
    model, shape, spikes = active_model(name)
    flags = ["--sparse-kernels=false"] if kernels == "dense" else []
    artifact = compile_network(tmp_path, name, model, shape, *flags, readout="all")
    torch.manual_seed(1)
    x = torch.rand(shape) * 2
    expected = sparseflow.nn.simulate(model, x, T, readout="all").numpy()
    got = artifact.run(x.numpy())
    assert got.shape == expected.shape == (T,) + tuple(NETWORKS[name][1][:1]) + got.shape[2:]
    if spikes:
        assert 0.0 < expected.mean() < 1.0, "the comparison needs some spikes"
        np.testing.assert_array_equal(got, expected)
    else:
        np.testing.assert_allclose(got, expected, **TOLERANCE)


def test_sparse_kernels_are_chosen_for_spike_inputs(tmp_path):
    model, shape, _ = active_model("vgg56")
    path = tmp_path / "vgg56.onnx"
    sparseflow.export_onnx(model, torch.rand(shape), str(path), timesteps=T)
    plan = json.loads(subprocess.run(
        [str(BIN_DIR / "sfc"), "compile", str(path), "--emit=plan-json"],
        capture_output=True, text=True, check=True).stdout)
    ops = plan["ops"]
    # A sparse conv and the LIF it feeds run as one Conv2dLIF kernel.
    convs = [op for op in ops if op["kind"] in ("Conv2d", "Conv2dLIF")]
    # The first conv reads the analog image; the others read spikes.
    assert convs[0]["kernel"] == "dense"
    assert all(op["kernel"] == "sparse_binary" for op in convs[1:])
    assert [op["block"] for op in convs[1:]] == [16, 8, 8, 0]  # 7x7: no blocks
    assert ops[-2]["kind"] == "LinearLIF" and ops[-2]["kernel"] == "sparse_binary"


@pytest.mark.parametrize("readout", ["mean", "sum", "last"])
def test_readouts(tmp_path, readout):
    model, shape, _ = active_model("mnist_mlp")
    artifact = compile_network(tmp_path, "mlp", model, shape, readout=readout)
    x = torch.rand(shape)
    expected = sparseflow.nn.simulate(model, x, T, readout=readout).numpy()
    np.testing.assert_allclose(artifact.run(x.numpy()), expected, **TOLERANCE)


def test_rate_encoding_follows_the_documented_generator(tmp_path):
    model, shape, _ = active_model("mnist_mlp")
    artifact = compile_network(tmp_path, "mlp", model, shape, encoding="rate",
                               readout="all")
    x = torch.rand(shape)
    for seed in (0, 7):
        expected = sparseflow.nn.simulate(model, x, T, encoding="rate",
                                          readout="all", seed=seed).numpy()
        assert 0.0 < expected.mean() < 1.0
        np.testing.assert_array_equal(artifact.run(x.numpy(), seed=seed), expected)
    assert not np.array_equal(artifact.run(x.numpy(), seed=0),
                              artifact.run(x.numpy(), seed=7))


def test_spikes_encoding_takes_time_major_binary_input(tmp_path):
    model, shape, _ = active_model("mnist_mlp", gain=6.0)
    artifact = compile_network(tmp_path, "mlp", model, shape, encoding="spikes",
                               readout="sum")
    assert artifact.input_shape == (T,) + shape
    x = (torch.rand((T,) + shape) < 0.3).float()
    expected = sparseflow.nn.simulate(model, x, T, encoding="spikes", readout="sum")
    np.testing.assert_array_equal(artifact.run(x.numpy()), expected.numpy())
    with pytest.raises(sparseflow.RuntimeError, match=r"element 0 is 0.5; the spikes encoding takes 0 or 1"):
        artifact.run(np.full((T,) + shape, 0.5, np.float32))


def test_batches_run_in_chunks_of_the_compiled_batch(tmp_path):
    model, shape, _ = active_model("lenet_bn")
    artifact = compile_network(tmp_path, "lenet", model, shape, batch=2)
    assert artifact.input_shape[0] == 2
    x = torch.rand((6,) + shape[1:])
    expected = sparseflow.nn.simulate(model, x, T).numpy()
    np.testing.assert_array_equal(artifact.run(x.numpy()), expected)
    with pytest.raises(ValueError, match="multiple of its batch"):
        artifact.run(np.zeros((3,) + shape[1:], np.float32))


def test_runtime_errors_carry_the_runtime_message(tmp_path):
    model, shape, _ = active_model("mnist_mlp")
    artifact = compile_network(tmp_path, "mlp", model, shape)
    with pytest.raises(sparseflow.RuntimeError, match="input 0 has shape \\[1, 784\\], the model expects \\[1, 1, 28, 28\\]"):
        artifact.session().run([np.zeros((1, 784), np.float32)])
    data = artifact.path.read_bytes()
    with pytest.raises(sparseflow.RuntimeError, match="truncated or padded artifact"):
        sparseflow.load(data[:-10])
    corrupted = bytearray(data)
    corrupted[len(data) // 2] ^= 0xFF
    with pytest.raises(sparseflow.RuntimeError, match="checksum mismatch"):
        sparseflow.load(bytes(corrupted))
    with pytest.raises(sparseflow.RuntimeError, match="No such file"):
        sparseflow.load(tmp_path / "missing.sfa")


def test_compile_errors_raise_with_diagnostics(tmp_path):
    with pytest.raises(sparseflow.CompileError, match="timesteps 100 exceed the runtime's limit of 64"):
        model, shape, _ = active_model("mnist_mlp")
        compile_network(tmp_path, "mlp", model, shape, timesteps=100)


def run_sf_run(*args):
    return subprocess.run([str(BIN_DIR / "sf-run"), *map(str, args)],
                          capture_output=True, text=True)


def test_runtime_version_is_the_packages_and_sf_run_prints_it():
    version = sparseflow.runtime_version()
    assert version["string"] == sparseflow.__version__
    assert version["string"] == "{major}.{minor}.{patch}".format(**version)
    # The artifacts this compiler writes are ones the runtime reads.
    assert version["artifact_major"] >= 1 and version["dram_major"] >= 1
    result = run_sf_run("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        f"sf-run (SparseFlow runtime {version['string']})\n"
        f"reads .sfa artifacts {version['artifact_major']}.0 to "
        f"{version['artifact_major']}.{version['artifact_minor']} and DRAM images "
        f"{version['dram_major']}.x\n")


def test_sf_run_writes_npy_and_profile(tmp_path):
    model, shape, _ = active_model("lenet_bn")
    artifact = compile_network(tmp_path, "lenet", model, shape)
    x = torch.rand((3,) + shape[1:])
    np.save(tmp_path / "x.npy", x.numpy())
    result = run_sf_run(artifact.path, "--input", tmp_path / "x.npy", "--output",
                        tmp_path / "y.npy", f"--profile-json={tmp_path / 'p.json'}",
                        "--profile")
    assert result.returncode == 0, result.stderr
    expected = sparseflow.nn.simulate(model, x, T).numpy()
    np.testing.assert_array_equal(np.load(tmp_path / "y.npy"), expected)
    assert "spikes/neuron over T" in result.stderr

    profile = json.loads((tmp_path / "p.json").read_text())
    assert profile["timesteps"] == T
    layers = {(layer["name"], layer["op"]): layer for layer in profile["layers"]}
    conv = layers[next(key for key in layers if key[1] in ("Conv2d", "Conv2dLIF")
                       and layers[key]["kernel"] == "SparseBinary")]
    assert conv["runs"] == 3 and conv["spike_input"]
    # The histogram counts every input neuron of every run once.
    assert sum(conv["spike_histogram"]) == conv["input_neurons"]
    assert sum(k * n for k, n in enumerate(conv["spike_histogram"])) == conv["spikes"]
    assert conv["silent_neurons"] == conv["spike_histogram"][0]
    assert 0 < conv["spike_density"] < 1
    assert conv["active_blocks"] <= conv["blocks"]


def test_sf_run_errors(tmp_path):
    model, shape, _ = active_model("mnist_mlp")
    artifact = compile_network(tmp_path, "mlp", model, shape)
    np.save(tmp_path / "x.npy", np.zeros(shape, np.float32))
    result = run_sf_run(artifact.path, "--input", tmp_path / "x.npy", "--backend=spikecore")
    assert result.returncode == 1
    assert ("the model has no SpikeCore layers; compile it with --targets=spikecore"
            in result.stderr)
    np.save(tmp_path / "bad.npy", np.zeros((5, 3), np.float32))
    result = run_sf_run(artifact.path, "--input", tmp_path / "bad.npy")
    assert result.returncode == 1 and "the input has shape [5, 3]" in result.stderr
    (tmp_path / "junk.sfa").write_bytes(b"\x00" * 100)
    result = run_sf_run(tmp_path / "junk.sfa", "--input", tmp_path / "x.npy")
    assert result.returncode == 1 and "wrong magic bytes at offset 0" in result.stderr


def npy_bytes(header, data=b""):
    """A version 1.0 .npy file with `header` (the dict's text) and `data`."""
    return b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header.encode() + data


@pytest.mark.parametrize("header, data, message", [
    # (2^62 + 1) x 4 wrapped to 4 elements and sf-run read and wrote past its
    # buffers; 2^62 x 4 read as 0 elements; empty fields threw.
    ("{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387905, 4), }",
     b"\0" * 16, "has more elements than fit in 63 bits"),
    ("{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904, 4), }",
     b"", "has more elements than fit in 63 bits"),
    ("{'descr':, 'fortran_order': False, 'shape': (1,), }", b"", "malformed header"),
    ("{'descr': '<f4', 'fortran_order': False, 'shape':, }", b"", "malformed header"),
    ("{'descr': '<f8', 'fortran_order': False, 'shape': (1152921504606846977, 2), }",
     b"\0" * 16, "holds 16 data bytes"),
])
def test_sf_run_rejects_malformed_npy(tmp_path, header, data, message):
    model, shape, _ = active_model("mnist_mlp")
    artifact = compile_network(tmp_path, "mlp", model, shape)
    (tmp_path / "bad.npy").write_bytes(npy_bytes(header, data))
    result = run_sf_run(artifact.path, "--input", tmp_path / "bad.npy")
    assert result.returncode == 1, result.stderr
    assert f"error: {tmp_path / 'bad.npy'}: " in result.stderr and message in result.stderr


def test_sf_run_rejects_non_finite_inputs(tmp_path):
    model, shape, _ = active_model("mnist_mlp")
    artifact = compile_network(tmp_path, "mlp", model, shape)
    x = np.zeros(shape, np.float32)
    x.flat[7] = np.nan
    np.save(tmp_path / "x.npy", x)
    result = run_sf_run(artifact.path, "--input", tmp_path / "x.npy")
    assert result.returncode == 1
    assert "input 0 element 7 is nan; inputs must be finite" in result.stderr


@pytest.mark.parametrize("name", ["mnist_mlp", "lenet_bn", "vgg56", "residual"])
def test_fused_layers_and_neurons_equal_the_unfused_ops(tmp_path, name):
    """A sparse conv/linear and the LIF it feeds run as one kernel
    (plan-fuse-neurons) that adds the same floats in the same order: the
    outputs are equal, bit for bit."""
    model, shape, _ = active_model(name)
    fused = compile_network(tmp_path, name, model, shape, batch=2, readout="all")
    unfused = compile_network(tmp_path, name, model, shape, "--fuse-neurons=false",
                              batch=2, readout="all")
    kinds = {op["kind"] for op in json.loads(subprocess.run(
        [str(BIN_DIR / "sfc"), "compile", str(tmp_path / f"{name}.onnx"),
         "--emit=plan-json"], capture_output=True, text=True, check=True).stdout)["ops"]}
    assert kinds & {"Conv2dLIF", "LinearLIF"}, kinds
    x = torch.rand((2,) + shape[1:]).numpy()
    got, expected = fused.run(x), unfused.run(x)
    assert 0.0 < float(np.abs(expected).mean())
    np.testing.assert_array_equal(got, expected)


def test_a_model_loaded_with_one_thread_gives_the_same_outputs(tmp_path):
    model, shape, _ = active_model("vgg56")
    artifact = compile_network(tmp_path, "vgg56", model, shape)
    single = sparseflow.load(artifact.path, threads=1)
    x = torch.rand(shape).numpy()
    np.testing.assert_array_equal(single.run(x), artifact.run(x))


class SpikingSelfAttention(torch.nn.Module):
    """Spikformer's SSA: LIF(Q)·LIF(K)ᵀ·LIF(V)·scale, no softmax, then a LIF:
    products of spike tensors (batched MatMul of activations)."""

    def __init__(self, dim=8):
        super().__init__()
        torch.manual_seed(6)
        self.q, self.k, self.v = (torch.nn.Linear(dim, dim) for _ in range(3))
        self.lq, self.lk, self.lv = (sparseflow.nn.LIF(leak=0.5, v_threshold=0.5) for _ in range(3))
        self.out = sparseflow.nn.LIF(leak=0.5, v_threshold=0.5)

    def forward(self, x):  # [N, tokens, dim]
        q, k, v = self.lq(self.q(x)), self.lk(self.k(x)), self.lv(self.v(x))
        return self.out(q @ k.transpose(1, 2) @ v * 0.125)


def test_spiking_self_attention_matches_pytorch(tmp_path):
    # Sums of 0/1 products are integers and the scale is dyadic: exact.
    model = SpikingSelfAttention().eval()
    x = torch.rand(2, 5, 8, generator=torch.Generator().manual_seed(7)) * 2
    path = tmp_path / "ssa.onnx"
    sparseflow.export_onnx(model, x, str(path), timesteps=T, readout="all")
    got = sparseflow.compile(path, tmp_path / "ssa.sfa", batch=2).run(x.numpy(), backend="host")
    want = sparseflow.nn.simulate(model, x, T, "direct", "all").numpy()
    assert 0 < want.mean() < 1
    np.testing.assert_array_equal(got, want)


def test_batch_norm_of_spikes(tmp_path):
    # BatchNorm right after a neuron (spiking transformers): an affine map of
    # 0/1 per channel, compared as analog values (float32, another order).
    torch.manual_seed(8)
    model = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3, padding=1),
                                sparseflow.nn.LIF(leak=0.5, v_threshold=0.5),
                                torch.nn.BatchNorm2d(4)).eval()
    with torch.no_grad():
        model[2].running_mean.uniform_(0, 1)
        model[2].running_var.uniform_(0.5, 2)
        model[2].weight.uniform_(-2, 2)
    x = torch.rand(2, 1, 6, 6, generator=torch.Generator().manual_seed(9)) * 2
    path = tmp_path / "bn.onnx"
    sparseflow.export_onnx(model, x, str(path), timesteps=T, readout="all")
    got = sparseflow.compile(path, tmp_path / "bn.sfa", batch=2).run(x.numpy(), backend="host")
    want = sparseflow.nn.simulate(model, x, T, "direct", "all").numpy()
    np.testing.assert_allclose(got, want, **TOLERANCE)
    assert len(np.unique(want)) > 4  # both spike values of several channels
