//===- SpikeCoreDialect.cpp - spikecore dialect ---------------------------===//
//
// Part of SparseFlow.
//
//===----------------------------------------------------------------------===//

#include "sparseflow/Dialect/SpikeCore/SpikeCoreDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/JSON.h"

using namespace mlir;
using namespace sparseflow::spikecore;

#include "sparseflow/Dialect/SpikeCore/SpikeCoreDialect.cpp.inc"
#include "sparseflow/Dialect/SpikeCore/SpikeCoreEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "sparseflow/Dialect/SpikeCore/SpikeCoreAttributes.cpp.inc"

#define GET_OP_CLASSES
#include "sparseflow/Dialect/SpikeCore/SpikeCoreOps.cpp.inc"

void SpikeCoreDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "sparseflow/Dialect/SpikeCore/SpikeCoreAttributes.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "sparseflow/Dialect/SpikeCore/SpikeCoreOps.cpp.inc"
      >();
}

//===----------------------------------------------------------------------===//
// LayerOp
//===----------------------------------------------------------------------===//

int64_t LayerOp::getFanIn() {
  return cast<ShapedType>(getWeights().getType()).getDimSize(1);
}

int64_t LayerOp::getNeuronCount() {
  return cast<ShapedType>(getWeights().getType()).getDimSize(0);
}

LogicalResult LayerOp::verify() {
  auto weights = cast<ShapedType>(getWeights().getType());
  if (weights.getRank() != 2 || !weights.getElementType().isInteger(8))
    return emitOpError() << "expects [neurons, fan-in] i8 weights, found "
                         << weights;
  int64_t neurons = weights.getDimSize(0), fanIn = weights.getDimSize(1);
  if (auto bias = getBias()) {
    auto type = cast<ShapedType>(bias->getType());
    if (type.getRank() != 1 || type.getDimSize(0) != neurons ||
        !type.getElementType().isInteger(32))
      return emitOpError() << "expects a [" << neurons
                           << "] i32 bias, found " << type;
  }
  RankedTensorType input = getInput().getType(), result = getResult().getType();
  if (input.getRank() != 2 || input.getDimSize(1) != fanIn)
    return emitOpError() << "expects [N, " << fanIn << "] input, found "
                         << input;
  bool spikes = input.getElementType().isInteger(1);
  if (!spikes && !input.getElementType().isF32())
    return emitOpError() << "expects i1 spikes or f32 graded input, found "
                         << input.getElementType();
  if (spikes && !getSpikeInput())
    return emitOpError() << "has i1 input but no spike_input";
  if (!(getInputScale().convertToDouble() > 0))
    return emitOpError() << "expects a positive input_scale";
  Type element = getOutput() == OutputKind::spikes
                     ? Type(IntegerType::get(getContext(), 1))
                     : Type(Float32Type::get(getContext()));
  if (result.getRank() != 2 || result.getDimSize(0) != input.getDimSize(0) ||
      result.getDimSize(1) != neurons || result.getElementType() != element)
    return emitOpError() << "expects a " << input.getDimSize(0) << "x"
                         << neurons << "x" << element << " result for "
                         << stringifyOutputKind(getOutput())
                         << " output, found " << result;
  ArrayRef<double> scale = getScale();
  if (scale.size() != 1 && static_cast<int64_t>(scale.size()) != neurons)
    return emitOpError() << "expects 1 or " << neurons
                         << " scales, found " << scale.size();
  if (!llvm::all_of(scale, [](double s) { return s > 0; }))
    return emitOpError() << "expects positive scales";
  if (getOutput() == OutputKind::graded && !(getOutputScale().convertToDouble() > 0))
    return emitOpError() << "graded output expects a positive output_scale";

  if (getRoutine().empty()) {
    if (isAllocated())
      return emitOpError() << "is allocated but has no routine";
    return success();
  }
  if (!getFirstCore() || !getCores() || !getNeuronsPerCore())
    return emitOpError() << "has a routine but no core allocation "
                            "(first_core, cores, neurons_per_core)";
  int64_t n = *getNeuronsPerCore(), cores = *getCores();
  if (*getFirstCore() < 0 || n < 1 || cores < 1 ||
      (cores - 1) * n >= neurons || cores * n < neurons)
    return emitOpError() << cores << " cores of " << n
                         << " neurons do not hold exactly " << neurons
                         << " neurons";
  Block &body = getRoutine().front();
  if (body.empty() || !isa<HaltOp>(body.back()))
    return emitOpError() << "routine must end with spikecore.halt";
  return success();
}

