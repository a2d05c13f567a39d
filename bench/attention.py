"""Spiking self-attention's products (issue 22), per op, T = 4.

Spikformer's SSA multiplies spike matrices: ((Q·Kᵀ)·s)·V per head, with
Q, K, V spike trains and s = 1/8. The model here takes spike trains for Q,
K and V (the `spikes` encoding; a LIF with leak 0 and threshold 0.5 passes
each through unchanged, making it a neuron's spike train). The compiler
reorders the products to Q·(Kᵀ·V)·s (`spike-reassociate-products`, exact)
and runs Kᵀ·V with AND + popcount and Q·M by selected rows; each product
(and the scale, in the totals) is timed with the runtime's per-op profile,
against:

- our dense kernels on the unpacked spikes (--sparse-kernels=false, the
  same reordered products);
- PyTorch's batched matmul on the float [T*N, heads, L, d] spikes, what a
  temporal-parallel model runs, with the same thread count: in the model's
  order, and reordered as we do (the stronger baseline).

    PYTHONPATH=python /usr/bin/python3 bench/attention.py [--threads 1] [--repeats 20]
"""

import argparse
import pathlib
import sys
import tempfile
import time

import numpy as np
import torch

sys.path.insert(0, str(pathlib.Path(__file__).parent))

import sparseflow  # noqa: E402
from bench import torch_seconds  # noqa: E402

T = 4
DENSITIES = (0.3, 0.2, 0.1, 0.05)
# name, N, heads, tokens L, head width d
SHAPES = [
    ("Spikformer-4-384 CIFAR", 1, 12, 64, 32),
    ("Spikformer-4-384 CIFAR", 16, 12, 64, 32),
    ("Spikformer-8-768 ImageNet", 1, 12, 196, 64),
]


class Products(torch.nn.Module):
    """x [N, 3, heads, L, d] spikes -> ((Q·Kᵀ)·s)·V."""

    def __init__(self):
        super().__init__()
        self.q, self.k, self.v = (sparseflow.nn.LIF(leak=0.0, v_threshold=0.5)
                                  for _ in range(3))

    def forward(self, x):
        q, k, v = (lif(x.narrow(1, i, 1).squeeze(1))
                   for i, lif in enumerate((self.q, self.k, self.v)))
        return (q @ k.transpose(-2, -1)) * 0.125 @ v


def op_seconds(session, x, repeats):
    """The best time of each MatMul and Mul op of `session` (the products
    and the scale), in plan order."""
    timed = ("MatMul", "Mul")
    session.run([x])
    best = None
    for _ in range(repeats):
        before = [l["seconds"] for l in session.profile() if l["op"] in timed]
        session.run([x])
        after = [l["seconds"] for l in session.profile() if l["op"] in timed]
        elapsed = np.subtract(after, before)
        best = elapsed if best is None else np.minimum(best, elapsed)
    return best


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}; T = {T}; {args.threads} thread(s); best of {args.repeats}")
    print("| shape | N | density | Kᵀ·V: ours (ms) | PyTorch (ms) | ratio "
          "| Q·M: ours (ms) | PyTorch (ms) | ratio | attention: ours (ms) | our dense (ms) "
          "| PyTorch (Q·Kᵀ)·V (ms) | vs our dense | vs PyTorch, either order |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        for name, n, heads, length, d in SHAPES:
            shape = (n, 3, heads, length, d)
            path = tmp / "attention.onnx"
            sparseflow.export_onnx(Products(), torch.zeros(shape), str(path), timesteps=T,
                                   encoding="spikes")
            sparseflow.compile(path, tmp / "sparse.sfa", batch=n)
            sparseflow.compile(path, tmp / "dense.sfa", batch=n,
                               extra_args=["--sparse-kernels=false"])
            sparse, dense = (sparseflow.load(tmp / f"{kind}.sfa", threads=args.threads)
                             .session(profile=True) for kind in ("sparse", "dense"))
            for density in DENSITIES:
                x = (rng.random((T,) + shape) < density).astype(np.float32)
                ours = op_seconds(sparse, x, args.repeats)
                theirs_dense = op_seconds(dense, x, args.repeats).sum()
                flat = torch.from_numpy(x).flatten(0, 1)  # [T*N, 3, heads, L, d]
                q, k, v = flat[:, 0], flat[:, 1], flat[:, 2]
                kt = k.transpose(-2, -1)
                m = kt @ v
                model_order = torch_seconds(lambda: (q @ kt) * 0.125 @ v, args.repeats)
                torch_kv = torch_seconds(lambda: kt @ v, args.repeats)
                torch_qm = torch_seconds(lambda: q @ m, args.repeats)
                scale = torch_seconds(lambda: (q @ m) * 0.125, args.repeats) - torch_qm
                reordered = torch_kv + torch_qm + max(scale, 0.0)
                total = ours.sum()
                print(f"| {name} | {n} | {density} "
                      f"| {ours[0] * 1e3:.3f} | {torch_kv * 1e3:.3f} | {torch_kv / ours[0]:.1f}x "
                      f"| {ours[1] * 1e3:.3f} | {torch_qm * 1e3:.3f} | {torch_qm / ours[1]:.1f}x "
                      f"| {total * 1e3:.3f} | {theirs_dense * 1e3:.3f} "
                      f"| {model_order * 1e3:.3f} | {theirs_dense / total:.1f}x "
                      f"| {min(model_order, reordered) / total:.1f}x |", flush=True)


if __name__ == "__main__":
    main()
