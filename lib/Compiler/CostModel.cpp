//===- CostModel.cpp - activity-aware energy and latency estimates --------===//
//
// Part of SparseFlow.
//
// The dataflow (docs/hardware-modelling.md): per sample, each weight tile
// (tile outputs x tile inputs) whose input block holds a spike is fetched
// once from the weights' home into the level below it; input spines are
// streamed once per block of outputs; every spike accumulates into the
// partial sums of the outputs it reaches, which stay in the lowest level
// that holds a block of them, and leave once as outputs. A level that cannot
// hold a tile passes its whole demand up.
//
//===----------------------------------------------------------------------===//

#include "sparseflow/Compiler/CostModel.h"
#include "sparseflow/Support/InputLimits.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/CheckedArithmetic.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/YAMLParser.h"

#include <algorithm>
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
  std::vector<yaml::Node *> sequence(yaml::Node *node, StringRef key);
  void memory(StringRef name, yaml::Node *node, Accelerator &acc);
  void operationalArray(yaml::Node *node, Accelerator &acc);
  void precision(yaml::Node *node, Accelerator &acc);

  /// Replicates the levels by the array dimensions they do not serve.
  void replicate(Accelerator &acc);

  StringRef text;
  SourceMgr sourceMgr;
  yaml::Stream stream;
  bool failed = false;
  /// The PE array's dimension names and sizes, and each level's
  /// served_dimensions (by level index) with its node for messages.
  std::vector<std::string> dimensions;
  std::vector<int64_t> sizes;
  std::map<size_t, std::pair<std::vector<std::string>, yaml::Node *>> served;
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
      {"area", "r_port", "w_port", "rw_port", "ports",
       "auto_cost_extraction", "min_r_granularity", "min_w_granularity",
       "mem_type", "force_double_buffering"},
      key);
}

void AcceleratorParser::memory(StringRef name, yaml::Node *node,
                               Accelerator &acc) {
  MemoryLevel level;
  level.name = name.str();
  std::optional<double> size, rbw, wbw, rcost, wcost;
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
                      "operands)");
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
  level.readCost = *rcost;
  level.writeCost = *wcost;
  acc.levels.push_back(std::move(level));
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
          sizes.push_back(static_cast<int64_t>(*n));
          product = checkedMul(acc.processingElements, sizes.back());
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
          dimensions.push_back(*dim);
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
  else if (!dimensions.empty() && dimensions.size() != sizes.size())
    fail(node, "operational_array has " + Twine(dimensions.size()) +
                   " dimensions but " + Twine(sizes.size()) + " sizes");
}

void AcceleratorParser::replicate(Accelerator &acc) {
  for (auto &[index, entry] : served) {
    MemoryLevel &level = acc.levels[index];
    double servedSize = 1;
    for (const std::string &dim : entry.first) {
      auto it = llvm::find(dimensions, dim);
      if (it == dimensions.end()) {
        fail(entry.second, "memory '" + level.name + "' serves dimension '" +
                               dim + "', which operational_array does not "
                               "list");
        return;
      }
      servedSize *= sizes[it - dimensions.begin()];
    }
    level.instances = double(acc.processingElements) / servedSize;
    level.sizeBits *= level.instances;
    level.readBandwidth *= level.instances;
    level.writeBandwidth *= level.instances;
  }
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
  return acc;
}

} // namespace

std::optional<Accelerator> Accelerator::parse(StringRef yaml, StringRef name,
                                              raw_ostream &errors) {
  return AcceleratorParser(yaml, name, errors).parse();
}

//===----------------------------------------------------------------------===//
// Profiles
//===----------------------------------------------------------------------===//

