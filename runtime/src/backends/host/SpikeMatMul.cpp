//===- SpikeMatMul.cpp - products of activations with spike operands ------===//
//
// Part of SparseFlow.
//
// A batched MatMul whose left operand is packed spikes (one word per
// element, bit t: step t), and its right one packed spikes too or floats
// ([T copies] when temporal). The outermost batch dimension of the geometry
// is the step.
//
//  - Spikes x spikes (Kᵀ·V, Q·Kᵀ of spiking attention): phase 1 regroups
//    the bits along the contracted dimension, per step, into bit rows of A
//    and bit columns of B; phase 2 gives each output the population count
//    of the AND of its row and column, 64 products per instruction.
//  - Spikes x floats: each output row adds the rows of B its row of A
//    selects at the step, in ascending k.
//
// The float sums add the same terms in the same order as matMul does on
// the unpacked operands, skipping the products with 0, which cannot change
// a sum that starts at +0: the outputs are equal bit for bit for finite
// floats, and counts are exact integers.
//
//===----------------------------------------------------------------------===//

#include "backends/host/HostKernels.h"
#include "backends/host/VectorDispatch.h"
#include "sparseflow/format/artifact_format.h"

#include <algorithm>
#include <cstring>

using namespace sparseflow::runtime;
using namespace sparseflow::runtime::host;

namespace {

int64_t wordsFor(int64_t bits) { return (bits + 63) / 64; }

/// Regroups `matrices` packed R x C matrices (element (r, c) of matrix i at
/// x[i * R * C + r * rowStride + c * columnStride]) into bit rows: bit c of
/// rows[((t * matrices + i) * R + r) * W + c / 64], W = wordsFor(C), is the
/// element's spike at step t. Items are rows; for each step, a row's 64
/// bits are gathered branch free (an OR reduction the compiler vectorizes)
/// and stored once.
struct BitRows {
  const uint64_t *x;
  int64_t matrices, R, C, rowStride, columnStride;
  int T;
  uint64_t *rows;

  int64_t items() const { return matrices * R; }

  template <int V> SF_ALWAYS_INLINE void run(int64_t r0, int64_t r1) const {
    const int64_t W = wordsFor(C), stepStride = matrices * R * W;
    for (int64_t ir = r0; ir < r1; ++ir) {
      const uint64_t *row = x + ir / R * R * C + ir % R * rowStride;
      uint64_t *out = rows + ir * W;
      for (int64_t w = 0; w < W; ++w) {
        const int64_t c0 = w * 64, n = std::min<int64_t>(C - c0, 64);
        for (int t = 0; t < T; ++t) {
          uint64_t word = 0;
          for (int64_t c = 0; c < n; ++c)
            word |= ((row[(c0 + c) * columnStride] >> t) & 1) << c;
          out[t * stepStride + w] = word;
        }
      }
    }
  }
};

/// BitRows where the rows are contiguous (rowStride 1: the bit columns of
/// a row-major B). Items are tiles of kTile rows: walking c, the tile's
/// elements are adjacent words, so the bits of all its rows gather at once
/// (vector ORs of kTile lanes) instead of one strided load per bit.
struct BitColumns {
  static constexpr int64_t kTile = 16;
  const uint64_t *x;
  int64_t matrices, R, C, columnStride;
  int T;
  uint64_t *rows;

  int64_t tiles() const { return (R + kTile - 1) / kTile; }
  int64_t items() const { return matrices * tiles(); }

  template <int V> SF_ALWAYS_INLINE void run(int64_t i0, int64_t i1) const {
    const int64_t W = wordsFor(C), stepStride = matrices * R * W;
    uint64_t acc[SF_MAX_TIMESTEPS][kTile];
    for (int64_t item = i0; item < i1; ++item) {
      const int64_t matrix = item / tiles(), r0 = item % tiles() * kTile;
      const int64_t n = std::min(kTile, R - r0);
      const uint64_t *tile = x + matrix * R * C + r0;
      for (int64_t w = 0; w < W; ++w) {
        for (int t = 0; t < T; ++t)
          std::fill(acc[t], acc[t] + kTile, 0);
        for (int64_t c = w * 64; c < std::min(C, w * 64 + 64); ++c) {
          const uint64_t *e = tile + c * columnStride;
          for (int t = 0; t < T; ++t)
            for (int64_t j = 0; j < n; ++j)
              acc[t][j] |= ((e[j] >> t) & 1) << (c % 64);
        }
        for (int t = 0; t < T; ++t)
          for (int64_t j = 0; j < n; ++j)
            rows[t * stepStride + (matrix * R + r0 + j) * W + w] = acc[t][j];
      }
    }
  }
};

void bitRows(const uint64_t *x, int64_t matrices, int64_t R, int64_t C,
             int64_t rowStride, int64_t columnStride, int T, uint64_t *rows,
             ThreadPool &pool) {
  const int64_t work = matrices * R * C * T;
  if (rowStride == 1 && columnStride != 1)
    runItems(BitColumns{x, matrices, R, C, columnStride, T, rows}, work,
             bestVectorIsa(), pool);
  else
    runItems(BitRows{x, matrices, R, C, rowStride, columnStride, T, rows}, work,
             bestVectorIsa(), pool);
}

/// Spikes x spikes, from the bit rows of A and the bit columns of B: each
/// output is the population count of the AND of its row and column. Items
/// are output rows. (The AVX2 and AVX-512 variants have the popcnt
/// instruction; the x86-64 baseline counts with bit operations.)
struct Coincidences {
  const uint64_t *aRows, *bColumns;
  int64_t aMatrices, bMatrices;
  float *y;
  const MatMulGeometry &g;
  int64_t perStep;

