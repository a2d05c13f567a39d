//===- NeuronKernels.cpp - LIF neurons, spike packing, rate encoding
//-------===//
//
// Part of SparseFlow.
//
// The LIF (and CubaLIF) and LI kernels run the steps of
// backends/common/Neuron.h, which the CUDA backend shares.
//
//===----------------------------------------------------------------------===//

#include "backends/host/HostKernels.h"
#include "backends/host/NeuronSteps.h"

#include <algorithm>
#include <vector>

using namespace sparseflow::runtime;
using namespace sparseflow::runtime::host;

namespace {

/// Neurons per chunk: the state of a chunk lives on the stack.
constexpr int64_t kChunk = 256;

} // namespace

namespace {

/// host::lif's chunks of kChunk neurons: each chunk's parameters and state
/// one array each on the stack, its neurons stepped as vectors.
struct LifJob {
  const float *x;
  bool temporal;
  uint64_t *spikes;
  int64_t neurons, channels, inner;
  int timesteps;
  const LIFParams &p;

  int64_t items() const { return (neurons + kChunk - 1) / kChunk; }

  template <int V> SF_ALWAYS_INLINE void run(int64_t c0, int64_t c1) const {
    alignas(64) float leak[kChunk], gain[kChunk], vLeak[kChunk],
        threshold[kChunk], vReset[kChunk], vInit[kChunk], synLeak[kChunk],
        synGain[kChunk], v[kChunk], cur[kChunk], in[kChunk];
    alignas(64) uint64_t bits[kChunk];
    bool fired[kChunk];
    const bool synapse = p.synLeak != nullptr;
    for (int64_t chunk = c0; chunk < c1; ++chunk) {
      const int64_t first = chunk * kChunk;
      const int64_t count = std::min(kChunk, neurons - first);
      // Neuron first + i has channel (first + i) / inner % channels: runs
      // of up to `inner` neurons share their parameters, filled at once.
      int64_t channel = first / inner % channels, within = first % inner;
      for (int64_t i = 0; i < count;) {
        const int64_t end = std::min(count, i + inner - within);
        const NeuronParams n = neuronParams(p, channel);
        std::fill(leak + i, leak + end, n.leak);
        std::fill(gain + i, gain + end, n.gain);
        std::fill(vLeak + i, vLeak + end, n.vLeak);
        std::fill(threshold + i, threshold + end, n.threshold);
        std::fill(vReset + i, vReset + end, n.vReset);
        std::fill(vInit + i, vInit + end, n.vInit);
        std::fill(synLeak + i, synLeak + end, n.synLeak);
        std::fill(synGain + i, synGain + end, n.synGain);
        std::fill(v + i, v + end, n.vInit);
        i = end;
        within = 0;
        channel = channel + 1 == channels ? 0 : channel + 1;
      }
      std::fill(cur, cur + count, 0.0f);
      std::fill(fired, fired + count, false);
      std::fill(bits, bits + count, 0);
      const NeuronArrays arrays{leak, gain, vLeak, threshold, vReset, vInit};
      for (int t = 0; t < timesteps; ++t) {
        const float *step = x + (temporal ? t * neurons : 0) + first;
        if (synapse) {
          // The synaptic current, as synapseStep: J = I + syn_leak (0 - I),
          // I = J + syn_gain X.
          for (int64_t i = 0; i < count; ++i) {
            float j = cur[i] + synLeak[i] * (0.0f - cur[i]);
            cur[i] = j + synGain[i] * step[i];
            in[i] = cur[i];
          }
          step = in;
        }
        stepNeurons(p, arrays, step, v, fired, bits, count, t);
      }
      std::copy(bits, bits + count, spikes + first);
    }
  }
};

} // namespace

void host::lif(const float *x, bool temporal, uint64_t *spikes, int64_t outer,
               int64_t channels, int64_t inner, int timesteps,
               const LIFParams &p, ThreadPool &pool) {
  const int64_t neurons = outer * channels * inner;
  runItems(LifJob{x, temporal, spikes, neurons, channels, inner, timesteps, p},
           neurons * timesteps, bestVectorIsa(), pool);
}

