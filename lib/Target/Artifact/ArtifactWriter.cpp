//===- ArtifactWriter.cpp - an execution plan as a .sfa artifact ----------===//
//
// Part of SparseFlow.
//
// A serializer: every decision is already in the plan IR (see PlanPasses.td),
// so this numbers the tensors in IR order, places the constants in the data
// section and writes the FlatBuffer and the header.
//
//===----------------------------------------------------------------------===//

#include "sparseflow/Target/Artifact/ArtifactWriter.h"

#include "sparseflow/Dialect/Plan/PlanPasses.h"
#include "sparseflow/Dialect/Plan/PlanSchema.h"
#include "sparseflow/Dialect/Spike/SpikeDialect.h"
#include "sparseflow/Dialect/Spike/SpikeTargets.h"
#include "sparseflow/Dialect/SpikeCore/SpikeCoreDialect.h"
#include "sparseflow/Dialect/SpikeCore/SpikeCorePasses.h"
#include "sparseflow/format/artifact_format.h"
#include "sparseflow/format/op_catalogue.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/JSON.h"

#include <cstring>

using namespace mlir;
using namespace sparseflow;
namespace sfa = sparseflow::sfa;
namespace format = sparseflow::format;

#ifndef SPARSEFLOW_VERSION
#define SPARSEFLOW_VERSION "unknown"
#endif

