"""Spiking transformers (examples/spikformer/spiking_transformers.py)
exported, compiled and run on the host against PyTorch: Spikformer's SSA,
the Spike-driven Transformer's SDSA and QKFormer's token attention, each in
a whole network (patch splitting, two blocks, the classifier); and the rest
of the original operator table: torch.nn.MultiheadAttention on spikes, a
depthwise-separable (MobileNet) block and a ConvTranspose2d decoder.

Tolerance: the readout is analog (the classifier's logits over T), compared
with rtol 1e-4, atol 1e-5 — the compiler folds BatchNorm into the
projections and sums in another order, so values differ by rounding; the
spikes agree (a membrane exactly at its threshold would be the documented
exception, docs/semantics.md).
"""

import json
import pathlib
import subprocess
import sys

import numpy as np
import pytest
import torch

import sparseflow
from conftest import BIN_DIR

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "examples" / "spikformer"))

import spiking_transformers as models  # noqa: E402

T = 4
TOLERANCE = dict(rtol=1e-4, atol=1e-5)


def images(batch, seed=1):
    return torch.rand(batch, 3, 32, 32, generator=torch.Generator().manual_seed(seed))


def network(attention, x, seed=0):
    """A small transformer whose neurons fire at 20 % on `x` (random weights
    alone leave them silent)."""
    torch.manual_seed(seed)
    model = models.Transformer(dim=32, depth=2, num_heads=4, attention=attention,
                               mlp_ratio=2)
    models.randomize_batch_norms(model.eval(), seed)
    sparseflow.nn.calibrate_thresholds(model, x, T, 0.2)
    return model


def compile_model(tmp_path, model, x, *flags, name="net"):
    path = tmp_path / f"{name}.onnx"
    sparseflow.export_onnx(model, x, str(path), timesteps=T, readout="all")
    artifact = sparseflow.compile(path, tmp_path / f"{name}{len(flags)}.sfa",
                                  batch=x.shape[0], extra_args=list(flags))
    plan = json.loads(subprocess.run(
        [str(BIN_DIR / "sfc"), "compile", str(path), f"--batch={x.shape[0]}",
         "--emit=plan-json", *flags], capture_output=True, text=True, check=True).stdout)
    return artifact, plan


def kernels_of(plan, kind):
    return [op["kernel"] for op in plan["ops"] if op["kind"] == kind]


def attention_spikes(model, x):
    """Spikes per neuron and step, over the run, of each attention's last LIF
    (recorded from PyTorch)."""
    lifs = [getattr(block.attn, name) for block in model.blocks
            for name in ("attn_lif", "kv_lif", "token_lif") if hasattr(block.attn, name)]
    steps = {id(lif): [] for lif in lifs}
    hooks = [lif.register_forward_hook(lambda m, i, o: steps[id(m)].append(float(o.mean())))
             for lif in lifs]
    sparseflow.nn.simulate(model, x, T, "direct", "all")
    for hook in hooks:
        hook.remove()
    return [float(np.mean(rates)) for rates in steps.values()]


@pytest.mark.parametrize("attention, kernels", [
    ("ssa", "sparse"), ("ssa", "dense"), ("sdsa", "sparse"), ("qkta", "sparse")])
def test_spiking_transformer_matches_pytorch(tmp_path, attention, kernels):
    x = images(2)
    model = network(attention, x)
    flags = ["--sparse-kernels=false"] if kernels == "dense" else []
    artifact, plan = compile_model(tmp_path, model, x, *flags)
    want = sparseflow.nn.simulate(model, x, T, "direct", "all").numpy()
    got = artifact.run(x.numpy(), backend="host")
    np.testing.assert_allclose(got, want, **TOLERANCE)
    # The attention is exercised: its neurons fire, but not everywhere.
    assert all(0.0 < rate < 1.0 for rate in attention_spikes(model, x))
    if attention == "ssa":
        # Q·Kᵀ of two spike trains and (Q·Kᵀ)·V of scores and spikes: the
        # spike kernels, per block (or, with them off, float products of the
        # unpacked spikes).
        kernel = "sparse_binary" if kernels == "sparse" else "dense"
        assert kernels_of(plan, "MatMul") == [kernel] * 4


def test_spikingjelly_neurons_in_a_spikformer(tmp_path):
    # The same network with SpikingJelly's LIFNode in place of every neuron,
    # through sparseflow.optimize, against SpikingJelly's own run. LIFNode
    # (tau 2) keeps half our membrane (v += (x - v) / 2): half the threshold
    # fires alike, at about 20 %.
    from spikingjelly.clock_driven import neuron

    x = images(2, seed=6)
    model = network("ssa", x, seed=5)
    for module in list(model.modules()):
        for name, child in list(module.named_children()):
            if isinstance(child, sparseflow.nn.LIF):
                threshold = float(child.v_threshold.flatten()[0]) / 2
                setattr(module, name, neuron.LIFNode(tau=2.0, v_threshold=threshold))
    from spikingjelly.clock_driven import functional
    rates = []
    hooks = [m.register_forward_hook(lambda m, i, o: rates.append(float(o.mean())))
             for m in model.modules() if isinstance(m, neuron.LIFNode)]
    with torch.no_grad():
        for _ in range(T):
            model(x)
    functional.reset_net(model)
    for hook in hooks:
        hook.remove()
    assert 0.1 < np.mean(rates) < 0.3
    optimized = sparseflow.optimize(model, x, timesteps=T,
                                    cache_dir=tmp_path, check=True)
    assert optimized.check.ok, optimized.check
    assert optimized.check.max_abs_diff < 1e-4


