//===- KernelBodies.h - the CUDA kernels' per-thread bodies -----*- C++ -*-===//
//
// Part of SparseFlow.
//
// Each CUDA kernel is a body `void body(const Args &, int64_t tid)` run for
// tid in [0, threads(args)): CudaKernels.cu launches it on a grid-stride
// loop; a plain C++ compiler sees ordinary functions, which the runtime
// tests run on a serial "grid" on machines without a GPU, against the host
// kernels. A body uses no shared memory, barriers or warp intrinsics, so
// the serial grid is an exact model of what each thread computes.
//
// Tensors are the plan's (docs/runtime.md): row-major float32, or packed
// spikes with one uint64 per neuron whose bit t is the spike at step t.
// The accumulating kernels add in the host dense kernels' order (the bias,
// then inputs in increasing index), and CUDA compiles them without
// contraction (-fmad=false), so they reproduce the host's floats exactly.
//
// Zero-block skipping: a packed tensor viewed as planes x height x width is
// cut into blockH x blockW blocks (BlockGrid); one byte per block says
// whether any of its neurons fires at any step. The LIF kernel writes those
// flags as a by-product of writing the spikes, or a prescan does when the
// spikes come from elsewhere. The sparse kernels skip a block whose flag is
// 0 with one byte load, a silent neuron with one word load, and otherwise
// add a weight row once per spike: the work follows the active blocks and
// neurons, and nothing is added with atomics.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEFLOW_RUNTIME_BACKENDS_CUDA_KERNELBODIES_H
#define SPARSEFLOW_RUNTIME_BACKENDS_CUDA_KERNELBODIES_H

#include "backends/common/Neuron.h"
#include "backends/common/Pointwise.h"
#include "backends/common/Window2d.h"
#include "support/HostDevice.h"

#include <cmath>
#include <cstdint>
#include <type_traits>

namespace sparseflow::runtime::cuda {

/// Output channels per thread in the sparse kernels: the weight row of a
/// spike is read four floats at a time.
constexpr int64_t kOutputsPerThread = 4;
/// Largest rank (lead dimension included) of the broadcasting and
/// transposing kernels.
constexpr int kMaxDims = 9;

SF_HD inline int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

/// The output pixel of thread `tid` when pixels vary fastest, and the index
/// of its output plane (image x channel, or image x channel group).
struct OutputPixel {
  int64_t oh, ow, plane;
};
SF_HD inline OutputPixel outputPixel(const Window2d &g, int64_t tid) {
  int64_t rest = tid / g.outWidth;
  return {rest % g.outHeight, tid % g.outWidth, rest / g.outHeight};
}

/// Occupancy flags of a packed tensor: `planes` planes of height x width
/// neurons, in blocks of blockH x blockW.
struct BlockGrid {
  int64_t planes = 0, height = 1, width = 1, blockH = 1, blockW = 1;