std::optional<Profile> Profile::parse(StringRef text, StringRef name,
                                      raw_ostream &errors) {
  Expected<json::Value> value = parseJSONInput(text);
  if (!value) {
    errors << name << ": " << toString(value.takeError()) << "\n";
    return std::nullopt;
  }
  Profile profile;
  const json::Object *root = value->getAsObject();
  const json::Array *layers = root ? root->getArray("layers") : nullptr;
  std::optional<int64_t> timesteps =
      root ? root->getInteger("timesteps") : std::nullopt;
  if (!layers || !timesteps) {
    errors << name << ": expected the JSON of sf-run --profile-json, an "
                      "object with \"timesteps\" and \"layers\"\n";
    return std::nullopt;
  }
  profile.timesteps = *timesteps;
  for (auto [index, layer] : llvm::enumerate(*layers)) {
    const json::Object *o = layer.getAsObject();
    std::optional<StringRef> layerName = o ? o->getString("name") : std::nullopt;
    std::optional<StringRef> op = o ? o->getString("op") : std::nullopt;
    if (!layerName || !op) {
      errors << name << ": layers[" << index << "] lacks \"name\" or \"op\"\n";
      return std::nullopt;
    }
    Entry entry;
    entry.op = op->str();
    entry.spikeInput = o->getBoolean("spike_input").value_or(false);
    if (entry.spikeInput) {
      std::optional<double> density = o->getNumber("spike_density"),
                            silent = o->getNumber("silent_neuron_fraction"),
                            blocks = o->getNumber("active_block_fraction");
      if (!density || !silent || !blocks) {
        errors << name << ": layers[" << index << "] ('" << *layerName
               << "') reads spikes but lacks spike_density, "
                  "silent_neuron_fraction or active_block_fraction\n";
        return std::nullopt;
      }
      entry.density = *density;
      entry.activeNeurons = 1 - *silent;
      entry.activeBlocks = *blocks;
      entry.blockSize = o->getInteger("block_size").value_or(0);
    }
    profile.layers[layerName->str()].push_back(std::move(entry));
  }
  return profile;
}

//===----------------------------------------------------------------------===//
// The model
//===----------------------------------------------------------------------===//

