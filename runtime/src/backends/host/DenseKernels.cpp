//===- DenseKernels.cpp - the host's dense reference kernels --------------===//
//
// Part of SparseFlow.
//
// Straightforward loops written so that the innermost one runs over
// contiguous memory and vectorizes. They are the reference the sparse kernels
// are tested against and the fallback for analog inputs.
//
//===----------------------------------------------------------------------===//

#include "backends/host/HostKernels.h"
#include "backends/host/VectorDispatch.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <utility>

using namespace sparseflow::runtime;
using namespace sparseflow::runtime::host;

namespace {

/// The output positions [lo, hi) whose input coordinate
/// `o * stride - pad + k * dilation` lies in [0, size).
std::pair<int64_t, int64_t> validRange(int64_t outSize, int64_t size,
                                       int64_t stride, int64_t pad,
                                       int64_t offset) {
  // i = o * stride + (offset - pad) with offset = k * dilation.
  int64_t shift = offset - pad;
  int64_t lo = shift >= 0 ? 0 : (-shift + stride - 1) / stride;
  int64_t hi = size - shift <= 0 ? 0 : (size - shift - 1) / stride + 1;
  return {std::min(lo, outSize), std::min(hi, outSize)};
}

} // namespace

void host::conv2dDense(const float *x, const float *weight, const float *bias,
                       float *y, const Window2d &g, ThreadPool &pool) {
  const int64_t cPerGroup = g.channels / g.groups;
  const int64_t oPerGroup = g.outChannels / g.groups;
  const int64_t outPlane = g.outHeight * g.outWidth;
  const int64_t inPlane = g.height * g.width;
  pool.parallelFor(
      g.batch * g.outChannels, 4, [&](int64_t begin, int64_t end) {
        for (int64_t item = begin; item < end; ++item) {
          int64_t b = item / g.outChannels, o = item % g.outChannels;
          float *out = y + item * outPlane;
          std::fill(out, out + outPlane, bias ? bias[o] : 0.0f);
          int64_t group = o / oPerGroup;
          for (int64_t ci = 0; ci < cPerGroup; ++ci) {
            const float *in =
                x + (b * g.channels + group * cPerGroup + ci) * inPlane;
            const float *w =
                weight + (o * cPerGroup + ci) * g.kernelH * g.kernelW;
            for (int64_t kh = 0; kh < g.kernelH; ++kh) {
              auto [ohLo, ohHi] = validRange(g.outHeight, g.height, g.strideH,
                                             g.padTop, kh * g.dilationH);
              for (int64_t kw = 0; kw < g.kernelW; ++kw) {
                float wv = w[kh * g.kernelW + kw];
                auto [owLo, owHi] = validRange(g.outWidth, g.width, g.strideW,
                                               g.padLeft, kw * g.dilationW);
                int64_t colShift = kw * g.dilationW - g.padLeft;
                for (int64_t oh = ohLo; oh < ohHi; ++oh) {
                  const float *row =
                      in + (oh * g.strideH - g.padTop + kh * g.dilationH) *
                               g.width;
                  float *dst = out + oh * g.outWidth;
                  if (g.strideW == 1) {
                    for (int64_t ow = owLo; ow < owHi; ++ow)
                      dst[ow] += wv * row[ow + colShift];
                  } else {
                    for (int64_t ow = owLo; ow < owHi; ++ow)
                      dst[ow] += wv * row[ow * g.strideW + colShift];
                  }
                }
              }
            }
          }
        }
      });
}

void host::linearDense(const float *x, const float *weightT, const float *bias,
                       float *y, int64_t rows, int64_t inFeatures,
                       int64_t outFeatures, ThreadPool &pool) {
  // Threads split the outputs; each row is an axpy per input feature over a
  // contiguous slice of weightT's row.
  pool.parallelFor(outFeatures, 64, [&](int64_t o0, int64_t o1) {
    for (int64_t r = 0; r < rows; ++r) {
      float *out = y + r * outFeatures;
      for (int64_t o = o0; o < o1; ++o)
        out[o] = bias ? bias[o] : 0.0f;
      const float *in = x + r * inFeatures;
      for (int64_t k = 0; k < inFeatures; ++k) {
        float v = in[k];
        const float *w = weightT + k * outFeatures;
        for (int64_t o = o0; o < o1; ++o)
          out[o] += v * w[o];
      }
    }
  });
}