def test_conv_transpose_decoder(tmp_path):
    # A segmentation head: spiking conv encoder, two strided ConvTranspose2d
    # stages reading spikes, per-pixel logits.
    torch.manual_seed(7)
    lif = lambda: sparseflow.nn.LIF(leak=0.5, v_threshold=0.5)  # noqa: E731
    model = torch.nn.Sequential(
        torch.nn.Conv2d(3, 8, 3, stride=2, padding=1), lif(),
        torch.nn.Conv2d(8, 16, 3, stride=2, padding=1), lif(),
        torch.nn.ConvTranspose2d(16, 8, 4, stride=2, padding=1), torch.nn.BatchNorm2d(8), lif(),
        torch.nn.ConvTranspose2d(8, 4, 4, stride=2, padding=1)).eval()
    models.randomize_batch_norms(model, 7)
    x = images(2, seed=8)[:, :, :16, :16].contiguous()
    artifact, plan = compile_model(tmp_path, model, x, name="decoder")
    assert kernels_of(plan, "ConvTranspose2d") == ["dense", "dense"]
    want = sparseflow.nn.simulate(model, x, T, "direct", "all").numpy()
    got = artifact.run(x.numpy(), backend="host")
    assert got.shape == (T, 2, 4, 16, 16)
    np.testing.assert_allclose(got, want, **TOLERANCE)


@pytest.mark.parametrize("attention", ["ssa", "sdsa", "qkta"])
def test_the_example_runs(attention, capsys):
    import demo
    assert demo.main(["--attention", attention, "--dim", "32", "--depth", "1",
                      "--heads", "4"]) == 0
    assert "largest logit difference from PyTorch" in capsys.readouterr().out


@pytest.mark.parametrize("need_weights", [False, True])
def test_multihead_attention_on_spikes(tmp_path, need_weights):
    # torch.nn.MultiheadAttention (softmax attention, the original
    # SparseFlow's operator table) between two spiking layers: exported on
    # its exportable path, its products and softmax on the host.
    class Block(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = torch.nn.Linear(8, 16)
            self.spikes = sparseflow.nn.LIF(leak=0.5, v_threshold=0.5)
            self.mha = torch.nn.MultiheadAttention(16, 4, batch_first=True)
            self.out = sparseflow.nn.LIF(leak=0.5, v_threshold=0.2)

        def forward(self, x):
            s = self.spikes(self.embed(x))
            y, _ = self.mha(s, s, s, need_weights=need_weights)
            return self.out(y)

    torch.manual_seed(9)
    model = Block().eval()
    x = torch.rand(2, 6, 8, generator=torch.Generator().manual_seed(10)) * 2
    artifact, _ = compile_model(tmp_path, model, x, name="mha")
    want = sparseflow.nn.simulate(model, x, T, "direct", "all").numpy()
    got = artifact.run(x.numpy(), backend="host")
    assert 0.05 < want.mean() < 0.95
    np.testing.assert_allclose(got, want, **TOLERANCE)


def test_depthwise_separable_block(tmp_path):
    # MobileNet's depthwise-separable block on spikes: a depthwise 3x3
    # (groups = channels) and a grouped 1x1, both reading spikes through the
    # host's spike kernel (fused with their neurons), against PyTorch.
    torch.manual_seed(11)
    lif = lambda: sparseflow.nn.LIF(leak=0.5, v_threshold=1.0)  # noqa: E731
    model = torch.nn.Sequential(
        torch.nn.Conv2d(3, 16, 3, stride=2, padding=1), torch.nn.BatchNorm2d(16), lif(),
        torch.nn.Conv2d(16, 16, 3, padding=1, groups=16), torch.nn.BatchNorm2d(16), lif(),
        torch.nn.Conv2d(16, 32, 1, groups=4), torch.nn.BatchNorm2d(32), lif(),
        torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(), torch.nn.Linear(32, 10)).eval()
    models.randomize_batch_norms(model, 11)
    x = images(2, seed=12)[:, :, :16, :16].contiguous()
    sparseflow.nn.calibrate_thresholds(model, x, T, 0.2)
    artifact, plan = compile_model(tmp_path, model, x, name="mobilenet")
    grouped = [op for op in plan["ops"] if op["name"].split("+")[0] in ("/3/Conv", "/6/Conv")]
    assert [(op["kind"], op["kernel"]) for op in grouped] == [("Conv2dLIF", "sparse_binary")] * 2
    want = sparseflow.nn.simulate(model, x, T, "direct", "all").numpy()
    got = artifact.run(x.numpy(), backend="host")
    np.testing.assert_allclose(got, want, **TOLERANCE)


def test_token_projections_fuse_with_their_neurons(tmp_path):
    # The Conv1d projections reading spikes (proj, fc2) fuse with their LIF
    # through the reshape back to [N, C, L]: the same floats in the same
    # order as the unfused ops, so equal bit for bit.
    x = images(2, seed=13)
    model = network("ssa", x, seed=13)
    fused, plan = compile_model(tmp_path, model, x)
    unfused, unfused_plan = compile_model(tmp_path, model, x, "--fuse-neurons=false")
    count = lambda p: sum(op["kind"] == "Conv2dLIF" for op in p["ops"])  # noqa: E731
    # The stem's 4 spike-input convs and, per block, proj and fc2.
    assert count(plan) == 4 + 2 * 2 and count(unfused_plan) == 0
    np.testing.assert_array_equal(fused.run(x.numpy()), unfused.run(x.numpy()))
