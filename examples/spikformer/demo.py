"""A spiking transformer from PyTorch to a compiled artifact and back.

Builds Spikformer-4-384 (or the Spike-driven Transformer's / QKFormer's
attention with --attention) for CIFAR-shaped input, sets its neurons to fire
at --density (random weights alone leave them silent; a trained checkpoint
would not need this), exports it to ONNX, compiles it with sfc, runs it on
the host and compares the logits with PyTorch's own run.

    PYTHONPATH=python /usr/bin/python3 examples/spikformer/demo.py [--attention ssa]
        [--dim 384] [--depth 4] [--batch 2] [--density 0.15]
"""

import argparse
import pathlib
import sys
import tempfile
import time

import numpy as np
import torch

sys.path.insert(0, str(pathlib.Path(__file__).parent))

import spiking_transformers as models  # noqa: E402
import sparseflow  # noqa: E402

T = 4


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attention", choices=sorted(models.ATTENTION), default="ssa")
    parser.add_argument("--dim", type=int, default=384)
    parser.add_argument("--depth", type=int, default=4)
    parser.add_argument("--heads", type=int, default=12)
    parser.add_argument("--batch", type=int, default=2)
    parser.add_argument("--density", type=float, default=0.15)
    args = parser.parse_args(argv)

    torch.manual_seed(0)
    model = models.Transformer(args.dim, args.depth, args.heads, args.attention).eval()
    models.randomize_batch_norms(model)
    x = torch.rand(args.batch, 3, 32, 32)
    sparseflow.nn.calibrate_thresholds(model, x, T, args.density)

    with tempfile.TemporaryDirectory() as tmp:
        onnx_path = pathlib.Path(tmp) / "transformer.onnx"
        sparseflow.export_onnx(model, x, str(onnx_path), timesteps=T)
        start = time.perf_counter()
        artifact = sparseflow.compile(onnx_path, pathlib.Path(tmp) / "transformer.sfa",
                                      batch=args.batch)
        compile_seconds = time.perf_counter() - start
        start = time.perf_counter()
        got = artifact.run(x.numpy(), backend="host")
        run_seconds = time.perf_counter() - start
    want = sparseflow.nn.simulate(model, x, T).numpy()
    difference = float(np.abs(got - want).max())
    print(f"{args.attention} transformer, dim {args.dim}, depth {args.depth}, "
          f"{args.heads} heads, T = {T}, batch {args.batch}")
    print(f"compiled in {compile_seconds:.2f} s, ran in {run_seconds * 1e3:.1f} ms")
    print(f"predicted classes: {got.argmax(1).tolist()} (PyTorch: {want.argmax(1).tolist()})")
    # Float sums in another order (BatchNorm folded, spike kernels) can
    # decide a spike whose membrane ties with its threshold differently
    # (docs/semantics.md); the prediction stands.
    print(f"largest logit difference from PyTorch: {difference:.2e}")
    return 0 if (got.argmax(1) == want.argmax(1)).all() else 1


if __name__ == "__main__":
    sys.exit(main())
