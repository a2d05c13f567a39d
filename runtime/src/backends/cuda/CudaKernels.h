//===- CudaKernels.h - launching the CUDA kernels ---------------*- C++ -*-===//
//
// Part of SparseFlow.
//
// One launcher per kind of kernel arguments (KernelBodies.h): it runs the
// body for every thread on `stream` and returns the launch's error. The
// sparse kernels pick their steps per pass from the arguments' timesteps.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEFLOW_RUNTIME_BACKENDS_CUDA_CUDAKERNELS_H
#define SPARSEFLOW_RUNTIME_BACKENDS_CUDA_CUDAKERNELS_H

#include "backends/cuda/KernelBodies.h"

#include <cuda_runtime_api.h>

namespace sparseflow::runtime::cuda {

cudaError_t launch(const PrescanArgs &args, cudaStream_t stream);
cudaError_t launch(const LIFArgs &args, cudaStream_t stream);
cudaError_t launch(const LIArgs &args, cudaStream_t stream);
cudaError_t launch(const UnpackArgs &args, cudaStream_t stream);
cudaError_t launch(const ConvSparseArgs &args, cudaStream_t stream);
cudaError_t launch(const LinearSparseArgs &args, cudaStream_t stream);
cudaError_t launch(const ConvDenseArgs &args, cudaStream_t stream);
cudaError_t launch(const LinearDenseArgs &args, cudaStream_t stream);
cudaError_t launch(const BatchNormArgs &args, cudaStream_t stream);
cudaError_t launch(const BinaryArgs<float> &args, cudaStream_t stream);
cudaError_t launch(const BinaryArgs<uint64_t> &args, cudaStream_t stream);
cudaError_t launch(const ReluArgs &args, cudaStream_t stream);
cudaError_t launch(const SigmoidArgs &args, cudaStream_t stream);
cudaError_t launch(const PointwiseArgs &args, cudaStream_t stream);
cudaError_t launch(const MatMulArgs &args, cudaStream_t stream);
cudaError_t launch(const MatMulSparseArgs &args, cudaStream_t stream);
cudaError_t launch(const ConvTransposeArgs &args, cudaStream_t stream);
cudaError_t launch(const SoftmaxArgs &args, cudaStream_t stream);
cudaError_t launch(const LayerNormArgs &args, cudaStream_t stream);
cudaError_t launch(const PadArgs<uint32_t> &args, cudaStream_t stream);
cudaError_t launch(const PadArgs<uint64_t> &args, cudaStream_t stream);
cudaError_t launch(const MaxPoolArgs<float> &args, cudaStream_t stream);
cudaError_t launch(const MaxPoolArgs<uint64_t> &args, cudaStream_t stream);
cudaError_t launch(const AvgPoolArgs &args, cudaStream_t stream);
cudaError_t launch(const GlobalAvgPoolArgs &args, cudaStream_t stream);
cudaError_t launch(const TransposeArgs<uint32_t> &args, cudaStream_t stream);
cudaError_t launch(const TransposeArgs<uint64_t> &args, cudaStream_t stream);

} // namespace sparseflow::runtime::cuda

#endif // SPARSEFLOW_RUNTIME_BACKENDS_CUDA_CUDAKERNELS_H
