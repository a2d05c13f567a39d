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


def test_current_based_neurons_match_the_numpy_reference(tmp_path):
    # CubaLIF with per-channel parameters and a reset value, then CubaLI and
    # LI (membrane outputs): Affine -> CubaLIF -> Linear -> CubaLI, and
    # CubaLIF -> Linear -> LI as a second output.
    rng = np.random.default_rng(2)
    w1, b1 = rng.normal(size=(5, 4)).astype(np.float32), rng.normal(size=5).astype(np.float32)
    # Dyadic weights: the Linear sums are exact in any order, so the
    # membranes (floats, not spikes) compare bit for bit.
    w2 = (rng.integers(-8, 9, size=(3, 5)) / 8).astype(np.float32)
    w3 = (rng.integers(-8, 9, size=(2, 5)) / 4).astype(np.float32)
    n = lambda v, k: np.full(k, v)
    nodes = {
        "in": {"type": "Input", "shape": np.array([4])},
        "fc1": {"type": "Affine", "weight": w1, "bias": b1},
        "cuba": {"type": "CubaLIF", "tau_syn": n(4e-3, 5), "tau_mem": np.linspace(2e-3, 6e-3, 5),
                 "r": n(2.0, 5), "v_leak": n(0.05, 5), "v_threshold": n(0.6, 5),
                 "v_reset": n(-0.1, 5), "w_in": np.linspace(0.5, 1.5, 5)},
        "fc2": {"type": "Linear", "weight": w2},
        "cubali": {"type": "CubaLI", "tau_syn": n(5e-3, 3), "tau_mem": n(1e-2, 3),
                   "r": n(1.5, 3), "v_leak": n(0.0, 3), "w_in": n(1.0, 3)},
        "fc3": {"type": "Linear", "weight": w3},
        "li": {"type": "LI", "tau": n(3e-3, 2), "r": np.array([1.0, 0.5]), "v_leak": n(0.25, 2)},
        "out": {"type": "Output", "shape": np.array([3])},
        "out2": {"type": "Output", "shape": np.array([2])},
    }
    edges = [["in", "fc1"], ["fc1", "cuba"], ["cuba", "fc2"], ["fc2", "cubali"],
             ["cubali", "out"], ["cuba", "fc3"], ["fc3", "li"], ["li", "out2"]]
    path = write_nir(tmp_path / "cuba.nir", nodes, edges)
    T, dt = 48, 1e-3
    for output in ("out", "out2"):
        # The reference follows one Output: keep the other one's branch out.
        drop = "out2" if output == "out" else "out"
        keep = {k: v for k, v in nodes.items() if k != drop}
        one = write_nir(tmp_path / f"{output}.nir", keep, [e for e in edges if e[1] != drop])
        model = compile_nir(tmp_path, one, dt, T)
        x = spikes(rng, (T, 2, 4), 0.5)
        want = simulate(one, x, dt)
        got = model.run(x, backend="host")
        assert got.shape == want.shape
        np.testing.assert_array_equal(got, want)
        # On "out" a non-zero CubaLI membrane needs CubaLIF spikes (v_leak = 0).
        assert np.any(want != 0)
    assert "spike.cuba_lif" in run_sfc("import", path, f"--dt={dt}", "--timesteps=2").stdout


def test_cubalif_with_unit_synapse_equals_lif(tmp_path):
    # tau_syn = dt and w_in = 1 give I[t] = X[t] exactly: the spikes of a LIF.
    rng = np.random.default_rng(3)
    w = rng.normal(size=(6, 3)).astype(np.float32)
    common = {"tau": np.full(6, 5e-3), "r": np.full(6, 2.0), "v_leak": np.zeros(6),
              "v_threshold": np.full(6, 0.7)}
    def graph(neuron):
        return {"in": {"type": "Input", "shape": np.array([3])},
                "fc": {"type": "Linear", "weight": w}, "n": neuron,
                "out": {"type": "Output", "shape": np.array([6])}}
    edges = [["in", "fc"], ["fc", "n"], ["n", "out"]]
    dt, T = 1e-3, 64
    lif = write_nir(tmp_path / "lif.nir", graph({"type": "LIF", **common}), edges)
    cuba = dict(common, type="CubaLIF", tau_mem=common["tau"], tau_syn=np.full(6, dt),
                w_in=np.ones(6))
    del cuba["tau"]
    cuba = write_nir(tmp_path / "cuba.nir", graph(cuba), edges)
    x = spikes(rng, (T, 1, 3), 0.5)
    a = compile_nir(tmp_path, lif, dt, T).run(x, backend="host")
    b = compile_nir(tmp_path, cuba, dt, T).run(x, backend="host")
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(b, simulate(cuba, x, dt))
    assert 0 < a.sum() < a.size


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