  int64_t items() const { return g.batches * g.m; }

  template <int V> SF_ALWAYS_INLINE void run(int64_t r0, int64_t r1) const {
    const int64_t M = g.m, N = g.n, W = wordsFor(g.k);
    for (int64_t r = r0; r < r1; ++r) {
      int64_t batch = r / M, t = batch / perStep, am, bm;
      matMulOperands(g, batch, am, bm);
      const uint64_t *row = aRows + ((t * aMatrices + am) * M + r % M) * W;
      const uint64_t *column = bColumns + (t * bMatrices + bm) * N * W;
      float *out = y + r * N;
      for (int64_t n = 0; n < N; ++n, column += W) {
        int64_t total = 0;
        for (int64_t w = 0; w < W; ++w)
          total += __builtin_popcountll(row[w] & column[w]);
        out[n] = static_cast<float>(total);
      }
    }
  }
};

/// Spikes x floats: output row r adds the rows of B that row r of A
/// selects at its step, in ascending k.
struct SelectedRows {
  const MatMulOperand &a;
  const float *b;
  float *y;
  const MatMulGeometry &g;
  int64_t perStep;

  int64_t items() const { return g.batches * g.m; }

  template <int V> SF_ALWAYS_INLINE void run(int64_t r0, int64_t r1) const {
    const int64_t M = g.m, K = g.k, N = g.n;
    for (int64_t r = r0; r < r1; ++r) {
      int64_t batch = r / M, t = batch / perStep, am, bm;
      matMulOperands(g, batch, am, bm);
      const uint64_t *row = a.spikes() + (am * M + r % M) * K;
      const float *bk = b + bm * K * N;
      float *out = y + r * N;
      std::fill(out, out + N, 0.0f);
      // The row's spikes at t, 64 k at a time, gathered branch free; then
      // one add of a row of B per spike.
      for (int64_t k0 = 0; k0 < K; k0 += 64) {
        uint64_t fired = 0;
        for (int64_t k = k0; k < std::min(K, k0 + 64); ++k)
          fired |= ((row[k] >> t) & 1) << (k - k0);
        for (; fired; fired &= fired - 1) {
          const float *bRow = bk + (k0 + __builtin_ctzll(fired)) * N;
          for (int64_t n = 0; n < N; ++n)
            out[n] += bRow[n];
        }
      }
    }
  }
};

} // namespace

size_t host::matMulSparseScratchBytes(const MatMulGeometry &g,
                                      const MatMulOperand &a,
                                      const MatMulOperand &b, int timesteps) {
  if (!a.packed || !b.packed)
    return 0;
  return timesteps * (a.matrices * g.m + b.matrices * g.n) * wordsFor(g.k) *
         sizeof(uint64_t);
}

void host::matMulSparse(const MatMulOperand &a, const MatMulOperand &b,
                        float *y, const MatMulGeometry &g, int timesteps,
                        void *scratch, ThreadPool &pool) {
  const int64_t M = g.m, K = g.k, N = g.n;
  // Output batches per step: the step is the outermost batch dimension.
  const int64_t perStep = g.batches / timesteps;
  // Each job is compiled for the widest vectors the processor has.
  if (a.packed && b.packed) {
    const int64_t W = wordsFor(K);
    uint64_t *aRows = static_cast<uint64_t *>(scratch);
    uint64_t *bColumns = aRows + timesteps * a.matrices * M * W;
    bitRows(a.spikes(), a.matrices, M, K, K, 1, timesteps, aRows, pool);
    bitRows(b.spikes(), b.matrices, N, K, 1, N, timesteps, bColumns, pool);
    runItems(
        Coincidences{aRows, bColumns, a.matrices, b.matrices, y, g, perStep},
        g.batches * M * N * W, bestVectorIsa(), pool);
    return;
  }

  runItems(SelectedRows{a, b.floats(), y, g, perStep}, g.batches * M * (K + N),
           bestVectorIsa(), pool);
}
