//===- KernelTestSupport.h - inputs for the kernel tests --------*- C++ -*-===//
//
// Part of SparseFlow.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEFLOW_TEST_RUNTIME_KERNELTESTSUPPORT_H
#define SPARSEFLOW_TEST_RUNTIME_KERNELTESTSUPPORT_H

#include "backends/common/Pointwise.h"
#include "backends/common/Window2d.h"

#include <cstdint>
#include <random>
#include <vector>

namespace sparseflow::runtime::test {

/// Packed spike trains of `timesteps` steps, each step firing with
/// probability `density`. Clustered: two runs of 16 neurons in three are
/// silent.
inline std::vector<uint64_t> randomSpikes(size_t n, double density,
                                          bool clustered, std::mt19937 &rng,
                                          int timesteps = 4) {
  std::vector<uint64_t> bits(n, 0);
  std::bernoulli_distribution fire(density);
  for (size_t i = 0; i < n; ++i) {
    if (clustered && (i / 16) % 3 != 0)
      continue;
    for (int t = 0; t < timesteps; ++t)
      if (fire(rng))
        bits[i] |= uint64_t{1} << t;
  }
  return bits;
}

/// Uniform in [-1, 1).
inline std::vector<float> randomFloats(size_t n, std::mt19937 &rng) {
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> values(n);
  for (float &v : values)
    v = dist(rng);
  return values;
}

/// A conv weight [O][C/g][KH][KW] of g `groups` arranged [C][KH][KW][O/g],
/// as the compiler does for the binary-input kernels: input channel
/// c = group * C/g + ci holds its group's outputs.
inline std::vector<float> arrangeForScatter(const std::vector<float> &weight,
                                            int64_t outChannels,
                                            int64_t groups = 1) {
  const int64_t fanIn = static_cast<int64_t>(weight.size()) / outChannels;
  const int64_t perGroup = outChannels / groups;
  std::vector<float> arranged(weight.size());
  for (int64_t o = 0; o < outChannels; ++o)
    for (int64_t i = 0; i < fanIn; ++i) // i = ci * KH * KW + tap
      arranged[(o / perGroup * fanIn + i) * perGroup + o % perGroup] =
          weight[o * fanIn + i];
  return arranged;
}

/// The geometry of a product of [aLead][batches][M][K] by
/// [bLead][bBatches][K][N] giving [T][batches][M][N], as the runtime's
/// matMulOf: a lead of 1 (packed spikes, or a float operand equal at every
/// step) and a bBatches of 1 broadcast.
inline MatMulGeometry spikeProduct(int64_t aLead, int64_t bLead, int T,
                                   int64_t batches, int64_t bBatches, int64_t M,
                                   int64_t K, int64_t N) {
  MatMulGeometry g;
  g.batchRank = 2;
  g.batchShape[0] = T;
  g.batchShape[1] = batches;
  g.aStride[1] = 1;
  g.aStride[0] = aLead == 1 ? 0 : batches;
  g.bStride[1] = bBatches == 1 ? 0 : 1;
  g.bStride[0] = bLead == 1 ? 0 : bBatches;
  g.batches = T * batches;
  g.m = M, g.k = K, g.n = N;
  return g;
}

} // namespace sparseflow::runtime::test

#endif // SPARSEFLOW_TEST_RUNTIME_KERNELTESTSUPPORT_H