void host::batchNorm(const float *x, const float *scale, const float *bias,
                     const float *mean, const float *variance, float epsilon,
                     float *y, int64_t outer, int64_t channels,
                     int64_t inner) {
  for (int64_t n = 0; n < outer; ++n)
    for (int64_t c = 0; c < channels; ++c) {
      float factor = scale[c] / std::sqrt(variance[c] + epsilon);
      const float *in = x + (n * channels + c) * inner;
      float *out = y + (n * channels + c) * inner;
      for (int64_t i = 0; i < inner; ++i)
        out[i] = (in[i] - mean[c]) * factor + bias[c];
    }
}

namespace {

/// Walks y's rows (its innermost dimension) under NumPy broadcasting of a
/// and b, shapes padded to `rank`: calls row(r, aOff, aStep, bOff, bStep,
/// length) for row r, whose element i reads a[aOff + i * aStep] and
/// b[bOff + i * bStep]. The outer index advances as an odometer.
template <typename Row>
void broadcastRows(const int64_t *aShape, const int64_t *bShape,
                   const int64_t *yShape, int rank, Row &&row) {
  if (rank == 0)
    return row(0, 0, 0, 0, 0, 1);
  // Strides of a and b over y's index space (0 where broadcast).
  int64_t aStride[16], bStride[16], index[16];
  int64_t as = 1, bs = 1, total = 1;
  for (int d = rank - 1; d >= 0; --d) {
    aStride[d] = aShape[d] == 1 ? 0 : as;
    bStride[d] = bShape[d] == 1 ? 0 : bs;
    as *= aShape[d];
    bs *= bShape[d];
    total *= yShape[d];
    index[d] = 0;
  }
  const int64_t inner = yShape[rank - 1];
  int64_t aOff = 0, bOff = 0;
  for (int64_t r = 0; r < total / inner; ++r) {
    row(r, aOff, aStride[rank - 1], bOff, bStride[rank - 1], inner);
    for (int d = rank - 2; d >= 0; --d) {
      aOff += aStride[d];
      bOff += bStride[d];
      if (++index[d] < yShape[d])
        break;
      aOff -= aStride[d] * yShape[d];
      bOff -= bStride[d] * yShape[d];
      index[d] = 0;
    }
  }
}

} // namespace

void host::binary(BinaryKind kind, const float *a, const int64_t *aShape,
                  const float *b, const int64_t *bShape, float *y,
                  const int64_t *yShape, int rank) {
  broadcastRows(aShape, bShape, yShape, rank,
                [&](int64_t r, int64_t aOff, int64_t ai, int64_t bOff,
                    int64_t bi, int64_t inner) {
                  float *out = y + r * inner;
                  // One loop per kind, so that each vectorizes.
                  auto rowOf = [&](BinaryKind k) {
                    for (int64_t i = 0; i < inner; ++i)
                      out[i] = binaryOp(k, a[aOff + i * ai], b[bOff + i * bi]);
                  };
                  switch (kind) {
                  case BinaryKind::Add:
                    return rowOf(BinaryKind::Add);
                  case BinaryKind::Mul:
                    return rowOf(BinaryKind::Mul);
                  case BinaryKind::Sub:
                    return rowOf(BinaryKind::Sub);
                  case BinaryKind::Div:
                    return rowOf(BinaryKind::Div);
                  }
                });
}

void host::spikeAnd(const uint64_t *a, const int64_t *aShape, const uint64_t *b,
                    const int64_t *bShape, uint64_t *y, const int64_t *yShape,
                    int rank) {
  broadcastRows(aShape, bShape, yShape, rank,
                [&](int64_t r, int64_t aOff, int64_t ai, int64_t bOff,
                    int64_t bi, int64_t inner) {
                  uint64_t *out = y + r * inner;
                  for (int64_t i = 0; i < inner; ++i)
                    out[i] = a[aOff + i * ai] & b[bOff + i * bi];
                });
}

void host::convTranspose2d(const float *x, const float *weight,
                           const float *bias, float *y, const Window2d &g,
                           ThreadPool &pool) {
  const int64_t pixels = g.outHeight * g.outWidth;
  pool.parallelFor(g.batch * g.outChannels, 1, [&](int64_t p0, int64_t p1) {
    for (int64_t i = p0 * pixels; i < p1 * pixels; ++i)
      y[i] = convTransposeElement(g, x, weight, bias, i);
  });
}