namespace {

constexpr uint64_t kAlignment = SF_ARTIFACT_DATA_ALIGNMENT;

uint64_t alignUp(uint64_t value) {
  return (value + kAlignment - 1) / kAlignment * kAlignment;
}

/// The tables of the artifact, numbered in IR order.
struct TensorRecord {
  std::string name;
  std::vector<int64_t> shape;
  sfa::Storage storage;
  bool temporal;
  sfa::TensorKind kind;
  uint64_t dataOffset = 0, arenaOffset = 0, byteSize;
};

struct OpRecord {
  plan::KernelOp kernel;
  sfa::OpKind kind;
  std::vector<uint32_t> inputs, outputs;
};

struct Tables {
  spike::ModelAttr model;
  uint64_t arenaSize = 0;
  std::vector<TensorRecord> tensors;
  std::vector<OpRecord> ops;
  std::vector<uint32_t> inputs, outputs;
  std::vector<sfa::Target> targets;
  /// The constants, then the DRAM image at `dramOffset`.
  std::vector<uint8_t> data;
  uint64_t dramOffset = 0, dramSize = 0;
  std::optional<spike::SpikeCoreDescription> spikecore;
};

FailureOr<sfa::OpKind> opKind(plan::KernelOp kernel) {
  for (sfa::OpKind kind : sfa::EnumValuesOpKind())
    if (kernel.getKind() == sfa::EnumNameOpKind(kind))
      return kind;
  return kernel.emitOpError("unknown op kind '") << kernel.getKind() << "'";
}

FailureOr<Tables> collect(ModuleOp module, ArrayRef<uint8_t> dramImage) {
  if (failed(plan::verifyPlan(module)))
    return failure();
  Tables tables;
  tables.model = module->getAttrOfType<spike::ModelAttr>(
      spike::SpikeDialect::getModelAttrName());
  tables.arenaSize = module
                         ->getAttrOfType<IntegerAttr>(
                             plan::PlanDialect::getArenaSizeAttrName())
                         .getInt();
  if (auto json =
          module->getAttrOfType<StringAttr>(spikecore::kTargetAttrName)) {
    std::string error;
    tables.spikecore =
        spike::SpikeCoreDescription::parse(json.getValue(), error);
    if (!tables.spikecore)
      return module.emitError() << "the '" << spikecore::kTargetAttrName
                                << "' target description: " << error;
  }
  int64_t timesteps = tables.model.getTimesteps();
  auto entry = *module.getOps<func::FuncOp>().begin();

  DenseMap<Value, uint32_t> ids;
  auto add = [&](Value value, std::string name, uint64_t arenaOffset) {
    auto type = cast<plan::PlanTensorType>(value.getType());
    ids[value] = tables.tensors.size();
    tables.tensors.push_back(
        {std::move(name),
         std::vector<int64_t>(type.getShape().begin(), type.getShape().end()),
         plan::toSchema<sfa::Storage>(type.getStorage()), type.getTemporal(),
         sfa::TensorKind::Activation, 0, arenaOffset,
         type.getByteSize(timesteps)});
    return ids[value];
  };
  // Constants go to the data section, each at an aligned offset.
  auto addConstant = [&](plan::ConstantOp constant) {
    DenseElementsAttr elements = constant.getElements();
    ArrayRef<int64_t> shape = elements.getType().getShape();
    TensorRecord tensor{constant.getName().str(),
                        std::vector<int64_t>(shape.begin(), shape.end()),
                        sfa::Storage::F32,
                        /*temporal=*/false,
                        sfa::TensorKind::Constant,
                        alignUp(tables.data.size()),
                        /*arenaOffset=*/0,
                        elements.getNumElements() * sizeof(float)};
    tables.data.resize(tensor.dataOffset + tensor.byteSize);
    float *out =
        reinterpret_cast<float *>(tables.data.data() + tensor.dataOffset);
    for (float v : elements.getValues<float>())
      *out++ = v;
    ids[constant.getResult()] = tables.tensors.size();
    tables.tensors.push_back(std::move(tensor));
  };
  // The tensor of an operand; a constant is numbered where first read.
  auto idOf = [&](Value value) {
    if (auto constant = value.getDefiningOp<plan::ConstantOp>();
        constant && !ids.count(value))
      addConstant(constant);
    return ids.lookup(value);
  };
  for (BlockArgument arg : entry.getArguments())
    tables.inputs.push_back(add(
        arg, "input" + std::to_string(arg.getArgNumber()),
        entry
            .getArgAttrOfType<IntegerAttr>(
                arg.getArgNumber(), plan::PlanDialect::getArenaOffsetAttrName())
            .getInt()));

  for (Operation &op : entry.getBody().front()) {
    if (auto ret = dyn_cast<func::ReturnOp>(op)) {
      for (Value result : ret.getOperands())
        tables.outputs.push_back(idOf(result));
      continue;
    }
    if (isa<plan::ConstantOp>(op))
      continue; // Numbered where first read.
    auto kernel = cast<plan::KernelOp>(op);
    FailureOr<sfa::OpKind> kind = opKind(kernel);
    if (failed(kind))
      return failure();
    OpRecord record{kernel, *kind, {}, {}};
    for (Value input : kernel.getInputs())
      record.inputs.push_back(idOf(input));
    std::string name = kernel.getName().str();
    if (*kind == sfa::OpKind::Unpack)
      name += ".unpacked";
    record.outputs.push_back(
        add(kernel.getResult(), name, *kernel.getArenaOffset()));
    auto target = plan::toSchema<sfa::Target>(kernel.getTarget());
    if (!llvm::is_contained(tables.targets, target))
      tables.targets.push_back(target);
    tables.ops.push_back(std::move(record));
  }
  if (!dramImage.empty()) {
    tables.dramOffset = alignUp(tables.data.size());
    tables.dramSize = dramImage.size();
    tables.data.resize(tables.dramOffset);
    tables.data.insert(tables.data.end(), dramImage.begin(), dramImage.end());
  }
  return tables;
}

//===----------------------------------------------------------------------===//
// FlatBuffer
//===----------------------------------------------------------------------===//

/// Reads the parameters of one kernel; the first missing one is an error.
class Params {
public:
  explicit Params(plan::KernelOp kernel) : kernel(kernel) {}

