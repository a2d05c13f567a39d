"""Hardware modelling end to end: DRAM spine images recorded from real runs
against the PyTorch reference's spikes, their bounds errors, and `sfc
estimate` on the shipped presets with measured activity.

Recorded spikes must equal the reference's exactly (they are binary and the
runtime reproduces the reference bit for bit on these networks,
test_runtime.py); weight tiles must equal the PyTorch weights exactly (a
float32 copy).
"""

import json
import subprocess

import numpy as np
import pytest
import torch

import sparseflow
from conftest import BIN_DIR, REPO, run_sfc
from test_runtime import T, active_model, compile_network

PRESETS = ["seneca-like", "edge-tpu-like"]
# The LeNet-5-style and the ResNet-style test networks.
NETWORKS = ["lenet_bn", "residual"]


def reference_spike_inputs(model, x):
    """The inputs of every Conv2d/Linear that reads spikes, per step, in
    execution order: [T, *per-sample shape] arrays for sample 0."""
    recorded = {}
    hooks = []
    for module in model.modules():
        if isinstance(module, (torch.nn.Conv2d, torch.nn.Linear)):
            def hook(mod, args, key=module):
                recorded.setdefault(key, []).append(args[0].detach().clone())
            hooks.append(module.register_forward_pre_hook(hook))
    sparseflow.nn.simulate(model, x, T)
    for h in hooks:
        h.remove()
    spikes = []
    for steps in recorded.values():
        stacked = torch.stack(steps)[:, 0].numpy()
        if np.isin(stacked, (0.0, 1.0)).all():
            spikes.append(stacked)
    return spikes


@pytest.fixture(params=NETWORKS)
def network(request, tmp_path):
    model, shape, _ = active_model(request.param)
    artifact = compile_network(tmp_path, request.param, model, shape, dram_image=True)
    torch.manual_seed(1)
    x = torch.rand(shape) * 2
    return request.param, model, shape, artifact, x


def test_recorded_spines_are_the_reference_spikes(network):
    name, model, shape, artifact, x = network
    session = artifact.session(record_spines=True)
    session.run([x.numpy()])
    dram = session.recorded_spines(0)
    expected = reference_spike_inputs(model, x)
    assert len(dram.layers) == len(expected) >= 2
    for index, (layer, spikes) in enumerate(zip(dram.layers, expected)):
        got = dram.input_spikes(index)
        assert got.shape == (T, *layer["input_shape"])
        np.testing.assert_array_equal(got, spikes.reshape(got.shape))
        # Silent neurons have no spine: one spine per neuron that fires.
        active = int(spikes.reshape(T, -1).any(axis=0).sum())
        assert layer["input_spines"] == active
        assert 0 < active < spikes[0].size, "the check needs some silent neurons"
        neuron, bits = dram.load_input_spine(index, 0)
        column = spikes.reshape(T, -1)[:, neuron]
        assert bits == sum(int(column[t]) << t for t in range(T))


def test_sf_run_records_one_image_per_sample(tmp_path):
    model, shape, _ = active_model("lenet_bn")
    artifact = compile_network(tmp_path, "lenet", model, shape, batch=2, dram_image=True)
    torch.manual_seed(2)
    x = (torch.rand((4,) + shape[1:]) * 2).numpy()
    np.save(tmp_path / "x.npy", x)
    spines = tmp_path / "spines"
    subprocess.run([str(BIN_DIR / "sf-run"), str(artifact.path), "--input",
                    str(tmp_path / "x.npy"), "--output", str(tmp_path / "y.npy"),
                    f"--record-spines={spines}"], check=True, capture_output=True)
    files = sorted(spines.iterdir())
    assert [f.name for f in files] == [f"sample_{i:05d}.dram" for i in range(4)]
    session = artifact.session(record_spines=True)
    for chunk in range(2):
        session.run([x[2 * chunk:2 * chunk + 2]])
        for s in range(2):
            recorded = session.recorded_spines(s)
            loaded = sparseflow.load_dram(files[2 * chunk + s])
            for layer in range(len(loaded.layers)):
                np.testing.assert_array_equal(loaded.input_spikes(layer),
                                              recorded.input_spikes(layer))