void host::recurrentLif(const float *x, bool temporal, const float *weightT,
                        const float *bias, uint64_t *spikes, int64_t rows,
                        int64_t features, int timesteps, const LIFParams &p,
                        ThreadPool &pool) {
  const int64_t K = features, neurons = rows * K;
  const bool synapse = p.synLeak != nullptr;
  // One row per task: its neurons depend on each other through the
  // recurrent weight, so a row advances step by step as a whole.
  pool.parallelFor(rows, 1, [&](int64_t r0, int64_t r1) {
    std::vector<NeuronParams> params(K);
    std::vector<float> v(K), cur(K), recurrent(K);
    std::vector<uint8_t> fired(K);
    std::vector<int64_t> active, next;
    active.reserve(K);
    next.reserve(K);
    for (int64_t k = 0; k < K; ++k)
      params[k] = neuronParams(p, k);
    for (int64_t r = r0; r < r1; ++r) {
      uint64_t *bits = spikes + r * K;
      for (int64_t k = 0; k < K; ++k) {
        v[k] = params[k].vInit;
        cur[k] = 0.0f;
        fired[k] = 0;
        bits[k] = 0;
      }
      active.clear();
      for (int t = 0; t < timesteps; ++t) {
        const float *in = x + (temporal ? t * neurons : 0) + r * K;
        if (bias)
          std::copy(bias, bias + K, recurrent.begin());
        else
          std::fill(recurrent.begin(), recurrent.end(), 0.0f);
        for (int64_t j : active) {
          const float *row = weightT + j * K;
          for (int64_t k = 0; k < K; ++k)
            recurrent[k] += row[k];
        }
        next.clear();
        for (int64_t k = 0; k < K; ++k) {
          float input = in[k] + recurrent[k];
          if (synapse)
            input = synapseStep(params[k], input, cur[k]);
          bool f = fired[k];
          bool spike = lifStep(p, params[k], input, v[k], f);
          fired[k] = f;
          if (spike) {
            bits[k] |= uint64_t{1} << t;
            next.push_back(k);
          }
        }
        active.swap(next);
      }
    }
  });
}

void host::li(const float *x, bool temporal, float *y, int64_t outer,
              int64_t channels, int64_t inner, int timesteps,
              const LIFParams &p, ThreadPool &pool) {
  const int64_t neurons = outer * channels * inner;
  const int64_t chunks = (neurons + kChunk - 1) / kChunk;
  const bool synapse = p.synLeak != nullptr;
  pool.parallelFor(chunks, 16, [&](int64_t c0, int64_t c1) {
    NeuronParams params[kChunk];
    float v[kChunk], cur[kChunk];
    for (int64_t chunk = c0; chunk < c1; ++chunk) {
      int64_t first = chunk * kChunk;
      int64_t count = std::min(kChunk, neurons - first);
      for (int64_t i = 0; i < count; ++i) {
        params[i] = neuronParams(p, ((first + i) / inner) % channels);
        v[i] = params[i].vInit;
        cur[i] = 0.0f;
      }
      for (int t = 0; t < timesteps; ++t) {
        const float *in = x + (temporal ? t * neurons : 0) + first;
        float *out = y + t * neurons + first;
        if (synapse)
          for (int64_t i = 0; i < count; ++i)
            out[i] =
                liStep(params[i], synapseStep(params[i], in[i], cur[i]), v[i]);
        else
          for (int64_t i = 0; i < count; ++i)
            out[i] = liStep(params[i], in[i], v[i]);
      }
    }
  });
}

void host::unpackSpikes(const uint64_t *spikes, float *y, int64_t n,
                        int timesteps) {
  for (int t = 0; t < timesteps; ++t) {
    float *out = y + t * n;
    for (int64_t i = 0; i < n; ++i)
      out[i] = static_cast<float>((spikes[i] >> t) & 1u);
  }
}

int64_t host::packSpikes(const float *x, uint64_t *spikes, int64_t n,
                         int timesteps) {
  // Branch-free so it vectorizes; a value other than 0 and 1 is looked for
  // per chunk and reported at its first occurrence.
  constexpr int64_t kChunk = 4096;
  std::fill(spikes, spikes + n, 0);
  for (int t = 0; t < timesteps; ++t) {
    const float *in = x + t * n;
    for (int64_t i0 = 0; i0 < n; i0 += kChunk) {
      const int64_t i1 = std::min(i0 + kChunk, n);
      bool valid = true;
      for (int64_t i = i0; i < i1; ++i) {
        spikes[i] |= static_cast<uint64_t>(in[i] == 1.0f) << t;
        valid &= in[i] == 1.0f || in[i] == 0.0f;
      }
      if (!valid)
        for (int64_t i = i0; i < i1; ++i)
          if (in[i] != 1.0f && in[i] != 0.0f)
            return t * n + i;
    }
  }
  return -1;
}

float host::rateUniform(uint64_t seed, uint64_t k) {
  // The (k+1)-th output of SplitMix64 seeded with `seed`; its top 24 bits
  // scaled to [0, 1) are exact in float.
  uint64_t z = seed + (k + 1) * 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  return static_cast<float>(z >> 40) * (1.0f / 16777216.0f);
}

void host::rateEncode(const float *x, uint64_t *spikes, int64_t n,
                      int timesteps, uint64_t seed) {
  for (int64_t i = 0; i < n; ++i) {
    uint64_t bits = 0;
    for (int t = 0; t < timesteps; ++t)
      if (rateUniform(seed, static_cast<uint64_t>(t) * n + i) < x[i])
        bits |= uint64_t{1} << t;
    spikes[i] = bits;
  }
}
