"""Reference spiking neurons: the canonical LIF form of docs/semantics.md.

Every SparseFlow target is tested against these modules. They run one
timestep per call and keep their membrane state between calls; call
`reset_state()` (or `sparseflow.nn.reset(model)`) before a new sequence.
The arithmetic follows the documented order exactly, in the input's dtype,
with no fused multiply-add:

    d = v_leak - V;  H = V + leak * d;  H = H + gain * X
"""

from __future__ import annotations

from typing import Optional, Sequence, Union

import numpy as np
import torch

Param = Union[float, Sequence[float], torch.Tensor]

_RESETS = ("hard", "soft", "none")
_FIRES = ("ge", "gt")


def _as_param(name: str, value: Param) -> torch.Tensor:
    tensor = torch.as_tensor(value, dtype=torch.float32).detach().flatten().clone()
    if tensor.numel() == 0:
        raise ValueError(f"{name}: expected a scalar or one value per channel, got none")
    if not torch.isfinite(tensor).all():
        raise ValueError(f"{name}: values must be finite, got {tensor.tolist()}")
    return tensor


class LIF(torch.nn.Module):
    """Leaky integrate-and-fire neurons in SparseFlow's canonical form.

    Each parameter is a scalar or holds one value per channel (dimension 1 of
    the input). `reset` defaults to "hard" when `v_reset` is given, else "soft".
    """

    def __init__(
        self,
        leak: Param,
        v_threshold: Param = 1.0,
        gain: Param = 1.0,
        v_leak: Param = 0.0,
        v_reset: Optional[Param] = None,
        v_init: Param = 0.0,
        reset: Optional[str] = None,
        fire: str = "ge",
        reset_delay: bool = False,
    ):
        super().__init__()
        reset = reset or ("hard" if v_reset is not None else "soft")
        if reset not in _RESETS:
            raise ValueError(f"reset must be one of {_RESETS}, got {reset!r}")
        if fire not in _FIRES:
            raise ValueError(f"fire must be one of {_FIRES}, got {fire!r}")
        if (reset == "hard") != (v_reset is not None):
            raise ValueError("v_reset must be given exactly when reset='hard'")
        self.leak = _as_param("leak", leak)
        if ((self.leak < 0) | (self.leak > 1)).any():
            raise ValueError(f"leak must lie in [0, 1], got {self.leak.tolist()}")
        self.v_threshold = _as_param("v_threshold", v_threshold)
        if (self.v_threshold <= 0).any():
            raise ValueError(f"v_threshold must be positive, got {self.v_threshold.tolist()}")
        self.gain = _as_param("gain", gain)
        self.v_leak = _as_param("v_leak", v_leak)
        self.v_reset = None if v_reset is None else _as_param("v_reset", v_reset)
        self.v_init = _as_param("v_init", v_init)
        self.reset = reset
        self.fire = fire
        self.reset_delay = bool(reset_delay)
        # Computed once: converting tensors while torch.onnx traces would warn.
        self._export_attributes = self._canonical_attributes()
        self.reset_state()

    def reset_state(self) -> None:
        """Forgets the membrane state: the next call is timestep 0."""
        self.v: Optional[torch.Tensor] = None
        self.s: Optional[torch.Tensor] = None

    def _broadcast(self, param: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        param = param.to(dtype=x.dtype, device=x.device)
        if param.numel() == 1:
            return param.reshape(())
        if x.dim() < 2 or x.shape[1] != param.numel():
            raise ValueError(
                f"per-channel parameter of {param.numel()} values does not match "
                f"input of shape {tuple(x.shape)} (channels are dimension 1)"
            )
        return param.reshape((1, -1) + (1,) * (x.dim() - 2))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if torch.onnx.is_in_onnx_export():
            return _NeuronExport.apply(x, self._export_attributes)
        p = {name: self._broadcast(getattr(self, name), x)
             for name in ("leak", "gain", "v_leak", "v_threshold", "v_init")}
        v = self.v if self.v is not None else p["v_init"].expand_as(x).clone()
        s_prev = self.s if self.s is not None else torch.zeros_like(x)
        if self.reset_delay and self.reset == "hard":
            v = torch.where(s_prev.bool(), self._broadcast(self.v_reset, x).expand_as(x), v)
        h = v + p["leak"] * (p["v_leak"] - v)
        h = h + p["gain"] * x
        if self.reset_delay and self.reset == "soft":
            h = h - p["v_threshold"] * s_prev
        spikes = (h >= p["v_threshold"]) if self.fire == "ge" else (h > p["v_threshold"])
        spikes = spikes.to(x.dtype)
        if self.reset_delay or self.reset == "none":
            v_next = h
        elif self.reset == "hard":
            v_next = torch.where(spikes.bool(), self._broadcast(self.v_reset, x).expand_as(x), h)
        else:
            v_next = h - p["v_threshold"] * spikes
        self.v, self.s = v_next, spikes
        return spikes

    def export_attributes(self) -> dict:
        """The canonical attributes of the sparseflow::LIF node."""
        return dict(self._export_attributes)

    def _canonical_attributes(self) -> dict:
        def value(t: torch.Tensor):
            return float(t[0]) if t.numel() == 1 else [float(v) for v in t]

        attrs = {
            "leak": value(self.leak),
            "gain": value(self.gain),
            "v_leak": value(self.v_leak),
            "v_threshold": value(self.v_threshold),
            "v_init": value(self.v_init),
            "reset": self.reset,
            "fire": self.fire,
            "reset_delay": int(self.reset_delay),
        }
        if self.v_reset is not None:
            attrs["v_reset"] = value(self.v_reset)
        return attrs

    def extra_repr(self) -> str:
        attrs = self.export_attributes()
        return ", ".join(f"{k}={v}" for k, v in attrs.items())


class IF(LIF):
    """Integrate-and-fire neurons: `LIF` with `leak = 0`."""

    def __init__(self, v_threshold: Param = 1.0, gain: Param = 1.0,
                 v_reset: Optional[Param] = None, v_init: Param = 0.0,
                 reset: Optional[str] = None, fire: str = "ge",
                 reset_delay: bool = False):
        super().__init__(leak=0.0, v_threshold=v_threshold, gain=gain,
                         v_reset=v_reset, v_init=v_init, reset=reset, fire=fire,
                         reset_delay=reset_delay)


def reset(model: torch.nn.Module) -> None:
    """Resets the state of every SparseFlow neuron in `model`."""
    for module in model.modules():
        if isinstance(module, LIF):
            module.reset_state()


def rate_uniform(seed: int, counters: np.ndarray) -> np.ndarray:
    """The rate encoder's uniform numbers in [0, 1) (docs/semantics.md).

    The (k+1)-th output of SplitMix64 seeded with `seed`, top 24 bits.
    """
    with np.errstate(over="ignore"):
        z = np.uint64(seed) + (counters.astype(np.uint64) + np.uint64(1)) * np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(40)).astype(np.float32) * np.float32(1.0 / 16777216.0)