  SF_HD int64_t blockRows() const { return ceilDiv(height, blockH); }
  SF_HD int64_t blockCols() const { return ceilDiv(width, blockW); }
  SF_HD int64_t count() const { return planes * blockRows() * blockCols(); }
  SF_HD int64_t flagOfBlock(int64_t plane, int64_t by, int64_t bx) const {
    return (plane * blockRows() + by) * blockCols() + bx;
  }
  SF_HD int64_t flagOf(int64_t neuron) const {
    int64_t x = neuron % width, rest = neuron / width;
    return flagOfBlock(rest / height, (rest % height) / blockH, x / blockW);
  }
};

/// A conv input [N][C][H][W] in square blocks of `block`.
inline BlockGrid convBlocks(int64_t images, int64_t channels, int64_t height,
                            int64_t width, int64_t block) {
  return {images * channels, height, width, block, block};
}
/// A linear input [rows][K] in runs of `block` features.
inline BlockGrid linearBlocks(int64_t rows, int64_t features, int64_t block) {
  return {rows, 1, features, 1, block};
}

// --- Spikes ------------------------------------------------------------------

struct PrescanArgs {
  const uint64_t *x;
  int64_t neurons;
  uint8_t *flags; // zeroed before the launch
  BlockGrid grid;
};
inline int64_t threads(const PrescanArgs &a) { return a.neurons; }
/// Every thread that sees a firing neuron stores 1 into its block's flag:
/// the same value, so the stores need no atomics.
SF_HD inline void prescanThread(const PrescanArgs &a, int64_t i) {
  if (a.x[i])
    a.flags[a.grid.flagOf(i)] = 1;
}

struct LIFArgs {
  const float *x; // [T][neurons] when temporal, else [neurons]
  bool temporal;
  uint64_t *spikes;
  int64_t neurons, channels, inner;
  int timesteps;
  LIFParams params; // device pointers
  uint8_t *flags;   // null, or the consumer's flags (zeroed)
  BlockGrid grid;
};
inline int64_t threads(const LIFArgs &a) { return a.neurons; }
/// A LIF neuron, or a CubaLIF one when `params` has a synapse.
SF_HD inline void lifThread(const LIFArgs &a, int64_t i) {
  NeuronParams n = neuronParams(a.params, (i / a.inner) % a.channels);
  const bool synapse = a.params.synLeak != nullptr;
  float v = n.vInit, cur = 0.0f;
  bool fired = false;
  uint64_t bits = 0;
  for (int t = 0; t < a.timesteps; ++t) {
    float in = a.x[(a.temporal ? t * a.neurons : 0) + i];
    if (synapse)
      in = synapseStep(n, in, cur);
    bits |= static_cast<uint64_t>(lifStep(a.params, n, in, v, fired)) << t;
  }
  a.spikes[i] = bits;
  if (a.flags && bits)
    a.flags[a.grid.flagOf(i)] = 1;
}

/// A leaky integrator (LI, or CubaLI with a synapse): its membrane at every
/// step.
struct LIArgs {
  const float *x; // [T][neurons] when temporal, else [neurons]
  bool temporal;
  float *y; // [T][neurons]
  int64_t neurons, channels, inner;
  int timesteps;
  LIFParams params; // device pointers
};
inline int64_t threads(const LIArgs &a) { return a.neurons; }
SF_HD inline void liThread(const LIArgs &a, int64_t i) {
  NeuronParams n = neuronParams(a.params, (i / a.inner) % a.channels);
  const bool synapse = a.params.synLeak != nullptr;
  float v = n.vInit, cur = 0.0f;
  for (int t = 0; t < a.timesteps; ++t) {
    float in = a.x[(a.temporal ? t * a.neurons : 0) + i];
    if (synapse)
      in = synapseStep(n, in, cur);
    a.y[t * a.neurons + i] = liStep(n, in, v);
  }
}

struct UnpackArgs {
  const uint64_t *x;
  float *y; // [T][n]
  int64_t n;
  int timesteps;
};
inline int64_t threads(const UnpackArgs &a) { return a.n * a.timesteps; }
SF_HD inline void unpackThread(const UnpackArgs &a, int64_t i) {
  int64_t t = i / a.n;
  a.y[i] = static_cast<float>((a.x[i % a.n] >> t) & 1u);
}

// --- Binary-input sparse kernels ----------------------------------------------

/// Adds `w[0..4)` to acc[t] for each step t < TC whose bit is set in `word`.
template <int TC>
SF_HD inline void accumulateSpikes(float (&acc)[TC][kOutputsPerThread],
                                   uint64_t word, const float (&w)[4]) {
  for (int t = 0; t < TC; ++t)
    if ((word >> t) & 1u)
      for (int j = 0; j < kOutputsPerThread; ++j)
        acc[t][j] += w[j];
}

/// Loads the `count` (≤ 4) weights at `row`, zero past the end.
SF_HD inline void loadRow(const float *row, int64_t count, float (&w)[4]) {
  for (int j = 0; j < kOutputsPerThread; ++j)
    w[j] = j < count ? row[j] : 0.0f;
}

SF_HD inline uint64_t stepMask(int steps) {
  return steps >= 64 ? ~uint64_t{0} : (uint64_t{1} << steps) - 1;
}

/// How many of a thread's four output channels, from o0, exist among O.
SF_HD inline int64_t outputsFrom(int64_t o0, int64_t outChannels) {
  return outChannels - o0 < kOutputsPerThread ? outChannels - o0
                                              : kOutputsPerThread;
}

/// Starts a pass over steps [t0, t0 + TC) of a sparse kernel thread: its
/// accumulators hold the bias of its `outs` output channels from o0 (0
/// without one); returns the mask of the pass's steps that exist.
template <int TC>
SF_HD inline uint64_t startPass(float (&acc)[TC][kOutputsPerThread],
                                const float *bias, int64_t o0, int64_t outs,
                                int t0, int timesteps) {
  for (int t = 0; t < TC; ++t)
    for (int j = 0; j < kOutputsPerThread; ++j)
      acc[t][j] = bias && j < outs ? bias[o0 + j] : 0.0f;
  return stepMask(timesteps - t0 < TC ? timesteps - t0 : TC);
}

/// The sparse conv's default pixel run (ConvSparseArgs::pixelRun), the
/// fastest on an H200 across the benchmark's ResNet and VGG layers
/// (docs/benchmarks.md).
constexpr int64_t kDefaultPixelRun = 1;

struct ConvSparseArgs {
  const uint64_t *x;     // [N][C][H][W]
  const float *weight;   // [C][KH][KW][O]
  const float *bias;     // [O] or null
  float *y;              // [T][N][O][OH][OW]
  Window2d g;            // batch = N, groups = 1
  int timesteps;
  const uint8_t *flags;  // null: no block skipping
  BlockGrid grid;
  /// How many consecutive output pixels the adjacent threads of one group
  /// of output channels take before the next group's threads follow (at
  /// least 1). 1 gives a warp one pixel's channel groups: its threads load
  /// the same spike words, so a silent word is skipped by the whole warp at
  /// once, and they read contiguous weights; larger runs give coalesced
  /// output stores instead, but the threads of a warp then test different
  /// words and diverge wherever one of them sees a spike.
  int64_t pixelRun = kDefaultPixelRun;
};
/// One thread per image, group of four output channels and output pixel,
/// padded to whole pixel runs: [N][pixels / run][groups][run].
inline int64_t threads(const ConvSparseArgs &a) {
  return a.g.batch * ceilDiv(a.g.outHeight * a.g.outWidth, a.pixelRun) *
         ceilDiv(a.g.outChannels, kOutputsPerThread) * a.pixelRun;
}

/// The zero-block grid's rows by0..by1 and columns bx0..bx1 under the
/// window at (oh, ow): the same in every channel plane, so a thread finds
/// them once and then tests one flag byte per block and channel.
struct WindowBlocks {
  int64_t by0, by1, bx0, bx1;
};
SF_HD inline WindowBlocks windowBlocks(const ConvSparseArgs &a, int64_t oh,
                                       int64_t ow) {
  const Window2d &g = a.g;
  int64_t h0 = oh * g.strideH - g.padTop, w0 = ow * g.strideW - g.padLeft;
  int64_t h1 = h0 + (g.kernelH - 1) * g.dilationH;
  int64_t w1 = w0 + (g.kernelW - 1) * g.dilationW;
  h0 = h0 < 0 ? 0 : h0;
  w0 = w0 < 0 ? 0 : w0;
  h1 = h1 >= g.height ? g.height - 1 : h1;
  w1 = w1 >= g.width ? g.width - 1 : w1;
  if (h1 < h0 || w1 < w0) // the window lies in the padding
    return {0, -1, 0, -1};
  return {h0 / a.grid.blockH, h1 / a.grid.blockH, w0 / a.grid.blockW,
          w1 / a.grid.blockW};
}

/// Whether any of those blocks of `plane` has a spike.
SF_HD inline bool windowActive(const ConvSparseArgs &a, const WindowBlocks &b,
                               int64_t plane) {
  for (int64_t by = b.by0; by <= b.by1; ++by)
    for (int64_t bx = b.bx0; bx <= b.bx1; ++bx)
      if (a.flags[a.grid.flagOfBlock(plane, by, bx)])
        return true;
  return false;
}

/// TC steps at a time (4, 8 or 16 accumulators per output channel); longer
/// trains take several passes. K > 0: the kernel is K x K (1 or 3), and the
/// thread finds the input offset of each tap once, then loads a channel's
/// K * K spike words together; K = 0: any kernel, walked tap by tap. Either
/// way the taps are added in (channel, kh, kw) order.
template <int TC, int K>
SF_HD inline void conv2dSparseThread(const ConvSparseArgs &a, int64_t tid) {
  const Window2d &g = a.g;
  const int64_t O = g.outChannels;
  const int64_t groupsOfO = ceilDiv(O, kOutputsPerThread);
  const int64_t pixels = g.outHeight * g.outWidth;
  int64_t rest = tid / a.pixelRun;
  const int64_t o0 = (rest % groupsOfO) * kOutputsPerThread;
  rest /= groupsOfO;
  const int64_t runs = ceilDiv(pixels, a.pixelRun);
  const int64_t pixel = rest % runs * a.pixelRun + tid % a.pixelRun;
  const int64_t n = rest / runs;
  if (pixel >= pixels)
    return; // the padding of the last run
  const int64_t oh = pixel / g.outWidth, ow = pixel % g.outWidth;
  const int64_t outs = outputsFrom(o0, O);
  const int64_t plane = g.height * g.width;
  const int64_t taps = g.kernelH * g.kernelW;
  const WindowBlocks blocks =
      a.flags ? windowBlocks(a, oh, ow) : WindowBlocks{0, -1, 0, -1};
  // Each tap's offset in a channel plane; -1 in the padding.
  int64_t offset[K > 0 ? K * K : 1];
  if constexpr (K > 0)
    for (int kh = 0; kh < K; ++kh)
      for (int kw = 0; kw < K; ++kw) {
        int64_t ih = oh * g.strideH - g.padTop + kh * g.dilationH;
        int64_t iw = ow * g.strideW - g.padLeft + kw * g.dilationW;
        offset[kh * K + kw] =
            ih >= 0 && ih < g.height && iw >= 0 && iw < g.width
                ? ih * g.width + iw
                : -1;
      }
  for (int t0 = 0; t0 < a.timesteps; t0 += TC) {
    float acc[TC][kOutputsPerThread];
    const uint64_t mask = startPass<TC>(acc, a.bias, o0, outs, t0,
                                        a.timesteps);
    for (int64_t c = 0; c < g.channels; ++c) {
      if (a.flags && !windowActive(a, blocks, n * g.channels + c))
        continue;
      const uint64_t *in = a.x + (n * g.channels + c) * plane;
      const float *weights = a.weight + c * taps * O + o0;
      // Adds tap `i`'s weight row at each step its spike word fires.
      auto tap = [&](int64_t i, uint64_t word) {
        word = (word >> t0) & mask;
        if (!word)
          return;
        float w[4];
        loadRow(weights + i * O, outs, w);
        accumulateSpikes<TC>(acc, word, w);
      };
      if constexpr (K > 0) {
        uint64_t words[K * K];
        for (int i = 0; i < K * K; ++i)
          words[i] = offset[i] >= 0 ? in[offset[i]] : 0;
        for (int i = 0; i < K * K; ++i)
          tap(i, words[i]);
      } else {
        forEachTap(g, oh, ow,
                   [&](int64_t kh, int64_t kw, int64_t ih, int64_t iw) {
                     tap(kh * g.kernelW + kw, in[ih * g.width + iw]);
                   });
      }
    }
    for (int t = 0; t < TC && t0 + t < a.timesteps; ++t)
      for (int64_t j = 0; j < outs; ++j)
        a.y[(((t0 + t) * g.batch + n) * O + o0 + j) * pixels + pixel] =
            acc[t][j];
  }
}

struct LinearSparseArgs {
  const uint64_t *x;    // [rows][K]
  const float *weightT; // [K][O]
  const float *bias;    // [O] or null
  float *y;             // [T][rows][O]
  int64_t rows, inFeatures, outFeatures;
  int timesteps;
  const uint8_t *flags; // null: no block skipping
  BlockGrid grid;
};
/// One thread per row and group of four outputs, outputs fastest: the warp
/// shares the row's spike words and reads contiguous weight rows.
inline int64_t threads(const LinearSparseArgs &a) {
  return a.rows * ceilDiv(a.outFeatures, kOutputsPerThread);
}

template <int TC>
SF_HD inline void linearSparseThread(const LinearSparseArgs &a, int64_t tid) {
  const int64_t K = a.inFeatures, O = a.outFeatures;
  const int64_t groupsOfO = ceilDiv(O, kOutputsPerThread);
  int64_t o0 = (tid % groupsOfO) * kOutputsPerThread, row = tid / groupsOfO;
  int64_t outs = outputsFrom(o0, O);
  const int64_t block = a.flags ? a.grid.blockW : K;
  const uint64_t *in = a.x + row * K;
  for (int t0 = 0; t0 < a.timesteps; t0 += TC) {
    float acc[TC][kOutputsPerThread];
    const uint64_t mask = startPass<TC>(acc, a.bias, o0, outs, t0,
                                        a.timesteps);
    for (int64_t k0 = 0; k0 < K; k0 += block) {
      if (a.flags && !a.flags[a.grid.flagOfBlock(row, 0, k0 / block)])
        continue;
      int64_t k1 = k0 + block < K ? k0 + block : K;
      for (int64_t k = k0; k < k1; ++k) {
        uint64_t word = (in[k] >> t0) & mask;
        if (!word)
          continue;
        float w[4];
        loadRow(a.weightT + k * O + o0, outs, w);
        accumulateSpikes<TC>(acc, word, w);
      }
    }
    for (int t = 0; t < TC && t0 + t < a.timesteps; ++t)
      for (int64_t j = 0; j < outs; ++j)
        a.y[((t0 + t) * a.rows + row) * O + o0 + j] = acc[t][j];
  }
}

// --- Dense kernels -----------------------------------------------------------

struct ConvDenseArgs {
  const float *x;      // [batch][C][H][W]
  const float *weight; // [O][C / groups][KH][KW]
  const float *bias;   // [O] or null
  float *y;            // [batch][O][OH][OW]
  Window2d g;
};
inline int64_t threads(const ConvDenseArgs &a) {
  return a.g.batch * a.g.outChannels * a.g.outHeight * a.g.outWidth;
}
/// One thread per output element; any groups (depthwise included), stride,
/// padding and dilation.
SF_HD inline void conv2dDenseThread(const ConvDenseArgs &a, int64_t tid) {
  const Window2d &g = a.g;
  auto [oh, ow, plane] = outputPixel(g, tid);
  int64_t o = plane % g.outChannels, b = plane / g.outChannels;
  const int64_t cPerGroup = g.channels / g.groups;
  const int64_t group = o / (g.outChannels / g.groups);
  float acc = a.bias ? a.bias[o] : 0.0f;
  for (int64_t ci = 0; ci < cPerGroup; ++ci) {
    const float *in =
        a.x + (b * g.channels + group * cPerGroup + ci) * g.height * g.width;
    const float *w = a.weight + (o * cPerGroup + ci) * g.kernelH * g.kernelW;
    forEachTap(g, oh, ow, [&](int64_t kh, int64_t kw, int64_t ih,
                              int64_t iw) {
      acc += w[kh * g.kernelW + kw] * in[ih * g.width + iw];
    });
  }
  a.y[tid] = acc;
}

struct LinearDenseArgs {
  const float *x;       // [rows][K]
  const float *weightT; // [K][O]
  const float *bias;    // [O] or null
  float *y;             // [rows][O]
  int64_t rows, inFeatures, outFeatures;
};
inline int64_t threads(const LinearDenseArgs &a) {
  return a.rows * a.outFeatures;
}
SF_HD inline void linearDenseThread(const LinearDenseArgs &a, int64_t tid) {
  int64_t o = tid % a.outFeatures, r = tid / a.outFeatures;
  float acc = a.bias ? a.bias[o] : 0.0f;
  const float *in = a.x + r * a.inFeatures;
  for (int64_t k = 0; k < a.inFeatures; ++k)
    acc += in[k] * a.weightT[k * a.outFeatures + o];
  a.y[tid] = acc;
}

struct BatchNormArgs {
  const float *x, *scale, *bias, *mean, *variance;
  float epsilon;
  float *y;
  int64_t elements, channels, inner; // [outer][channels][inner]
};
inline int64_t threads(const BatchNormArgs &a) { return a.elements; }
SF_HD inline void batchNormThread(const BatchNormArgs &a, int64_t i) {
  int64_t c = (i / a.inner) % a.channels;
  float factor = a.scale[c] / std::sqrt(a.variance[c] + a.epsilon);
  a.y[i] = (a.x[i] - a.mean[c]) * factor + a.bias[c];
}

/// Floats (T = float), or packed spike trains (T = uint64_t: a Mul, their
/// AND).
template <typename T> struct BinaryArgs {
  BinaryKind kind;
  const T *a, *b;
  T *y;
  int rank;
  int64_t yShape[kMaxDims];
  int64_t aStride[kMaxDims], bStride[kMaxDims]; // 0 where broadcast
  int64_t elements;
};
template <typename T> inline int64_t threads(const BinaryArgs<T> &a) {
  return a.elements;
}
template <typename T>
SF_HD inline void binaryThread(const BinaryArgs<T> &a, int64_t i) {
  int64_t aOff = 0, bOff = 0, rest = i;
  for (int d = a.rank - 1; d >= 0; --d) {
    int64_t index = rest % a.yShape[d];
    rest /= a.yShape[d];
    aOff += index * a.aStride[d];
    bOff += index * a.bStride[d];
  }
  if constexpr (std::is_same_v<T, uint64_t>)
    a.y[i] = a.a[aOff] & a.b[bOff];
  else
    a.y[i] = binaryOp(a.kind, a.a[aOff], a.b[bOff]);
}

struct ReluArgs {
  const float *x;
  float *y;
  int64_t n;
};
inline int64_t threads(const ReluArgs &a) { return a.n; }
SF_HD inline void reluThread(const ReluArgs &a, int64_t i) {
  a.y[i] = a.x[i] > 0.0f ? a.x[i] : 0.0f;
}

struct SigmoidArgs {
  const float *x;
  float *y;
  int64_t n;
};
inline int64_t threads(const SigmoidArgs &a) { return a.n; }
SF_HD inline void sigmoidThread(const SigmoidArgs &a, int64_t i) {
  a.y[i] = sigmoid(a.x[i]);
}

struct ConvTransposeArgs {
  const float *x, *weight, *bias; // bias may be null
  float *y;
  Window2d g;
};
inline int64_t threads(const ConvTransposeArgs &a) {
  return a.g.batch * a.g.outChannels * a.g.outHeight * a.g.outWidth;
}
SF_HD inline void convTransposeThread(const ConvTransposeArgs &a, int64_t i) {
  a.y[i] = convTransposeElement(a.g, a.x, a.weight, a.bias, i);
}

struct MatMulArgs {
  MatMulGeometry g;
  const float *a, *b;
  float *y;
};
inline int64_t threads(const MatMulArgs &a) {
  return a.g.batches * a.g.m * a.g.n;
}
SF_HD inline void matMulThread(const MatMulArgs &a, int64_t i) {
  a.y[i] = matMulElement(a.g, a.a, a.b, i);
}

/// A MatMul with packed spike operands: one output element per thread.
struct MatMulSparseArgs {
  MatMulGeometry g;
  MatMulOperand a, b;
  float *y;
  int timesteps;
};
inline int64_t threads(const MatMulSparseArgs &a) {
  return a.g.batches * a.g.m * a.g.n;
}
SF_HD inline void matMulSparseThread(const MatMulSparseArgs &a, int64_t i) {
  a.y[i] = matMulSparseElement(a.g, a.a, a.b, a.timesteps, i);
}

struct PointwiseArgs {
  PointwiseParams params;
  const float *x;
  float *y;
  int64_t n;
};
inline int64_t threads(const PointwiseArgs &a) { return a.n; }
SF_HD inline void pointwiseThread(const PointwiseArgs &a, int64_t i) {
  a.y[i] = pointwise(a.params, a.x[i]);
}

/// One thread per row of `n` values.
struct LayerNormArgs {
  const float *x, *scale, *bias; // bias may be null
  float *y;
  int64_t rows, n;
  float epsilon;
};
inline int64_t threads(const LayerNormArgs &a) { return a.rows; }
SF_HD inline void layerNormThread(const LayerNormArgs &a, int64_t i) {
  layerNormRow(a.x + i * a.n, a.y + i * a.n, a.n, a.scale, a.bias, a.epsilon);
}

/// One thread per row of `n` values.
struct SoftmaxArgs {
  const float *x;
  float *y;
  int64_t rows, n;
  bool log;
};
inline int64_t threads(const SoftmaxArgs &a) { return a.rows; }
SF_HD inline void softmaxThread(const SoftmaxArgs &a, int64_t i) {
  softmaxRow(a.x + i * a.n, a.y + i * a.n, a.n, a.log);
}

/// Constant padding of floats (as their bits) or of packed spikes.
template <typename T> struct PadArgs {
  const T *x;
  T *y;
  PadGeometry g;
  T fill;
};
template <typename T> inline int64_t threads(const PadArgs<T> &a) {
  return a.g.elements;
}
template <typename T>
SF_HD inline void padThread(const PadArgs<T> &a, int64_t i) {
  int64_t source = padSource(a.g, i);
  a.y[i] = source < 0 ? a.fill : a.x[source];
}

/// Max pooling of floats, or of packed spikes (the OR of the window).
template <typename T>
struct MaxPoolArgs {
  const T *x;
  T *y;
  Window2d g;
  T init; // -inf for floats, 0 for spikes
};
/// Pooling: one thread per output element.
inline int64_t poolThreads(const Window2d &g) {
  return g.batch * g.channels * g.outHeight * g.outWidth;
}
template <typename T>
inline int64_t threads(const MaxPoolArgs<T> &a) {
  return poolThreads(a.g);
}
SF_HD inline float poolCombine(float a, float b) { return a < b ? b : a; }
SF_HD inline uint64_t poolCombine(uint64_t a, uint64_t b) { return a | b; }
template <typename T>
SF_HD inline void maxPoolThread(const MaxPoolArgs<T> &a, int64_t tid) {
  const Window2d &g = a.g;
  auto [oh, ow, plane] = outputPixel(g, tid);
  const T *in = a.x + plane * g.height * g.width;
  T acc = a.init;
  forEachTap(g, oh, ow, [&](int64_t, int64_t, int64_t ih, int64_t iw) {
    acc = poolCombine(acc, in[ih * g.width + iw]);
  });
  a.y[tid] = acc;
}

struct AvgPoolArgs {
  const float *x;
  float *y;
  Window2d g;
  bool countIncludePad;
};
inline int64_t threads(const AvgPoolArgs &a) { return poolThreads(a.g); }
SF_HD inline void avgPoolThread(const AvgPoolArgs &a, int64_t tid) {
  const Window2d &g = a.g;
  auto [oh, ow, plane] = outputPixel(g, tid);
  a.y[tid] = averageWindow(g, a.x + plane * g.height * g.width, oh, ow,
                           a.countIncludePad);
}

struct GlobalAvgPoolArgs {
  const float *x;
  float *y;
  int64_t outer, inner;
};
inline int64_t threads(const GlobalAvgPoolArgs &a) { return a.outer; }
SF_HD inline void globalAvgPoolThread(const GlobalAvgPoolArgs &a,
                                      int64_t r) {
  double sum = 0.0;
  for (int64_t i = 0; i < a.inner; ++i)
    sum += a.x[r * a.inner + i];
  a.y[r] = static_cast<float>(sum / static_cast<double>(a.inner));
}

/// Copies element i of y from x at the offset y's index has in x.
template <typename T>
struct TransposeArgs {
  const T *x;
  T *y;
  int rank;
  int64_t yShape[kMaxDims];
  int64_t strideOfY[kMaxDims]; // x's stride of y's dimension d
  int64_t elements;
};
template <typename T>
inline int64_t threads(const TransposeArgs<T> &a) {
  return a.elements;
}
template <typename T>
SF_HD inline void transposeThread(const TransposeArgs<T> &a, int64_t i) {
  int64_t offset = 0, rest = i;
  for (int d = a.rank - 1; d >= 0; --d) {
    offset += (rest % a.yShape[d]) * a.strideOfY[d];
    rest /= a.yShape[d];
  }
  a.y[i] = a.x[offset];
}

// --- Dispatch -------------------------------------------------------------------

/// A sparse kernel's arguments with its step count per pass (TC) chosen,
/// and for the conv, its kernel size where the taps are unrolled (K, 0 for
/// any).
template <int TC, typename Args, int K = 0> struct Steps {
  static constexpr int kSteps = TC;
  Args args;
};
template <int TC, typename Args, int K>
inline int64_t threads(const Steps<TC, Args, K> &s) {
  return threads(s.args);
}

/// Calls `fn(Steps<TC, Args>{args})` with the smallest of 4, 8, 16 steps
/// per pass that covers `timesteps` (16 for longer trains).
template <typename Args, typename Fn>
inline auto withSteps(const Args &args, int timesteps, Fn &&fn) {
  if (timesteps <= 4)
    return fn(Steps<4, Args>{args});
  if (timesteps <= 8)
    return fn(Steps<8, Args>{args});
  return fn(Steps<16, Args>{args});
}

/// Calls `fn` with what a launch runs: the arguments themselves, or for
/// the sparse kernels, the arguments with their steps per pass.
template <typename Args, typename Fn>
inline auto dispatch(const Args &args, Fn &&fn) {
  return fn(args);
}
template <typename Fn>
inline auto dispatch(const ConvSparseArgs &args, Fn &&fn) {
  return withSteps(args, args.timesteps, [&](const auto &steps) {
    constexpr int TC = std::decay_t<decltype(steps)>::kSteps;
    const Window2d &g = args.g;
    if (g.kernelH == 1 && g.kernelW == 1)
      return fn(Steps<TC, ConvSparseArgs, 1>{args});
    if (g.kernelH == 3 && g.kernelW == 3)
      return fn(Steps<TC, ConvSparseArgs, 3>{args});
    return fn(steps);
  });
}
template <typename Fn>
inline auto dispatch(const LinearSparseArgs &args, Fn &&fn) {
  return withSteps(args, args.timesteps, fn);
}

/// The body of thread `i` for each kind of arguments: what the CUDA grid
/// and the serial emulation both run.
SF_HD inline void runThread(const PrescanArgs &a, int64_t i) {
  prescanThread(a, i);
}
SF_HD inline void runThread(const LIFArgs &a, int64_t i) { lifThread(a, i); }
SF_HD inline void runThread(const LIArgs &a, int64_t i) { liThread(a, i); }
SF_HD inline void runThread(const UnpackArgs &a, int64_t i) {
  unpackThread(a, i);
}
template <int TC, int K>
SF_HD inline void runThread(const Steps<TC, ConvSparseArgs, K> &s, int64_t i) {
  conv2dSparseThread<TC, K>(s.args, i);
}
template <int TC>
SF_HD inline void runThread(const Steps<TC, LinearSparseArgs> &s, int64_t i) {
  linearSparseThread<TC>(s.args, i);
}
SF_HD inline void runThread(const ConvDenseArgs &a, int64_t i) {
  conv2dDenseThread(a, i);
}
SF_HD inline void runThread(const LinearDenseArgs &a, int64_t i) {
  linearDenseThread(a, i);
}
SF_HD inline void runThread(const BatchNormArgs &a, int64_t i) {
  batchNormThread(a, i);
}
template <typename T>
SF_HD inline void runThread(const BinaryArgs<T> &a, int64_t i) {
  binaryThread(a, i);
}
SF_HD inline void runThread(const ReluArgs &a, int64_t i) { reluThread(a, i); }
SF_HD inline void runThread(const SigmoidArgs &a, int64_t i) {
  sigmoidThread(a, i);
}
SF_HD inline void runThread(const ConvTransposeArgs &a, int64_t i) {
  convTransposeThread(a, i);
}
SF_HD inline void runThread(const MatMulArgs &a, int64_t i) {
  matMulThread(a, i);
}
SF_HD inline void runThread(const MatMulSparseArgs &a, int64_t i) {
  matMulSparseThread(a, i);
}
SF_HD inline void runThread(const PointwiseArgs &a, int64_t i) {
  pointwiseThread(a, i);
}
SF_HD inline void runThread(const LayerNormArgs &a, int64_t i) {
  layerNormThread(a, i);
}
SF_HD inline void runThread(const SoftmaxArgs &a, int64_t i) {
  softmaxThread(a, i);
}
template <typename T>
SF_HD inline void runThread(const PadArgs<T> &a, int64_t i) {
  padThread(a, i);
}
template <typename T>
SF_HD inline void runThread(const MaxPoolArgs<T> &a, int64_t i) {
  maxPoolThread(a, i);
}
SF_HD inline void runThread(const AvgPoolArgs &a, int64_t i) {
  avgPoolThread(a, i);
}
SF_HD inline void runThread(const GlobalAvgPoolArgs &a, int64_t i) {
  globalAvgPoolThread(a, i);
}
template <typename T>
SF_HD inline void runThread(const TransposeArgs<T> &a, int64_t i) {
  transposeThread(a, i);
}

} // namespace sparseflow::runtime::cuda

#endif // SPARSEFLOW_RUNTIME_BACKENDS_CUDA_KERNELBODIES_H
