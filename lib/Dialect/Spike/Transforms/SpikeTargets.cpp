//===- SpikeTargets.cpp - target capability tables ------------------------===//
//
// Part of SparseFlow.
//
//===----------------------------------------------------------------------===//

#include "sparseflow/Dialect/Spike/SpikeTargets.h"

#include "sparseflow/Dialect/Spike/SpikeOps.h"
#include "sparseflow/Support/InputLimits.h"
#include "sparseflow/format/window.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"

using namespace mlir;
using namespace sparseflow::spike;
namespace format = sparseflow::format;

//===----------------------------------------------------------------------===//
// SpikeCore description
//===----------------------------------------------------------------------===//

namespace {

/// The keys of a cost table, in JSON and in SpikeCoreCosts.
template <typename T> struct CostKey {
  StringRef key;
  T SpikeCoreCosts<T>::*member;
};
template <typename T> const CostKey<T> (&costKeys())[5] {
  static const CostKey<T> keys[] = {
      {"instruction", &SpikeCoreCosts<T>::instruction},
      {"acc_event", &SpikeCoreCosts<T>::accEvent},
      {"synapse", &SpikeCoreCosts<T>::synapse},
      {"neuron", &SpikeCoreCosts<T>::neuron},
      {"spike", &SpikeCoreCosts<T>::spike}};
  return keys;
}

template <typename Range, typename Key>
std::string joinKeys(const Range &range, Key key) {
  return llvm::join(llvm::map_range(range, key), ", ");
}

/// Parses a cost table under `name`: every key optional, values >= 0
/// (cycles: integers).
template <typename T>
bool parseCosts(const llvm::json::Value &entry, StringRef name,
                SpikeCoreCosts<T> &costs, std::string &error) {
  const llvm::json::Object *object = entry.getAsObject();
  if (!object) {
    error = llvm::formatv("'{0}' must be an object", name);
    return false;
  }
  for (const auto &[key, value] : *object) {
    const auto &keys = costKeys<T>();
    const CostKey<T> *cost = llvm::find_if(
        keys, [&](const CostKey<T> &k) { return k.key == StringRef(key); });
    if (cost == std::end(keys)) {
      error = llvm::formatv(
          "unknown key '{0}.{1}' (expected one of: {2})", name, key,
          joinKeys(keys, [](const CostKey<T> &k) { return k.key; }));
      return false;
    }
    std::optional<T> number;
    if constexpr (std::is_integral_v<T>)
      number = value.getAsInteger();
    else
      number = value.getAsNumber();
    if (!number || *number < 0 || *number > T(1 << 20)) {
      error = llvm::formatv("'{0}.{1}' must be {2} from 0 to {3}", name, key,
                            std::is_integral_v<T> ? "an integer" : "a number",
                            1 << 20);
      return false;
    }
    costs.*(cost->member) = *number;
  }
  return true;
}

template <typename T>
llvm::json::Object costsToJSON(const SpikeCoreCosts<T> &costs) {
  llvm::json::Object object;
  for (const CostKey<T> &k : costKeys<T>())
    object[k.key] = costs.*(k.member);
  return object;
}

struct SizeField {
  StringRef key;
  int64_t SpikeCoreDescription::*member;
  int64_t max;
};
const SizeField sizeFields[] = {
    {"cores", &SpikeCoreDescription::cores, 1 << 20},
    {"neurons_per_core", &SpikeCoreDescription::neuronsPerCore, 1 << 20},
    {"weight_memory_bytes_per_core",
     &SpikeCoreDescription::weightMemoryBytesPerCore, int64_t(1) << 32},
    {"max_fan_in", &SpikeCoreDescription::maxFanIn, 1 << 30},
    {"weight_bits", &SpikeCoreDescription::weightBits, 8},
    {"accumulator_bits", &SpikeCoreDescription::accumulatorBits, 32},
};

} // namespace

