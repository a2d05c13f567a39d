//===- SparseKernels.cpp - binary-input kernels that skip silent inputs ---===//
//
// Part of SparseFlow.
//
// A spike is a 1, so an output is the sum of the weights of the inputs that
// fired. The kernels run in two phases:
//
//  1. Spike lists. One pass over the packed input builds, for every timestep
//     t and position p (a pixel of a conv input, a row of a linear input),
//     the list of channels that fire there at t. With a block size, a tile
//     of a channel with no spike costs one OR over the tile and nothing
//     after; the words of the other channels cost a load and, for T <= 8, T
//     branch-free stores.
//  2. Output-stationary accumulation. For every output (t, pixel or row) and
//     block of V output channels, the V partial sums live in vector
//     registers while the kernel adds, tap by tap, the weight row
//     w[c][tap][o0 .. o0+V) of every channel c in the tap's list; the
//     compiler arranged these rows contiguously. Nothing is stored until the
//     block is complete, so the loop is bound by weight loads.
//
// The accumulation is compiled for AVX-512, AVX2 and the x86-64 baseline and
// picked at run time from what the processor supports. Work is proportional
// to spikes × taps × output channels, plus one pass over the input.
//
//===----------------------------------------------------------------------===//

#include "backends/host/HostKernels.h"
#include "backends/host/NeuronSteps.h"
#include "backends/host/VectorDispatch.h"
#include "sparseflow/format/artifact_format.h"

#include <algorithm>
#include <cstring>

using namespace sparseflow::runtime;
using namespace sparseflow::runtime::host;

namespace {

/// Calls fn(t) for every set bit t of `bits`, lowest first.
template <typename F>
SF_ALWAYS_INLINE void forEachStep(uint64_t bits, F &&fn) {
  while (bits) {
    fn(__builtin_ctzll(bits));
    bits &= bits - 1;
  }
}

// --- Spike lists --------------------------------------------------------------

/// The spike lists in a kernel's scratch: the channels firing at step t and
/// position p are list(t * P + p)[0 .. count[t * P + p]). Every list has room
/// for all channels, so one pass over the input fills them.
struct SpikeLists {
  int64_t positions, capacity;
  int timesteps;
  uint32_t *count, *channels;

  SpikeLists(void *scratch, int64_t positions, int64_t channels, int timesteps)
      : positions(positions), capacity(channels), timesteps(timesteps),
        count(static_cast<uint32_t *>(scratch)),
        channels(count + timesteps * positions) {}

  const uint32_t *list(int64_t i) const { return channels + i * capacity; }

  /// The number of spikes in all lists.
  int64_t spikes() const {
    int64_t total = 0;
    for (int64_t i = 0; i < timesteps * positions; ++i)
      total += count[i];
    return total;
  }

  /// Appends channel c to position p's lists at the steps set in `bits`
  /// (channels in increasing order; counts start at 0).
  void append(int64_t p, int64_t c, uint64_t bits) {
    forEachStep(bits, [&](int t) {
      int64_t i = t * positions + p;
      channels[i * capacity + count[i]++] = static_cast<uint32_t>(c);
    });
  }

