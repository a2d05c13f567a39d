//===- SparseKernels.cpp - binary-input kernels that skip silent inputs ---===//
//
// Part of SparseFlow.
//
// A spike is a 1, so a layer's output is the sum of the weights of the inputs
// that fired: for every active input neuron and every timestep it fires in,
// the kernel adds one weight row (contiguous over the outputs, so the add is
// SIMD) to the output. Inputs silent at every step cost one load; with a
// block size, a whole tile of silent inputs costs one OR per neuron of the
// tile and nothing after. Work is proportional to the spikes, not the tensor.
//
//===----------------------------------------------------------------------===//

#include "backends/host/HostKernels.h"

#include <algorithm>
#include <cstring>

using namespace sparseflow::runtime;
using namespace sparseflow::runtime::host;

namespace {

/// Calls fn(t) for every set bit t of `bits`, lowest first.
template <typename F>
inline void forEachStep(uint64_t bits, F &&fn) {
  while (bits) {
    fn(__builtin_ctzll(bits));
    bits &= bits - 1;
  }
}

inline void addRow(float *__restrict dst, const float *__restrict src,
                   int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    dst[i] += src[i];
}

/// The output coordinate that input coordinate `i` feeds through tap `k`
/// (`o * stride - pad + k * dilation = i`), or -1 when there is none.
inline int64_t outputCoordinate(int64_t i, int64_t pad, int64_t k,
                                int64_t dilation, int64_t stride,
                                int64_t outSize) {
  int64_t shifted = i + pad - k * dilation;
  if (shifted < 0 || shifted % stride)
    return -1;
  int64_t o = shifted / stride;
  return o < outSize ? o : -1;
}

/// Output-channel slices for the threads: whole cache lines of floats.
constexpr int64_t kSliceGrain = 16;

} // namespace

void host::conv2dSparse(const uint64_t *x, const float *weightArranged,
                        const float *bias, float *y, const Window2d &g,
                        int timesteps, int64_t blockSize, float *scratch,
                        ThreadPool &pool) {
  const int64_t O = g.outChannels, OH = g.outHeight, OW = g.outWidth;
  const int64_t H = g.height, W = g.width;
  const int64_t images = g.batch; // N: spikes hold every step
  const int64_t tapStride = O;
  const int64_t block = blockSize > 0 ? blockSize : std::max(H, W);

  // Scatter one active input neuron (c, ih, iw) firing at `bits` into the
  // accumulator [T][OH][OW][O], for outputs [o0, o1).
  auto scatter = [&](float *acc, int64_t c, int64_t ih, int64_t iw,
                     uint64_t bits, int64_t o0, int64_t len) {
    for (int64_t kh = 0; kh < g.kernelH; ++kh) {
      int64_t oh =
          outputCoordinate(ih, g.padTop, kh, g.dilationH, g.strideH, OH);
      if (oh < 0)
        continue;
      for (int64_t kw = 0; kw < g.kernelW; ++kw) {
        int64_t ow =
            outputCoordinate(iw, g.padLeft, kw, g.dilationW, g.strideW, OW);
        if (ow < 0)
          continue;
        const float *w =
            weightArranged + ((c * g.kernelH + kh) * g.kernelW + kw) *
                                 tapStride + o0;
        forEachStep(bits, [&](int t) {
          addRow(acc + ((t * OH + oh) * OW + ow) * O + o0, w, len);
        });
      }
    }
  };

  for (int64_t n = 0; n < images; ++n) {
    pool.parallelFor(O, kSliceGrain, [&](int64_t o0, int64_t o1) {
      const int64_t len = o1 - o0;
      for (int64_t p = 0; p < timesteps * OH * OW; ++p) {
        float *acc = scratch + p * O + o0;
        if (bias)
          std::memcpy(acc, bias + o0, len * sizeof(float));
        else
          std::fill(acc, acc + len, 0.0f);
      }
      for (int64_t c = 0; c < g.channels; ++c) {
        const uint64_t *plane = x + (n * g.channels + c) * H * W;
        for (int64_t by = 0; by < H; by += block)
          for (int64_t bx = 0; bx < W; bx += block) {
            int64_t yEnd = std::min(by + block, H),
                    xEnd = std::min(bx + block, W);
            if (blockSize > 0 && !orTile(plane, W, by, yEnd, bx, xEnd))
              continue;
            for (int64_t ih = by; ih < yEnd; ++ih)
              for (int64_t iw = bx; iw < xEnd; ++iw)
                if (uint64_t bits = plane[ih * W + iw])
                  scatter(scratch, c, ih, iw, bits, o0, len);
          }
      }
      // [T][OH][OW][O] -> [T][N][O][OH][OW]
      for (int t = 0; t < timesteps; ++t)
        for (int64_t o = o0; o < o1; ++o) {
          float *out = y + ((t * images + n) * O + o) * OH * OW;
          const float *acc = scratch + t * OH * OW * O + o;
          for (int64_t p = 0; p < OH * OW; ++p)
            out[p] = acc[p * O];
        }
    });
  }
}

void host::linearSparse(const uint64_t *x, const float *weightT,
                        const float *bias, float *y, int64_t rows,
                        int64_t inFeatures, int64_t outFeatures, int timesteps,
                        int64_t blockSize, ThreadPool &pool) {
  const int64_t block = blockSize > 0 ? blockSize : inFeatures;
  pool.parallelFor(outFeatures, kSliceGrain, [&](int64_t o0, int64_t o1) {
    const int64_t len = o1 - o0;
    for (int64_t r = 0; r < rows; ++r) {
      for (int t = 0; t < timesteps; ++t) {
        float *out = y + (t * rows + r) * outFeatures + o0;
        if (bias)
          std::memcpy(out, bias + o0, len * sizeof(float));
        else
          std::fill(out, out + len, 0.0f);
      }
      const uint64_t *in = x + r * inFeatures;
      for (int64_t k0 = 0; k0 < inFeatures; k0 += block) {
        int64_t k1 = std::min(k0 + block, inFeatures);
        if (blockSize > 0 && !orTile(in, inFeatures, 0, 1, k0, k1))
          continue;
        for (int64_t k = k0; k < k1; ++k)
          if (uint64_t bits = in[k])
            forEachStep(bits, [&](int t) {
              addRow(y + (t * rows + r) * outFeatures + o0,
                     weightT + k * outFeatures + o0, len);
            });
      }
    }
  });
}
