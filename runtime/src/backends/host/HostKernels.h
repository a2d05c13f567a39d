//===- HostKernels.h - the host backend's microkernels ----------*- C++ -*-===//
//
// Part of SparseFlow.
//
// Plain functions over raw buffers, called by the executor with shapes the
// loader has validated. Activations are row-major float32, or packed spikes:
// one uint64 per neuron whose bit t is the spike at step t. A leading
// "lead" dimension of T (temporal) or 1 (the same at every step) precedes a
// float tensor's own shape. docs/runtime.md describes the kernels.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEFLOW_RUNTIME_BACKENDS_HOST_HOSTKERNELS_H
#define SPARSEFLOW_RUNTIME_BACKENDS_HOST_HOSTKERNELS_H

#include "backends/common/Neuron.h"
#include "backends/common/Pointwise.h"
#include "backends/common/Window2d.h"
#include "core/ThreadPool.h"

#include <cstddef>
#include <cstdint>

namespace sparseflow::runtime::host {

using runtime::averageWindow;
using runtime::forEachTap;
using runtime::LIFParams;
using runtime::Window2d;

/// The OR of the packed words in rows [y0, y1) and columns [x0, x1) of a
/// row-major plane `width` words wide: nonzero when any of those neurons
/// fires at any step. The sparse kernels skip a block when it is 0; the
/// profile counts active blocks with it.
inline uint64_t orTile(const uint64_t *plane, int64_t width, int64_t y0,
                       int64_t y1, int64_t x0, int64_t x1) {
  uint64_t any = 0;
  for (int64_t y = y0; y < y1; ++y)
    for (int64_t x = x0; x < x1; ++x)
      any |= plane[y * width + x];
  return any;
}

// --- Dense reference kernels ------------------------------------------------

/// y[b][o] = bias[o] + Σ w[o][c][kh][kw] · x[b][c][..]; weight OIHW.
void conv2dDense(const float *x, const float *weight, const float *bias,
                 float *y, const Window2d &g, ThreadPool &pool);

/// y[r][o] = bias[o] + Σ_k x[r][k] · wT[k][o], for `rows` rows.
void linearDense(const float *x, const float *weightT, const float *bias,
                 float *y, int64_t rows, int64_t inFeatures,
                 int64_t outFeatures, ThreadPool &pool);

/// Per channel (dimension 1 of [outer, C, inner]).
void batchNorm(const float *x, const float *scale, const float *bias,
               const float *mean, const float *variance, float epsilon,
               float *y, int64_t outer, int64_t channels, int64_t inner);

/// NumPy broadcasting over `rank` dimensions; a and b are given with shapes
/// already padded to `rank` (size-1 dimensions broadcast).
void binary(BinaryKind kind, const float *a, const int64_t *aShape,
            const float *b, const int64_t *bShape, float *y,
            const int64_t *yShape, int rank);

/// The product of two spike trains, broadcast as `binary`: the AND of the
/// packed words (a neuron fires at t where both do).
void spikeAnd(const uint64_t *a, const int64_t *aShape, const uint64_t *b,
              const int64_t *bShape, uint64_t *y, const int64_t *yShape,
              int rank);

/// A transposed convolution (ONNX ConvTranspose) of `g`'s shapes: weight
/// [C][O/groups][KH][KW], bias [O] or null.
void convTranspose2d(const float *x, const float *weight, const float *bias,
                     float *y, const Window2d &g, ThreadPool &pool);

/// The batched matrix product `g` describes.
void matMul(const float *a, const float *b, float *y, const MatMulGeometry &g,
            ThreadPool &pool);

/// Scratch bytes matMulSparse needs: the per-step bit rows of two packed
/// operands (none for spikes x floats).
size_t matMulSparseScratchBytes(const MatMulGeometry &g, const MatMulOperand &a,
                                const MatMulOperand &b, int timesteps);

/// The product `g` describes with a packed left operand `a`, the right one
/// packed or floats; the outermost batch dimension of `g` is the step
/// (output float [T][...][M][N]). Spikes x spikes counts coincidences with
/// AND and population count over 64 products per word; spikes x floats
/// adds the rows of B the spikes select. Equal to matMul of the unpacked
/// operands, bit for bit, for finite floats.
void matMulSparse(const MatMulOperand &a, const MatMulOperand &b, float *y,
                  const MatMulGeometry &g, int timesteps, void *scratch,
                  ThreadPool &pool);

void relu(const float *x, float *y, int64_t n);
void sigmoid(const float *x, float *y, int64_t n);
void pointwise(const PointwiseParams &params, const float *x, float *y,
               int64_t n);
/// Layer normalization of each of `rows` rows of `n` values.
void layerNorm(const float *x, float *y, int64_t rows, int64_t n,
               const float *scale, const float *bias, float epsilon,
               ThreadPool &pool);
/// Softmax (or its log) of each of `rows` rows of `n` values.
void softmax(const float *x, float *y, int64_t rows, int64_t n, bool log,
             ThreadPool &pool);
/// Constant padding of elements of `elementSize` bytes (4: float, 8: packed
/// spikes), new elements set to the `elementSize` bytes at `fill`.
void pad(const void *x, void *y, const PadGeometry &g, size_t elementSize,
         const void *fill);

/// Pooling; the threads split the planes.
void maxPool2d(const float *x, float *y, const Window2d &g, ThreadPool &pool);
/// Max-pooling of spikes: the OR of the window's packed words, so a step's
/// output fires when any input of the window fires at that step.
void maxPool2dPacked(const uint64_t *x, uint64_t *y, const Window2d &g,
                     ThreadPool &pool);
void avgPool2d(const float *x, float *y, const Window2d &g,
               bool countIncludePad, ThreadPool &pool);
/// Mean over `inner` for each of `outer` rows.
void globalAvgPool(const float *x, float *y, int64_t outer, int64_t inner);

/// Generic over the element size (4: float, 8: packed spikes).
void transpose(const void *x, void *y, const int64_t *xShape,
               const int64_t *permutation, int rank, int elementSize);
/// `rows` outer rows; input i contributes `chunks[i]` elements per row and
/// repeats every `rowsIn[i]` rows (a broadcast lead dimension).
void concat(const void *const *inputs, const int64_t *chunks,
            const int64_t *rowsIn, int count, void *y, int64_t rows,
            int elementSize);

// --- Neurons and spike packing ------------------------------------------------

/// Runs `neurons` = outer * channels * inner neurons over `timesteps` steps.
/// `x` is [T][neurons] when `temporal`, else [neurons] at every step.
/// Writes each neuron's spikes packed into `spikes[neuron]`. With a synapse
/// in `params` (CubaLIF) the input first drives the synaptic current.
void lif(const float *x, bool temporal, uint64_t *spikes, int64_t outer,
         int64_t channels, int64_t inner, int timesteps,
         const LIFParams &params, ThreadPool &pool);

/// Recurrent neurons: `rows` rows of `features` neurons (channel = feature)
/// whose input at step t is `x[t] + R[t]`, R[t][k] = bias[k] (0 without a
/// bias) plus `weightT[j][k]` for each j that fired at t-1, added in
/// ascending j; the rest as `lif`. `weightT` is [features][features] (the
/// recurrent weight transposed: a fired neuron's row is contiguous).
/// `scratch` holds recurrentLifScratchBytes(features, pool.size()) bytes.
void recurrentLif(const float *x, bool temporal, const float *weightT,
                  const float *bias, uint64_t *spikes, int64_t rows,
                  int64_t features, int timesteps, const LIFParams &params,
                  void *scratch, ThreadPool &pool);
/// Scratch bytes recurrentLif needs on `threads` threads: each thread's
/// state for a row of `features` neurons.
size_t recurrentLifScratchBytes(int64_t features, unsigned threads);

/// Leaky integrators (LI, with a synapse CubaLI), laid out as `lif`: writes
/// each step's membranes to `y` [T][neurons].
void li(const float *x, bool temporal, float *y, int64_t outer,
        int64_t channels, int64_t inner, int timesteps, const LIFParams &params,
        ThreadPool &pool);

/// Packed spikes [n] to float 0/1 [T][n].
void unpackSpikes(const uint64_t *spikes, float *y, int64_t n, int timesteps);

/// Float [T][n] holding 0 or 1 to packed [n]; returns the index of the
/// first element that is neither, or -1.
int64_t packSpikes(const float *x, uint64_t *spikes, int64_t n,
                   int timesteps);

/// Bernoulli rate encoding (docs/semantics.md): bit t of neuron i is set
/// when u(seed, t * n + i) < x[i], with u uniform in [0, 1).
void rateEncode(const float *x, uint64_t *spikes, int64_t n, int timesteps,
                uint64_t seed);
/// The uniform number of the rate encoder for counter `k`.
float rateUniform(uint64_t seed, uint64_t k);

// --- Binary-input sparse kernels ----------------------------------------------

/// The vector instruction sets the sparse kernels are compiled for; they run
/// with bestVectorIsa() unless told otherwise (tests run each supported one).
enum class VectorIsa { Baseline, Avx2, Avx512 };
VectorIsa bestVectorIsa();
bool supportsVectorIsa(VectorIsa isa);

/// Scratch bytes a sparse kernel run on a pool of `threads` threads needs
/// for the spike lists of `positions` input positions (pixels of one image,
/// or rows) of `channels` channels, and each thread's work space.
size_t sparseScratchBytes(int64_t positions, int64_t channels, int timesteps,
                          unsigned threads);
/// Scratch bytes the sparse conv `g` (and its fused form) needs on
/// `threads` threads: the lists of the images it sums together, and each
/// thread's work space.
size_t sparseConvScratchBytes(const Window2d &g, int timesteps,
                              unsigned threads);
/// A bound on the weight-row offsets (in floats) the sparse conv `g` lists
/// as 32-bit words: the weight's elements and an input row's columns of
/// rows. Session creation refuses a layer whose bound exceeds 2^32 - 1.
uint64_t sparseConvOffsetBound(const Window2d &g);

/// Conv2d over packed spikes [N][C][H][W] with weight arranged [C][KH][KW][O]
/// (groups = 1). Output float [T][N][O][OH][OW]. Silent neurons cost one
/// load, and with blockSize > 0 a blockSize x blockSize tile of a channel
/// with no spike costs one OR; the rest is one weight-row add per spike and
/// tap. `scratch` holds sparseConvScratchBytes(g, T, pool.size()) bytes.
void conv2dSparse(const uint64_t *x, const float *weightArranged,
                  const float *bias, float *y, const Window2d &g,
                  int timesteps, int64_t blockSize, void *scratch,
                  ThreadPool &pool, VectorIsa isa = bestVectorIsa());

/// What a fused layer adds to its outputs before its neurons (the shortcut
/// of a residual block): nothing, floats of the output's per-step shape
/// ([T][...] when temporal, else the same at every step), or packed spikes
/// (0 or 1 at step t).
struct Residual {
  const float *floats = nullptr;
  bool temporal = false;
  int64_t elements = 0; // per step
  const uint64_t *spikes = nullptr;