  /// Fills position p's lists from the words word[c * stride] of the `n`
  /// channels `candidates` (increasing); the other channels are silent. With
  /// `resume`, appends to what the lists hold.
  void fill(int64_t p, const uint64_t *word, int64_t stride,
            const uint32_t *candidates, int64_t n, bool resume) {
    switch (timesteps) {
    case 1: return fillSteps<1>(p, word, stride, candidates, n, resume);
    case 2: return fillSteps<2>(p, word, stride, candidates, n, resume);
    case 3: return fillSteps<3>(p, word, stride, candidates, n, resume);
    case 4: return fillSteps<4>(p, word, stride, candidates, n, resume);
    case 5: return fillSteps<5>(p, word, stride, candidates, n, resume);
    case 6: return fillSteps<6>(p, word, stride, candidates, n, resume);
    case 7: return fillSteps<7>(p, word, stride, candidates, n, resume);
    case 8: return fillSteps<8>(p, word, stride, candidates, n, resume);
    default: return fillSteps<0>(p, word, stride, candidates, n, resume);
    }
  }

private:
  /// kSteps = timesteps, or 0 for any. The counts live in registers; with a
  /// known step count the loop is branch-free: at a step without a spike the
  /// store lands on the list's next free slot and is overwritten or unread.
  template <int kSteps>
  SF_ALWAYS_INLINE void fillSteps(int64_t p, const uint64_t *word,
                                  int64_t stride, const uint32_t *candidates,
                                  int64_t n, bool resume) {
    constexpr int kMax = kSteps ? kSteps : SF_MAX_TIMESTEPS;
    const int T = kSteps ? kSteps : timesteps;
    uint32_t *dst[kMax];
    uint32_t cnt[kMax];
    for (int t = 0; t < T; ++t) {
      int64_t i = t * positions + p;
      dst[t] = channels + i * capacity;
      cnt[t] = resume ? count[i] : 0;
    }
    for (int64_t k = 0; k < n; ++k) {
      const uint32_t c = candidates[k];
      const uint64_t bits = word[c * stride];
      if constexpr (kSteps > 0) {
        for (int t = 0; t < kSteps; ++t) {
          dst[t][cnt[t]] = c;
          cnt[t] += (bits >> t) & 1;
        }
      } else {
        forEachStep(bits, [&](int t) { dst[t][cnt[t]++] = c; });
      }
    }
    for (int t = 0; t < T; ++t)
      count[t * positions + p] = cnt[t];
  }
};

// --- Output-stationary accumulation ---------------------------------------------

/// One tap of an output: its channel list and the weight row of channel 0
/// at this tap and output block.
struct Tap {
  const uint32_t *begin, *end;
  const float *weight;
};

/// An output block: contiguous floats at `dst`, whose sums start at `init`
/// (the bias; null for 0) or, when `resume` is set, at what `dst` holds.
struct Output {
  float *dst;
  const float *init;
  bool resume;
};

/// 16 floats; the compiler splits it into the widest registers the target
/// has (one zmm, two ymm or four xmm). f32x16u reads one from any float
/// address, like the compilers' own unaligned vector types.
typedef float f32x16 __attribute__((vector_size(64)));
typedef float f32x16u
    __attribute__((vector_size(64), aligned(4), may_alias));
constexpr int kLanes = 16;

/// Outputs [j0, j0 + V) of `out`, V a multiple of 16: the sums stay in
/// registers while every channel of every tap adds its weight row.
template <int V>
SF_ALWAYS_INLINE void accumulate(const Tap *taps, int tapCount,
                                 int64_t channelStride, const Output &out,
                                 int64_t j0) {
  constexpr int R = V / kLanes;
  const float *start = out.resume ? out.dst : out.init;
  f32x16 acc[R] = {};
  if (start)
    std::memcpy(acc, start + j0, sizeof acc);
  for (int i = 0; i < tapCount; ++i) {
    const float *base = taps[i].weight + j0;
    for (const uint32_t *c = taps[i].begin; c != taps[i].end; ++c) {
      const float *w = base + *c * channelStride;
      for (int r = 0; r < R; ++r)
        acc[r] += *reinterpret_cast<const f32x16u *>(w + r * kLanes);
    }
  }
  std::memcpy(out.dst + j0, acc, sizeof acc);
}

/// The same for outputs [j0, j1), fewer than 16.
SF_ALWAYS_INLINE void accumulateTail(const Tap *taps, int tapCount,
                                     int64_t channelStride, const Output &out,
                                     int64_t j0, int64_t j1) {
  float acc[kLanes] = {};
  const float *start = out.resume ? out.dst : out.init;
  const int64_t len = j1 - j0;
  if (start)
    std::memcpy(acc, start + j0, len * sizeof(float));
  for (int i = 0; i < tapCount; ++i) {
    const float *base = taps[i].weight + j0;
    for (const uint32_t *c = taps[i].begin; c != taps[i].end; ++c) {
      const float *w = base + *c * channelStride;
      for (int64_t j = 0; j < len; ++j)
        acc[j] += w[j];
    }
  }
  std::memcpy(out.dst + j0, acc, len * sizeof(float));
}

/// Outputs [j0, j1): blocks of V, then what is left with V / 2, ..., 16,
/// then the tail.
template <int V>
SF_ALWAYS_INLINE void accumulateRange(const Tap *taps, int tapCount,
                                      int64_t channelStride, const Output &out,
                                      int64_t j0, int64_t j1) {
  for (; j0 + V <= j1; j0 += V)
    accumulate<V>(taps, tapCount, channelStride, out, j0);
  if (j0 == j1)
    return;
  if constexpr (V > kLanes)
    accumulateRange<V / 2>(taps, tapCount, channelStride, out, j0, j1);
  else
    accumulateTail(taps, tapCount, channelStride, out, j0, j1);
}

/// Output channels per work item.
constexpr int64_t kItemChannels = 128;
/// Taps gathered per pass; an output of a larger kernel is resumed.
constexpr int kMaxTaps = 64;
/// Conv outputs of a row summed before they are transposed into place.
constexpr int64_t kOutputTile = 16;

int64_t channelBlocks(int64_t channels) {
  return (channels + kItemChannels - 1) / kItemChannels;
}

/// Where a sparse kernel's outputs go: float sums into `y`, or with `lif`
/// the neurons they feed, scanned over the steps as each step's sums are
/// made, into packed spikes (no float intermediate). The neuron of output
/// element e (in the float tensor's per-step order) has the parameters of
/// channel (e / inner) % channels, as host::lif reads them.
struct SparseOutput {
  float *y = nullptr;
  const LIFParams *lif = nullptr;
  uint64_t *spikes = nullptr;
  int64_t channels = 1, inner = 1;
  /// With neurons, what is added to the sums first (the residual).
  Residual residual;

