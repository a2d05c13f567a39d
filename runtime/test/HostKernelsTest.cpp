//===- HostKernelsTest.cpp - sparse kernels against the dense reference ---===//
//
// Part of SparseFlow.
//
// Random spike tensors at several densities, shapes, strides, pads and
// block sizes, with every vector instruction set the processor supports: the
// binary-input kernels must equal the dense kernels run on the unpacked
// spikes. Sums differ only in order: tolerance 1e-5 relative to
// the magnitude of the sum of |weights| a neuron can receive.
//
//===----------------------------------------------------------------------===//

#include "backends/host/HostKernels.h"

#include "KernelTestSupport.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <ostream>
#include <random>
#include <vector>

using namespace sparseflow::runtime;
using namespace sparseflow::runtime::host;
using sparseflow::runtime::test::randomFloats;
using sparseflow::runtime::test::randomSpikes;
using sparseflow::runtime::test::spikeProduct;

namespace {

constexpr int T = 4;

std::vector<VectorIsa> supportedIsas() {
  std::vector<VectorIsa> isas;
  for (VectorIsa isa : {VectorIsa::Baseline, VectorIsa::Avx2, VectorIsa::Avx512})
    if (supportsVectorIsa(isa))
      isas.push_back(isa);
  return isas;
}

struct ConvCase {
  int64_t c, h, w, o, k, stride, pad, dilation, block;
  double density;
  bool clustered;
  int64_t groups = 1;
};

void PrintTo(const ConvCase &p, std::ostream *os) {
  *os << p.c << "x" << p.h << "x" << p.w << " -> " << p.o << " k" << p.k << " s"
      << p.stride << " p" << p.pad << " d" << p.dilation << " block " << p.block
      << " density " << p.density << (p.clustered ? " clustered" : "")
      << " groups " << p.groups;
}

class SparseConv : public ::testing::TestWithParam<ConvCase> {};

TEST_P(SparseConv, MatchesDenseOnUnpackedSpikes) {
  const ConvCase &p = GetParam();
  std::mt19937 rng(42);
  ThreadPool pool(2);
  const int64_t N = 2;
  Window2d g = squareWindow(N, p.c, p.h, p.w, p.o, p.k, p.stride, p.pad,
                            p.dilation, p.groups);
  std::vector<uint64_t> spikes =
      randomSpikes(N * p.c * p.h * p.w, p.density, p.clustered, rng);
  std::vector<float> weight =
      randomFloats(p.o * p.c / p.groups * p.k * p.k, rng);
  std::vector<float> bias = randomFloats(p.o, rng);
  std::vector<float> arranged = test::arrangeForScatter(weight, p.o, p.groups);

  size_t outSize = T * N * p.o * g.outHeight * g.outWidth;
  std::vector<float> unpacked(T * spikes.size()), dense(outSize);
  unpackSpikes(spikes.data(), unpacked.data(), spikes.size(), T);
  Window2d all = g;
  all.batch = T * N;
  conv2dDense(unpacked.data(), weight.data(), bias.data(), dense.data(), all,
              pool);

  std::vector<char> scratch(sparseConvScratchBytes(g, T, pool.size()));
  double scale = p.c / p.groups * p.k * p.k;
  for (VectorIsa isa : supportedIsas()) {
    std::vector<float> sparse(outSize, NAN);
    conv2dSparse(spikes.data(), arranged.data(), bias.data(), sparse.data(), g,
                 T, p.block, scratch.data(), pool, isa);
    for (size_t i = 0; i < outSize; ++i)
      ASSERT_NEAR(sparse[i], dense[i], 1e-5 * scale)
          << "at " << i << " isa " << static_cast<int>(isa);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, SparseConv,
    ::testing::Values(ConvCase{4, 16, 16, 8, 3, 1, 1, 1, 0, 0.1, false},
                      ConvCase{4, 16, 16, 8, 3, 1, 1, 1, 4, 0.1, true},
                      ConvCase{3, 17, 13, 5, 3, 2, 1, 1, 8, 0.3, false},
                      ConvCase{2, 12, 12, 16, 5, 1, 2, 1, 4, 0.05, true},
                      ConvCase{2, 12, 12, 4, 3, 1, 2, 2, 0, 0.2, false},
                      ConvCase{8, 7, 7, 32, 1, 1, 0, 1, 0, 0.5, false},
                      ConvCase{8, 9, 9, 6, 1, 2, 0, 1, 2, 0.02, false},
                      ConvCase{1, 10, 10, 3, 3, 3, 0, 1, 16, 1.0, false},
                      ConvCase{4, 8, 8, 8, 3, 1, 1, 1, 4, 0.0, false},
                      // Channel blocks of 128, 16 and a tail of 6.
                      ConvCase{3, 10, 10, 150, 3, 1, 1, 1, 4, 0.2, false},
                      // 81 taps: runs join 9 kernel rows of up to 12
                      // columns.
                      ConvCase{2, 12, 12, 20, 9, 1, 4, 1, 0, 0.5, false},
                      // Dilation 2: a run's columns in two classes (an odd
                      // number of columns, the first class one longer), an
                      // output's adjacent in its class; with stride 1 and 2.
                      ConvCase{3, 13, 15, 8, 3, 1, 2, 2, 0, 0.3, false},
                      ConvCase{3, 13, 15, 8, 3, 2, 1, 2, 0, 0.3, false},
                      // Padding wider than the dilated kernel: edge
                      // outputs whose windows hold no input row or column
                      // (bias only), some a row or column past the edge.
                      ConvCase{2, 5, 6, 8, 3, 1, 6, 2, 0, 0.5, false},
                      // A kernel row's weights for a block of 128 outputs
                      // exceed the slice (768 KB): summed a kernel row at a
                      // time, resuming.
                      ConvCase{512, 5, 5, 128, 3, 1, 1, 1, 0, 0.2, false},
                      // Grouped: two groups; depthwise (MobileNet), with a
                      // stride and a channel multiplier of 2; groups of
                      // 150 outputs (a block of 128 and a tail each).
                      ConvCase{4, 16, 16, 8, 3, 1, 1, 1, 4, 0.2, true, 2},
                      ConvCase{8, 12, 12, 8, 3, 1, 1, 1, 0, 0.3, false, 8},
                      ConvCase{6, 13, 13, 12, 3, 2, 1, 1, 4, 0.1, false, 6},
                      ConvCase{4, 8, 8, 300, 3, 1, 1, 1, 0, 0.2, false, 2},
                      // 1x1, grouped, strided and padded: outputs walk a
                      // pixel's narrowed buckets in place, the border's
                      // none.
                      ConvCase{8, 9, 9, 12, 1, 2, 1, 1, 0, 0.3, false, 4},
                      // Lists too large for two images at once: the batch
                      // is summed an image at a time.
                      ConvCase{64, 32, 32, 16, 3, 1, 1, 1, 0, 0.1, false}));

/// LIF parameters per channel of `channels`: thresholds and leaks that make
/// a fair share of the neurons fire, a hard reset, v_init 0.
struct ChannelNeurons {
  std::vector<float> leak, gain, vLeak, threshold, vReset, vInit;
  LIFParams params;

  ChannelNeurons(int64_t channels, std::mt19937 &rng) {
    std::uniform_real_distribution<float> u(0.2f, 0.8f);
    for (int64_t c = 0; c < channels; ++c) {
      leak.push_back(u(rng));
      gain.push_back(1.0f);
      vLeak.push_back(0.0f);
      threshold.push_back(u(rng));
      vReset.push_back(0.0f);
      vInit.push_back(0.0f);
    }
    int64_t n = channels;
    params = LIFParams{leak.data(),
                       gain.data(),
                       vLeak.data(),
                       threshold.data(),
                       vReset.data(),
                       vInit.data(),
                       n,
                       n,
                       n,
                       n,
                       n,
                       n,
                       LIFParams::Reset::Hard,
                       true,
                       false};
  }

  /// The parameters with every reset (hard, soft, none), delayed or not,
  /// and both threshold comparisons.
  std::vector<LIFParams> everyMode() const {
    std::vector<LIFParams> modes;
    for (auto reset : {LIFParams::Reset::Hard, LIFParams::Reset::Soft,
                       LIFParams::Reset::None})
      for (bool delay : {false, true})
        for (bool ge : {true, false}) {
          LIFParams p = params;
          p.reset = reset;
          p.resetDelay = delay;
          p.fireGreaterEqual = ge;
          modes.push_back(p);
        }
    return modes;
  }
};

/// The residuals a fused layer adds before its neurons, for outputs of
/// `elements` per step: none, float (temporal or the same at every step),
/// packed spikes; and what each adds to sums[t][e].
struct Residuals {
  std::vector<float> temporal, constant;
  std::vector<uint64_t> spikes;

  Residuals(int64_t elements, std::mt19937 &rng)
      : temporal(randomFloats(T * elements, rng)),
        constant(randomFloats(elements, rng)),
        spikes(randomSpikes(elements, 0.3, false, rng)) {}

  std::vector<Residual> all(int64_t elements) const {
    Residual none, floatsT, floats1, packed;
    floatsT.floats = temporal.data();
    floatsT.temporal = true;
    floatsT.elements = elements;
    floats1.floats = constant.data();
    floats1.elements = elements;
    packed.spikes = spikes.data();
    return {none, floatsT, floats1, packed};
  }
};

/// sums + residual, as the unfused add computes it.
std::vector<float> plusResidual(std::vector<float> sums, const Residual &r,
                                int64_t elements) {
  if (r.floats || r.spikes)
    for (int t = 0; t < T; ++t)
      for (int64_t e = 0; e < elements; ++e)
        sums[t * elements + e] = sums[t * elements + e] + r.at(e, t);
  return sums;
}

TEST_P(SparseConv, FusedWithLIFEqualsConvAddThenLIF) {
  const ConvCase &p = GetParam();
  std::mt19937 rng(11);
  ThreadPool pool(2);
  const int64_t N = 2;
  Window2d g = squareWindow(N, p.c, p.h, p.w, p.o, p.k, p.stride, p.pad,
                            p.dilation, p.groups);
  std::vector<uint64_t> spikes =
      randomSpikes(N * p.c * p.h * p.w, p.density, p.clustered, rng);
  std::vector<float> arranged = test::arrangeForScatter(
      randomFloats(p.o * p.c / p.groups * p.k * p.k, rng), p.o, p.groups);
  std::vector<float> bias = randomFloats(p.o, rng);
  ChannelNeurons neurons(p.o, rng);
  const int64_t inner = g.outHeight * g.outWidth, outputs = N * p.o * inner;
  Residuals residuals(outputs, rng);
  std::vector<char> scratch(sparseConvScratchBytes(g, T, pool.size()));
  for (VectorIsa isa : supportedIsas()) {
    std::vector<float> sums(T * outputs);
    conv2dSparse(spikes.data(), arranged.data(), bias.data(), sums.data(), g, T,
                 p.block, scratch.data(), pool, isa);
    for (const Residual &residual : residuals.all(outputs))
      for (LIFParams params : neurons.everyMode()) {
        std::vector<float> in = plusResidual(sums, residual, outputs);
        std::vector<uint64_t> expected(outputs), fused(outputs, ~0ull);
        lif(in.data(), /*temporal=*/true, expected.data(), N, p.o, inner, T,
            params, pool);
        conv2dSparseLIF(spikes.data(), arranged.data(), bias.data(), residual,
                        params, fused.data(), g, T, p.block, scratch.data(),
                        pool, isa);
        ASSERT_EQ(fused, expected)
            << "isa " << static_cast<int>(isa) << " residual "
            << (residual.spikes   ? "spikes"
                : residual.floats ? "floats"
                                  : "none")
            << " reset " << static_cast<int>(params.reset) << " delay "
            << params.resetDelay << " ge " << params.fireGreaterEqual;
      }
  }
}

TEST(SparseLinear, FusedWithLIFEqualsLinearAddThenLIF) {
  std::mt19937 rng(3);
  ThreadPool pool(2);
  // [rows, O] with per-feature parameters, and [2, 3, O] (rows = 6) whose
  // LIF channel is dimension 1, not the feature.
  struct Layout {
    int64_t rows, outer, channels, inner;
  };
  const int64_t K = 100;
  for (int64_t O : {37, 300})
    for (Layout layout : {Layout{3, 3, O, 1}, Layout{6, 2, 3, O}})
      for (int64_t block : {0, 8}) {
        std::vector<uint64_t> spikes =
            randomSpikes(layout.rows * K, 0.2, false, rng);
        std::vector<float> weightT = randomFloats(K * O, rng);
        std::vector<float> bias = randomFloats(O, rng);
        ChannelNeurons neurons(layout.channels, rng);
        const int64_t outputs = layout.rows * O;
        Residuals residuals(outputs, rng);
        std::vector<char> scratch(
            sparseScratchBytes(layout.rows, K, T, pool.size()));
        for (VectorIsa isa : supportedIsas()) {
          std::vector<float> sums(T * layout.rows * O);
          linearSparse(spikes.data(), weightT.data(), bias.data(), sums.data(),
                       layout.rows, K, O, T, block, scratch.data(), pool, isa);
          for (const Residual &residual : residuals.all(outputs)) {
            std::vector<float> in = plusResidual(sums, residual, outputs);
            std::vector<uint64_t> expected(outputs), fused(outputs, ~0ull);
            lif(in.data(), true, expected.data(), layout.outer, layout.channels,
                layout.inner, T, neurons.params, pool);
            linearSparseLIF(spikes.data(), weightT.data(), bias.data(),
                            residual, neurons.params, layout.channels,
                            layout.inner, fused.data(), layout.rows, K, O, T,
                            block, scratch.data(), pool, isa);
            ASSERT_EQ(fused, expected) << "O " << O << " rows " << layout.rows
                                       << " isa " << static_cast<int>(isa);
          }
        }
      }
}

/// Spikes over `timesteps` steps correlated in time, as a network's are: a
/// third of the neurons fire, a third of those at every step, the others at
/// random steps (so the kernels' full and partial lists both fill).
std::vector<uint64_t> correlatedSpikes(size_t n, int timesteps,
                                       std::mt19937 &rng) {
  std::vector<uint64_t> words = randomSpikes(n, 0.4, false, rng, timesteps);
  std::uniform_int_distribution<int> kind(0, 8);
  const uint64_t all =
      timesteps == 64 ? ~uint64_t{0} : (uint64_t{1} << timesteps) - 1;
  for (uint64_t &word : words) {
    const int k = kind(rng);
    word = k < 6 ? 0 : k == 6 ? all : word;
  }
  return words;
}

// The kernels list the steps in groups of up to four: every step count
// gives other groups (1, 2 and 3 steps; several groups; a last group of
// 1 to 3), each with channels firing at all or some of its steps.
TEST(SparseKernels, EveryStepCountMatchesDenseAndFusedMatchesUnfused) {
  std::mt19937 rng(5);
  ThreadPool pool(2);
  const int64_t N = 2, H = 9, W = 9, O = 150, K = 3;
  // A tap's few partial channels are added by a select, many (128 channels)
  // by pattern buckets.
  for (int64_t C : {24, 128})
    for (int steps : {1, 2, 3, 4, 5, 6, 8, 9, 64}) {
      Window2d g = squareWindow(N, C, H, W, O, K, 1, 1);
      std::vector<uint64_t> spikes =
          correlatedSpikes(N * C * H * W, steps, rng);
      std::vector<float> weight = randomFloats(O * C * K * K, rng);
      std::vector<float> bias = randomFloats(O, rng);
      std::vector<float> arranged = test::arrangeForScatter(weight, O);
      const int64_t inner = H * W, outputs = N * O * inner;
      std::vector<float> unpacked(steps * spikes.size()),
          dense(steps * outputs);
      unpackSpikes(spikes.data(), unpacked.data(), spikes.size(), steps);
      Window2d all = g;
      all.batch = steps * N;
      conv2dDense(unpacked.data(), weight.data(), bias.data(), dense.data(),
                  all, pool);
      // A residual of spikes, read at each step.
      std::vector<uint64_t> shortcut = correlatedSpikes(outputs, steps, rng);
      Residual residual;
      residual.spikes = shortcut.data();
      ChannelNeurons neurons(O, rng);
      std::vector<char> scratch(sparseConvScratchBytes(g, steps, pool.size()));
      for (VectorIsa isa : supportedIsas()) {
        std::vector<float> sums(steps * outputs, NAN);
        conv2dSparse(spikes.data(), arranged.data(), bias.data(), sums.data(),
                     g, steps, 0, scratch.data(), pool, isa);
        for (size_t i = 0; i < sums.size(); ++i)
          ASSERT_NEAR(sums[i], dense[i], 1e-5 * C * K * K)
              << "C " << C << " steps " << steps << " at " << i << " isa "
              << static_cast<int>(isa);
        for (int t = 0; t < steps; ++t)
          for (int64_t e = 0; e < outputs; ++e)
            sums[t * outputs + e] = sums[t * outputs + e] + residual.at(e, t);
        std::vector<uint64_t> expected(outputs), fused(outputs, ~0ull);
        lif(sums.data(), true, expected.data(), N, O, inner, steps,
            neurons.params, pool);
        conv2dSparseLIF(spikes.data(), arranged.data(), bias.data(), residual,
                        neurons.params, fused.data(), g, steps, 0,
                        scratch.data(), pool, isa);
        ASSERT_EQ(fused, expected) << "C " << C << " steps " << steps << " isa "
                                   << static_cast<int>(isa);
      }

      // A linear layer over the same spikes, [N * H * W rows][C].
      const int64_t rows = N * H * W;
      std::vector<float> weightT = randomFloats(C * O, rng);
      std::vector<float> linear(steps * rows * O);
      linearDense(unpacked.data(), weightT.data(), bias.data(), linear.data(),
                  steps * rows, C, O, pool);
      std::vector<char> rowScratch(
          sparseScratchBytes(rows, C, steps, pool.size()));
      for (VectorIsa isa : supportedIsas()) {
        std::vector<float> sparse(steps * rows * O, NAN);
        linearSparse(spikes.data(), weightT.data(), bias.data(), sparse.data(),
                     rows, C, O, steps, 0, rowScratch.data(), pool, isa);
        for (size_t i = 0; i < sparse.size(); ++i)
          ASSERT_NEAR(sparse[i], linear[i], 1e-5 * C)
              << "C " << C << " steps " << steps << " at " << i << " isa "
              << static_cast<int>(isa);
      }
    }
}

TEST(SparseLinear, MatchesDenseAtSeveralDensities) {
  std::mt19937 rng(7);
  ThreadPool pool(2);
  for (double density : {0.0, 0.02, 0.1, 0.3, 1.0})
    for (int64_t block : {0, 4, 16})
      for (bool clustered : {false, true}) {
        const int64_t rows = 3, K = 100, O = 37 + 263 * clustered;
        std::vector<uint64_t> spikes =
            randomSpikes(rows * K, density, clustered, rng);
        std::vector<float> weightT = randomFloats(K * O, rng);
        std::vector<float> bias = randomFloats(O, rng);
        std::vector<float> dense(T * rows * O), unpacked(T * rows * K);
        unpackSpikes(spikes.data(), unpacked.data(), rows * K, T);
        linearDense(unpacked.data(), weightT.data(), bias.data(), dense.data(),
                    T * rows, K, O, pool);
        std::vector<char> scratch(sparseScratchBytes(rows, K, T, pool.size()));
        for (VectorIsa isa : supportedIsas()) {
          std::vector<float> sparse(T * rows * O, NAN);
          linearSparse(spikes.data(), weightT.data(), bias.data(),
                       sparse.data(), rows, K, O, T, block, scratch.data(),
                       pool, isa);
          for (size_t i = 0; i < sparse.size(); ++i)
            ASSERT_NEAR(sparse[i], dense[i], 1e-5 * K)
                << "density " << density << " block " << block << " isa "
                << static_cast<int>(isa);
        }
      }
}

TEST(PackedMaxPool, IsTheOrOfTheWindow) {
  ThreadPool pool(2);
  std::mt19937 rng(3);
  Window2d g{};
  g.batch = 2;
  g.channels = 3;
  g.height = g.width = 9;
  g.kernelH = g.kernelW = 3;
  g.strideH = g.strideW = 2;
  g.padTop = g.padLeft = g.padBottom = g.padRight = 1;
  g.dilationH = g.dilationW = 1;
  g.outHeight = g.outWidth = 5;
  g.outChannels = 3;
  std::vector<uint64_t> spikes = randomSpikes(2 * 3 * 81, 0.1, false, rng);
  std::vector<uint64_t> pooled(2 * 3 * 25);
  maxPool2dPacked(spikes.data(), pooled.data(), g, pool);
  std::vector<float> unpacked(T * spikes.size()), dense(T * pooled.size()),
      expected(T * pooled.size());
  unpackSpikes(spikes.data(), unpacked.data(), spikes.size(), T);
  Window2d all = g;
  all.batch = T * 2;
  maxPool2d(unpacked.data(), dense.data(), all, pool);
  unpackSpikes(pooled.data(), expected.data(), pooled.size(), T);
  EXPECT_EQ(dense, expected);
}

// Max pooling, float and packed, against its definition written out here:
// padding on some sides only, strides, dilation, a window overhanging the
// input (ceil mode), windows wholly in the padding (the initial value) and
// rows wider than the kernel's runs of output columns.
TEST(MaxPool, MatchesTheDefinition) {
  ThreadPool pool(2);
  std::mt19937 rng(11);
  struct Case {
    int64_t h, w, kh, kw, sh, sw, padTop, padLeft, padBottom, padRight, dh, dw;
  };
  for (const Case &c : {Case{9, 9, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1},
                        Case{10, 7, 2, 3, 2, 1, 0, 1, 0, 1, 1, 1},
                        Case{11, 12, 3, 2, 3, 2, 0, 0, 2, 1, 1, 1},
                        Case{9, 9, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2},
                        Case{5, 6, 5, 6, 1, 1, 0, 0, 0, 0, 1, 1},
                        Case{4, 4, 3, 3, 2, 2, 3, 3, 3, 3, 1, 1},
                        // Rows wider than the kernel's 256-column runs.
                        Case{3, 600, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1},
                        Case{4, 1100, 2, 5, 2, 3, 0, 2, 0, 2, 1, 2}}) {
    Window2d g{};
    g.batch = 2;
    g.channels = g.outChannels = 3;
    g.height = c.h;
    g.width = c.w;
    g.kernelH = c.kh;
    g.kernelW = c.kw;
    g.strideH = c.sh;
    g.strideW = c.sw;
    g.padTop = c.padTop;
    g.padLeft = c.padLeft;
    g.padBottom = c.padBottom;
    g.padRight = c.padRight;
    g.dilationH = c.dh;
    g.dilationW = c.dw;
    g.outHeight =
        (c.h + c.padTop + c.padBottom - c.dh * (c.kh - 1) - 1) / c.sh + 1;
    g.outWidth =
        (c.w + c.padLeft + c.padRight - c.dw * (c.kw - 1) - 1) / c.sw + 1;
    const int64_t planes = 2 * 3, in = c.h * c.w,
                  out = g.outHeight * g.outWidth;
    std::vector<float> x = randomFloats(planes * in, rng);
    std::vector<uint64_t> spikes = randomSpikes(planes * in, 0.2, false, rng);
    std::vector<float> expected(planes * out), pooled(planes * out);
    std::vector<uint64_t> expectedBits(planes * out), pooledBits(planes * out);
    for (int64_t p = 0; p < planes; ++p)
      for (int64_t oh = 0; oh < g.outHeight; ++oh)
        for (int64_t ow = 0; ow < g.outWidth; ++ow) {
          float max = -std::numeric_limits<float>::infinity();
          uint64_t bits = 0;
          for (int64_t kh = 0; kh < c.kh; ++kh)
            for (int64_t kw = 0; kw < c.kw; ++kw) {
              const int64_t ih = oh * c.sh - c.padTop + kh * c.dh,
                            iw = ow * c.sw - c.padLeft + kw * c.dw;
              if (ih < 0 || ih >= c.h || iw < 0 || iw >= c.w)
                continue;
              max = std::max(max, x[p * in + ih * c.w + iw]);
              bits |= spikes[p * in + ih * c.w + iw];
            }
          expected[p * out + oh * g.outWidth + ow] = max;
          expectedBits[p * out + oh * g.outWidth + ow] = bits;
        }
    maxPool2d(x.data(), pooled.data(), g, pool);
    maxPool2dPacked(spikes.data(), pooledBits.data(), g, pool);
    EXPECT_EQ(pooled, expected)
        << c.h << "x" << c.w << " k" << c.kh << "x" << c.kw;
    EXPECT_EQ(pooledBits, expectedBits)
        << c.h << "x" << c.w << " k" << c.kh << "x" << c.kw;
  }
}

/// T steps of `n` inputs in [0, 3): enough to make LIF neurons fire.
std::vector<float> neuronInputs(int64_t n, unsigned seed, int steps = T) {
  std::mt19937 rng(seed);
  std::vector<float> x = randomFloats(steps * n, rng);
  for (float &v : x)
    v *= 3.0f;
  return x;
}

// CubaLIF (the LIF kernel with a synapse) and LI/CubaLI against the
// equations of docs/nir.md written out here, per-channel synapses included.
TEST(CurrentBasedNeurons, FollowTheDiscreteForms) {
  ThreadPool pool(2);
  const int64_t channels = 3, inner = 300; // spans several chunks
  const int64_t n = channels * inner;
  std::vector<float> x = neuronInputs(n, 12);
  const float leak[] = {0.5f, 0.25f, 0.1f}, gain[] = {0.75f},
              vLeak[] = {0.125f}, threshold[] = {0.5f}, vReset[] = {-0.25f},
              vInit[] = {0.0f}, synLeak[] = {0.25f, 1.0f, 0.5f},
              synGain[] = {1.5f};
  for (bool synapse : {true, false}) {
    LIFParams p{leak,
                gain,
                vLeak,
                threshold,
                vReset,
                vInit,
                3,
                1,
                1,
                1,
                1,
                1,
                LIFParams::Reset::Hard,
                false,
                false};
    if (synapse) {
      p.synLeak = synLeak;
      p.synLeakN = 3;
      p.synGain = synGain;
      p.synGainN = 1;
    }
    std::vector<uint64_t> spikes(n);
    lif(x.data(), true, spikes.data(), 1, channels, inner, T, p, pool);
    LIFParams li = p;
    li.threshold = nullptr;
    li.vReset = nullptr;
    li.reset = LIFParams::Reset::None;
    std::vector<float> membrane(T * n);
    host::li(x.data(), true, membrane.data(), 1, channels, inner, T, li, pool);
    int64_t fired = 0;
    for (int64_t i = 0; i < n; ++i) {
      int64_t c = i / inner;
      float v = vInit[0], cur = 0.0f, m = vInit[0], mcur = 0.0f;
      for (int t = 0; t < T; ++t) {
        float in = x[t * n + i], min = in;
        if (synapse) {
          float j = cur + synLeak[c] * (0.0f - cur);
          in = cur = j + synGain[0] * in;
          j = mcur + synLeak[c] * (0.0f - mcur);
          min = mcur = j + synGain[0] * min;
        }
        float h = v + leak[c] * (vLeak[0] - v);
        h = h + gain[0] * in;
        bool s = h > threshold[0];
        v = s ? vReset[0] : h;
        fired += s;
        ASSERT_EQ(((spikes[i] >> t) & 1) != 0, s)
            << "neuron " << i << " step " << t;
        h = m + leak[c] * (vLeak[0] - m);
        m = h + gain[0] * min;
        ASSERT_EQ(membrane[t * n + i], m) << "neuron " << i << " step " << t;
      }
    }
    EXPECT_GT(fired, 0);
  }
}

// Recurrent neurons against the equations written out here: R[t] = b +
// the rows of W^T of the neurons that fired at t-1 (ascending), added to
// the input; with a zero weight and no bias, exactly the LIF kernel.
TEST(RecurrentNeurons, FeedBackTheLastStepsSpikes) {
  ThreadPool pool(2);
  const int64_t rows = 3, K = 40;
  std::vector<char> scratch(recurrentLifScratchBytes(K, pool.size()));
  std::mt19937 rng(13);
  std::vector<float> x = randomFloats(T * rows * K, rng);
  std::vector<float> weightT = randomFloats(K * K, rng), bias(K);
  for (float &w : weightT)
    w = std::round((w - 0.5f) * 16.0f) / 8.0f; // dyadic, either sign
  for (int64_t k = 0; k < K; ++k)
    bias[k] = 0.125f * static_cast<float>(k % 3);
  const float leak[] = {0.25f}, gain[] = {1.0f}, vLeak[] = {0.0f},
              threshold[] = {1.0f}, vReset[] = {0.0f}, vInit[] = {0.0f},
              synLeak[] = {0.5f}, synGain[] = {1.0f};
  // Every parameter shared by all neurons.
  auto params = [&](LIFParams::Reset reset, bool ge, bool delay) {
    LIFParams p{};
    p.leak = leak, p.gain = gain, p.vLeak = vLeak, p.threshold = threshold;
    p.vReset = vReset, p.vInit = vInit;
    p.leakN = p.gainN = p.vLeakN = p.thresholdN = p.vResetN = p.vInitN = 1;
    p.reset = reset, p.fireGreaterEqual = ge, p.resetDelay = delay;
    return p;
  };
  for (bool synapse : {false, true}) {
    LIFParams p = params(LIFParams::Reset::Hard, true, false);
    if (synapse) {
      p.synLeak = synLeak;
      p.synLeakN = p.synGainN = 1;
      p.synGain = synGain;
    }
    std::vector<uint64_t> spikes(rows * K);
    recurrentLif(x.data(), true, weightT.data(), bias.data(), spikes.data(),
                 rows, K, T, p, scratch.data(), pool);
    int64_t fired = 0, fedBack = 0;
    for (int64_t r = 0; r < rows; ++r) {
      std::vector<float> v(K, 0.0f), cur(K, 0.0f);
      std::vector<bool> prev(K, false), now(K);
      for (int t = 0; t < T; ++t) {
        for (int64_t k = 0; k < K; ++k) {
          float rec = bias[k];
          for (int64_t j = 0; j < K; ++j)
            if (prev[j])
              rec += weightT[j * K + k];
          float in = x[(t * rows + r) * K + k] + rec;
          if (synapse) {
            float j = cur[k] + synLeak[0] * (0.0f - cur[k]);
            in = cur[k] = j + synGain[0] * in;
          }
          float h = v[k] + leak[0] * (vLeak[0] - v[k]);
          h = h + gain[0] * in;
          now[k] = h >= threshold[0];
          v[k] = now[k] ? vReset[0] : h;
          fired += now[k];
          fedBack += now[k] && t + 1 < T;
          ASSERT_EQ(((spikes[r * K + k] >> t) & 1) != 0, now[k])
              << "row " << r << " neuron " << k << " step " << t;
        }
        prev = now;
      }
    }
    EXPECT_GT(fedBack, 0);
    EXPECT_LT(fired, rows * K * T);
  }
  // No recurrent input: the plain kernel, channel = feature.
  std::vector<float> zero(K * K, 0.0f);
  for (auto reset :
       {LIFParams::Reset::Hard, LIFParams::Reset::Soft, LIFParams::Reset::None})
    for (bool delay : {false, true}) {
      LIFParams p = params(reset, true, delay);
      std::vector<uint64_t> recurrent(rows * K), plain(rows * K);
      recurrentLif(x.data(), true, zero.data(), nullptr, recurrent.data(), rows,
                   K, T, p, scratch.data(), pool);
      lif(x.data(), true, plain.data(), rows, K, 1, T, p, pool);
      EXPECT_EQ(recurrent, plain);
    }
}

TEST(LIF, FollowsTheCanonicalEquations) {
  ThreadPool pool(2);
  // Runs of a channel span chunks and start inside them; 40 steps use the
  // spike words' upper halves.
  const int64_t channels = 3, inner = 300;
  const int64_t n = channels * inner;
  const float leak[] = {0.5f, 0.25f, 0.0f}, gain[] = {0.5f},
              vLeak[] = {0.0f}, threshold[] = {1.0f, 0.5f, 0.75f},
              vReset[] = {0.0f}, vInit[] = {0.1f};
  for (int steps : {T, 40})
    for (auto reset : {LIFParams::Reset::Hard, LIFParams::Reset::Soft,
                       LIFParams::Reset::None})
      for (bool delay : {false, true})
        for (bool ge : {true, false}) {
          std::vector<float> x = neuronInputs(n, 11, steps);
          LIFParams p{leak, gain, vLeak, threshold, vReset, vInit, 3,    1,
                      1,    3,    1,     1,         reset,  ge,    delay};
          std::vector<uint64_t> spikes(n);
          lif(x.data(), true, spikes.data(), 1, channels, inner, steps, p,
              pool);
          for (int64_t i = 0; i < n; ++i) {
            int64_t c = i / inner;
            float v = vInit[0];
            bool prev = false;
            for (int t = 0; t < steps; ++t) {
              float u = (delay && reset == LIFParams::Reset::Hard && prev)
                            ? vReset[0]
                            : v;
              float h = u + leak[c] * (vLeak[0] - u);
              h = h + gain[0] * x[t * n + i];
              if (delay && reset == LIFParams::Reset::Soft && prev)
                h = h - threshold[c];
              bool s = ge ? h >= threshold[c] : h > threshold[c];
              if (delay || reset == LIFParams::Reset::None)
                v = h;
              else if (reset == LIFParams::Reset::Hard)
                v = s ? vReset[0] : h;
              else
                v = s ? h - threshold[c] : h;
              ASSERT_EQ(((spikes[i] >> t) & 1) != 0, s)
                  << "neuron " << i << " step " << t << " of " << steps;
              prev = s;
            }
            if (steps == T)
              ASSERT_EQ(spikes[i] >> T, 0u) << "neuron " << i;
          }
        }
}

TEST(Pad, FillsTheNewElementsAndKeepsTheRest) {
  // Two copies (a float tensor's T) of [2][3], padded by [1, 0] before and
  // [0, 2] after: [3][5] each, copies unpadded.
  PadGeometry g;
  g.rank = 3;
  int64_t xShape[] = {2, 2, 3}, yShape[] = {2, 3, 5}, begin[] = {0, 1, 0};
  for (int d = 0; d < 3; ++d) {
    g.xShape[d] = xShape[d];
    g.yShape[d] = yShape[d];
    g.begin[d] = begin[d];
  }
  g.elements = 30;
  std::vector<float> x = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, y(30);
  float fill = -0.5f;
  pad(x.data(), y.data(), g, sizeof(float), &fill);
  const float f = fill;
  std::vector<float> expected = {f, f, f, f, f, 1,  2,  3,  f, f,
                                 4, 5, 6, f, f, f,  f,  f,  f, f,
                                 7, 8, 9, f, f, 10, 11, 12, f, f};
  EXPECT_EQ(y, expected);

  // Packed spike words (8 bytes), padded with silent neurons.
  PadGeometry words;
  words.rank = 1;
  words.xShape[0] = 2;
  words.yShape[0] = 5;
  words.begin[0] = 2;
  words.elements = 5;
  std::vector<uint64_t> spikes = {0x5, 0xF0}, padded(5, ~0ull);
  uint64_t silent = 0;
  pad(spikes.data(), padded.data(), words, sizeof(uint64_t), &silent);
  EXPECT_EQ(padded, (std::vector<uint64_t>{0, 0, 0x5, 0xF0, 0}));
}

TEST(Sigmoid, IsTheLogisticFunctionInFloat) {
  std::vector<float> x = {-100.0f, -3.0f, -0.5f, 0.0f, 0.25f, 4.0f, 100.0f},
                     y(x.size());
  sigmoid(x.data(), y.data(), static_cast<int64_t>(x.size()));
  for (size_t i = 0; i < x.size(); ++i) {
    double expected = 1.0 / (1.0 + std::exp(-static_cast<double>(x[i])));
    // float rounding of exp, the sum and the quotient: a few ulp, or one
    // step of the subnormals (sigmoid(-100) is 3.7e-44).
    EXPECT_NEAR(y[i], expected,
                4 * 1.2e-7 * expected +
                    std::numeric_limits<float>::denorm_min())
        << "x = " << x[i];
  }
}

TEST(Pad, ReflectAndEdgeModesAndSlicesReadTheDocumentedElements) {
  // One row [1 2 3 4], padded by 3 before and 2 after: numpy's reflect
  // (ONNX reflect) and edge.
  auto row = [](sparseflow::format::PadMode mode, int64_t before, int64_t size,
                int64_t step) {
    PadGeometry g;
    g.rank = 1;
    g.mode = mode;
    g.xShape[0] = 4;
    g.yShape[0] = size;
    g.begin[0] = before;
    g.step[0] = step;
    g.elements = size;
    std::vector<float> x = {1, 2, 3, 4}, y(size);
    float fill = -1.0f;
    pad(x.data(), y.data(), g, sizeof(float), &fill);
    return y;
  };
  using Mode = sparseflow::format::PadMode;
  EXPECT_EQ(row(Mode::Reflect, 3, 9, 1),
            (std::vector<float>{4, 3, 2, 1, 2, 3, 4, 3, 2}));
  EXPECT_EQ(row(Mode::Edge, 3, 9, 1),
            (std::vector<float>{1, 1, 1, 1, 2, 3, 4, 4, 4}));
  EXPECT_EQ(row(Mode::Constant, 3, 9, 1),
            (std::vector<float>{-1, -1, -1, 1, 2, 3, 4, -1, -1}));
  // Slices: input index o * step - begin, i.e. start = -begin.
  EXPECT_EQ(row(Mode::Constant, -1, 2, 2), (std::vector<float>{2, 4}));
  EXPECT_EQ(row(Mode::Constant, -3, 4, -1), (std::vector<float>{4, 3, 2, 1}));
}

TEST(Pointwise, TanhLeakyReluAndClipFollowTheirDefinitions) {
  std::vector<float> x = {-100.0f, -3.0f, -0.5f, -0.0f, 0.0f, 0.25f, 4.0f,
                          100.0f},
                     y(x.size());
  using Fn = sparseflow::format::PointwiseFunction;
  const float inf = std::numeric_limits<float>::infinity();
  pointwise({Fn::Tanh, 0.0f, -inf, inf}, x.data(), y.data(), x.size());
  for (size_t i = 0; i < x.size(); ++i)
    EXPECT_NEAR(y[i], std::tanh(static_cast<double>(x[i])),
                2 * 1.2e-7 * std::fabs(std::tanh(x[i])))
        << "tanh " << x[i];
  pointwise({Fn::LeakyRelu, 0.125f, -inf, inf}, x.data(), y.data(), x.size());
  for (size_t i = 0; i < x.size(); ++i)
    EXPECT_EQ(y[i], x[i] >= 0.0f ? x[i] : 0.125f * x[i]) << "leaky " << x[i];
  pointwise({Fn::Clip, 0.0f, -0.5f, 4.0f}, x.data(), y.data(), x.size());
  EXPECT_EQ(y, (std::vector<float>{-0.5f, -0.5f, -0.5f, -0.0f, 0.0f, 0.25f,
                                   4.0f, 4.0f}));
  // An absent bound is an infinity: no clamp on that side.
  pointwise({Fn::Clip, 0.0f, -inf, 0.25f}, x.data(), y.data(), x.size());
  EXPECT_EQ(y.front(), -100.0f);
  EXPECT_EQ(y.back(), 0.25f);
}

TEST(Softmax, RowsSumToOneAndLogIsShiftedExactly) {
  ThreadPool pool(2);
  // 3 rows of 5, one far from 0 (exp would overflow without the shift).
  std::vector<float> x = {0.0f,    1.0f,    2.0f,    3.0f,    4.0f,
                          -1.5f,   0.25f,   0.25f,   -7.0f,   2.0f,
                          10000.f, 10001.f, 10002.f, 10003.f, 10004.f};
  std::vector<float> y(x.size()), logY(x.size());
  softmax(x.data(), y.data(), 3, 5, false, pool);
  softmax(x.data(), logY.data(), 3, 5, true, pool);
  for (int r = 0; r < 3; ++r) {
    double m = *std::max_element(x.begin() + r * 5, x.begin() + r * 5 + 5);
    double sum = 0.0;
    for (int i = 0; i < 5; ++i)
      sum += std::exp(x[r * 5 + i] - m);
    for (int i = 0; i < 5; ++i) {
      double expected = std::exp(x[r * 5 + i] - m) / sum;
      EXPECT_NEAR(y[r * 5 + i], expected, 8 * 1.2e-7 * expected)
          << "row " << r << " element " << i;
      double logExpected = (x[r * 5 + i] - m) - std::log(sum);
      EXPECT_NEAR(logY[r * 5 + i], logExpected,
                  8 * 1.2e-7 * std::fabs(logExpected) + 1e-7)
          << "log, row " << r << " element " << i;
    }
  }
  // Rows 0 and 2 differ by a shift of 10000: the same probabilities.
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(y[i], y[10 + i]);
}

TEST(ConvTranspose, EqualsScatteringEachInputThroughTheKernel) {
  // The gather the kernel computes against the scatter that defines a
  // transposed convolution: groups 2, stride 2, dilation 2, pads and an
  // output_padding of 1.
  Window2d g{};
  g.batch = 2, g.channels = 4, g.height = 3, g.width = 4;
  g.outChannels = 6, g.kernelH = 3, g.kernelW = 2;
  g.strideH = 2, g.strideW = 1, g.dilationH = 2, g.dilationW = 1;
  g.padTop = 1, g.padLeft = 0, g.padBottom = 2, g.padRight = 1;
  g.groups = 2;
  g.outHeight = (3 - 1) * 2 - 3 + 2 * (3 - 1) + 1 + 1; // output_padding 1
  g.outWidth = (4 - 1) * 1 - 1 + 1 * (2 - 1) + 1;
  std::mt19937 rng(21);
  std::vector<float> x = randomFloats(2 * 4 * 3 * 4, rng),
                     w = randomFloats(4 * 3 * 3 * 2, rng),
                     bias = randomFloats(6, rng);
  const int64_t outSize = 2 * 6 * g.outHeight * g.outWidth;
  std::vector<float> y(outSize), expected(outSize);
  ThreadPool pool(2);
  convTranspose2d(x.data(), w.data(), bias.data(), y.data(), g, pool);
  std::vector<double> sums(outSize, 0.0);
  for (int64_t b = 0; b < 2; ++b)
    for (int64_t c = 0; c < 4; ++c)
      for (int64_t ih = 0; ih < 3; ++ih)
        for (int64_t iw = 0; iw < 4; ++iw)
          for (int64_t oc = 0; oc < 3; ++oc) // O / groups
            for (int64_t kh = 0; kh < 3; ++kh)
              for (int64_t kw = 0; kw < 2; ++kw) {
                int64_t oh = ih * 2 - 1 + kh * 2, ow = iw - 0 + kw;
                if (oh < 0 || oh >= g.outHeight || ow < 0 || ow >= g.outWidth)
                  continue;
                int64_t o = (c / 2) * 3 + oc;
                sums[((b * 6 + o) * g.outHeight + oh) * g.outWidth + ow] +=
                    double(x[((b * 4 + c) * 3 + ih) * 4 + iw]) *
                    w[((c * 3 + oc) * 3 + kh) * 2 + kw];
              }
  for (int64_t i = 0; i < outSize; ++i) {
    int64_t o = i / (g.outHeight * g.outWidth) % 6;
    EXPECT_NEAR(y[i], sums[i] + bias[o], 1e-5) << "output " << i;
  }
}

TEST(SpikeAnd, MultipliesSpikeTrainsStepByStepWithBroadcasting) {
  // [2][3][4] times [1][3][1]: element (n, c, i) fires at t where both
  // a[n][c][i] and b[c] fire.
  std::mt19937 rng(5);
  std::vector<uint64_t> a = randomSpikes(24, 0.5, false, rng, 9),
                        b = randomSpikes(3, 0.5, false, rng, 9), y(24);
  const int64_t aShape[] = {2, 3, 4}, bShape[] = {1, 3, 1};
  spikeAnd(a.data(), aShape, b.data(), bShape, y.data(), aShape, 3);
  for (int64_t i = 0; i < 24; ++i)
    for (int t = 0; t < 9; ++t)
      EXPECT_EQ((y[i] >> t) & 1, ((a[i] >> t) & 1) * ((b[i / 4 % 3] >> t) & 1))
          << "element " << i << " step " << t;
}

TEST(MatMul, SpikeOperandsGiveTheDenseProductOfTheUnpackedSpikes) {
  // Q·Kᵀ (spikes x spikes) and Q·M (spikes x floats), each packed operand
  // against matMul of its unpacked [T][...] floats: sums of 0/1 terms and
  // selected floats in the same order, so equal bit for bit. K spans one
  // word, a whole word and more; B broadcast over the batch or not; the
  // float operand per step or shared.
  std::mt19937 rng(21);
  ThreadPool pool(2);
  // N = 19: a whole tile of 16 bit columns and a partial one.
  const int64_t batches = 3, M = 5, N = 19;
  for (int T : {1, 4, 9})
    for (int64_t K : {5, 64, 70})
      for (double density : {0.0, 0.3, 1.0})
        for (int packed : {3, 1}) // bit 0: a packed, bit 1: b packed
          for (int64_t bBatches : {int64_t{1}, batches}) {
            bool aPacked = packed & 1, bPacked = packed & 2;
            // A float operand is per step, except a broadcast B's.
            int64_t bLead = bPacked || bBatches == 1 ? 1 : T;
            SCOPED_TRACE(::testing::Message()
                         << "T " << T << " K " << K << " density " << density
                         << " packed " << packed << " bBatches " << bBatches);
            const int64_t aSize = batches * M * K, bSize = bBatches * K * N;
            std::vector<uint64_t> aSpikes =
                randomSpikes(aSize, density, false, rng, T);
            std::vector<uint64_t> bSpikes =
                randomSpikes(bSize, density, false, rng, T);
            std::vector<float> aFloats = randomFloats(T * aSize, rng);
            std::vector<float> bFloats =
                randomFloats((bPacked ? T : bLead) * bSize, rng);
            if (aPacked)
              unpackSpikes(aSpikes.data(), aFloats.data(), aSize, T);
            if (bPacked)
              unpackSpikes(bSpikes.data(), bFloats.data(), bSize, T);
            std::vector<float> expected(T * batches * M * N),
                got(expected.size(), -1.0f);
            matMul(aFloats.data(), bFloats.data(), expected.data(),
                   spikeProduct(T, bPacked ? T : bLead, T, batches, bBatches, M,
                                K, N),
                   pool);

            MatMulGeometry g = spikeProduct(aPacked ? 1 : T, bLead, T, batches,
                                            bBatches, M, K, N);
            MatMulOperand a{aPacked ? static_cast<const void *>(aSpikes.data())
                                    : aFloats.data(),
                            aPacked, batches};
            MatMulOperand b{bPacked ? static_cast<const void *>(bSpikes.data())
                                    : bFloats.data(),
                            bPacked, bBatches};
            std::vector<uint64_t> scratch(
                matMulSparseScratchBytes(g, a, b, T) / 8 + 1);
            matMulSparse(a, b, got.data(), g, T, scratch.data(), pool);
            ASSERT_EQ(got, expected);
          }
}

TEST(MatMul, BatchedProductsBroadcastTheBatch) {
  // a [2][2][3] (two batches) x b [1][3][2] (broadcast): each batch times the
  // same b, checked against the sums written out.
  MatMulGeometry g;
  g.batchRank = 1;
  g.batchShape[0] = 2;
  g.aStride[0] = 1;
  g.bStride[0] = 0;
  g.batches = 2;
  g.m = 2, g.k = 3, g.n = 2;
  std::vector<float> a = {1, 2, 3, 4, 5, 6, -1, 0, 1, 0.5f, 0.25f, 2},
                     b = {1, 0, 0, 1, 1, 1}, y(8);
  ThreadPool pool(2);
  matMul(a.data(), b.data(), y.data(), g, pool);
  std::vector<float> expected(8);
  for (int batch = 0; batch < 2; ++batch)
    for (int i = 0; i < 2; ++i)
      for (int j = 0; j < 2; ++j)
        for (int k = 0; k < 3; ++k)
          expected[(batch * 2 + i) * 2 + j] +=
              a[(batch * 2 + i) * 3 + k] * b[k * 2 + j];
  EXPECT_EQ(y, expected);
  EXPECT_EQ(y, (std::vector<float>{4, 5, 10, 11, 0, 1, 2.5f, 2.25f}));
}

TEST(LayerNorm, NormalizesEachRowAndAppliesScaleAndBias) {
  ThreadPool pool(2);
  std::mt19937 rng(22);
  const int64_t rows = 5, n = 7;
  std::vector<float> x = randomFloats(rows * n, rng),
                     scale = randomFloats(n, rng), bias = randomFloats(n, rng),
                     y(rows * n), plain(rows * n);
  for (int64_t i = 0; i < n; ++i)
    x[3 * n + i] = 1000.0f + x[3 * n + i]; // far from 0: the mean matters
  layerNorm(x.data(), y.data(), rows, n, scale.data(), bias.data(), 1e-5f,
            pool);
  layerNorm(x.data(), plain.data(), rows, n, scale.data(), nullptr, 1e-5f,
            pool);
  for (int64_t r = 0; r < rows; ++r) {
    double mean = 0.0, var = 0.0;
    for (int64_t i = 0; i < n; ++i)
      mean += x[r * n + i];
    mean /= n;
    for (int64_t i = 0; i < n; ++i)
      var += (x[r * n + i] - mean) * (x[r * n + i] - mean);
    var /= n;
    for (int64_t i = 0; i < n; ++i) {
      double norm = (x[r * n + i] - mean) / std::sqrt(var + 1e-5);
      EXPECT_NEAR(y[r * n + i], norm * scale[i] + bias[i], 2e-4)
          << "row " << r << " element " << i;
      EXPECT_EQ(plain[r * n + i] + bias[i], y[r * n + i]);
    }
  }
}

TEST(Binary, SubAndDivBroadcastLikeNumPy) {
  // [2][3] - [3] and [2][1] / [2][3].
  const int64_t a[] = {2, 3}, row[] = {1, 3}, column[] = {2, 1};
  std::vector<float> x = {1, 2, 3, 4, 5, 6}, r = {0.5f, 1, 2}, c = {2, 4},
                     y(6);
  binary(BinaryKind::Sub, x.data(), a, r.data(), row, y.data(), a, 2);
  EXPECT_EQ(y, (std::vector<float>{0.5f, 1, 1, 3.5f, 4, 4}));
  binary(BinaryKind::Div, c.data(), column, x.data(), a, y.data(), a, 2);
  EXPECT_EQ(y, (std::vector<float>{2.0f / 1, 2.0f / 2, 2.0f / 3, 4.0f / 4,
                                   4.0f / 5, 4.0f / 6}));
}

TEST(SpikePacking, RoundTripsAndRejectsNonBinary) {
  std::vector<float> x = {1, 0, 0, 1, 1, 1, 0, 0};
  std::vector<uint64_t> bits(2);
  EXPECT_EQ(packSpikes(x.data(), bits.data(), 2, 4), -1);
  EXPECT_EQ(bits[0], 0b0101u);
  EXPECT_EQ(bits[1], 0b0110u);
  std::vector<float> back(8);
  unpackSpikes(bits.data(), back.data(), 2, 4);
  EXPECT_EQ(back, x);
  x[5] = 0.5f;
  EXPECT_EQ(packSpikes(x.data(), bits.data(), 2, 4), 5);
}

TEST(RateEncoding, IsBernoulliWithTheInputAsProbability) {
  const int64_t n = 20000;
  std::vector<float> x(n, 0.25f);
  std::vector<uint64_t> bits(n);
  rateEncode(x.data(), bits.data(), n, T, 123);
  double fired = 0;
  for (uint64_t b : bits)
    fired += __builtin_popcountll(b);
  EXPECT_NEAR(fired / (n * T), 0.25, 0.01);
  // The documented generator: SplitMix64's first output for seed 0 is
  // 0xE220A8397B1DCDAF; its top 24 bits / 2^24.
  EXPECT_FLOAT_EQ(rateUniform(0, 0), float(0xE220A8u) / 16777216.0f);
}

} // namespace