namespace {

double ceilDiv(double a, double b) { return std::ceil(a / b); }

/// One layer's demand, per sample, in bits unless named otherwise.
struct Demand {
  double accumulates = 0, neuronUpdates = 0;
  double weightReads = 0;           // words read by the PEs
  double weightBits = 0;            // the layer's weights
  double inputBits = 0;             // the spines (or graded values) read
  double psumBits = 0, outputBits = 0;
  double outputBlocks = 1;          // tile rows
  /// Capacity: the whole operand at its home, one tile at the level below.
  std::array<double, kOperands> whole{}, tile{};
  std::array<std::string, kOperands> wholeText, tileText;
};

std::string bitsText(double bits) {
  return formatv("{0:F0} bits", bits).str();
}

Demand demandOf(const HardwareLayer &l, const Activity &a, int64_t T,
                const Accelerator &acc, double modelWeightBits) {
  Demand d;
  double macs = static_cast<double>(l.macsPerStep);
  double inputs = static_cast<double>(l.inputNeurons);
  double outputs = static_cast<double>(l.outputNeurons);
  double blockFraction = double(l.tile[1]) / double(l.weightShape[1]);
  double outFraction = double(l.tile[0]) / double(l.weightShape[0]);
  d.outputBlocks = ceilDiv(l.weightShape[0], l.tile[0]);
  if (l.spikeInput) {
    // Temporal-parallel: an active neuron's fan-out weights are read once
    // for all its spikes; each spike is one accumulate per fan-out.
    d.accumulates = a.density * T * macs;
    d.weightReads = a.activeNeurons * macs;
    // A spine: T bits and the neuron's index.
    double spine = T + std::ceil(std::log2(std::max(inputs, 2.0)));
    d.inputBits = a.activeNeurons * inputs * spine;
  } else {
    d.accumulates = T * macs;
    d.weightReads = macs;
    d.inputBits = inputs * T * acc.inputBits;
  }
  d.neuronUpdates = l.spikingOutput ? outputs * T : 0;
  d.weightBits = double(l.weights) * acc.weightBits;
  d.psumBits = outputs * T * acc.psumBits;
  d.outputBits = outputs * T * (l.spikingOutput ? 1 : acc.psumBits);

  double inputElementBits = l.spikeInput ? 1 : acc.inputBits;
  d.whole[I1] = inputs * T * inputElementBits;
  d.wholeText[I1] = formatv("the {0}-neuron input tensor over T = {1} (the "
                            "inter-layer tensor)",
                            l.inputNeurons, T);
  d.whole[I2] = modelWeightBits;
  d.wholeText[I2] = "every layer's weights";
  d.whole[O] = d.outputBits;
  d.wholeText[O] = formatv("the {0}-neuron output tensor over T = {1} (the "
                           "inter-layer tensor)",
                           l.outputNeurons, T);
  // A conv works through its output rows: one output row of a block of
  // outputs needs KH rows of a block of input channels.
  double inRows = l.conv ? double(l.weightShape[2]) / l.inputShape[1] : 1;
  double outRows = l.conv ? 1.0 / l.outputShape[1] : 1;
  d.tile[I1] = d.whole[I1] * blockFraction * inRows;
  d.tileText[I1] =
      l.conv ? formatv("one input block ({0} of {1} channels, {2} rows)",
                       l.tile[1], l.weightShape[1], l.weightShape[2])
                   .str()
             : formatv("one input block ({0} of {1} features)", l.tile[1],
                       l.weightShape[1])
                   .str();
  d.tile[I2] = double(l.tile[0]) * l.tile[1] * l.weightShape[2] *
               l.weightShape[3] * acc.weightBits;
  d.tileText[I2] = formatv("one weight tile {0}x{1}x{2}x{3}", l.tile[0],
                           l.tile[1], l.weightShape[2], l.weightShape[3]);
  d.tile[O] = d.psumBits * outFraction * outRows;
  d.tileText[O] = formatv("the partial sums over T of one output block ({0} "
                          "of {1} outputs{2})",
                          l.tile[0], l.weightShape[0],
                          l.conv ? ", one row" : "");
  return d;
}

/// Checks that every level holds what the dataflow keeps in it: each
/// operand whole at its top-level home, and one tile in the buffer right
/// below it. One error line per overfull level.
bool checkCapacity(const HardwareLayer &l, const Demand &d,
                   const Accelerator &acc, raw_ostream &errors) {
  bool ok = true;
  for (size_t level = 0; level < acc.levels.size(); ++level) {
    const MemoryLevel &m = acc.levels[level];
    double needed = 0, weightBits = 0, interLayerBits = 0;
    std::string parts;
    for (Operand operand : {I1, I2, O}) {
      std::vector<size_t> chain = acc.chain(operand);
      bool home = chain.back() == level;
      // The innermost level feeds the PEs word by word; a level between it
      // and the home buffers tiles, and the one right below the home must
      // hold one.
      bool buffer = chain.size() > 2 && chain[chain.size() - 2] == level;
      if (!home && !buffer)
        continue;
      double bits = home ? d.whole[operand] : d.tile[operand];
      needed += bits;
      parts += formatv("{0}{1} ({2}) {3}: {4}, {5}", parts.empty() ? "" : "; ",
                       operandName(operand), operandMeaning(operand),
                       home ? "at its top-level home" : "below its home",
                       home ? d.wholeText[operand] : d.tileText[operand],
                       bitsText(bits))
                   .str();
      if (home)
        (operand == I2 ? weightBits : interLayerBits) += bits;
    }
    if (needed <= m.sizeBits)
      continue;
    ok = false;
    errors << "error: layer '" << l.name << "': memory level '" << m.name
           << "' (" << bitsText(m.sizeBits) << ") cannot hold " << parts
           << " -- " << bitsText(needed) << " in all";
    bool weightsAlone = weightBits > m.sizeBits;
    if (weightsAlone)
      errors << "; the model's weights alone do not fit: give I2 a larger "
                "level above (e.g. a DRAM)";
    if (interLayerBits > (weightsAlone ? m.sizeBits : m.sizeBits - weightBits))
      errors << "; the inter-layer tensors have no room: give I1 and O a "
                "larger level above (e.g. a DRAM)";
    errors << "\n";
  }
  return ok;
}

void account(const MemoryLevel &m, Traffic &t, double readBits,
             double writeBits) {
  t.readBits += readBits;
  t.writeBits += writeBits;
  double reads = readBits / m.readBandwidth, writes = writeBits / m.writeBandwidth;
  t.energy += reads * m.readCost + writes * m.writeCost;
  t.cycles += reads + writes;
}

LayerCost costOf(const HardwareLayer &l, const Activity &a, const Demand &d,
                 const Accelerator &acc) {
  LayerCost c;
  c.name = l.name;
  c.spikeInput = l.spikeInput;
  c.activity = a;
  c.accumulates = d.accumulates;
  c.neuronUpdates = d.neuronUpdates;
  c.weightReads = d.weightReads;
  c.traffic.resize(acc.levels.size());
  auto at = [&](size_t level, Operand operand) -> Traffic & {
    return c.traffic[level][operand];
  };
  auto fits = [&](size_t level, double bits) {
    return acc.levels[level].sizeBits >= bits;
  };
  auto move = [&](size_t from, size_t to, Operand operand, double bits) {
    account(acc.levels[from], at(from, operand), bits, 0);
    account(acc.levels[to], at(to, operand), 0, bits);
  };

  // Weights: the PEs read their words from the innermost level; each level
  // that holds a tile is filled once per live tile, others pass on.
  std::vector<size_t> chain = acc.chain(I2);
  double demand = d.weightReads * acc.weightBits;
  account(acc.levels[chain[0]], at(chain[0], I2), demand, 0);
  for (size_t j = 0; j + 1 < chain.size(); ++j) {
    if (fits(chain[j], d.tile[I2]))
      demand = std::min(demand, d.weightBits * a.activeTiles);
    move(chain[j + 1], chain[j], I2, demand);
  }

  // Inputs: read once per output block; a level holding all of them is
  // filled once, one holding a block once per output block.
  chain = acc.chain(I1);
  demand = d.outputBlocks * d.inputBits;
  account(acc.levels[chain[0]], at(chain[0], I1), demand, 0);
  for (size_t j = 0; j + 1 < chain.size(); ++j) {
    if (fits(chain[j], d.whole[I1]))
      demand = std::min(demand, d.inputBits);
    move(chain[j + 1], chain[j], I1, demand);
  }

  // Outputs: each accumulate reads and writes a partial sum; above the
  // first level that holds a block of them only the results move.
  chain = acc.chain(O);
  double rmw = d.accumulates * acc.psumBits;
  account(acc.levels[chain[0]], at(chain[0], O), rmw, rmw);
  bool resident = false;
  for (size_t j = 0; j + 1 < chain.size(); ++j) {
    resident = resident || fits(chain[j], d.tile[O]);
    if (resident)
      move(chain[j], chain[j + 1], O, d.outputBits);
    else
      account(acc.levels[chain[j + 1]], at(chain[j + 1], O), rmw, rmw);
  }

  double operations = d.accumulates + d.neuronUpdates;
  c.computeEnergy = operations * acc.unitEnergy;
  c.computeCycles = std::ceil(operations / acc.processingElements);
  c.energy = c.computeEnergy;
  c.cycles = c.computeCycles;
  c.bound = "compute";
  double fill = 0;
  for (size_t level = 0; level < acc.levels.size(); ++level) {
    double cycles = 0;
    bool used = false;
    for (const Traffic &t : c.traffic[level]) {
      c.energy += t.energy;
      cycles += t.cycles;
      used |= t.readBits + t.writeBits > 0;
    }
    if (used)
      fill += acc.levels[level].latency;
    if (cycles > c.cycles) {
      c.cycles = std::ceil(cycles);
      c.bound = acc.levels[level].name;
    }
  }
  c.cycles += fill;
  return c;
}

/// The activity of `l`'s input: measured, or from the stated density
/// assuming independent spikes.
std::optional<Activity> activityOf(const HardwareLayer &l, int64_t T,
                                   const ActivityOptions &options,
                                   std::map<std::string, size_t> &seen,
                                   raw_ostream &errors) {
  Activity a;
  if (!l.spikeInput)
    return a;
  double blockNeurons =
      double(l.inputNeurons) * l.tile[1] / double(l.weightShape[1]);
  if (options.profile) {
    auto it = options.profile->layers.find(l.name);
    size_t &next = seen[l.name];
    const std::string op = l.conv ? "Conv2d" : "Linear";
    const Profile::Entry *entry = nullptr;
    if (it != options.profile->layers.end())
      for (; next < it->second.size() && !entry; ++next)
        if (it->second[next].op == op)
          entry = &it->second[next];
    if (!entry) {
      errors << "error: the profile has no " << op << " layer '" << l.name
             << "': profile a run of this model (sf-run --profile-json)\n";
      return std::nullopt;
    }
    if (!entry->spikeInput) {
      errors << "error: the profile's layer '" << l.name
             << "' has no spike counters: its artifact read the spikes "
                "unpacked; compile with the sparse kernels (the default)\n";
      return std::nullopt;
    }
    a.density = entry->density;
    a.activeNeurons = entry->activeNeurons;
    a.activeTiles =
        !l.conv && entry->blockSize == l.tile[1]
            ? entry->activeBlocks
            : 1 - std::pow(1 - a.activeNeurons, blockNeurons);
    return a;
  }
  a.density = *options.density;
  a.activeNeurons = 1 - std::pow(1 - a.density, double(T));
  a.activeTiles = 1 - std::pow(1 - a.activeNeurons, blockNeurons);
  return a;
}

} // namespace

