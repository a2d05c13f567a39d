//===- KernelEntry.cpp - the C interface to single CUDA kernels -----------===//
//
// Part of SparseFlow.
//
//===----------------------------------------------------------------------===//

#include "sparseflow/runtime/cuda_kernels.h"

#include "backends/cuda/CudaKernels.h"

using namespace sparseflow::runtime;
using namespace sparseflow::runtime::cuda;

namespace {

cudaStream_t streamOf(void *stream) {
  return static_cast<cudaStream_t>(stream);
}

} // namespace

int sf_cuda_prescan(const uint64_t *spikes, int64_t planes, int64_t height,
                    int64_t width, int64_t blockHeight, int64_t blockWidth,
                    uint8_t *flags, void *stream) {
  BlockGrid grid{planes, height, width, blockHeight, blockWidth};
  if (cudaError_t e = cudaMemsetAsync(flags, 0, grid.count(), streamOf(stream)))
    return e;
  return launch(PrescanArgs{spikes, planes * height * width, flags, grid},
                streamOf(stream));
}

int sf_cuda_conv2d_binary(const uint64_t *x, const float *weight,
                          const float *bias, float *y, const uint8_t *flags,
                          int64_t n, int64_t c, int64_t h, int64_t w, int64_t o,
                          int64_t k, int64_t stride, int64_t pad, int timesteps,
                          int64_t block, int64_t pixel_run, void *stream) {
  if (pixel_run < 0)
    return cudaErrorInvalidValue;
  ConvSparseArgs a{x,
                   weight,
                   bias,
                   y,
                   squareWindow(n, c, h, w, o, k, stride, pad),
                   timesteps,
                   flags,
                   flags ? convBlocks(n, c, h, w, block) : BlockGrid{},
                   pixel_run ? pixel_run : kDefaultPixelRun};
  return launch(a, streamOf(stream));
}

int sf_cuda_conv2d_dense(const float *x, const float *weight,
                         const float *bias, float *y, int64_t batch,
                         int64_t c, int64_t h, int64_t w, int64_t o,
                         int64_t k, int64_t stride, int64_t pad,
                         int64_t groups, void *stream) {
  return launch(ConvDenseArgs{x, weight, bias, y,
                              squareWindow(batch, c, h, w, o, k, stride,
                                           pad, 1, groups)},
                streamOf(stream));
}

int sf_cuda_linear_binary(const uint64_t *x, const float *weightT,
                          const float *bias, float *y, const uint8_t *flags,
                          int64_t rows, int64_t k, int64_t o, int timesteps,
                          int64_t block, void *stream) {
  LinearSparseArgs a{x,    weightT, bias, y, rows, k, o, timesteps, flags,
                     flags ? linearBlocks(rows, k, block) : BlockGrid{}};
  return launch(a, streamOf(stream));
}