  template <typename AttrT> AttrT get(StringRef name) {
    auto attr = kernel->getAttrOfType<AttrT>(name);
    if (!attr && !missing)
      missing = name;
    return attr;
  }
  std::vector<int64_t> i64s(StringRef name) {
    auto attr = get<DenseI64ArrayAttr>(name);
    return attr ? std::vector<int64_t>(attr.asArrayRef().begin(),
                                       attr.asArrayRef().end())
                : std::vector<int64_t>();
  }
  std::vector<float> f32s(StringRef name, bool optional = false) {
    auto attr = kernel->getAttrOfType<DenseF32ArrayAttr>(name);
    if (!attr && !optional && !missing)
      missing = name;
    return attr ? std::vector<float>(attr.asArrayRef().begin(),
                                     attr.asArrayRef().end())
                : std::vector<float>();
  }
  int64_t i64(StringRef name) {
    auto attr = get<IntegerAttr>(name);
    return attr ? attr.getInt() : 0;
  }
  /// A float parameter; when it is absent, `fallback` if it is `optional`.
  float f32(StringRef name, bool optional = false, float fallback = 0.0f) {
    auto attr = kernel->getAttrOfType<FloatAttr>(name);
    if (!attr && !optional && !missing)
      missing = name;
    return attr ? attr.getValue().convertToFloat() : fallback;
  }
  bool flag(StringRef name, bool optional = false) {
    auto attr = kernel->getAttrOfType<BoolAttr>(name);
    if (!attr && !optional && !missing)
      missing = name;
    return attr && attr.getValue();
  }
  LogicalResult check() {
    if (!missing)
      return success();
    return kernel.emitOpError("lacks the '")
           << *missing << "' parameter of a " << kernel.getKind() << " op";
  }

private:
  plan::KernelOp kernel;
  std::optional<StringRef> missing;
};

flatbuffers::Offset<sfa::Conv2dAttrs>
convAttrs(flatbuffers::FlatBufferBuilder &fbb, Params &p) {
  std::vector<int64_t> strides = p.i64s("strides"), pads = p.i64s("pads"),
                       dilations = p.i64s("dilations"),
                       kernel = p.i64s("kernel_shape");
  return sfa::CreateConv2dAttrsDirect(fbb, &strides, &pads, &dilations,
                                      p.i64("groups"), &kernel);
}

/// The neuron parameters of a LIF, CubaLIF or LI kernel; a non-spiking
/// one (LI) has no threshold, reset or fire mode.
FailureOr<flatbuffers::Offset<sfa::LIFAttrs>>
lifAttrs(flatbuffers::FlatBufferBuilder &fbb, Params &p, bool spiking = true) {
  std::vector<float> leak = p.f32s("leak"), gain = p.f32s("gain"),
                     vLeak = p.f32s("v_leak"),
                     threshold = p.f32s("v_threshold", !spiking),
                     vReset = p.f32s("v_reset", /*optional=*/true),
                     vInit = p.f32s("v_init"),
                     synLeak = p.f32s("syn_leak", /*optional=*/true),
                     synGain = p.f32s("syn_gain", /*optional=*/true);
  spike::ResetModeAttr resetAttr;
  spike::FireModeAttr fireAttr;
  bool delay = false;
  if (spiking) {
    resetAttr = p.get<spike::ResetModeAttr>("reset");
    fireAttr = p.get<spike::FireModeAttr>("fire");
    delay = p.flag("reset_delay");
  }
  if (failed(p.check()))
    return failure();
  sfa::ResetMode reset =
      resetAttr ? plan::toSchema<sfa::ResetMode>(resetAttr.getValue())
                : sfa::ResetMode::None;
  sfa::FireMode fire = fireAttr
                           ? plan::toSchema<sfa::FireMode>(fireAttr.getValue())
                           : sfa::FireMode::Gt;
  auto orNull = [](std::vector<float> &v) { return v.empty() ? nullptr : &v; };
  return sfa::CreateLIFAttrsDirect(fbb, &leak, &gain, &vLeak, orNull(threshold),
                                   &vReset, &vInit, reset, fire, delay,
                                   orNull(synLeak), orNull(synGain));
}

/// The attribute table of `op`, or 0 for a kind without one.
FailureOr<std::pair<sfa::OpAttrs, flatbuffers::Offset<void>>>
buildAttrs(flatbuffers::FlatBufferBuilder &fbb, OpRecord &op) {
  Params p(op.kernel);
  std::pair<sfa::OpAttrs, flatbuffers::Offset<void>> attrs{sfa::OpAttrs::NONE,
                                                           0};
  // One case per attribute table of the schema; the catalogue says which
  // table each op kind carries.
  switch (format::opInfo(op.kind)->attrs) {
  case sfa::OpAttrs::NONE:
    break;
  case sfa::OpAttrs::Conv2dAttrs:
    attrs = {sfa::OpAttrs::Conv2dAttrs, convAttrs(fbb, p).Union()};
    break;
  case sfa::OpAttrs::PoolAttrs: {
    std::vector<int64_t> kernel = p.i64s("kernel_shape"),
                         strides = p.i64s("strides"), pads = p.i64s("pads"),
                         dilations = p.i64s("dilations");
    // Only an average pool has it.
    bool countIncludePad = p.flag("count_include_pad", /*optional=*/true);
    attrs = {sfa::OpAttrs::PoolAttrs,
             sfa::CreatePoolAttrsDirect(fbb, &kernel, &strides, &pads,
                                        &dilations, p.flag("ceil_mode"),
                                        countIncludePad)
                 .Union()};
    break;
  }
  case sfa::OpAttrs::BatchNormAttrs: {
    attrs = {sfa::OpAttrs::BatchNormAttrs,
             sfa::CreateBatchNormAttrs(fbb, p.f32("epsilon")).Union()};
    break;
  }
  case sfa::OpAttrs::PadAttrs: {
    std::vector<int64_t> pads = p.i64s("pads");
    auto mode = p.get<spike::PadModeAttr>("mode");
    attrs = {sfa::OpAttrs::PadAttrs,
             sfa::CreatePadAttrsDirect(
                 fbb, &pads, p.f32("value"),
                 mode ? plan::toSchema<sfa::PadMode>(mode.getValue())
                      : sfa::PadMode::Constant)
                 .Union()};
    break;
  }
  case sfa::OpAttrs::SliceAttrs: {
    std::vector<int64_t> starts = p.i64s("starts"), steps = p.i64s("steps");
    attrs = {sfa::OpAttrs::SliceAttrs,
             sfa::CreateSliceAttrsDirect(fbb, &starts, &steps).Union()};
    break;
  }
  case sfa::OpAttrs::PointwiseAttrs: {
    static const std::pair<StringRef, sfa::PointwiseFunction> functions[] = {
        {"tanh", sfa::PointwiseFunction::Tanh},
        {"leaky_relu", sfa::PointwiseFunction::LeakyRelu},
        {"clip", sfa::PointwiseFunction::Clip},
        {"sqrt", sfa::PointwiseFunction::Sqrt}};
    auto name = p.get<StringAttr>("function");
    const auto *function = llvm::find_if(
        functions, [&](const auto &f) { return name && f.first == name; });
    if (function == std::end(functions))
      return op.kernel.emitOpError("has an unknown Pointwise function");
    const float inf = std::numeric_limits<float>::infinity();
    attrs = {sfa::OpAttrs::PointwiseAttrs,
             sfa::CreatePointwiseAttrs(fbb, function->second,
                                       p.f32("alpha", /*optional=*/true),
                                       p.f32("min", /*optional=*/true, -inf),
                                       p.f32("max", /*optional=*/true, inf))
                 .Union()};
    break;
  }
  case sfa::OpAttrs::LayerNormAttrs: {
    attrs = {sfa::OpAttrs::LayerNormAttrs,
             sfa::CreateLayerNormAttrs(fbb, p.f32("epsilon")).Union()};
    break;
  }
  case sfa::OpAttrs::SoftmaxAttrs:
    attrs = {sfa::OpAttrs::SoftmaxAttrs,
             sfa::CreateSoftmaxAttrs(fbb, p.flag("log")).Union()};
    break;
  case sfa::OpAttrs::TransposeAttrs: {
    std::vector<int64_t> permutation = p.i64s("permutation");
    attrs = {sfa::OpAttrs::TransposeAttrs,
             sfa::CreateTransposeAttrsDirect(fbb, &permutation).Union()};
    break;
  }
  case sfa::OpAttrs::ConcatAttrs:
    attrs = {sfa::OpAttrs::ConcatAttrs,
             sfa::CreateConcatAttrs(fbb, p.i64("axis")).Union()};
    break;
  case sfa::OpAttrs::LIFAttrs: {
    auto lif = lifAttrs(fbb, p, op.kind != sfa::OpKind::LI);
    if (failed(lif))
      return failure();
    attrs = {sfa::OpAttrs::LIFAttrs, lif->Union()};
    break;
  }
  case sfa::OpAttrs::SpikingLayerAttrs: {
    flatbuffers::Offset<sfa::Conv2dAttrs> conv = 0;
    if (op.kind == sfa::OpKind::Conv2dLIF)
      conv = convAttrs(fbb, p);
    auto lif = lifAttrs(fbb, p);
    if (failed(lif))
      return failure();
    attrs = {sfa::OpAttrs::SpikingLayerAttrs,
             sfa::CreateSpikingLayerAttrs(fbb, conv, *lif,
                                          p.flag("residual", /*optional=*/true))
                 .Union()};
    break;
  }
  case sfa::OpAttrs::SpikeCoreLayerAttrs: {
    int64_t fanIn = p.i64("fan_in"), neurons = p.i64("neurons"),
            perCore = p.i64("neurons_per_core"),
            firstCore = p.i64("first_core");
    auto inputScale = p.get<FloatAttr>("input_scale");
    auto output = p.get<spikecore::OutputKindAttr>("output");
    auto scales = p.get<DenseF64ArrayAttr>("output_scales");
    auto routine = p.get<DenseI32ArrayAttr>("routine");
    auto memory = p.get<DenseElementsAttr>("core_memory");
    if (failed(p.check()))
      return failure();
    int64_t bytes = memory.getType().getDimSize(1);
    auto image = memory.getRawData();
    std::vector<flatbuffers::Offset<sfa::SpikeCoreCore>> cores;
    for (int64_t core = 0, first = 0; first < neurons; ++core, first += perCore)
      cores.push_back(sfa::CreateSpikeCoreCore(
          fbb, first, std::min(perCore, neurons - first),
          fbb.CreateVector(reinterpret_cast<const uint8_t *>(image.data()) +
                               core * bytes,
                           bytes)));
    std::vector<double> outputScales(scales.asArrayRef().begin(),
                                     scales.asArrayRef().end());
    std::vector<uint32_t> words(routine.asArrayRef().begin(),
                                routine.asArrayRef().end());
    attrs = {sfa::OpAttrs::SpikeCoreLayerAttrs,
             sfa::CreateSpikeCoreLayerAttrsDirect(
                 fbb, fanIn, neurons, perCore, firstCore,
                 inputScale.getValueAsDouble(),
                 plan::toSchema<sfa::SpikeCoreOutput>(output.getValue()),
                 &outputScales, &words, &cores)
                 .Union()};
    break;
  }
  }
  if (failed(p.check()))
    return failure();
  return attrs;
}

LogicalResult buildFlatBuffer(Tables &tables,
                              flatbuffers::FlatBufferBuilder &fbb) {
  std::vector<flatbuffers::Offset<sfa::Tensor>> tensors;
  for (const TensorRecord &t : tables.tensors)
    tensors.push_back(sfa::CreateTensorDirect(
        fbb, t.name.c_str(), &t.shape, t.storage, t.temporal, t.kind,
        t.dataOffset, t.arenaOffset, t.byteSize));
  std::vector<flatbuffers::Offset<sfa::Op>> ops;
  for (OpRecord &op : tables.ops) {
    auto attrs = buildAttrs(fbb, op);
    if (failed(attrs))
      return failure();
    ops.push_back(
        sfa::CreateOpDirect(fbb, op.kernel.getName().str().c_str(), op.kind,
                            plan::toSchema<sfa::Target>(op.kernel.getTarget()),
                            plan::toSchema<sfa::Kernel>(op.kernel.getKernel()),
                            op.kernel.getBlockSize().value_or(0), &op.inputs,
                            &op.outputs, attrs->first, attrs->second));
  }
  flatbuffers::Offset<sfa::SpikeCoreTarget> spikecore = 0;
  if (tables.spikecore) {
    auto costs = [&](const auto &c) {
      return sfa::CreateSpikeCoreCosts(fbb, c.instruction, c.accEvent,
                                       c.synapse, c.neuron, c.spike);
    };
    auto cycles = costs(tables.spikecore->cycles);
    flatbuffers::Offset<sfa::SpikeCoreCosts> energy = 0;
    if (tables.spikecore->energyPj)
      energy = costs(*tables.spikecore->energyPj);
    spikecore = sfa::CreateSpikeCoreTarget(
        fbb, tables.spikecore->cores, tables.spikecore->neuronsPerCore,
        tables.spikecore->weightMemoryBytesPerCore, cycles, energy);
  }
  std::string producer = "sparseflow " SPARSEFLOW_VERSION;
  auto root = sfa::CreateModelDirect(
      fbb, producer.c_str(), tables.model.getTimesteps(),
      plan::toSchema<sfa::Encoding>(tables.model.getEncoding()),
      plan::toSchema<sfa::Readout>(tables.model.getReadout()), &tables.targets,
      &tensors, &ops, &tables.inputs, &tables.outputs, tables.arenaSize,
      spikecore, tables.dramOffset, tables.dramSize);
  sfa::FinishModelBuffer(fbb, root);
  return success();
}

} // namespace

