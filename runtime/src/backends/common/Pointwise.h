//===- Pointwise.h - per-element maps every backend shares ------*- C++ -*-===//
//
// Part of SparseFlow.
//
// The per-element semantics of the binary ops, Sigmoid, the Pointwise
// functions, Softmax and Pad, written once for the host kernels and the CUDA
// thread bodies.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEFLOW_RUNTIME_BACKENDS_COMMON_POINTWISE_H
#define SPARSEFLOW_RUNTIME_BACKENDS_COMMON_POINTWISE_H

#include "sparseflow/format/enums.h"
#include "support/HostDevice.h"

#include <cmath>
#include <cstdint>

namespace sparseflow::runtime {

/// 1 / (1 + e^-x) in float, as e^x / (1 + e^x) for x < 0 so that e^-x
/// cannot overflow (sigmoid(-100) is 3.7e-44, not 0). The host and CUDA exp
/// may differ in the last place, so the backends agree to a few ulp here,
/// not bit for bit.
SF_HD inline float sigmoid(float x) {
  if (x >= 0.0f)
    return 1.0f / (1.0f + expf(-x));
  float e = expf(x);
  return e / (1.0f + e);
}

/// The binary ops with NumPy broadcasting.
enum class BinaryKind : uint8_t { Add, Mul, Sub, Div };

SF_HD inline float binaryOp(BinaryKind kind, float a, float b) {
  switch (kind) {
  case BinaryKind::Add:
    return a + b;
  case BinaryKind::Mul:
    return a * b;
  case BinaryKind::Sub:
    return a - b;
  case BinaryKind::Div:
    return a / b;
  }
  return 0.0f;
}

/// A Pointwise op's function and its parameters (ONNX Tanh, LeakyRelu,
/// Clip, Sqrt).
struct PointwiseParams {
  format::PointwiseFunction function;
  float alpha, min, max;
};

SF_HD inline float pointwise(const PointwiseParams &p, float x) {
  switch (p.function) {
  case format::PointwiseFunction::Tanh:
    return tanhf(x);
  case format::PointwiseFunction::LeakyRelu:
    return x >= 0.0f ? x : p.alpha * x;
  case format::PointwiseFunction::Clip:
    return fminf(fmaxf(x, p.min), p.max);
  case format::PointwiseFunction::Sqrt:
    return sqrtf(x);
  }
  return x;
}

/// Softmax of one row of `n` values, or with `log` its logarithm, both
/// shifted by the row's maximum so that exp cannot overflow:
/// `e_i = exp(x_i - m)`, `y_i = e_i / sum(e)` or `(x_i - m) - log(sum(e))`
/// (`x_i - m` first: exact near the maximum, however large `m` is).
SF_HD inline void softmaxRow(const float *x, float *y, int64_t n, bool log) {
  float m = x[0];
  for (int64_t i = 1; i < n; ++i)
    m = fmaxf(m, x[i]);
  float sum = 0.0f;
  for (int64_t i = 0; i < n; ++i)
    sum += expf(x[i] - m);
  if (log) {
    float logSum = logf(sum);
    for (int64_t i = 0; i < n; ++i)
      y[i] = (x[i] - m) - logSum;
    return;
  }
  for (int64_t i = 0; i < n; ++i)
    y[i] = expf(x[i] - m) / sum;
}

/// Layer normalization of one row of `n` values: `(x - mean) /
/// sqrt(var + epsilon) * scale + bias` (bias may be null), the mean and the
/// (biased) variance summed in order.
SF_HD inline void layerNormRow(const float *x, float *y, int64_t n,
                               const float *scale, const float *bias,
                               float epsilon) {
  float sum = 0.0f;
  for (int64_t i = 0; i < n; ++i)
    sum += x[i];
  float mean = sum / static_cast<float>(n), squares = 0.0f;
  for (int64_t i = 0; i < n; ++i)
    squares += (x[i] - mean) * (x[i] - mean);
  float deviation = sqrtf(squares / static_cast<float>(n) + epsilon);
  for (int64_t i = 0; i < n; ++i) {
    float v = (x[i] - mean) / deviation * scale[i];
    y[i] = bias ? v + bias[i] : v;
  }
}

/// A batched matrix product y[b] = a[b] · b[b], [M, K] x [K, N] matrices
/// over the output's batch dimensions (a float tensor's T copies first),
/// each operand's broadcast (stride 0) where its dimension is 1.
struct MatMulGeometry {
  static constexpr int kMaxBatchRank = 9;
  int batchRank = 0;
  int64_t batchShape[kMaxBatchRank] = {};
  int64_t aStride[kMaxBatchRank] = {}, bStride[kMaxBatchRank] = {};
  int64_t batches = 1, m = 0, k = 0, n = 0;
};

/// The matrices (in units of whole matrices) batch `index` multiplies.
SF_HD inline void matMulOperands(const MatMulGeometry &g, int64_t index,
                                 int64_t &a, int64_t &b) {
  a = b = 0;
  for (int d = g.batchRank - 1; d >= 0; --d) {
    int64_t i = index % g.batchShape[d];
    index /= g.batchShape[d];
    a += i * g.aStride[d];
    b += i * g.bStride[d];
  }
}

/// Output element `i` of the product: the sum over k in ascending order
/// (every backend adds in this order).
SF_HD inline float matMulElement(const MatMulGeometry &g, const float *a,
                                 const float *b, int64_t i) {
  int64_t column = i % g.n, row = i / g.n % g.m, batch = i / (g.n * g.m);
  int64_t am, bm;
  matMulOperands(g, batch, am, bm);
  const float *ar = a + (am * g.m + row) * g.k,
              *bc = b + bm * g.k * g.n + column;
  float sum = 0.0f;
  for (int64_t k = 0; k < g.k; ++k)
    sum += ar[k] * bc[k * g.n];
  return sum;
}

/// An operand of a MatMul with spikes: packed spikes (one word per element,
/// bit t: step t) of `matrices` matrices, or floats laid out as for
/// matMulElement.
struct MatMulOperand {
  const void *data;
  bool packed;
  int64_t matrices; // the product of the batch dimensions
  SF_HD const uint64_t *spikes() const {
    return static_cast<const uint64_t *>(data);
  }
  SF_HD const float *floats() const { return static_cast<const float *>(data); }
  /// Element `i` of the matrix at step t: 0 or 1 for spikes.
  SF_HD float at(int64_t i, int64_t t) const {
    return packed ? static_cast<float>((spikes()[i] >> t) & 1u) : floats()[i];
  }
};

/// Output element `i` of a product with spike operands (their batch stride
/// over the outermost dimension, the step, is 0): the products with the
/// operands' values at the element's step, summed as matMulElement sums.
SF_HD inline float matMulSparseElement(const MatMulGeometry &g,
                                       const MatMulOperand &a,
                                       const MatMulOperand &b, int timesteps,
                                       int64_t i) {
  int64_t column = i % g.n, row = i / g.n % g.m, batch = i / (g.n * g.m);
  int64_t t = batch / (g.batches / timesteps), am, bm;
  matMulOperands(g, batch, am, bm);
  int64_t ar = (am * g.m + row) * g.k, bc = bm * g.k * g.n + column;
  float sum = 0.0f;
  for (int64_t k = 0; k < g.k; ++k)
    sum += a.at(ar + k, t) * b.at(bc + k * g.n, t);
  return sum;
}

/// A padding or a strided slice of a row-major tensor of `rank`
/// dimensions: along dimension d, output index o reads input index
/// `o * step[d] - begin[d]` (a pad's `begin` is its padding before, a
/// slice's the negated start). An index outside the input is, by `mode`,
/// the fill value (`padSource` -1), mirrored without repeating the edge
/// (ONNX reflect) or clamped to the edge.
struct PadGeometry {
  /// A float tensor's T copies are one more leading dimension (not padded).
  static constexpr int kMaxRank = 9;
  int rank = 0;
  format::PadMode mode = format::PadMode::Constant;
  int64_t yShape[kMaxRank] = {};
  int64_t xShape[kMaxRank] = {};
  int64_t begin[kMaxRank] = {};
  int64_t step[kMaxRank] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
  int64_t elements = 0; // of the output
};

SF_HD inline int64_t padSource(const PadGeometry &g, int64_t i) {
  int64_t source = 0, stride = 1, rest = i;
  for (int d = g.rank - 1; d >= 0; --d) {
    const int64_t n = g.xShape[d];
    int64_t index = rest % g.yShape[d] * g.step[d] - g.begin[d];
    rest /= g.yShape[d];
    if (index < 0 || index >= n) {
      if (g.mode == format::PadMode::Constant)
        return -1;
      if (g.mode == format::PadMode::Edge) {
        index = index < 0 ? 0 : n - 1;
      } else { // reflect, period 2(n - 1); pads < n (the loader checks)
        int64_t period = 2 * (n - 1);
        index = period ? (index % period + period) % period : 0;
        if (index >= n)
          index = period - index;
      }
    }
    source += index * stride;
    stride *= n;
  }
  return source;
}

} // namespace sparseflow::runtime

#endif // SPARSEFLOW_RUNTIME_BACKENDS_COMMON_POINTWISE_H