  NeuronParams neuron(int64_t element) const {
    return neuronParams(*lif, element / inner % channels);
  }
  bool hasResidual() const { return residual.floats || residual.spikes; }
};

/// The LIF state of up to kOutputTile x kItemChannels neurons over the
/// steps, [j][o] like the sums buffer: neuron (j, o) has the parameters of
/// slot o (an output channel of the item), kept one array per parameter so
/// that a row of neurons steps as vectors.
struct NeuronTile {
  float leak[kItemChannels], gain[kItemChannels], vLeak[kItemChannels],
      threshold[kItemChannels], vReset[kItemChannels], vInit[kItemChannels];
  float v[kOutputTile][kItemChannels];
  bool fired[kOutputTile][kItemChannels];
  uint64_t bits[kOutputTile][kItemChannels];

  /// Slot o's parameters, and its neurons of rows [0, rows) at their
  /// initial state.
  void start(int64_t o, const NeuronParams &p, int64_t rows) {
    leak[o] = p.leak;
    gain[o] = p.gain;
    vLeak[o] = p.vLeak;
    threshold[o] = p.threshold;
    vReset[o] = p.vReset;
    vInit[o] = p.vInit;
    for (int64_t j = 0; j < rows; ++j) {
      v[j][o] = p.vInit;
      fired[j][o] = false;
      bits[j][o] = 0;
    }
  }

  /// Steps neurons (j, 0..len) with inputs `in` at step t.
  SF_ALWAYS_INLINE void stepRow(const LIFParams &lif, int64_t j,
                                const float *in, int64_t len, int t) {
    stepNeurons(lif, {leak, gain, vLeak, threshold, vReset, vInit}, in, v[j],
                fired[j], bits[j], len, t);
  }
};

/// A conv over the spike lists of one image.
struct ConvJob {
  const SpikeLists &lists;
  const float *weight, *bias;
  SparseOutput out;
  const Window2d &g;
  int64_t image;
  int timesteps;

  /// Output rows (t, oh) × channel blocks (of one group each); with
  /// neurons, rows oh × channel blocks, each scanning the steps.
  int64_t items() const {
    return (out.lif ? 1 : timesteps) * g.outHeight * blocksPerGroup() *
           g.groups;
  }
  int64_t blocksPerGroup() const {
    return channelBlocks(g.outChannels / g.groups);
  }
  /// Item `item`'s row, and its block's first output channel and length.
  SF_ALWAYS_INLINE int64_t block(int64_t item, int64_t &o0,
                                 int64_t &len) const {
    const int64_t perGroup = g.outChannels / g.groups;
    const int64_t blocks = blocksPerGroup() * g.groups;
    const int64_t b = item % blocks, group = b / blocksPerGroup();
    o0 = group * perGroup + b % blocksPerGroup() * kItemChannels;
    len = std::min(kItemChannels, (group + 1) * perGroup - o0);
    return item / blocks;
  }

