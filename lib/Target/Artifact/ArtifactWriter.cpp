//===- ArtifactWriter.cpp - partitioned spike IR to a .sfa artifact -------===//
//
// Part of SparseFlow.
//
// Three steps: lower the partitioned module to a plan (PlanBuilder: one
// tensor per value, one kernel call per op, partition calls inlined back in
// order), assign arena offsets to the activations (a static memory plan), and
// serialize (header + FlatBuffer plan + aligned constant data).
//
//===----------------------------------------------------------------------===//

#include "sparseflow/Target/Artifact/ArtifactWriter.h"

#include "sparseflow/Compiler/HardwareLayers.h"
#include "sparseflow/Dialect/Spike/SpikeDialect.h"
#include "sparseflow/Dialect/Spike/SpikeOps.h"
#include "sparseflow/Dialect/Spike/SpikePlacement.h"
#include "sparseflow/Dialect/Spike/SpikeTargets.h"
#include "sparseflow/Dialect/SpikeCore/SpikeCorePasses.h"
#include "sparseflow/Support/InputLimits.h"
#include "sparseflow/format/artifact_format.h"
#include "sparseflow/format/sfa_generated.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/CheckedArithmetic.h"
#include "llvm/Support/FormatVariadic.h"

#include <algorithm>
#include <cstring>
#include <functional>
#include <limits>

using namespace mlir;
using namespace sparseflow;
namespace sfa = sparseflow::sfa;

#ifndef SPARSEFLOW_VERSION
#define SPARSEFLOW_VERSION "unknown"
#endif

namespace {

constexpr uint64_t kAlignment = SF_ARTIFACT_DATA_ALIGNMENT;

uint64_t alignUp(uint64_t value, uint64_t alignment = kAlignment) {
  return (value + alignment - 1) / alignment * alignment;
}

/// How a constant's elements are ordered for the kernel that reads it.
enum class Arrangement {
  AsIs,
  /// A 2-D `[O, K]` weight stored `[K, O]`: the row of one input feature is
  /// contiguous over the outputs.
  Transposed,
  /// A conv weight `[O, C, KH, KW]` stored `[C, KH, KW, O]`: the outputs of
  /// one input channel and tap are contiguous (scatter-accumulate).
  ConvScatter,
};

struct PlanTensor {
  std::string name;
  SmallVector<int64_t> shape;
  sfa::Storage storage = sfa::Storage::F32;
  bool temporal = false;
  sfa::TensorKind kind = sfa::TensorKind::Activation;
  uint64_t dataOffset = 0;
  uint64_t arenaOffset = 0;
  uint64_t byteSize = 0;
  /// Live range in plan op indices: written by op `def` (-1: a model
  /// input), last read by op `lastUse`.
  int64_t def = -1;
  int64_t lastUse = -1;
};

using AttrsBuilder =
    std::function<flatbuffers::Offset<void>(flatbuffers::FlatBufferBuilder &)>;

struct PlanOp {
  sfa::OpKind kind;
  std::string name;
  sfa::Target target = sfa::Target::Host;
  sfa::Kernel kernel = sfa::Kernel::Dense;
  int64_t blockSize = 0;
  SmallVector<uint32_t> inputs, outputs;
  sfa::OpAttrs attrsType = sfa::OpAttrs::NONE;
  AttrsBuilder attrs;
};

sfa::Target toPlanTarget(spike::Target target) {
  switch (target) {
  case spike::Target::host:
    return sfa::Target::Host;
  case spike::Target::gpu:
    return sfa::Target::Gpu;
  case spike::Target::spikecore:
    return sfa::Target::SpikeCore;
  }
  llvm_unreachable("unknown target");
}

/// An error at `op` that names its ONNX node, since binary models have no
/// source lines to point at.
InFlightDiagnostic nodeError(Operation *op) {
  std::string node = spike::getNodeName(op->getLoc());
  InFlightDiagnostic diag = op->emitError();
  if (!node.empty())
    diag << "node '" << node << "' (" << op->getName() << "): ";
  return diag;
}

/// Lowers one partitioned module to tensors and kernel calls.
class PlanBuilder {
public:
  PlanBuilder(ModuleOp module, const ArtifactOptions &options)
      : module(module), options(options) {}

  LogicalResult build();
  /// Serializes the plan: the FlatBuffer and the data section.
  void serialize(flatbuffers::FlatBufferBuilder &fbb,
                 std::vector<uint8_t> &data);

private:
  LogicalResult lowerFunction(func::FuncOp func, spike::Target target);
  LogicalResult lowerOp(Operation *op, spike::Target target);
  LogicalResult
  lowerSpikeCoreLayer(spikecore::LayerOp layer, PlanOp &plan,
                      sfa::Storage &resultStorage,
                      function_ref<LogicalResult(Value, bool)> dataOperand);

  /// The tensor holding `value`'s activations or constant data.
  FailureOr<uint32_t> tensorFor(Value value, Operation *user);
  /// `value` as F32 elements: spikes are unpacked (once per value).
  FailureOr<uint32_t> denseTensorFor(Value value, Operation *user);
  /// A constant operand of `user`, arranged for its kernel.
  FailureOr<uint32_t> constantFor(Value value, Arrangement arrangement,
                                  Operation *user);
  uint32_t addActivation(Value value, sfa::Storage storage, bool temporal,
                         ArrayRef<int64_t> shape, std::string name);
  /// Appends `op` and records the live ranges of its tensors.
  void addOp(PlanOp op);
  LogicalResult planMemory();

