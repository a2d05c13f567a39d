//===- SparseKernels.cpp - binary-input kernels that skip silent inputs ---===//
//
// Part of SparseFlow.
//
// A spike is a 1, so an output is the sum of the weights of the inputs that
// fired. The kernels run in two phases:
//
//  1. Spike lists. One pass over the packed input builds, for every position
//     p (a pixel of a conv input, a row of a linear input) and every group
//     of up to four consecutive steps, the list of the channels that fire
//     there, sorted by their pattern over the group's steps (bit s set
//     where the channel fires at the group's step s): a bucket per pattern,
//     the last one the channels that fire at every step ("full"). A
//     channel is listed as the offset of its weight rows. With a block
//     size, a tile of a channel with no spike costs one OR over the tile
//     and nothing after.
//  2. Output-stationary accumulation. For every output (pixel or row) and
//     block of output channels, the kernel sums the weight rows
//     w[c][tap][o0 .. o0+V) of every listed channel c of every tap (the
//     compiler arranged these rows contiguously; the buckets of a run of
//     outputs' window columns are first joined, column by column, into one
//     list of row offsets per pattern, so that an output's rows of a
//     pattern are one slice of it and one loop), each loaded and added once,
//     into one sum per bucket held in vector registers, then adds that sum to
//     the steps of the bucket's pattern. A neuron costs one weight-row load and
//     add however often it fires, and the registers hold a single sum, so
//     one walk over the rows covers 128 outputs.
//
// The accumulation is compiled for AVX-512, AVX2 and the x86-64 baseline and
// picked at run time from what the processor supports. Work is proportional
// to active neurons × taps × output channels, plus one pass over the input.
// Items are bands of output pixels, so that one block of outputs serves
// many pixels before the next block's weights are read.
// An output's sum is the same floats added in the same order whether or not
// the kernel feeds neurons (the fused and unfused layers agree bit for bit);
// against a dense kernel the order differs, so sums agree to rounding.
//
//===----------------------------------------------------------------------===//

#include "backends/host/HostKernels.h"
#include "backends/host/NeuronSteps.h"
#include "backends/host/VectorDispatch.h"
#include "sparseflow/format/artifact_format.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <utility>

using namespace sparseflow::runtime;
using namespace sparseflow::runtime::host;

namespace {

// --- Spike lists --------------------------------------------------------------

/// The most consecutive steps whose spikes are listed together.
constexpr int kGroupSteps = 4;

int stepGroups(int timesteps) {
  return (timesteps + kGroupSteps - 1) / kGroupSteps;
}

/// A group's firing patterns: bit s set where a channel fires at the
/// group's step s; pattern 0 is silence.
constexpr int kPatterns = 1 << kGroupSteps;

/// The spike lists in a kernel's scratch. For position p and step group
/// `phase` (steps [4 phase, 4 phase + 4) ∩ [0, T)) the channels that fire
/// there, bucketed by pattern: bucket b of list(p, phase) is
/// [bounds[b], bounds[b + 1]) of bounds(p, phase), in increasing channel
/// order. The last bucket (all of the group's steps) holds the "full"
/// channels. A channel c is listed as c * rowStride, where its weight rows
/// start (in floats, from channel 0's), so that the sums index the weight
/// without a multiply. Every list has room for all channels, so one pass
/// over the input fills them; the bounds follow the lists, so a read up to
/// kPatterns words past any list stays in the scratch.
struct SpikeLists {
  int64_t positions, capacity;
  uint32_t rowStride;
  int timesteps, groups;
  uint32_t *rows, *offsets;

  SpikeLists(void *scratch, int64_t positions, int64_t channels,
             int64_t rowStride, int timesteps)
      : positions(positions), capacity(channels),
        rowStride(static_cast<uint32_t>(rowStride)), timesteps(timesteps),
        groups(stepGroups(timesteps)), rows(static_cast<uint32_t *>(scratch)),
        offsets(rows + positions * groups * capacity) {}

  int64_t index(int64_t p, int phase) const { return p * groups + phase; }
  /// The number of steps of group `phase`: 4, or fewer in the last.
  int steps(int phase) const {
    return std::min(kGroupSteps, timesteps - phase * kGroupSteps);
  }
  const uint32_t *list(int64_t p, int phase) const {
    return rows + index(p, phase) * capacity;
  }
  const uint32_t *bounds(int64_t p, int phase) const {
    return offsets + index(p, phase) * (kPatterns + 1);
  }

  /// Lists nothing at position p (an input no output reads).
  void clear(int64_t p) {
    std::fill(offsets + index(p, 0) * (kPatterns + 1),
              offsets + index(p + 1, 0) * (kPatterns + 1), 0u);
  }

  /// The number of channels listed at all positions and groups.
  int64_t entries() const {
    int64_t total = 0;
    for (int64_t i = 0; i < positions * groups; ++i)
      total += offsets[i * (kPatterns + 1) + kPatterns];
    return total;
  }

