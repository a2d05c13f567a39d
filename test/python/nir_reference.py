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
    """The discrete parameters of docs/nir.md as float32 arrays: leak, gain,
    v_leak, v_threshold, v_reset, hard (a hard reset), and syn_leak, syn_gain
    for current-based neurons (None otherwise)."""
    kind = node["type"]
    full = lambda v: np.broadcast_to(np.asarray(v, dtype=np.float64).reshape(-1), shape).astype(F) \
        if np.size(v) == 1 else np.asarray(v, dtype=np.float64).reshape(shape).astype(F)
    p = dict(syn_leak=None, syn_gain=None, v_threshold=None, v_reset=full(0.0), hard=True)
    if kind == "Threshold":
        p.update(leak=full(1.0), gain=full(1.0), v_leak=full(0.0),
                 v_threshold=full(node["threshold"]), hard=False)
        return p
    r = np.asarray(node["r"], dtype=np.float64)
    if kind == "IF":
        leak, gain, v_leak = 0.0, r * dt, 0.0
    else:
        tau = np.asarray(node["tau_mem" if kind.startswith("Cuba") else "tau"], dtype=np.float64)
        leak, gain, v_leak = dt / tau, r * dt / tau, node["v_leak"]
    p.update(leak=full(leak), gain=full(gain), v_leak=full(v_leak))
    if kind.startswith("Cuba"):
        tau_syn = np.asarray(node["tau_syn"], dtype=np.float64)
        p.update(syn_leak=full(dt / tau_syn),
                 syn_gain=full(np.asarray(node["w_in"], dtype=np.float64) * dt / tau_syn))
    if kind in ("LIF", "IF", "CubaLIF"):
        p.update(v_threshold=full(node["v_threshold"]), v_reset=full(node.get("v_reset", 0.0)))
    return p


NEURONS = ("LIF", "IF", "Threshold", "LI", "CubaLIF", "CubaLI")


def _neuron_step(p, state, k, inp):
    """One step of neuron node `k` (state in `state`) on input `inp`."""
    if p["syn_leak"] is not None:
        # The synaptic current first: J = I + syn_leak*(0 - I); I = J + syn_gain*X.
        i = state.get(k + "#i", np.zeros(inp.shape, F))
        j = i + p["syn_leak"] * (F(0) - i)
        inp = j + p["syn_gain"] * inp.astype(F)
        state[k + "#i"] = inp
    v = state.get(k, np.zeros(inp.shape, F))
    h = v + p["leak"] * (p["v_leak"] - v)   # rounded, then
    h = h + p["gain"] * inp.astype(F)        # rounded again: no fused multiply-add
    if p["v_threshold"] is None:             # a leaky integrator: the membrane
        state[k] = h
        return h
    s = h > p["v_threshold"]
    state[k] = np.where(s, p["v_reset"], h).astype(F) if p["hard"] else np.zeros_like(h)
    return s.astype(F)


SPIKING = ("LIF", "IF", "Threshold", "CubaLIF")


def _reaches(edges, start, goal):
    seen, todo = set(), [start]
    while todo:
        k = todo.pop()
        if k == goal:
            return True
        if k not in seen:
            seen.add(k)
            todo.extend(d for s, d in edges if s == k)
    return False


def _linear(inp, weight, bias):
    """inp @ weight.T (+ bias) in float32. A 0/1 input is summed the way the
    spike kernels (and docs/nir.md's recurrence) define it: from the bias (or
    0), adding the weight column of each input that is 1, in ascending input
    order, so that spikes agree exactly rather than up to rounding ties."""
    inp = inp.astype(F)
    if not np.all((inp == 0) | (inp == 1)):
        out = inp @ weight.T
        return out + bias if bias is not None else out
    out = np.zeros((inp.shape[0], weight.shape[0]), F) if bias is None \
        else np.tile(bias, (inp.shape[0], 1))
    for n in range(inp.shape[0]):
        for j in np.flatnonzero(inp[n]):
            out[n] += weight[:, j]
    return out


def simulate(path, x, dt):
    """Runs the NIR file at `path` on `x` ([T, N, ...] per-step inputs) and
    returns the output node's [T, N, ...] values. An edge out of a spiking
    neuron that leads back to it carries the neuron's output of the previous
    step (zeros before the first): the recurrence of docs/nir.md."""
    with h5py.File(path, "r") as f:
        nodes, edges = read_graph(f["node"])
    delayed = {(s, d) for s, d in edges
               if nodes[s]["type"] in SPIKING and _reaches(edges, d, s)}
    preds = {k: [s for s, d in edges if d == k] for k in nodes}
    order, done = [], set()
    while len(order) < len(nodes):
        for k in sorted(nodes):
            if k not in done and all(p in done or (p, k) in delayed for p in preds[k]):
                order.append(k)
                done.add(k)
    batch = x.shape[1]
    previous = {s: np.zeros((batch,) + np.shape(nodes[s].get("v_threshold", nodes[s].get("threshold"))), F)
                for s, _ in delayed}
    state, outputs = {}, []
    for t in range(x.shape[0]):
        values = {}
        for k in order:
            node = nodes[k]
            kind = node["type"]
            if kind == "Input":
                values[k] = x[t].astype(F)
                continue
            inputs = [previous[p] if (p, k) in delayed else values[p] for p in preds[k]]
            inp = inputs[0]
            for v in inputs[1:]:
                inp = inp + v
            if kind in ("Output", "Identity"):
                values[k] = inp
            elif kind in ("Linear", "Affine"):
                values[k] = _linear(inp, node["weight"].astype(F),
                                    node["bias"].astype(F) if kind == "Affine" else None)
            elif kind == "Scale":
                values[k] = inp * node["scale"].astype(F)
            elif kind == "Flatten":
                values[k] = inp.reshape(inp.shape[0], -1)
            elif kind in NEURONS:
                values[k] = _neuron_step(_neuron(node, dt, inp.shape[1:]), state, k, inp)
            else:
                raise NotImplementedError(kind)
            if kind == "Output":
                outputs.append(values[k])
        for s in previous:
            previous[s] = values[s]
        # Outputs are recorded in node order; this reference handles one.
    return np.stack(outputs)
