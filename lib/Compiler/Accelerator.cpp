//===- Accelerator.cpp - accelerator descriptions for the cost model ------===//
//
// Part of SparseFlow.
//
// Reads ZigZag-style accelerator files with llvm::yaml's streaming parser:
// every error names the file, line and column; then checks that the
// hierarchy can run a layer at all (every operand has a home, levels that
// are filled are writable, the outputs reach the next layer's inputs).
//
//===----------------------------------------------------------------------===//

#include "sparseflow/Compiler/Accelerator.h"
#include "sparseflow/Support/InputLimits.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/CheckedArithmetic.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/YAMLParser.h"

#include <cmath>

using namespace llvm;
using namespace sparseflow;
using namespace sparseflow::hw;
StringRef hw::operandName(Operand operand) {
  static const char *names[] = {"I1", "I2", "O"};
  return names[operand];
}

StringRef hw::operandMeaning(Operand operand) {
  static const char *names[] = {"inputs", "weights", "outputs"};
  return names[operand];
}

std::vector<size_t> Accelerator::chain(Operand operand) const {
  std::vector<size_t> levels;
  for (size_t i = 0; i < this->levels.size(); ++i)
    if (this->levels[i].holds[operand])
      levels.push_back(i);
  return levels;
}

//===----------------------------------------------------------------------===//
// Accelerator files
//===----------------------------------------------------------------------===//

namespace {

/// Reads one YAML document with llvm::yaml's streaming parser; every error
/// is printed at its node (file:line:col) and parsing goes on to find more.
class AcceleratorParser {
public:
  AcceleratorParser(StringRef yaml, StringRef name, raw_ostream &errors)
      : text(yaml),
        stream(MemoryBufferRef(yaml, name), sourceMgr, /*ShowColors=*/false) {
    sourceMgr.setDiagHandler(
        [](const SMDiagnostic &diag, void *os) {
          diag.print(nullptr, *static_cast<raw_ostream *>(os), false);
        },
        &errors);
  }

  std::optional<Accelerator> parse();

private:
  /// Reports `message` at `node`; a node the parser could not build (null,
  /// after a syntax error it has reported) gets the message without a
  /// location.
  bool fail(yaml::Node *node, const Twine &message) {
    if (node)
      stream.printError(node, message);
    else
      stream.printError(SMRange(), message);
    failed = true;
    return false;
  }
  /// Calls `fn(key, value)` for each entry of the mapping `node`; rejects
  /// duplicate keys.
  bool forEachKey(yaml::Node *node, StringRef what,
                  function_ref<void(StringRef, yaml::Node *)> fn);
  std::optional<std::string> scalar(yaml::Node *node, StringRef key);
  std::optional<double> number(yaml::Node *node, StringRef key,
                               bool positive);
  /// A non-negative whole number (a port count).
  std::optional<double> wholeNumber(yaml::Node *node, StringRef key) {
    std::optional<double> value = number(node, key, false);
    if (value && (*value != std::floor(*value) || *value > 64)) {
      fail(node, "'" + key + "' must be a whole number of ports (at most 64)");
      return std::nullopt;
    }
    return value;
  }
  std::vector<yaml::Node *> sequence(yaml::Node *node, StringRef key);
  void memory(StringRef name, yaml::Node *node, Accelerator &acc);
  void operationalArray(yaml::Node *node, Accelerator &acc);
  void precision(yaml::Node *node, Accelerator &acc);

  /// Replicates the levels by the array dimensions they do not serve.
  void replicate(Accelerator &acc);
  /// Checks that the hierarchy can run a layer: levels that must be
  /// written or read can be, the outputs reach the next layer's inputs; warns
  /// about a level listed below a smaller one.
  void checkHierarchy(const Accelerator &acc, yaml::Node *root);
  void warn(yaml::Node *node, const Twine &message) {
    sourceMgr.PrintMessage(node->getSourceRange().Start, SourceMgr::DK_Warning,
                           message);
  }

