//===- CudaBackend.h - running plan ops on an NVIDIA GPU --------*- C++ -*-===//
//
// Part of SparseFlow.
//
// The executor's view of the CUDA backend; no CUDA header is needed to use
// it. A build without CUDA links NoCuda.cpp instead, whose answers say so.
//
// A CUDA session mirrors the host arena in device memory (same offsets),
// reads constants from one device copy per model, and keeps per sparse op
// the zero-block flags of its input. The executor moves tensors between the
// two arenas where an op runs on the other side from its input's producer.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEFLOW_RUNTIME_BACKENDS_CUDA_CUDABACKEND_H
#define SPARSEFLOW_RUNTIME_BACKENDS_CUDA_CUDABACKEND_H

#include "sparseflow/runtime/status.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

struct sf_model_t;

namespace sparseflow::runtime::cuda {

/// "" when CUDA kernels can run here; otherwise why not, beginning with
/// "no CUDA device" when the driver or the device is missing. Probed once.
const std::string &unavailableReason();

/// A device's constants for one model, shared by its CUDA sessions.
struct ModelData;
struct ModelDataDeleter {
  void operator()(ModelData *data) const;
};

class Session;
struct SessionDeleter {
  void operator()(Session *session) const;
};
using SessionPtr = std::unique_ptr<Session, SessionDeleter>;

/// Allocates device memory for running the ops `onGpu` marks (one flag per
/// plan op) and uploads the model's constants if no session has.
sf_status_t createSession(sf_model_t &model, const std::vector<char> &onGpu,
                          SessionPtr &out);

/// Copies a tensor's bytes between host memory and the device arena.
sf_status_t upload(Session &session, uint32_t tensor, const void *data);
sf_status_t download(Session &session, uint32_t tensor, void *data);

/// Enqueues plan op `index`.
sf_status_t runOp(Session &session, size_t index);

/// Waits for the enqueued work; reports a kernel's failure.
sf_status_t synchronize(Session &session);

} // namespace sparseflow::runtime::cuda

#endif // SPARSEFLOW_RUNTIME_BACKENDS_CUDA_CUDABACKEND_H
