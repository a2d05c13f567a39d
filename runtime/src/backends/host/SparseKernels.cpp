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
      int64_t num = ih + g.padTop - kh * g.dilationH;
      if (num < 0 || num % g.strideH)
        continue;
      int64_t oh = num / g.strideH;
      if (oh >= OH)
        continue;
      for (int64_t kw = 0; kw < g.kernelW; ++kw) {
        int64_t numW = iw + g.padLeft - kw * g.dilationW;
        if (numW < 0 || numW % g.strideW)
          continue;
        int64_t ow = numW / g.strideW;
        if (ow >= OW)
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
            if (blockSize > 0) {
              uint64_t any = 0;
              for (int64_t ih = by; ih < yEnd; ++ih)
                for (int64_t iw = bx; iw < xEnd; ++iw)
                  any |= plane[ih * W + iw];
              if (!any)
                continue;
            }
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
        if (blockSize > 0) {
          uint64_t any = 0;
          for (int64_t k = k0; k < k1; ++k)
            any |= in[k];
          if (!any)
            continue;
        }
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

void host::maxPool2dPacked(const uint64_t *x, uint64_t *y, const Window2d &g) {
  for (int64_t plane = 0; plane < g.batch * g.channels; ++plane) {
    const uint64_t *in = x + plane * g.height * g.width;
    uint64_t *out = y + plane * g.outHeight * g.outWidth;
    for (int64_t oh = 0; oh < g.outHeight; ++oh)
      for (int64_t ow = 0; ow < g.outWidth; ++ow) {
        uint64_t any = 0;
        for (int64_t kh = 0; kh < g.kernelH; ++kh) {
          int64_t ih = oh * g.strideH - g.padTop + kh * g.dilationH;
          if (ih < 0 || ih >= g.height)
            continue;
          for (int64_t kw = 0; kw < g.kernelW; ++kw) {
            int64_t iw = ow * g.strideW - g.padLeft + kw * g.dilationW;
            if (iw >= 0 && iw < g.width)
              any |= in[ih * g.width + iw];
          }
        }
        out[oh * g.outWidth + ow] = any;
      }
  }
}