  /// Fills position p's lists from the words word[c * stride] of the `n`
  /// channels `candidates` (increasing); the other channels are silent.
  /// `work` has room for 2n words. A counting sort by pattern: one pass
  /// gathers the channels that fire (branch free), one counts them by
  /// pattern, one places them.
  void fill(int64_t p, const uint64_t *word, int64_t stride,
            const uint32_t *candidates, int64_t n, uint32_t *work) {
    uint32_t *firing = work, *firingPattern = work + n;
    for (int phase = 0; phase < groups; ++phase) {
      const int t0 = phase * kGroupSteps;
      const uint32_t all = (1u << steps(phase)) - 1;
      int64_t m = 0;
      for (int64_t k = 0; k < n; ++k) {
        const uint32_t c = candidates[k];
        const uint32_t b = (word[c * stride] >> t0) & all;
        firing[m] = c * rowStride;
        firingPattern[m] = b;
        m += b != 0;
      }
      // Four tables, so that consecutive channels of one pattern do not wait
      // for each other's increments.
      uint32_t count[4][kPatterns] = {};
      for (int64_t k = 0; k < m; ++k)
        ++count[k & 3][firingPattern[k]];
      uint32_t *bound = offsets + index(p, phase) * (kPatterns + 1);
      uint32_t next[kPatterns];
      bound[0] = bound[1] = 0;
      for (int b = 1; b < kPatterns; ++b)
        bound[b + 1] =
            bound[b] + count[0][b] + count[1][b] + count[2][b] + count[3][b];
      std::copy(bound, bound + kPatterns, next);
      uint32_t *dst = rows + index(p, phase) * capacity;
      for (int64_t k = 0; k < m; ++k)
        dst[next[firingPattern[k]]++] = firing[k];
    }
  }
};

// --- Output-stationary accumulation ---------------------------------------------

/// Weight rows bucketed by firing pattern: those of pattern b are
/// rows[begin[b] .. end[b]), each the offset (in floats) of a row from a base
/// the reader knows. A position's lists at a step group are such buckets,
/// and so is an output's slice of a joined run (ConvJob::sumRun). The walk
/// over them reads up to kPrefetchAhead entries past a bucket's end, which
/// must be readable (their values are only prefetched).
struct Buckets {
  const uint32_t *rows, *begin, *end;
};

/// Where the sums of a group's steps go: step s's at dst[s], s < steps.
/// They start at `init` (the bias; null for 0) or, when `resume` is set, at
/// what dst[s] holds.
template <int G> struct StepOutputs {
  float *dst[G];
  int steps;
  const float *init;
  bool resume;
};

/// 16 floats; the compiler splits it into the widest registers the target
/// has (one zmm, two ymm or four xmm). f32x16u reads one from any float
/// address, like the compilers' own unaligned vector types.
typedef float f32x16 __attribute__((vector_size(64)));
typedef float f32x16u
    __attribute__((vector_size(64), aligned(4), may_alias));
typedef uint32_t u32x16u
    __attribute__((vector_size(64), aligned(4), may_alias));
constexpr int kLanes = 16;
/// How many rows ahead of the one being added the accumulation prefetches
/// weight rows: the rows of a deep layer come from L2 or L3 (a 512-channel
/// 3x3 layer's rows for one block of outputs are 1.2 MB), and a row's load
/// would otherwise wait there. Measured on an AMD EPYC (Zen 5): 8 to 10
/// best, 10-17 % off the 256- and 512-channel layers.
constexpr int kPrefetchAhead = 8;
/// Words a joined pattern's list may write past its last row: a bucket is
/// copied 16 rows at a time, then kPrefetchAhead zeros follow.
constexpr int64_t kJoinSlack = kLanes + kPrefetchAhead;

/// Outputs [j0, j0 + V) of a group's steps (G of them at most), V a
/// multiple of 16, over the rows of `taps` at `base` (row offset 0, at
/// output j0 = 0). Each bucket's rows are summed into one
/// sum in registers, each row loaded and added once, and the sum is then
/// added to the steps of the bucket's pattern. A neuron costs one
/// weight-row load and add however often it fires; a bucket, G adds. The
/// steps' sums wait in L1 while a bucket is summed, so the registers hold
/// one sum of V outputs (the dispatch's widest block: 128 floats on
/// AVX-512) and each row read covers as many outputs as it can.
template <int G, int V>
SF_ALWAYS_INLINE void accumulate(const Buckets &taps, const float *base,
                                 const StepOutputs<G> &out, int64_t j0) {
  constexpr int R = V / kLanes;
  constexpr unsigned kFull = (1u << G) - 1;
  f32x16 acc[G][R] = {};
  for (int s = 0; s < G && s < out.steps; ++s)
    if (const float *start = out.resume ? out.dst[s] : out.init)
      std::memcpy(acc[s], start + j0, sizeof acc[s]);
  base += j0;
  const auto load = [&](const uint32_t *c, const uint32_t *ahead,
                        f32x16(&row)[R]) SF_ALWAYS_INLINE_LAMBDA {
    // Every other line: the core's adjacent-line prefetcher fetches the
    // rest (2-3 % faster than every line on the captured ResNet layers,
    // measured on Zen 5; the prefetches take load slots).
    for (int r = 0; r < R; r += 2)
      __builtin_prefetch(base + *ahead + r * kLanes);
    for (int r = 0; r < R; ++r)
      row[r] = *reinterpret_cast<const f32x16u *>(base + *c + r * kLanes);
  };
  static constexpr uint32_t kZeros[kPrefetchAhead] = {};
  for (unsigned p = 1; p <= kFull; ++p) {
    f32x16 sum[R] = {};
    const uint32_t *c = taps.rows + taps.begin[p],
                   *end = taps.rows + taps.end[p];
    // The prefetch runs kPrefetchAhead rows ahead. Rows of 8 lines and more
    // (128 outputs) come from L2 on the layers that have them, and follow
    // the walk's order: past this pattern's last row, into the next
    // pattern's first (which need not follow it in `taps`). Shorter rows
    // read past the end (the choice is a measured one: the extra
    // instructions cost the 64-channel layers more than the prefetches
    // gain).
    const ptrdiff_t jump =
        R >= 8 ? (p < kFull ? taps.rows + taps.begin[p + 1] : kZeros) - end : 0;
    for (; c != end; ++c) {
      const uint32_t *ahead = c + kPrefetchAhead;
      if constexpr (R >= 8)
        ahead += ahead < end ? 0 : jump;
      f32x16 row[R];
      load(c, ahead, row);
      for (int r = 0; r < R; ++r)
        sum[r] += row[r];
    }
    for (int s = 0; s < G; ++s)
      if ((p >> s) & 1)
        for (int r = 0; r < R; ++r)
          acc[s][r] += sum[r];
  }
  for (int s = 0; s < G && s < out.steps; ++s)
    for (int r = 0; r < R; ++r)
      reinterpret_cast<f32x16u *>(out.dst[s] + j0)[r] = acc[s][r];
}

/// The same for outputs [j0, j1), fewer than 16.
template <int G>
SF_ALWAYS_INLINE void accumulateTail(const Buckets &taps, const float *base,
                                     const StepOutputs<G> &out, int64_t j0,
                                     int64_t j1) {
  constexpr unsigned kFull = (1u << G) - 1;
  float acc[G][kLanes] = {};
  const int64_t len = j1 - j0;
  for (int s = 0; s < G && s < out.steps; ++s)
    if (const float *start = out.resume ? out.dst[s] : out.init)
      std::memcpy(acc[s], start + j0, len * sizeof(float));
  for (unsigned p = 1; p <= kFull; ++p) {
    float sum[kLanes] = {};
    for (uint32_t k = taps.begin[p]; k < taps.end[p]; ++k) {
      const float *w = base + j0 + taps.rows[k];
      for (int64_t j = 0; j < len; ++j)
        sum[j] += w[j];
    }
    for (int s = 0; s < G; ++s)
      if ((p >> s) & 1)
        for (int64_t j = 0; j < len; ++j)
          acc[s][j] += sum[j];
  }
  for (int s = 0; s < G && s < out.steps; ++s)
    std::memcpy(out.dst[s] + j0, acc[s], len * sizeof(float));
}

/// Outputs [j0, j1): blocks of V, then what is left with V / 2, ..., 16,
/// then the tail.
template <int G, int V>
SF_ALWAYS_INLINE void accumulateRange(const Buckets &taps, const float *base,
                                      const StepOutputs<G> &out, int64_t j0,
                                      int64_t j1) {
  for (; j0 + V <= j1; j0 += V)
    accumulate<G, V>(taps, base, out, j0);
  if (j0 == j1)
    return;
  if constexpr (V > kLanes)
    accumulateRange<G, V / 2>(taps, base, out, j0, j1);
  else
    accumulateTail<G>(taps, base, out, j0, j1);
}

/// Calls fn(std::integral_constant<int, G>{}) with the register layout for
/// a group of `steps` steps: G = 1, 2 or 4.
template <typename F> SF_ALWAYS_INLINE void withGroupSize(int steps, F &&fn) {
  if (steps > 2)
    fn(std::integral_constant<int, 4>{});
  else if (steps == 2)
    fn(std::integral_constant<int, 2>{});
  else
    fn(std::integral_constant<int, 1>{});
}

/// Position p's lists at step group `phase`. With `narrowed` (a grouped
/// conv) its buckets are restricted to channels [c0, c1), the group's, their
/// bounds written to narrowed[0 .. 2 kPatterns).
SF_ALWAYS_INLINE Buckets bucketsOf(const SpikeLists &lists, int64_t p,
                                   int phase, uint32_t *narrowed, uint32_t c0,
                                   uint32_t c1) {
  const uint32_t *list = lists.list(p, phase), *bounds = lists.bounds(p, phase);
  if (!narrowed)
    return {list, bounds, bounds + 1};
  const uint32_t first = c0 * lists.rowStride, last = c1 * lists.rowStride;
  for (int b = 0; b < kPatterns; ++b) {
    const uint32_t *from = list + bounds[b], *to = list + bounds[b + 1];
    from = std::lower_bound(from, to, first);
    narrowed[b] = static_cast<uint32_t>(from - list);
    narrowed[kPatterns + b] =
        static_cast<uint32_t>(std::lower_bound(from, to, last) - list);
  }
  return {list, narrowed, narrowed + kPatterns};
}

/// Taps [first, last) of one axis of a window whose tap k reads index
/// start + k * dilation: those that read inside [0, size), of `kernel`
/// (last <= first when none does).
struct TapsInside {
  int64_t first, last;
  TapsInside(int64_t start, int64_t size, int64_t kernel, int64_t dilation)
      : first(start < 0 ? (-start + dilation - 1) / dilation : 0),
        last(start >= size
                 ? 0
                 : std::min(kernel, (size - 1 - start) / dilation + 1)) {}
};

/// Output channels per work item.
constexpr int64_t kItemChannels = 128;
/// The most conv output pixels one item sums (a band, in raster order).
constexpr int64_t kBandPixels = 32;
/// The weight rows one pass over a band reads, at most (most of a core's L2
/// cache; a 512-channel 3x3 layer's rows for a block of 128 outputs are
/// 2.4 MB, 0.8 MB per kernel row).
constexpr int64_t kSliceBytes = 768 << 10;
/// The spike lists built before they are read, at most (a part of a core's
/// L2 cache).
constexpr int64_t kListBytes = 512 << 10;

int64_t channelBlocks(int64_t channels) {
  return (channels + kItemChannels - 1) / kItemChannels;
}

/// Bytes of the lists of `positions` positions: per position and step
/// group, a list of channels and the buckets' bounds.
size_t listBytes(int64_t positions, int64_t channels, int timesteps) {
  return static_cast<size_t>(positions) * stepGroups(timesteps) *
         (channels + kPatterns + 1) * sizeof(uint32_t);
}

/// Words of a thread's work space for filling lists of `channels`
/// channels: three per channel (the candidates, and twice as many for
/// SpikeLists::fill).
int64_t fillWords(int64_t channels) { return 3 * channels; }

/// The input columns one run of conv `g`'s outputs (ConvJob::sumRun) reads
/// at most: a run is the part of a band in one output row.
int64_t runColumns(const Window2d &g) {
  const int64_t outputs = std::min(kBandPixels, g.outWidth);
  return std::min(g.width, (outputs - 1) * g.strideW +
                               (g.kernelW - 1) * g.dilationW + 1);
}

/// Words of a thread's work space for conv `g`: filling lists, or joining
/// a run, its column starts and its rows (runColumns × KH taps of a group's
/// channels, and each pattern's kJoinSlack).
int64_t convWorkWords(const Window2d &g) {
  const int64_t columns = runColumns(g);
  return std::max(fillWords(g.channels),
                  (columns + 1) * kPatterns +
                      columns * g.kernelH * (g.channels / g.groups) +
                      kPatterns * kJoinSlack);
}

/// The images a sparse conv sums together: as many as keep their lists
/// within kListBytes (in cache until they are read), at least one.
int64_t imagesPerPass(int64_t batch, int64_t pixels, int64_t channels,
                      int timesteps) {
  return std::clamp<int64_t>(
      kListBytes / static_cast<int64_t>(listBytes(pixels, channels, timesteps)),
      1, batch);
}

/// Swaps the off-diagonal B x B blocks of each 2B x 2B block of the N x N
/// matrix `rows` (row i, lane l): one level of a transpose.
template <int B, typename Vec, int N, int... L>
SF_ALWAYS_INLINE void swapBlocks(Vec (&rows)[N],
                                 std::integer_sequence<int, L...>) {
  for (int i = 0; i < N; ++i)
    if (!(i & B)) {
      const Vec a = rows[i], c = rows[i + B];
      rows[i] = __builtin_shufflevector(a, c, ((L & B) ? N + L - B : L)...);
      rows[i + B] = __builtin_shufflevector(a, c, ((L & B) ? N + L : L + B)...);
    }
}

/// dst[c * dstStride + r] = src[r * srcStride + c] for r < rows and
/// c < cols, T a 4- or 8-byte type: blocks of 64-byte rows (16 x 16 floats,
/// 8 x 8 words) transposed in registers by levels of block swaps, the edges
/// one by one. The sparse kernels' tiles are [pixel][channel] and the
/// tensors [channel][pixel].
template <typename T>
SF_ALWAYS_INLINE void transposeTile(T *dst, int64_t dstStride, const T *src,
                                    int64_t srcStride, int64_t rows,
                                    int64_t cols) {
  constexpr int N = 64 / sizeof(T);
  typedef T Vec __attribute__((vector_size(64)));
  typedef T VecU
      __attribute__((vector_size(64), aligned(alignof(T)), may_alias));
  constexpr auto lanes = std::make_integer_sequence<int, N>{};
  int64_t r0 = 0;
  for (; r0 + N <= rows; r0 += N) {
    int64_t c0 = 0;
    for (; c0 + N <= cols; c0 += N) {
      Vec block[N];
      for (int i = 0; i < N; ++i)
        block[i] =
            *reinterpret_cast<const VecU *>(src + (r0 + i) * srcStride + c0);
      if constexpr (N > 8)
        swapBlocks<8>(block, lanes);
      swapBlocks<4>(block, lanes);
      swapBlocks<2>(block, lanes);
      swapBlocks<1>(block, lanes);
      for (int i = 0; i < N; ++i)
        *reinterpret_cast<VecU *>(dst + (c0 + i) * dstStride + r0) = block[i];
    }
    for (int64_t c = c0; c < cols; ++c)
      for (int64_t r = r0; r < r0 + N; ++r)
        dst[c * dstStride + r] = src[r * srcStride + c];
  }
  for (int64_t c = 0; c < cols; ++c)
    for (int64_t r = r0; r < rows; ++r)
      dst[c * dstStride + r] = src[r * srcStride + c];
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
};

/// The LIF state of up to kBandPixels x kItemChannels neurons over the
/// steps, [j][o] like the sums buffer: neuron (j, o) has the parameters of
/// slot o (an output channel of the item), kept one array per parameter so
/// that a row of neurons steps as vectors.
struct NeuronTile {
  float leak[kItemChannels], gain[kItemChannels], vLeak[kItemChannels],
      threshold[kItemChannels], vReset[kItemChannels], vInit[kItemChannels];
  float v[kBandPixels][kItemChannels];
  bool fired[kBandPixels][kItemChannels];
  uint64_t bits[kBandPixels][kItemChannels];

