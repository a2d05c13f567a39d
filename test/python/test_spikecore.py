"""SpikeCore end to end: quantization, code generation, the artifact and the
event-driven simulator, against an independent integer reference (bit for
bit) and against the float PyTorch models (top-1 agreement on MNIST)."""

import subprocess
import sys

import numpy as np
import pytest
import torch
from torch import nn

import sparseflow
from conftest import BIN_DIR, REPO, run_sfc
from spikecore_reference import parse_layers, simulate

sys.path.insert(0, str(REPO / "examples" / "spikecore"))
import models  # noqa: E402


def compile_spikecore(tmp_path, model, example, name, *flags, **export):
    path = tmp_path / f"{name}.onnx"
    sparseflow.export_onnx(model, example, str(path), **export)
    layers = run_sfc("compile", path, "--targets=spikecore", "--emit=spikecore-json",
                     *flags).stdout
    artifact = sparseflow.compile(path, tmp_path / f"{name}.sfa", targets="spikecore",
                                  extra_args=flags)
    return artifact, parse_layers(layers)


def run_samples(artifact, x, axis, **session_args):
    """Runs the batch-1 artifact on each sample of `x` along `axis`."""
    session = artifact.session(**session_args)
    outputs = [session.run([np.ascontiguousarray(np.take(x, [i], axis=axis))])[0]
               for i in range(x.shape[axis])]
    return np.concatenate(outputs, axis=1 if artifact.readout == "all" else 0), session


def spiking_network(per_channel_threshold):
    torch.manual_seed(1)
    threshold = torch.linspace(0.6, 1.0, 12) if per_channel_threshold else 0.8
    return nn.Sequential(
        nn.Linear(24, 16), sparseflow.nn.LIF(leak=0.25, v_threshold=1.0, v_reset=0.0),
        nn.Linear(16, 12), sparseflow.nn.LIF(leak=0.0, v_threshold=threshold, fire="gt"),
        nn.Linear(12, 5)).eval()


@pytest.mark.parametrize("per_channel", [False, True])
def test_spiking_network_matches_integer_reference(tmp_path, per_channel):
    T = 6
    model = spiking_network(per_channel_threshold=per_channel)
    flags = ("--readout=all",) + (("--per-channel",) if per_channel else ())
    artifact, layers = compile_spikecore(tmp_path, model, torch.zeros(1, 24), "snn", *flags,
                                         timesteps=T, encoding="spikes")
    assert [layer["output"] for layer in layers] == ["spikes", "spikes", "readout"]
    rng = np.random.default_rng(0)
    x = (rng.random((T, 10, 24)) < 0.3).astype(np.float32)
    got, session = run_samples(artifact, x, axis=1, profile=True)
    want, _ = simulate(layers, x, T, "spikes")
    np.testing.assert_array_equal(got, want)  # tolerance: none, bit for bit
    assert np.count_nonzero(want) > want.size // 2
    assert all(p["spikecore"]["saturations"] == 0 for p in session.profile())


def test_graded_network_matches_integer_reference(tmp_path):
    torch.manual_seed(2)
    model = nn.Sequential(nn.Linear(20, 16), nn.ReLU(), nn.Linear(16, 12), nn.ReLU(),
                          nn.Linear(12, 4)).eval()
    x = np.random.default_rng(1).random((32, 20)).astype(np.float32)
    np.save(tmp_path / "calibration.npy", x[:16])
    artifact, layers = compile_spikecore(tmp_path, model, torch.zeros(1, 20), "mlp",
                                         f"--calibration={tmp_path / 'calibration.npy'}",
                                         timesteps=1)
    assert [layer["output"] for layer in layers] == ["graded", "graded", "readout"]
    got, _ = run_samples(artifact, x, axis=0)
    want, _ = simulate(layers, x, 1, "direct")
    np.testing.assert_array_equal(got, want[0])  # tolerance: none, bit for bit
    # The quantized model stays close to the float one (8-bit activations).
    reference = model(torch.from_numpy(x)).detach().numpy()
    assert np.abs(got - reference).max() < 0.05 * np.abs(reference).max()


def test_acc_work_is_input_events_times_fan_out(tmp_path):
    T = 6
    model = spiking_network(per_channel_threshold=False)
    artifact, layers = compile_spikecore(tmp_path, model, torch.zeros(1, 24), "snn",
                                         timesteps=T, encoding="spikes")
    x = (np.random.default_rng(3).random((T, 1, 24)) < 0.5).astype(np.float32)
    session = artifact.session(profile=True, spike_log=True)
    session.run([x])
    profile, log = session.profile(), session.spike_log()
    spikecore = [p for p in profile if "spikecore" in p]
    assert len(spikecore) == 3
    # Events into each layer: the input's spikes, then the previous layer's.
    ops = [i for i, p in enumerate(profile) if "spikecore" in p]
    events = [int(x.sum())] + [int((log[:, 0] == op).sum()) for op in ops[:2]]
    assert min(events) > 0
    for layer, p, n in zip(layers, spikecore, events):
        counters = p["spikecore"]
        fan_out = layer["weights"].shape[0]
        assert counters["acc_ops"] == n * fan_out
        assert counters["acc_events"] == n * len(counters["core_spikes"])
        assert counters["fire_ops"] + counters["out_ops"] == T * fan_out
    for p, op in zip(spikecore, ops):
        assert p["spikecore"]["spikes"] == (log[:, 0] == op).sum()
        assert sum(p["spikecore"]["core_spikes"]) == p["spikecore"]["spikes"]
    # A silent input costs no ACC work at all.
    session.run([np.zeros_like(x)])
    silent = [p["spikecore"] for p in session.profile() if "spikecore" in p][0]
    assert silent["acc_ops"] == spikecore[0]["spikecore"]["acc_ops"]


