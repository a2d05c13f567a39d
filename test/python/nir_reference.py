"""An independent NumPy implementation of docs/nir.md: reads a NIR file with
h5py and simulates the documented forward-Euler discrete form in float32,
one timestep after the other, in the canonical order of operations.
(Kept free of the importer's code: it shares only the documented maths.)"""

import h5py
import numpy as np

F = np.float32


def _str(value):
    return value.decode() if isinstance(value, bytes) else str(value)


def read_graph(group, prefix=""):
    """Flattens a NIRGraph group into ({path: node dict}, [(src, dst)])."""
    nodes, edges, boundaries = {}, [], {}
    for name, g in group["nodes"].items():
        node = {k: v[()] for k, v in g.items() if isinstance(v, h5py.Dataset)}
        node["type"] = _str(node["type"])
        path = prefix + name
        if node["type"] == "NIRGraph":
            sub_nodes, sub_edges = read_graph(g, path + ".")
            nodes.update(sub_nodes)
            edges.extend(sub_edges)
            locals_ = {k: v for k, v in sub_nodes.items() if "." not in k[len(path) + 1:]}
            boundaries[path] = (
                [k for k, v in locals_.items() if v["type"] == "Input"],
                [k for k, v in locals_.items() if v["type"] == "Output"])
            for k in locals_:
                if sub_nodes[k]["type"] in ("Input", "Output"):
                    sub_nodes[k]["type"] = "Identity"
        else:
            nodes[path] = node
    for src, dst in group["edges"][()]:
        src, dst = prefix + _str(src), prefix + _str(dst)
        if src not in nodes:
            src = boundaries[src][1][0]
        if dst not in nodes:
            dst = boundaries[dst][0][0]
        edges.append((src, dst))
    return nodes, edges


def _neuron(node, dt, shape):
    """(leak, gain, v_leak, v_threshold, v_reset, reset) as float32 arrays."""
    kind = node["type"]
    full = lambda v: np.broadcast_to(np.asarray(v, dtype=np.float64).reshape(-1), shape).astype(F) \
        if np.size(v) == 1 else np.asarray(v, dtype=np.float64).reshape(shape).astype(F)
    if kind == "Threshold":
        return (full(1.0), full(1.0), full(0.0), full(node["threshold"]), full(0.0), False)
    r = np.asarray(node["r"], dtype=np.float64)
    if kind == "IF":
        leak, gain, v_leak = 0.0, r * dt, 0.0
    else:
        tau = np.asarray(node["tau"], dtype=np.float64)
        leak, gain, v_leak = dt / tau, r * dt / tau, node["v_leak"]
    return (full(leak), full(gain), full(v_leak), full(node["v_threshold"]),
            full(node.get("v_reset", 0.0)), True)


def simulate(path, x, dt):
    """Runs the NIR file at `path` on `x` ([T, N, ...] per-step inputs) and
    returns the output node's [T, N, ...] values."""
    with h5py.File(path, "r") as f:
        nodes, edges = read_graph(f["node"])
    preds = {k: [s for s, d in edges if d == k] for k in nodes}
    order, done = [], set()
    while len(order) < len(nodes):
        for k in sorted(nodes):
            if k not in done and all(p in done for p in preds[k]):
                order.append(k)
                done.add(k)
    state, outputs = {}, []
    for t in range(x.shape[0]):
        values = {}
        for k in order:
            node = nodes[k]
            kind = node["type"]
            if kind == "Input":
                values[k] = x[t].astype(F)
                continue
            inp = values[preds[k][0]]
            for p in preds[k][1:]:
                inp = inp + values[p]
            if kind in ("Output", "Identity"):
                values[k] = inp
            elif kind in ("Linear", "Affine"):
                out = inp.astype(F) @ node["weight"].astype(F).T
                values[k] = out + node["bias"].astype(F) if kind == "Affine" else out
            elif kind == "Scale":
                values[k] = inp * node["scale"].astype(F)
            elif kind == "Flatten":
                values[k] = inp.reshape(inp.shape[0], -1)
            elif kind in ("LIF", "IF", "Threshold"):
                leak, gain, v_leak, thr, v_reset, hard = _neuron(node, dt, inp.shape[1:])
                v = state.get(k, np.zeros(inp.shape, F))
                h = v + leak * (v_leak - v)   # rounded, then
                h = h + gain * inp.astype(F)  # rounded again: no fused multiply-add
                s = h > thr
                state[k] = np.where(s, v_reset, h).astype(F) if hard else np.zeros_like(h)
                values[k] = s.astype(F)
            else:
                raise NotImplementedError(kind)
            if kind == "Output":
                outputs.append(values[k])
        # Outputs are recorded in node order; this reference handles one.
    return np.stack(outputs)