  /// Slot o's parameters.
  void setParams(int64_t o, const NeuronParams &p) {
    leak[o] = p.leak;
    gain[o] = p.gain;
    vLeak[o] = p.vLeak;
    threshold[o] = p.threshold;
    vReset[o] = p.vReset;
    vInit[o] = p.vInit;
  }

  /// The neurons of rows [0, rows) and slots [0, len) at their initial
  /// state.
  SF_ALWAYS_INLINE void reset(int64_t rows, int64_t len) {
    for (int64_t j = 0; j < rows; ++j) {
      std::copy(vInit, vInit + len, v[j]);
      std::fill(fired[j], fired[j] + len, false);
      std::fill(bits[j], bits[j] + len, uint64_t{0});
    }
  }

  /// Steps neurons (j, 0..len) with inputs `in` at step t.
  SF_ALWAYS_INLINE void stepRow(const LIFParams &lif, int64_t j,
                                const float *in, int64_t len, int t) {
    stepNeurons(lif, {leak, gain, vLeak, threshold, vReset, vInit}, in, v[j],
                fired[j], bits[j], len, t);
  }
};

/// A band's residual in the sums' layout [j][o] (row j < rows ≤
/// kBandPixels, slot o < len; element element0 + j + o * stride): spike
/// words are transposed once per item and each step takes its bit; floats,
/// a step at a time. Read in place, a row's channels would each touch
/// another page.
struct ResidualTile {
  const Residual &r;
  int64_t rows, len, element0, stride;
  uint64_t (&words)[kBandPixels][kItemChannels];
  float (&values)[kBandPixels][kItemChannels];