  /// Sums outputs [o0, o0 + len) (of one group) × [ow0, ow0 + tileEnd) of
  /// row (t, oh) into buffer[ow - ow0][o - o0]. The weight is arranged
  /// [C][KH][KW][O / groups]; with groups, a tap reads only the group's
  /// channels of the input's spike list.
  template <int V>
  SF_ALWAYS_INLINE void sumTile(int64_t t, int64_t oh, int64_t o0, int64_t len,
                                int64_t ow0, int64_t tileEnd,
                                float (*buffer)[kItemChannels]) const {
    const int64_t perGroup = g.outChannels / g.groups, P = g.height * g.width;
    const int64_t channelStride = g.kernelH * g.kernelW * perGroup;
    const int64_t group = o0 / perGroup, cPerGroup = g.channels / g.groups;
    const uint32_t c0 = static_cast<uint32_t>(group * cPerGroup),
                   c1 = static_cast<uint32_t>(c0 + cPerGroup);
    const float *groupWeight = weight + o0 - group * perGroup;
    Tap taps[kMaxTaps];
    for (int64_t j = 0; j < tileEnd; ++j) {
      const int64_t ow = ow0 + j;
      Output sums{buffer[j], bias ? bias + o0 : nullptr, false};
      int tapCount = 0;
      forEachTap(
          g, oh, ow, [&](int64_t kh, int64_t kw, int64_t ih, int64_t iw) {
            int64_t i = t * P + ih * g.width + iw;
            if (!lists.count[i])
              return;
            const uint32_t *begin = lists.list(i),
                           *end = begin + lists.count[i];
            if (g.groups > 1) { // the lists hold channels in increasing order
              begin = std::lower_bound(begin, end, c0);
              end = std::lower_bound(begin, end, c1);
              if (begin == end)
                return;
            }
            taps[tapCount++] = {begin, end,
                                groupWeight + (kh * g.kernelW + kw) * perGroup};
            if (tapCount == kMaxTaps) {
              accumulateRange<V>(taps, tapCount, channelStride, sums, 0, len);
              sums.resume = true;
              tapCount = 0;
            }
          });
      if (tapCount || !sums.resume)
        accumulateRange<V>(taps, tapCount, channelStride, sums, 0, len);
    }
  }

  /// Outputs are summed kOutputTile at a time into a buffer, [ow][o], then
  /// transposed into y's [o][oh][ow] or fed to the neurons.
  template <int V> SF_ALWAYS_INLINE void run(int64_t i0, int64_t i1) const {
    const int64_t O = g.outChannels, OH = g.outHeight, OW = g.outWidth;
    alignas(64) float buffer[kOutputTile][kItemChannels];
    for (int64_t item = i0; item < i1; ++item) {
      int64_t o0, len;
      const int64_t row = block(item, o0, len);
      if (!out.lif) {
        const int64_t t = row / OH, oh = row % OH;
        float *rowOut =
            out.y + ((t * g.batch + image) * O + o0) * OH * OW + oh * OW;
        for (int64_t ow0 = 0; ow0 < OW; ow0 += kOutputTile) {
          const int64_t tileEnd = std::min(kOutputTile, OW - ow0);
          sumTile<V>(t, oh, o0, len, ow0, tileEnd, buffer);
          for (int64_t o = 0; o < len; ++o) {
            float *dst = rowOut + o * OH * OW + ow0;
            for (int64_t j = 0; j < tileEnd; ++j)
              dst[j] = buffer[j][o];
          }
        }
        continue;
      }
      const int64_t oh = row;
      const int64_t base = (image * O + o0) * OH * OW + oh * OW;
      for (int64_t ow0 = 0; ow0 < OW; ow0 += kOutputTile) {
        const int64_t tileEnd = std::min(kOutputTile, OW - ow0);
        // The outputs of one channel share its neurons' parameters.
        NeuronTile neurons;
        for (int64_t o = 0; o < len; ++o)
          neurons.start(o, out.neuron(base + o * OH * OW), tileEnd);
        for (int t = 0; t < timesteps; ++t) {
          sumTile<V>(t, oh, o0, len, ow0, tileEnd, buffer);
          if (out.hasResidual())
            for (int64_t j = 0; j < tileEnd; ++j)
              for (int64_t o = 0; o < len; ++o)
                buffer[j][o] = buffer[j][o] +
                               out.residual.at(base + o * OH * OW + ow0 + j, t);
          for (int64_t j = 0; j < tileEnd; ++j)
            neurons.stepRow(*out.lif, j, buffer[j], len, t);
        }
        for (int64_t o = 0; o < len; ++o)
          for (int64_t j = 0; j < tileEnd; ++j)
            out.spikes[base + o * OH * OW + ow0 + j] = neurons.bits[j][o];
      }
    }
  }
};

/// A linear layer over the spike lists of its rows.
struct LinearJob {
  const SpikeLists &lists;
  const float *weightT, *bias;
  SparseOutput out;
  int64_t rows, outFeatures;
  int timesteps;

