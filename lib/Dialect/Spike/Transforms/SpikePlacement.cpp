//===- SpikePlacement.cpp - user placement files --------------------------===//
//
// Part of SparseFlow.
//
//===----------------------------------------------------------------------===//

#include "sparseflow/Dialect/Spike/SpikePlacement.h"

#include "sparseflow/Dialect/Spike/SpikeDialect.h"
#include "sparseflow/Dialect/Spike/SpikeOps.h"
#include "sparseflow/Support/InputLimits.h"

#include "mlir/IR/Location.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"

using namespace mlir;
using namespace sparseflow::spike;

std::string sparseflow::spike::getNodeName(Location loc) {
  llvm::SetVector<StringRef> names;
  loc->walk([&](Location nested) {
    if (auto name = dyn_cast<NameLoc>(nested))
      names.insert(name.getName().getValue());
    return WalkResult::advance();
  });
  return llvm::join(names, "+");
}

StringRef sparseflow::spike::getOpKind(Operation *op) {
  return op->getName().stripDialect();
}

bool PlacementRule::matches(Operation *operation) const {
  if (op && *op != getOpKind(operation))
    return false;
  return !nodeRegex || nodeRegex->match(getNodeName(operation->getLoc()));
}

namespace {

/// Parses one rule object; `error` is prefixed by the caller.
std::optional<PlacementRule> parseRule(MLIRContext *context,
                                       const llvm::json::Value &value,
                                       unsigned index, std::string &error) {
  const llvm::json::Object *object = value.getAsObject();
  if (!object) {
    error = "expected an object";
    return std::nullopt;
  }
  PlacementRule rule;
  rule.index = index;
  for (const auto &[key, entry] : *object) {
    StringRef name = key;
    if (name == "op") {
      std::optional<StringRef> op = entry.getAsString();
      if (!op) {
        error = "'op' must be a string such as \"conv2d\"";
        return std::nullopt;
      }
      if (!RegisteredOperationName::lookup(("spike." + *op).str(), context)) {
        error = ("'op' names no spike op: '" + *op + "'").str();
        return std::nullopt;
      }
      rule.op = op->str();
    } else if (name == "node") {
      std::optional<StringRef> node = entry.getAsString();
      if (!node) {
        error = "'node' must be a string (a regular expression)";
        return std::nullopt;
      }
      rule.node = node->str();
      // Anchor so that the pattern must match the whole node name.
      rule.nodeRegex =
          std::make_shared<llvm::Regex>(("^(" + *node + ")$").str());
      std::string regexError;
      if (!rule.nodeRegex->isValid(regexError)) {
        error = "'node' is not a valid regular expression: " + regexError;
        return std::nullopt;
      }
    } else if (name == "target") {
      std::optional<StringRef> target = entry.getAsString();
      rule.target = target ? symbolizeTarget(*target) : std::nullopt;
      if (!rule.target) {
        error = "'target' must be one of \"host\", \"gpu\", \"spikecore\"";
        return std::nullopt;
      }
    } else if (name == "block_size") {
      std::optional<int64_t> size = entry.getAsInteger();
      if (!size || !SpikeDialect::isValidBlockSize(*size)) {
        error = "'block_size' must be 0 or a power of two from 2 to 64";
        return std::nullopt;
      }
      rule.blockSize = size;
    } else {
      error = ("unknown key '" + name +
               "' (expected op, node, target, block_size)")
                  .str();
      return std::nullopt;
    }
  }
  if (!rule.target && !rule.blockSize) {
    error = "a rule must set 'target', 'block_size' or both";
    return std::nullopt;
  }
  return rule;
}

} // namespace

std::optional<Placement> Placement::parse(MLIRContext *context,
                                          StringRef json, std::string &error) {
  llvm::Expected<llvm::json::Value> value = parseJSONInput(json);
  if (!value) {
    error = llvm::toString(value.takeError());
    return std::nullopt;
  }
  const llvm::json::Object *object = value->getAsObject();
  const llvm::json::Array *rules =
      object ? object->getArray("rules") : nullptr;
  if (!rules) {
    error = "expected an object with a \"rules\" array";
    return std::nullopt;
  }
  for (const auto &[key, entry] : *object) {
    if (StringRef(key) == "rules")
      continue;
    if (StringRef(key) != "version") {
      error = ("unknown key '" + StringRef(key) + "' (expected version, rules)")
                  .str();
      return std::nullopt;
    }
    if (entry.getAsInteger() != 1) {
      error = "unsupported placement file version (this compiler reads 1)";
      return std::nullopt;
    }
  }
  Placement placement;
  for (auto [index, entry] : llvm::enumerate(*rules)) {
    std::optional<PlacementRule> rule = parseRule(context, entry, index, error);
    if (!rule) {
      error = llvm::formatv("rules[{0}]: {1}", index, error);
      return std::nullopt;
    }
    placement.rules.push_back(std::move(*rule));
  }
  return placement;
}

std::optional<Placement> Placement::load(MLIRContext *context, StringRef path,
                                         std::string &error) {
  if (path.empty())
    return Placement();
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buffer) {
    error = llvm::formatv("cannot read placement file '{0}': {1}", path,
                          buffer.getError().message());
    return std::nullopt;
  }
  std::optional<Placement> placement = parse(context, (*buffer)->getBuffer(), error);
  if (!placement)
    error = llvm::formatv("placement file '{0}': {1}", path, error);
  return placement;
}

const PlacementRule *Placement::findTargetRule(Operation *op) const {
  for (const PlacementRule &rule : rules)
    if (rule.target && rule.matches(op))
      return &rule;
  return nullptr;
}

const PlacementRule *Placement::findBlockSizeRule(Operation *op) const {
  for (const PlacementRule &rule : rules)
    if (rule.blockSize && rule.matches(op))
      return &rule;
  return nullptr;
}
