"""Per-layer GPU benchmark: SparseFlow's binary-input CUDA conv against cuDNN
(through PyTorch, TF32 and FP16) and against our own dense CUDA conv, all in
this process on the same device and stream, timed with CUDA events (median
of --repeats runs after warm-up).

Shapes: ResNet 56x56 / 28x28 / 14x14 and VGG-CIFAR 32x32 .. 4x4 convs;
spike densities 0.3 to 0.02 per neuron and step, random (independent) or
clustered (8x8 patches of a channel active with probability 1/4, dense
inside); N*T from 4 to 256 with T = 4. The sparse kernel is timed with its
prescan (flags computed from the spikes) and without (flags written by the
LIF kernel that produced the spikes, as in a compiled network), with the
runtime's default thread order and, without prescan, with each pixel run
(ConvSparseArgs::pixelRun, docs/runtime.md). Each of
our results is checked against PyTorch's FP32 conv (TF32 off) within
rtol = atol = 1e-4 before it is timed.

The baseline is what a PyTorch user tuning for speed runs: cuDNN with
autotuning on (torch.backends.cudnn.benchmark), FP32 inputs with TF32
tensor cores allowed, and FP16 in channels-last layout (cuDNN's tensor-core
path without layout conversions), all on [T*N, C, H, W] spikes as floats.

--budget-s bounds the run: when it is spent, the remaining rows are left
out (the tables say how many) and what was measured is written.

Needs a CUDA device, PyTorch and libsparseflow_cuda_kernels.so (built with
the runtime's CUDA backend); scripts/gpu-check.sh runs it. Writes OUT.json
and OUT.md (a table of ratios: > 1 means ours is faster).
"""

import argparse
import ctypes
import json
import pathlib
import statistics
import time

import torch
import torch.nn.functional as F

T = 4
# name, C, H, W, O, kernel, stride
SHAPES = [
    ("ResNet 56x56 3x3 64", 64, 56, 56, 64, 3, 1),
    ("ResNet 56x56 1x1 64-256", 64, 56, 56, 256, 1, 1),
    ("ResNet 56x56 3x3/2 64-128", 64, 56, 56, 128, 3, 2),
    ("ResNet 28x28 3x3 128", 128, 28, 28, 128, 3, 1),
    ("ResNet 14x14 3x3 256", 256, 14, 14, 256, 3, 1),
    ("VGG-CIFAR 32x32 3x3 64", 64, 32, 32, 64, 3, 1),
    ("VGG-CIFAR 16x16 3x3 128", 128, 16, 16, 128, 3, 1),
    ("VGG-CIFAR 8x8 3x3 256", 256, 8, 8, 256, 3, 1),
    ("VGG-CIFAR 4x4 3x3 512", 512, 4, 4, 512, 3, 1),
]
DENSITIES = [0.3, 0.1, 0.05, 0.02]
BATCHES = [4, 16, 64, 256]  # N * T
# The sparse conv's pixel runs timed besides the default (0); "pixel-fastest"
# is the whole output plane, the first version's thread order.
PIXEL_RUNS = [1, 2, 4, 8, 32]


def block_size(height):
    """The compiler's default rule (docs/passes.md)."""
    return 16 if height >= 56 else 8 if height >= 14 else 0