@pytest.mark.parametrize("name", ["lif_mlp", "relu_mlp"])
def test_mnist_top1_agreement_with_pytorch(tmp_path, name):
    images, labels = models.heldout()
    np.save(tmp_path / "calibration.npy", images[:100])
    models.export(name, tmp_path / f"{name}.onnx")
    artifact = sparseflow.compile(tmp_path / f"{name}.onnx", tmp_path / f"{name}.sfa",
                                  targets="spikecore",
                                  calibration=tmp_path / "calibration.npy")
    got, _ = run_samples(artifact, images, axis=0)
    want = models.reference(name, models.trained(name), images).numpy()
    agreement = (got.argmax(1) == want.argmax(1)).mean()
    assert agreement >= 0.99, f"{name}: top-1 agreement {agreement:.4f} on 1000 images"
    assert (got.argmax(1) == labels).mean() >= 0.95


def test_fit_failure_names_layer_resource_and_numbers(tmp_path):
    config = tmp_path / "small.json"
    config.write_text('{"cores": 128, "weight_memory_bytes_per_core": 256}')
    models.export("relu_mlp", tmp_path / "mlp.onnx")
    result = run_sfc("compile", tmp_path / "mlp.onnx", "--targets=spikecore",
                     f"--spikecore-config={config}", "--emit=asm", check=False)
    assert result.returncode == 1
    assert ("784 inputs x 64 neurons need 50176 B of weight memory; 128 cores x 256 B = "
            "32768 B available") in result.stderr, result.stderr


def test_emit_asm_round_trips_through_sf_asm(tmp_path):
    model = spiking_network(per_channel_threshold=False)
    path = tmp_path / "snn.onnx"
    sparseflow.export_onnx(model, torch.zeros(1, 24), str(path), timesteps=4,
                           encoding="spikes")
    text = run_sfc("compile", path, "--targets=spikecore", "--emit=asm").stdout
    (tmp_path / "program.s").write_text(text)
    asm = str(BIN_DIR / "sf-asm")
    subprocess.run([asm, tmp_path / "program.s", "-o", tmp_path / "program.bin"], check=True)
    back = subprocess.run([asm, "-d", tmp_path / "program.bin"], check=True,
                          capture_output=True, text=True).stdout
    instructions = [line for line in text.splitlines() if line and not line.startswith(";")]
    assert back.splitlines() == instructions
    assert instructions.count("HALT") == 3 and "LEAK mul=4194304 shift=24 vleak=0" in instructions


