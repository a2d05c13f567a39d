//===- PlacementReport.h - what the compiler decided, per op ----*- C++ -*-===//
//
// Part of SparseFlow.
//
// Collects, from tagged or partitioned IR, each op's node name, kind, shapes,
// spike input, block size and target, and the partitions; prints them as a
// table, as the JSON of `sfc compile --report-json`, or as a placement file
// that reproduces the decisions (`--save-placement`).
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEFLOW_COMPILER_PLACEMENTREPORT_H
#define SPARSEFLOW_COMPILER_PLACEMENTREPORT_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>
#include <string>
#include <vector>

namespace sparseflow {

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

struct PlacementReport {
  int64_t timesteps = 0;
  /// In execution order.
  std::vector<OpPlacement> ops;
  std::vector<PartitionPlacement> partitions;

  static PlacementReport collect(mlir::ModuleOp module);

  /// A fixed-width table, one row per op.
  void printTable(llvm::raw_ostream &os) const;
  /// {"timesteps", "ops": [...], "partitions": [...]} (docs/cli.md).
  void printJSON(llvm::raw_ostream &os) const;
  /// A placement file with one rule per op pinning its target and block size.
  void printPlacementFile(llvm::raw_ostream &os) const;
};

} // namespace sparseflow

#endif // SPARSEFLOW_COMPILER_PLACEMENTREPORT_H
