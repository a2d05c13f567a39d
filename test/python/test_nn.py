"""sparseflow.nn: the canonical neuron semantics of docs/semantics.md."""

import numpy as np
import pytest
import torch

from sparseflow import nn


def run(neuron, inputs):
    neuron.reset_state()
    return torch.stack([neuron(x) for x in inputs])


def reference(inputs, leak, gain, v_leak, v_th, v_reset, v_init, reset, fire, delay):
    """An independent float32 NumPy implementation of the canonical form."""
    f = np.float32
    v = np.full(inputs.shape[1:], f(v_init), dtype=np.float32)
    s_prev = np.zeros_like(v)
    out = []
    for x in inputs.astype(np.float32):
        if delay and reset == "hard":
            v = np.where(s_prev > 0, f(v_reset), v)
        h = v + f(leak) * (f(v_leak) - v)
        h = h + f(gain) * x
        if delay and reset == "soft":
            h = h - f(v_th) * s_prev
        s = (h >= f(v_th)) if fire == "ge" else (h > f(v_th))
        s = s.astype(np.float32)
        if delay or reset == "none":
            v = h
        elif reset == "hard":
            v = np.where(s > 0, f(v_reset), h)
        else:
            v = h - f(v_th) * s
        s_prev = s
        out.append(s)
    return np.stack(out)


def test_hand_computed_hard_reset():
    # H: 0.6, 0.9, 1.05 (spike, V <- 0), 0.6
    lif = nn.LIF(leak=0.5, v_reset=0.0)
    spikes = run(lif, torch.full((4, 1), 0.6))
    assert spikes.flatten().tolist() == [0, 0, 1, 0]


def test_hand_computed_soft_reset_keeps_the_excess():
    # H: 0.5, 1.0 (spike, V <- 0.0), 0.5, 1.0 (spike)
    lif = nn.LIF(leak=0.0, reset="soft")
    spikes = run(lif, torch.full((4, 1), 0.5))
    assert spikes.flatten().tolist() == [0, 1, 0, 1]
    assert lif.v.item() == 0.0


def test_fire_ge_and_gt_differ_exactly_at_the_threshold():
    inputs = torch.full((2, 1), 0.5)  # H reaches 1.0 exactly at t = 1
    assert run(nn.IF(fire="ge"), inputs).flatten().tolist() == [0, 1]
    assert run(nn.IF(fire="gt"), inputs).flatten().tolist() == [0, 0]


def test_per_channel_parameters_apply_along_dimension_1():
    lif = nn.LIF(leak=[0.0, 1.0], v_threshold=[1.0, 0.5], reset="none")
    x = torch.full((3, 1, 2, 2), 0.4)
    spikes = run(lif, x)
    # Channel 0 integrates (0.4, 0.8, 1.2); channel 1 forgets each step (0.4 < 0.5).
    assert spikes[:, 0, 0, 0].tolist() == [0, 0, 1]
    assert spikes[:, 0, 1].sum().item() == 0


@pytest.mark.parametrize("reset", ["hard", "soft", "none"])
@pytest.mark.parametrize("fire", ["ge", "gt"])
@pytest.mark.parametrize("delay", [False, True])
def test_matches_independent_numpy_reference(reset, fire, delay):
    rng = np.random.default_rng(7)
    inputs = rng.normal(0.4, 0.6, size=(12, 3, 5)).astype(np.float32)
    params = dict(leak=0.2, gain=0.9, v_leak=0.1, v_th=0.8,
                  v_reset=-0.1 if reset == "hard" else None, v_init=0.05)
    lif = nn.LIF(leak=0.2, gain=0.9, v_leak=0.1, v_threshold=0.8,
                 v_reset=params["v_reset"], v_init=0.05, reset=reset, fire=fire,
                 reset_delay=delay)
    got = run(lif, torch.from_numpy(inputs)).numpy()
    want = reference(inputs, reset=reset, fire=fire, delay=delay, **params)
    np.testing.assert_array_equal(got, want)  # bit-exact: same order, float32


def test_delayed_hard_reset_gives_the_same_spikes():
    x = torch.rand(20, 64) * 0.8
    now = run(nn.LIF(leak=0.25, v_reset=0.0), x)
    delayed = run(nn.LIF(leak=0.25, v_reset=0.0, reset_delay=True), x)
    assert torch.equal(now, delayed)


def test_reset_state_restarts_the_sequence():
    lif = nn.LIF(leak=0.3, v_reset=0.0)
    x = torch.rand(6, 10)
    assert torch.equal(run(lif, x), run(lif, x))


@pytest.mark.parametrize("kwargs, message", [
    (dict(leak=1.5), "leak must lie in"),
    (dict(leak=0.5, v_threshold=0.0), "v_threshold must be positive"),
    (dict(leak=0.5, reset="hard"), "v_reset must be given"),
    (dict(leak=0.5, v_reset=0.0, reset="soft"), "v_reset must be given"),
    (dict(leak=0.5, fire="eq"), "fire must be one of"),
    (dict(leak=float("nan")), "must be finite"),
])
def test_invalid_parameters_are_rejected(kwargs, message):
    with pytest.raises(ValueError, match=message):
        nn.LIF(**kwargs)


def test_per_channel_mismatch_is_an_error():
    with pytest.raises(ValueError, match="per-channel parameter of 3 values"):
        nn.LIF(leak=[0.1, 0.2, 0.3])(torch.zeros(1, 4))