def test_image_matches_sfc_emit_and_holds_the_weights(tmp_path):
    model, shape, _ = active_model("lenet_bn")
    artifact = compile_network(tmp_path, "lenet", model, shape, dram_image=True)
    dram = artifact.dram()
    onnx = tmp_path / "lenet.onnx"
    emitted = tmp_path / "lenet.dram"
    run_sfc("compile", onnx, "--emit=dram", "-o", emitted)
    assert dram.read(0, dram.size) == emitted.read_bytes()
    # The last Linear (120 -> 10, no BatchNorm to fold) tile by tile.
    layer = dram.layers[-1]
    weights = model[12].weight.detach().numpy()
    assert layer["weight_shape"] == [10, 120, 1, 1]
    rows, cols = layer["tile_shape"]
    grid_cols = -(-120 // cols)
    for tile in range(layer["tiles"]):
        a, b = divmod(tile, grid_cols)
        expected = np.zeros((rows, cols), np.float32)
        block = weights[a * rows:(a + 1) * rows, b * cols:(b + 1) * cols]
        expected[:block.shape[0], :block.shape[1]] = block
        np.testing.assert_array_equal(dram.load_weight_tile(len(dram.layers) - 1, tile)[:, :, 0, 0],
                                      expected)


def test_accesses_are_bounds_checked(tmp_path):
    model, shape, _ = active_model("lenet_bn")
    dram = compile_network(tmp_path, "lenet", model, shape, dram_image=True).dram()
    last = len(dram.layers) - 1

    def error(call, *args):
        with pytest.raises(sparseflow.RuntimeError) as info:
            call(*args)
        return info.value.args

    assert error(dram.load_input_spine, last + 1, 0) == (
        f"DRAM layer {last + 1} does not exist: the image has {last + 1} layers", "not found")
    message, code = error(dram.load_input_spine, 0, 0)
    assert code == "not found" and "holds 0 spines" in message
    tiles = dram.layers[0]["tiles"]
    message, code = error(dram.load_weight_tile, 0, tiles)
    assert code == "not found" and f"weight tile {tiles} does not exist" in message
    message, code = error(dram.read, dram.size - 4, 8)
    assert code == "out of range" and "outside the DRAM image" in message
    assert error(dram.load_input_spine, "nope", 0)[0] == "the DRAM image has no layer named 'nope'"
    outputs = dram.layers[last]["output_shape"][0]
    for neuron in range(outputs):
        dram.store_output_spine(last, neuron, 0b101)
    message, code = error(dram.store_output_spine, last, 0, 1)
    assert code == "resource exhausted" and "is full" in message
    np.testing.assert_array_equal(dram.output_spines(last)[:, 0], np.arange(outputs))
    message, code = error(dram.store_output_spine, 0, 0, 1 << T)
    assert code == "invalid argument" and f"after step {T - 1}" in message
    dram.reset_outputs(last)
    assert dram.layers[last]["output_spines"] == 0
    # A spike tensor written in comes back out; the image stays valid on disk.
    spikes = (np.random.default_rng(0).random((T, *dram.layers[0]["input_shape"])) < 0.1)
    dram.write_input_spikes(0, spikes.astype(np.float32))
    path = tmp_path / "copy.dram"
    dram.save(str(path))
    np.testing.assert_array_equal(sparseflow.load_dram(path).input_spikes(0), spikes)
    path.write_bytes(path.read_bytes()[:-1])
    with pytest.raises(sparseflow.RuntimeError, match="image_size"):
        sparseflow.load_dram(path)


def measured_profile(tmp_path, artifact, x):
    np.save(tmp_path / "x.npy", x)
    profile = tmp_path / "profile.json"
    subprocess.run([str(BIN_DIR / "sf-run"), str(artifact.path), "--input",
                    str(tmp_path / "x.npy"), "--output", str(tmp_path / "y.npy"),
                    f"--profile-json={profile}"], check=True, capture_output=True)
    return profile


@pytest.mark.parametrize("preset", PRESETS)
def test_estimate_with_measured_activity(network, tmp_path, preset):
    name, model, shape, artifact, x = network
    profile = measured_profile(tmp_path, artifact, x.numpy())
    onnx = tmp_path / f"{name}.onnx"
    result = sparseflow.estimate(onnx, REPO / "hardware" / f"{preset}.yaml", profile=profile)
    layers = result["layers"]
    measured = json.loads(profile.read_text())["layers"]
    densities = {l["name"]: l["spike_density"] for l in measured if l.get("spike_input")}
    spiking = [l for l in layers if l["spike_input"]]
    assert spiking and all(l["density"] == pytest.approx(densities[l["name"]]) for l in spiking)
    assert result["total"]["energy_pj"] == pytest.approx(sum(l["energy_pj"] for l in layers))
    levels = result["total"]["levels"]
    assert result["total"]["energy_pj"] == pytest.approx(
        result["total"]["compute_energy_pj"]
        + sum(level[op]["energy_pj"] for level in levels for op in ("I1", "I2", "O")))
    assert all(l["energy_pj"] > 0 and l["cycles"] > 0 for l in layers)


@pytest.mark.parametrize("preset", PRESETS)
def test_more_spikes_cost_more(tmp_path, preset):
    model, shape, _ = active_model("lenet_bn")
    onnx = tmp_path / "lenet.onnx"
    sparseflow.export_onnx(model, torch.rand(shape), str(onnx), timesteps=T)
    totals = [sparseflow.estimate(onnx, REPO / "hardware" / f"{preset}.yaml", density=d)["total"]
              for d in (0.02, 0.05, 0.1, 0.2, 0.4)]
    energies = [t["energy_pj"] for t in totals]
    assert all(a < b for a, b in zip(energies, energies[1:])), energies
    cycles = [t["cycles"] for t in totals]
    assert all(a <= b for a, b in zip(cycles, cycles[1:])), cycles


def test_sfc_estimate_prints_tables(tmp_path):
    model, shape, _ = active_model("residual")
    onnx = tmp_path / "residual.onnx"
    sparseflow.export_onnx(model, torch.rand(shape), str(onnx), timesteps=T)
    out = run_sfc("estimate", onnx, f"--accelerator={REPO / 'hardware' / 'seneca-like.yaml'}",
                  "--density=0.1").stdout
    assert "accelerator: seneca_like, T = 4, activity: stated density 0.1" in out
    assert "energy (pJ) per memory level and operand:" in out
    for level in ("register_file", "data_memory", "shared_memory", "compute"):
        assert level in out


def test_the_image_is_embedded_only_when_asked(tmp_path):
    """Without --dram-image the artifact holds the weights once: its data
    section is the constants (each padded to 64 bytes), and asking for the
    image says how to get one."""
    model, shape, _ = active_model("lenet_bn")
    artifact = compile_network(tmp_path, "lenet", model, shape)
    weights = sum(p.numel() * 4 for p in model.parameters())
    assert artifact.path.stat().st_size <= 1.1 * weights
    with pytest.raises(sparseflow.RuntimeError, match="compile it with sfc --dram-image"):
        artifact.dram()
    with pytest.raises(sparseflow.RuntimeError, match="compile it with sfc --dram-image"):
        artifact.session(record_spines=True)