  /// The SpikeCore target description, once a SpikeCore layer is lowered.
  std::optional<spike::SpikeCoreDescription> spikecore;

  bool isPacked(uint32_t tensor) const {
    return tensors[tensor].storage == sfa::Storage::PackedSpikes;
  }

  ModuleOp module;
  ArtifactOptions options;
  spike::ModelAttr model;
  SmallVector<PlanTensor> tensors;
  SmallVector<PlanOp> ops;
  SmallVector<uint32_t> inputs, outputs;
  std::vector<uint8_t> constantData;
  /// The DRAM spine image, stored after the constants (empty: none).
  std::vector<uint8_t> dramImage;
  uint64_t arenaSize = 0;
  DenseMap<Value, uint32_t> valueTensors;
  DenseMap<Value, uint32_t> unpackedTensors;
  DenseMap<std::pair<Value, int>, uint32_t> constantTensors;
  SmallVector<sfa::Target> usedTargets;
};

LogicalResult PlanBuilder::build() {
  model = module->getAttrOfType<spike::ModelAttr>(
      spike::SpikeDialect::getModelAttrName());
  if (!model)
    return module.emitError() << "expected the '"
                              << spike::SpikeDialect::getModelAttrName()
                              << "' attribute of an imported model";
  if (model.getTimesteps() > SF_MAX_TIMESTEPS)
    return module.emitError()
           << "timesteps " << model.getTimesteps()
           << " exceed the runtime's limit of " << SF_MAX_TIMESTEPS
           << " (a neuron's spikes over time are packed into one 64-bit word)";

  func::FuncOp entry;
  for (auto func : module.getOps<func::FuncOp>()) {
    if (!func.isPublic())
      continue;
    if (entry)
      return func.emitError() << "expected one public function (the model), "
                                 "found '"
                              << entry.getSymName() << "' and '"
                              << func.getSymName() << "'";
    entry = func;
  }
  if (!entry)
    return module.emitError() << "expected a public function (the model)";

  bool spikeInput = model.getEncoding() != spike::Encoding::direct;
  for (BlockArgument arg : entry.getArguments()) {
    auto type = dyn_cast<RankedTensorType>(arg.getType());
    if (!type || !type.hasStaticShape())
      return entry.emitError() << "model input #" << arg.getArgNumber()
                               << " must be a statically shaped tensor";
    if (!isSupportedTensorSize(type.getShape()))
      return entry.emitError()
             << "model input #" << arg.getArgNumber() << " (" << type
             << ") has more than 2^" << kMaxTensorElementsLog2
             << " elements (the limit for a tensor)";
    if (type.getNumElements() == 0)
      return entry.emitError() << "model input #" << arg.getArgNumber()
                               << " is empty (" << type
                               << "); the runtime does not support empty "
                                  "tensors";
    uint32_t id = addActivation(
        arg, spikeInput ? sfa::Storage::PackedSpikes : sfa::Storage::F32,
        spikeInput, type.getShape(), "input" + std::to_string(inputs.size()));
    inputs.push_back(id);
  }
  if (failed(lowerFunction(entry, spike::Target::host)))
    return failure();
  if (failed(planMemory()))
    return failure();
  return buildDramImage(module, dramImage);
}

LogicalResult PlanBuilder::lowerFunction(func::FuncOp func,
                                         spike::Target target) {
  if (auto own = spike::getTarget(func))
    target = *own;
  for (Operation &op : func.getBody().front()) {
    if (auto ret = dyn_cast<func::ReturnOp>(op)) {
      if (func.isPublic()) {
        for (Value result : ret.getOperands()) {
          FailureOr<uint32_t> id = denseTensorFor(result, ret);
          if (failed(id))
            return failure();
          outputs.push_back(*id);
        }
      }
      continue;
    }
    if (auto call = dyn_cast<func::CallOp>(op)) {
      auto callee =
          module.lookupSymbol<func::FuncOp>(call.getCalleeAttr().getAttr());
      if (!callee || callee.isExternal())
        return call.emitError() << "cannot inline call to '"
                                << call.getCallee() << "': no body";
      // The partition's arguments are the caller's values.
      for (auto [arg, operand] :
           llvm::zip(callee.getArguments(), call.getOperands())) {
        if (auto it = valueTensors.find(operand); it != valueTensors.end())
          valueTensors[arg] = it->second;
        else if (operand.getDefiningOp<arith::ConstantOp>())
          return call.emitError()
                 << "constant operands of partitions are not supported";
      }
      if (failed(lowerFunction(callee, target)))
        return failure();
      auto ret = cast<func::ReturnOp>(callee.getBody().front().back());
      for (auto [result, value] :
           llvm::zip(call.getResults(), ret.getOperands()))
        valueTensors[result] = valueTensors.lookup(value);
      continue;
    }
    if (isa<arith::ConstantOp>(op))
      continue; // Materialized by the ops that use it.
    if (failed(lowerOp(&op, spike::getTarget(&op).value_or(target))))
      return failure();
  }
  return success();
}

uint32_t PlanBuilder::addActivation(Value value, sfa::Storage storage,
                                    bool temporal, ArrayRef<int64_t> shape,
                                    std::string name) {
  PlanTensor tensor;
  tensor.name = std::move(name);
  tensor.shape.assign(shape.begin(), shape.end());
  tensor.storage = storage;
  tensor.temporal = temporal;
  int64_t copies = temporal && storage == sfa::Storage::F32
                       ? static_cast<int64_t>(model.getTimesteps())
                       : 1;
  int64_t elementSize = storage == sfa::Storage::F32 ? 4 : 8;
  // Every activation's shape passed isSupportedTensorSize and T <= 64, so
  // this is at most 2^56 bytes.
  tensor.byteSize = static_cast<uint64_t>(ShapedType::getNumElements(shape) * copies *
                                          elementSize);
  tensors.push_back(std::move(tensor));
  uint32_t id = tensors.size() - 1;
  if (value)
    valueTensors[value] = id;
  return id;
}

FailureOr<uint32_t> PlanBuilder::tensorFor(Value value, Operation *user) {
  if (auto it = valueTensors.find(value); it != valueTensors.end())
    return it->second;
  if (value.getDefiningOp<arith::ConstantOp>())
    return constantFor(value, Arrangement::AsIs, user);
  return nodeError(user) << "operand has no tensor in the execution plan";
}

FailureOr<uint32_t> PlanBuilder::denseTensorFor(Value value, Operation *user) {
  FailureOr<uint32_t> id = tensorFor(value, user);
  if (failed(id) || !isPacked(*id))
    return id;
  if (auto it = unpackedTensors.find(value); it != unpackedTensors.end())
    return it->second;
  PlanTensor &packed = tensors[*id];
  SmallVector<int64_t> shape = packed.shape;
  uint32_t unpacked = addActivation(Value(), sfa::Storage::F32,
                                    /*temporal=*/true, shape,
                                    packed.name + ".unpacked");
  PlanOp op;
  op.kind = sfa::OpKind::Unpack;
  op.name = tensors[*id].name;
  op.inputs = {*id};
  op.outputs = {unpacked};
  addOp(std::move(op));
  unpackedTensors[value] = unpacked;
  return unpacked;
}

FailureOr<uint32_t> PlanBuilder::constantFor(Value value,
                                             Arrangement arrangement,
                                             Operation *user) {
  auto key = std::make_pair(value, static_cast<int>(arrangement));
  if (auto it = constantTensors.find(key); it != constantTensors.end())
    return it->second;
  auto constant = value.getDefiningOp<arith::ConstantOp>();
  if (!constant)
    return nodeError(user)
           << "expected a constant weight operand; weights computed at run "
              "time are not supported by the runtime";
  auto elements = dyn_cast<DenseElementsAttr>(constant.getValue());
  auto type = dyn_cast<RankedTensorType>(constant.getType());
  if (!elements || !type || !isa<FloatType>(type.getElementType()))
    return nodeError(user) << "constant operand of type "
                             << constant.getType()
                             << " is not supported by the runtime "
                                "(expected dense floating-point elements)";

  // Every float type is stored as f32, the runtime's compute type.
  std::vector<float> values;
  values.reserve(elements.getNumElements());
  if (type.getElementType().isF32()) {
    for (float v : elements.getValues<float>())
      values.push_back(v);
  } else {
    for (APFloat v : elements.getValues<APFloat>()) {
      bool losesInfo = false;
      v.convert(APFloat::IEEEsingle(), APFloat::rmNearestTiesToEven,
                &losesInfo);
      values.push_back(v.convertToFloat());
    }
  }

  SmallVector<int64_t> shape(type.getShape());
  std::vector<float> arranged(values.size());
  switch (arrangement) {
  case Arrangement::AsIs:
    arranged = std::move(values);
    break;
  case Arrangement::Transposed: {
    int64_t rows = shape[0], cols = shape[1];
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < cols; ++c)
        arranged[c * rows + r] = values[r * cols + c];
    shape = {cols, rows};
    break;
  }
  case Arrangement::ConvScatter: {
    int64_t o = shape[0], c = shape[1], kh = shape[2], kw = shape[3];
    for (int64_t oi = 0; oi < o; ++oi)
      for (int64_t ci = 0; ci < c; ++ci)
        for (int64_t y = 0; y < kh; ++y)
          for (int64_t x = 0; x < kw; ++x)
            arranged[((ci * kh + y) * kw + x) * o + oi] =
                values[((oi * c + ci) * kh + y) * kw + x];
    shape = {c, kh, kw, o};
    break;
  }
  }