  /// Rows (t, r) × channel blocks; with neurons, rows r × channel blocks,
  /// each scanning the steps.
  int64_t items() const {
    return (out.lif ? 1 : timesteps) * rows * channelBlocks(outFeatures);
  }

  /// Sums outputs [o0, o0 + len) of list row `row` ((t, r)) into `dst`.
  template <int V>
  SF_ALWAYS_INLINE void sumRow(int64_t row, int64_t o0, int64_t len,
                               float *dst) const {
    Tap tap{lists.list(row), lists.list(row) + lists.count[row], weightT + o0};
    Output sums{dst, bias ? bias + o0 : nullptr, false};
    accumulateRange<V>(&tap, 1, outFeatures, sums, 0, len);
  }

  template <int V> SF_ALWAYS_INLINE void run(int64_t i0, int64_t i1) const {
    const int64_t blocks = channelBlocks(outFeatures);
    alignas(64) float buffer[kItemChannels];
    for (int64_t item = i0; item < i1; ++item) {
      const int64_t row = item / blocks, o0 = item % blocks * kItemChannels;
      const int64_t len = std::min(kItemChannels, outFeatures - o0);
      if (!out.lif) {
        sumRow<V>(row, o0, len, out.y + row * outFeatures + o0);
        continue;
      }
      const int64_t base = row * outFeatures + o0;
      NeuronTile neurons;
      for (int64_t o = 0; o < len; ++o)
        neurons.start(o, out.neuron(base + o), 1);
      for (int t = 0; t < timesteps; ++t) {
        sumRow<V>(t * rows + row, o0, len, buffer);
        if (out.hasResidual())
          for (int64_t o = 0; o < len; ++o)
            buffer[o] = buffer[o] + out.residual.at(base + o, t);
        neurons.stepRow(*out.lif, 0, buffer, len, t);
      }
      std::memcpy(out.spikes + base, neurons.bits[0], len * sizeof(uint64_t));
    }
  }
};

} // namespace

VectorIsa host::bestVectorIsa() {
#if SF_X86_DISPATCH
  static const VectorIsa best = __builtin_cpu_supports("avx512f")
                                    ? VectorIsa::Avx512
                                : __builtin_cpu_supports("avx2")
                                    ? VectorIsa::Avx2
                                    : VectorIsa::Baseline;
  return best;
#else
  return VectorIsa::Baseline;
#endif
}

bool host::supportsVectorIsa(VectorIsa isa) {
  return static_cast<int>(isa) <= static_cast<int>(bestVectorIsa());
}

size_t host::sparseScratchBytes(int64_t positions, int64_t channels,
                                int timesteps) {
  return static_cast<size_t>(timesteps) * positions * (channels + 1) *
         sizeof(uint32_t);
}

