//===- SpikeTargets.h - target capability tables ----------------*- C++ -*-===//
//
// Part of SparseFlow.
//
// What each target (host, gpu, spikecore) can run, with the precise
// constraint that rules an op out. The partitioner decides with it, the
// stage verifier re-checks its decisions with it, and docs/placement.md
// documents it; the three must agree.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEFLOW_DIALECT_SPIKE_SPIKETARGETS_H
#define SPARSEFLOW_DIALECT_SPIKE_SPIKETARGETS_H

#include "sparseflow/Dialect/Spike/SpikeAttributes.h"

#include "mlir/IR/Operation.h"
#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>

namespace sparseflow::spike {

/// What SpikeCore work costs, in cycles or in picojoules: per instruction
/// executed, per input event an ACC reads, per synaptic update (event x
/// neuron), per neuron a LEAK/BIAS/FIRE/OUT updates, per event FIRE emits.
template <typename T> struct SpikeCoreCosts {
  T instruction, accEvent, synapse, neuron, spike;
};

/// Size limits and costs of the SpikeCore target. The defaults are the
/// built-in target description; a JSON file with the same keys overrides any
/// of them (docs/placement.md).
struct SpikeCoreDescription {
  int64_t cores = 128;
  int64_t neuronsPerCore = 256;
  int64_t weightMemoryBytesPerCore = 16384;
  int64_t maxFanIn = 4096;
  int64_t weightBits = 8;
  int64_t accumulatorBits = 32;
  SpikeCoreCosts<int64_t> cycles{1, 1, 1, 1, 1};
  /// Energy per unit of work; not reported unless the description has it.
  std::optional<SpikeCoreCosts<double>> energyPj;

  /// The description as JSON, every key written (what parse reads back).
  std::string toJSON() const;

  /// Parses a JSON object such as `{"cores": 64, "max_fan_in": 1024}`; keys
  /// left out keep their defaults. On failure, `error` says which key is
  /// wrong and why.
  static std::optional<SpikeCoreDescription> parse(llvm::StringRef json,
                                                   std::string &error);
  /// Reads and parses `path`, or returns the defaults when `path` is empty;
  /// the error names the file.
  static std::optional<SpikeCoreDescription> load(llvm::StringRef path,
                                                  std::string &error);
};

/// The capability tables of all targets.
class TargetCapabilities {
public:
  explicit TargetCapabilities(SpikeCoreDescription spikecore = {})
      : spikecore(spikecore) {}

  /// Why `target` cannot run `op` at all (no kernel, or a size limit), or
  /// std::nullopt when it can. `op` is a spike-dialect op.
  std::optional<std::string> whyCannotRun(mlir::Operation *op,
                                          Target target) const;

  /// Why `target` has no kernel whose work scales with `op`'s input spikes
  /// (a block-sparse kernel on host and gpu, an event-driven one on
  /// spikecore), or std::nullopt when it has one. Only ops tagged
  /// `spike.spike_input` can have one.
  std::optional<std::string> whyNoSpikeKernel(mlir::Operation *op,
                                              Target target) const;

  const SpikeCoreDescription &getSpikeCore() const { return spikecore; }

private:
  SpikeCoreDescription spikecore;
};

/// The `spike.target` of an op or partition function, if it has one.
std::optional<Target> getTarget(mlir::Operation *op);
/// Sets the `spike.target` of an op or partition function.
void setTarget(mlir::Operation *op, Target target);

/// The targets in `names` ("host", "gpu", "spikecore"), in order, or
/// std::nullopt after setting `error` for an unknown or repeated name. An
/// empty list means {host}.
std::optional<llvm::SmallVector<Target>>
parseTargetList(llvm::ArrayRef<std::string> names, std::string &error);

} // namespace sparseflow::spike

#endif // SPARSEFLOW_DIALECT_SPIKE_SPIKETARGETS_H