  PlanTensor tensor;
  tensor.name = spike::getNodeName(constant.getLoc());
  if (tensor.name.empty())
    tensor.name = "const" + std::to_string(constantTensors.size());
  tensor.shape = shape;
  tensor.kind = sfa::TensorKind::Constant;
  tensor.byteSize = arranged.size() * sizeof(float);
  tensor.dataOffset = alignUp(constantData.size());
  constantData.resize(tensor.dataOffset + tensor.byteSize);
  if (!arranged.empty())
    std::memcpy(constantData.data() + tensor.dataOffset, arranged.data(),
                tensor.byteSize);
  tensors.push_back(std::move(tensor));
  uint32_t id = tensors.size() - 1;
  constantTensors[key] = id;
  return id;
}

void PlanBuilder::addOp(PlanOp op) {
  int64_t index = ops.size();
  for (uint32_t id : op.inputs)
    tensors[id].lastUse = std::max(tensors[id].lastUse, index);
  for (uint32_t id : op.outputs) {
    tensors[id].def = index;
    tensors[id].lastUse = std::max(tensors[id].lastUse, index);
  }
  if (!llvm::is_contained(usedTargets, op.target))
    usedTargets.push_back(op.target);
  ops.push_back(std::move(op));
}

/// The attribute builders, one per attribute table of the schema.
AttrsBuilder windowAttrs(ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                         ArrayRef<int64_t> pads, ArrayRef<int64_t> dilations,
                         bool ceilMode, bool countIncludePad) {
  std::vector<int64_t> k(kernel.begin(), kernel.end()),
      s(strides.begin(), strides.end()), p(pads.begin(), pads.end()),
      d(dilations.begin(), dilations.end());
  return [=](flatbuffers::FlatBufferBuilder &fbb) {
    return sfa::CreatePoolAttrsDirect(fbb, &k, &s, &p, &d, ceilMode,
                                      countIncludePad)
        .Union();
  };
}