  SF_ALWAYS_INLINE ResidualTile(const Residual &r, int64_t rows, int64_t len,
                                int64_t element0, int64_t stride,
                                uint64_t (&words)[kBandPixels][kItemChannels],
                                float (&values)[kBandPixels][kItemChannels])
      : r(r), rows(rows), len(len), element0(element0), stride(stride),
        words(words), values(values) {
    if (r.spikes)
      transposeTile(words[0], kItemChannels, r.spikes + element0, stride, len,
                    rows);
  }

  /// Adds step t's values to sums[j][o].
  SF_ALWAYS_INLINE void addTo(float (*sums)[kItemChannels], int t) const {
    if (r.spikes) {
      for (int64_t j = 0; j < rows; ++j)
        for (int64_t o = 0; o < len; ++o)
          sums[j][o] = sums[j][o] + static_cast<float>(static_cast<uint32_t>(
                                        (words[j][o] >> t) & 1u));
      return;
    }
    if (!r.floats)
      return;
    const float *floats = r.floats + (r.temporal ? t * r.elements : 0);
    transposeTile(values[0], kItemChannels, floats + element0, stride, len,
                  rows);
    for (int64_t j = 0; j < rows; ++j)
      for (int64_t o = 0; o < len; ++o)
        sums[j][o] = sums[j][o] + values[j][o];
  }
};

/// Feeds sums[j][0 .. len) of step t, plus the residual, to the neurons of
/// rows j < rows.
SF_ALWAYS_INLINE void stepBand(const SparseOutput &out, NeuronTile &neurons,
                               const ResidualTile &residual,
                               float (*sums)[kItemChannels], int t) {
  residual.addTo(sums, t);
  for (int64_t j = 0; j < residual.rows; ++j)
    neurons.stepRow(*out.lif, j, sums[j], residual.len, t);
}

/// A work item's tiles, [pixel][channel]: the sums of a band's step
/// group, the neurons they feed and the residual's transposed words or
/// floats. About 170 KB, so each pool thread's lie in the scratch rather
/// than on its stack (a caller's thread may have a small one).
struct ItemTiles {
  float sums[kGroupSteps][kBandPixels][kItemChannels];
  NeuronTile neurons;
  uint64_t residualWords[kBandPixels][kItemChannels];
  float residualValues[kBandPixels][kItemChannels];
};

/// `bytes` rounded up to whole 64-byte lines.
constexpr size_t wholeLines(size_t bytes) { return (bytes + 63) / 64 * 64; }

/// Bytes a pool thread's part of a sparse kernel's scratch takes after the
/// lists: its item tiles, then `words` words of work space.
size_t threadBytes(int64_t words) {
  return wholeLines(sizeof(ItemTiles)) + wholeLines(words * sizeof(uint32_t));
}

/// Where the pool threads' parts lie in a sparse kernel's scratch: after
/// `lists` bytes of lists (and up to 63 more, to a 64-byte boundary),
/// threadBytes(words) each.
struct ThreadWork {
  void *scratch;
  size_t lists;
  int64_t words;

