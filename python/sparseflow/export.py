"""Export PyTorch spiking networks to SparseFlow's ONNX form.

Neurons become `sparseflow::LIF` (or `CubaLIF`) nodes carrying the
canonical attributes of docs/semantics.md, recurrent ones with their weight
and bias as inputs; the model's timesteps, encoding and readout go into
`metadata_props`. SpikingJelly `LIFNode`/`IFNode`/`ParametricLIFNode` and
snnTorch `Leaky`, `Synaptic`, `RLeaky` and `RSynaptic` and Sinabs `IAF`,
`LIF` (and their `Squeeze` forms) modules are recognized by class name and
attributes (those libraries need not be installed) and mapped exactly, or
rejected with an `ExportError` that names the module and the reason; any
other layer of an SNN library is rejected too.
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


#: SpikingJelly's neurons, single-step and (0.0.0.0.14's classes) multi-step:
#: exported one step at a time, both are the same neuron.
_SPIKINGJELLY_NEURONS = ("LIFNode", "IFNode", "ParametricLIFNode", "MultiStepLIFNode",
                         "MultiStepIFNode", "MultiStepParametricLIFNode")


def _spikingjelly_neuron(name: str, module) -> sfnn.LIF:
    kind = type(module).__name__.replace("MultiStep", "")
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


def _snntorch_neuron(name: str, module, kind: str) -> torch.nn.Module:
    """snnTorch 1.0's `Leaky`, `Synaptic`, `RLeaky`, `RSynaptic`: the membrane
    `mem = beta*mem + I - thr*r` fires on `mem > thr`; `I` is the input, the
    synaptic current `syn = alpha*syn + X` (Synaptic) and, for the recurrent
    ones, `X + rec(spk[t-1])`. As canonical neurons, with their recurrent
    connection where they have one."""
    graded = _param(getattr(module, "graded_spikes_factor", 1.0))
    if graded != 1.0:
        raise ExportError(f"{name}: snnTorch {kind} with graded_spikes_factor="
                          f"{graded} emits non-binary spikes")
    if getattr(module, "inhibition", False):
        raise ExportError(f"{name}: snnTorch {kind} with inhibition=True couples "
                          "neurons (winner-take-all), which has no canonical form")
    if getattr(module, "state_quant", False):
        raise ExportError(f"{name}: snnTorch {kind} with state_quant quantizes its "
                          "state, which has no canonical form")
    if not getattr(module, "init_hidden", False) or getattr(module, "output", False):
        raise ExportError(f"{name}: snnTorch {kind} must use init_hidden=True and "
                          "output=False so that it maps input to spikes; with "
                          "init_hidden=False its state is passed in and out by the "
                          "caller, which export cannot follow")
    mechanism = getattr(module, "reset_mechanism", "subtract")
    delay = bool(getattr(module, "reset_delay", True))
    if mechanism not in ("subtract", "zero", "none"):
        raise ExportError(f"{name}: snnTorch {kind} reset_mechanism={mechanism!r} "
                          "is not one of ['none', 'subtract', 'zero']")
    if mechanism == "subtract" and not delay:
        raise ExportError(f"{name}: snnTorch {kind} reset_mechanism='subtract' with "
                          "reset_delay=False decides each spike after subtracting a reset "
                          "re-evaluated on the already reset membrane; it has no "
                          "canonical form (use reset_delay=True, the default)")
    if mechanism == "zero" and kind != "Leaky":
        raise ExportError(f"{name}: snnTorch {kind} reset_mechanism='zero' discards the "
                          "whole membrane (input included) in the step after a spike; it "
                          "has no canonical form (use 'subtract' or 'none')")
    clamp = lambda v: v.detach().clamp(0, 1) if isinstance(v, torch.Tensor) \
        else min(max(float(v), 0.0), 1.0)
    resets = {"subtract": ("soft", None), "zero": ("hard", 0.0), "none": ("none", None)}
    reset, v_reset = resets[mechanism]
    lif = dict(leak=_param(1 - clamp(module.beta)), gain=1.0,
               v_threshold=_param(module.threshold), v_reset=v_reset, reset=reset,
               fire="gt", reset_delay=delay and mechanism != "none")
    if kind in ("Leaky", "RLeaky"):
        neuron = sfnn.LIF(**lif)
    else:
        neuron = sfnn.CubaLIF(syn_leak=_param(1 - clamp(module.alpha)), **lif)
    if kind in ("Leaky", "Synaptic"):
        return neuron
    recurrent = module.recurrent
    if isinstance(recurrent, torch.nn.Linear):
        return sfnn.Recurrent(neuron, recurrent.weight, recurrent.bias)
    if type(recurrent).__name__ == "RecurrentOneToOne":
        v = torch.as_tensor(recurrent.V, dtype=torch.float32).detach().flatten()
        if v.numel() == 1:
            raise ExportError(f"{name}: snnTorch {kind} one-to-one with a scalar V: give V "
                              "one value per neuron so that the layer's width is known")
        return sfnn.Recurrent(neuron, torch.diag(v))
    raise ExportError(f"{name}: snnTorch {kind} with a {type(recurrent).__name__} recurrent "
                      "connection: only Linear (all_to_all with linear_features) and "
                      "one-to-one (V) recurrence is supported, not convolutional")


def _sinabs_neuron(name: str, module, kind: str) -> sfnn.LIF:
    """Sinabs `IAF`, `LIF` (and their `Squeeze` forms, which differ only in
    how they reshape [batch*time, ...]): `i_syn = alpha_syn*(i_syn + X)` where
    there is a `tau_syn`, `v = alpha*v + I` (`(1 - alpha)*I` with
    `norm_input`), fire on `v >= threshold`, then subtract the threshold or
    reset to 0; IAF has alpha = 1 and no input norm."""
    spike_fn = getattr(module, "spike_fn", None)
    if getattr(spike_fn, "__name__", "") != "SingleSpike":
        raise ExportError(f"{name}: Sinabs {kind} with spike_fn="
                          f"{getattr(spike_fn, '__name__', spike_fn)} emits spike counts, not "
                          "binary spikes; use spike_fn=sinabs.activation.SingleSpike")
    if getattr(module, "min_v_mem", None) is not None:
        raise ExportError(f"{name}: Sinabs {kind} with min_v_mem clips the membrane, "
                          "which has no canonical form")
    threshold = _param(module.spike_threshold)
    reset_fn = module.reset_fn
    reset_kind = type(reset_fn).__name__
    subtract = getattr(reset_fn, "subtract_value", None)
    if reset_kind == "MembraneSubtract" and subtract in (None, threshold):
        reset = dict(reset="soft")
    elif reset_kind == "MembraneReset" and float(reset_fn.reset_value) == 0.0:
        reset = dict(reset="hard", v_reset=0.0)
    else:
        raise ExportError(f"{name}: Sinabs {kind} with reset_fn={reset_fn!r}: only "
                          "MembraneSubtract() and MembraneReset(reset_value=0) have canonical "
                          "forms (Sinabs adds a non-zero reset_value to every neuron)")
    if kind.startswith("IAF"):
        leak, gain = 0.0, 1.0
    else:
        alpha = module.alpha_mem_calculated.detach().to(torch.float32)
        leak = _param(1 - alpha)
        gain = leak if getattr(module, "norm_input", True) else 1.0
    lif = dict(leak=leak, gain=gain, v_threshold=threshold, fire="ge", **reset)
    alpha_syn = module.alpha_syn_calculated
    if alpha_syn is None:
        return sfnn.LIF(**lif)
    alpha_syn = alpha_syn.detach().to(torch.float32)
    return sfnn.CubaLIF(syn_leak=_param(1 - alpha_syn), syn_gain=_param(alpha_syn), **lif)


#: Libraries whose layers the exporter either maps or refuses: any other
#: module from them may keep state it cannot see.
_SNN_LIBRARIES = ("spikingjelly", "snntorch", "sinabs", "norse", "lava", "rockpool", "spyx")
#: Their stateless layers.
_STATELESS = {"Flatten", "FlattenTime", "UnflattenTime"}
#: SpikingJelly's containers that apply their layers to every step of a
#: [T, N, ...] sequence: exported one step at a time, they are their layers.
_STEP_CONTAINERS = {"SeqToANNContainer", "MultiStepContainer", "StepModeContainer"}


def to_canonical(module: torch.nn.Module, name: str = "") -> Optional[torch.nn.Module]:
    """The SparseFlow equivalent of a framework neuron module (a
    `sparseflow.nn.LIF`, `CubaLIF`, or `Recurrent` around one), or None when
    `module` is not a neuron. Raises ExportError for neurons that cannot be
    mapped exactly."""
    if isinstance(module, (sfnn.LIF, sfnn.Recurrent)):
        return module
    kind = type(module).__name__
    if kind in _SPIKINGJELLY_NEURONS and hasattr(module, "v_threshold"):
        return _spikingjelly_neuron(name or kind, module)
    if kind in ("Leaky", "Synaptic", "RLeaky", "RSynaptic") and hasattr(module, "beta"):
        return _snntorch_neuron(name or kind, module, kind)
    if kind in ("IAF", "IAFSqueeze", "LIF", "LIFSqueeze") and hasattr(module, "spike_fn"):
        return _sinabs_neuron(name or kind, module, kind)
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
    library = type(module).__module__.split(".")[0]
    if library in _SNN_LIBRARIES and kind not in _STATELESS | _STEP_CONTAINERS:
        raise ExportError(f"{name or kind}: {library}'s {kind} ({type(module).__module__}) "
                          "is not a layer SparseFlow maps; a neuron must be one of "
                          "docs/semantics.md's mapped classes, other layers torch.nn ones")
    return None


def _replace_neurons(model: torch.nn.Module, path: str = "") -> torch.nn.Module:
    """`model` with each framework neuron replaced by its canonical module;
    a neuron's own submodules (a recurrent connection) are its business."""
    neuron = to_canonical(model, path)
    if neuron is not None:
        return neuron
    if type(model).__name__ in _STEP_CONTAINERS:
        model = torch.nn.Sequential(*model.children())
    for name, child in list(model.named_children()):
        replaced = _replace_neurons(child, f"{path}.{name}" if path else name)
        if replaced is not child:
            setattr(model, name, replaced)
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
    # PyTorch's MultiheadAttention takes a fused kernel ONNX cannot express
    # (_native_multi_head_attention) in inference unless autograd tracks its
    # weights: export those models with gradients enabled.
    attention = any(isinstance(m, torch.nn.MultiheadAttention) for m in exported.modules())
    with torch.enable_grad() if attention else torch.no_grad(), warnings.catch_warnings():
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