LogicalResult PlanBuilder::lowerOp(Operation *op, spike::Target target) {
  PlanOp plan;
  plan.name = spike::getNodeName(op->getLoc());
  plan.target = toPlanTarget(target);

  for (Type type : op->getResultTypes()) {
    auto tensorType = dyn_cast<RankedTensorType>(type);
    if (!tensorType || !tensorType.hasStaticShape() ||
        !(isa<FloatType>(tensorType.getElementType()) ||
          tensorType.getElementType().isInteger(1)))
      return nodeError(op) << "result type " << type
                           << " is not supported by the runtime (expected "
                                "a static float or spike tensor)";
    if (!isSupportedTensorSize(tensorType.getShape()))
      return nodeError(op) << "result type " << type << " has more than 2^"
                           << kMaxTensorElementsLog2
                           << " elements (the limit for a tensor)";
    if (tensorType.getNumElements() == 0)
      return nodeError(op) << "result type " << type
                           << " is empty; the runtime does not support "
                                "empty tensors";
  }

  // Lowers the data operand; the op's result is temporal when any data
  // operand is.
  bool temporal = false;
  auto dataOperand = [&](Value value, bool dense) -> LogicalResult {
    FailureOr<uint32_t> id =
        dense ? denseTensorFor(value, op) : tensorFor(value, op);
    if (failed(id))
      return failure();
    temporal |= tensors[*id].temporal;
    plan.inputs.push_back(*id);
    return success();
  };
  auto constantOperand = [&](Value value,
                             Arrangement arrangement) -> LogicalResult {
    if (!value)
      return success();
    FailureOr<uint32_t> id = constantFor(value, arrangement, op);
    if (failed(id))
      return failure();
    plan.inputs.push_back(*id);
    return success();
  };
  // Whether the data operands (all operands but constant weights) hold
  // packed spikes: spike-preserving ops then keep them packed, and conv and
  // linear read them with the sparse kernel.
  auto packedOperands = [&](ValueRange data) {
    if (!options.sparseKernels && isa<spike::Conv2dOp, spike::LinearOp>(op))
      return false;
    return llvm::all_of(data, [&](Value v) {
      auto it = valueTensors.find(v);
      return it != valueTensors.end() && isPacked(it->second);
    });
  };
  sfa::Storage resultStorage = sfa::Storage::F32;

  auto lowered =
      llvm::TypeSwitch<Operation *, LogicalResult>(op)
          .Case([&](spike::Conv2dOp conv) -> LogicalResult {
            plan.kind = sfa::OpKind::Conv2d;
            bool sparse =
                packedOperands(conv.getInput()) && conv.getGroups() == 1;
            plan.kernel = sparse ? sfa::Kernel::SparseBinary
                                 : sfa::Kernel::Dense;
            if (sparse)
              if (auto size = conv->getAttrOfType<IntegerAttr>(
                      spike::SpikeDialect::getBlockSizeAttrName()))
                plan.blockSize = size.getInt();
            auto weightShape =
                cast<RankedTensorType>(conv.getWeight().getType()).getShape();
            if (failed(dataOperand(conv.getInput(), !sparse)) ||
                failed(constantOperand(conv.getWeight(),
                                       sparse ? Arrangement::ConvScatter
                                              : Arrangement::AsIs)) ||
                failed(constantOperand(conv.getBias(), Arrangement::AsIs)))
              return failure();
            std::vector<int64_t> strides(conv.getStrides()),
                pads(conv.getPads()), dilations(conv.getDilations()),
                kernel{weightShape[2], weightShape[3]};
            int64_t groups = conv.getGroups();
            plan.attrsType = sfa::OpAttrs::Conv2dAttrs;
            plan.attrs = [=](flatbuffers::FlatBufferBuilder &fbb) {
              return sfa::CreateConv2dAttrsDirect(fbb, &strides, &pads,
                                                  &dilations, groups, &kernel)
                  .Union();
            };
            return success();
          })
          .Case([&](spike::LinearOp linear) -> LogicalResult {
            plan.kind = sfa::OpKind::Linear;
            bool sparse = packedOperands(linear.getInput());
            plan.kernel = sparse ? sfa::Kernel::SparseBinary
                                 : sfa::Kernel::Dense;
            if (sparse)
              if (auto size = linear->getAttrOfType<IntegerAttr>(
                      spike::SpikeDialect::getBlockSizeAttrName()))
                plan.blockSize = size.getInt();
            return success(
                succeeded(dataOperand(linear.getInput(), !sparse)) &&
                succeeded(constantOperand(linear.getWeight(),
                                          Arrangement::Transposed)) &&
                succeeded(
                    constantOperand(linear.getBias(), Arrangement::AsIs)));
          })
          .Case([&](spike::BatchNormOp bn) -> LogicalResult {
            plan.kind = sfa::OpKind::BatchNorm;
            float epsilon = bn.getEpsilon().convertToFloat();
            plan.attrsType = sfa::OpAttrs::BatchNormAttrs;
            plan.attrs = [=](flatbuffers::FlatBufferBuilder &fbb) {
              return sfa::CreateBatchNormAttrs(fbb, epsilon).Union();
            };
            if (failed(dataOperand(bn.getInput(), true)))
              return failure();
            for (Value param : {bn.getScale(), bn.getBias(), bn.getMean(),
                                bn.getVariance()})
              if (failed(constantOperand(param, Arrangement::AsIs)))
                return failure();
            return success();
          })
          .Case<spike::AddOp, spike::MulOp>([&](Operation *binary) {
            plan.kind = isa<spike::AddOp>(binary) ? sfa::OpKind::Add
                                                  : sfa::OpKind::Mul;
            return success(
                succeeded(dataOperand(binary->getOperand(0), true)) &&
                succeeded(dataOperand(binary->getOperand(1), true)));
          })
          .Case([&](spike::ReluOp relu) {
            plan.kind = sfa::OpKind::Relu;
            return dataOperand(relu.getInput(), true);
          })
          .Case([&](spike::MaxPool2dOp pool) {
            plan.kind = sfa::OpKind::MaxPool2d;
            bool packed = packedOperands(pool.getInput());
            if (packed)
              resultStorage = sfa::Storage::PackedSpikes;
            plan.attrsType = sfa::OpAttrs::PoolAttrs;
            plan.attrs = windowAttrs(pool.getKernelShape(), pool.getStrides(),
                                     pool.getPads(), pool.getDilations(),
                                     pool.getCeilMode(), false);
            return dataOperand(pool.getInput(), !packed);
          })
          .Case([&](spike::AvgPool2dOp pool) {
            plan.kind = sfa::OpKind::AvgPool2d;
            SmallVector<int64_t> dilations{1, 1};
            plan.attrsType = sfa::OpAttrs::PoolAttrs;
            plan.attrs = windowAttrs(pool.getKernelShape(), pool.getStrides(),
                                     pool.getPads(), dilations,
                                     pool.getCeilMode(),
                                     pool.getCountIncludePad());
            return dataOperand(pool.getInput(), true);
          })
          .Case([&](spike::GlobalAvgPoolOp pool) {
            plan.kind = sfa::OpKind::GlobalAvgPool;
            return dataOperand(pool.getInput(), true);
          })
          .Case<spike::FlattenOp, spike::ReshapeOp>([&](Operation *reshape) {
            plan.kind = sfa::OpKind::Reshape;
            bool packed = packedOperands(op->getOperands());
            if (packed)
              resultStorage = sfa::Storage::PackedSpikes;
            return dataOperand(reshape->getOperand(0), !packed);
          })
          .Case([&](spike::TransposeOp transpose) {
            plan.kind = sfa::OpKind::Transpose;
            bool packed = packedOperands(op->getOperands());
            if (packed)
              resultStorage = sfa::Storage::PackedSpikes;
            std::vector<int64_t> permutation(transpose.getPermutation());
            plan.attrsType = sfa::OpAttrs::TransposeAttrs;
            plan.attrs = [=](flatbuffers::FlatBufferBuilder &fbb) {
              return sfa::CreateTransposeAttrsDirect(fbb, &permutation)
                  .Union();
            };
            return dataOperand(transpose.getInput(), !packed);
          })
          .Case([&](spike::ConcatOp concat) -> LogicalResult {
            plan.kind = sfa::OpKind::Concat;
            bool packed = packedOperands(op->getOperands());
            if (packed)
              resultStorage = sfa::Storage::PackedSpikes;
            int64_t axis = concat.getAxis();
            plan.attrsType = sfa::OpAttrs::ConcatAttrs;
            plan.attrs = [=](flatbuffers::FlatBufferBuilder &fbb) {
              return sfa::CreateConcatAttrs(fbb, axis).Union();
            };
            for (Value input : concat.getInputs())
              if (failed(dataOperand(input, !packed)))
                return failure();
            return success();
          })
          .Case([&](spike::LIFOp lif) {
            plan.kind = sfa::OpKind::LIF;
            resultStorage = sfa::Storage::PackedSpikes;
            auto vec = [](ArrayRef<float> values) {
              return std::vector<float>(values.begin(), values.end());
            };
            std::vector<float> leak = vec(lif.getLeak()),
                               gain = vec(lif.getGain()),
                               vLeak = vec(lif.getVLeak()),
                               threshold = vec(lif.getVThreshold()),
                               vReset = vec(lif.getVReset().value_or(
                                   ArrayRef<float>{})),
                               vInit = vec(lif.getVInit());
            auto reset = static_cast<sfa::ResetMode>(lif.getReset());
            auto fire = static_cast<sfa::FireMode>(lif.getFire());
            bool delay = lif.getResetDelay();
            plan.attrsType = sfa::OpAttrs::LIFAttrs;
            plan.attrs = [=](flatbuffers::FlatBufferBuilder &fbb) {
              return sfa::CreateLIFAttrsDirect(fbb, &leak, &gain, &vLeak,
                                               &threshold, &vReset, &vInit,
                                               reset, fire, delay)
                  .Union();
            };
            return dataOperand(lif.getInput(), true);
          })
          .Case([&](spikecore::LayerOp layer) {
            plan.target = sfa::Target::SpikeCore;
            return lowerSpikeCoreLayer(layer, plan, resultStorage,
                                       dataOperand);
          })
          .Default([&](Operation *other) {
            return nodeError(other) << "the op is not supported by the runtime";
          });
  if (failed(lowered))
    return failure();

  auto type = cast<RankedTensorType>(op->getResult(0).getType());
  bool resultTemporal = temporal || plan.kind == sfa::OpKind::LIF ||
                        plan.kind == sfa::OpKind::SpikeCoreLayer;
  std::string name = plan.name.empty()
                         ? op->getName().stripDialect().str() +
                               std::to_string(ops.size())
                         : plan.name;
  plan.outputs.push_back(addActivation(op->getResult(0), resultStorage,
                                       resultTemporal, type.getShape(),
                                       name));
  addOp(std::move(plan));
  return success();
}