  char *part() const {
    const uintptr_t start =
        wholeLines(reinterpret_cast<uintptr_t>(scratch) + lists);
    return reinterpret_cast<char *>(start) +
           ThreadPool::threadIndex() * threadBytes(words);
  }
  /// The calling thread's item tiles and work space.
  ItemTiles &tiles() const { return *reinterpret_cast<ItemTiles *>(part()); }
  uint32_t *get() const {
    return reinterpret_cast<uint32_t *>(part() + wholeLines(sizeof(ItemTiles)));
  }
};

/// A conv over the spike lists of a batch. An item is a band of up to
/// kBandPixels output pixels of one image (consecutive in raster order,
/// across rows) and a block of up to kItemChannels output channels of one
/// group.
struct ConvJob {
  const SpikeLists &lists;
  const float *weight, *bias;
  SparseOutput out;
  /// The layer, and the images [n0, n0 + images) of this job.
  const Window2d &g;
  int64_t n0, images;
  /// Output pixels per item.
  int64_t band;
  /// Kernel rows summed per pass over a band.
  int64_t sliceRows;
  ThreadWork work;

  int64_t perGroup() const { return g.outChannels / g.groups; }
  int64_t blocksPerGroup() const { return channelBlocks(perGroup()); }
  int64_t bands() const { return (g.outHeight * g.outWidth + band - 1) / band; }
  int64_t items() const {
    return blocksPerGroup() * g.groups * images * bands();
  }

  /// Item `item`'s image and first pixel, and its block's first output
  /// channel and length. Consecutive items share a block, and so its
  /// weights.
  SF_ALWAYS_INLINE int64_t block(int64_t item, int64_t &image, int64_t &o0,
                                 int64_t &len) const {
    const int64_t perBlock = images * bands();
    const int64_t b = item / perBlock, group = b / blocksPerGroup();
    o0 = group * perGroup() + b % blocksPerGroup() * kItemChannels;
    len = std::min(kItemChannels, (group + 1) * perGroup() - o0);
    image = item % perBlock / bands();
    return item % bands() * band;
  }

