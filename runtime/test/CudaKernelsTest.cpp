//===- CudaKernelsTest.cpp - the CUDA kernels against the host's ----------===//
//
// Part of SparseFlow.
//
// Every CUDA kernel body runs on random inputs, on two grids: emulated (the
// bodies called serially on the CPU for every thread index: this always
// runs, GPU or not) and the GPU (runtimes built with CUDA, skipped with the
// reason where no device can run). Results must equal the host kernels'
// exactly: both add in the same order without contraction, and spikes are
// 0/1, so there is no tolerance. The sparse kernels are compared with the
// host's dense kernels on the unpacked spikes, at several densities,
// clustered or not, with and without zero-block flags, and for T from 1 to
// 64 (one, two and four passes of 16 steps).
//
//===----------------------------------------------------------------------===//

#include "backends/cuda/KernelBodies.h"
#include "backends/host/HostKernels.h"

#include "KernelTestSupport.h"

#ifdef SF_TEST_CUDA_DEVICE
#include "backends/cuda/CudaBackend.h"
#include "backends/cuda/CudaKernels.h"
#endif

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <memory>
#include <random>
#include <vector>

using namespace sparseflow::runtime;
using namespace sparseflow::runtime::cuda;
using sparseflow::runtime::test::arrangeForScatter;
using sparseflow::runtime::test::randomFloats;
using sparseflow::runtime::test::randomSpikes;
using sparseflow::runtime::test::spikeProduct;

namespace {

/// The bodies run serially on the CPU, thread index by thread index.
class EmulatedGrid {
public:
  static std::string unavailable() { return ""; }

  template <typename T>
  T *upload(const std::vector<T> &values) {
    T *p = zeros<T>(values.size());
    std::memcpy(p, values.data(), values.size() * sizeof(T));
    return p;
  }
  template <typename T>
  T *zeros(size_t n) {
    buffers.emplace_back(new uint64_t[(n * sizeof(T) + 7) / 8 + 1]());
    return reinterpret_cast<T *>(buffers.back().get());
  }
  template <typename T>
  std::vector<T> download(const T *p, size_t n) {
    return std::vector<T>(p, p + n);
  }
  template <typename Args>
  void run(const Args &args) {
    dispatch(args, [](const auto &launch) {
      for (int64_t i = 0; i < threads(launch); ++i)
        runThread(launch, i);
      return 0;
    });
  }

private:
  std::vector<std::unique_ptr<uint64_t[]>> buffers;
};

#ifdef SF_TEST_CUDA_DEVICE
/// The kernels on the GPU.
class DeviceGrid {
public:
  static std::string unavailable() { return cuda::unavailableReason(); }
  ~DeviceGrid() {
    for (void *p : buffers)
      cudaFree(p);
  }

