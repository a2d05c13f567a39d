"""Export PyTorch spiking networks to SparseFlow's ONNX form.

Neurons become `sparseflow::LIF` (or `CubaLIF`) nodes carrying the
canonical attributes of docs/semantics.md, recurrent ones with their weight
and bias as inputs; the model's timesteps, encoding and readout go into
`metadata_props`. SpikingJelly `LIFNode`/`IFNode`/`ParametricLIFNode` and
snnTorch `Leaky`, `Synaptic`, `RLeaky` and `RSynaptic` modules are recognized
by class name and attributes (those libraries need not be installed) and
mapped exactly, or rejected with an `ExportError` that names the module and
the reason.
"""

from __future__ import annotations

import copy
import warnings
from typing import Optional, Sequence

import torch

from sparseflow import nn as sfnn

ENCODINGS = ("direct", "rate", "spikes")
READOUTS = ("mean", "sum", "last", "all")


class ExportError(ValueError):
    """A model that cannot be expressed exactly in SparseFlow's ONNX form."""


def _param(value):
    """A float, or a list for per-neuron/per-channel tensors."""
    if isinstance(value, torch.Tensor):
        value = value.detach().to(torch.float32).flatten()
        return float(value[0]) if value.numel() == 1 else value.tolist()
    return float(value)


def _spikingjelly_neuron(name: str, module) -> sfnn.LIF:
    kind = type(module).__name__
    if getattr(module, "step_mode", "s") != "s":
        raise ExportError(f"{name}: SpikingJelly {kind} with step_mode="
                          f"{module.step_mode!r}; export needs step_mode='s' "
                          "(one timestep per call)")
    v_threshold = _param(module.v_threshold)
    v_reset = module.v_reset
    hard = v_reset is not None
    common = dict(v_threshold=v_threshold, fire="ge")
    if hard:
        v_reset = _param(v_reset)
        common.update(v_reset=v_reset, v_init=v_reset, reset="hard")
    if kind == "IFNode":
        return sfnn.IF(**common)
    if kind == "ParametricLIFNode":
        tau_inverse = torch.sigmoid(module.w.detach()).item()  # 1 / tau
        leak = tau_inverse
    else:
        tau = float(module.tau)
        if not tau >= 1.0:
            raise ExportError(f"{name}: SpikingJelly LIFNode with tau={tau}: "
                              "leak = 1/tau would exceed 1")
        leak = 1.0 / tau
    gain = leak if getattr(module, "decay_input", True) else 1.0
    return sfnn.LIF(leak=leak, gain=gain, v_leak=v_reset if hard else 0.0,
                    **common)


def _snntorch_leaky(name: str, module) -> sfnn.LIF:
    graded = _param(getattr(module, "graded_spikes_factor", 1.0))
    if graded != 1.0:
        raise ExportError(f"{name}: snnTorch Leaky with graded_spikes_factor="
                          f"{graded} emits non-binary spikes")
    if getattr(module, "inhibition", False):
        raise ExportError(f"{name}: snnTorch Leaky with inhibition=True couples "
                          "neurons (winner-take-all), which has no canonical form")
    if not getattr(module, "init_hidden", False) or getattr(module, "output", False):
        raise ExportError(f"{name}: snnTorch Leaky must use init_hidden=True and "
                          "output=False so that it maps input to spikes")
    beta = module.beta
    beta = beta.detach().clamp(0, 1) if isinstance(beta, torch.Tensor) else min(max(float(beta), 0.0), 1.0)
    leak = _param(1 - beta)
    mechanism = getattr(module, "reset_mechanism", "subtract")
    resets = {"subtract": ("soft", None), "zero": ("hard", 0.0), "none": ("none", None)}
    if mechanism not in resets:
        raise ExportError(f"{name}: snnTorch Leaky reset_mechanism={mechanism!r} "
                          f"is not one of {sorted(resets)}")
    reset, v_reset = resets[mechanism]
    return sfnn.LIF(leak=leak, gain=1.0, v_threshold=_param(module.threshold),
                    v_reset=v_reset, reset=reset, fire="gt",
                    reset_delay=bool(getattr(module, "reset_delay", True)))


