//===- PlacementReport.h - what the compiler decided, per op ----*- C++ -*-===//
//
// Part of SparseFlow.
//
// Collects, from tagged or partitioned IR, each op's node name, kind, shapes,
// spike input, block size and target, and the partitions (and, after the
// SpikeCore stage, the SpikeCore layers); prints them as a table, as the JSON
// of `sfc compile --report-json`, or as a placement file that reproduces the
// decisions (`--save-placement`).
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEFLOW_COMPILER_PLACEMENTREPORT_H
#define SPARSEFLOW_COMPILER_PLACEMENTREPORT_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>
#include <string>
#include <vector>

namespace mlir::func {
class FuncOp;
} // namespace mlir::func

namespace sparseflow {

/// Calls `fn` on every spike-dialect op of `module` in execution order: the
/// public functions' ops, with each call to a partition replaced by the
/// partition's ops (`partition` is then the callee, else null).
void forEachSpikeOpInOrder(
    mlir::ModuleOp module,
    llvm::function_ref<void(mlir::Operation *op, mlir::func::FuncOp partition)>
        fn);

struct OpPlacement {
  std::string name;
  std::string op;
  /// Unset before partitioning.
  std::optional<std::string> target;
  bool spikeInput = false;
  /// Unset for ops that have no block size.
  std::optional<int64_t> blockSize;
  llvm::SmallVector<int64_t> inputShape, outputShape;
};

struct PartitionPlacement {
  std::string name;
  std::string target;
  std::vector<std::string> ops;
};

/// A quantized SpikeCore layer: its cores and its quantization error.
struct SpikeCoreLayerReport {
  std::string name;
  /// The partition (function) holding the layer.
  std::string partition;
  std::string output; // spikes, graded, readout
  int64_t firstCore = 0, cores = 0, neuronsPerCore = 0;
  /// spikecore.error: weight_rel_rms, weight_max_abs, bias_max_abs and,
  /// for leaky layers, leak_abs.
  std::vector<std::pair<std::string, double>> error;
};

struct PlacementReport {
  int64_t timesteps = 0;
  /// In execution order.
  std::vector<OpPlacement> ops;
  std::vector<PartitionPlacement> partitions;
  std::vector<SpikeCoreLayerReport> spikecoreLayers;

  /// The ops of a partitioned module.
  static PlacementReport collect(mlir::ModuleOp module);
  /// Adds the SpikeCore layers of a module after the SpikeCore stage.
  void collectSpikeCore(mlir::ModuleOp module);

  /// A fixed-width table, one row per op.
  void printTable(llvm::raw_ostream &os) const;
  /// {"timesteps", "ops": [...], "partitions": [...], "spikecore_layers":
  /// [...]} (docs/cli.md).
  void printJSON(llvm::raw_ostream &os) const;
  /// A placement file with one rule per op pinning its target and block size.
  void printPlacementFile(llvm::raw_ostream &os) const;
};

} // namespace sparseflow

#endif // SPARSEFLOW_COMPILER_PLACEMENTREPORT_H
