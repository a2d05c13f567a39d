//===- SpikePlacement.h - user placement files ------------------*- C++ -*-===//
//
// Part of SparseFlow.
//
// A placement file is JSON with an ordered list of rules; each matches ops by
// kind and ONNX node name (a regular expression) and sets a target, a block
// size, or both. The first matching rule that sets a field decides it.
// docs/placement.md specifies the format.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEFLOW_DIALECT_SPIKE_SPIKEPLACEMENT_H
#define SPARSEFLOW_DIALECT_SPIKE_SPIKEPLACEMENT_H

#include "sparseflow/Dialect/Spike/SpikeAttributes.h"

#include "mlir/IR/Location.h"
#include "mlir/IR/Operation.h"
#include "llvm/Support/Regex.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sparseflow::spike {

/// The ONNX node name(s) an op came from: the names of the NameLocs in its
/// location, joined with '+' when the op fuses several nodes; empty if none.
std::string getNodeName(mlir::Location loc);

/// The op kind used in reports and placement rules: the spike op's name
/// without the dialect prefix ("conv2d").
llvm::StringRef getOpKind(mlir::Operation *op);

struct PlacementRule {
  /// 0-based position in the file's "rules" list, for messages.
  unsigned index = 0;
  /// The op kind to match; any when unset.
  std::optional<std::string> op;
  /// The node-name pattern (POSIX extended regex, matching the whole name);
  /// any when unset.
  std::optional<std::string> node;
  std::optional<Target> target;
  std::optional<int64_t> blockSize;

  /// `node` compiled and anchored at both ends.
  std::shared_ptr<llvm::Regex> nodeRegex;

  bool matches(mlir::Operation *op) const;
};

class Placement {
public:
  /// Parses the JSON text of a placement file; on failure `error` names the
  /// offending rule and field. Op kinds are checked against the spike ops
  /// registered in `context`.
  static std::optional<Placement> parse(mlir::MLIRContext *context,
                                        llvm::StringRef json,
                                        std::string &error);
  /// Reads and parses `path`, or returns a placement without rules when
  /// `path` is empty; the error names the file.
  static std::optional<Placement> load(mlir::MLIRContext *context,
                                       llvm::StringRef path,
                                       std::string &error);

  /// The first rule matching `op` that sets a target, or null.
  const PlacementRule *findTargetRule(mlir::Operation *op) const;
  /// The first rule matching `op` that sets a block size, or null.
  const PlacementRule *findBlockSizeRule(mlir::Operation *op) const;

  llvm::ArrayRef<PlacementRule> getRules() const { return rules; }

private:
  std::vector<PlacementRule> rules;
};

} // namespace sparseflow::spike

#endif // SPARSEFLOW_DIALECT_SPIKE_SPIKEPLACEMENT_H