def rate_encode(x: torch.Tensor, timesteps: int, seed: int = 0) -> torch.Tensor:
    """Bernoulli spikes [T, *x.shape]: step t of element i fires when
    rate_uniform(seed, t * x.numel() + i) < x[i]."""
    n = x.numel()
    counters = np.arange(timesteps * n, dtype=np.uint64)
    u = torch.from_numpy(rate_uniform(seed, counters).reshape((timesteps,) + tuple(x.shape)))
    return (u < x.to(torch.float32).unsqueeze(0)).to(torch.float32)


@torch.no_grad()
def simulate(model: torch.nn.Module, x: torch.Tensor, timesteps: int,
             encoding: str = "direct", readout: str = "mean",
             seed: int = 0) -> torch.Tensor:
    """Runs `model` for `timesteps` steps from a fresh state, as the runtime
    does: the reference for compiled artifacts.

    `x` is [N, ...] (direct, rate) or [T, N, ...] (spikes); the result is
    [N, ...], or [T, N, ...] for the `all` readout.
    """
    reset(model)
    if encoding == "direct":
        steps = [x] * timesteps
    elif encoding == "rate":
        steps = list(rate_encode(x, timesteps, seed))
    elif encoding == "spikes":
        steps = list(x)
    else:
        raise ValueError(f"unknown encoding {encoding!r}")
    outputs = torch.stack([model(step) for step in steps])
    reset(model)
    if readout == "mean":
        return outputs.mean(0)
    if readout == "sum":
        return outputs.sum(0)
    if readout == "last":
        return outputs[-1]
    if readout == "all":
        return outputs
    raise ValueError(f"unknown readout {readout!r}")


class _NeuronExport(torch.autograd.Function):
    """Emits sparseflow::LIF during torch.onnx.export."""

    @staticmethod
    def forward(ctx, x, attrs):  # noqa: D401 - shape carrier only
        return torch.zeros_like(x)

    @staticmethod
    def symbolic(g, x, attrs):
        kwargs = {}
        for name, value in attrs.items():
            if isinstance(value, str):
                kwargs[f"{name}_s"] = value
            elif isinstance(value, int) and not isinstance(value, bool):
                kwargs[f"{name}_i"] = value
            else:
                kwargs[f"{name}_f"] = value
        out = g.op("sparseflow::LIF", x, **kwargs)
        out.setType(x.type())
        return out
