"""NIR import (docs/nir.md): the NIR paper's files and hand-written graphs,
compiled with `sfc` and run on the host, against the independent NumPy
reference of the documented discrete form (nir_reference.py)."""

import pathlib

import h5py
import numpy as np
import pytest

import sparseflow
from conftest import run_sfc
from nir_reference import simulate

INPUTS = pathlib.Path(__file__).resolve().parent / "nir_inputs"


def write_nir(path, nodes, edges, version="1.0.0"):
    """Writes a NIR graph the way nir.write does: groups of datasets, string
    datasets for types and an [E, 2] string array of edges."""
    def put(group, nodes, edges):
        group["type"] = "NIRGraph"
        group["edges"] = np.array(edges, dtype=h5py.string_dtype()) if edges else np.zeros((0,), "S1")
        sub = group.create_group("nodes")
        for name, node in nodes.items():
            g = sub.create_group(name)
            if node["type"] == "NIRGraph":
                put(g, node["nodes"], node["edges"])
                continue
            for key, value in node.items():
                g[key] = value
    with h5py.File(path, "w") as f:
        f["version"] = version
        put(f.create_group("node"), nodes, edges)
    return path


def compile_nir(tmp_path, path, dt, timesteps, **kwargs):
    return sparseflow.compile(path, tmp_path / "model.sfa", dt=dt, timesteps=timesteps, **kwargs)


def spikes(rng, shape, p=0.3):
    return (rng.random(shape) < p).astype(np.float32)


@pytest.mark.parametrize("name,dt", [("lif_rockpool.nir", 1e-4), ("lif_rockpool.nir", 1e-3),
                                     ("two_lif_neurons.nir", 1e-3), ("two_lif_neurons.nir", 5e-3)])
def test_paper_files_match_the_numpy_reference(tmp_path, name, dt):
    T = 64
    model = compile_nir(tmp_path, INPUTS / name, dt, T)
    x = spikes(np.random.default_rng(0), (T, 1, 1), 0.5)
    got = model.run(x, backend="host")
    want = simulate(INPUTS / name, x, dt)
    assert got.shape == want.shape
    np.testing.assert_array_equal(got, want)
    if name == "lif_rockpool.nir":  # two_lif's second threshold (20) is out of reach
        assert want.sum() > 0, "the test should make the neuron fire"


def test_feedforward_graph_with_edges_out_of_order_and_a_subgraph(tmp_path):
    rng = np.random.default_rng(1)
    w1, b1 = rng.normal(size=(6, 4)).astype(np.float32), rng.normal(size=6).astype(np.float32)
    w2 = rng.normal(size=(3, 6)).astype(np.float32)
    n = lambda v, k: np.full(k, v)
    nodes = {
        "in": {"type": "Input", "shape": np.array([4])},
        "fc1": {"type": "Affine", "weight": w1, "bias": b1},
        "sub": {"type": "NIRGraph", "edges": [["input", "lif"], ["lif", "output"]], "nodes": {
            "input": {"type": "Input", "shape": np.array([6])},
            "lif": {"type": "LIF", "tau": n(2e-3, 6), "r": n(1.5, 6), "v_leak": n(0.1, 6),
                    "v_threshold": n(0.8, 6), "v_reset": n(-0.2, 6)},
            "output": {"type": "Output", "shape": np.array([6])}}},
        "scale": {"type": "Scale", "scale": np.linspace(0.5, 2, 6)},
        "fc2": {"type": "Linear", "weight": w2},
        "if": {"type": "IF", "r": np.array([1.0, 2.0, 3.0]), "v_threshold": n(1e-3, 3)},
        "thr": {"type": "Threshold", "threshold": n(0.5, 3)},
        "out": {"type": "Output", "shape": np.array([3])},
    }
    edges = [["fc2", "if"], ["sub", "scale"], ["in", "fc1"], ["if", "thr"],
             ["scale", "fc2"], ["fc1", "sub"], ["thr", "out"]]
    path = write_nir(tmp_path / "ff.nir", nodes, edges)
    T = 40
    model = compile_nir(tmp_path, path, 1e-3, T)
    x = spikes(rng, (T, 1, 4), 0.5)
    want = simulate(path, x, 1e-3)
    np.testing.assert_array_equal(model.run(x, backend="host"), want)
    assert 0 < want.sum() < want.size


