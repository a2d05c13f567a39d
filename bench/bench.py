"""SparseFlow benchmarks: ratios against baselines measured in the same run.

Per layer (T = 4): a conv or linear layer reading spikes, compiled twice by
sfc (sparse kernels; --sparse-kernels=false for our dense kernels), timed
with the runtime's per-op profile, next to PyTorch (oneDNN) on the same
[T*N, ...] float input, at spike densities 0.3-0.02 with random and
clustered patterns. Dense first layers (analog input): the runtime's
oneDNN path against its reference loops and PyTorch. End to end: compiled
models against PyTorch eager (sparseflow.nn.simulate). Prints markdown tables
(docs/benchmarks.md).

usage: PYTHONPATH=python /usr/bin/python3 bench/bench.py [--full] [--threads N]
       [--dense-only]
"""

import argparse
import pathlib
import sys
import tempfile
import time

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

import sparseflow

T = 4
DENSITIES = (0.3, 0.2, 0.1, 0.05, 0.02)

# name, kind, (C, H, W) or (K,), O, kernel, pad
LAYERS = [
    ("VGG16-CIFAR conv3 128x16x16", "conv", (128, 16, 16), 128, 3, 1),
    ("VGG16-CIFAR conv4 256x8x8", "conv", (256, 8, 8), 256, 3, 1),
    ("ResNet19-CIFAR conv 128x32x32", "conv", (128, 32, 32), 128, 3, 1),
    ("ResNet19-CIFAR conv 256x16x16", "conv", (256, 16, 16), 256, 3, 1),
    ("ResNet 56x56 conv3x3 64", "conv", (64, 56, 56), 64, 3, 1),
    ("ResNet 56x56 conv1x1 256->64", "conv", (256, 56, 56), 64, 1, 0),
    ("VGG16 fc 4096->4096", "linear", (4096,), 4096, 0, 0),
]

# Dense first layers reading analog pixels: name, (C, H, W), O, kernel,
# stride, pad.
DENSE_LAYERS = [
    ("ResNet stem 7x7/2 3->64 at 224", (3, 224, 224), 64, 7, 2, 3),
    ("CIFAR 3x3 3->64 at 32", (3, 32, 32), 64, 3, 1, 1),
]


def layer_model(kind, shape, out, k, pad, n, path):
    rng = np.random.default_rng(0)
    if kind == "conv":
        c = shape[0]
        w = rng.standard_normal((out, c, k, k)).astype(np.float32) / np.sqrt(c * k * k)
        node = helper.make_node("Conv", ["x", "w", "b"], ["y"], name="layer",
                                pads=[pad] * 4, kernel_shape=[k, k])
        x_shape = [n, *shape]
    else:
        w = rng.standard_normal((out, shape[0])).astype(np.float32) / np.sqrt(shape[0])
        node = helper.make_node("Gemm", ["x", "w", "b"], ["y"], name="layer", transB=1)
        x_shape = [n, *shape]
    b = rng.standard_normal(out).astype(np.float32) * 0.1
    save_spike_layer(node, x_shape, w, b, path)
    return torch.from_numpy(w), torch.from_numpy(b), x_shape