def spikes(n, c, h, w, density, clustered, gen):
    if not clustered:
        return torch.rand((T, n, c, h, w), device="cuda", generator=gen) < density
    # 8x8 patches active with probability 1/4, density * 4 inside.
    patches = torch.rand((1, n, c, (h + 7) // 8, (w + 7) // 8), device="cuda",
                         generator=gen) < 0.25
    mask = patches.repeat_interleave(8, 3).repeat_interleave(8, 4)[..., :h, :w]
    inside = torch.rand((T, n, c, h, w), device="cuda", generator=gen) < min(1.0, density * 4)
    return inside & mask


def pack(s):
    words = torch.zeros(s.shape[1:], dtype=torch.int64, device="cuda")
    for t in range(s.shape[0]):
        words |= s[t].to(torch.int64) << t
    return words


def allow_tf32(allowed):
    """TF32 for cuDNN convolutions, through whichever switch this torch has."""
    conv = getattr(torch.backends.cudnn, "conv", None)
    if conv is not None and hasattr(conv, "fp32_precision"):
        conv.fp32_precision = "tf32" if allowed else "ieee"
    else:
        torch.backends.cudnn.allow_tf32 = allowed


def time_ms(fn, repeats):
    for _ in range(3):
        fn()
    times = []
    for _ in range(repeats):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        fn()
        end.record()
        end.synchronize()
        times.append(start.elapsed_time(end))
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lib", required=True, type=pathlib.Path)
    parser.add_argument("--out", required=True, type=pathlib.Path)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--only", help="run the shapes whose name contains this")
    parser.add_argument("--budget-s", type=float, default=float("inf"),
                        help="stop starting new rows after this many seconds")
    args = parser.parse_args()
    deadline = time.monotonic() + args.budget_s
    torch.backends.cudnn.benchmark = True

    lib = ctypes.CDLL(str(args.lib))
    i64, ptr = ctypes.c_int64, ctypes.c_void_p
    lib.sf_cuda_prescan.argtypes = [ptr, i64, i64, i64, i64, i64, ptr, ptr]
    lib.sf_cuda_conv2d_binary.argtypes = [ptr, ptr, ptr, ptr, ptr] + [i64] * 8 + [
        ctypes.c_int, i64, i64, ptr]
    lib.sf_cuda_conv2d_dense.argtypes = [ptr] * 4 + [i64] * 9 + [ptr]

    def check(error, what):
        if error:
            raise RuntimeError(f"{what}: CUDA error {error}")

    device = torch.cuda.get_device_name()
    stream = ptr(torch.cuda.current_stream().cuda_stream)
    gen = torch.Generator(device="cuda").manual_seed(0)
    rows = []
    skipped = 0
    dense_ms = {}  # our dense kernel's time does not depend on the spikes
    for name, c, h, w, o, k, stride in SHAPES:
        if args.only and args.only not in name:
            continue
        pad = k // 2
        weight = torch.randn((o, c, k, k), device="cuda", generator=gen) * (1.0 / (c * k * k)) ** 0.5
        bias = torch.randn((o,), device="cuda", generator=gen) * 0.1
        arranged = weight.permute(1, 2, 3, 0).contiguous()
        oh, ow = (h + 2 * pad - k) // stride + 1, (w + 2 * pad - k) // stride + 1
        block = block_size(h)
        for nt in BATCHES:
            n = nt // T
            for clustered in (False, True):
                for density in DENSITIES:
                    if time.monotonic() > deadline:
                        skipped += 1
                        continue
                    s = spikes(n, c, h, w, density, clustered, gen)
                    words = pack(s)
                    x = s.reshape(T * n, c, h, w).float()
                    y = torch.empty((T * n, o, oh, ow), device="cuda")
                    blocks = n * c * -(-h // max(block, 1)) * -(-w // max(block, 1))
                    flags = torch.zeros((max(blocks, 1),), dtype=torch.uint8, device="cuda")

                    def prescan():
                        if block:
                            check(lib.sf_cuda_prescan(words.data_ptr(), n * c, h, w, block,
                                                      block, flags.data_ptr(), stream), "prescan")

                    def sparse(run=0):
                        check(lib.sf_cuda_conv2d_binary(
                            words.data_ptr(), arranged.data_ptr(), bias.data_ptr(),
                            y.data_ptr(), flags.data_ptr() if block else None, n, c, h, w,
                            o, k, stride, pad, T, block, run, stream), "conv2d_binary")

                    runs = {str(r): r for r in PIXEL_RUNS}
                    runs["pixel-fastest"] = oh * ow

                    def dense():
                        check(lib.sf_cuda_conv2d_dense(
                            x.data_ptr(), weight.data_ptr(), bias.data_ptr(), y.data_ptr(),
                            T * n, c, h, w, o, k, stride, pad, 1, stream), "conv2d_dense")

                    allow_tf32(False)
                    reference = F.conv2d(x, weight, bias, stride, pad)
                    checked = [lambda: (prescan(), sparse())]
                    checked += [lambda r=r: sparse(r) for r in runs.values()]
                    if (name, nt) not in dense_ms:
                        checked.append(dense)
                    for fn in checked:
                        y.fill_(float("nan"))
                        fn()
                        torch.cuda.synchronize()
                        torch.testing.assert_close(y, reference, rtol=1e-4, atol=1e-4)
                    if (name, nt) not in dense_ms:
                        dense_ms[(name, nt)] = time_ms(dense, args.repeats)
                    allow_tf32(True)
                    xh = x.half().contiguous(memory_format=torch.channels_last)
                    wh = weight.half().contiguous(memory_format=torch.channels_last)
                    bh = bias.half()
                    row = {
                        "shape": name, "nt": nt, "density": density,
                        "pattern": "clustered" if clustered else "random",
                        "measured_density": s.float().mean().item(),
                        "active_words": (words != 0).float().mean().item(),
                        "block": block,
                        "cudnn_tf32_ms": time_ms(lambda: F.conv2d(x, weight, bias, stride, pad),
                                                 args.repeats),
                        "cudnn_fp16_ms": time_ms(lambda: F.conv2d(xh, wh, bh, stride, pad),
                                                 args.repeats),
                        "ours_dense_ms": dense_ms[(name, nt)],
                        "ours_sparse_ms": time_ms(lambda: (prescan(), sparse()), args.repeats),
                        "ours_sparse_no_prescan_ms": time_ms(sparse, args.repeats),
                        "pixel_run_ms": {label: time_ms(lambda r=r: sparse(r), args.repeats)
                                         for label, r in runs.items()},
                    }
                    if block:
                        row["active_blocks"] = flags.float().mean().item()
                    rows.append(row)
                    print(json.dumps(row), flush=True)

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".json").write_text(json.dumps(
        {"device": device, "torch": torch.__version__,
         "cudnn": torch.backends.cudnn.version(), "skipped_rows": skipped, "rows": rows},
        indent=1))
    lines = [f"Device: {device}, torch {torch.__version__}, cuDNN "
             f"{torch.backends.cudnn.version()}. Ratios = baseline time / our sparse time "
             "(with prescan); > 1: ours faster."
             + (f" {skipped} rows not measured (--budget-s ran out)." if skipped else ""),
             "",
             "| shape | N*T | pattern | density | vs cuDNN TF32 | vs cuDNN FP16 | "
             "vs our dense | sparse ms | no-prescan ms |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        sp = r["ours_sparse_ms"]
        lines.append(f"| {r['shape']} | {r['nt']} | {r['pattern']} | {r['density']} | "
                     f"{r['cudnn_tf32_ms'] / sp:.2f} | {r['cudnn_fp16_ms'] / sp:.2f} | "
                     f"{r['ours_dense_ms'] / sp:.2f} | {sp:.3f} | "
                     f"{r['ours_sparse_no_prescan_ms']:.3f} |")
    lines += ["", "Thread order of the sparse conv (no prescan): each pixel run's time over "
              "the default's, geometric mean over the rows above (< 1: faster than the "
              "default).", "", "| pixel run | all rows | N*T = 4 | N*T = 256 |", "|---|---|---|---|"]
    for label in rows[0]["pixel_run_ms"] if rows else []:
        means = []
        for subset in (rows, [r for r in rows if r["nt"] == 4],
                       [r for r in rows if r["nt"] == 256]):
            ratios = [r["pixel_run_ms"][label] / r["ours_sparse_no_prescan_ms"] for r in subset]
            means.append(f"{statistics.geometric_mean(ratios):.2f}" if ratios else "-")
        lines.append(f"| {label} | " + " | ".join(means) + " |")
    args.out.with_suffix(".md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
