"""The GPU checks that need artifacts compiled elsewhere (scripts/gpu-check.sh).

  prepare DIR   on a machine with the compiler: exports the test networks
                (test/python/test_export_import.py), compiles each with sparse
                and with dense kernels, and with ops placed on the GPU
                (--targets=gpu,host), with a random input for each; bundles
                the headers a GPU host without flatc and GoogleTest needs.
  compare DIR   on the GPU host: runs every artifact with sf-run on the host
                and cuda backends (and auto for the GPU-placed ones) and
                compares: exactly against the host's dense kernels, spike
                outputs exactly and analog ones within rtol = atol = 1e-5
                against the host's sparse kernels. Exits 1 on a mismatch.
"""

import argparse
import pathlib
import shutil
import subprocess
import sys
import tempfile

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parent.parent
TOLERANCE = dict(rtol=1e-5, atol=1e-5)
# Every artifact also runs on the cuda backend as a whole, so the host-only
# fused layers (Conv2dLIF, LinearLIF) stay apart.
NO_FUSION = ["--fuse-neurons=false"]
VARIANTS = {"sparse": (NO_FUSION, "host"),
            "dense": (NO_FUSION + ["--sparse-kernels=false"], "host"),
            "gpu-placed": (NO_FUSION, "gpu,host")}


def prepare(out: pathlib.Path, build: pathlib.Path) -> None:
    sys.path[:0] = [str(ROOT / "python"), str(ROOT / "test" / "python")]
    import torch
    import sparseflow
    from test_export_import import NETWORKS
    from test_runtime import T, active_model

    deps = out / "deps"
    shutil.rmtree(deps, ignore_errors=True)
    shutil.copytree("/usr/include/flatbuffers", deps / "include" / "flatbuffers")
    shutil.copytree("/usr/src/googletest", deps / "googletest")
    shutil.copy(build / "formats" / "include" / "sparseflow" / "format" /
                "sfa_generated.h", deps / "sfa_generated.h")
    # The sources the GPU host builds: the runtime and the shared layer, alone.
    src = out / "src"
    shutil.rmtree(src, ignore_errors=True)
    for tree in ("runtime", "formats"):
        shutil.copytree(ROOT / tree, src / tree)
    artifacts = out / "artifacts"
    artifacts.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for name, (_, shape, _, result) in NETWORKS.items():
            model, shape, _ = active_model(name)
            onnx = pathlib.Path(tmp) / f"{name}.onnx"
            sparseflow.export_onnx(model, torch.rand(shape), str(onnx), timesteps=T)
            torch.manual_seed(1)
            x = (torch.rand((2,) + tuple(shape[1:])) * 2).numpy()
            for variant, (flags, targets) in VARIANTS.items():
                stem = f"{name}.{variant}"
                sparseflow.compile(onnx, artifacts / f"{stem}.sfa", targets=targets,
                                   batch=2, readout="all", extra_args=flags)
                np.save(artifacts / f"{stem}.npy", x)
    print(f"prepared {len(list(artifacts.glob('*.sfa')))} artifacts in {artifacts}")


def run(sf_run: pathlib.Path, artifact: pathlib.Path, backend: str, out: pathlib.Path):
    result = subprocess.run([str(sf_run), str(artifact), "--input",
                             str(artifact.with_suffix(".npy")), "--output", str(out),
                             f"--backend={backend}"], capture_output=True, text=True)
    if result.returncode:
        raise RuntimeError(f"{artifact.name} on {backend}: {result.stderr.strip()}")
    return np.load(out)


def compare(directory: pathlib.Path, sf_run: pathlib.Path) -> int:
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        for artifact in sorted((directory / "artifacts").glob("*.sfa")):
            variant = artifact.stem.split(".")[1]
            host = run(sf_run, artifact, "host", pathlib.Path(tmp) / "host.npy")
            backends = ["cuda"] + (["auto"] if variant == "gpu-placed" else [])
            for backend in backends:
                try:
                    got = run(sf_run, artifact, backend, pathlib.Path(tmp) / "got.npy")
                    if variant == "dense" or np.isin(host, (0.0, 1.0)).all():
                        np.testing.assert_array_equal(got, host)
                        how = "equal"
                    else:
                        np.testing.assert_allclose(got, host, **TOLERANCE)
                        how = f"max |diff| {np.abs(got - host).max():.2e}"
                    print(f"ok    {artifact.name:32} {backend:5} {how}")
                except (AssertionError, RuntimeError) as error:
                    failures += 1
                    print(f"FAIL  {artifact.name:32} {backend:5} {error}")
    print(f"{failures} mismatches")
    return 1 if failures else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["prepare", "compare"])
    parser.add_argument("dir", type=pathlib.Path)
    parser.add_argument("--build", type=pathlib.Path, default=ROOT / "build",
                        help="the compiler's build directory (prepare)")
    parser.add_argument("--sf-run", type=pathlib.Path, help="sf-run to test (compare)")
    args = parser.parse_args()
    if args.command == "prepare":
        prepare(args.dir, args.build)
        return 0
    return compare(args.dir, args.sf_run)


if __name__ == "__main__":
    sys.exit(main())