std::optional<SpikeCoreDescription>
SpikeCoreDescription::parse(StringRef json, std::string &error) {
  llvm::Expected<llvm::json::Value> value = parseJSONInput(json);
  if (!value) {
    error = llvm::toString(value.takeError());
    return std::nullopt;
  }
  const llvm::json::Object *object = value->getAsObject();
  if (!object) {
    error = "expected a JSON object of SpikeCore parameters";
    return std::nullopt;
  }
  SpikeCoreDescription description;
  for (const auto &[key, entry] : *object) {
    if (StringRef(key) == "cycles") {
      if (!parseCosts(entry, "cycles", description.cycles, error))
        return std::nullopt;
      continue;
    }
    if (StringRef(key) == "energy_pj") {
      description.energyPj = SpikeCoreCosts<double>{0, 0, 0, 0, 0};
      if (!parseCosts(entry, "energy_pj", *description.energyPj, error))
        return std::nullopt;
      continue;
    }
    const SizeField *field = llvm::find_if(
        sizeFields, [&](const SizeField &f) { return f.key == StringRef(key); });
    if (field == std::end(sizeFields)) {
      error = llvm::formatv(
          "unknown key '{0}' (expected one of: {1}, cycles, energy_pj)", key,
          joinKeys(sizeFields, [](const SizeField &f) { return f.key; }));
      return std::nullopt;
    }
    std::optional<int64_t> number = entry.getAsInteger();
    if (!number || *number < 1 || *number > field->max) {
      error = llvm::formatv("'{0}' must be an integer from 1 to {1}", key,
                            field->max);
      return std::nullopt;
    }
    description.*(field->member) = *number;
  }
  return description;
}

std::string SpikeCoreDescription::toJSON() const {
  llvm::json::Object object;
  for (const SizeField &field : sizeFields)
    object[field.key] = this->*(field.member);
  object["cycles"] = costsToJSON(cycles);
  if (energyPj)
    object["energy_pj"] = costsToJSON(*energyPj);
  std::string text;
  llvm::raw_string_ostream os(text);
  os << llvm::json::Value(std::move(object));
  return text;
}

std::optional<SpikeCoreDescription>
SpikeCoreDescription::load(StringRef path, std::string &error) {
  if (path.empty())
    return SpikeCoreDescription();
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buffer) {
    error = llvm::formatv("cannot read SpikeCore description '{0}': {1}", path,
                          buffer.getError().message());
    return std::nullopt;
  }
  std::optional<SpikeCoreDescription> description =
      parse((*buffer)->getBuffer(), error);
  if (!description)
    error = llvm::formatv("SpikeCore description '{0}': {1}", path, error);
  return description;
}

//===----------------------------------------------------------------------===//
// Capability tables
//===----------------------------------------------------------------------===//