LogicalResult sparseflow::writeArtifact(ModuleOp module,
                                        ArrayRef<uint8_t> dramImage,
                                        raw_ostream &os) {
  FailureOr<Tables> tables = collect(module, dramImage);
  if (failed(tables))
    return failure();
  flatbuffers::FlatBufferBuilder fbb;
  if (failed(buildFlatBuffer(*tables, fbb)))
    return failure();

  sf_artifact_header_t header;
  sf_artifact_header_init(&header, fbb.GetSize(), tables->data.size());
  // The body: plan, zero padding to the data section, data.
  std::vector<uint8_t> body(header.file_size - SF_ARTIFACT_HEADER_SIZE, 0);
  std::memcpy(body.data(), fbb.GetBufferPointer(), fbb.GetSize());
  if (!tables->data.empty())
    std::memcpy(body.data() + (header.data_offset - SF_ARTIFACT_HEADER_SIZE),
                tables->data.data(), tables->data.size());
  header.checksum = sf_crc32c(0, body.data(), body.size());

  os.write(reinterpret_cast<const char *>(&header), sizeof(header));
  os.write(reinterpret_cast<const char *>(body.data()), body.size());
  return success();
}

LogicalResult sparseflow::printPlanJSON(ModuleOp module,
                                        ArrayRef<uint8_t> dramImage,
                                        raw_ostream &os) {
  FailureOr<Tables> tables = collect(module, dramImage);
  if (failed(tables))
    return failure();
  llvm::json::Array tensors, ops;
  for (const TensorRecord &t : tables->tensors) {
    llvm::json::Object tensor{{"name", t.name},
                              {"shape", llvm::json::Array(t.shape)},
                              {"storage", sfa::EnumNameStorage(t.storage)},
                              {"temporal", t.temporal},
                              {"bytes", static_cast<int64_t>(t.byteSize)}};
    if (t.kind == sfa::TensorKind::Constant)
      tensor["data_offset"] = static_cast<int64_t>(t.dataOffset);
    else
      tensor["arena_offset"] = static_cast<int64_t>(t.arenaOffset);
    tensors.push_back(std::move(tensor));
  }
  for (OpRecord &op : tables->ops)
    ops.push_back(llvm::json::Object{
        {"kind", sfa::EnumNameOpKind(op.kind)},
        {"name", op.kernel.getName()},
        {"target", spike::stringifyTarget(op.kernel.getTarget())},
        {"kernel", plan::stringifyKernelKind(op.kernel.getKernel())},
        {"block", op.kernel.getBlockSize().value_or(0)},
        {"inputs", llvm::json::Array(op.inputs)},
        {"outputs", llvm::json::Array(op.outputs)}});
  llvm::json::Object root{
      {"timesteps", static_cast<int64_t>(tables->model.getTimesteps())},
      {"encoding", spike::stringifyEncoding(tables->model.getEncoding())},
      {"readout", spike::stringifyReadout(tables->model.getReadout())},
      {"arena_size", static_cast<int64_t>(tables->arenaSize)},
      {"data_size", static_cast<int64_t>(tables->data.size())},
      {"dram_offset", static_cast<int64_t>(tables->dramOffset)},
      {"dram_size", static_cast<int64_t>(tables->dramSize)},
      {"inputs", llvm::json::Array(tables->inputs)},
      {"outputs", llvm::json::Array(tables->outputs)},
      {"tensors", std::move(tensors)},
      {"ops", std::move(ops)}};
  os << llvm::formatv("{0:2}", llvm::json::Value(std::move(root))) << "\n";
  return success();
}