LogicalResult PlanBuilder::lowerSpikeCoreLayer(
    spikecore::LayerOp layer, PlanOp &plan, sfa::Storage &resultStorage,
    function_ref<LogicalResult(Value, bool)> dataOperand) {
  if (!layer.isAllocated())
    return nodeError(layer) << "the layer has no cores; run spikecore-codegen";
  if (!spikecore) {
    auto json = module->getAttrOfType<StringAttr>(spikecore::kTargetAttrName);
    std::string error;
    if (json)
      spikecore = spike::SpikeCoreDescription::parse(json.getValue(), error);
    if (!spikecore)
      return module.emitError()
             << "expected the '" << spikecore::kTargetAttrName
             << "' target description of spikecore-codegen"
             << (error.empty() ? "" : ": " + error);
  }
  FailureOr<std::vector<uint32_t>> routine = spikecore::encodeRoutine(layer);
  if (failed(routine))
    return failure();
  plan.kind = sfa::OpKind::SpikeCoreLayer;
  bool spikes = layer.getSpikeInput();
  if (failed(dataOperand(layer.getInput(), !spikes)))
    return failure();
  if (spikes && !isPacked(plan.inputs.back()))
    return nodeError(layer) << "expected the spike input packed over time";
  if (layer.getOutput() == spikecore::OutputKind::spikes)
    resultStorage = sfa::Storage::PackedSpikes;

  // Each core's memory image: weight rows of n bytes per input axon, then
  // the int32 biases.
  const int64_t k = layer.getFanIn(), m = layer.getNeuronCount();
  const int64_t n = *layer.getNeuronsPerCore();
  auto weights = cast<DenseElementsAttr>(layer.getWeights());
  std::vector<int8_t> q(weights.getValues<int8_t>().begin(),
                        weights.getValues<int8_t>().end());
  std::vector<int32_t> bias;
  if (auto b = layer.getBias())
    for (int32_t v : cast<DenseElementsAttr>(*b).getValues<int32_t>())
      bias.push_back(v);
  struct Core {
    uint32_t first, count;
    std::vector<uint8_t> memory;
  };
  std::vector<Core> cores;
  for (int64_t first = 0; first < m; first += n) {
    Core core{static_cast<uint32_t>(first),
              static_cast<uint32_t>(std::min(n, m - first)),
              std::vector<uint8_t>(layer.memoryBytes(n), 0)};
    for (int64_t i = 0; i < core.count; ++i) {
      for (int64_t a = 0; a < k; ++a)
        core.memory[a * n + i] = static_cast<uint8_t>(q[(first + i) * k + a]);
      if (!bias.empty()) {
        uint32_t v = static_cast<uint32_t>(bias[first + i]);
        for (int byte = 0; byte < 4; ++byte)
          core.memory[spikecore::LayerOp::biasOffset(k, n) + 4 * i + byte] =
              static_cast<uint8_t>(v >> (8 * byte));
      }
    }
    cores.push_back(std::move(core));
  }
  std::vector<double> scales;
  if (layer.getOutput() == spikecore::OutputKind::graded)
    scales.push_back(layer.getOutputScale().convertToDouble());
  else
    scales.assign(layer.getScale().begin(), layer.getScale().end());
  auto output = static_cast<sfa::SpikeCoreOutput>(layer.getOutput());
  uint32_t firstCore = static_cast<uint32_t>(*layer.getFirstCore());
  double inputScale = layer.getInputScale().convertToDouble();
  plan.attrsType = sfa::OpAttrs::SpikeCoreLayerAttrs;
  plan.attrs = [=, words = std::move(*routine),
                cores = std::move(cores)](flatbuffers::FlatBufferBuilder &fbb) {
    std::vector<flatbuffers::Offset<sfa::SpikeCoreCore>> coreOffsets;
    for (const Core &core : cores)
      coreOffsets.push_back(sfa::CreateSpikeCoreCoreDirect(
          fbb, core.first, core.count, &core.memory));
    return sfa::CreateSpikeCoreLayerAttrsDirect(
               fbb, k, m, n, firstCore, inputScale, output, &scales, &words,
               &coreOffsets)
        .Union();
  };
  return success();
}