  /// Adds to dst[s][(ow - ow0) kItemChannels + o - o0] the sums of outputs
  /// [o0, o0 + len) (of one group) of pixels [ow0, ow1) of output row oh of
  /// `image`, at step group `phase`'s steps s < steps, over kernel rows
  /// [kh0, kh1) (resuming unless kh0 is 0). The weight is arranged
  /// [C][KH][KW][O / groups]; with groups, a tap reads only the group's
  /// channels of its lists.
  ///
  /// The run's taps are joined first, in `space`: per pattern one list of
  /// rows, the window columns' in turn (a column's kernel rows in turn), so
  /// that each output's rows of a pattern are one slice of it, and a column
  /// is copied once for the run rather than once per output that reads it
  /// (KW times at stride 1). Columns are ordered by class (iw - iw0) mod
  /// dilation, then by place m in their class, so that an output's columns
  /// (a dilation apart) are adjacent. A row is listed as c * rowStride +
  /// (kh * KW + m) * O / groups; an output whose first column has place m
  /// and tap kw reads them from a base (kw - m) rows of O / groups floats
  /// from the weight's.
  template <int G, int V>
  SF_ALWAYS_INLINE void sumRun(int phase, int steps, int64_t image, int64_t oh,
                               int64_t ow0, int64_t ow1, int64_t o0,
                               int64_t len, float *const *dst, uint32_t *space,
                               int64_t kh0, int64_t kh1) const {
    const int64_t og = perGroup(), group = o0 / og,
                  cPerGroup = g.channels / g.groups;
    const uint32_t c0 = static_cast<uint32_t>(group * cPerGroup),
                   c1 = static_cast<uint32_t>(c0 + cPerGroup);
    const int64_t W = g.width, KW = g.kernelW, sW = g.strideW, dW = g.dilationW;
    const int64_t iw0 = std::max<int64_t>(0, ow0 * sW - g.padLeft);
    const int64_t columns = std::max<int64_t>(
        0, std::min(W, (ow1 - 1) * sW - g.padLeft + (KW - 1) * dW + 1) - iw0);
    // Class r holds perClass columns, one more if r < longer.
    const int64_t perClass = columns / dW, longer = columns % dW;
    // The kernel rows whose input rows lie in the image.
    const int64_t ih0 = oh * g.strideH - g.padTop, dH = g.dilationH;
    const TapsInside rowsInside(ih0, g.height, g.kernelH, dH);
    const int64_t khLo = std::max(kh0, rowsInside.first),
                  khHi = std::min(kh1, rowsInside.last);
    const auto bucketsAt = [&](int64_t iw, int64_t kh,
                               uint32_t *narrowed) SF_ALWAYS_INLINE_LAMBDA {
      return bucketsOf(lists, (image * g.height + ih0 + kh * dH) * W + iw,
                       phase, g.groups > 1 ? narrowed : nullptr, c0, c1);
    };
    uint32_t narrowed[2 * kPatterns]; // a grouped conv's buckets
    static constexpr uint32_t kNone[kPatterns] = {};
    const float *const weights = weight + o0 - group * og;
    const auto sumOutput = [&](int64_t ow, const Buckets &taps,
                               const float *base) SF_ALWAYS_INLINE_LAMBDA {
      StepOutputs<G> sums{{}, steps, bias ? bias + o0 : nullptr, kh0 > 0};
      for (int s = 0; s < steps; ++s)
        sums.dst[s] = dst[s] + (ow - ow0) * kItemChannels;
      accumulateRange<G, V>(taps, base, sums, 0, len);
    };
    if (g.kernelH * KW == 1) {
      // An output of a 1x1 kernel reads one pixel, whose buckets are walked
      // where they lie, as a linear layer's row.
      for (int64_t ow = ow0; ow < ow1; ++ow) {
        const int64_t iw = ow * sW - g.padLeft;
        sumOutput(ow,
                  iw >= 0 && iw < W && khLo < khHi
                      ? bucketsAt(iw, 0, narrowed)
                      : Buckets{kNone, kNone, kNone},
                  weights);
      }
      return;
    }
    auto *start = reinterpret_cast<uint32_t(*)[kPatterns]>(space);
    uint32_t *rows = space + (columns + 1) * kPatterns;
    const int patterns = 1 << steps;
    // Each pattern's list starts after the previous one's rows and slack.
    uint32_t cursor[kPatterns] = {};
    for (int64_t iw = iw0; iw < iw0 + columns; ++iw)
      for (int64_t kh = khLo; kh < khHi; ++kh) {
        const Buckets b = bucketsAt(iw, kh, narrowed);
        for (int p = 1; p < kPatterns; ++p)
          cursor[p] += b.end[p] - b.begin[p];
      }
    for (uint32_t p = 1, at = 0; p < static_cast<uint32_t>(patterns); ++p) {
      const uint32_t n = cursor[p];
      cursor[p] = at;
      at += n + kJoinSlack;
    }
    int64_t slot = 0;
    for (int64_t r = 0; r < std::min(dW, columns); ++r)
      for (int64_t iw = iw0 + r, m = 0; iw < iw0 + columns; iw += dW, ++m) {
        std::copy(cursor, cursor + kPatterns, start[slot++]);
        for (int64_t kh = khLo; kh < khHi; ++kh) {
          const Buckets b = bucketsAt(iw, kh, narrowed);
          if (b.end[kPatterns - 1] == b.begin[1])
            continue; // silent, or read by no output
          const uint32_t offset = static_cast<uint32_t>((kh * KW + m) * og);
          // 16 rows at a time, the last copy running past the bucket's end
          // (the next copy, or the slack, takes what it wrote there): most
          // buckets are shorter than 16, so the loop almost always runs
          // once. It reads up to 15 words past a bucket, which SpikeLists
          // keeps inside its scratch.
          for (int p = 1; p < patterns; ++p) {
            const uint32_t *src = b.rows + b.begin[p];
            const uint32_t n = b.end[p] - b.begin[p];
            uint32_t *dst = rows + cursor[p];
            uint32_t k = 0;
            do {
              *reinterpret_cast<u32x16u *>(dst + k) =
                  *reinterpret_cast<const u32x16u *>(src + k) + offset;
              k += kLanes;
            } while (k < n);
            cursor[p] += n;
          }
        }
      }
    std::copy(cursor, cursor + kPatterns, start[columns]);
    for (int p = 1; p < patterns; ++p)
      std::fill(rows + cursor[p], rows + cursor[p] + kPrefetchAhead, 0u);

    for (int64_t ow = ow0; ow < ow1; ++ow) {
      // Taps [kwa, kwb) read columns inside the image.
      const int64_t lo = ow * sW - g.padLeft;
      const TapsInside inside(lo, W, KW, dW);
      const int64_t kwa = inside.first, kwb = inside.last;
      Buckets taps{rows, kNone, kNone};
      const float *base = weights;
      if (kwa < kwb) {
        const int64_t d = lo + kwa * dW - iw0, r = d % dW, m = d / dW;
        const int64_t first = r * perClass + std::min(r, longer) + m;
        taps.begin = start[first];
        taps.end = start[first + kwb - kwa];
        // The base lies before the weight when m > kwa; every row read from
        // it is inside. Unsigned arithmetic, so that it wraps as intended.
        base = reinterpret_cast<const float *>(
            reinterpret_cast<uintptr_t>(weights) +
            static_cast<uintptr_t>((kwa - m) * og) * sizeof(float));
      }
      sumOutput(ow, taps, base);
    }
  }

