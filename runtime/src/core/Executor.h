//===- Executor.h - sessions: memory, encoding, kernels, readout -*- C++ -*-===//
//
// Part of SparseFlow.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEFLOW_RUNTIME_CORE_EXECUTOR_H
#define SPARSEFLOW_RUNTIME_CORE_EXECUTOR_H

#include "core/Model.h"

#include <vector>

struct sf_tensor_t : sparseflow::runtime::ObjectHeader {
  int64_t shape[SF_MAX_RANK];
  size_t rank = 0;
  size_t elements = 1;
  float *data = nullptr;
  /// Whether `data` came from the tensor's allocator.
  bool owned = false;
};

struct sf_session_t : sparseflow::runtime::ObjectHeader {
  /// Holds a reference.
  sf_model_t *model = nullptr;
  sf_session_options_t options;
  /// Activations, at the plan's arena offsets (from the session's
  /// allocator).
  void *arena = nullptr;
  /// The sparse kernels' spike lists (from the session's allocator).
  void *scratch = nullptr;
  /// Base address of every tensor (constants point into the artifact).
  std::vector<void *> tensorData;
  std::vector<sf_layer_profile_t> profiles;
  /// SpikeCore: the simulator's working memory, events emitted per core
  /// (profile) and the spike log of the last run.
  sparseflow::runtime::simulator::Scratch spikecore;
  std::vector<uint64_t> coreSpikes;
  std::vector<sf_spike_event_t> spikeLog;
  /// record_spines: the DRAM layer of each op (-1: none) and, per DRAM
  /// layer, the packed spikes it read in the last run ([batch][neurons]).
  std::vector<int32_t> dramLayerOfOp;
  std::vector<std::vector<uint64_t>> recordedSpines;
  /// record_spikes: per op, the packed spikes it wrote in the last run
  /// (empty for ops that write none).
  std::vector<std::vector<uint64_t>> recordedSpikes;
  /// The backend that runs each op (looked up in its kernel table).
  std::vector<const sparseflow::runtime::Backend *> backendOfOp;
  /// What each op's backend prepared for it (null: nothing).
  std::vector<std::unique_ptr<sparseflow::runtime::PreparedOp>> preparedOps;
  /// A device backend's side of the session (null when no op runs on a
  /// device), and where each tensor's current value is (host, device, or
  /// both: sparseflow::runtime::Residency bits).
  std::unique_ptr<sparseflow::runtime::DeviceSession> device;
  std::vector<uint8_t> residency;
  bool hasRun = false;
};

namespace sparseflow::runtime {

enum Residency : uint8_t { OnHost = 1, OnDevice = 2 };

/// Allocates everything `session` (its model and allocator set) needs;
/// checks the backend. What it allocated before failing or throwing is
/// freed by destroySession.
sf_status_t createSession(const sf_session_options_t &options,
                          sf_session_t &session);
/// Frees the session's memory (not the object, nor its model reference).
void destroySession(sf_session_t &session);

/// A shape callers exchange (see sf_model_input_shape): the tensor's, with
/// the steps first for a spike input or an output of every step. The loader
/// keeps it within SF_MAX_RANK; held inline, so a run checks the caller's
/// tensors without allocating.
struct CallerShape {
  int64_t dims[SF_MAX_RANK] = {};
  size_t rank = 0;

  const int64_t *begin() const { return dims; }
  const int64_t *end() const { return dims + rank; }
};
CallerShape callerInputShape(const sf_model_t &model, size_t index);
CallerShape callerOutputShape(const sf_model_t &model, size_t index);

sf_status_t runSession(sf_session_t &session, sf_tensor_t *const *inputs,
                       size_t inputCount, sf_tensor_t *const *outputs,
                       size_t outputCount);

} // namespace sparseflow::runtime

#endif // SPARSEFLOW_RUNTIME_CORE_EXECUTOR_H
