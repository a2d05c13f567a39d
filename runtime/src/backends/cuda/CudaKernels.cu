//===- CudaKernels.cu - the CUDA kernels: bodies on a grid ----------------===//
//
// Part of SparseFlow.
//
// Every kernel is the same grid-stride loop over a body of KernelBodies.h.
// Compiled with -fmad=false so that the bodies round as the host kernels do.
//
//===----------------------------------------------------------------------===//

#include "backends/cuda/CudaKernels.h"

#include <algorithm>

namespace sparseflow::runtime::cuda {
namespace {

/// Threads per block; the grid covers the work once, up to 2^20 blocks,
/// and the loop strides over the rest.
constexpr int kBlockThreads = 256;
constexpr int64_t kMaxBlocks = int64_t{1} << 20;

template <typename Args>
__global__ void __launch_bounds__(kBlockThreads)
    gridStride(Args args, int64_t count) {
  const int64_t stride = int64_t{blockDim.x} * gridDim.x;
  for (int64_t i = int64_t{blockIdx.x} * blockDim.x + threadIdx.x; i < count;
       i += stride)
    runThread(args, i);
}

template <typename Args>
cudaError_t start(const Args &args, cudaStream_t stream) {
  const int64_t count = threads(args);
  if (count <= 0)
    return cudaSuccess;
  const int64_t blocks =
      std::min(ceilDiv(count, int64_t{kBlockThreads}), kMaxBlocks);
  gridStride<<<static_cast<unsigned>(blocks), kBlockThreads, 0, stream>>>(
      args, count);
  return cudaGetLastError();
}

} // namespace

#define SF_CUDA_LAUNCHER(Args)                                                 \
  cudaError_t launch(const Args &args, cudaStream_t stream) {                  \
    return dispatch(args,                                                      \
                    [&](const auto &what) { return start(what, stream); });    \
  }
SF_CUDA_LAUNCHER(PrescanArgs)
SF_CUDA_LAUNCHER(LIFArgs)
SF_CUDA_LAUNCHER(LIArgs)
SF_CUDA_LAUNCHER(UnpackArgs)
SF_CUDA_LAUNCHER(ConvSparseArgs)
SF_CUDA_LAUNCHER(LinearSparseArgs)
SF_CUDA_LAUNCHER(ConvDenseArgs)
SF_CUDA_LAUNCHER(LinearDenseArgs)
SF_CUDA_LAUNCHER(BatchNormArgs)
SF_CUDA_LAUNCHER(BinaryArgs<float>)
SF_CUDA_LAUNCHER(BinaryArgs<uint64_t>)
SF_CUDA_LAUNCHER(ReluArgs)
SF_CUDA_LAUNCHER(SigmoidArgs)
SF_CUDA_LAUNCHER(PointwiseArgs)
SF_CUDA_LAUNCHER(MatMulArgs)
SF_CUDA_LAUNCHER(MatMulSparseArgs)
SF_CUDA_LAUNCHER(ConvTransposeArgs)
SF_CUDA_LAUNCHER(SoftmaxArgs)
SF_CUDA_LAUNCHER(LayerNormArgs)
SF_CUDA_LAUNCHER(PadArgs<uint32_t>)
SF_CUDA_LAUNCHER(PadArgs<uint64_t>)
SF_CUDA_LAUNCHER(MaxPoolArgs<float>)
SF_CUDA_LAUNCHER(MaxPoolArgs<uint64_t>)
SF_CUDA_LAUNCHER(AvgPoolArgs)
SF_CUDA_LAUNCHER(GlobalAvgPoolArgs)
SF_CUDA_LAUNCHER(TransposeArgs<uint32_t>)
SF_CUDA_LAUNCHER(TransposeArgs<uint64_t>)
#undef SF_CUDA_LAUNCHER

} // namespace sparseflow::runtime::cuda
