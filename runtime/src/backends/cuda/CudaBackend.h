//===- CudaBackend.h - running plan ops on an NVIDIA GPU --------*- C++ -*-===//
//
// Part of SparseFlow.
//
// The CUDA backend (cudaBackend() behind core/Backend.h); no CUDA header is
// needed to use it. A build without CUDA links NoCuda.cpp instead, whose
// backend says so.
//
// A CUDA session mirrors the host arena in device memory (same offsets),
// reads constants from one device copy per model, and keeps per sparse op
// the zero-block flags of its input. The executor moves tensors between the
// two arenas where an op runs on the other side from its input's producer.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEFLOW_RUNTIME_BACKENDS_CUDA_CUDABACKEND_H
#define SPARSEFLOW_RUNTIME_BACKENDS_CUDA_CUDABACKEND_H

#include "core/Backend.h"

#include <string>

namespace sparseflow::runtime::cuda {

/// "" when CUDA kernels can run here; otherwise why not, beginning with
/// "no CUDA device" when the driver or the device is missing. Probed once.
/// (cudaBackend() in core/Backend.h is the backend itself.)
const std::string &unavailableReason();

} // namespace sparseflow::runtime::cuda

#endif // SPARSEFLOW_RUNTIME_BACKENDS_CUDA_CUDABACKEND_H