//===----------------------------------------------------------------------===//
// Instructions
//===----------------------------------------------------------------------===//

namespace {

FailureOr<uint32_t> checkedAddress(Operation *op, int64_t base) {
  if (base < 0 || base > UINT32_MAX)
    return op->emitOpError() << "base " << base
                             << " does not fit a 32-bit address";
  return static_cast<uint32_t>(base);
}

FailureOr<uint8_t> checkedShift(Operation *op, int32_t shift) {
  if (shift < 0 || shift > 31)
    return op->emitOpError() << "shift " << shift << " is not in [0, 31]";
  return static_cast<uint8_t>(shift);
}

Reset toReset(ResetKind kind) {
  switch (kind) {
  case ResetKind::hard:
    return Reset::Hard;
  case ResetKind::soft:
    return Reset::Soft;
  case ResetKind::none:
    return Reset::None;
  }
  llvm_unreachable("unknown reset");
}

} // namespace

FailureOr<Instruction> sparseflow::spikecore::toInstruction(Operation *op) {
  Instruction inst;
  auto withAddress = [&](Opcode opcode, int64_t base) -> FailureOr<Instruction> {
    FailureOr<uint32_t> address = checkedAddress(op, base);
    if (failed(address))
      return failure();
    inst.opcode = opcode;
    inst.address = *address;
    return inst;
  };
  auto withFactor = [&](Opcode opcode, int32_t mul,
                        int32_t shift) -> LogicalResult {
    FailureOr<uint8_t> s = checkedShift(op, shift);
    if (failed(s))
      return failure();
    inst.opcode = opcode;
    inst.mul = mul;
    inst.shift = *s;
    return success();
  };
  return llvm::TypeSwitch<Operation *, FailureOr<Instruction>>(op)
      .Case([&](NopOp) { return inst; })
      .Case([&](HaltOp) {
        inst.opcode = Opcode::Halt;
        return inst;
      })
      .Case([&](OutOp) {
        inst.opcode = Opcode::Out;
        return inst;
      })
      .Case([&](AccOp acc) { return withAddress(Opcode::Acc, acc.getBase()); })
      .Case([&](BiasOp bias) -> FailureOr<Instruction> {
        if (bias.getBase() % 4)
          return bias.emitOpError()
                 << "base " << bias.getBase() << " is not a multiple of 4";
        return withAddress(Opcode::Bias, bias.getBase());
      })
      .Case([&](LeakOp leak) -> FailureOr<Instruction> {
        if (failed(withFactor(Opcode::Leak, leak.getMul(), leak.getShift())))
          return failure();
        inst.vleak = leak.getVleak();
        return inst;
      })
      .Case([&](FireGradedOp fire) -> FailureOr<Instruction> {
        if (failed(withFactor(Opcode::Fire, fire.getMul(), fire.getShift())))
          return failure();
        inst.graded = true;
        return inst;
      })
      .Case([&](FireOp fire) {
        inst.opcode = Opcode::Fire;
        inst.threshold = fire.getThreshold();
        inst.vreset = fire.getVreset();
        inst.reset = toReset(fire.getReset());
        inst.greater = fire.getGreater();
        return inst;
      })
      .Default([&](Operation *other) -> FailureOr<Instruction> {
        return other->emitOpError() << "is not a SpikeCore instruction";
      });
}

FailureOr<std::vector<uint32_t>>
sparseflow::spikecore::encodeRoutine(LayerOp layer) {
  if (layer.getRoutine().empty())
    return layer.emitOpError() << "has no routine; run spikecore-codegen";
  std::vector<uint32_t> words;
  for (Operation &op : layer.getRoutine().front()) {
    FailureOr<Instruction> inst = toInstruction(&op);
    if (failed(inst))
      return failure();
    encode(*inst, words);
  }
  return words;
}

LogicalResult sparseflow::spikecore::printAssembly(Operation *root,
                                                   raw_ostream &os) {
  SmallVector<LayerOp> layers;
  root->walk([&](LayerOp layer) { layers.push_back(layer); });
  if (layers.empty())
    return root->emitError()
           << "no SpikeCore layers to print; place layers on spikecore "
              "(--targets=spikecore or a placement file)";
  os << "; SpikeCore program: " << layers.size() << " layer"
     << (layers.size() == 1 ? "" : "s")
     << "; each core of a layer runs the layer's routine once per timestep\n";
  for (LayerOp layer : layers) {
    FailureOr<std::vector<uint32_t>> words = encodeRoutine(layer);
    if (failed(words))
      return failure();
    int64_t n = *layer.getNeuronsPerCore(), first = *layer.getFirstCore();
    os << "\n; layer " << layer.getName() << ": " << layer.getFanIn()
       << " inputs -> " << layer.getNeuronCount() << " neurons ("
       << stringifyOutputKind(layer.getOutput()) << " output, "
       << (layer.getSpikeInput() ? "spike" : "graded")
       << " input)\n"
       << "; cores " << first << "-" << first + *layer.getCores() - 1 << ", "
       << n << " neuron" << (n == 1 ? "" : "s") << " per core, "
       << layer.memoryBytes(n) << " B of memory per core\n";
    std::string text, error;
    if (!disassemble(words->data(), words->size(), text, error))
      return layer.emitError() << "internal error: " << error;
    os << text;
  }
  return success();
}