namespace {

bool consumesSpikes(Operation *op) {
  return op->hasAttr(SpikeDialect::getSpikeInputAttrName());
}

/// Every kernel computes in f32 on analog values and reads spikes as i1.
std::optional<std::string> checkElementTypes(Operation *op) {
  auto check = [](Type type, StringRef what,
                  unsigned index) -> std::optional<std::string> {
    Type element = getElementTypeOrSelf(type);
    if (element.isF32() || element.isInteger(1))
      return std::nullopt;
    std::string found;
    llvm::raw_string_ostream os(found);
    os << element;
    return llvm::formatv("kernels compute in f32, found {0} on {1} #{2}",
                         found, what, index)
        .str();
  };
  for (auto [index, type] : llvm::enumerate(op->getOperandTypes()))
    if (auto reason = check(type, "operand", index))
      return reason;
  for (auto [index, type] : llvm::enumerate(op->getResultTypes()))
    if (auto reason = check(type, "result", index))
      return reason;
  return std::nullopt;
}

/// The binary-input conv kernel of the host and the gpu (the runtime's
/// SparseKernels.cpp and cuda/KernelBodies.h): any kernel size, stride,
/// padding and dilation; any groups on the host, 1 on the gpu. The artifact
/// lowering chooses it with this rule, so a target has it exactly where the
/// partitioner thinks.
std::optional<std::string> sparseConv(Conv2dOp conv, Target target) {
  if (format::sparseConvSupports(conv.getGroups(), target == Target::gpu
                                                       ? format::Target::Gpu
                                                       : format::Target::Host))
    return std::nullopt;
  return llvm::formatv("{0} block-sparse conv2d needs groups = 1, found {1}",
                       stringifyTarget(target), conv.getGroups())
      .str();
}

std::optional<std::string> spikecoreNeuronCount(const SpikeCoreDescription &sc,
                                                int64_t neurons) {
  if (neurons <= sc.cores * sc.neuronsPerCore)
    return std::nullopt;
  return llvm::formatv("{0} neurons exceed {1} cores x {2} neurons = {3}",
                       neurons, sc.cores, sc.neuronsPerCore,
                       sc.cores * sc.neuronsPerCore)
      .str();
}

/// `value`, or the model input it is a reshape or flatten of.
Value throughLayout(Value value) {
  Operation *op = value.getDefiningOp();
  if (op && isa<ReshapeOp, FlattenOp>(op) &&
      isa<BlockArgument>(op->getOperand(0)))
    return op->getOperand(0);
  return value;
}

std::optional<std::string> spikecoreLinear(const SpikeCoreDescription &sc,
                                           LinearOp linear) {
  Value input = linear.getInput();
  if (!consumesSpikes(linear) && !isa<BlockArgument>(throughLayout(input)) &&
      !input.getDefiningOp<ReluOp>())
    return std::string("its input is analog and neither a model input (or "
                       "a reshape of one) nor a spike.relu; spikecore takes "
                       "spike events, or graded events quantized from those");
  if (cast<RankedTensorType>(input.getType()).getRank() != 2)
    return std::string("spikecore layers take [N, features] input");
  if (!matchPattern(linear.getWeight(), m_Constant()))
    return std::string("its weight is not a constant; spikecore stores "
                       "quantized weights");
  auto weight = cast<RankedTensorType>(linear.getWeight().getType());
  int64_t neurons = weight.getDimSize(0), inputs = weight.getDimSize(1);
  if (inputs > sc.maxFanIn)
    return llvm::formatv("{0} inputs exceed the fan-in limit of {1} per neuron",
                         inputs, sc.maxFanIn)
        .str();
  int64_t need = (inputs * neurons * sc.weightBits + 7) / 8;
  int64_t have = sc.cores * sc.weightMemoryBytesPerCore;
  if (need > have)
    return llvm::formatv("{0} inputs x {1} neurons need {2} B of weight "
                         "memory; {3} cores x {4} B = {5} B available",
                         inputs, neurons, need, sc.cores,
                         sc.weightMemoryBytesPerCore, have)
        .str();
  return spikecoreNeuronCount(sc, neurons);
}

std::optional<std::string> spikecoreLIF(const SpikeCoreDescription &sc,
                                        LIFOp lif) {
  RankedTensorType input = lif.getInput().getType();
  if (input.getRank() != 2)
    return llvm::formatv("spikecore neurons take [N, features] input, found "
                         "rank {0}",
                         input.getRank())
        .str();
  if (!lif.getInput().getDefiningOp<LinearOp>())
    return std::string("its input is not computed by a spike.linear; a "
                       "spikecore neuron integrates weighted spike events");
  if (lif.getResetDelay())
    return std::string("reset_delay is not supported: FIRE resets in the "
                       "step that fires");
  if (!llvm::all_of(lif.getVLeak(), [](float v) { return v == 0.0f; }))
    return std::string("LEAK decays toward 0, so v_leak must be 0");
  if (!llvm::all_of(lif.getVInit(), [](float v) { return v == 0.0f; }))
    return std::string("membranes start at 0, so v_init must be 0");
  if (!llvm::all_equal(lif.getLeak()))
    return std::string("a layer's cores share one LEAK factor, so leak must "
                       "be the same for every channel");
  if (!llvm::all_of(lif.getGain(), [](float g) { return g > 0.0f; }))
    return std::string("gain must be positive: the membrane is kept in units "
                       "of gain times the weight scale");
  return spikecoreNeuronCount(sc, input.getDimSize(1));
}

std::optional<std::string> spikecoreRelu(const SpikeCoreDescription &sc,
                                         ReluOp relu) {
  auto input = cast<RankedTensorType>(relu.getInput().getType());
  if (input.getRank() != 2 || !relu.getInput().getDefiningOp<LinearOp>())
    return std::string("spikecore runs a relu only as the graded output of "
                       "the [N, features] spike.linear that feeds it");
  return spikecoreNeuronCount(sc, input.getDimSize(1));
}

} // namespace

