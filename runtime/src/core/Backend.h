//===- Backend.h - the interface every backend implements -------*- C++ -*-===//
//
// Part of SparseFlow.
//
// A backend (host, cuda, spikecore) runs plan ops through a kernel table
// indexed by op kind. Each backend expands op_catalogue.def into its table
// on its own column (SF_OP_IF), so a table holds a kernel exactly where the
// catalogue says the backend runs the op, and a missing kernel is a compile
// error. The executor looks kernels up; it never switches over op kinds. A
// backend with memory of its own (CUDA) also keeps per-model constants and
// per-session device state, through which the executor moves tensors where
// consecutive ops run on different sides. A backend may also prepare ops once
// per session (the host's oneDNN primitives), so `run` only executes them.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEFLOW_RUNTIME_CORE_BACKEND_H
#define SPARSEFLOW_RUNTIME_CORE_BACKEND_H

#include "sparseflow/format/op_catalogue.h"
#include "sparseflow/runtime/api.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

struct sf_model_t;
struct sf_session_t;

namespace sparseflow::runtime {

struct OpDesc;

/// One op to run: the session and the op's plan index.
struct OpCall {
  sf_session_t &session;
  const OpDesc &op;
  size_t index;
};

/// Runs one op (a device backend may only enqueue it).
using Kernel = sf_status_t (*)(const OpCall &call);

/// A backend's kernels by op kind (sfa::OpKind value); null where the
/// catalogue says the backend does not run the op.
using KernelTable = std::array<Kernel, format::kOpKindCount>;

/// A device's copy of one model's constants, made by the first session
/// that needs it and shared by the model's later sessions.
class DeviceModel {
public:
  virtual ~DeviceModel() = default;
};

/// A session's state on a device with memory of its own: a mirror of the
/// arena and the work queue.
class DeviceSession {
public:
  virtual ~DeviceSession() = default;
  /// Copies tensor `tensor` between host memory and the device.
  virtual sf_status_t upload(uint32_t tensor, const void *data) = 0;
  virtual sf_status_t download(uint32_t tensor, void *data) = 0;
  /// Waits for the enqueued work; reports a kernel's failure.
  virtual sf_status_t synchronize() = 0;
};

/// What a backend prepared for one op of a session (made when the session is
/// created, used by every run).
class PreparedOp {
public:
  virtual ~PreparedOp() = default;
};

/// A backend as the executor sees it.
struct Backend {
  sf_backend_t id;
  /// The placement it serves under SF_BACKEND_AUTO: ops the compiler put on
  /// this target.
  sfa::Target target;
  /// "" when the backend can run here; otherwise why not (probed once).
  const std::string &(*unavailableReason)();
  const KernelTable *kernels;
  /// Device backends only (null otherwise): creates the session's device
  /// state for the plan ops `onDevice` marks (one flag per op).
  sf_status_t (*createDeviceSession)(sf_model_t &model,
                                     const std::vector<char> &onDevice,
                                     std::unique_ptr<DeviceSession> &out);
  /// Optional (null: nothing to prepare): prepares op `call` for the
  /// session's runs; `out` stays null where the op needs nothing.
  sf_status_t (*prepareOp)(const OpCall &call,
                           std::unique_ptr<PreparedOp> &out);

  bool runs(sfa::OpKind kind) const {
    return (*kernels)[static_cast<size_t>(kind)] != nullptr;
  }
};

/// The backends of this build, each defined in its own directory:
/// backends/host/HostBackend.cpp, backends/spikecore/SpikeCoreBackend.cpp,
/// backends/cuda/CudaBackend.cpp (NoCuda.cpp without CUDA).
const Backend &hostBackend();
const Backend &spikecoreBackend();
const Backend &cudaBackend();

/// The registry: the backend behind `id` (not SF_BACKEND_AUTO), or the one
/// serving compiled target `target`; null for an unknown value.
const Backend *findBackend(sf_backend_t id);
const Backend *findBackend(sfa::Target target);

} // namespace sparseflow::runtime

#endif // SPARSEFLOW_RUNTIME_CORE_BACKEND_H