def test_braille_srnn_matches_the_numpy_reference(tmp_path):
    # The NIR paper's Braille SRNN: Linear -> CubaLIF fed back through a
    # Linear (lif1.lif <-> lif1.w_rec) -> Linear -> CubaLIF.
    path = INPUTS / "braille_noDelay_noBias_subtract.nir"
    T, N = 64, 3
    model = compile_nir(tmp_path, path, 1e-4, T, batch=N)
    x = spikes(np.random.default_rng(5), (T, N, 12), 0.3)
    want = simulate(path, x, 1e-4)
    np.testing.assert_array_equal(model.run(x, backend="host"), want)
    assert want.sum() > 0
    # The recurrence matters: without it the output differs.
    cut = tmp_path / "cut.nir"
    with h5py.File(path, "r") as src, h5py.File(cut, "w") as dst:
        src.copy("node", dst)
        dst["version"] = src["version"][()]
        dst["node/nodes/lif1.w_rec/weight"][...] = 0
    assert not np.array_equal(simulate(cut, x, 1e-4), want)


def test_recurrent_neurons_match_the_numpy_reference(tmp_path):
    # A LIF fed back through an Affine (bias included), an IF through a Scale
    # (one-to-one), a CubaLIF through a Linear inside a nested graph; dyadic
    # weights keep every sum exact.
    rng = np.random.default_rng(6)
    d = lambda *shape: (rng.integers(-8, 9, size=shape) / 8).astype(np.float32)
    n = lambda v, k: np.full(k, v)
    nodes = {
        "in": {"type": "Input", "shape": np.array([4])},
        "fc": {"type": "Affine", "weight": d(6, 4) * 2, "bias": d(6)},
        "lif": {"type": "LIF", "tau": n(2e-3, 6), "r": n(1.0, 6), "v_leak": n(0.0, 6),
                "v_threshold": n(0.75, 6), "v_reset": n(0.0, 6)},
        "rec": {"type": "Affine", "weight": d(6, 6), "bias": d(6) / 4},
        "fc2": {"type": "Linear", "weight": d(5, 6) * 2},
        "if": {"type": "IF", "r": n(1000.0, 5), "v_threshold": n(1.0, 5)},  # gain r*dt = 1
        "self": {"type": "Scale", "scale": np.array([-1.0, -0.5, 0.5, 1.0, 0.25])},
        "fc3": {"type": "Linear", "weight": d(3, 5) * 4},
        "sub": {"type": "NIRGraph", "edges": [["input", "c"], ["c", "w"], ["w", "c"], ["c", "output"]],
                "nodes": {
                    "input": {"type": "Input", "shape": np.array([3])},
                    "c": {"type": "CubaLIF", "tau_syn": n(2e-3, 3), "tau_mem": n(4e-3, 3),
                          "r": n(2.0, 3), "v_leak": n(0.0, 3), "v_threshold": n(0.25, 3),
                          "w_in": n(2.0, 3)},
                    "w": {"type": "Linear", "weight": d(3, 3)},
                    "output": {"type": "Output", "shape": np.array([3])}}},
        "out": {"type": "Output", "shape": np.array([3])},
    }
    edges = [["rec", "lif"], ["in", "fc"], ["fc", "lif"], ["lif", "rec"], ["lif", "fc2"],
             ["fc2", "if"], ["if", "self"], ["self", "if"], ["if", "fc3"], ["fc3", "sub"],
             ["sub", "out"]]
    path = write_nir(tmp_path / "rnn.nir", nodes, edges)
    T, N = 48, 2
    model = compile_nir(tmp_path, path, 1e-3, T, batch=N)
    x = spikes(rng, (T, N, 4), 0.5)
    want = simulate(path, x, 1e-3)
    np.testing.assert_array_equal(model.run(x, backend="host"), want)
    assert 0 < want.sum() < want.size
    plan = run_sfc("compile", path, "--dt=1e-3", "--timesteps=4", "--emit=plan", "-o", "-").stdout
    assert plan.count('plan.kernel "RecurrentLIF"') == 3, plan