void host::matMul(const float *a, const float *b, float *y,
                  const MatMulGeometry &g, ThreadPool &pool) {
  // One (batch, row) per item: the row's sums accumulate over k in
  // ascending order, as matMulElement's, so that every backend agrees.
  pool.parallelFor(g.batches * g.m,
                   std::max<int64_t>(1, 4096 / (g.k * g.n + 1)),
                   [&](int64_t r0, int64_t r1) {
                     for (int64_t r = r0; r < r1; ++r) {
                       int64_t batch = r / g.m, row = r % g.m, am, bm;
                       matMulOperands(g, batch, am, bm);
                       const float *ar = a + (am * g.m + row) * g.k;
                       const float *bk = b + bm * g.k * g.n;
                       float *out = y + r * g.n;
                       std::fill(out, out + g.n, 0.0f);
                       for (int64_t k = 0; k < g.k; ++k)
                         for (int64_t j = 0; j < g.n; ++j)
                           out[j] += ar[k] * bk[k * g.n + j];
                     }
                   });
}

void host::relu(const float *x, float *y, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    y[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

void host::sigmoid(const float *x, float *y, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    y[i] = runtime::sigmoid(x[i]);
}

void host::pointwise(const PointwiseParams &params, const float *x, float *y,
                     int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    y[i] = runtime::pointwise(params, x[i]);
}

void host::layerNorm(const float *x, float *y, int64_t rows, int64_t n,
                     const float *scale, const float *bias, float epsilon,
                     ThreadPool &pool) {
  pool.parallelFor(
      rows, std::max<int64_t>(1, 4096 / n), [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; ++r)
          layerNormRow(x + r * n, y + r * n, n, scale, bias, epsilon);
      });
}

void host::softmax(const float *x, float *y, int64_t rows, int64_t n,
                   bool log, ThreadPool &pool) {
  pool.parallelFor(rows, std::max<int64_t>(1, 4096 / n),
                   [&](int64_t r0, int64_t r1) {
                     for (int64_t r = r0; r < r1; ++r)
                       softmaxRow(x + r * n, y + r * n, n, log);
                   });
}

void host::pad(const void *x, void *y, const PadGeometry &g, size_t elementSize,
               const void *fill) {
  const char *in = static_cast<const char *>(x);
  char *out = static_cast<char *>(y);
  for (int64_t i = 0; i < g.elements; ++i) {
    int64_t source = padSource(g, i);
    std::memcpy(out + i * elementSize,
                source < 0 ? fill : in + source * elementSize, elementSize);
  }
}

namespace {

/// Calls fn(in, out) for every input plane and its output plane, the
/// threads splitting the planes.
template <typename T, typename Fn>
void forEachPlane(const T *x, T *y, const Window2d &g, ThreadPool &pool,
                  Fn &&fn) {
  const int64_t planes = g.batch * g.channels;
  const int64_t perPlane = g.outHeight * g.outWidth * g.kernelH * g.kernelW;
  pool.parallelFor(planes, grainFor(planes, planes * perPlane),
                   [&](int64_t p0, int64_t p1) {
                     for (int64_t plane = p0; plane < p1; ++plane)
                       fn(x + plane * g.height * g.width,
                          y + plane * g.outHeight * g.outWidth);
                   });
}

/// The outputs [lo, hi) of `outputs` whose tap reads input
/// output * stride + offset inside [0, size).
std::pair<int64_t, int64_t> tapOutputs(int64_t offset, int64_t stride,
                                       int64_t size, int64_t outputs) {
  const int64_t lo =
      std::min(offset >= 0 ? 0 : (stride - 1 - offset) / stride, outputs);
  const int64_t last = size - 1 - offset; // the largest output * stride
  return {lo, last < 0 ? lo : std::clamp(last / stride + 1, lo, outputs)};
}

/// Reduces every window of every plane with `combine` (associative and
/// commutative: a max or an OR), starting from `init`; positions in the
/// padding are skipped. Row by row of the kernel: each valid input row is
/// reduced over the kernel's columns for a run of output columns (in a
/// buffer on the stack), then combined into the output row — loops without
/// bounds checks, and nothing allocated.
template <typename T, typename Combine>
void reduceWindows(const T *x, T *y, const Window2d &g, T init, Combine combine,
                   ThreadPool &pool) {
  constexpr int64_t kRun = 256; // output columns per buffer
  const int64_t H = g.height, W = g.width, OH = g.outHeight, OW = g.outWidth;
  forEachPlane(x, y, g, pool, [&](const T *in, T *out) {
    for (int64_t oh = 0; oh < OH; ++oh) {
      T *o = out + oh * OW;
      std::fill(o, o + OW, init);
      for (int64_t kh = 0; kh < g.kernelH; ++kh) {
        const int64_t ih = oh * g.strideH - g.padTop + kh * g.dilationH;
        if (ih < 0 || ih >= H)
          continue;
        for (int64_t ow0 = 0; ow0 < OW; ow0 += kRun) {
          const int64_t ow1 = std::min(ow0 + kRun, OW);
          T row[kRun];
          std::fill(row, row + (ow1 - ow0), init);
          for (int64_t kw = 0; kw < g.kernelW; ++kw) {
            const int64_t offset = kw * g.dilationW - g.padLeft;
            auto [lo, hi] = tapOutputs(offset, g.strideW, W, OW);
            const int64_t base = ih * W + offset;
            for (int64_t ow = std::max(lo, ow0); ow < std::min(hi, ow1); ++ow)
              row[ow - ow0] = combine(row[ow - ow0], in[base + ow * g.strideW]);
          }
          for (int64_t ow = ow0; ow < ow1; ++ow)
            o[ow] = combine(o[ow], row[ow - ow0]);
        }
      }
    }
  });
}

} // namespace

void host::maxPool2d(const float *x, float *y, const Window2d &g,
                     ThreadPool &pool) {
  reduceWindows(
      x, y, g, -std::numeric_limits<float>::infinity(),
      [](float a, float b) { return std::max(a, b); }, pool);
}

void host::maxPool2dPacked(const uint64_t *x, uint64_t *y, const Window2d &g,
                           ThreadPool &pool) {
  reduceWindows(
      x, y, g, uint64_t{0}, [](uint64_t a, uint64_t b) { return a | b; }, pool);
}

void host::avgPool2d(const float *x, float *y, const Window2d &g,
                     bool countIncludePad, ThreadPool &pool) {
  forEachPlane(x, y, g, pool, [&](const float *in, float *out) {
    for (int64_t oh = 0; oh < g.outHeight; ++oh)
      for (int64_t ow = 0; ow < g.outWidth; ++ow)
        out[oh * g.outWidth + ow] =
            averageWindow(g, in, oh, ow, countIncludePad);
  });
}

void host::globalAvgPool(const float *x, float *y, int64_t outer,
                         int64_t inner) {
  for (int64_t r = 0; r < outer; ++r) {
    double sum = 0.0;
    for (int64_t i = 0; i < inner; ++i)
      sum += x[r * inner + i];
    y[r] = static_cast<float>(sum / static_cast<double>(inner));
  }
}

void host::transpose(const void *x, void *y, const int64_t *xShape,
                     const int64_t *permutation, int rank, int elementSize) {
  int64_t xStride[16], yShape[16], strideOfY[16], index[16];
  int64_t s = 1, total = 1;
  for (int d = rank - 1; d >= 0; --d) {
    xStride[d] = s;
    s *= xShape[d];
  }
  for (int d = 0; d < rank; ++d) {
    yShape[d] = xShape[permutation[d]];
    strideOfY[d] = xStride[permutation[d]];
    index[d] = 0;
    total *= yShape[d];
  }
  const char *in = static_cast<const char *>(x);
  char *out = static_cast<char *>(y);
  int64_t offset = 0;
  for (int64_t i = 0; i < total; ++i) {
    std::memcpy(out + i * elementSize, in + offset * elementSize,
                elementSize);
    for (int d = rank - 1; d >= 0; --d) {
      offset += strideOfY[d];
      if (++index[d] < yShape[d])
        break;
      offset -= strideOfY[d] * yShape[d];
      index[d] = 0;
    }
  }
}

void host::concat(const void *const *inputs, const int64_t *chunks,
                  const int64_t *rowsIn, int count, void *y, int64_t rows,
                  int elementSize) {
  char *out = static_cast<char *>(y);
  for (int64_t r = 0; r < rows; ++r)
    for (int i = 0; i < count; ++i) {
      size_t bytes = static_cast<size_t>(chunks[i]) * elementSize;
      std::memcpy(out,
                  static_cast<const char *>(inputs[i]) + (r % rowsIn[i]) * bytes,
                  bytes);
      out += bytes;
    }
}
