"""`sparseflow.optimize(model, example_input)`: a PyTorch spiking network,
compiled ahead of time, as a `torch.nn.Module`.

The module runs the compiled artifact on the host runtime (or the backend
asked for) and takes and returns torch tensors in the form the original
module does:

- a **single-step** model (SpikingJelly `step_mode='s'`, snnTorch
  `init_hidden=True`, `sparseflow.nn`) is called as `module(x)` with
  `x: [N, ...]`; the optimized module presents `x` at each of `timesteps`
  steps (direct encoding) and returns the `readout` over them (default: the
  mean), as `sparseflow.nn.simulate` defines;
- a **multi-step** SpikingJelly model (`MultiStep*` neurons and step
  containers, or `step_mode='m'`) takes `[T, N, ...]` and returns
  `[T, N, ...]`: it is exported one step at a time and compiled with the
  spikes encoding (binary inputs) or the direct one (every step the same),
  and the `all` readout. The caller's model is never modified.

Each batch size (and, multi-step, each T) is compiled once into a cache
directory (`cache_dir`, else `$SPARSEFLOW_CACHE_DIR`, else
`$XDG_CACHE_HOME/sparseflow` or `~/.cache/sparseflow`) keyed by a hash of
the exported model and the options, and reused across processes.

With `check=True` the optimized module is compared with the eager model on
the example; the result (largest difference, fraction of differing
elements, and for an `nn.Sequential` the first layer whose prefix already
differs) is `module.check` and a warning when it exceeds the tolerance.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import os
import pathlib
import tempfile
import warnings
from typing import Optional

import numpy as np
import torch

from sparseflow import nn as sfnn
from sparseflow.export import ExportError, export_onnx


def default_cache_dir() -> pathlib.Path:
    if os.environ.get("SPARSEFLOW_CACHE_DIR"):
        return pathlib.Path(os.environ["SPARSEFLOW_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or pathlib.Path.home() / ".cache"
    return pathlib.Path(base) / "sparseflow"


def _is_multi_step(model: torch.nn.Module) -> bool:
    return any(type(m).__name__.startswith("MultiStep")
               or type(m).__name__ in ("SeqToANNContainer", "StepModeContainer")
               or getattr(m, "step_mode", "s") == "m"
               for m in model.modules())


def _single_step_copy(model: torch.nn.Module) -> torch.nn.Module:
    """A copy of `model` that computes one step per call (SpikingJelly 2.x
    modules switched to step_mode 's'; 0.0.0.0.14's multi-step classes are
    mapped by the exporter as the single-step ones)."""
    single = copy.deepcopy(model)
    for module in single.modules():
        if getattr(module, "step_mode", None) == "m":
            module.step_mode = "s"
    return single


def reset_states(model: torch.nn.Module) -> None:
    """Resets every stateful module the frameworks define: SparseFlow's
    `reset_state`, snnTorch's `reset_mem`, Sinabs' `reset_states`, and a
    `reset()` of any module outside torch itself (SpikingJelly's memory
    modules)."""
    for module in model.modules():
        for name in ("reset_state", "reset_mem", "reset_states"):
            if callable(getattr(module, name, None)):
                getattr(module, name)()
                break
        else:
            if callable(getattr(module, "reset", None)) and \
                    not type(module).__module__.startswith("torch."):
                module.reset()


@dataclasses.dataclass
class CheckResult:
    """How the optimized module compares with the eager model on the
    example (`rtol`, `atol` as numpy.isclose)."""
    max_abs_diff: float
    mismatched: float          # fraction of output elements not close
    rtol: float
    atol: float
    first_diverging_layer: Optional[str] = None
    note: str = ""

    @property
    def ok(self) -> bool:
        return self.mismatched == 0.0

    def __str__(self) -> str:
        text = (f"largest difference {self.max_abs_diff:.3g}, "
                f"{100 * self.mismatched:.3g} % of outputs beyond rtol={self.rtol}, atol={self.atol}")
        if self.first_diverging_layer:
            text += f"; first diverging layer: {self.first_diverging_layer}"
        return text + (f" ({self.note})" if self.note else "")


class OptimizedModule(torch.nn.Module):
    """The compiled form of a spiking network; see sparseflow.optimize."""

    def __init__(self, onnx_bytes: bytes, *, multi_step: bool, timesteps: int, encoding: str,
                 readout: str, backend: str, cache_dir: pathlib.Path, threads: int):
        super().__init__()
        self._onnx = onnx_bytes
        self.multi_step = multi_step
        self.timesteps = timesteps
        self.encoding = encoding
        self.readout = readout
        self.backend = backend
        self.cache_dir = pathlib.Path(cache_dir)
        self.threads = threads
        self.check: Optional[CheckResult] = None
        self._models = {}
        self._digest = hashlib.sha256(onnx_bytes).hexdigest()[:16]

    def artifact(self, batch: int, timesteps: int):
        """The loaded artifact for `batch` (and `timesteps`), compiled into
        the cache on first use."""
        from sparseflow import runtime

        key = (batch, timesteps)
        if key in self._models:
            return self._models[key]
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        options = f"{timesteps}-{self.encoding}-{self.readout}-{batch}"
        path = self.cache_dir / f"{self._digest}-{hashlib.sha256(options.encode()).hexdigest()[:8]}.sfa"
        if not path.exists():
            source = self.cache_dir / f"{self._digest}.onnx"
            if not source.exists():
                source.write_bytes(self._onnx)
            # Written beside and renamed: a concurrent process never loads
            # a half-written artifact.
            with tempfile.TemporaryDirectory(dir=self.cache_dir) as scratch:
                partial = pathlib.Path(scratch) / path.name
                runtime.compile(source, partial, timesteps=timesteps, encoding=self.encoding,
                                readout=self.readout, batch=batch)
                os.replace(partial, path)
        model = runtime.load(path, threads=self.threads)
        self._models[key] = model
        return model

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.multi_step:
            if x.dim() < 2:
                raise ValueError(f"a multi-step model takes [T, N, ...], got {tuple(x.shape)}")
            steps, batch = x.shape[0], x.shape[1]
            if self.encoding == "direct":
                if not bool((x == x[:1]).all()):
                    raise ValueError("this model was optimized for inputs equal at every step "
                                     "(direct encoding); optimize it with a binary example for "
                                     "spike-train inputs")
                array = x[0]
            else:
                array = x
        else:
            steps, batch = self.timesteps, x.shape[0]
            array = x
        model = self.artifact(batch, steps)
        y = model.run(array.detach().to("cpu", torch.float32).numpy(), backend=self.backend)
        return torch.from_numpy(y).to(x.device)

    def extra_repr(self) -> str:
        form = "[T, N, ...] -> [T, N, ...]" if self.multi_step else \
            f"[N, ...] -> {self.readout} over T={self.timesteps}"
        return f"{form}, backend={self.backend}, cache={self.cache_dir}"


def _eager(model: torch.nn.Module, x: torch.Tensor, multi_step: bool, timesteps: int,
           readout: str) -> torch.Tensor:
    reset_states(model)
    with torch.no_grad():
        if multi_step:
            return model(x)
        outputs = torch.stack([model(x) for _ in range(timesteps)])
    reset_states(model)
    return {"mean": lambda o: o.mean(0), "sum": lambda o: o.sum(0),
            "last": lambda o: o[-1], "all": lambda o: o}[readout](outputs)


def _compare(got: torch.Tensor, want: torch.Tensor, rtol: float, atol: float) -> CheckResult:
    got, want = got.detach().cpu().float(), want.detach().cpu().float()
    if got.shape != want.shape:
        return CheckResult(float("inf"), 1.0, rtol, atol,
                           note=f"shapes differ: {tuple(got.shape)} vs {tuple(want.shape)}")
    close = torch.isclose(got, want, rtol=rtol, atol=atol)
    diff = (got - want).abs().max().item() if got.numel() else 0.0
    return CheckResult(diff, 1.0 - close.float().mean().item(), rtol, atol)


def optimize(model: torch.nn.Module, example_input: torch.Tensor, timesteps: Optional[int] = None,
             *, readout: str = "mean", backend: str = "auto",
             cache_dir: Optional[os.PathLike] = None, threads: int = 0, check: bool = False,
             rtol: float = 1e-4, atol: float = 1e-5) -> OptimizedModule:
    """Compiles `model` ahead of time and returns it as a torch module (see
    the module docstring). `timesteps` is required for a single-step model;
    a multi-step model's T is the example's first dimension."""
    multi_step = _is_multi_step(model)
    if multi_step:
        if example_input.dim() < 2:
            raise ExportError(f"a multi-step model takes [T, N, ...]; the example has shape "
                              f"{tuple(example_input.shape)}")
        timesteps = example_input.shape[0]
        binary = bool(((example_input == 0) | (example_input == 1)).all())
        same = bool((example_input == example_input[:1]).all())
        if binary:
            encoding = "spikes"
        elif same:
            encoding = "direct"
        else:
            raise ExportError("a multi-step model's input must be spikes (0 or 1) or the same at "
                              "every step: SparseFlow encodes analog inputs once (direct) and "
                              "takes spike trains as they are")
        step_input, readout = example_input[0], "all"
    else:
        if not isinstance(timesteps, int) or timesteps < 1:
            raise ExportError("timesteps (a positive integer) is required for a single-step model")
        encoding, step_input = "direct", example_input
    single = _single_step_copy(model)
    with tempfile.TemporaryDirectory() as scratch:
        path = pathlib.Path(scratch) / "model.onnx"
        export_onnx(single, step_input.detach().cpu().float(), str(path), timesteps=timesteps,
                    encoding=encoding, readout=readout)
        onnx_bytes = path.read_bytes()
    optimized = OptimizedModule(onnx_bytes, multi_step=multi_step, timesteps=timesteps,
                                encoding=encoding, readout=readout, backend=backend,
                                cache_dir=pathlib.Path(cache_dir) if cache_dir else default_cache_dir(),
                                threads=threads)
    if check:
        optimized.check = _check(model, optimized, example_input, multi_step, timesteps,
                                 readout, rtol, atol)
        if not optimized.check.ok:
            warnings.warn(f"sparseflow.optimize: the compiled model differs from the eager one "
                          f"on the example: {optimized.check}")
    return optimized


def _check(model, optimized, x, multi_step, timesteps, readout, rtol, atol) -> CheckResult:
    want = _eager(copy.deepcopy(model), x, multi_step, timesteps, readout)
    result = _compare(optimized(x), want, rtol, atol)
    if result.ok:
        return result
    if not isinstance(model, torch.nn.Sequential):
        result.note = "the first diverging layer is located for nn.Sequential models"
        return result
    # The shortest prefix whose compiled form already differs.
    for k in range(1, len(model) + 1):
        prefix = model[:k]
        try:
            compiled = optimize(prefix, x, None if multi_step else timesteps, readout=readout,
                                backend=optimized.backend, cache_dir=optimized.cache_dir)
        except ExportError:
            continue
        step = _compare(compiled(x), _eager(copy.deepcopy(prefix), x, multi_step, timesteps,
                                            readout), rtol, atol)
        if not step.ok:
            name = list(model._modules)[k - 1]
            result.first_diverging_layer = f"{name} ({type(model[k - 1]).__name__})"
            break
    return result