def save_spike_layer(node, x_shape, w, b, path):
    """Saves `node` (inputs x, w, b; output y) as a model reading spikes x
    of shape x_shape at T steps, every step read out."""
    graph = helper.make_graph(
        [node], "layer", [helper.make_tensor_value_info("x", TensorProto.FLOAT, x_shape)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        [numpy_helper.from_array(w, "w"), numpy_helper.from_array(b, "b")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    for key, value in (("timesteps", str(T)), ("encoding", "spikes"), ("readout", "all")):
        model.metadata_props.add(key=f"sparseflow.{key}", value=value)
    onnx.save(model, str(path))


def spikes(shape, density, clustered, rng):
    if not clustered or len(shape) < 4:
        return (rng.random(shape) < density).astype(np.float32)
    # Active 8x8 tiles (a quarter of the tiles for density <= 0.25), dense inside.
    tiles = max(min(4 * density, 1.0), density)
    h, w = shape[-2], shape[-1]
    mask = rng.random(shape[:-2] + ((h + 7) // 8, (w + 7) // 8)) < tiles
    mask = mask.repeat(8, -2).repeat(8, -1)[..., :h, :w]
    return (mask & (rng.random(shape) < density / tiles)).astype(np.float32)


def op_seconds(session, x, repeats):
    session.run([x])  # warm up
    for layer in session.profile():
        layer["seconds"] = 0
    best = None
    for _ in range(repeats):
        before = {l["name"] + l["op"]: l["seconds"] for l in session.profile()}
        session.run([x])
        after = [l for l in session.profile() if l["op"] in ("Conv2d", "Linear")][0]
        elapsed = after["seconds"] - before[after["name"] + after["op"]]
        best = elapsed if best is None else min(best, elapsed)
    return best


def torch_seconds(fn, repeats):
    fn()
    best = None
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    return best


def selected(only):
    return [layer for layer in LAYERS if not only or only in layer[0]]


def layer_sessions(kind, shape, out, k, pad, n, tmp):
    """The layer compiled with the sparse and with the dense kernels, as
    profiling sessions (the dense one on the reference loops, not oneDNN),
    plus its torch weight, bias and input shape."""
    path = tmp / f"{kind}.onnx"
    w, b, x_shape = layer_model(kind, shape, out, k, pad, n, path)
    sparse = sparseflow.compile(path, tmp / "sparse.sfa").session(profile=True)
    dense = sparseflow.compile(path, tmp / "dense.sfa",
                               extra_args=["--sparse-kernels=false"]).session(
                                   profile=True, reference_kernels=True)
    return sparse, dense, w, b, x_shape


def bench_layers(batches, repeats, only, tmp):
    print("| layer | N | density | pattern | sparse (ms) | our dense (ms) | PyTorch (ms) | vs dense | vs PyTorch | goal 0.6/d |")
    print("|---|---:|---:|---|---:|---:|---:|---:|---:|---:|")
    rng = np.random.default_rng(1)
    for name, kind, shape, out, k, pad in selected(only):
        for n in batches:
            sparse, dense, w, b, x_shape = layer_sessions(kind, shape, out, k, pad, n, tmp)
            for density in DENSITIES:
                for clustered in (False, True):
                    x = spikes((T, *x_shape), density, clustered, rng)
                    t_sparse = op_seconds(sparse, x, repeats)
                    t_dense = op_seconds(dense, x, repeats)
                    xt = torch.from_numpy(x.reshape(T * n, *shape))
                    if kind == "conv":
                        fn = lambda: torch.nn.functional.conv2d(xt, w, b, padding=pad)
                    else:
                        fn = lambda: torch.nn.functional.linear(xt, w, b)
                    with torch.no_grad():
                        t_torch = torch_seconds(fn, repeats)
                    print(f"| {name} | {n} | {density} | {'clustered' if clustered else 'random'} "
                          f"| {1e3 * t_sparse:.3f} | {1e3 * t_dense:.3f} | {1e3 * t_torch:.3f} "
                          f"| {t_dense / t_sparse:.2f}x | {t_torch / t_sparse:.2f}x | {0.6 / density:.0f}x |",
                          flush=True)


def bench_dense_first_layer(batches, repeats, tmp):
    """A conv reading analog input (encoding direct: it runs once per image,
    not per step) on the runtime's dense library (oneDNN) and on its
    reference loops (session option reference_kernels), next to PyTorch."""
    print("| layer | N | reference loops (ms) | oneDNN path (ms) | PyTorch (ms) | vs reference | vs PyTorch |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    rng = np.random.default_rng(3)
    for name, shape, out, k, stride, pad in DENSE_LAYERS:
        for n in batches:
            c = shape[0]
            w = rng.standard_normal((out, c, k, k)).astype(np.float32) / np.sqrt(c * k * k)
            b = rng.standard_normal(out).astype(np.float32) * 0.1
            node = helper.make_node("Conv", ["x", "w", "b"], ["y"], name="layer",
                                    pads=[pad] * 4, kernel_shape=[k, k],
                                    strides=[stride, stride])
            graph = helper.make_graph(
                [node], "layer",
                [helper.make_tensor_value_info("x", TensorProto.FLOAT, [n, *shape])],
                [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
                [numpy_helper.from_array(w, "w"), numpy_helper.from_array(b, "b")])
            model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
            for key, value in (("timesteps", str(T)), ("encoding", "direct")):
                model.metadata_props.add(key=f"sparseflow.{key}", value=value)
            onnx.save(model, str(tmp / "first.onnx"))
            compiled = sparseflow.compile(tmp / "first.onnx", tmp / "first.sfa")
            library = compiled.session(profile=True)
            reference = compiled.session(profile=True, reference_kernels=True)
            x = rng.random((n, *shape), dtype=np.float32)
            t_library = op_seconds(library, x, repeats)
            t_reference = op_seconds(reference, x, repeats)
            xt, wt, bt = torch.from_numpy(x), torch.from_numpy(w), torch.from_numpy(b)
            with torch.no_grad():
                t_torch = torch_seconds(
                    lambda: torch.nn.functional.conv2d(xt, wt, bt, stride=stride, padding=pad),
                    repeats)
            print(f"| {name} | {n} | {1e3 * t_reference:.3f} | {1e3 * t_library:.3f} "
                  f"| {1e3 * t_torch:.3f} | {t_reference / t_library:.2f}x "
                  f"| {t_torch / t_library:.2f}x |", flush=True)


def bench_saturation(repeats, only, tmp):
    """Sparse vs our dense kernels at densities beyond the SNN range: where
    the sparse kernel would lose, the compiler would have to fall back."""
    print("| layer | density | sparse (ms) | our dense (ms) | sparse vs dense |")
    print("|---|---:|---:|---:|---:|")
    rng = np.random.default_rng(2)
    for name, kind, shape, out, k, pad in selected(only):
        sparse, dense, _, _, x_shape = layer_sessions(kind, shape, out, k, pad, 1, tmp)
        for density in (0.5, 1.0):
            x = spikes((T, *x_shape), density, False, rng)
            t_sparse = op_seconds(sparse, x, repeats)
            t_dense = op_seconds(dense, x, repeats)
            print(f"| {name} | {density} | {1e3 * t_sparse:.3f} | {1e3 * t_dense:.3f} "
                  f"| {t_dense / t_sparse:.2f}x |", flush=True)


def bench_end_to_end(repeats, tmp):
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "examples" / "mnist"))
    import mnist_snn

    print("| model | N | SparseFlow (ms) | SparseFlow dense kernels (ms) | PyTorch eager (ms) | vs PyTorch |")
    print("|---|---:|---:|---:|---:|---:|")
    images, _ = mnist_snn.heldout()
    model = mnist_snn.trained()
    mnist_snn.export(tmp / "mnist.onnx")
    for n in (1, 16):
        x = images[:n]
        sparse = sparseflow.compile(tmp / "mnist.onnx", tmp / "m.sfa", batch=n)
        dense = sparseflow.compile(tmp / "mnist.onnx", tmp / "md.sfa", batch=n,
                                   extra_args=["--sparse-kernels=false"])
        t_sparse = torch_seconds(lambda: sparse.run(x), repeats)
        t_dense = torch_seconds(lambda: dense.run(x), repeats)
        xt = torch.from_numpy(x)
        t_torch = torch_seconds(lambda: sparseflow.nn.simulate(model, xt, T), repeats)
        print(f"| MNIST spiking LeNet (T=4) | {n} | {1e3 * t_sparse:.3f} | {1e3 * t_dense:.3f} "
              f"| {1e3 * t_torch:.3f} | {t_torch / t_sparse:.2f}x |", flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--full", action="store_true", help="N = 1 and 16 (default: N = 1)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--only", help="layers whose name contains this text; no end-to-end run")
    parser.add_argument("--dense-only", action="store_true",
                        help="only the dense first-layer table")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; "
          f"mkldnn (oneDNN) enabled: {torch.backends.mkldnn.is_available()}; T = {T}\n")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        bench_dense_first_layer((1, 16) if args.full else (1,), args.repeats, tmp)
        if args.dense_only:
            return
        print()
        bench_layers((1, 16) if args.full else (1,), args.repeats, args.only, tmp)
        print()
        bench_saturation(args.repeats, args.only, tmp)
        if not args.only:
            print()
            bench_end_to_end(args.repeats, tmp)


if __name__ == "__main__":
    main()
