//===- Neuron.h - the LIF step every backend runs ---------------*- C++ -*-===//
//
// Part of SparseFlow.
//
// One step of the canonical LIF neuron of docs/semantics.md (and of the
// synaptic current of a current-based neuron and the leaky integrator of
// docs/nir.md), operation by
// operation in the order of the PyTorch reference (sparseflow.nn.LIF), so
// that every backend rounds like it: the host and CUDA code that include it
// are compiled without floating-point contraction (-ffp-contract=off,
// nvcc -fmad=false).
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEFLOW_RUNTIME_BACKENDS_COMMON_NEURON_H
#define SPARSEFLOW_RUNTIME_BACKENDS_COMMON_NEURON_H

#include "support/HostDevice.h"

#include <cstdint>

namespace sparseflow::runtime {

/// A LIF layer's parameters, per channel (dimension 1 of the input).
struct LIFParams {
  const float *leak, *gain, *vLeak, *threshold, *vReset, *vInit;
  // 1 (shared) or `channels` values each; vReset may be null (no hard reset),
  // threshold null for a leaky integrator (LI).
  int64_t leakN, gainN, vLeakN, thresholdN, vResetN, vInitN;
  enum class Reset { Hard, Soft, None } reset;
  bool fireGreaterEqual;
  bool resetDelay;
  // A current-based neuron's synapse (CubaLIF, a current-based LI), 1 or
  // `channels` values each; both null for a plain one.
  const float *synLeak = nullptr, *synGain = nullptr;
  int64_t synLeakN = 0, synGainN = 0;
};

/// The parameters of one channel's neurons.
struct NeuronParams {
  float leak, gain, vLeak, threshold, vReset, vInit;
  float synLeak, synGain; // 1 and 1 without a synapse: the current is X[t]
};

SF_HD inline float lifParam(const float *values, int64_t count,
                            int64_t channel) {
  return count == 1 ? values[0] : values[channel];
}

SF_HD inline NeuronParams neuronParams(const LIFParams &p, int64_t channel) {
  NeuronParams n;
  n.leak = lifParam(p.leak, p.leakN, channel);
  n.gain = lifParam(p.gain, p.gainN, channel);
  n.vLeak = lifParam(p.vLeak, p.vLeakN, channel);
  n.threshold =
      p.threshold ? lifParam(p.threshold, p.thresholdN, channel) : 0.0f;
  n.vReset = p.vReset ? lifParam(p.vReset, p.vResetN, channel) : 0.0f;
  n.vInit = lifParam(p.vInit, p.vInitN, channel);
  n.synLeak = p.synLeak ? lifParam(p.synLeak, p.synLeakN, channel) : 1.0f;
  n.synGain = p.synGain ? lifParam(p.synGain, p.synGainN, channel) : 1.0f;
  return n;
}

/// Advances a current-based neuron's synaptic current `cur` (starting at 0)
/// by one step with input `in` and returns the new current:
/// `J = I + syn_leak·(0 − I)`, then `I = J + syn_gain·X`, each rounded.
SF_HD inline float synapseStep(const NeuronParams &n, float in, float &cur) {
  float j = cur + n.synLeak * (0.0f - cur);
  cur = j + n.synGain * in;
  return cur;
}

/// Advances a leaky integrator's membrane `v` (starting at vInit) by one
/// step with input `in` (the synaptic current for a current-based one) and
/// returns it: LIF's charge, never fired nor reset.
SF_HD inline float liStep(const NeuronParams &n, float in, float &v) {
  float h = v + n.leak * (n.vLeak - v);
  v = h + n.gain * in;
  return v;
}

/// Advances one neuron by one step with input `in`; `v` (the membrane,
/// starting at vInit) and `fired` (the previous step's spike, starting
/// false) carry its state. Returns whether it fires.
SF_HD inline bool lifStep(const LIFParams &p, const NeuronParams &n, float in,
                          float &v, bool &fired) {
  float u = v;
  if (p.resetDelay && p.reset == LIFParams::Reset::Hard && fired)
    u = n.vReset;
  float h = u + n.leak * (n.vLeak - u);
  h = h + n.gain * in;
  if (p.resetDelay && p.reset == LIFParams::Reset::Soft && fired)
    h = h - n.threshold;
  bool spike = p.fireGreaterEqual ? h >= n.threshold : h > n.threshold;
  if (p.resetDelay || p.reset == LIFParams::Reset::None)
    v = h;
  else if (p.reset == LIFParams::Reset::Hard)
    v = spike ? n.vReset : h;
  else
    v = spike ? h - n.threshold : h;
  fired = spike;
  return spike;
}

} // namespace sparseflow::runtime

#endif // SPARSEFLOW_RUNTIME_BACKENDS_COMMON_NEURON_H