/// Offsets for the activations: tensors whose live ranges overlap get
/// disjoint byte ranges. Greedy by decreasing size, each tensor at the lowest
/// offset that fits between the tensors already placed that are live at the
/// same time (the TFLite "greedy by size" planner). Fails when the arena would
/// not fit int64_t.
LogicalResult PlanBuilder::planMemory() {
  int64_t end = ops.size();
  for (uint32_t id : inputs)
    tensors[id].def = -1;
  for (uint32_t id : outputs)
    tensors[id].lastUse = end;

  SmallVector<uint32_t> order;
  for (auto [id, tensor] : llvm::enumerate(tensors))
    if (tensor.kind == sfa::TensorKind::Activation)
      order.push_back(id);
  llvm::stable_sort(order, [&](uint32_t a, uint32_t b) {
    return tensors[a].byteSize > tensors[b].byteSize;
  });

  SmallVector<uint32_t> placed;
  for (uint32_t id : order) {
    PlanTensor &tensor = tensors[id];
    SmallVector<std::pair<uint64_t, uint64_t>> busy;
    for (uint32_t other : placed) {
      const PlanTensor &o = tensors[other];
      if (o.def <= tensor.lastUse && tensor.def <= o.lastUse)
        busy.push_back({o.arenaOffset, o.arenaOffset + alignUp(o.byteSize)});
    }
    llvm::sort(busy);
    uint64_t offset = 0;
    for (auto [begin, finish] : busy) {
      if (offset + tensor.byteSize <= begin)
        break;
      offset = std::max(offset, finish);
    }
    // Offsets and sizes are below 2^63, so only this sum can overflow.
    std::optional<uint64_t> finish =
        llvm::checkedAddUnsigned(offset, alignUp(tensor.byteSize));
    if (!finish || *finish > uint64_t(std::numeric_limits<int64_t>::max()))
      return module.emitError()
             << "the activations do not fit a 2^63-byte arena (tensor '"
             << tensor.name << "' of " << tensor.byteSize << " bytes)";
    tensor.arenaOffset = offset;
    arenaSize = std::max(arenaSize, *finish);
    placed.push_back(id);
  }
  return success();
}

