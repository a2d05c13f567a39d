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
#include <type_traits>

using namespace sparseflow::runtime;
using namespace sparseflow::runtime::host;

namespace {

/// Neurons per chunk: the state of a chunk lives on the stack.
constexpr int64_t kChunk = 256;

} // namespace

namespace {

/// Steps neurons [first, first + count), which share the parameters `n`,
/// through all steps and writes their spike words: the parameters stay in
/// registers and bits t < 32 and t >= 32 gather in 32-bit words (vectors
/// twice as wide as 64-bit ones). No synapse and no delayed reset;
/// stepNeurons' operations in its order, so the spikes are the same.
template <bool Hard, bool GreaterEqual>
SF_ALWAYS_INLINE void stepUniform(const NeuronParams &n, const float *x,
                                  bool temporal, int64_t neurons,
                                  int64_t first, int64_t count, int timesteps,
                                  uint64_t *spikes) {
  float v[kChunk];
  uint32_t low[kChunk] = {}, high[kChunk] = {};
  std::fill(v, v + count, n.vInit);
  for (int t = 0; t < timesteps; ++t) {
    const float *in = x + (temporal ? t * neurons : 0) + first;
    uint32_t *word = t < 32 ? low : high;
    const int shift = t & 31;
    for (int64_t i = 0; i < count; ++i) {
      const float u = v[i];
      float h = u + n.leak * (n.vLeak - u);
      h = h + n.gain * in[i];
      const bool spike = GreaterEqual ? h >= n.threshold : h > n.threshold;
      const float reset = Hard ? n.vReset : h - n.threshold;
      v[i] = spike ? reset : h;
      word[i] |= static_cast<uint32_t>(spike) << shift;
    }
  }
  for (int64_t i = 0; i < count; ++i)
    spikes[first + i] = low[i] | static_cast<uint64_t>(high[i]) << 32;
}

/// host::lif's chunks of kChunk neurons: each chunk's parameters and state
/// one array each on the stack, its neurons stepped as vectors. A run of
/// neurons of one channel (`inner` of them: a conv layer's plane) steps
/// with its parameters in registers instead (stepUniform) where the neuron
/// allows (no synapse, no delayed reset, a reset).
struct LifJob {
  const float *x;
  bool temporal;
  uint64_t *spikes;
  int64_t neurons, channels, inner;
  int timesteps;
  const LIFParams &p;

  int64_t items() const { return (neurons + kChunk - 1) / kChunk; }

  /// Whether runs of one channel step by stepUniform.
  bool uniform() const {
    return inner >= 16 && p.synLeak == nullptr && !p.resetDelay &&
           p.reset != LIFParams::Reset::None;
  }

  /// Steps the run [first, first + count) of channel `channel`.
  SF_ALWAYS_INLINE void runUniform(int64_t channel, int64_t first,
                                   int64_t count) const {
    const NeuronParams n = neuronParams(p, channel);
    const bool hard = p.reset == LIFParams::Reset::Hard;
    if (hard && p.fireGreaterEqual)
      stepUniform<true, true>(n, x, temporal, neurons, first, count,
                              timesteps, spikes);
    else if (hard)
      stepUniform<true, false>(n, x, temporal, neurons, first, count,
                               timesteps, spikes);
    else if (p.fireGreaterEqual)
      stepUniform<false, true>(n, x, temporal, neurons, first, count,
                               timesteps, spikes);
    else
      stepUniform<false, false>(n, x, temporal, neurons, first, count,
                                timesteps, spikes);
  }

  template <int V> SF_ALWAYS_INLINE void run(int64_t c0, int64_t c1) const {
    if (uniform()) {
      for (int64_t chunk = c0; chunk < c1; ++chunk) {
        const int64_t first = chunk * kChunk;
        const int64_t end = std::min(first + kChunk, neurons);
        // Runs of one channel within the chunk.
        for (int64_t i = first; i < end;) {
          const int64_t runEnd = std::min(end, (i / inner + 1) * inner);
          runUniform(i / inner % channels, i, runEnd - i);
          i = runEnd;
        }
      }
      return;
    }
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

namespace {

/// One pool thread's state for a row of K recurrent neurons, in its part of
/// the scratch (recurrentLifScratchBytes): the neurons that fired at the
/// previous step and those firing now, the parameters, membranes, synaptic
/// currents, recurrent inputs and last spikes.
struct RecurrentRow {
  int64_t *active, *next;
  NeuronParams *params;
  float *v, *cur, *recurrent;
  uint8_t *fired;

  /// Bytes per thread, a multiple of 64 so that each thread's part starts
  /// on its own cache line.
  static size_t bytes(int64_t K) {
    const size_t raw = K * (2 * sizeof(int64_t) + sizeof(NeuronParams) +
                            3 * sizeof(float) + sizeof(uint8_t));
    return (raw + 63) / 64 * 64;
  }

  RecurrentRow(void *scratch, int64_t K) {
    char *at =
        static_cast<char *>(scratch) + ThreadPool::threadIndex() * bytes(K);
    const auto take = [&](auto *&array, size_t count) {
      array = reinterpret_cast<std::remove_reference_t<decltype(array)>>(at);
      at += count * sizeof(*array);
    };
    take(active, K);
    take(next, K);
    take(params, K);
    take(v, K);
    take(cur, K);
    take(recurrent, K);
    take(fired, K);
  }
};

} // namespace

size_t host::recurrentLifScratchBytes(int64_t features, unsigned threads) {
  return threads * RecurrentRow::bytes(features);
}

void host::recurrentLif(const float *x, bool temporal, const float *weightT,
                        const float *bias, uint64_t *spikes, int64_t rows,
                        int64_t features, int timesteps, const LIFParams &p,
                        void *scratch, ThreadPool &pool) {
  const int64_t K = features, neurons = rows * K;
  const bool synapse = p.synLeak != nullptr;
  // One row per task: its neurons depend on each other through the
  // recurrent weight, so a row advances step by step as a whole.
  pool.parallelFor(rows, 1, [&](int64_t r0, int64_t r1) {
    RecurrentRow row(scratch, K);
    for (int64_t k = 0; k < K; ++k)
      row.params[k] = neuronParams(p, k);
    for (int64_t r = r0; r < r1; ++r) {
      uint64_t *bits = spikes + r * K;
      for (int64_t k = 0; k < K; ++k) {
        row.v[k] = row.params[k].vInit;
        row.cur[k] = 0.0f;
        row.fired[k] = 0;
        bits[k] = 0;
      }
      int64_t active = 0;
      for (int t = 0; t < timesteps; ++t) {
        const float *in = x + (temporal ? t * neurons : 0) + r * K;
        if (bias)
          std::copy(bias, bias + K, row.recurrent);
        else
          std::fill(row.recurrent, row.recurrent + K, 0.0f);
        for (int64_t i = 0; i < active; ++i) {
          const float *w = weightT + row.active[i] * K;
          for (int64_t k = 0; k < K; ++k)
            row.recurrent[k] += w[k];
        }
        int64_t firing = 0;
        for (int64_t k = 0; k < K; ++k) {
          float input = in[k] + row.recurrent[k];
          if (synapse)
            input = synapseStep(row.params[k], input, row.cur[k]);
          bool f = row.fired[k];
          bool spike = lifStep(p, row.params[k], input, row.v[k], f);
          row.fired[k] = f;
          if (spike) {
            bits[k] |= uint64_t{1} << t;
            row.next[firing++] = k;
          }
        }
        std::swap(row.active, row.next);
        active = firing;
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
