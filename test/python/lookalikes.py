"""Stand-ins for SpikingJelly 2.x and snnTorch neurons.

Each reproduces its library's forward rule, operation by operation, as
those libraries write it, so the exporter's mapping onto the canonical form
can be checked against the frameworks' own arithmetic without them
(SpikingJelly 2.x, with its `step_mode`, does not run on torch 1.13; the
tests against the real snnTorch 1.0 and SpikingJelly 0.0.0.0.14 are in
test_snntorch.py and test_optimize.py).
"""

import torch


class LIFNode(torch.nn.Module):
    """SpikingJelly 2.x `neuron.LIFNode` (step_mode 's' or 'm')."""

    def __init__(self, tau=2.0, decay_input=True, v_threshold=1.0, v_reset=0.0,
                 step_mode="s"):
        super().__init__()
        self.tau, self.decay_input = tau, decay_input
        self.v_threshold, self.v_reset, self.step_mode = v_threshold, v_reset, step_mode
        self.reset()

    def reset(self):
        self.v = 0.0 if self.v_reset is None else self.v_reset

    def neuronal_charge(self, x):
        v_reset = 0.0 if self.v_reset is None else self.v_reset
        if self.decay_input:
            return self.v + (x - (self.v - v_reset)) / self.tau
        return self.v - (self.v - v_reset) / self.tau + x

    def forward(self, x):
        if self.step_mode == "m":  # [T, N, ...]: one step per slice
            return torch.stack([self.single_step(step) for step in x])
        return self.single_step(x)

    def single_step(self, x):
        h = self.neuronal_charge(x)
        spike = (h - self.v_threshold >= 0).to(x.dtype)
        if self.v_reset is None:
            self.v = h - spike * self.v_threshold
        else:
            self.v = (1.0 - spike) * h + spike * self.v_reset
        return spike


class IFNode(LIFNode):
    """SpikingJelly `neuron.IFNode`."""

    def __init__(self, v_threshold=1.0, v_reset=0.0):
        super().__init__(v_threshold=v_threshold, v_reset=v_reset)

    def neuronal_charge(self, x):
        return self.v + x


class Leaky(torch.nn.Module):
    """snnTorch `Leaky` with init_hidden=True (returns spikes only)."""

    def __init__(self, beta, threshold=1.0, reset_mechanism="subtract",
                 reset_delay=True, init_hidden=True, output=False,
                 graded_spikes_factor=1.0, inhibition=False):
        super().__init__()
        self.beta = torch.as_tensor(beta, dtype=torch.float32)
        self.threshold = torch.as_tensor(threshold, dtype=torch.float32)
        self.reset_mechanism, self.reset_delay = reset_mechanism, reset_delay
        self.init_hidden, self.output = init_hidden, output
        self.graded_spikes_factor, self.inhibition = graded_spikes_factor, inhibition
        self.mem = None

    def reset(self):
        self.mem = None

    def forward(self, x):
        if self.mem is None:
            self.mem = torch.zeros_like(x)
        reset = (self.mem - self.threshold > 0).to(x.dtype)   # mem_reset
        base = lambda: self.beta.clamp(0, 1) * self.mem + x   # _base_state_function
        if self.reset_mechanism == "subtract":
            self.mem = base() - reset * self.threshold
        elif self.reset_mechanism == "zero":
            self.mem = (1 - reset) * self.mem
            self.mem = base()
        else:
            self.mem = base()
        spk = (self.mem - self.threshold > 0).to(x.dtype)     # fire
        if not self.reset_delay:
            do_reset = spk / self.graded_spikes_factor - reset
            if self.reset_mechanism == "subtract":
                self.mem = self.mem - do_reset * self.threshold
            elif self.reset_mechanism == "zero":
                self.mem = self.mem - do_reset * self.mem
        return spk

