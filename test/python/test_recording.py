"""What users watch a run with: the spikes every op wrote (any backend, not
only SpikeCore) against PyTorch's own intermediate spikes, the raster and
firing-rate plots drawn from them, and the progress bar of long batched
runs (tqdm in Python, a terminal-aware line in sf-run)."""

import subprocess

import numpy as np
import pytest
import torch

import sparseflow
from conftest import BIN_DIR
from sparseflow import nn

T = 6


def network():
    torch.manual_seed(4)
    return torch.nn.Sequential(
        torch.nn.Conv2d(1, 4, 3, padding=1), nn.LIF(leak=0.25, v_threshold=0.5, v_reset=0.0),
        torch.nn.Flatten(), torch.nn.Linear(4 * 6 * 6, 8), nn.LIF(leak=0.5, v_threshold=0.25))


def compiled(tmp_path, batch=2):
    model = network().eval()
    path = tmp_path / "net.onnx"
    sparseflow.export_onnx(model, torch.zeros(batch, 1, 6, 6), str(path), timesteps=T,
                           readout="all")
    return model, sparseflow.compile(path, tmp_path / "net.sfa", batch=batch)


@pytest.mark.parametrize("backend", ["host", "auto"])
def test_recorded_spikes_are_pytorchs_intermediate_spikes(tmp_path, backend):
    model, artifact = compiled(tmp_path)
    x = torch.rand(2, 1, 6, 6, generator=torch.Generator().manual_seed(5)) * 2
    # PyTorch's spikes of both LIF layers at every step (forward hooks).
    seen = {1: [], 4: []}
    hooks = [model[i].register_forward_hook(lambda m, a, out, i=i: seen[i].append(out.clone()))
             for i in seen]
    nn.simulate(model, x, T, "direct", "all")
    for hook in hooks:
        hook.remove()
    session = artifact.session(backend=backend, record_spikes=True)
    session.run([x.numpy()])
    record = session.recorded_spikes()
    # Plan order: the first LIF, the flatten of its (packed) spikes, and the
    # linear layer fused with the second LIF, named after the layer.
    assert list(record) == ["/1/LIF", "/2/Flatten", "/3/Gemm"], list(record)
    want_first = torch.stack(seen[1]).numpy().astype(bool)
    want_second = torch.stack(seen[4]).numpy().astype(bool)
    first, flat, second = record.values()
    assert first.shape == want_first.shape == (T, 2, 4, 6, 6)
    np.testing.assert_array_equal(first, want_first)  # exact: spikes
    np.testing.assert_array_equal(flat, want_first.reshape(T, 2, -1))
    np.testing.assert_array_equal(second, want_second)
    assert 0 < first.mean() < 1 and 0 < second.mean() < 1
    # Without record_spikes nothing is kept.
    plain = artifact.session(backend=backend)
    plain.run([x.numpy()])
    assert plain.recorded_spikes() == {}


def test_raster_and_firing_rate_plots(tmp_path):
    matplotlib = pytest.importorskip("matplotlib", reason="python3-matplotlib (scripts/setup.sh)")
    matplotlib.use("Agg")
    import sparseflow.plot

    _, artifact = compiled(tmp_path)
    session = artifact.session(record_spikes=True)
    session.run([np.random.default_rng(6).random((2, 1, 6, 6), dtype=np.float32) * 2])
    record = session.recorded_spikes()
    name = list(record)[2]
    ax = sparseflow.plot.raster(record, name, sample=1)
    points = ax.collections[0].get_offsets()
    assert len(points) == record[name][:, 1].sum() > 0
    steps, neurons = np.nonzero(record[name][:, 1].reshape(T, -1))
    np.testing.assert_array_equal(np.asarray(points), np.stack([steps, neurons], 1))
    rates = sparseflow.plot.firing_rates(record)
    assert rates == {k: pytest.approx(v.mean()) for k, v in record.items()}
    bars = sparseflow.plot.layer_density(record)
    assert [p.get_height() for p in bars.patches] == pytest.approx([100 * r for r in rates.values()])


def test_model_run_shows_tqdm_progress(tmp_path, capsys):
    _, artifact = compiled(tmp_path, batch=1)
    x = np.random.default_rng(7).random((10, 1, 6, 6), dtype=np.float32)
    quiet = artifact.run(x, progress=False)
    assert capsys.readouterr().err == ""
    shown = artifact.run(x, progress=True)
    err = capsys.readouterr().err
    assert "10/10" in err and "batch" in err, err
    np.testing.assert_array_equal(quiet, shown)


def test_sf_run_progress_line(tmp_path):
    _, artifact = compiled(tmp_path, batch=1)
    np.save(tmp_path / "x.npy", np.random.default_rng(8).random((5, 1, 6, 6), dtype=np.float32))
    run = lambda *flags: subprocess.run(
        [str(BIN_DIR / "sf-run"), str(tmp_path / "net.sfa"), "--input", str(tmp_path / "x.npy"),
         "--output", str(tmp_path / "y.npy"), *flags], capture_output=True, text=True)
    shown = run("--progress")
    assert shown.returncode == 0, shown.stderr
    assert "sf-run: batch 5/5 (100%)" in shown.stderr, shown.stderr
    # Not a terminal: no line unless asked for.
    quiet = run()
    assert quiet.returncode == 0 and "batch" not in quiet.stderr, quiet.stderr