namespace {

/// A layer's weights and bias as integers, read before anything is printed.
struct LayerValues {
  LayerOp layer;
  std::vector<int8_t> weights;
  std::optional<std::vector<int32_t>> bias;
};

/// Writes `values` on one line (`[1,-2,3]`) as the next value of `json`, so
/// that an [M, K] matrix prints one row per line.
template <typename Range>
void printCompactArray(llvm::json::OStream &json, const Range &values) {
  json.rawValue([&](raw_ostream &os) {
    llvm::json::OStream row(os);
    row.array([&] {
      for (auto value : values)
        row.value(value);
    });
  });
}

/// `value` when set, else null.
llvm::json::Value optionalValue(std::optional<int64_t> value) {
  return value ? llvm::json::Value(*value) : llvm::json::Value(nullptr);
}

} // namespace

LogicalResult sparseflow::spikecore::printLayersJSON(Operation *root,
                                                     raw_ostream &os) {
  std::vector<LayerValues> layers;
  WalkResult walk = root->walk([&](LayerOp layer) {
    LayerValues entry{layer, {}, std::nullopt};
    auto weights = layer.getWeights().tryGetValues<int8_t>();
    if (!weights) {
      layer.emitOpError() << "has weights that cannot be read as int8 values";
      return WalkResult::interrupt();
    }
    entry.weights.assign(weights->begin(), weights->end());
    if (std::optional<ElementsAttr> bias = layer.getBias()) {
      auto values = bias->tryGetValues<int32_t>();
      if (!values) {
        layer.emitOpError() << "has a bias that cannot be read as int32 values";
        return WalkResult::interrupt();
      }
      entry.bias.emplace(values->begin(), values->end());
    }
    layers.push_back(std::move(entry));
    return WalkResult::advance();
  });
  if (walk.wasInterrupted())
    return failure();

  llvm::json::OStream json(os, /*IndentSize=*/2);
  json.object([&] {
    json.attributeArray("layers", [&] {
      for (LayerValues &entry : layers) {
        LayerOp layer = entry.layer;
        int64_t fanIn = layer.getFanIn(), neurons = layer.getNeuronCount();
        json.object([&] {
          json.attribute("name", layer.getName());
          json.attribute("fan_in", fanIn);
          json.attribute("neurons", neurons);
          json.attribute("spike_input", layer.getSpikeInput());
          json.attribute("input_scale",
                         layer.getInputScale().convertToDouble());
          json.attributeBegin("scale");
          printCompactArray(json, layer.getScale());
          json.attributeEnd();
          json.attribute("output", stringifyOutputKind(layer.getOutput()));
          json.attribute("leak_mul", layer.getLeakMul());
          json.attribute("leak_shift", layer.getLeakShift());
          json.attribute("threshold", layer.getThreshold());
          json.attribute("vreset", layer.getVreset());
          json.attribute("reset", stringifyResetKind(layer.getReset()));
          json.attribute("greater", layer.getGreater());
          json.attribute("out_mul", layer.getOutMul());
          json.attribute("out_shift", layer.getOutShift());
          json.attribute("output_scale",
                         layer.getOutputScale().convertToDouble());
          json.attribute("first_core", optionalValue(layer.getFirstCore()));
          json.attribute("cores", optionalValue(layer.getCores()));
          json.attribute("neurons_per_core",
                         optionalValue(layer.getNeuronsPerCore()));
          json.attributeBegin("bias");
          if (entry.bias)
            printCompactArray(json, *entry.bias);
          else
            json.value(nullptr);
          json.attributeEnd();
          json.attributeArray("weights", [&] {
            for (int64_t row = 0; row < neurons; ++row)
              printCompactArray(
                  json,
                  ArrayRef<int8_t>(entry.weights).slice(row * fanIn, fanIn));
          });
        });
      }
    });
  });
  os << "\n";
  return success();
}