namespace {

void conv2dSparseInto(const uint64_t *x, const float *weightArranged,
                      const float *bias, const SparseOutput &out,
                      const Window2d &g, int timesteps, int64_t blockSize,
                      void *scratch, ThreadPool &pool, VectorIsa isa) {
  const int64_t C = g.channels, H = g.height, W = g.width;
  // The lists are built tile by tile. A tile's candidate channels are those
  // with a spike in it (with a block size, one OR over the tile decides; a
  // silent tile costs nothing more) or all channels; each of its pixels then
  // reads the candidates' words, which stay in cache from pixel to pixel.
  const int64_t tile = blockSize > 0 ? blockSize : 8;
  const int64_t tilesX = (W + tile - 1) / tile;
  constexpr int64_t kChunk = 1024; // candidate channels per pass
  SpikeLists lists(scratch, H * W, C, timesteps);
  for (int64_t n = 0; n < g.batch; ++n) {
    const uint64_t *image = x + n * C * H * W;
    const int64_t tiles = (H + tile - 1) / tile * tilesX;
    pool.parallelFor(tiles, grainFor(tiles, C * H * W * timesteps),
                     [&](int64_t u0, int64_t u1) {
      uint32_t candidates[kChunk];
      for (int64_t u = u0; u < u1; ++u) {
        const int64_t y0 = u / tilesX * tile, y1 = std::min(y0 + tile, H);
        const int64_t x0 = u % tilesX * tile, x1 = std::min(x0 + tile, W);
        for (int64_t c0 = 0; c0 < C; c0 += kChunk) {
          int64_t count = 0;
          for (int64_t c = c0; c < std::min(c0 + kChunk, C); ++c)
            if (blockSize <= 0 || orTile(image + c * H * W, W, y0, y1, x0, x1))
              candidates[count++] = static_cast<uint32_t>(c);
          for (int64_t ih = y0; ih < y1; ++ih)
            for (int64_t iw = x0; iw < x1; ++iw)
              lists.fill(ih * W + iw, image + ih * W + iw, H * W, candidates,
                         count, c0 > 0);
        }
      }
    });
    // A spike adds to its group's outputs only.
    const int64_t vectors = (g.outChannels / g.groups + 15) / 16;
    const int64_t work = (lists.spikes() * g.kernelH * g.kernelW +
                          timesteps * g.outHeight * g.outWidth * g.groups) *
                         vectors;
    runItems(ConvJob{lists, weightArranged, bias, out, g, n, timesteps}, work,
             isa, pool);
  }
}

void linearSparseInto(const uint64_t *x, const float *weightT,
                      const float *bias, const SparseOutput &out, int64_t rows,
                      int64_t inFeatures, int64_t outFeatures, int timesteps,
                      int64_t blockSize, void *scratch, ThreadPool &pool,
                      VectorIsa isa) {
  const int64_t K = inFeatures;
  const int64_t block = blockSize > 0 ? blockSize : K;
  SpikeLists lists(scratch, rows, K, timesteps);
  std::fill(lists.count, lists.count + timesteps * rows, 0);
  pool.parallelFor(rows, grainFor(rows, rows * K), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const uint64_t *in = x + r * K;
      for (int64_t k0 = 0; k0 < K; k0 += block) {
        const int64_t k1 = std::min(k0 + block, K);
        if (blockSize > 0 && !orTile(in, K, 0, 1, k0, k1))
          continue;
        for (int64_t k = k0; k < k1; ++k)
          if (uint64_t bits = in[k])
            lists.append(r, k, bits);
      }
    }
  });
  const int64_t work =
      (lists.spikes() + timesteps * rows) * ((outFeatures + 15) / 16);
  runItems(LinearJob{lists, weightT, bias, out, rows, outFeatures, timesteps},
           work, isa, pool);
}

} // namespace

void host::conv2dSparse(const uint64_t *x, const float *weightArranged,
                        const float *bias, float *y, const Window2d &g,
                        int timesteps, int64_t blockSize, void *scratch,
                        ThreadPool &pool, VectorIsa isa) {
  SparseOutput out;
  out.y = y;
  conv2dSparseInto(x, weightArranged, bias, out, g, timesteps, blockSize,
                   scratch, pool, isa);
}

void host::conv2dSparseLIF(const uint64_t *x, const float *weightArranged,
                           const float *bias, const Residual &residual,
                           const LIFParams &lif, uint64_t *spikes,
                           const Window2d &g, int timesteps, int64_t blockSize,
                           void *scratch, ThreadPool &pool, VectorIsa isa) {
  SparseOutput out;
  out.lif = &lif;
  out.residual = residual;
  out.spikes = spikes;
  out.channels = g.outChannels;
  out.inner = g.outHeight * g.outWidth;
  conv2dSparseInto(x, weightArranged, bias, out, g, timesteps, blockSize,
                   scratch, pool, isa);
}

void host::linearSparse(const uint64_t *x, const float *weightT,
                        const float *bias, float *y, int64_t rows,
                        int64_t inFeatures, int64_t outFeatures, int timesteps,
                        int64_t blockSize, void *scratch, ThreadPool &pool,
                        VectorIsa isa) {
  SparseOutput out;
  out.y = y;
  linearSparseInto(x, weightT, bias, out, rows, inFeatures, outFeatures,
                   timesteps, blockSize, scratch, pool, isa);
}

void host::linearSparseLIF(const uint64_t *x, const float *weightT,
                           const float *bias, const Residual &residual,
                           const LIFParams &lif, int64_t channels,
                           int64_t inner, uint64_t *spikes, int64_t rows,
                           int64_t inFeatures, int64_t outFeatures,
                           int timesteps, int64_t blockSize, void *scratch,
                           ThreadPool &pool, VectorIsa isa) {
  SparseOutput out;
  out.lif = &lif;
  out.residual = residual;
  out.spikes = spikes;
  out.channels = channels;
  out.inner = inner;
  linearSparseInto(x, weightT, bias, out, rows, inFeatures, outFeatures,
                   timesteps, blockSize, scratch, pool, isa);
}
