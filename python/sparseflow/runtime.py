"""Compile ONNX models with `sfc` and run .sfa artifacts with the runtime.

    model = sparseflow.compile("m.onnx", targets="host", timesteps=4)
    y = sparseflow.load("m.sfa").run(x)          # numpy in, numpy out

Errors from the runtime raise `sparseflow.RuntimeError` with the runtime's
message (and `.args[1]`, the status code name); `sfc` failures raise
`sparseflow.CompileError` with its diagnostics.
"""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import subprocess
import sys
import sysconfig
from typing import Iterable, Optional, Sequence, Union

import numpy as np

try:
    from sparseflow import _runtime
except ImportError as error:  # pragma: no cover - depends on the build
    raise ImportError(
        "sparseflow._runtime is not built; run ./scripts/build.sh "
        f"(SF_ENABLE_PYTHON=ON) first ({error})") from error

RuntimeError = _runtime.RuntimeError
PathLike = Union[str, os.PathLike]


class CompileError(Exception):
    """`sfc compile` failed; the message holds its diagnostics."""


def _sfc() -> str:
    """The sfc binary: $SPARSEFLOW_BIN_DIR; installed with the package (pip
    install: the environment's scripts directory); the repository build
    beside a source checkout; or PATH."""
    candidates = []
    if os.environ.get("SPARSEFLOW_BIN_DIR"):
        candidates.append(pathlib.Path(os.environ["SPARSEFLOW_BIN_DIR"]) / "sfc")
    package = pathlib.Path(__file__).resolve().parent
    if not (package.parent / "CMakeLists.txt").exists():  # installed, not python/ in a checkout
        candidates.append(pathlib.Path(sysconfig.get_path("scripts")) / "sfc")
    candidates.append(package.parents[1] / "build" / "bin" / "sfc")
    for candidate in candidates:
        if candidate.exists():
            return str(candidate)
    found = shutil.which("sfc")
    if not found:
        raise CompileError("sfc not found: build the project or set SPARSEFLOW_BIN_DIR")
    return found


def _progress(chunks, progress: Optional[bool]):
    """`chunks`, wrapped in a tqdm bar when asked for or, by default, when
    the run is long (8 chunks or more) and stderr is a terminal."""
    if progress is False or (progress is None and (len(chunks) < 8 or not sys.stderr.isatty())):
        return chunks
    try:
        from tqdm import tqdm
    except ImportError:
        if progress:
            raise ImportError("progress=True needs tqdm (pip install tqdm)") from None
        return chunks
    return tqdm(chunks, desc="sparseflow", unit="batch")