  float at(int64_t element, int t) const {
    if (spikes)
      return static_cast<float>((spikes[element] >> t) & 1u);
    return floats[(temporal ? t * elements : 0) + element];
  }
};

/// conv2dSparse feeding LIF neurons (one per output, with the parameters of
/// its output channel): each output's sum of step t, plus the residual's
/// element where there is one, goes straight into its neuron's step t, and
/// the result is the neurons' spikes packed over the steps, [N][O][OH][OW],
/// with no float intermediate. The same floats, added in the same order, as
/// conv2dSparse, add and lif: the spikes are equal.
void conv2dSparseLIF(const uint64_t *x, const float *weightArranged,
                     const float *bias, const Residual &residual,
                     const LIFParams &lif, uint64_t *spikes, const Window2d &g,
                     int timesteps, int64_t blockSize, void *scratch,
                     ThreadPool &pool, VectorIsa isa = bestVectorIsa());

/// Linear over packed spikes [rows][K] with weight [K][O]; output float
/// [T][rows][O]. Silent inputs and all-zero blocks of blockSize inputs are
/// skipped. `scratch` holds sparseScratchBytes(rows, K, T, pool.size())
/// bytes.
void linearSparse(const uint64_t *x, const float *weightT, const float *bias,
                  float *y, int64_t rows, int64_t inFeatures,
                  int64_t outFeatures, int timesteps, int64_t blockSize,
                  void *scratch, ThreadPool &pool,
                  VectorIsa isa = bestVectorIsa());

/// linearSparse feeding LIF neurons, as conv2dSparseLIF: output element e of
/// [rows][O] has the parameters of channel (e / inner) % channels (lif's
/// layout of the output tensor); spikes [rows][O].
void linearSparseLIF(const uint64_t *x, const float *weightT, const float *bias,
                     const Residual &residual, const LIFParams &lif,
                     int64_t channels, int64_t inner, uint64_t *spikes,
                     int64_t rows, int64_t inFeatures, int64_t outFeatures,
                     int timesteps, int64_t blockSize, void *scratch,
                     ThreadPool &pool, VectorIsa isa = bestVectorIsa());

} // namespace sparseflow::runtime::host

#endif // SPARSEFLOW_RUNTIME_BACKENDS_HOST_HOSTKERNELS_H