  /// A band's sums go, a step group at a time, into a buffer [s][pixel][o],
  /// then are transposed into y's [t][n][o][oh][ow] or fed to the neurons.
  template <int V> SF_ALWAYS_INLINE void run(int64_t i0, int64_t i1) const {
    const int64_t O = g.outChannels, P = g.outHeight * g.outWidth;
    ItemTiles &tiles = work.tiles();
    auto &buffer = tiles.sums;
    NeuronTile &neurons = tiles.neurons;
    uint32_t *space = work.get();
    for (int64_t item = i0; item < i1; ++item) {
      int64_t image, o0, len;
      const int64_t q0 = block(item, image, o0, len);
      const int64_t pixels = std::min(band, P - q0);
      const int64_t base = ((n0 + image) * O + o0) * P + q0;
      // The outputs of one channel share its neurons' parameters.
      if (out.lif) {
        for (int64_t o = 0; o < len; ++o)
          neurons.setParams(o, out.neuron(base + o * P));
        neurons.reset(pixels, len);
      }
      const ResidualTile residual(out.residual, pixels, len, base, P,
                                  tiles.residualWords, tiles.residualValues);
      for (int phase = 0; phase < lists.groups; ++phase) {
        const int t0 = phase * kGroupSteps, steps = lists.steps(phase);
        withGroupSize(steps, [&](auto size) SF_ALWAYS_INLINE_LAMBDA {
          for (int64_t kh0 = 0; kh0 < g.kernelH; kh0 += sliceRows)
            // Runs: the band's pixels in one output row.
            for (int64_t j = 0, run; j < pixels; j += run) {
              const int64_t oh = (q0 + j) / g.outWidth,
                            ow = (q0 + j) % g.outWidth;
              run = std::min(pixels - j, g.outWidth - ow);
              float *dst[kGroupSteps] = {};
              for (int s = 0; s < steps; ++s)
                dst[s] = buffer[s][j];
              sumRun<decltype(size)::value, V>(
                  phase, steps, image, oh, ow, ow + run, o0, len, dst, space,
                  kh0, std::min(kh0 + sliceRows, g.kernelH));
            }
        });
        for (int s = 0; s < steps; ++s) {
          const int t = t0 + s;
          if (out.lif) {
            stepBand(out, neurons, residual, buffer[s], t);
            continue;
          }
          transposeTile(out.y + ((t * g.batch + n0 + image) * O + o0) * P + q0,
                        P, buffer[s][0], kItemChannels, pixels, len);
        }
      }
      if (out.lif)
        transposeTile(out.spikes + base, P, neurons.bits[0], kItemChannels,
                      pixels, len);
    }
  }
};

/// A linear layer over the spike lists of its rows.
struct LinearJob {
  const SpikeLists &lists;
  const float *weightT, *bias;
  SparseOutput out;
  int64_t rows, outFeatures;
  ThreadWork work;

  /// Rows × channel blocks; every item sums all steps.
  int64_t items() const { return rows * channelBlocks(outFeatures); }