class Model:
    """A loaded artifact: validated, immutable, runnable many times."""

    def __init__(self, native: "_runtime.Model", path: Optional[pathlib.Path] = None):
        self._native = native
        self.path = path
        self._sessions = {}

    timesteps = property(lambda self: self._native.timesteps)
    encoding = property(lambda self: self._native.encoding)
    readout = property(lambda self: self._native.readout)
    producer = property(lambda self: self._native.producer)
    input_shape = property(lambda self: tuple(self._native.input_shapes[0]))
    output_shape = property(lambda self: tuple(self._native.output_shapes[0]))

    def session(self, backend: str = "auto", seed: int = 0,
                profile: bool = False, spike_log: bool = False,
                record_spines: bool = False,
                reference_kernels: bool = False,
                record_spikes: bool = False) -> "_runtime.Session":
        """A new session (its own memory, profile counters and spike log).

        With `spike_log`, `session.spike_log()` returns the events SpikeCore
        layers emitted in the last run as an [E, 5] uint32 array of (op,
        sample, step, neuron, payload). With `record_spines`,
        `session.recorded_spines(sample)` returns a copy of the model's DRAM
        image (`Dram`) whose input spine tables hold what each layer read for
        that sample in the last run. With `reference_kernels`, the host's
        dense ops run on the runtime's reference loops instead of its dense
        library (oneDNN), for comparisons. With `record_spikes`,
        `session.recorded_spikes()` returns the spikes every spike-writing op
        wrote in the last run, on any backend: {op name: bool array
        [T, *output shape]} (`sparseflow.plot.raster`, `plot.firing_rates`).
        """
        return _runtime.Session(self._native, backend, seed, profile, spike_log,
                                record_spines, reference_kernels, record_spikes)

    def dram(self) -> "_runtime.Dram":
        """A copy of the DRAM spine image the artifact carries."""
        return _runtime.Dram.from_model(self._native)

    def run(self, x, backend: str = "auto", seed: int = 0, session=None,
            progress: Optional[bool] = None) -> np.ndarray:
        """Runs the model on `x` and returns the read-out output.

        `x` is [N, ...] ([T, N, ...] for the spikes encoding); a batch that is
        a multiple of the compiled N runs in chunks of N, with a tqdm progress
        bar when `progress` (default: when there are 8 chunks or more and
        stderr is a terminal, if tqdm is installed).
        """
        if session is None:
            key = (backend, seed)
            if key not in self._sessions:
                self._sessions[key] = self.session(backend, seed)
            session = self._sessions[key]
        x = np.ascontiguousarray(x, dtype=np.float32)
        expected = self.input_shape
        axis = 1 if self.encoding == "spikes" else 0
        out_axis = 1 if self.readout == "all" else 0
        if x.shape == expected:
            return session.run([x])[0]
        if (x.ndim != len(expected) or x.shape[axis] % expected[axis]
                or x.shape[:axis] + x.shape[axis + 1:] != expected[:axis] + expected[axis + 1:]):
            raise ValueError(f"input of shape {x.shape}; the model takes {expected} "
                             f"(or a multiple of its batch along axis {axis})")
        chunks = np.split(x, x.shape[axis] // expected[axis], axis=axis)
        return np.concatenate([session.run([np.ascontiguousarray(c)])[0]
                               for c in _progress(chunks, progress)], axis=out_axis)

    def __repr__(self) -> str:
        return (f"sparseflow.Model({self.path or '<memory>'}, T={self.timesteps}, "
                f"encoding={self.encoding}, readout={self.readout}, "
                f"input={self.input_shape}, output={self.output_shape})")


def load(source: Union[PathLike, bytes], threads: int = 0) -> Model:
    """Loads an artifact from a path or from bytes. `threads` is the number
    of host worker threads its sessions use, the caller's included (0: one
    per hardware thread); models loaded with the same count share them."""
    if isinstance(source, (bytes, bytearray)):
        return Model(_runtime.Model.from_bytes(bytes(source), threads))
    path = pathlib.Path(source)
    return Model(_runtime.Model.from_file(str(path), threads), path)


def compile(model: PathLike, output: Optional[PathLike] = None, *,
            targets: Union[str, Sequence[str]] = "host",
            timesteps: Optional[int] = None, encoding: Optional[str] = None,
            readout: Optional[str] = None, batch: Optional[int] = None,
            block_size: Optional[Union[int, str]] = None,
            calibration: Optional[PathLike] = None, per_channel: bool = False,
            spikecore_config: Optional[PathLike] = None,
            dt: Optional[float] = None, dram_image: bool = False,
            extra_args: Iterable[str] = ()) -> Model:
    """Compiles an ONNX or NIR model with `sfc` and loads the artifact.

    NIR files (recognised by content) are continuous-time: `dt`, the timestep
    in seconds, is required for them (docs/nir.md), as is `timesteps`.

    The artifact is written to `output` (default: the model's path with the
    suffix .sfa). `calibration` (a .npy of model inputs), `per_channel` and
    `spikecore_config` configure SpikeCore quantization and the target.
    `dram_image` embeds the DRAM spine image (`Model.dram()`, spine
    recording; docs/dram-format.md).
    """
    model = pathlib.Path(model)
    output = pathlib.Path(output) if output else model.with_suffix(".sfa")
    if not isinstance(targets, str):
        targets = ",".join(targets)
    args = [_sfc(), "compile", str(model), "-o", str(output), f"--targets={targets}"]
    for flag, value in (("timesteps", timesteps), ("encoding", encoding),
                        ("readout", readout), ("batch", batch), ("block-size", block_size),
                        ("calibration", calibration), ("spikecore-config", spikecore_config),
                        ("dt", None if dt is None else repr(float(dt)))):
        if value is not None:
            args.append(f"--{flag}={value}")
    if per_channel:
        args.append("--per-channel")
    if dram_image:
        args.append("--dram-image")
    args.extend(extra_args)
    result = subprocess.run(args, capture_output=True, text=True)
    if result.returncode != 0:
        raise CompileError(result.stderr.strip() or f"sfc exited with {result.returncode}")
    return load(output)


def estimate(model: PathLike, accelerator: PathLike, *,
             profile: Optional[PathLike] = None, density: Optional[float] = None,
             extra_args: Iterable[str] = ()) -> dict:
    """Energy (pJ) and latency (cycles) of an ONNX model on an accelerator
    description, with the activity of `profile` (the JSON of
    `sf-run --profile-json`) or a stated spike `density`: the JSON of
    `sfc estimate --format=json` (docs/hardware-modelling.md).
    """
    args = [_sfc(), "estimate", str(model), f"--accelerator={accelerator}",
            "--format=json"]
    if profile is not None:
        args.append(f"--profile={profile}")
    if density is not None:
        args.append(f"--density={density}")
    args.extend(extra_args)
    result = subprocess.run(args, capture_output=True, text=True)
    if result.returncode != 0:
        raise CompileError(result.stderr.strip() or f"sfc exited with {result.returncode}")
    return json.loads(result.stdout)


Dram = _runtime.Dram


def load_dram(path: PathLike) -> "_runtime.Dram":
    """Loads and validates a DRAM spine image (`sfc compile --emit=dram`,
    `sf-run --record-spines`); docs/dram-format.md."""
    return _runtime.Dram.from_file(str(path))


def has_backend(name: str) -> bool:
    """Whether the runtime can run `name` (auto, host, cuda, spikecore) here."""
    return _runtime.has_backend(name)


def runtime_version() -> dict:
    """The linked runtime's version and the formats it reads, as
    sf_runtime_version() gives them: major, minor, patch, string,
    artifact_major, artifact_minor (it loads .sfa artifact_major.0 up to
    artifact_major.artifact_minor), dram_major, dram_minor."""
    return _runtime.runtime_version()