def test_sf_run_writes_spike_log_and_profile(tmp_path):
    T = 4
    model = spiking_network(per_channel_threshold=False)
    artifact, _ = compile_spikecore(tmp_path, model, torch.zeros(1, 24), "snn",
                                    timesteps=T, encoding="spikes")
    x = (np.random.default_rng(4).random((T, 3, 24)) < 0.3).astype(np.float32)
    np.save(tmp_path / "x.npy", x)
    result = subprocess.run([BIN_DIR / "sf-run", artifact.path, "--input", tmp_path / "x.npy",
                             "--backend=spikecore", "--profile",
                             f"--spike-log={tmp_path / 'log.npy'}"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "spikecore " in result.stderr and "acc=" in result.stderr
    log = np.load(tmp_path / "log.npy")
    session = artifact.session(spike_log=True)
    expected = []
    for i in range(3):
        session.run([np.ascontiguousarray(x[:, i:i + 1])])
        events = session.spike_log().astype(np.int64)
        events[:, 1] += i
        expected.append(events)
    np.testing.assert_array_equal(log, np.concatenate(expected))


def test_host_backend_refuses_spikecore_layers(tmp_path):
    model = spiking_network(per_channel_threshold=False)
    artifact, _ = compile_spikecore(tmp_path, model, torch.zeros(1, 24), "snn",
                                    timesteps=2, encoding="spikes")
    with pytest.raises(sparseflow.RuntimeError, match="is a SpikeCore layer"):
        artifact.session(backend="host")


def test_plots_draw_the_log_weights_and_partitions(tmp_path):
    matplotlib = pytest.importorskip("matplotlib", reason="python3-matplotlib (scripts/setup.sh)")
    matplotlib.use("Agg")
    import sparseflow.plot

    T = 4
    model = spiking_network(per_channel_threshold=False)
    path = tmp_path / "snn.onnx"
    sparseflow.export_onnx(model, torch.zeros(1, 24), str(path), timesteps=T, encoding="spikes")
    placement = tmp_path / "p.json"
    placement.write_text('{"rules": [{"node": "/4/Gemm", "target": "host"}]}')
    flags = ("--targets=host,spikecore", f"--placement={placement}")
    report = tmp_path / "report.json"
    layers = parse_layers(run_sfc("compile", path, *flags, "--emit=spikecore-json",
                                  f"--report-json={report}").stdout)
    assert [layer["name"] for layer in layers] == ["/0/Gemm+/1/LIF", "/2/Gemm+/3/LIF"]
    artifact = sparseflow.compile(path, tmp_path / "snn.sfa", targets="host,spikecore",
                                  extra_args=flags[1:])
    session = artifact.session(spike_log=True)
    session.run([(np.random.default_rng(5).random((T, 1, 24)) < 0.5).astype(np.float32)])
    log = session.spike_log()
    raster = sparseflow.plot.spike_raster(log, op=0)
    assert len(raster.collections[0].get_offsets()) == (log[:, 0] == 0).sum() > 0
    histograms = sparseflow.plot.weight_histograms(layers)
    assert len(histograms.patches) == 2
    graph = sparseflow.plot.partition_graph(report.read_text())
    labels = [text.get_text() for text in graph.texts if text.get_text()]
    assert labels == ["/0/Gemm+/1/LIF", "/2/Gemm+/3/LIF", "linear"]
    colours = {tuple(patch.get_facecolor()) for patch in graph.patches}
    assert len(colours) == 2  # spikecore and host


def test_report_lists_spikecore_ops_and_quantization_error(tmp_path):
    import json

    model = spiking_network(per_channel_threshold=False)
    path = tmp_path / "snn.onnx"
    sparseflow.export_onnx(model, torch.zeros(1, 24), str(path), timesteps=4, encoding="spikes")
    run_sfc("compile", path, "--targets=spikecore", f"--report-json={tmp_path / 'r.json'}",
            f"--save-placement={tmp_path / 'p.json'}", "-o", tmp_path / "m.sfa")
    report = json.loads((tmp_path / "r.json").read_text())
    assert [op["target"] for op in report["ops"]] == ["spikecore"] * 5
    layers = report["spikecore_layers"]
    assert [layer["name"] for layer in layers] == ["/0/Gemm+/1/LIF", "/2/Gemm+/3/LIF", "/4/Gemm"]
    assert [layer["output"] for layer in layers] == ["spikes", "spikes", "readout"]
    assert all(0 < layer["error"]["weight_rel_rms"] < 0.02 for layer in layers)
    assert layers[0]["error"]["leak_abs"] == 0.0  # 0.25 is exact in 24 bits
    rules = json.loads((tmp_path / "p.json").read_text())["rules"]
    assert len(rules) == 5 and all(rule["target"] == "spikecore" for rule in rules)


class Viewed(nn.Module):
    """The seed notebook's MLP: `x.view(-1, 24)` before the SpikeCore layers."""

    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    def forward(self, x):
        return self.inner(x.view(-1, 24))


@pytest.mark.parametrize("graded", [False, True])
def test_layout_op_at_the_boundary_is_absorbed(tmp_path, graded):
    # With --targets=spikecore the input's reshape (no target runs it) goes
    # to the host, which applies it for any backend: the layers still run on
    # SpikeCore, bit for bit as the same network taking [N, 24] directly.
    # Graded (direct encoding): the calibration is found through the reshape.
    if graded:
        torch.manual_seed(3)
        inner = nn.Sequential(nn.Linear(24, 16), nn.ReLU(), nn.Linear(16, 4)).eval()
        x = np.random.default_rng(4).random((8, 2, 3, 4)).astype(np.float32)
        np.save(tmp_path / "calibration.npy", x)
        flags, export = (f"--calibration={tmp_path / 'calibration.npy'}",), dict(timesteps=1)
        flat, axis = x.reshape(8, 24), 0
    else:
        inner = spiking_network(per_channel_threshold=False)
        x = (np.random.default_rng(4).random((6, 8, 2, 3, 4)) < 0.3).astype(np.float32)
        flags, export = ("--readout=all",), dict(timesteps=6, encoding="spikes")
        flat, axis = x.reshape(6, 8, 24), 1
    viewed, layers = compile_spikecore(tmp_path, Viewed(inner), torch.zeros(1, 2, 3, 4),
                                       "viewed", *flags, **export)
    direct, _ = compile_spikecore(tmp_path, inner, torch.zeros(1, 24), "direct", *flags, **export)
    plan = run_sfc("compile", tmp_path / "viewed.onnx", "--targets=spikecore", *flags,
                   "--emit=plan", "-o", "-").stdout
    assert 'plan.kernel "Reshape"' in plan and plan.count('"SpikeCoreLayer"') == len(layers)
    got, _ = run_samples(viewed, x, axis=axis, backend="spikecore")
    want, _ = run_samples(direct, flat, axis=axis, backend="spikecore")
    np.testing.assert_array_equal(got, want)  # tolerance: none
    assert np.count_nonzero(want) > 0
