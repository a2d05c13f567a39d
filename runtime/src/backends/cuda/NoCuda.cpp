//===- NoCuda.cpp - the CUDA backend of a runtime built without it --------===//
//
// Part of SparseFlow.
//
// Linked instead of the CUDA backend when CMake found no CUDA compiler or
// SF_ENABLE_CUDA is OFF: the cuda backend says that it is unavailable and
// has no kernels.
//
//===----------------------------------------------------------------------===//

#include "backends/cuda/CudaBackend.h"

using namespace sparseflow;
using namespace sparseflow::runtime;

const std::string &cuda::unavailableReason() {
  static const std::string reason =
      "this runtime was built without its CUDA backend (no CUDA compiler at "
      "configure time, or SF_ENABLE_CUDA=OFF)";
  return reason;
}

const Backend &runtime::cudaBackend() {
  // No kernels: the executor asks unavailableReason() before it looks one
  // up, and never creates a device session.
  static const KernelTable none{};
  static const Backend backend{SF_BACKEND_CUDA, sfa::Target::Gpu,
                               cuda::unavailableReason, &none, nullptr, nullptr};
  return backend;
}
