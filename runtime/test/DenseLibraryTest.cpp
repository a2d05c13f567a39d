//===- DenseLibraryTest.cpp - oneDNN layers against the reference ---------===//
//
// Part of SparseFlow.
//
// The host's dense conv2d and linear layers prepared on the dense library
// (oneDNN) must equal the reference kernels of DenseKernels.cpp up to the
// order of summation: |library - reference| <= 1e-5 * (|bias| + Σ|w·x|),
// the sum of magnitudes the output adds up (computed with the reference
// kernel on |x|, |w| and |bias|). Skipped in a build without a dense library
// (SF_WITH_ONEDNN=OFF).
//
//===----------------------------------------------------------------------===//

#include "backends/host/DenseLibrary.h"
#include "backends/host/HostKernels.h"

#include "KernelTestSupport.h"

#include <gtest/gtest.h>

#include <cmath>
#include <ostream>
#include <random>
#include <tuple>
#include <vector>

using namespace sparseflow::runtime;
using namespace sparseflow::runtime::host;
using sparseflow::runtime::test::randomFloats;

namespace {

constexpr double kRelativeTolerance = 1e-5;

std::vector<float> magnitudes(std::vector<float> v) {
  for (float &x : v)
    x = std::fabs(x);
  return v;
}

struct DenseConvCase {
  int64_t n, c, h, w, o, k, stride, pad, dilation, groups;
  bool bias;
  int64_t extraBottomRight = 0; // asymmetric padding
};

void PrintTo(const DenseConvCase &p, std::ostream *os) {
  *os << p.n << "x" << p.c << "x" << p.h << "x" << p.w << " -> " << p.o << " k"
      << p.k << " s" << p.stride << " p" << p.pad << "+" << p.extraBottomRight
      << " d" << p.dilation << " g" << p.groups << (p.bias ? " bias" : "");
}

class DenseLibraryConv : public ::testing::TestWithParam<DenseConvCase> {};

TEST_P(DenseLibraryConv, MatchesTheReferenceKernel) {
  if (!*denseLibrary())
    GTEST_SKIP() << "built without a dense library (SF_WITH_ONEDNN=OFF)";
  const DenseConvCase &p = GetParam();
  std::mt19937 rng(11);
  for (unsigned threads : {1u, 2u}) {
    ThreadPool pool(threads);
    Window2d g = squareWindow(p.n, p.c, p.h, p.w, p.o, p.k, p.stride, p.pad,
                              p.dilation, p.groups);
    g.padBottom += p.extraBottomRight;
    g.padRight += p.extraBottomRight;
    g.outHeight =
        (p.h + g.padTop + g.padBottom - p.dilation * (p.k - 1) - 1) / p.stride +
        1;
    g.outWidth =
        (p.w + g.padLeft + g.padRight - p.dilation * (p.k - 1) - 1) / p.stride +
        1;
    std::vector<float> x = randomFloats(p.n * p.c * p.h * p.w, rng);
    std::vector<float> weight =
        randomFloats(p.o * (p.c / p.groups) * p.k * p.k, rng);
    std::vector<float> bias = randomFloats(p.o, rng);
    const float *b = p.bias ? bias.data() : nullptr;
    size_t outSize = p.n * p.o * g.outHeight * g.outWidth;
    std::vector<float> reference(outSize), bound(outSize);
    conv2dDense(x.data(), weight.data(), b, reference.data(), g, pool);
    std::vector<float> absBias = magnitudes(bias);
    conv2dDense(magnitudes(x).data(), magnitudes(weight).data(),
                p.bias ? absBias.data() : nullptr, bound.data(), g, pool);

    std::unique_ptr<DenseLayer> layer =
        prepareConv2d(g, weight.data(), b, pool);
    ASSERT_TRUE(layer) << "oneDNN took no primitive for this geometry";
    for (int run = 0; run < 2; ++run) { // a prepared layer runs repeatedly
      std::vector<float> y(outSize, NAN);
      layer->run(x.data(), y.data(), pool);
      for (size_t i = 0; i < outSize; ++i)
        ASSERT_NEAR(y[i], reference[i], kRelativeTolerance * bound[i])
            << "at " << i << " with " << threads << " threads, run " << run;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, DenseLibraryConv,
    ::testing::Values(
        // The analog first layers: ResNet's stem and a CIFAR 3x3.
        DenseConvCase{1, 3, 64, 64, 64, 7, 2, 3, 1, 1, true},
        // Two threads split it into slices of 32 and 8 output channels.
        DenseConvCase{2, 3, 32, 32, 40, 7, 1, 3, 1, 1, true},
        DenseConvCase{2, 3, 32, 32, 64, 3, 1, 1, 1, 1, true},
        DenseConvCase{1, 1, 28, 28, 8, 5, 1, 0, 1, 1, true},
        DenseConvCase{3, 16, 15, 17, 24, 3, 2, 1, 1, 1, false},
        DenseConvCase{2, 8, 12, 12, 8, 3, 1, 2, 2, 1, true},
        DenseConvCase{2, 8, 12, 12, 8, 3, 1, 1, 1, 8, true}, // depthwise
        DenseConvCase{1, 12, 10, 10, 18, 3, 1, 1, 1, 3, true},
        DenseConvCase{1, 64, 14, 14, 32, 1, 1, 0, 1, 1, true},
        DenseConvCase{2, 5, 11, 9, 7, 4, 3, 1, 1, 1, true, 2}));

TEST(DenseLibraryLinear, MatchesTheReferenceKernel) {
  if (!*denseLibrary())
    GTEST_SKIP() << "built without a dense library (SF_WITH_ONEDNN=OFF)";
  std::mt19937 rng(5);
  ThreadPool pool(2);
  for (bool withBias : {true, false})
    for (auto [rows, K, O] : {std::tuple<int64_t, int64_t, int64_t>{1, 784, 10},
                              {4, 100, 37},
                              {64, 512, 300},
                              {3, 1, 1}}) {
      std::vector<float> x = randomFloats(rows * K, rng);
      std::vector<float> weightT = randomFloats(K * O, rng);
      std::vector<float> bias = randomFloats(O, rng);
      const float *b = withBias ? bias.data() : nullptr;
      std::vector<float> reference(rows * O), bound(rows * O);
      linearDense(x.data(), weightT.data(), b, reference.data(), rows, K, O,
                  pool);
      std::vector<float> absBias = magnitudes(bias);
      linearDense(magnitudes(x).data(), magnitudes(weightT).data(),
                  withBias ? absBias.data() : nullptr, bound.data(), rows, K, O,
                  pool);
      std::unique_ptr<DenseLayer> layer =
          prepareLinear(rows, K, O, weightT.data(), b, pool);
      ASSERT_TRUE(layer);
      std::vector<float> y(rows * O, NAN);
      layer->run(x.data(), y.data(), pool);
      for (size_t i = 0; i < y.size(); ++i)
        ASSERT_NEAR(y[i], reference[i], kRelativeTolerance * bound[i])
            << rows << "x" << K << " -> " << O << " at " << i;
    }
}

} // namespace