std::optional<Estimate> hw::estimate(const std::vector<HardwareLayer> &layers,
                                     int64_t timesteps,
                                     const Accelerator &acc,
                                     const ActivityOptions &options,
                                     raw_ostream &errors) {
  if (options.profile && options.profile->timesteps != timesteps) {
    errors << "error: the profile was measured with T = "
           << options.profile->timesteps << ", the model runs T = "
           << timesteps << "\n";
    return std::nullopt;
  }
  Estimate e;
  e.accelerator = acc.name;
  e.activitySource = options.source;
  e.timesteps = timesteps;
  for (const MemoryLevel &m : acc.levels)
    e.levelNames.push_back(m.name);
  e.traffic.resize(acc.levels.size());

  double modelWeightBits = 0;
  for (const HardwareLayer &l : layers)
    modelWeightBits += double(l.weights) * acc.weightBits;
  bool ok = true;
  std::map<std::string, size_t> seen;
  for (const HardwareLayer &l : layers) {
    std::optional<Activity> a = activityOf(l, timesteps, options, seen, errors);
    if (!a) {
      ok = false;
      continue;
    }
    Demand d = demandOf(l, *a, timesteps, acc, modelWeightBits);
    if (!checkCapacity(l, d, acc, errors)) {
      ok = false;
      continue;
    }
    LayerCost c = costOf(l, *a, d, acc);
    for (size_t level = 0; level < acc.levels.size(); ++level)
      for (size_t operand = 0; operand < kOperands; ++operand)
        e.traffic[level][operand] += c.traffic[level][operand];
    e.computeEnergy += c.computeEnergy;
    e.energy += c.energy;
    e.cycles += c.cycles;
    e.layers.push_back(std::move(c));
  }
  if (!ok)
    return std::nullopt;
  return e;
}