def test_unsupported_cycles_and_recurrent_targets_name_the_node(tmp_path):
    n = lambda v, k: np.full(k, v)
    lif = {"type": "LIF", "tau": n(2e-3, 2), "r": n(1.0, 2), "v_leak": n(0.0, 2),
           "v_threshold": n(1.0, 2)}
    # A cycle through two Linear nodes is not the recurrent form.
    path = write_nir(tmp_path / "two.nir", {
        "in": {"type": "Input", "shape": np.array([2])},
        "lif": lif,
        "a": {"type": "Linear", "weight": np.eye(2)},
        "b": {"type": "Linear", "weight": np.eye(2)},
        "out": {"type": "Output", "shape": np.array([2])}},
        [["in", "lif"], ["lif", "a"], ["a", "b"], ["b", "lif"], ["lif", "out"]])
    result = run_sfc("import", path, "--dt=1e-3", "--timesteps=2", check=False)
    assert "NIR node 'a' (Linear): the graph has a cycle (a -> b -> lif -> a) that is not a " \
        "neuron fed back its own spikes through one Linear, Affine or Scale node" in result.stderr, \
        result.stderr
    # A feedback weight of the wrong shape names the loop node.
    path = write_nir(tmp_path / "shape.nir", {
        "in": {"type": "Input", "shape": np.array([2])},
        "lif": lif,
        "w": {"type": "Linear", "weight": np.eye(2)[:1]},
        "out": {"type": "Output", "shape": np.array([2])}},
        [["in", "lif"], ["lif", "w"], ["w", "lif"], ["lif", "out"]])
    result = run_sfc("import", path, "--dt=1e-3", "--timesteps=2", check=False)
    assert "NIR node 'w' (Linear): feeds the 2 neurons of 'lif' back to themselves, so 'weight' " \
        "must be [2, 2]" in result.stderr, result.stderr
    # Only the host runs recurrent neurons.
    result = run_sfc("compile", INPUTS / "braille_noDelay_noBias_subtract.nir", "--dt=1e-4",
                     "--timesteps=2", "--targets=gpu", "-o", str(tmp_path / "b.sfa"), check=False)
    assert "no enabled target can run node 'lif1.lif' (spike.cuba_lif)" in result.stderr \
        and "gpu has no recurrent neurons" in result.stderr, result.stderr


def test_unsupported_nodes_name_the_node(tmp_path):
    path = write_nir(tmp_path / "delay.nir", {
        "in": {"type": "Input", "shape": np.array([2])},
        "d": {"type": "Delay", "delay": np.array([1.0, 1.0])},
        "out": {"type": "Output", "shape": np.array([2])}}, [["in", "d"], ["d", "out"]])
    result = run_sfc("import", path, "--dt=1e-4", "--timesteps=2", check=False)
    assert "NIR node 'd' (Delay): unsupported node type" in result.stderr, result.stderr
    path = write_nir(tmp_path / "cuba.nir", {
        "in": {"type": "Input", "shape": np.array([2])},
        "c": {"type": "CubaLIF", "tau_syn": np.full(2, 1e-4), "tau_mem": np.full(2, 1e-3),
              "r": np.ones(2), "v_leak": np.zeros(2), "v_threshold": np.ones(2), "w_in": np.ones(2)},
        "out": {"type": "Output", "shape": np.array([2])}}, [["in", "c"], ["c", "out"]])
    result = run_sfc("import", path, "--dt=1e-3", "--timesteps=2", check=False)
    assert "NIR node 'c' (CubaLIF): dt = 0.001 exceeds tau_syn = 0.0001" in result.stderr, \
        result.stderr


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