  template <typename T>
  T *upload(const std::vector<T> &values) {
    T *p = zeros<T>(values.size());
    EXPECT_EQ(cudaMemcpy(p, values.data(), values.size() * sizeof(T),
                         cudaMemcpyHostToDevice),
              cudaSuccess);
    return p;
  }
  template <typename T>
  T *zeros(size_t n) {
    void *p = nullptr;
    EXPECT_EQ(cudaMalloc(&p, n * sizeof(T) + 8), cudaSuccess);
    EXPECT_EQ(cudaMemset(p, 0, n * sizeof(T) + 8), cudaSuccess);
    buffers.push_back(p);
    return static_cast<T *>(p);
  }
  template <typename T>
  std::vector<T> download(const T *p, size_t n) {
    std::vector<T> values(n);
    EXPECT_EQ(cudaMemcpy(values.data(), p, n * sizeof(T),
                         cudaMemcpyDeviceToHost),
              cudaSuccess);
    return values;
  }
  template <typename Args>
  void run(const Args &args) {
    ASSERT_EQ(launch(args, nullptr), cudaSuccess);
    ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  }

private:
  std::vector<void *> buffers;
};
#endif

template <typename Grid>
class CudaKernels : public ::testing::Test {
protected:
  void SetUp() override {
    if (std::string reason = Grid::unavailable(); !reason.empty())
      GTEST_SKIP() << "GPU check not run: " << reason;
  }
  Grid grid;
  ThreadPool pool{2};
};

#ifdef SF_TEST_CUDA_DEVICE
using Grids = ::testing::Types<EmulatedGrid, DeviceGrid>;
#else
using Grids = ::testing::Types<EmulatedGrid>;
#endif

class GridNames {
public:
  template <typename Grid>
  static std::string GetName(int) {
    return std::is_same_v<Grid, EmulatedGrid> ? "Emulated" : "Device";
  }
};
TYPED_TEST_SUITE(CudaKernels, Grids, GridNames);

/// Flags of `spikes` computed on the host: a block is active when one of
/// its neurons fires.
std::vector<uint8_t> referenceFlags(const std::vector<uint64_t> &spikes,
                                    const BlockGrid &grid) {
  std::vector<uint8_t> flags(grid.count(), 0);
  for (size_t i = 0; i < spikes.size(); ++i)
    if (spikes[i])
      flags[grid.flagOf(static_cast<int64_t>(i))] = 1;
  return flags;
}

struct SparseConvCase {
  int64_t c, h, w, o, k, stride, pad, block;
  double density;
  bool clustered;
  int64_t dilation = 1;
};

TYPED_TEST(CudaKernels, SparseConvEqualsHostDenseOnUnpackedSpikes) {
  std::mt19937 rng(42);
  const int64_t N = 2;
  for (SparseConvCase p : {SparseConvCase{4, 16, 16, 8, 3, 1, 1, 0, 0.1, false},
                           {4, 16, 16, 8, 3, 1, 1, 4, 0.1, true},
                           {3, 17, 13, 5, 3, 2, 1, 8, 0.3, false},
                           {8, 9, 9, 6, 1, 2, 0, 2, 0.02, false},
                           {8, 7, 7, 32, 1, 1, 0, 16, 0.5, false},
                           {2, 12, 12, 3, 3, 1, 1, 4, 0.0, false},
                           // Dilated 3x3 (unrolled taps), and kernels walked
                           // tap by tap: 5x5 with flags, 2x2 at stride 2.
                           {4, 12, 12, 8, 3, 1, 2, 4, 0.2, false, 2},
                           {3, 11, 10, 6, 5, 1, 2, 4, 0.2, true},
                           {2, 9, 9, 4, 2, 2, 0, 0, 0.3, false}})
    for (int T : {1, 4, 7, 13, 40, 64})
      for (int64_t pixelRun : {1, 3, 32}) {
        SCOPED_TRACE(::testing::Message()
                     << p.c << "x" << p.h << "x" << p.w << " -> " << p.o << " k"
                     << p.k << " s" << p.stride << " d" << p.dilation
                     << " block " << p.block << " density " << p.density
                     << " T " << T << " pixel run " << pixelRun);
        Window2d g = squareWindow(N, p.c, p.h, p.w, p.o, p.k, p.stride, p.pad,
                                  p.dilation);
        std::vector<uint64_t> spikes =
            randomSpikes(N * p.c * p.h * p.w, p.density, p.clustered, rng, T);
        std::vector<float> weight = randomFloats(p.o * p.c * p.k * p.k, rng);
        std::vector<float> bias = randomFloats(p.o, rng);
        size_t outSize = T * N * p.o * g.outHeight * g.outWidth;
        std::vector<float> unpacked(T * spikes.size()), expected(outSize);
        host::unpackSpikes(spikes.data(), unpacked.data(), spikes.size(), T);
        Window2d all = g;
        all.batch = T * N;
        host::conv2dDense(unpacked.data(), weight.data(), bias.data(),
                          expected.data(), all, this->pool);

        auto &grid = this->grid;
        ConvSparseArgs a{grid.upload(spikes),
                         grid.upload(arrangeForScatter(weight, p.o)),
                         grid.upload(bias),
                         grid.template zeros<float>(outSize),
                         g,
                         T,
                         nullptr,
                         {},
                         pixelRun};
        if (p.block) {
          a.grid = convBlocks(N, p.c, p.h, p.w, p.block);
          uint8_t *flags = grid.template zeros<uint8_t>(a.grid.count());
          grid.run(PrescanArgs{a.x, static_cast<int64_t>(spikes.size()), flags,
                               a.grid});
          EXPECT_EQ(grid.download(flags, a.grid.count()),
                    referenceFlags(spikes, a.grid));
          a.flags = flags;
        }
        grid.run(a);
        ASSERT_EQ(grid.download(a.y, outSize), expected);
      }
}

TYPED_TEST(CudaKernels, SparseLinearEqualsHostDenseOnUnpackedSpikes) {
  std::mt19937 rng(7);
  for (double density : {0.0, 0.02, 0.3, 1.0})
    for (int64_t block : {0, 4, 16})
      for (int T : {1, 4, 9, 64}) {
        SCOPED_TRACE(::testing::Message() << "density " << density
                                          << " block " << block << " T " << T);
        const int64_t rows = 3, K = 100, O = 37;
        std::vector<uint64_t> spikes =
            randomSpikes(rows * K, density, block == 16, rng, T);
        std::vector<float> weightT = randomFloats(K * O, rng);
        std::vector<float> bias = randomFloats(O, rng);
        std::vector<float> expected(T * rows * O), unpacked(T * rows * K);
        host::unpackSpikes(spikes.data(), unpacked.data(), rows * K, T);
        host::linearDense(unpacked.data(), weightT.data(), bias.data(),
                          expected.data(), T * rows, K, O, this->pool);

        auto &grid = this->grid;
        LinearSparseArgs a{grid.upload(spikes), grid.upload(weightT),
                           grid.upload(bias), grid.template zeros<float>(
                                                  expected.size()),
                           rows, K, O, T, nullptr, {}};
        if (block) {
          a.grid = linearBlocks(rows, K, block);
          uint8_t *flags = grid.template zeros<uint8_t>(a.grid.count());
          grid.run(PrescanArgs{a.x, rows * K, flags, a.grid});
          a.flags = flags;
        }
        grid.run(a);
        ASSERT_EQ(grid.download(a.y, expected.size()), expected);
      }
}

TYPED_TEST(CudaKernels, DenseConvEqualsHost) {
  std::mt19937 rng(5);
  // Regular, strided and dilated, grouped, depthwise, no bias.
  struct Case {
    int64_t c, o, k, stride, pad, dilation, groups;
    bool bias;
  };
  for (Case p : {Case{3, 5, 3, 1, 1, 1, 1, true}, {4, 6, 3, 2, 0, 2, 2, true},
                 {8, 8, 3, 1, 1, 1, 8, true}, {6, 4, 1, 2, 0, 1, 1, false}}) {
    Window2d g = squareWindow(3, p.c, 11, 9, p.o, p.k, p.stride, p.pad,
                              p.dilation, p.groups);
    std::vector<float> x = randomFloats(3 * p.c * 11 * 9, rng);
    std::vector<float> w =
        randomFloats(p.o * (p.c / p.groups) * p.k * p.k, rng);
    std::vector<float> bias = randomFloats(p.o, rng);
    size_t outSize = 3 * p.o * g.outHeight * g.outWidth;
    std::vector<float> expected(outSize);
    host::conv2dDense(x.data(), w.data(), p.bias ? bias.data() : nullptr,
                      expected.data(), g, this->pool);
    auto &grid = this->grid;
    ConvDenseArgs a{grid.upload(x), grid.upload(w),
                    p.bias ? grid.upload(bias) : nullptr,
                    grid.template zeros<float>(outSize), g};
    grid.run(a);
    ASSERT_EQ(grid.download(a.y, outSize), expected)
        << "groups " << p.groups << " stride " << p.stride;
  }
}

TYPED_TEST(CudaKernels, DenseLinearEqualsHost) {
  std::mt19937 rng(9);
  const int64_t rows = 5, K = 70, O = 33;
  std::vector<float> x = randomFloats(rows * K, rng),
                     wT = randomFloats(K * O, rng), b = randomFloats(O, rng),
                     expected(rows * O);
  host::linearDense(x.data(), wT.data(), b.data(), expected.data(), rows, K, O,
                    this->pool);
  auto &grid = this->grid;
  LinearDenseArgs a{grid.upload(x), grid.upload(wT), grid.upload(b),
                    grid.template zeros<float>(expected.size()), rows, K, O};
  grid.run(a);
  EXPECT_EQ(grid.download(a.y, expected.size()), expected);
}

TYPED_TEST(CudaKernels, SpikeMatMulEqualsHost) {
  // Spikes x spikes and spikes x floats (a float operand per step), K over
  // a word, B broadcast over the batch.
  std::mt19937 rng(23);
  const int T = 4;
  const int64_t batches = 2, M = 3, K = 70, N = 5;
  for (int packed : {3, 1}) {
    SCOPED_TRACE(::testing::Message() << "packed " << packed);
    bool aPacked = packed & 1, bPacked = packed & 2;
    std::vector<uint64_t> aSpikes =
                              randomSpikes(batches * M * K, 0.3, false, rng, T),
                          bSpikes = randomSpikes(K * N, 0.3, false, rng, T);
    std::vector<float> aFloats = randomFloats(T * batches * M * K, rng),
                       bFloats = randomFloats(T * K * N, rng),
                       expected(T * batches * M * N);
    MatMulGeometry g =
        spikeProduct(aPacked ? 1 : T, bPacked ? 1 : T, T, batches, 1, M, K, N);
    auto operand = [](const auto &spikes, const auto &floats, bool isPacked,
                      int64_t matrices) {
      return MatMulOperand{isPacked ? static_cast<const void *>(spikes.data())
                                    : floats.data(),
                           isPacked, matrices};
    };
    MatMulOperand a = operand(aSpikes, aFloats, aPacked, batches),
                  b = operand(bSpikes, bFloats, bPacked, 1);
    std::vector<uint64_t> scratch(host::matMulSparseScratchBytes(g, a, b, T) /
                                  8);
    host::matMulSparse(a, b, expected.data(), g, T, scratch.data(), this->pool);
    auto &grid = this->grid;
    a.data = aPacked ? static_cast<const void *>(grid.upload(aSpikes))
                     : grid.upload(aFloats);
    b.data = bPacked ? static_cast<const void *>(grid.upload(bSpikes))
                     : grid.upload(bFloats);
    MatMulSparseArgs args{g, a, b, grid.template zeros<float>(expected.size()),
                          T};
    grid.run(args);
    EXPECT_EQ(grid.download(args.y, expected.size()), expected);
  }
}

TYPED_TEST(CudaKernels, LIFEqualsHostAndWritesTheBlockFlags) {
  std::mt19937 rng(11);
  const int64_t N = 2, C = 3, H = 10, W = 7, n = N * C * H * W;
  const float leak[] = {0.5f, 0.25f, 0.0f}, gain[] = {0.5f}, vLeak[] = {0.0f},
              threshold[] = {1.0f, 0.5f, 0.75f}, vReset[] = {0.0f},
              vInit[] = {0.1f};
  auto &grid = this->grid;
  const std::vector<float> leakV(leak, leak + 3), thresholdV(threshold,
                                                             threshold + 3);
  const float *dLeak = grid.upload(leakV), *dGain = grid.upload(
                                               std::vector<float>{gain[0]}),
              *dVLeak = grid.upload(std::vector<float>{vLeak[0]}),
              *dThreshold = grid.upload(thresholdV),
              *dVReset = grid.upload(std::vector<float>{vReset[0]}),
              *dVInit = grid.upload(std::vector<float>{vInit[0]});
  for (int T : {3, 64})
    for (bool temporal : {true, false}) {
      std::vector<float> x = randomFloats((temporal ? T : 1) * n, rng);
      for (float &v : x)
        v *= 3.0f;
      const float *dx = grid.upload(x);
      for (auto reset : {LIFParams::Reset::Hard, LIFParams::Reset::Soft,
                         LIFParams::Reset::None})
        for (bool delay : {false, true})
          for (bool ge : {true, false}) {
            SCOPED_TRACE(::testing::Message()
                         << "T " << T << " temporal " << temporal << " reset "
                         << static_cast<int>(reset) << " delay " << delay
                         << " ge " << ge);
            LIFParams hostParams{leak, gain, vLeak, threshold, vReset, vInit,
                                 3,    1,    1,     3,         1,      1,
                                 reset, ge, delay};
            std::vector<uint64_t> expected(n);
            host::lif(x.data(), temporal, expected.data(), N, C, H * W, T,
                      hostParams, this->pool);
            LIFParams deviceParams = hostParams;
            deviceParams.leak = dLeak;
            deviceParams.gain = dGain;
            deviceParams.vLeak = dVLeak;
            deviceParams.threshold = dThreshold;
            deviceParams.vReset = dVReset;
            deviceParams.vInit = dVInit;
            BlockGrid blocks = convBlocks(N, C, H, W, 4);
            LIFArgs a{dx,       temporal,
                      grid.template zeros<uint64_t>(n),
                      n,        C,
                      H * W,    T,
                      deviceParams,
                      grid.template zeros<uint8_t>(blocks.count()),
                      blocks};
            grid.run(a);
            ASSERT_EQ(grid.download(a.spikes, n), expected);
            ASSERT_EQ(grid.download(a.flags, blocks.count()),
                      referenceFlags(expected, blocks));
          }
    }
}

// The CubaLIF body (the LIF one with a synapse) and the LI/CubaLI body.
TYPED_TEST(CudaKernels, CurrentBasedNeuronsEqualHost) {
  std::mt19937 rng(12);
  const int64_t N = 2, C = 3, inner = 40, n = N * C * inner;
  const std::vector<float> leak{0.5f, 0.25f, 0.1f}, gain{0.75f}, vLeak{0.125f},
      threshold{0.5f}, vReset{-0.25f}, vInit{0.0f}, synLeak{0.25f, 1.0f, 0.5f},
      synGain{1.5f};
  auto &grid = this->grid;
  for (int T : {3, 64})
    for (bool temporal : {true, false})
      for (bool synapse : {true, false}) {
        SCOPED_TRACE(::testing::Message()
                     << "T " << T << " temporal " << temporal << " synapse "
                     << synapse);
        std::vector<float> x = randomFloats((temporal ? T : 1) * n, rng);
        for (float &v : x)
          v *= 3.0f;
        LIFParams hostParams{leak.data(),
                             gain.data(),
                             vLeak.data(),
                             threshold.data(),
                             vReset.data(),
                             vInit.data(),
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
          hostParams.synLeak = synLeak.data();
          hostParams.synLeakN = 3;
          hostParams.synGain = synGain.data();
          hostParams.synGainN = 1;
        }
        std::vector<uint64_t> spikes(n);
        host::lif(x.data(), temporal, spikes.data(), N, C, inner, T, hostParams,
                  this->pool);
        LIFParams liParams = hostParams;
        liParams.threshold = nullptr;
        liParams.vReset = nullptr;
        liParams.reset = LIFParams::Reset::None;
        std::vector<float> membrane(T * n);
        host::li(x.data(), temporal, membrane.data(), N, C, inner, T, liParams,
                 this->pool);

        LIFParams d = hostParams;
        d.leak = grid.upload(leak);
        d.gain = grid.upload(gain);
        d.vLeak = grid.upload(vLeak);
        d.threshold = grid.upload(threshold);
        d.vReset = grid.upload(vReset);
        d.vInit = grid.upload(vInit);
        if (synapse) {
          d.synLeak = grid.upload(synLeak);
          d.synGain = grid.upload(synGain);
        }
        const float *dx = grid.upload(x);
        LIFArgs a{dx, temporal, grid.template zeros<uint64_t>(n),
                  n,  C,        inner,
                  T,  d,        nullptr,
                  {}};
        grid.run(a);
        ASSERT_EQ(grid.download(a.spikes, n), spikes);
        LIFParams dli = d;
        dli.threshold = nullptr;
        dli.vReset = nullptr;
        dli.reset = LIFParams::Reset::None;
        LIArgs b{dx, temporal, grid.template zeros<float>(T * n), n, C, inner,
                 T,  dli};
        grid.run(b);
        ASSERT_EQ(grid.download(b.y, T * n), membrane);
      }
}

/// Element by element within `ulps` units in the last place of the
/// expected value: a device's expf/tanhf may differ from the host's there.
void expectUlpsNear(const std::vector<float> &got,
                    const std::vector<float> &expected, int ulps,
                    const char *what) {
  ASSERT_EQ(got.size(), expected.size()) << what;
  for (size_t i = 0; i < got.size(); ++i)
    EXPECT_NEAR(got[i], expected[i], ulps * 1.2e-7 * std::fabs(expected[i]))
        << what << " element " << i;
}

TYPED_TEST(CudaKernels, ElementwiseKernelsEqualHost) {
  std::mt19937 rng(13);
  auto &grid = this->grid;
  // BatchNorm over [4][3][10].
  {
    std::vector<float> x = randomFloats(120, rng), scale = randomFloats(3, rng),
                       bias = randomFloats(3, rng), mean = randomFloats(3, rng),
                       var = randomFloats(3, rng), expected(120);
    for (float &v : var)
      v = std::fabs(v) + 0.1f;
    host::batchNorm(x.data(), scale.data(), bias.data(), mean.data(),
                    var.data(), 1e-5f, expected.data(), 4, 3, 10);
    BatchNormArgs a{grid.upload(x),    grid.upload(scale), grid.upload(bias),
                    grid.upload(mean), grid.upload(var),   1e-5f,
                    grid.template zeros<float>(120), 120, 3, 10};
    grid.run(a);
    EXPECT_EQ(grid.download(a.y, 120), expected) << "batch norm";
  }
  // Add, Mul, Sub and Div of [2][3][4] with [1][3][1].
  for (BinaryKind kind : {BinaryKind::Add, BinaryKind::Mul, BinaryKind::Sub,
                          BinaryKind::Div}) {
    const int64_t aShape[] = {2, 3, 4}, bShape[] = {1, 3, 1};
    std::vector<float> x = randomFloats(24, rng), y = randomFloats(3, rng),
                       expected(24);
    host::binary(kind, x.data(), aShape, y.data(), bShape, expected.data(),
                 aShape, 3);
    BinaryArgs<float> a{
        kind, grid.upload(x), grid.upload(y), grid.template zeros<float>(24),
        3,    {2, 3, 4},      {12, 4, 1},     {0, 1, 0},
        24};
    grid.run(a);
    EXPECT_EQ(grid.download(a.y, 24), expected)
        << "binary kind " << static_cast<int>(kind);
  }
  // The product of two spike trains, [2][3][4] with [1][3][1]: their AND.
  {
    const int64_t aShape[] = {2, 3, 4}, bShape[] = {1, 3, 1};
    std::vector<uint64_t> x = randomSpikes(24, 0.5, false, rng),
                          y = randomSpikes(3, 0.5, false, rng), expected(24);
    host::spikeAnd(x.data(), aShape, y.data(), bShape, expected.data(), aShape,
                   3);
    BinaryArgs<uint64_t> a{BinaryKind::Mul,
                           grid.upload(x),
                           grid.upload(y),
                           grid.template zeros<uint64_t>(24),
                           3,
                           {2, 3, 4},
                           {12, 4, 1},
                           {0, 1, 0},
                           24};
    grid.run(a);
    EXPECT_EQ(grid.download(a.y, 24), expected) << "spike product";
  }
  // The Pointwise functions and Softmax (rows of 7), as the host computes
  // them (the same per-element code; a device's expf/tanhf may differ from
  // the host's in the last place, as Sigmoid's).
  for (auto function : {sparseflow::format::PointwiseFunction::Tanh,
                        sparseflow::format::PointwiseFunction::LeakyRelu,
                        sparseflow::format::PointwiseFunction::Clip,
                        sparseflow::format::PointwiseFunction::Sqrt}) {
    std::vector<float> x = randomFloats(50, rng), expected(50);
    if (function == sparseflow::format::PointwiseFunction::Sqrt)
      for (float &v : x) // of [0, 1): NaN would compare unequal
        v = std::fabs(v);
    PointwiseParams params{function, 0.1f, -0.25f, 0.5f};
    host::pointwise(params, x.data(), expected.data(), 50);
    PointwiseArgs a{params, grid.upload(x), grid.template zeros<float>(50), 50};
    grid.run(a);
    expectUlpsNear(grid.download(a.y, 50), expected, 4, "pointwise");
  }
  // A transposed convolution (stride 2, groups 2, a pad), as the host.
  {
    Window2d g{};
    g.batch = 1, g.channels = 2, g.height = 3, g.width = 3;
    g.outChannels = 4, g.kernelH = 3, g.kernelW = 3;
    g.strideH = g.strideW = 2, g.dilationH = g.dilationW = 1;
    g.padTop = g.padLeft = g.padBottom = g.padRight = 1;
    g.groups = 2, g.outHeight = g.outWidth = 5;
    ThreadPool pool(1);
    std::vector<float> x = randomFloats(18, rng), w = randomFloats(36, rng),
                       expected(100);
    host::convTranspose2d(x.data(), w.data(), nullptr, expected.data(), g,
                          pool);
    ConvTransposeArgs args{grid.upload(x), grid.upload(w), nullptr,
                           grid.template zeros<float>(100), g};
    grid.run(args);
    EXPECT_EQ(grid.download(args.y, 100), expected) << "conv transpose";
  }
  // A batched product: [3][4][5] x [1][5][6] (b broadcast), as the host.
  {
    MatMulGeometry g;
    g.batchRank = 1;
    g.batchShape[0] = 3;
    g.aStride[0] = 1;
    g.batches = 3;
    g.m = 4, g.k = 5, g.n = 6;
    ThreadPool pool(1);
    std::vector<float> a = randomFloats(60, rng), b = randomFloats(30, rng),
                       expected(72);
    host::matMul(a.data(), b.data(), expected.data(), g, pool);
    MatMulArgs args{g, grid.upload(a), grid.upload(b),
                    grid.template zeros<float>(72)};
    grid.run(args);
    EXPECT_EQ(grid.download(args.y, 72), expected) << "matmul";
  }
  // Layer normalization of 5 rows of 7, as the host.
  {
    ThreadPool pool(1);
    std::vector<float> x = randomFloats(35, rng), scale = randomFloats(7, rng),
                       bias = randomFloats(7, rng), expected(35);
    host::layerNorm(x.data(), expected.data(), 5, 7, scale.data(), bias.data(),
                    1e-5f, pool);
    LayerNormArgs args{grid.upload(x),
                       grid.upload(scale),
                       grid.upload(bias),
                       grid.template zeros<float>(35),
                       5,
                       7,
                       1e-5f};
    grid.run(args);
    expectUlpsNear(grid.download(args.y, 35), expected, 16, "layer norm");
  }
  for (bool log : {false, true}) {
    ThreadPool pool(1);
    std::vector<float> x = randomFloats(35, rng), expected(35);
    host::softmax(x.data(), expected.data(), 5, 7, log, pool);
    SoftmaxArgs a{grid.upload(x), grid.template zeros<float>(35), 5, 7, log};
    grid.run(a);
    expectUlpsNear(grid.download(a.y, 35), expected, 16,
                   log ? "log softmax" : "softmax");
  }
  // Relu and unpacking.
  {
    std::vector<float> x = randomFloats(50, rng), expected(50);
    host::relu(x.data(), expected.data(), 50);
    ReluArgs a{grid.upload(x), grid.template zeros<float>(50), 50};
    grid.run(a);
    EXPECT_EQ(grid.download(a.y, 50), expected) << "relu";
  }
  // Sigmoid: CUDA's expf and the host's may differ in the last place.
  {
    std::vector<float> x = randomFloats(50, rng), expected(50);
    host::sigmoid(x.data(), expected.data(), 50);
    SigmoidArgs a{grid.upload(x), grid.template zeros<float>(50), 50};
    grid.run(a);
    expectUlpsNear(grid.download(a.y, 50), expected, 4, "sigmoid");
  }
  // Pad of [2][3][4] floats by [0, 1, 2] before and [1, 0, 1] after, and of
  // packed words.
  {
    PadGeometry g;
    g.rank = 3;
    const int64_t xShape[] = {2, 3, 4}, yShape[] = {3, 4, 7},
                  begin[] = {0, 1, 2};
    for (int d = 0; d < 3; ++d) {
      g.xShape[d] = xShape[d];
      g.yShape[d] = yShape[d];
      g.begin[d] = begin[d];
    }
    g.elements = 84;
    std::vector<float> x = randomFloats(24, rng), expected(84);
    float fill = 0.75f;
    host::pad(x.data(), expected.data(), g, sizeof(float), &fill);
    uint32_t bits;
    std::memcpy(&bits, &fill, sizeof bits);
    std::vector<uint32_t> xBits(24);
    std::memcpy(xBits.data(), x.data(), 24 * sizeof(float));
    PadArgs<uint32_t> a{grid.upload(xBits), grid.template zeros<uint32_t>(84),
                        g, bits};
    grid.run(a);
    std::vector<uint32_t> got = grid.download(a.y, 84);
    std::vector<float> gotFloats(84);
    std::memcpy(gotFloats.data(), got.data(), 84 * sizeof(float));
    EXPECT_EQ(gotFloats, expected) << "pad";

    std::vector<uint64_t> words(24), wordsExpected(84);
    for (uint64_t &w : words)
      w = rng();
    uint64_t silent = 0;
    host::pad(words.data(), wordsExpected.data(), g, sizeof(uint64_t), &silent);
    PadArgs<uint64_t> p{grid.upload(words), grid.template zeros<uint64_t>(84),
                        g, 0};
    grid.run(p);
    EXPECT_EQ(grid.download(p.y, 84), wordsExpected) << "pad of spikes";
  }
  for (int T : {1, 5, 64}) {
    std::vector<uint64_t> spikes = randomSpikes(40, 0.3, false, rng, T);
    std::vector<float> expected(T * 40);
    host::unpackSpikes(spikes.data(), expected.data(), 40, T);
    UnpackArgs a{grid.upload(spikes), grid.template zeros<float>(T * 40), 40,
                 T};
    grid.run(a);
    EXPECT_EQ(grid.download(a.y, T * 40), expected) << "unpack T " << T;
  }
}

TYPED_TEST(CudaKernels, PoolingKernelsEqualHost) {
  std::mt19937 rng(17);
  ThreadPool pool(2);
  auto &grid = this->grid;
  for (auto [k, stride, pad] : {std::tuple{3, 2, 1}, {2, 2, 0}, {3, 1, 1}}) {
    SCOPED_TRACE(::testing::Message()
                 << "k " << k << " stride " << stride << " pad " << pad);
    Window2d g = squareWindow(2, 3, 9, 8, 3, k, stride, pad);
    const size_t in = 2 * 3 * 9 * 8, out = 2 * 3 * g.outHeight * g.outWidth;
    std::vector<float> x = randomFloats(in, rng), expected(out);
    host::maxPool2d(x.data(), expected.data(), g, pool);
    MaxPoolArgs<float> mp{grid.upload(x), grid.template zeros<float>(out), g,
                          -INFINITY};
    grid.run(mp);
    EXPECT_EQ(grid.download(mp.y, out), expected) << "max pool";

    std::vector<uint64_t> spikes = randomSpikes(in, 0.1, false, rng),
                          expectedPacked(out);
    host::maxPool2dPacked(spikes.data(), expectedPacked.data(), g, pool);
    MaxPoolArgs<uint64_t> pp{grid.upload(spikes),
                             grid.template zeros<uint64_t>(out), g, 0};
    grid.run(pp);
    EXPECT_EQ(grid.download(pp.y, out), expectedPacked) << "packed max pool";

    for (bool includePad : {true, false}) {
      host::avgPool2d(x.data(), expected.data(), g, includePad, pool);
      AvgPoolArgs ap{grid.upload(x), grid.template zeros<float>(out), g,
                     includePad};
      grid.run(ap);
      EXPECT_EQ(grid.download(ap.y, out), expected)
          << "avg pool, count_include_pad " << includePad;
    }
  }
  std::vector<float> x = randomFloats(6 * 49, rng), expected(6);
  host::globalAvgPool(x.data(), expected.data(), 6, 49);
  GlobalAvgPoolArgs a{grid.upload(x), grid.template zeros<float>(6), 6, 49};
  grid.run(a);
  EXPECT_EQ(grid.download(a.y, 6), expected) << "global average pool";
}

TYPED_TEST(CudaKernels, TransposeEqualsHost) {
  std::mt19937 rng(19);
  auto &grid = this->grid;
  const int64_t shape[] = {2, 3, 4, 5}, permutation[] = {0, 2, 3, 1};
  std::vector<uint64_t> x = randomSpikes(120, 0.5, false, rng, 64),
                        expected(120);
  host::transpose(x.data(), expected.data(), shape, permutation, 4, 8);
  TransposeArgs<uint64_t> a{grid.upload(x), grid.template zeros<uint64_t>(120),
                            4, {2, 4, 5, 3}, {60, 5, 1, 20}, 120};
  grid.run(a);
  EXPECT_EQ(grid.download(a.y, 120), expected);
}

} // namespace