//===----------------------------------------------------------------------===//
// Printing
//===----------------------------------------------------------------------===//

void Estimate::printText(raw_ostream &os) const {
  os << "accelerator: " << accelerator << ", T = " << timesteps
     << ", activity: " << activitySource << "\n\n";
  os << formatv("{0,-24} {1,8} {2,7} {3,14} {4,14} {5,12}  {6}\n", "layer",
                "density", "active", "accumulates", "energy (pJ)", "cycles",
                "bound");
  for (const LayerCost &c : layers) {
    std::string density =
        c.spikeInput ? formatv("{0:F4}", c.activity.density).str() : "graded";
    os << formatv("{0,-24} {1,8} {2,7:F3} {3,14:F0} {4,14:F1} {5,12:F0}  {6}\n",
                  c.name, density, c.activity.activeNeurons, c.accumulates,
                  c.energy, c.cycles, c.bound);
  }
  os << formatv("{0,-24} {1,8} {2,7} {3,14} {4,14:F1} {5,12:F0}\n", "total", "",
                "", "", energy, cycles);
  os << "\nenergy (pJ) per memory level and operand:\n";
  os << formatv("{0,-16} {1,14} {2,14} {3,14} {4,14}\n", "level", "I1 inputs",
                "I2 weights", "O outputs", "total");
  for (size_t level = 0; level < levelNames.size(); ++level) {
    const auto &t = traffic[level];
    os << formatv("{0,-16} {1,14:F1} {2,14:F1} {3,14:F1} {4,14:F1}\n",
                  levelNames[level], t[I1].energy, t[I2].energy, t[O].energy,
                  t[I1].energy + t[I2].energy + t[O].energy);
  }
  os << formatv("{0,-16} {1,14} {2,14} {3,14} {4,14:F1}\n", "compute", "", "",
                "", computeEnergy);
}