void PlanBuilder::serialize(flatbuffers::FlatBufferBuilder &fbb,
                            std::vector<uint8_t> &data) {
  std::vector<flatbuffers::Offset<sfa::Tensor>> tensorOffsets;
  for (const PlanTensor &t : tensors) {
    std::vector<int64_t> shape(t.shape.begin(), t.shape.end());
    tensorOffsets.push_back(sfa::CreateTensorDirect(
        fbb, t.name.c_str(), &shape, t.storage, t.temporal, t.kind,
        t.dataOffset, t.arenaOffset, t.byteSize));
  }
  std::vector<flatbuffers::Offset<sfa::Op>> opOffsets;
  for (const PlanOp &op : ops) {
    std::vector<uint32_t> in(op.inputs.begin(), op.inputs.end()),
        out(op.outputs.begin(), op.outputs.end());
    flatbuffers::Offset<void> attrs = op.attrs ? op.attrs(fbb) : 0;
    opOffsets.push_back(sfa::CreateOpDirect(
        fbb, op.name.c_str(), op.kind, op.target, op.kernel, op.blockSize,
        &in, &out, op.attrsType, attrs));
  }
  std::vector<sfa::Target> targets(usedTargets.begin(), usedTargets.end());
  std::vector<uint32_t> in(inputs.begin(), inputs.end()),
      out(outputs.begin(), outputs.end());
  std::string producer = "sparseflow " SPARSEFLOW_VERSION;
  flatbuffers::Offset<sfa::SpikeCoreTarget> spikecoreOffset = 0;
  if (spikecore) {
    auto costs = [&](const auto &c) {
      return sfa::CreateSpikeCoreCosts(fbb, c.instruction, c.accEvent,
                                       c.synapse, c.neuron, c.spike);
    };
    auto cycles = costs(spikecore->cycles);
    flatbuffers::Offset<sfa::SpikeCoreCosts> energy = 0;
    if (spikecore->energyPj)
      energy = costs(*spikecore->energyPj);
    spikecoreOffset = sfa::CreateSpikeCoreTarget(
        fbb, spikecore->cores, spikecore->neuronsPerCore,
        spikecore->weightMemoryBytesPerCore, cycles, energy);
  }
  uint64_t dramOffset = 0;
  if (!dramImage.empty()) {
    dramOffset = alignUp(constantData.size());
    constantData.resize(dramOffset);
    constantData.insert(constantData.end(), dramImage.begin(),
                        dramImage.end());
  }
  auto root = sfa::CreateModelDirect(
      fbb, producer.c_str(), model.getTimesteps(),
      static_cast<sfa::Encoding>(model.getEncoding()),
      static_cast<sfa::Readout>(model.getReadout()), &targets, &tensorOffsets,
      &opOffsets, &in, &out, arenaSize, spikecoreOffset, dramOffset,
      dramImage.size());
  sfa::FinishModelBuffer(fbb, root);
  data = std::move(constantData);
}

template <typename T>
void printList(raw_ostream &os, const flatbuffers::Vector<T> *values) {
  os << "[";
  if (values)
    llvm::interleaveComma(*values, os);
  os << "]";
}

/// Prints ` name=[values]`.
template <typename T>
void printField(raw_ostream &os, StringRef name,
                const flatbuffers::Vector<T> *values) {
  os << " " << name << "=";
  printList(os, values);
}