def _snntorch_recurrent_family(name: str, module, kind: str) -> torch.nn.Module:
    """snnTorch `Synaptic`, `RLeaky`, `RSynaptic` (snnTorch 1.0): the membrane
    `mem = beta*mem + I - thr*r`, `r` the previous step's spike, with
    `I = syn = alpha*syn + X (+ rec)` for the synaptic ones, `X + rec` for
    RLeaky, as the canonical neurons with a delayed soft reset."""
    graded = _param(getattr(module, "graded_spikes_factor", 1.0))
    if graded != 1.0 or getattr(module, "inhibition", False) or getattr(module, "state_quant", False):
        raise ExportError(f"{name}: snnTorch {kind} with graded spikes, inhibition or state "
                          "quantization has no canonical form")
    if not getattr(module, "init_hidden", False) or getattr(module, "output", False):
        raise ExportError(f"{name}: snnTorch {kind} must use init_hidden=True and output=False so "
                          "that it maps input to spikes; with init_hidden=False its state is "
                          "passed in and out by the caller, which export cannot follow")
    mechanism = getattr(module, "reset_mechanism", "subtract")
    delay = bool(getattr(module, "reset_delay", True))
    if mechanism == "zero":
        raise ExportError(f"{name}: snnTorch {kind} reset_mechanism='zero' discards the whole "
                          "membrane (input included) in the step after a spike; it has no "
                          "canonical form (use 'subtract' or 'none')")
    if mechanism == "subtract" and not delay:
        raise ExportError(f"{name}: snnTorch {kind} with reset_delay=False decides each spike "
                          "after subtracting a reset re-evaluated on the already reset membrane; "
                          "it has no canonical form (use reset_delay=True, the default)")
    if mechanism not in ("subtract", "none"):
        raise ExportError(f"{name}: snnTorch {kind} reset_mechanism={mechanism!r} is not one of "
                          "'subtract', 'none'")
    clamp = lambda v: v.detach().clamp(0, 1) if isinstance(v, torch.Tensor) else min(max(float(v), 0.0), 1.0)
    lif = dict(leak=_param(1 - clamp(module.beta)), gain=1.0,
               v_threshold=_param(module.threshold), fire="gt",
               reset="soft" if mechanism == "subtract" else "none",
               reset_delay=mechanism == "subtract")
    neuron = (sfnn.CubaLIF(syn_leak=_param(1 - clamp(module.alpha)), **lif)
              if kind in ("Synaptic", "RSynaptic") else sfnn.LIF(**lif))
    if kind == "Synaptic":
        return neuron
    recurrent = module.recurrent
    if isinstance(recurrent, torch.nn.Linear):
        return sfnn.Recurrent(neuron, recurrent.weight,
                              recurrent.bias if recurrent.bias is not None else None)
    if type(recurrent).__name__ == "RecurrentOneToOne":
        v = torch.as_tensor(recurrent.V, dtype=torch.float32).detach().flatten()
        if v.numel() == 1:
            raise ExportError(f"{name}: snnTorch {kind} one-to-one with a scalar V: give V one "
                              "value per neuron so that the layer's width is known")
        return sfnn.Recurrent(neuron, torch.diag(v))
    raise ExportError(f"{name}: snnTorch {kind} with a {type(recurrent).__name__} recurrent "
                      "connection: only Linear (all_to_all with linear_features) and one-to-one "
                      "(V) recurrence is supported, not convolutional")


def to_canonical(module: torch.nn.Module, name: str = "") -> Optional[torch.nn.Module]:
    """The SparseFlow equivalent of a framework neuron module (a
    `sparseflow.nn.LIF`, `CubaLIF`, or `Recurrent` around one), or None when
    `module` is not a neuron. Raises ExportError for neurons that cannot be
    mapped exactly."""
    if isinstance(module, (sfnn.LIF, sfnn.Recurrent)):
        return module
    kind = type(module).__name__
    if kind in ("LIFNode", "IFNode", "ParametricLIFNode") and hasattr(module, "v_threshold"):
        return _spikingjelly_neuron(name or kind, module)
    if kind == "Leaky" and hasattr(module, "beta"):
        return _snntorch_leaky(name or kind, module)
    if kind in ("Synaptic", "RLeaky", "RSynaptic") and hasattr(module, "beta"):
        return _snntorch_recurrent_family(name or kind, module, kind)
    unsupported = {
        "QIFNode": "a quadratic (non-linear) charge",
        "EIFNode": "an exponential (non-linear) charge",
        "IzhikevichNode": "two state variables",
        "Alpha": "two synaptic state variables",
        "Lapicque": "no mapping yet",
    }
    if kind in unsupported:
        raise ExportError(f"{name or kind}: {kind} has {unsupported[kind]}; it "
                          "has no exact canonical LIF form")
    return None


def _replace_neurons(model: torch.nn.Module) -> torch.nn.Module:
    root = to_canonical(model, "")
    if root is not None:
        return root
    for name, parent in list(model.named_modules()):
        for child_name, child in list(parent.named_children()):
            path = f"{name}.{child_name}" if name else child_name
            neuron = to_canonical(child, path)
            if neuron is not None and neuron is not child:
                setattr(parent, child_name, neuron)
    return model


def export_onnx(model: torch.nn.Module, example_input: torch.Tensor, path: str,
                timesteps: int, encoding: str = "direct", readout: str = "mean",
                opset_version: int = 13, input_names: Sequence[str] = ("input",),
                output_names: Sequence[str] = ("output",),
                dynamic_batch: bool = True) -> None:
    """Writes `model`, evaluated for one timestep on `example_input`, as an
    ONNX file in SparseFlow's form. The model itself is left unchanged."""
    import onnx

    if not isinstance(timesteps, int) or timesteps < 1:
        raise ExportError(f"timesteps must be a positive integer, got {timesteps!r}")
    if encoding not in ENCODINGS:
        raise ExportError(f"encoding must be one of {ENCODINGS}, got {encoding!r}")
    if readout not in READOUTS:
        raise ExportError(f"readout must be one of {READOUTS}, got {readout!r}")

    exported = _replace_neurons(copy.deepcopy(model)).eval()
    sfnn.reset(exported)
    dynamic_axes = None
    if dynamic_batch:
        dynamic_axes = {n: {0: "batch"} for n in list(input_names) + list(output_names)}
    with torch.no_grad(), warnings.catch_warnings():
        # torch cannot infer the custom op's shape; SparseFlow's importer does.
        warnings.filterwarnings("ignore", message=".*shape inference of sparseflow::.*")
        warnings.filterwarnings("ignore", message=".*_graph_op' is deprecated.*")
        torch.onnx.export(exported, (example_input,), path,
                          opset_version=opset_version,
                          input_names=list(input_names),
                          output_names=list(output_names),
                          dynamic_axes=dynamic_axes,
                          custom_opsets={"sparseflow": 1},
                          do_constant_folding=True)
    proto = onnx.load(path)
    for key, value in (("sparseflow.timesteps", str(timesteps)),
                       ("sparseflow.encoding", encoding),
                       ("sparseflow.readout", readout)):
        entry = proto.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.save(proto, path)