void Estimate::printJSON(raw_ostream &os) const {
  json::OStream j(os, 2);
  auto traffic = [&](const std::vector<std::array<Traffic, kOperands>> &t) {
    j.attributeArray("levels", [&] {
      for (size_t level = 0; level < levelNames.size(); ++level)
        j.object([&] {
          j.attribute("name", levelNames[level]);
          for (Operand operand : {I1, I2, O}) {
            const Traffic &x = t[level][operand];
            j.attributeObject(operandName(operand), [&] {
              j.attribute("read_bits", x.readBits);
              j.attribute("write_bits", x.writeBits);
              j.attribute("energy_pj", x.energy);
              j.attribute("cycles", x.cycles);
            });
          }
        });
    });
  };
  j.object([&] {
    j.attribute("accelerator", accelerator);
    j.attribute("timesteps", timesteps);
    j.attribute("activity", activitySource);
    j.attributeArray("layers", [&] {
      for (const LayerCost &c : layers)
        j.object([&] {
          j.attribute("name", c.name);
          j.attribute("spike_input", c.spikeInput);
          j.attribute("density", c.activity.density);
          j.attribute("active_neurons", c.activity.activeNeurons);
          j.attribute("active_tiles", c.activity.activeTiles);
          j.attribute("accumulates", c.accumulates);
          j.attribute("neuron_updates", c.neuronUpdates);
          j.attribute("weight_reads", c.weightReads);
          j.attribute("compute_energy_pj", c.computeEnergy);
          j.attribute("energy_pj", c.energy);
          j.attribute("cycles", c.cycles);
          j.attribute("bound", c.bound);
          traffic(c.traffic);
        });
    });
    j.attributeObject("total", [&] {
      j.attribute("compute_energy_pj", computeEnergy);
      j.attribute("energy_pj", energy);
      j.attribute("cycles", cycles);
      traffic(this->traffic);
    });
  });
  os << "\n";
}
