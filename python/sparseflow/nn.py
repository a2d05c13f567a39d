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

    #: The sparseflow-domain ONNX op these neurons export as.
    onnx_op = "LIF"

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if torch.onnx.is_in_onnx_export():
            return _NeuronExport.apply(x, self.onnx_op, self._export_attributes)
        return self._membrane_step(self._input_step(x))

    def _input_step(self, x: torch.Tensor) -> torch.Tensor:
        """What drives the membrane: the input itself."""
        return x

    def _membrane_step(self, x: torch.Tensor) -> torch.Tensor:
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


class CubaLIF(LIF):
    """Current-based LIF neurons (NIR CubaLIF, snnTorch Synaptic): a synaptic
    current `I` (starting at 0) driven by the input feeds `LIF`'s membrane:

        J = I + syn_leak * (0 - I);  I = J + syn_gain * X

    then `LIF`'s step with input `I`. Parameters as `LIF`'s.
    """

    onnx_op = "CubaLIF"

    def __init__(self, syn_leak: Param, leak: Param, syn_gain: Param = 1.0, **kwargs):
        self.syn_leak = _as_param("syn_leak", syn_leak)
        if ((self.syn_leak < 0) | (self.syn_leak > 1)).any():
            raise ValueError(f"syn_leak must lie in [0, 1], got {self.syn_leak.tolist()}")
        self.syn_gain = _as_param("syn_gain", syn_gain)
        super().__init__(leak=leak, **kwargs)

    def reset_state(self) -> None:
        super().reset_state()
        self.i: Optional[torch.Tensor] = None

    def _input_step(self, x: torch.Tensor) -> torch.Tensor:
        i = self.i if self.i is not None else torch.zeros_like(x)
        j = i + self._broadcast(self.syn_leak, x) * (0.0 - i)
        self.i = j + self._broadcast(self.syn_gain, x) * x
        return self.i

    def _canonical_attributes(self) -> dict:
        attrs = super()._canonical_attributes()
        for name in ("syn_leak", "syn_gain"):
            t = getattr(self, name)
            attrs[name] = float(t[0]) if t.numel() == 1 else [float(v) for v in t]
        return attrs


class Recurrent(torch.nn.Module):
    """Vector neurons ([N, K] input) fed back their own spikes of the
    previous step: the input at step t becomes `x[t] + R[t]` with
    `R[t][k] = bias[k] + sum of weight[k][j] over the j that fired at t-1`,
    accumulated from the bias in ascending j (docs/onnx-spike-ops.md), as
    snnTorch's `RLeaky`/`RSynaptic` recur. Exports as the neuron's op with
    the weight and bias as inputs 1 and 2.
    """

    def __init__(self, neuron: LIF, weight: Param, bias: Optional[Param] = None):
        super().__init__()
        if not isinstance(neuron, LIF):
            raise TypeError(f"neuron must be a sparseflow.nn.LIF, got {type(neuron).__name__}")
        weight = torch.as_tensor(weight, dtype=torch.float32).detach().clone()
        if weight.dim() != 2 or weight.shape[0] != weight.shape[1]:
            raise ValueError(f"the recurrent weight must be [K, K], got {tuple(weight.shape)}")
        self.neuron = neuron
        self.register_buffer("weight", weight)
        self.register_buffer("bias", None if bias is None else
                             torch.as_tensor(bias, dtype=torch.float32).detach().clone().reshape(-1))
        self.reset_state()

    def reset_state(self) -> None:
        self.neuron.reset_state()
        self.s: Optional[torch.Tensor] = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if torch.onnx.is_in_onnx_export():
            return _NeuronExport.apply(x, self.neuron.onnx_op, self.neuron.export_attributes(),
                                       self.weight, self.bias)
        if x.dim() != 2 or x.shape[1] != self.weight.shape[0]:
            raise ValueError(f"recurrent neurons take [N, {self.weight.shape[0]}] input, "
                             f"got {tuple(x.shape)}")
        r = (self.bias.to(x.dtype).expand_as(x).clone() if self.bias is not None
             else torch.zeros_like(x))
        if self.s is not None:
            w = self.weight.to(x.dtype)
            for j in range(w.shape[1]):  # the documented order, not a matmul's
                r = r + self.s[:, j:j + 1] * w[:, j]
        self.s = self.neuron(x + r)
        return self.s


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
        if isinstance(module, (LIF, Recurrent)):
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


@torch.no_grad()
def calibrate_thresholds(model: torch.nn.Module, x: torch.Tensor,
                         timesteps: int, density: float,
                         encoding: str = "direct") -> None:
    """Sets the threshold of each `LIF` in `model`, in module order, so that
    it fires at `density` (spikes per neuron and step) on `x`, given the
    thresholds before it: the activity of a trained network, for benchmarks
    and tests of untrained ones (with random weights spikes die out or
    saturate). A bisection on a log scale, 12 steps per neuron layer, that
    ends inside its last interval rather than on a bound: a bound sits on a
    membrane value, where float rounding would decide the spike.
    """
    for lif in [m for m in model.modules() if isinstance(m, LIF)]:
        captured = []
        hook = lif.register_forward_pre_hook(
            lambda module, args: captured.append(args[0].detach().clone()))
        simulate(model, x, timesteps, encoding)
        hook.remove()
        inputs = captured[-timesteps:]

        def firing(threshold):
            lif.v_threshold = torch.full_like(lif.v_threshold, threshold)
            lif.reset_state()
            return sum(float(lif(step).mean()) for step in inputs) / len(inputs)

        lo = 1e-4
        hi = max(float(torch.stack(inputs).abs().max()) * timesteps, 1e-3)
        for _ in range(12):
            mid = (lo * hi) ** 0.5
            if firing(mid) > density:
                lo = mid
            else:
                hi = mid
        lif.v_threshold = torch.full_like(lif.v_threshold, (lo * hi) ** 0.5)
        lif._export_attributes = lif._canonical_attributes()
    reset(model)


class _NeuronExport(torch.autograd.Function):
    """Emits a sparseflow-domain neuron (`op`) during torch.onnx.export, with
    a recurrent weight and bias as inputs 1 and 2 where given."""

    @staticmethod
    def forward(ctx, x, op, attrs, weight=None, bias=None):  # noqa: D401 - shape carrier only
        return torch.zeros_like(x)

    @staticmethod
    def symbolic(g, x, op, attrs, weight=None, bias=None):
        inputs = [x]
        if weight is not None:
            inputs.append(weight)
            if bias is not None:
                inputs.append(bias)
        kwargs = {}
        for name, value in attrs.items():
            if isinstance(value, str):
                kwargs[f"{name}_s"] = value
            elif isinstance(value, int) and not isinstance(value, bool):
                kwargs[f"{name}_i"] = value
            else:
                kwargs[f"{name}_f"] = value
        out = g.op(f"sparseflow::{op}", *inputs, **kwargs)
        out.setType(x.type())
        return out
