"""Compile time, load time and artifact size of the benchmark networks
(bench/networks.py): `sfc compile` wall time and peak memory, the runtime's
load + validation (best of 5, the file in the page cache), and the
artifact's size against the model's parameters (float32).

    PYTHONPATH=python /usr/bin/python3 bench/artifacts.py [--dram-image]
"""

import argparse
import pathlib
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).parent))

import networks  # noqa: E402
import sparseflow  # noqa: E402
from sparseflow.runtime import _sfc  # noqa: E402


def compile_once(onnx, artifact, flags):
    """`sfc compile`'s wall time (s) and peak RSS (MB), by /usr/bin/time (a
    child's rusage would count this Python process, which it forks from)."""
    start = time.perf_counter()
    result = subprocess.run(["/usr/bin/time", "-f", "%M", _sfc(), "compile",
                             str(onnx), "-o", str(artifact), *flags],
                            check=True, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    return seconds, int(result.stderr.strip().splitlines()[-1]) / 1024


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dram-image", action="store_true",
                        help="embed the DRAM spine image (sfc --dram-image)")
    args = parser.parse_args()
    flags = ["--dram-image"] if args.dram_image else []
    print("| network | parameters (MB) | compile (s) | sfc peak RSS (MB) "
          "| artifact (MB) | artifact / parameters | load (ms) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        for name in networks.NETWORKS:
            onnx = pathlib.Path(tmp) / f"{name}.onnx"
            model = networks.export(name, onnx)
            params = sum(p.numel() * 4 for p in model.parameters())
            artifact = pathlib.Path(tmp) / f"{name}.sfa"
            seconds, peak = min(compile_once(onnx, artifact, flags)
                                for _ in range(3))
            load = min(_timed_load(artifact) for _ in range(5))
            size = artifact.stat().st_size
            print(f"| {name} | {params / 1e6:.1f} | {seconds:.2f} | {peak:.0f} "
                  f"| {size / 1e6:.1f} | {size / params:.3f} | {load * 1e3:.1f} |")


def _timed_load(path):
    start = time.perf_counter()
    model = sparseflow.load(path)
    seconds = time.perf_counter() - start
    del model
    return seconds


if __name__ == "__main__":
    main()
