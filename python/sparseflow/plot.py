"""Plots of a SpikeCore run (matplotlib): the spike raster, the quantized
weight distribution per layer and the partitioned graph.

Each function draws into `ax` (a new figure when None) and returns the axes.
"""

import re
from typing import Optional, Sequence

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


def weight_histograms(layers: Sequence[dict], ax=None):
    """Distribution of each layer's int8 weights. `layers` are dicts with
    "name" and "weights" (e.g. parsed from `sfc --emit=spikecore`)."""
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


_OP = re.compile(r"(?:%\S+ = )?(spike\.\w+|spikecore\.layer)[ (].*")
_TARGET = re.compile(r"#spike\.target<(\w+)>")


def partition_graph(ir: str, ax=None, title: str = "partitioned graph"):
    """The ops of a partitioned (or SpikeCore) module in program order, one
    box per op coloured by target: host ops from `func.func` bodies placed
    on host, spikecore ops from partitions placed on spikecore. `ir` is the
    text of `sfc --emit=partitioned` or `--emit=spikecore`."""
    ax = _axes(ax, size=(7, 2.5))
    nodes = []
    target: Optional[str] = None
    for line in ir.splitlines():
        stripped = line.strip()
        if stripped.startswith("func.func"):
            found = _TARGET.search(stripped)
            target = found.group(1) if found else "host"
            continue
        match = _OP.match(stripped)
        if not match or target is None:
            continue
        kind = match.group(1)
        label = kind.split(".")[-1]
        name = re.search(r'"([^"]+)"', stripped) if kind == "spikecore.layer" else None
        nodes.append((name.group(1) if name else label, target))
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
