"""`sfc estimate` against ZigZag, and what spike activity does to it.

Agreement (docs/hardware-modelling.md, "Validation against ZigZag"): on the
LeNet and ResNet-18 layers of test/Hardware/zigzag/layers.json, at density 1
(the dense layer ZigZag models), sfc's estimate must be within TOLERANCE of
the ZigZag 3.9.1 result recorded in test/Hardware/zigzag/golden-<preset>.json
(regenerate.py beside it writes them) in total energy and in latency, name
the same dominant memory level, and for every memory level either be within
TOLERANCE of ZigZag's energy there or differ by less than LEVEL_SLACK of the
layer's total. A layer ZigZag finds no mapping for must be refused by sfc
with a capacity error.

Activity: with the mapping held fixed (--mapping-density=1), energy and
latency never rise as the density falls and equal the dense figure at
density 1; with the mapping chosen for the activity (the default), the energy
(what the search minimises) never rises by more than TIE, the band within
which the search counts energies as equal and takes the faster mapping, and
is never more than TIE above the fixed mapping's.
"""

import pytest

from zigzag_layers import PRESETS, estimate, golden, layers, level_energy, zigzag_level_energy

TOLERANCE = 0.25
LEVEL_SLACK = 0.10
TIE = 0.01
DENSITIES = [1.0, 0.5, 0.2, 0.1, 0.05, 0.02, 0.01]
LAYERS = {layer["name"]: layer for layer in layers()[1]}


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    return tmp_path_factory.mktemp("zigzag-layers")


def within(ours, theirs, tolerance=TOLERANCE):
    return abs(ours - theirs) <= tolerance * theirs


@pytest.mark.parametrize("preset", PRESETS)
@pytest.mark.parametrize("name", list(LAYERS))
def test_agrees_with_zigzag(models, preset, name):
    z = golden(preset)["layers"][name]
    run, ours = estimate(LAYERS[name], preset, models)
    if "zigzag_error" in z:
        assert ours is None, f"ZigZag found no mapping ({z['zigzag_error'][:80]}), sfc did"
        assert "cannot hold" in run.stderr, run.stderr
        return
    assert ours is not None, run.stderr
    assert within(ours["energy_pj"], z["energy_pj"]), (ours["energy_pj"], z["energy_pj"])
    assert within(ours["cycles"], z["cycles"]), (ours["cycles"], z["cycles"])
    ours_levels, z_levels = level_energy(ours), zigzag_level_energy(z)
    assert max(ours_levels, key=ours_levels.get) == max(z_levels, key=z_levels.get), (ours_levels, z_levels)
    for level, energy in z_levels.items():
        assert (within(ours_levels[level], energy)
                or abs(ours_levels[level] - energy) < LEVEL_SLACK * z["energy_pj"]), (level, ours_levels, z_levels)


def figures(layer, preset, models, density, extra=()):
    run, ours = estimate(LAYERS[layer], preset, models, density, extra)
    assert ours is not None, run.stderr
    return ours["energy_pj"], ours["cycles"]


@pytest.mark.parametrize("preset", PRESETS)
@pytest.mark.parametrize("name", ["lenet_conv2", "resnet18_conv2_2", "resnet18_conv3_1"])
def test_less_activity_never_costs_more(models, preset, name):
    dense = figures(name, preset, models, 1.0)
    fixed = [figures(name, preset, models, d, ["--mapping-density=1"]) for d in DENSITIES]
    assert fixed[0] == dense
    for (e_high, c_high), (e_low, c_low) in zip(fixed, fixed[1:]):
        assert e_low <= e_high and c_low <= c_high, fixed
    chosen = [figures(name, preset, models, d) for d in DENSITIES]
    assert chosen[0] == dense
    energies = [e for e, _ in chosen]
    assert all(low <= (1 + TIE) * high for high, low in zip(energies, energies[1:])), energies
    # A mapping chosen for the activity is never worse than the dense one.
    assert all(e <= (1 + TIE) * f for (e, _), (f, _) in zip(chosen, fixed)), (chosen, fixed)


def test_sparse_layer_costs_what_its_work_implies(models):
    """ResNet-18 conv2_2 at 10 % density against dense. On the SENECA-like
    core (K unrolled over the NPEs: each input spike is one event for all of
    them) the cost follows the work: a tenth of the accumulates, plus the
    spike bitmaps that move whatever the density. On the edge-TPU-like array
    one cycle takes 32 input neurons over 4 steps, which at 10 % almost always
    hold a spike, so only the accumulates, weight fetches and partial-sum
    updates that the spikes drive fall."""
    e_dense, c_dense = figures("resnet18_conv2_2", "seneca-like", models, 1.0)
    e_sparse, c_sparse = figures("resnet18_conv2_2", "seneca-like", models, 0.1)
    assert 0.1 <= e_sparse / e_dense <= 0.2 and 0.1 <= c_sparse / c_dense <= 0.2
    run, dense = estimate(LAYERS["resnet18_conv2_2"], "edge-tpu-like", models, 1.0)
    run, sparse = estimate(LAYERS["resnet18_conv2_2"], "edge-tpu-like", models, 0.1)
    assert sparse["energy_pj"] < 0.8 * dense["energy_pj"]
    assert sparse["accumulates"] == pytest.approx(0.1 * dense["accumulates"])
    assert sparse["compute_energy_pj"] < 0.15 * dense["compute_energy_pj"]