def test_content_detection_not_extension(tmp_path):
    path = tmp_path / "model.bin"
    path.write_bytes((INPUTS / "lif_rockpool.nir").read_bytes())
    result = run_sfc("import", path, "--dt=1e-4", "--timesteps=2")
    assert "spike.lif" in result.stdout


@pytest.mark.parametrize("args,message", [
    (["--timesteps=2"], "NIR files store no timestep; pass --dt=SECONDS"),
    (["--timesteps=2", "--dt=0.01"], "NIR node '1_LIFNeuronTorch' (LIF): dt = 0.01 exceeds tau = 0.0025"),
    (["--dt=1e-4"], "pass --timesteps=T"),
])
def test_option_errors(args, message):
    result = run_sfc("import", INPUTS / "lif_rockpool.nir", *args, check=False)
    assert result.returncode != 0 and message in result.stderr, result.stderr


def test_unsupported_and_recurrent_graphs_name_the_node(tmp_path):
    result = run_sfc("import", INPUTS / "braille_noDelay_noBias_subtract.nir", "--dt=1e-4",
                     "--timesteps=2", check=False)
    assert "NIR node 'lif1.lif' (CubaLIF): the graph has a cycle (lif1.lif -> lif1.w_rec -> lif1.lif)" \
        in result.stderr, result.stderr
    path = write_nir(tmp_path / "delay.nir", {
        "in": {"type": "Input", "shape": np.array([2])},
        "d": {"type": "Delay", "delay": np.array([1.0, 1.0])},
        "out": {"type": "Output", "shape": np.array([2])}}, [["in", "d"], ["d", "out"]])
    result = run_sfc("import", path, "--dt=1e-4", "--timesteps=2", check=False)
    assert "NIR node 'd' (Delay): unsupported node type" in result.stderr, result.stderr


def test_per_neuron_parameters_are_refused_naming_the_parameter(tmp_path):
    path = write_nir(tmp_path / "conv.nir", {
        "in": {"type": "Input", "shape": np.array([1, 3, 3])},
        "conv": {"type": "Conv2d", "weight": np.ones((2, 1, 1, 1)), "bias": np.zeros(2),
                 "stride": np.array([1, 1]), "padding": np.array([0, 0]),
                 "dilation": np.array([1, 1]), "groups": 1},
        "lif": {"type": "LIF", "tau": np.full((2, 3, 3), 1.0), "r": np.full((2, 3, 3), 1.0),
                "v_leak": np.zeros((2, 3, 3)), "v_threshold": np.arange(18.0).reshape(2, 3, 3) + 1},
        "out": {"type": "Output", "shape": np.array([2, 3, 3])}},
        [["in", "conv"], ["conv", "lif"], ["lif", "out"]])
    result = run_sfc("import", path, "--dt=1e-3", "--timesteps=2", check=False)
    assert "NIR node 'lif' (LIF): 'v_threshold' differs between neurons of channel 0" \
        in result.stderr, result.stderr


def test_malformed_file_is_a_clean_error(tmp_path):
    path = tmp_path / "bad.nir"
    with h5py.File(path, "w") as f:
        f["version"] = "1.0.0"
        f.create_group("node")["type"] = "NIRGraph"
    result = run_sfc("import", path, "--dt=1e-3", "--timesteps=2", check=False)
    assert "NIR 'node/nodes': missing" in result.stderr, result.stderr
    truncated = tmp_path / "truncated.nir"
    truncated.write_bytes((INPUTS / "two_lif_neurons.nir").read_bytes()[:2000])
    result = run_sfc("import", truncated, "--dt=1e-3", "--timesteps=2", check=False)
    assert result.returncode == 1 and "error:" in result.stderr, result.stderr