  StringRef text;
  SourceMgr sourceMgr;
  yaml::Stream stream;
  bool failed = false;
  /// Each level's served_dimensions (by level index) with its node, and
  /// each level's node, for messages.
  std::map<size_t, std::pair<std::vector<std::string>, yaml::Node *>> served;
  std::vector<yaml::Node *> levelNodes;
};

bool AcceleratorParser::forEachKey(
    yaml::Node *node, StringRef what,
    function_ref<void(StringRef, yaml::Node *)> fn) {
  auto *map = dyn_cast_or_null<yaml::MappingNode>(node);
  if (!map)
    return fail(node, what + " must be a mapping");
  StringSet<> seen;
  for (yaml::KeyValueNode &entry : *map) {
    auto *keyNode = dyn_cast_or_null<yaml::ScalarNode>(entry.getKey());
    if (!keyNode) {
      fail(entry.getKey(), "keys of " + what + " must be plain names");
      entry.skip();
      continue;
    }
    SmallString<32> storage;
    std::string key = keyNode->getValue(storage).str();
    yaml::Node *value = entry.getValue();
    if (!value) {
      fail(keyNode, "'" + key + "' in " + what + " has no value");
      continue;
    }
    if (!seen.insert(key).second) {
      fail(keyNode, "duplicate key '" + key + "' in " + what);
      value->skip();
      continue;
    }
    fn(key, value);
  }
  return true;
}

std::optional<std::string> AcceleratorParser::scalar(yaml::Node *node,
                                                     StringRef key) {
  auto *s = dyn_cast_or_null<yaml::ScalarNode>(node);
  if (!s) {
    fail(node, "'" + key + "' must be a single value");
    if (node)
      node->skip();
    return std::nullopt;
  }
  SmallString<32> storage;
  return s->getValue(storage).str();
}

std::optional<double> AcceleratorParser::number(yaml::Node *node,
                                                StringRef key, bool positive) {
  std::optional<std::string> text = scalar(node, key);
  if (!text)
    return std::nullopt;
  double value;
  if (StringRef(*text).getAsDouble(value) || !std::isfinite(value) ||
      value < 0 || (positive && value == 0)) {
    fail(node, "'" + key + "' must be a " +
                   (positive ? "positive" : "non-negative") +
                   " number, found '" + *text + "'");
    return std::nullopt;
  }
  return value;
}

std::vector<yaml::Node *> AcceleratorParser::sequence(yaml::Node *node,
                                                      StringRef key) {
  std::vector<yaml::Node *> items;
  auto *seq = dyn_cast_or_null<yaml::SequenceNode>(node);
  if (!seq) {
    fail(node, "'" + key + "' must be a list");
    if (node)
      node->skip();
    return items;
  }
  for (yaml::Node &item : *seq)
    items.push_back(&item);
  return items;
}

/// Keys of ZigZag files that this model does not use; accepted so files
/// port unchanged.
bool ignoredMemoryKey(StringRef key) {
  return llvm::is_contained(
      {"area", "ports", "auto_cost_extraction", "mem_type",
       "force_double_buffering"},
      key);
}

void AcceleratorParser::memory(StringRef name, yaml::Node *node,
                               Accelerator &acc) {
  MemoryLevel level;
  level.name = name.str();
  std::optional<double> size, rbw, wbw, rcost, wcost, rgran, wgran;
  std::optional<double> rports, wports, rwports;
  bool hasOperands = false;
  std::string what = ("memory '" + name + "'").str();
  forEachKey(node, what, [&](StringRef key, yaml::Node *value) {
    if (key == "size")
      size = number(value, key, true);
    else if (key == "r_bw")
      rbw = number(value, key, true);
    else if (key == "w_bw")
      wbw = number(value, key, true);
    else if (key == "r_cost")
      rcost = number(value, key, false);
    else if (key == "w_cost")
      wcost = number(value, key, false);
    else if (key == "latency")
      level.latency = number(value, key, false).value_or(0);
    else if (key == "min_r_granularity")
      rgran = number(value, key, true);
    else if (key == "min_w_granularity")
      wgran = number(value, key, true);
    else if (key == "r_port")
      rports = wholeNumber(value, key);
    else if (key == "w_port")
      wports = wholeNumber(value, key);
    else if (key == "rw_port")
      rwports = wholeNumber(value, key);
    else if (key == "operands") {
      hasOperands = true;
      for (yaml::Node *item : sequence(value, key)) {
        std::optional<std::string> operand = scalar(item, key);
        if (!operand)
          continue;
        if (*operand == "I1")
          level.holds[I1] = true;
        else if (*operand == "I2")
          level.holds[I2] = true;
        else if (*operand == "O")
          level.holds[O] = true;
        else
          fail(item, "unknown operand '" + *operand +
                         "': expected I1 (inputs), I2 (weights) or O "
                         "(outputs)");
      }
    } else if (key == "served_dimensions") {
      auto &entry = served[acc.levels.size()];
      entry.second = value;
      for (yaml::Node *item : sequence(value, key))
        if (std::optional<std::string> dim = scalar(item, key))
          entry.first.push_back(*dim);
    } else if (ignoredMemoryKey(key)) {
      value->skip();
    } else {
      fail(value, "unknown key '" + key + "' in " + what +
                      " (expected size, r_bw, w_bw, r_cost, w_cost, latency, "
                      "operands, served_dimensions, min_r_granularity, "
                      "min_w_granularity, r_port, w_port, rw_port)");
      value->skip();
    }
  });
  struct Required {
    const char *key;
    std::optional<double> &value;
  } required[] = {{"size", size},     {"r_bw", rbw},    {"w_bw", wbw},
                  {"r_cost", rcost}, {"w_cost", wcost}};
  for (Required &r : required)
    if (!r.value)
      fail(node, what + " needs '" + r.key + "'");
  if (!hasOperands || llvm::none_of(level.holds, [](bool b) { return b; }))
    fail(node, what + " holds no operand: list 'operands' (I1, I2, O)");
  if (failed)
    return;
  level.sizeBits = *size;
  level.readBandwidth = *rbw;
  level.writeBandwidth = *wbw;
  level.readGranularity = std::min(rgran.value_or(*rbw), *rbw);
  level.writeGranularity = std::min(wgran.value_or(*wbw), *wbw);
  level.readCost = *rcost;
  level.writeCost = *wcost;
  // ZigZag's older files give port counts; absent, a level has one read
  // and one write port.
  if (rports || wports || rwports) {
    level.readPorts = static_cast<int64_t>(rports.value_or(0));
    level.writePorts = static_cast<int64_t>(wports.value_or(0));
    level.readWritePorts = static_cast<int64_t>(rwports.value_or(0));
  }
  if (!level.readable() && !level.writable()) {
    fail(node, what + " has no port: give it r_port, w_port or rw_port");
    return;
  }
  acc.levels.push_back(std::move(level));
  levelNodes.push_back(node);
}

void AcceleratorParser::operationalArray(yaml::Node *node, Accelerator &acc) {
  bool hasEnergy = false, hasSizes = false;
  forEachKey(node, "operational_array", [&](StringRef key, yaml::Node *value) {
    if (key == "unit_energy" || key == "multiplier_energy") {
      hasEnergy = true;
      acc.unitEnergy = number(value, key, false).value_or(0);
    } else if (key == "sizes") {
      hasSizes = true;
      acc.processingElements = 1;
      for (yaml::Node *item : sequence(value, key)) {
        std::optional<double> n = number(item, key, true);
        if (!n)
          continue;
        // Whole and below 2^62, so that the conversion is exact.
        std::optional<int64_t> product;
        if (*n == std::floor(*n) && *n < 0x1p62) {
          acc.sizes.push_back(static_cast<int64_t>(*n));
          product = checkedMul(acc.processingElements, acc.sizes.back());
        }
        if (!product) {
          fail(item, "'sizes' must be whole numbers whose product (the "
                     "number of processing elements) fits in 64 bits");
          continue;
        }
        acc.processingElements = *product;
      }
    } else if (key == "dimensions") {
      for (yaml::Node *item : sequence(value, key))
        if (std::optional<std::string> dim = scalar(item, key))
          acc.dimensions.push_back(*dim);
    } else if (llvm::is_contained({"unit_area",
                                   "multiplier_area", "operand_precision"},
                                  key)) {
      value->skip();
    } else {
      fail(value, "unknown key '" + key +
                      "' in operational_array (expected unit_energy, "
                      "dimensions, sizes)");
      value->skip();
    }
  });
  if (!hasEnergy || !hasSizes)
    fail(node, "operational_array needs 'unit_energy' and 'sizes'");
  else if (!acc.dimensions.empty() &&
           acc.dimensions.size() != acc.sizes.size())
    fail(node, "operational_array has " + Twine(acc.dimensions.size()) +
                   " dimensions but " + Twine(acc.sizes.size()) + " sizes");
  // Unnamed dimensions are D1, D2, ... as in ZigZag.
  for (size_t i = acc.dimensions.size(); i < acc.sizes.size(); ++i)
    acc.dimensions.push_back("D" + std::to_string(i + 1));
}

void AcceleratorParser::replicate(Accelerator &acc) {
  // Without served_dimensions, one instance serves the whole array.
  for (MemoryLevel &level : acc.levels)
    level.serves.assign(acc.sizes.size(), true);
  for (auto &[index, entry] : served) {
    MemoryLevel &level = acc.levels[index];
    level.serves.assign(acc.sizes.size(), false);
    for (const std::string &dim : entry.first) {
      auto it = llvm::find(acc.dimensions, dim);
      if (it == acc.dimensions.end()) {
        fail(entry.second, "memory '" + level.name + "' serves dimension '" +
                               dim +
                               "', which operational_array does not "
                               "list");
        return;
      }
      level.serves[it - acc.dimensions.begin()] = true;
    }
    level.instances = 1;
    for (size_t d = 0; d < acc.sizes.size(); ++d)
      if (!level.serves[d])
        level.instances *= acc.sizes[d];
  }
}

void AcceleratorParser::checkHierarchy(const Accelerator &acc,
                                       yaml::Node *root) {
  for (Operand operand : {I1, I2, O}) {
    std::vector<size_t> chain = acc.chain(operand);
    for (size_t j = 0; j < chain.size(); ++j) {
      const MemoryLevel &m = acc.levels[chain[j]];
      bool top = j + 1 == chain.size();
      std::string holds =
          (operandName(operand) + " (" + operandMeaning(operand) + ")").str();
      // Inputs and weights are written into every level but their top one
      // and read out of all; outputs are written into all and read out of
      // all but their top one, which the next layer reads as its inputs.
      bool written = operand == O || !top;
      bool read = operand != O || !top;
      std::string below =
          j ? "'" + acc.levels[chain[j - 1]].name + "'" : "the PEs";
      if (written && !m.writable())
        fail(levelNodes[chain[j]],
             "memory '" + m.name + "' holds " + holds +
                 " but has no write port (w_port or rw_port): " +
                 (operand == O
                      ? "the results of " + below + " cannot be written to it"
                      : "nothing can fill it from '" +
                            acc.levels[chain[j + 1]].name + "'"));
      if (read && !m.readable())
        fail(levelNodes[chain[j]],
             "memory '" + m.name + "' holds " + holds +
                 " but has no read port (r_port or rw_port): " +
                 (operand == O ? "its results cannot move on to '" +
                                     acc.levels[chain[j + 1]].name + "'"
                               : below + " cannot read it"));
    }
  }
  // Levels are listed innermost first: a level larger than the next one up
  // for the same operands is most likely listed in the wrong place.
  for (size_t level = 0; level < acc.levels.size(); ++level) {
    std::map<size_t, std::string> above;
    for (Operand operand : {I1, I2, O}) {
      std::vector<size_t> chain = acc.chain(operand);
      auto it = llvm::find(chain, level);
      if (it == chain.end() || it + 1 == chain.end())
        continue;
      std::string &operands = above[*(it + 1)];
      operands += (operands.empty() ? "" : ", ") + operandName(operand).str();
    }
    const MemoryLevel &m = acc.levels[level];
    for (auto &[upper, operands] : above) {
      const MemoryLevel &u = acc.levels[upper];
      double size = m.sizeBits * double(m.instances);
      double upperSize = u.sizeBits * double(u.instances);
      if (size > upperSize)
        warn(levelNodes[level],
             formatv("memory '{0}' ({1:F0} bits in all) is listed below "
                     "'{2}' ({3:F0} bits in all) for {4}, but is larger: "
                     "levels are listed innermost first; is '{0}' meant to "
                     "be above '{2}'?",
                     m.name, size, u.name, upperSize, operands));
    }
  }
  // A layer's results stay at the outputs' top level; the next layer reads
  // its inputs from the inputs' top level.
  const MemoryLevel &outputs = acc.levels[acc.chain(O).back()];
  const MemoryLevel &inputs = acc.levels[acc.chain(I1).back()];
  if (&outputs != &inputs)
    fail(root, "the outputs' top level '" + outputs.name +
                   "' is not the inputs' top level '" + inputs.name +
                   "': a layer's results cannot reach the next layer's "
                   "inputs; add I1 to '" +
                   outputs.name + "' or O to '" + inputs.name + "'");
}

void AcceleratorParser::precision(yaml::Node *node, Accelerator &acc) {
  forEachKey(node, "operand_precision", [&](StringRef key, yaml::Node *value) {
    double *field = key == "I1"   ? &acc.inputBits
                    : key == "I2" ? &acc.weightBits
                    : key == "O"  ? &acc.psumBits
                                  : nullptr;
    if (!field) {
      fail(value, "unknown operand '" + key +
                      "' in operand_precision (expected I1, I2, O)");
      value->skip();
      return;
    }
    if (std::optional<double> bits = number(value, key, true))
      *field = *bits;
  });
}

std::optional<Accelerator> AcceleratorParser::parse() {
  // Skipping a node recurses into its children: reject deep nesting first.
  if (std::optional<size_t> offset = findYAMLNestingExcess(text)) {
    SMLoc loc = SMLoc::getFromPointer(text.data() + *offset);
    stream.printError(SMRange(loc, loc), describeNestingExcess(*offset));
    return std::nullopt;
  }
  Accelerator acc;
  yaml::document_iterator doc = stream.begin();
  if (doc == stream.end() || !doc->getRoot()) {
    stream.printError(nullptr, "the accelerator file is empty");
    return std::nullopt;
  }
  yaml::Node *root = doc->getRoot();
  bool hasMemories = false, hasArray = false;
  forEachKey(root, "the accelerator", [&](StringRef key, yaml::Node *value) {
    if (key == "name") {
      acc.name = scalar(value, key).value_or("");
    } else if (key == "memories") {
      hasMemories = true;
      forEachKey(value, "memories", [&](StringRef name, yaml::Node *memoryNode) {
        memory(name, memoryNode, acc);
      });
    } else if (key == "operational_array") {
      hasArray = true;
      operationalArray(value, acc);
    } else if (key == "operand_precision") {
      precision(value, acc);
    } else {
      fail(value, "unknown key '" + key +
                      "' (expected name, memories, operational_array, "
                      "operand_precision)");
      value->skip();
    }
  });
  if (stream.failed() || failed)
    return std::nullopt;
  if (!hasMemories || !hasArray) {
    fail(root, "an accelerator needs 'memories' and 'operational_array'");
    return std::nullopt;
  }
  replicate(acc);
  if (failed)
    return std::nullopt;
  for (Operand operand : {I1, I2, O})
    if (acc.chain(operand).empty()) {
      fail(root, "no memory level holds operand " + operandName(operand) +
                     " (" + operandMeaning(operand) +
                     "): it has no top-level home; add it to a level's "
                     "operands");
      return std::nullopt;
    }
  checkHierarchy(acc, root);
  if (failed)
    return std::nullopt;
  return acc;
}

} // namespace

std::optional<Accelerator> Accelerator::parse(StringRef yaml, StringRef name,
                                              raw_ostream &errors) {
  return AcceleratorParser(yaml, name, errors).parse();
}

