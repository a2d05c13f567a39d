"""Plots of a run (matplotlib): spike rasters and per-layer firing rates of
any backend's run (a session with `record_spikes`), the SpikeCore event
raster, the quantized weight distribution per layer and the partitioned
graph.

Each function draws into `ax` (a new figure when None) and returns the axes.
"""

import json
from typing import Sequence, Union

import numpy as np


def _axes(ax, size=(6, 4)):
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    return plt.figure(figsize=size).add_subplot()


def spike_raster(log: np.ndarray, op: int, sample: int = 0, ax=None, title: str = ""):
    """Raster of the events layer `op` emitted for one sample: timestep on x,
    neuron on y, dot size by payload (graded events). `log` is
    Session.spike_log() or sf-run --spike-log: rows (op, sample, step,
    neuron, payload)."""
    ax = _axes(ax)
    rows = log[(log[:, 0] == op) & (log[:, 1] == sample)]
    sizes = 4 + 16 * rows[:, 4] / max(1, rows[:, 4].max()) if len(rows) else 4
    ax.scatter(rows[:, 2], rows[:, 3], s=sizes, marker="|" if np.all(rows[:, 4] <= 1) else "o")
    ax.set_xlabel("timestep")
    ax.set_ylabel("neuron")
    ax.set_title(title or f"op {op}, sample {sample}: {len(rows)} events")
    return ax


def raster(record: dict, layer: Union[str, int] = 0, sample: int = 0, ax=None,
           max_neurons: int = 512):
    """Raster of the spikes one op wrote for one sample: timestep on x,
    neuron (its output's elements, row-major) on y. `record` is
    `Session.recorded_spikes()` of a session created with `record_spikes`;
    `layer` an op name or its position among the recorded ones. Shows the
    first `max_neurons` neurons."""
    names = list(record)
    name = names[layer] if isinstance(layer, int) else layer
    spikes = np.asarray(record[name])[:, sample].reshape(record[name].shape[0], -1)
    spikes = spikes[:, :max_neurons]
    steps, neurons = np.nonzero(spikes)
    ax = _axes(ax)
    ax.scatter(steps, neurons, s=6, marker="|")
    ax.set_xlim(-0.5, spikes.shape[0] - 0.5)
    ax.set_xlabel("timestep")
    ax.set_ylabel("neuron")
    ax.set_title(f"{name}, sample {sample}: {len(steps)} spikes, "
                 f"{100 * spikes.mean():.1f} % of neuron-steps")
    return ax


def firing_rates(record: dict) -> dict:
    """The fraction of neuron-steps that fired, per recorded op."""
    return {name: float(np.asarray(spikes).mean()) for name, spikes in record.items()}


def layer_density(record: dict, ax=None):
    """Bar chart of `firing_rates(record)`: the spike density of each
    spike-writing op, in plan order."""
    rates = firing_rates(record)
    ax = _axes(ax, size=(max(4, 0.5 * len(rates)), 4))
    ax.bar(range(len(rates)), [100 * r for r in rates.values()])
    ax.set_xticks(range(len(rates)))
    ax.set_xticklabels(list(rates), rotation=45, ha="right", fontsize=8)
    ax.set_ylabel("firing rate (% of neuron-steps)")
    return ax


def weight_histograms(layers: Sequence[dict], ax=None):
    """Distribution of each layer's int8 weights. `layers` are dicts with
    "name" and "weights" (e.g. sparseflow.spikecore.quantized_layers of
    `sfc compile --emit=spikecore-json`)."""
    ax = _axes(ax)
    bins = np.arange(-128, 129, 4)
    for layer in layers:
        ax.hist(np.asarray(layer["weights"]).ravel(), bins=bins, histtype="step",
                label=layer["name"], density=True)
    ax.set_xlabel("int8 weight")
    ax.set_ylabel("density")
    ax.set_title("quantized weights per layer")
    ax.legend(fontsize="small")
    return ax


def _graph_nodes(report: dict):
    """(label, target) per box, in program order: each op labelled by its
    kind, except that a SpikeCore partition with quantized layers in the
    report is drawn as those layers, labelled by name. After partitioning
    the partitions list every op once, in the order of `ops`."""
    if not report["partitions"]:
        return [(op["op"], op["target"]) for op in report["ops"]]
    layers = {}
    for layer in report["spikecore_layers"]:
        layers.setdefault(layer["partition"], []).append(layer["name"])
    ops = iter(report["ops"])
    nodes = []
    for partition in report["partitions"]:
        members = [next(ops) for _ in partition["ops"]]
        if partition["name"] in layers:
            nodes += [(name, partition["target"]) for name in layers[partition["name"]]]
        else:
            nodes += [(op["op"], op["target"]) for op in members]
    return nodes


def partition_graph(report: Union[str, bytes, dict], ax=None,
                    title: str = "partitioned graph"):
    """The ops of a compiled model in program order, one box per op coloured
    by target (host, gpu, spikecore; grey before partitioning), SpikeCore
    partitions drawn as their quantized layers. `report` is the JSON that
    `sfc compile --report-json=PATH` writes (its text or the parsed
    object); with `--emit=partitioned` the report has no SpikeCore layers
    and SpikeCore ops are drawn one by one."""
    if isinstance(report, (str, bytes)):
        report = json.loads(report)
    ax = _axes(ax, size=(7, 2.5))
    nodes = _graph_nodes(report)
    from matplotlib.patches import Rectangle

    colours = {"host": "#4c72b0", "gpu": "#55a868", "spikecore": "#dd8452"}
    for i, (label, where) in enumerate(nodes):
        ax.add_patch(Rectangle((i * 1.2, 0), 1.0, 1.0, color=colours.get(where, "grey")))
        ax.text(i * 1.2 + 0.5, 0.5, label, ha="center", va="center", rotation=90,
                fontsize=7, color="white")
        if i:
            ax.annotate("", xy=(i * 1.2, 0.5), xytext=(i * 1.2 - 0.2, 0.5),
                        arrowprops={"arrowstyle": "->"})
    for where, colour in colours.items():
        ax.plot([], [], "s", color=colour, label=where)
    ax.legend(loc="upper right", fontsize="small")
    ax.set_xlim(-0.2, max(1, len(nodes)) * 1.2)
    ax.set_ylim(-0.2, 1.6)
    ax.axis("off")
    ax.set_title(title)
    return ax