void printAttrs(raw_ostream &os, const sfa::Op &op) {
  if (auto *conv = op.attrs_as_Conv2dAttrs()) {
    printField(os, "kernel", conv->kernel());
    printField(os, "strides", conv->strides());
    printField(os, "pads", conv->pads());
    printField(os, "dilations", conv->dilations());
    os << " groups=" << conv->groups();
  } else if (auto *pool = op.attrs_as_PoolAttrs()) {
    printField(os, "kernel", pool->kernel());
    printField(os, "strides", pool->strides());
    printField(os, "pads", pool->pads());
    printField(os, "dilations", pool->dilations());
    if (pool->ceil_mode())
      os << " ceil_mode";
    if (pool->count_include_pad())
      os << " count_include_pad";
  } else if (auto *bn = op.attrs_as_BatchNormAttrs()) {
    os << " epsilon=" << bn->epsilon();
  } else if (auto *transpose = op.attrs_as_TransposeAttrs()) {
    printField(os, "permutation", transpose->permutation());
  } else if (auto *concat = op.attrs_as_ConcatAttrs()) {
    os << " axis=" << concat->axis();
  } else if (auto *lif = op.attrs_as_LIFAttrs()) {
    printField(os, "leak", lif->leak());
    printField(os, "gain", lif->gain());
    printField(os, "v_leak", lif->v_leak());
    printField(os, "v_threshold", lif->v_threshold());
    printField(os, "v_reset", lif->v_reset());
    printField(os, "v_init", lif->v_init());
    os << " reset=" << sfa::EnumNameResetMode(lif->reset())
       << " fire=" << sfa::EnumNameFireMode(lif->fire());
    if (lif->reset_delay())
      os << " reset_delay";
  } else if (auto *layer = op.attrs_as_SpikeCoreLayerAttrs()) {
    os << " fan_in=" << layer->fan_in() << " neurons=" << layer->neurons()
       << " output=" << sfa::EnumNameSpikeCoreOutput(layer->output())
       << " cores=" << layer->first_core() << ".."
       << layer->first_core() + layer->cores()->size() - 1
       << " neurons_per_core=" << layer->neurons_per_core()
       << " routine_words=" << layer->routine()->size();
  }
}

void printPlan(raw_ostream &os, const sfa::Model &model, uint64_t dataSize) {
  os << "// producer: " << model.producer()->str() << "\n";
  os << "model timesteps=" << model.timesteps()
     << " encoding=" << sfa::EnumNameEncoding(model.encoding())
     << " readout=" << sfa::EnumNameReadout(model.readout()) << " targets=[";
  llvm::interleaveComma(*model.targets(), os, [&](sfa::Target t) {
    os << sfa::EnumNameTarget(t);
  });
  os << "] arena=" << model.arena_size() << " data=" << dataSize;
  if (model.dram_size())
    os << " dram=" << model.dram_size() << "@" << model.dram_offset();
  os << "\n";
  os << "inputs=";
  printList(os, model.inputs());
  printField(os, "outputs", model.outputs());
  os << "\n";
  for (auto [id, t] : llvm::enumerate(*model.tensors())) {
    os << "tensor %" << id << " \"" << t->name()->str() << "\" ";
    llvm::interleave(*t->shape(), os, "x");
    os << " " << sfa::EnumNameStorage(t->storage())
       << (t->temporal() ? " temporal" : "");
    if (t->kind() == sfa::TensorKind::Constant)
      os << " constant data+" << t->data_offset();
    else
      os << " arena+" << t->arena_offset();
    os << " bytes=" << t->byte_size() << "\n";
  }
  for (const sfa::Op *op : *model.ops()) {
    os << "op " << sfa::EnumNameOpKind(op->kind()) << " \""
       << op->name()->str() << "\" target="
       << sfa::EnumNameTarget(op->target())
       << " kernel=" << sfa::EnumNameKernel(op->kernel());
    if (op->block_size())
      os << " block=" << op->block_size();
    os << " (";
    llvm::interleaveComma(*op->inputs(), os,
                          [&](uint32_t id) { os << "%" << id; });
    os << ") -> (";
    llvm::interleaveComma(*op->outputs(), os,
                          [&](uint32_t id) { os << "%" << id; });
    os << ")";
    printAttrs(os, *op);
    os << "\n";
  }
}

/// Lowers `module` and serializes the plan into `fbb` and the constant data
/// into `data`.
LogicalResult buildPlan(ModuleOp module, const ArtifactOptions &options,
                        flatbuffers::FlatBufferBuilder &fbb,
                        std::vector<uint8_t> &data) {
  PlanBuilder builder(module, options);
  if (failed(builder.build()))
    return failure();
  builder.serialize(fbb, data);
  return success();
}

} // namespace

LogicalResult sparseflow::writeArtifact(ModuleOp module, raw_ostream &os,
                                        const ArtifactOptions &options) {
  flatbuffers::FlatBufferBuilder fbb;
  std::vector<uint8_t> data;
  if (failed(buildPlan(module, options, fbb, data)))
    return failure();

  sf_artifact_header_t header;
  sf_artifact_header_init(&header, fbb.GetSize(), data.size());

  // The body: plan, zero padding to the data section, data.
  std::vector<uint8_t> body(header.file_size - SF_ARTIFACT_HEADER_SIZE, 0);
  std::memcpy(body.data(), fbb.GetBufferPointer(), fbb.GetSize());
  if (!data.empty())
    std::memcpy(body.data() + (header.data_offset - SF_ARTIFACT_HEADER_SIZE),
                data.data(), data.size());
  header.checksum = sf_crc32c(0, body.data(), body.size());

  os.write(reinterpret_cast<const char *>(&header), sizeof(header));
  os.write(reinterpret_cast<const char *>(body.data()), body.size());
  return success();
}

LogicalResult sparseflow::printExecutionPlan(ModuleOp module, raw_ostream &os,
                                             const ArtifactOptions &options) {
  flatbuffers::FlatBufferBuilder fbb;
  std::vector<uint8_t> data;
  if (failed(buildPlan(module, options, fbb, data)))
    return failure();
  printPlan(os, *sfa::GetModel(fbb.GetBufferPointer()), data.size());
  return success();
}