std::optional<std::string>
TargetCapabilities::whyCannotRun(Operation *op, Target target) const {
  if (auto reason = checkElementTypes(op))
    return reason;
  // A recurrent neuron steps one timestep at a time, feeding its spikes
  // back: only the host has that kernel.
  bool recurrent = false;
  if (auto lif = dyn_cast<LIFOp>(op))
    recurrent = !lif.getRecurrent().empty();
  else if (auto lif = dyn_cast<CubaLIFOp>(op))
    recurrent = !lif.getRecurrent().empty();
  if (recurrent && target != Target::host)
    return llvm::formatv("{0} has no recurrent neurons (a neuron fed back its "
                         "own spikes); they run on the host",
                         stringifyTarget(target))
        .str();
  switch (target) {
  case Target::host:
  case Target::gpu:
    // Dense kernels exist for every other spike op on both.
    return std::nullopt;
  case Target::spikecore:
    if (auto linear = dyn_cast<LinearOp>(op))
      return spikecoreLinear(spikecore, linear);
    if (auto lif = dyn_cast<LIFOp>(op))
      return spikecoreLIF(spikecore, lif);
    if (auto relu = dyn_cast<ReluOp>(op))
      return spikecoreRelu(spikecore, relu);
    return "spikecore runs only spike.linear, spike.lif and spike.relu, not " +
           op->getName().getStringRef().str();
  }
  llvm_unreachable("unknown target");
}

std::optional<std::string>
TargetCapabilities::whyNoSpikeKernel(Operation *op, Target target) const {
  if (!consumesSpikes(op))
    return std::string("its input is not a spike train");
  if (auto reason = whyCannotRun(op, target))
    return reason;
  switch (target) {
  case Target::host:
  case Target::gpu:
    if (isa<LinearOp>(op))
      return std::nullopt;
    if (auto conv = dyn_cast<Conv2dOp>(op))
      return sparseConv(conv, target);
    // A product whose left operand is a neuron's spike train: AND +
    // popcount against spikes, selected rows of floats. (Floats times
    // spikes would add scattered columns: slower than the dense product.)
    if (auto product = dyn_cast<MatMulOp>(op)) {
      if (isSpikeTensor(product.getLhs()))
        return std::nullopt;
      return std::string("the product's left operand is not a neuron's "
                         "spike train");
    }
    return llvm::formatv("{0} has no spike kernel for {1}",
                         stringifyTarget(target), op->getName())
        .str();
  case Target::spikecore:
    // Every spikecore kernel is event-driven.
    return std::nullopt;
  }
  llvm_unreachable("unknown target");
}

std::optional<Target> sparseflow::spike::getTarget(Operation *op) {
  if (auto attr =
          op->getAttrOfType<TargetAttr>(SpikeDialect::getTargetAttrName()))
    return attr.getValue();
  return std::nullopt;
}

void sparseflow::spike::setTarget(Operation *op, Target target) {
  op->setAttr(SpikeDialect::getTargetAttrName(),
              TargetAttr::get(op->getContext(), target));
}

std::optional<SmallVector<Target>>
sparseflow::spike::parseTargetList(ArrayRef<std::string> names,
                                   std::string &error) {
  SmallVector<Target> targets;
  for (const std::string &name : names) {
    std::optional<Target> target = symbolizeTarget(name);
    if (!target) {
      error = "unknown target '" + name + "' (expected host, gpu or spikecore)";
      return std::nullopt;
    }
    if (llvm::is_contained(targets, *target)) {
      error = "target '" + name + "' is listed twice";
      return std::nullopt;
    }
    targets.push_back(*target);
  }
  if (targets.empty())
    targets.push_back(Target::host);
  return targets;
}
