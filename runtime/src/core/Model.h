//===- Model.h - the runtime's view of a loaded artifact --------*- C++ -*-===//
//
// Part of SparseFlow.
//
// The loader turns a validated plan into these descriptors once; sessions
// read them without checking again.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEFLOW_RUNTIME_CORE_MODEL_H
#define SPARSEFLOW_RUNTIME_CORE_MODEL_H

#include "backends/spikecore/Simulator.h"
#include "core/Backend.h"
#include "core/Object.h"
#include "core/ThreadPool.h"
#include "sparseflow/format/dram_image.h"
#include "sparseflow/format/schema.h"
#include "sparseflow/runtime/api.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

struct sf_instance_t : sparseflow::runtime::ObjectHeader {
  std::unique_ptr<sparseflow::runtime::ThreadPool> pool;
};

namespace sparseflow::runtime {

/// The artifact's bytes: a read-only file mapping or an aligned copy.
class ArtifactBytes {
public:
  virtual ~ArtifactBytes() = default;
  virtual const uint8_t *data() const = 0;
  virtual size_t size() const = 0;
};

struct TensorDesc {
  std::string name;
  std::vector<int64_t> shape; // per timestep
  int64_t elements = 1;       // per timestep
  bool packed = false;        // sfa::Storage::PackedSpikes
  bool temporal = false;
  bool constant = false;
  uint64_t arenaOffset = 0;
  uint64_t byteSize = 0;
  const float *constantData = nullptr; // into the artifact
  /// Copies of a float tensor in memory: T when temporal, else 1.
  int64_t lead = 1;
};

struct OpDesc {
  const sfa::Op *op;
  std::string name, kind, kernel, target;
  std::vector<uint32_t> inputs;
  uint32_t output;
  /// A SpikeCoreLayer, decoded and validated.
  std::shared_ptr<const simulator::Layer> spikecore;
};

} // namespace sparseflow::runtime

struct sf_model_t : sparseflow::runtime::ObjectHeader {
  /// Holds a reference.
  sf_instance_t *instance = nullptr;
  std::unique_ptr<sparseflow::runtime::ArtifactBytes> bytes;
  const sparseflow::sfa::Model *plan = nullptr;
  std::string producer;
  int timesteps = 1;
  sf_encoding_t encoding = SF_ENCODING_DIRECT;
  sf_readout_t readout = SF_READOUT_MEAN;
  std::vector<sparseflow::runtime::TensorDesc> tensors;
  std::vector<sparseflow::runtime::OpDesc> ops;
  std::vector<uint32_t> inputs, outputs;
  std::vector<sparseflow::sfa::Target> targets;
  uint64_t arenaSize = 0;
  /// SpikeCore: the target's cores and the costs of its work.
  uint32_t spikecoreCores = 0;
  sparseflow::runtime::simulator::Costs spikecoreCycles;
  std::optional<sparseflow::runtime::simulator::Costs> spikecoreEnergy;
  /// The DRAM image the artifact carries (validated), and the op each of
  /// its layers describes, in layer order.
  std::optional<sparseflow::dram::Image> dram;
  std::vector<uint32_t> dramOps;
  /// A device backend's copy of the constants, made by its first session.
  std::mutex deviceMutex;
  std::unique_ptr<sparseflow::runtime::DeviceModel> deviceModel;
};

namespace sparseflow::runtime {

/// Validates `bytes` as an artifact and fills `model` (all of it but the
/// instance and the object header). Every failure names what is wrong and
/// where: the header field, the tensor or the op.
sf_status_t loadArtifact(std::unique_ptr<ArtifactBytes> bytes,
                         sf_model_t &model);

/// Maps `path` read-only.
sf_status_t mapFile(const char *path, std::unique_ptr<ArtifactBytes> &out);
/// Copies `size` bytes into 64-byte aligned memory from `allocator`.
sf_status_t copyBytes(const void *data, size_t size,
                      const sf_allocator_t &allocator,
                      std::unique_ptr<ArtifactBytes> &out);

} // namespace sparseflow::runtime

#endif // SPARSEFLOW_RUNTIME_CORE_MODEL_H