  template <int V> SF_ALWAYS_INLINE void run(int64_t i0, int64_t i1) const {
    const int64_t blocks = channelBlocks(outFeatures);
    ItemTiles &tiles = work.tiles();
    auto &buffer = tiles.sums;
    NeuronTile &neurons = tiles.neurons;
    for (int64_t item = i0; item < i1; ++item) {
      const int64_t row = item / blocks, o0 = item % blocks * kItemChannels;
      const int64_t len = std::min(kItemChannels, outFeatures - o0);
      const int64_t base = row * outFeatures + o0;
      if (out.lif) {
        for (int64_t o = 0; o < len; ++o)
          neurons.setParams(o, out.neuron(base + o));
        neurons.reset(1, len);
      }
      const ResidualTile residual(out.residual, 1, len, base, 1,
                                  tiles.residualWords, tiles.residualValues);
      for (int phase = 0; phase < lists.groups; ++phase) {
        const int t0 = phase * kGroupSteps, steps = lists.steps(phase);
        float *dst[kGroupSteps];
        for (int s = 0; s < steps; ++s)
          dst[s] = out.lif ? buffer[s][0]
                           : out.y + ((t0 + s) * rows + row) * outFeatures + o0;
        // The row's buckets are walked where they lie: what the walk reads
        // past one is the next bucket, or another list or bounds of the
        // scratch.
        const Buckets taps = bucketsOf(lists, row, phase, nullptr, 0, 0);
        withGroupSize(steps, [&](auto size) SF_ALWAYS_INLINE_LAMBDA {
          constexpr int G = decltype(size)::value;
          StepOutputs<G> sums{{}, steps, bias ? bias + o0 : nullptr, false};
          std::copy(dst, dst + steps, sums.dst);
          accumulateRange<G, V>(taps, weightT + o0, sums, 0, len);
        });
        if (out.lif)
          for (int s = 0; s < steps; ++s)
            stepBand(out, neurons, residual, buffer[s], t0 + s);
      }
      if (out.lif)
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
                                int timesteps, unsigned threads) {
  return listBytes(positions, channels, timesteps) + 63 +
         threads * threadBytes(fillWords(channels));
}

size_t host::sparseConvScratchBytes(const Window2d &g, int timesteps,
                                    unsigned threads) {
  const int64_t pixels = g.height * g.width;
  return imagesPerPass(g.batch, pixels, g.channels, timesteps) *
             listBytes(pixels, g.channels, timesteps) +
         63 + threads * threadBytes(convWorkWords(g));
}

uint64_t host::sparseConvOffsetBound(const Window2d &g) {
  // A run lists c * rowStride + (kh * KW + m) * O / groups, m < W.
  return static_cast<uint64_t>(g.channels * g.kernelH * g.kernelW + g.width) *
         static_cast<uint64_t>(g.outChannels / g.groups);
}

namespace {

/// Whether input index i (a row or a column) is read by the window of some
/// of the `outputs` outputs along that axis.
bool readByWindow(int64_t i, int64_t outputs, int64_t kernel, int64_t stride,
                  int64_t pad, int64_t dilation) {
  for (int64_t k = 0; k < kernel; ++k) {
    const int64_t at = i + pad - k * dilation; // output * stride
    if (at >= 0 && at % stride == 0 && at / stride < outputs)
      return true;
  }
  return false;
}

/// Fills the lists of the pixels of the tile x `tile` tile at (y0, x0) of
/// image n of the conv `g`'s packed input spikes [N][C][H][W]. Its
/// candidate channels are those with a spike in it (with a block size, one
/// OR over the tile decides; a silent tile costs nothing more) or all
/// channels; each of its pixels then reads the candidates' words, which
/// stay in cache from pixel to pixel. A pixel no output reads gets empty
/// lists.
void fillTile(SpikeLists &lists, const uint64_t *x, int64_t n,
              const Window2d &g, int64_t y0, int64_t x0, int64_t tile,
              int64_t blockSize, uint32_t *work) {
  const int64_t C = g.channels, H = g.height, W = g.width;
  uint32_t *candidates = work;
  const uint64_t *image = x + n * C * H * W;
  const int64_t y1 = std::min(y0 + tile, H), x1 = std::min(x0 + tile, W);
  int64_t count = 0;
  for (int64_t c = 0; c < C; ++c)
    if (blockSize <= 0 || orTile(image + c * H * W, W, y0, y1, x0, x1))
      candidates[count++] = static_cast<uint32_t>(c);
  for (int64_t ih = y0; ih < y1; ++ih) {
    const bool rowRead = readByWindow(ih, g.outHeight, g.kernelH, g.strideH,
                                      g.padTop, g.dilationH);
    for (int64_t iw = x0; iw < x1; ++iw) {
      const int64_t p = (n * H + ih) * W + iw;
      if (rowRead && readByWindow(iw, g.outWidth, g.kernelW, g.strideW,
                                  g.padLeft, g.dilationW))
        lists.fill(p, image + ih * W + iw, H * W, candidates, count, work + C);
      else
        lists.clear(p);
    }
  }
}

void conv2dSparseInto(const uint64_t *x, const float *weightArranged,
                      const float *bias, const SparseOutput &out,
                      const Window2d &g, int timesteps, int64_t blockSize,
                      void *scratch, ThreadPool &pool, VectorIsa isa) {
  const int64_t N = g.batch, C = g.channels, H = g.height, W = g.width;
  const int64_t tile = blockSize > 0 ? blockSize : 8;
  const int64_t tilesX = (W + tile - 1) / tile;
  const int64_t tiles = (H + tile - 1) / tile * tilesX;
  const int64_t pixels = g.outHeight * g.outWidth;
  const int64_t blocks = channelBlocks(g.outChannels / g.groups) * g.groups;
  // Images are taken a few at a time (imagesPerPass): their lists are
  // built tile by tile, then all their items are summed, two parallel loops
  // for several images rather than per image.
  const int64_t perPass = imagesPerPass(N, H * W, C, timesteps);
  // Each thread's work space follows the lists of a pass.
  const ThreadWork work{scratch, perPass * listBytes(H * W, C, timesteps),
                        convWorkWords(g)};
  // A channel's rows start KH KW O / groups floats after the previous one's.
  const int64_t rowStride = g.kernelH * g.kernelW * (g.outChannels / g.groups);
  // Kernel rows summed per pass over a band of outputs: as many as keep
  // their weight rows for a block of outputs within kSliceBytes, so that the
  // band's pixels find them in L2.
  const int64_t kernelRowBytes =
      g.channels / g.groups * g.kernelW *
      std::min(g.outChannels / g.groups, kItemChannels) * sizeof(float);
  const int64_t sliceRows =
      std::clamp<int64_t>(kSliceBytes / kernelRowBytes, 1, g.kernelH);
  for (int64_t n0 = 0; n0 < N; n0 += perPass) {
    const int64_t images = std::min(perPass, N - n0);
    SpikeLists lists(scratch, images * H * W, C, rowStride, timesteps);
    const uint64_t *xs = x + n0 * C * H * W;
    pool.parallelFor(
        images * tiles,
        grainFor(images * tiles, images * C * H * W * lists.groups),
        [&](int64_t u0, int64_t u1) {
          uint32_t *space = work.get();
          for (int64_t u = u0; u < u1; ++u) {
            const int64_t n = u / tiles, v = u % tiles;
            fillTile(lists, xs, n, g, v / tilesX * tile, v % tilesX * tile,
                     tile, blockSize, space);
          }
        });
    // Bands of kBandPixels output pixels, or fewer where that would leave a
    // thread under 4 items.
    const int64_t band = std::clamp<int64_t>(
        images * pixels * blocks / (4 * static_cast<int64_t>(pool.size())), 1,
        kBandPixels);
    // A listed channel adds to its group's outputs only, on up to four
    // steps.
    const int64_t vectors = (g.outChannels / g.groups + 15) / 16;
    const int64_t adds = (lists.entries() * g.kernelH * g.kernelW +
                          images * pixels * g.groups * lists.groups) *
                         kGroupSteps * vectors;
    runItems(ConvJob{lists, weightArranged, bias, out, g, n0, images, band,
                     sliceRows, work},
             adds, isa, pool);
  }
}

void linearSparseInto(const uint64_t *x, const float *weightT,
                      const float *bias, const SparseOutput &out, int64_t rows,
                      int64_t inFeatures, int64_t outFeatures, int timesteps,
                      int64_t blockSize, void *scratch, ThreadPool &pool,
                      VectorIsa isa) {
  const int64_t K = inFeatures;
  const int64_t block = blockSize > 0 ? blockSize : K;
  // Input feature k's row of wT starts k * outFeatures floats in.
  SpikeLists lists(scratch, rows, K, outFeatures, timesteps);
  const ThreadWork work{scratch, listBytes(rows, K, timesteps), fillWords(K)};
  pool.parallelFor(rows, grainFor(rows, rows * K * lists.groups),
                   [&](int64_t r0, int64_t r1) {
                     uint32_t *candidates = work.get();
                     for (int64_t r = r0; r < r1; ++r) {
                       const uint64_t *in = x + r * K;
                       int64_t count = 0;
                       for (int64_t k0 = 0; k0 < K; k0 += block) {
                         const int64_t k1 = std::min(k0 + block, K);
                         if (blockSize <= 0 || orTile(in, K, 0, 1, k0, k1))
                           for (int64_t k = k0; k < k1; ++k)
                             candidates[count++] = static_cast<uint32_t>(k);
                       }
                       lists.fill(r, in, 1, candidates, count, candidates + K);
                     }
                   });
  const int64_t adds = (lists.entries() + rows * lists.groups) * kGroupSteps *
                       ((outFeatures + 15) / 16);
  runItems(LinearJob{lists, weightT, bias, out, rows, outFeatures, work}, adds,
           isa, pool);
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
