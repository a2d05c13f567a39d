//===- NeuronSteps.h - LIF neurons stepped as vectors -----------*- C++ -*-===//
//
// Part of SparseFlow.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEFLOW_RUNTIME_BACKENDS_HOST_NEURONSTEPS_H
#define SPARSEFLOW_RUNTIME_BACKENDS_HOST_NEURONSTEPS_H

#include "backends/common/Neuron.h"
#include "backends/host/VectorDispatch.h"

namespace sparseflow::runtime::host {

/// The parameters of a run of neurons, one array each (one value per
/// neuron).
struct NeuronArrays {
  const float *leak, *gain, *vLeak, *threshold, *vReset, *vInit;
};

/// Steps neurons 0..len by step t with inputs `in`: membranes `v`, previous
/// spikes `fired`, and bit t of `bits` set where they fire. Without a
/// delayed reset (the common case) a branch-free loop the compiler
/// vectorizes, with lifStep's operations in lifStep's order; otherwise
/// lifStep itself.
SF_ALWAYS_INLINE void stepNeurons(const LIFParams &lif, const NeuronArrays &n,
                                  const float *in, float *v, bool *fired,
                                  uint64_t *bits, int64_t len, int t) {
  if (lif.resetDelay || lif.reset == LIFParams::Reset::None) {
    for (int64_t o = 0; o < len; ++o) {
      // The synapse (1, 1: none) has been applied to `in`.
      NeuronParams p{n.leak[o],   n.gain[o],  n.vLeak[o], n.threshold[o],
                     n.vReset[o], n.vInit[o], 1.0f,       1.0f};
      bits[o] |= static_cast<uint64_t>(lifStep(lif, p, in[o], v[o], fired[o]))
                 << t;
    }
    return;
  }
  const bool hard = lif.reset == LIFParams::Reset::Hard;
  const bool ge = lif.fireGreaterEqual;
  for (int64_t o = 0; o < len; ++o) {
    float u = v[o];
    float h = u + n.leak[o] * (n.vLeak[o] - u);
    h = h + n.gain[o] * in[o];
    bool spike = ge ? h >= n.threshold[o] : h > n.threshold[o];
    float reset = hard ? n.vReset[o] : h - n.threshold[o];
    v[o] = spike ? reset : h;
    bits[o] |= static_cast<uint64_t>(spike) << t;
  }
}

} // namespace sparseflow::runtime::host

#endif // SPARSEFLOW_RUNTIME_BACKENDS_HOST_NEURONSTEPS_H
