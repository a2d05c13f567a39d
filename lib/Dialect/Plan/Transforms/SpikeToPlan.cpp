//===- SpikeToPlan.cpp - partitioned spike IR to an execution plan --------===//
//
// Part of SparseFlow.
//
// One pattern set per target. A host or gpu pattern matches a spike op placed
// on its target that the target's capability table
// (sparseflow/Dialect/Spike/SpikeTargets.h) says it can run, and chooses the
// kernel with the same table; the spikecore pattern matches an allocated
// spikecore.layer. So "target X runs op Y" means one thing everywhere: the
// partitioner, the stage verifier and this lowering ask the same question.
//
//===----------------------------------------------------------------------===//

#include "sparseflow/Dialect/Plan/PlanPasses.h"

#include "sparseflow/Dialect/Spike/SpikeOps.h"
#include "sparseflow/Dialect/Spike/SpikePlacement.h"
#include "sparseflow/Dialect/Spike/SpikeTargets.h"
#include "sparseflow/Dialect/SpikeCore/SpikeCoreDialect.h"
#include "sparseflow/Dialect/SpikeCore/SpikeCorePasses.h"
#include "sparseflow/Support/InputLimits.h"
#include "sparseflow/format/artifact_format.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/TypeSwitch.h"

namespace sparseflow::plan {
#define GEN_PASS_DEF_CONVERTSPIKETOPLAN
#include "sparseflow/Dialect/Plan/PlanPasses.h.inc"
} // namespace sparseflow::plan

using namespace mlir;
using namespace sparseflow;
using namespace sparseflow::plan;

namespace {

/// An error at `op` that names its ONNX node, since binary models have no
/// source lines to point at.
InFlightDiagnostic nodeError(Operation *op) {
  std::string node = spike::getNodeName(op->getLoc());
  InFlightDiagnostic diag = op->emitError();
  if (!node.empty())
    diag << "node '" << node << "' (" << op->getName() << "): ";
  return diag;
}

/// State the patterns share: the Unpack made for each packed value, and the
/// counts of kernels and constants (for the names of unnamed ones).
struct LoweringState {
  explicit LoweringState(bool sparseKernels) : sparseKernels(sparseKernels) {}
  bool sparseKernels;
  spike::TargetCapabilities capabilities;
  DenseMap<Value, Value> unpacked;
  int64_t kernels = 0, constants = 0;
  /// The ops each target's patterns lower.
  DenseSet<std::pair<OperationName, spike::Target>> lowered;
};

/// `value` as float elements: packed spikes are unpacked, once per value.
Value denseValue(Value value, LoweringState &state,
                 ConversionPatternRewriter &rewriter) {
  auto type = cast<PlanTensorType>(value.getType());
  if (!type.isSpikes())
    return value;
  if (Value unpacked = state.unpacked.lookup(value))
    return unpacked;
  StringRef name;
  if (auto kernel = value.getDefiningOp<KernelOp>())
    name = kernel.getName();
  auto result = PlanTensorType::get(rewriter.getContext(), type.getShape(),
                                    Storage::f32, /*temporal=*/true);
  Value unpacked = rewriter.create<KernelOp>(
      value.getLoc(), result, "Unpack", name.empty() ? "input" : name,
      spike::Target::host, KernelKind::dense, /*block_size=*/nullptr,
      /*arena_offset=*/nullptr, ValueRange{value});
  state.unpacked[value] = unpacked;
  return unpacked;
}

/// What one spike op becomes: its op kind, data and constant operands and
/// parameters.
struct KernelSpec {
  StringRef kind;
  SmallVector<Value> data;
  /// Weights and other constants (absent optional ones left out).
  SmallVector<Value> constants;
  SmallVector<NamedAttribute> params;
  /// Packed spike inputs stay packed (max pooling, reshapes, concat).
  bool keepsSpikes = false;
  /// The result varies over timesteps whatever the input (a neuron's state).
  bool stateful = false;
  /// A recurrent neuron: its one kernel reads its own spikes, sparsely.
  bool recurrent = false;
};

/// The op kind and parameters of a spike op, from its (converted) operands.
FailureOr<KernelSpec> describe(Operation *op, ValueRange operands, Builder &b) {
  KernelSpec spec;
  auto named = [&](StringRef name, Attribute value) {
    spec.params.push_back(b.getNamedAttr(name, value));
  };
  // The operands and parameters of a spiking neuron (spike.lif,
  // spike.cuba_lif). A recurrent one is a RecurrentLIF (with the synapse
  // of a CubaLIF where it has one).
  auto spikingNeuron = [&](auto neuron) {
    spec.data = {operands[0]};
    if (!neuron.getRecurrent().empty()) {
      spec.kind = "RecurrentLIF";
      spec.constants.append(operands.begin() + 1, operands.end());
      spec.recurrent = true;
    }
    named("leak", neuron.getLeakAttr());
    named("gain", neuron.getGainAttr());
    named("v_leak", neuron.getVLeakAttr());
    named("v_threshold", neuron.getVThresholdAttr());
    if (neuron.getVResetAttr())
      named("v_reset", neuron.getVResetAttr());
    named("v_init", neuron.getVInitAttr());
    named("reset",
          spike::ResetModeAttr::get(b.getContext(), neuron.getReset()));
    named("fire", spike::FireModeAttr::get(b.getContext(), neuron.getFire()));
    named("reset_delay", b.getBoolAttr(neuron.getResetDelay()));
  };
  auto window = [&](ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                    ArrayRef<int64_t> pads, ArrayRef<int64_t> dilations) {
    named("kernel_shape", b.getDenseI64ArrayAttr(kernel));
    named("strides", b.getDenseI64ArrayAttr(strides));
    named("pads", b.getDenseI64ArrayAttr(pads));
    named("dilations", b.getDenseI64ArrayAttr(dilations));
  };
  // A convolution (or transposed one): input, weight and bias, its window.
  auto convolution = [&](auto conv, StringRef kind) {
    spec.kind = kind;
    spec.data = {operands[0]};
    spec.constants.append(operands.begin() + 1, operands.end());
    ArrayRef<int64_t> weight = conv.getWeight().getType().getShape();
    window({weight[2], weight[3]}, conv.getStrides(), conv.getPads(),
           conv.getDilations());
    named("groups", b.getI64IntegerAttr(conv.getGroups()));
  };
  LogicalResult result =
      llvm::TypeSwitch<Operation *, LogicalResult>(op)
          .Case([&](spike::Conv2dOp conv) {
            convolution(conv, "Conv2d");
            return success();
          })
          .Case([&](spike::ConvTranspose2dOp conv) {
            convolution(conv, "ConvTranspose2d");
            return success();
          })
          .Case([&](spike::LinearOp) {
            spec.kind = "Linear";
            spec.data = {operands[0]};
            spec.constants.append(operands.begin() + 1, operands.end());
            return success();
          })
          .Case([&](spike::BatchNormOp bn) {
            spec.kind = "BatchNorm";
            spec.data = {operands[0]};
            spec.constants.append(operands.begin() + 1, operands.end());
            named("epsilon",
                  b.getF32FloatAttr(bn.getEpsilon().convertToFloat()));
            return success();
          })
          .Case<spike::AddOp, spike::MulOp, spike::SubOp, spike::DivOp>(
              [&](Operation *binary) {
                spec.kind = llvm::TypeSwitch<Operation *, StringRef>(binary)
                                .Case([](spike::AddOp) { return "Add"; })
                                .Case([](spike::MulOp) { return "Mul"; })
                                .Case([](spike::SubOp) { return "Sub"; })
                                .Default([](Operation *) { return "Div"; });
                spec.data.assign(operands.begin(), operands.end());
                // The product of two packed spike trains is their AND,
                // packed.
                spec.keepsSpikes = isa<spike::MulOp>(binary);
                return success();
              })
          .Case([&](spike::LayerNormOp norm) {
            spec.kind = "LayerNorm";
            spec.data = {operands[0]};
            spec.constants.append(operands.begin() + 1, operands.end());
            named("epsilon", norm.getEpsilonAttr());
            return success();
          })
          .Case([&](spike::MatMulOp) {
            spec.kind = "MatMul";
            spec.data.assign(operands.begin(), operands.end());
            return success();
          })
          .Case([&](spike::TanhOp) {
            spec.kind = "Pointwise";
            spec.data = {operands[0]};
            named("function", b.getStringAttr("tanh"));
            return success();
          })
          .Case([&](spike::SqrtOp) {
            spec.kind = "Pointwise";
            spec.data = {operands[0]};
            named("function", b.getStringAttr("sqrt"));
            return success();
          })
          .Case([&](spike::LeakyReluOp relu) {
            spec.kind = "Pointwise";
            spec.data = {operands[0]};
            named("function", b.getStringAttr("leaky_relu"));
            named("alpha", relu.getAlphaAttr());
            return success();
          })
          .Case([&](spike::ClipOp clip) {
            spec.kind = "Pointwise";
            spec.data = {operands[0]};
            named("function", b.getStringAttr("clip"));
            if (clip.getMinAttr())
              named("min", clip.getMinAttr());
            if (clip.getMaxAttr())
              named("max", clip.getMaxAttr());
            return success();
          })
          .Case([&](spike::SoftmaxOp softmax) {
            spec.kind = "Softmax";
            spec.data = {operands[0]};
            named("log", b.getBoolAttr(softmax.getLog()));
            return success();
          })
          .Case([&](spike::ReluOp) {
            spec.kind = "Relu";
            spec.data = {operands[0]};
            return success();
          })
          .Case([&](spike::SigmoidOp) {
            spec.kind = "Sigmoid";
            spec.data = {operands[0]};
            return success();
          })
          .Case([&](spike::PadOp pad) {
            spec.kind = "Pad";
            spec.data = {operands[0]};
            // Zero padding of packed spikes is silent neurons; the other
            // modes copy them.
            spec.keepsSpikes = pad.preservesSpikes();
            named("pads", b.getDenseI64ArrayAttr(pad.getPads()));
            named("value", pad.getValueAttr());
            named("mode", pad.getModeAttr());
            return success();
          })
          .Case([&](spike::SliceOp slice) {
            spec.kind = "Slice";
            spec.data = {operands[0]};
            spec.keepsSpikes = true;
            named("starts", b.getDenseI64ArrayAttr(slice.getStarts()));
            named("steps", b.getDenseI64ArrayAttr(slice.getSteps()));
            return success();
          })
          .Case([&](spike::MaxPool2dOp pool) {
            spec.kind = "MaxPool2d";
            spec.data = {operands[0]};
            spec.keepsSpikes = true;
            window(pool.getKernelShape(), pool.getStrides(), pool.getPads(),
                   pool.getDilations());
            named("ceil_mode", b.getBoolAttr(pool.getCeilMode()));
            return success();
          })
          .Case([&](spike::AvgPool2dOp pool) {
            spec.kind = "AvgPool2d";
            spec.data = {operands[0]};
            window(pool.getKernelShape(), pool.getStrides(), pool.getPads(),
                   {1, 1});
            named("ceil_mode", b.getBoolAttr(pool.getCeilMode()));
            named("count_include_pad",
                  b.getBoolAttr(pool.getCountIncludePad()));
            return success();
          })
          .Case([&](spike::GlobalAvgPoolOp) {
            spec.kind = "GlobalAvgPool";
            spec.data = {operands[0]};
            return success();
          })
          .Case<spike::FlattenOp, spike::ReshapeOp>([&](Operation *) {
            spec.kind = "Reshape";
            spec.data = {operands[0]};
            spec.keepsSpikes = true;
            return success();
          })
          .Case([&](spike::TransposeOp transpose) {
            spec.kind = "Transpose";
            spec.data = {operands[0]};
            spec.keepsSpikes = true;
            named("permutation",
                  b.getDenseI64ArrayAttr(transpose.getPermutation()));
            return success();
          })
          .Case([&](spike::ConcatOp concat) {
            spec.kind = "Concat";
            spec.data.assign(operands.begin(), operands.end());
            spec.keepsSpikes = true;
            named("axis", b.getI64IntegerAttr(concat.getAxis()));
            return success();
          })
          .Case([&](spike::LIFOp lif) {
            spec.kind = "LIF";
            spikingNeuron(lif);
            return success();
          })
          .Case([&](spike::CubaLIFOp lif) {
            spec.kind = "CubaLIF";
            spikingNeuron(lif);
            named("syn_leak", lif.getSynLeakAttr());
            named("syn_gain", lif.getSynGainAttr());
            return success();
          })
          .Case([&](spike::LIOp li) {
            spec.kind = "LI";
            spec.data = {operands[0]};
            if (li.getSynLeakAttr()) {
              named("syn_leak", li.getSynLeakAttr());
              named("syn_gain", li.getSynGainAttr());
            }
            named("leak", li.getLeakAttr());
            named("gain", li.getGainAttr());
            named("v_leak", li.getVLeakAttr());
            named("v_init", li.getVInitAttr());
            spec.stateful = true;
            return success();
          })
          .Default([](Operation *) { return failure(); });
  if (failed(result))
    return failure();
  return spec;
}

/// Checks a result type the runtime can hold.
LogicalResult checkResultType(Operation *op) {
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
  return success();
}

/// The name of a kernel made from `op`: its ONNX node, or the op's mnemonic
/// and the kernel's index.
std::string kernelName(Operation *op, LoweringState &state) {
  std::string name = spike::getNodeName(op->getLoc());
  if (name.empty())
    name = op->getName().stripDialect().str() + std::to_string(state.kernels);
  return name;
}

/// A spike op placed on `target` (host or gpu), to one kernel call.
class SpikeOpLowering : public ConversionPattern {
public:
  SpikeOpLowering(StringRef opName, spike::Target target, MLIRContext *context,
                  LoweringState &state)
      : ConversionPattern(opName, /*benefit=*/1, context), target(target),
        state(state) {}

  LogicalResult
  matchAndRewrite(Operation *op, ArrayRef<Value> operands,
                  ConversionPatternRewriter &rewriter) const override {
    if (spike::getTarget(op) != target)
      return rewriter.notifyMatchFailure(op, "placed on another target");
    if (std::optional<std::string> why =
            state.capabilities.whyCannotRun(op, target))
      return nodeError(op) << stringifyTarget(target)
                           << " cannot run the op: " << *why;
    if (failed(checkResultType(op)))
      return failure();
    FailureOr<KernelSpec> spec = describe(op, operands, rewriter);
    if (failed(spec))
      return nodeError(op) << "the op has no " << stringifyTarget(target)
                           << " kernel";

    auto isSpikes = [](Value v) {
      return cast<PlanTensorType>(v.getType()).isSpikes();
    };
    bool packedData = llvm::all_of(spec->data, isSpikes);
    // The one kernel choice: a sparse kernel where the target has one for the
    // op and its input arrives packed (a product: its left operand; the
    // right one may be packed too). It reads its inputs as they are.
    bool sparse = spec->recurrent ||
                  (state.sparseKernels && llvm::any_of(spec->data, isSpikes) &&
                   !state.capabilities.whyNoSpikeKernel(op, target));
    bool keepPacked = spec->keepsSpikes && packedData;

    SmallVector<Value> inputs;
    bool temporal = false;
    for (Value data : spec->data) {
      Value input =
          keepPacked || sparse ? data : denseValue(data, state, rewriter);
      temporal |= cast<PlanTensorType>(input.getType()).getTemporal();
      inputs.push_back(input);
    }
    for (Value constant : spec->constants) {
      if (!constant.getDefiningOp<ConstantOp>())
        return nodeError(op)
               << "expected a constant weight operand; weights computed at "
                  "run time are not supported by the runtime";
      inputs.push_back(constant);
    }

    bool spikes = isa<spike::LIFOp, spike::CubaLIFOp>(op) ||
                  (spec->keepsSpikes && packedData);
    auto resultType = PlanTensorType::get(
        getContext(),
        cast<RankedTensorType>(op->getResult(0).getType()).getShape(),
        spikes ? Storage::spikes : Storage::f32,
        spikes || temporal || spec->stateful);
    IntegerAttr block;
    if (sparse)
      if (auto size = op->getAttrOfType<IntegerAttr>(
              spike::SpikeDialect::getBlockSizeAttrName());
          size && size.getInt() != 0)
        block = size;
    auto kernel = rewriter.create<KernelOp>(
        op->getLoc(), resultType, spec->kind, kernelName(op, state), target,
        sparse ? KernelKind::sparse_binary : KernelKind::dense, block,
        /*arena_offset=*/nullptr, inputs);
    for (NamedAttribute param : spec->params)
      kernel->setAttr(param.getName(), param.getValue());
    ++state.kernels;
    rewriter.replaceOp(op, kernel);
    return success();
  }

private:
  spike::Target target;
  LoweringState &state;
};

/// An allocated spikecore.layer, to one SpikeCoreLayer kernel with the
/// memory image of each of its cores.
class SpikeCoreLayerLowering : public OpConversionPattern<spikecore::LayerOp> {
public:
  SpikeCoreLayerLowering(MLIRContext *context, LoweringState &state)
      : OpConversionPattern(context), state(state) {}

  LogicalResult
  matchAndRewrite(spikecore::LayerOp layer, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!layer.isAllocated())
      return nodeError(layer)
             << "the layer has no cores; run spikecore-codegen";
    FailureOr<std::vector<uint32_t>> routine = spikecore::encodeRoutine(layer);
    if (failed(routine))
      return failure();
    Value input = adaptor.getInput();
    bool spikeInput = layer.getSpikeInput();
    if (spikeInput && !cast<PlanTensorType>(input.getType()).isSpikes())
      return nodeError(layer) << "expected the spike input packed over time";
    if (!spikeInput)
      input = denseValue(input, state, rewriter);

    // Each core's memory image: weight rows of n bytes per input axon, then
    // the int32 biases.
    const int64_t k = layer.getFanIn(), m = layer.getNeuronCount();
    const int64_t n = *layer.getNeuronsPerCore();
    const int64_t cores = (m + n - 1) / n, bytes = layer.memoryBytes(n);
    auto weights = dyn_cast<DenseIntElementsAttr>(layer.getWeights());
    auto biasElements =
        dyn_cast_if_present<DenseIntElementsAttr>(layer.getBiasAttr());
    if (!weights || (layer.getBias() && !biasElements))
      return nodeError(layer) << "the quantized weights and bias must be "
                                 "dense integer elements";
    std::vector<int8_t> q(weights.getValues<int8_t>().begin(),
                          weights.getValues<int8_t>().end());
    std::vector<int32_t> bias;
    if (biasElements)
      for (int32_t v : biasElements.getValues<int32_t>())
        bias.push_back(v);
    std::vector<int8_t> memory(cores * bytes, 0);
    for (int64_t core = 0; core < cores; ++core) {
      int8_t *image = memory.data() + core * bytes;
      for (int64_t i = 0, first = core * n; i < std::min(n, m - first); ++i) {
        for (int64_t a = 0; a < k; ++a)
          image[a * n + i] = q[(first + i) * k + a];
        if (!bias.empty()) {
          uint32_t v = static_cast<uint32_t>(bias[first + i]);
          for (int byte = 0; byte < 4; ++byte)
            image[spikecore::LayerOp::biasOffset(k, n) + 4 * i + byte] =
                static_cast<int8_t>(v >> (8 * byte));
        }
      }
    }

    SmallVector<double> scales;
    if (layer.getOutput() == spikecore::OutputKind::graded)
      scales.push_back(layer.getOutputScale().convertToDouble());
    else
      scales.assign(layer.getScale().begin(), layer.getScale().end());
    bool spikes = layer.getOutput() == spikecore::OutputKind::spikes;
    auto resultType = PlanTensorType::get(
        getContext(), layer.getResult().getType().getShape(),
        spikes ? Storage::spikes : Storage::f32, /*temporal=*/true);
    auto kernel = rewriter.create<KernelOp>(
        layer.getLoc(), resultType, "SpikeCoreLayer", kernelName(layer, state),
        spike::Target::spikecore, KernelKind::dense, /*block_size=*/nullptr,
        /*arena_offset=*/nullptr, ValueRange{input});
    Builder &b = rewriter;
    SmallVector<int32_t> words(routine->begin(), routine->end());
    auto memoryType = RankedTensorType::get({cores, bytes}, b.getI8Type());
    kernel->setAttr("fan_in", b.getI64IntegerAttr(k));
    kernel->setAttr("neurons", b.getI64IntegerAttr(m));
    kernel->setAttr("neurons_per_core", b.getI64IntegerAttr(n));
    kernel->setAttr("first_core", b.getI64IntegerAttr(*layer.getFirstCore()));
    kernel->setAttr("input_scale", layer.getInputScaleAttr());
    kernel->setAttr("output", layer.getOutputAttr());
    kernel->setAttr("output_scales", b.getDenseF64ArrayAttr(scales));
    kernel->setAttr("routine", b.getDenseI32ArrayAttr(words));
    kernel->setAttr("core_memory",
                    DenseElementsAttr::get(memoryType, ArrayRef(memory)));
    ++state.kernels;
    rewriter.replaceOp(layer, kernel);
    return success();
  }

private:
  LoweringState &state;
};

/// A float constant, to a plan.constant of f32 elements as imported.
class ConstantLowering : public OpConversionPattern<arith::ConstantOp> {
public:
  ConstantLowering(MLIRContext *context, LoweringState &state)
      : OpConversionPattern(context), state(state) {}

  LogicalResult
  matchAndRewrite(arith::ConstantOp constant, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto elements = dyn_cast<DenseElementsAttr>(constant.getValue());
    auto type = dyn_cast<RankedTensorType>(constant.getType());
    if (!elements || !type || !isa<FloatType>(type.getElementType()))
      return nodeError(constant)
             << "constant operand of type " << constant.getType()
             << " is not supported by the runtime (expected dense "
                "floating-point elements)";
    // Every float type is stored as f32, the runtime's compute type.
    auto f32Type =
        RankedTensorType::get(type.getShape(), rewriter.getF32Type());
    DenseElementsAttr f32Elements = elements;
    if (!type.getElementType().isF32())
      f32Elements =
          elements.mapValues(rewriter.getF32Type(), [](const APFloat &value) {
            APFloat v = value;
            bool losesInfo = false;
            v.convert(APFloat::IEEEsingle(), APFloat::rmNearestTiesToEven,
                      &losesInfo);
            return v.bitcastToAPInt();
          });
    std::string name = spike::getNodeName(constant.getLoc());
    if (name.empty())
      name = "const" + std::to_string(state.constants);
    ++state.constants;
    rewriter.replaceOpWithNewOp<ConstantOp>(
        constant,
        PlanTensorType::get(getContext(), f32Type.getShape(), Storage::f32,
                            /*temporal=*/false),
        name, Layout::as_is, f32Elements);
    return success();
  }

private:
  LoweringState &state;
};

/// The model's results, as float tensors (spikes unpacked).
class ReturnLowering : public OpConversionPattern<func::ReturnOp> {
public:
  ReturnLowering(MLIRContext *context, LoweringState &state)
      : OpConversionPattern(context), state(state) {}

  LogicalResult
  matchAndRewrite(func::ReturnOp ret, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    SmallVector<Value> results;
    for (Value value : adaptor.getOperands())
      results.push_back(denseValue(value, state, rewriter));
    rewriter.replaceOpWithNewOp<func::ReturnOp>(ret, results);
    return success();
  }

private:
  LoweringState &state;
};

/// The spike ops the host and gpu patterns lower: each has a dense kernel on
/// both.
const StringLiteral kHostAndGpuOps[] = {
    "spike.conv2d",     "spike.linear",
    "spike.batch_norm", "spike.add",
    "spike.mul",        "spike.relu",
    "spike.sigmoid",    "spike.max_pool2d",
    "spike.avg_pool2d", "spike.global_avg_pool",
    "spike.flatten",    "spike.reshape",
    "spike.pad",        "spike.transpose",
    "spike.concat",     "spike.lif",
    "spike.cuba_lif",   "spike.li",
    "spike.sub",        "spike.div",
    "spike.tanh",       "spike.sqrt",
    "spike.leaky_relu", "spike.clip",
    "spike.softmax",    "spike.slice",
    "spike.matmul",     "spike.conv_transpose2d",
    "spike.layer_norm"};

/// Adds the patterns of `target` and records the ops they lower.
void populateTargetPatterns(spike::Target target, RewritePatternSet &patterns,
                            LoweringState &state) {
  MLIRContext *context = patterns.getContext();
  switch (target) {
  case spike::Target::host:
  case spike::Target::gpu:
    for (StringRef name : kHostAndGpuOps) {
      patterns.add<SpikeOpLowering>(name, target, context, state);
      state.lowered.insert({OperationName(name, context), target});
    }
    return;
  case spike::Target::spikecore:
    patterns.add<SpikeCoreLayerLowering>(context, state);
    state.lowered.insert(
        {OperationName(spikecore::LayerOp::getOperationName(), context),
         target});
    return;
  }
}

/// Refuses, before converting, every op placed on a target that has no
/// pattern for it.
LogicalResult checkTargetsHavePatterns(func::FuncOp entry,
                                       const LoweringState &state) {
  for (Operation &op : entry.getBody().front()) {
    if (!isa<spike::SpikeDialect, spikecore::SpikeCoreDialect>(
            op.getDialect()))
      continue;
    spike::Target target = isa<spikecore::LayerOp>(op)
                               ? spike::Target::spikecore
                               : *spike::getTarget(&op);
    if (state.lowered.contains({op.getName(), target}))
      continue;
    return nodeError(&op) << "target '" << stringifyTarget(target)
                          << "' has no kernel for the op"
                          << (target == spike::Target::spikecore
                                  ? "; spikecore runs spikecore.layer ops, "
                                    "made by spike-quantize and "
                                    "spikecore-codegen"
                                  : "");
  }
  return success();
}

/// Inlines the partition calls of `entry` in order; each op keeps its
/// partition's target (host where it has none).
LogicalResult inlinePartitions(ModuleOp module, func::FuncOp entry) {
  SmallVector<func::CallOp> calls;
  entry.walk([&](func::CallOp call) { calls.push_back(call); });
  DenseSet<Operation *> partitions;
  for (func::CallOp call : calls) {
    auto callee =
        module.lookupSymbol<func::FuncOp>(call.getCalleeAttr().getAttr());
    if (!callee || callee.isExternal())
      return call.emitError() << "cannot inline call to '" << call.getCallee()
                              << "': no body";
    spike::Target target =
        spike::getTarget(callee).value_or(spike::Target::host);
    IRMapping mapping;
    for (auto [arg, operand] :
         llvm::zip(callee.getArguments(), call.getOperands())) {
      if (operand.getDefiningOp<arith::ConstantOp>())
        return call.emitError()
               << "constant operands of partitions are not supported";
      mapping.map(arg, operand);
    }
    OpBuilder builder(call);
    for (Operation &op : callee.getBody().front().without_terminator()) {
      Operation *clone = builder.clone(op, mapping);
      if (!spike::getTarget(clone))
        spike::setTarget(clone, target);
    }
    auto ret = cast<func::ReturnOp>(callee.getBody().front().getTerminator());
    for (auto [result, value] : llvm::zip(call.getResults(), ret.getOperands()))
      result.replaceAllUsesWith(mapping.lookupOrDefault(value));
    call.erase();
    partitions.insert(callee);
  }
  for (Operation *partition : partitions)
    partition->erase();
  for (Operation &op : entry.getBody().front())
    if (isa<spike::SpikeDialect>(op.getDialect()) && !spike::getTarget(&op))
      spike::setTarget(&op, spike::Target::host);
  return success();
}

struct ConvertSpikeToPlanPass
    : public plan::impl::ConvertSpikeToPlanBase<ConvertSpikeToPlanPass> {
  using ConvertSpikeToPlanBase::ConvertSpikeToPlanBase;

  void runOnOperation() override {
    if (failed(convert(getOperation())))
      signalPassFailure();
  }

  LogicalResult convert(ModuleOp module);
};

LogicalResult ConvertSpikeToPlanPass::convert(ModuleOp module) {
  auto model = module->getAttrOfType<spike::ModelAttr>(
      spike::SpikeDialect::getModelAttrName());
  if (!model)
    return module.emitError()
           << "expected the '" << spike::SpikeDialect::getModelAttrName()
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
      return func.emitError()
             << "expected one public function (the model), "
                "found '"
             << entry.getSymName() << "' and '" << func.getSymName() << "'";
    entry = func;
  }
  if (!entry)
    return module.emitError() << "expected a public function (the model)";
  if (failed(inlinePartitions(module, entry)))
    return failure();

  // The model inputs: packed spikes under the rate and spike encodings.
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
      return entry.emitError()
             << "model input #" << arg.getArgNumber() << " is empty (" << type
             << "); the runtime does not support empty "
                "tensors";
  }
  // Converts the signature; the result types are those of the lowered
  // return, set below.
  TypeConverter inputTypes;
  inputTypes.addConversion([](Type type) { return type; });
  inputTypes.addConversion([&](RankedTensorType type) -> Type {
    return PlanTensorType::get(&getContext(), type.getShape(),
                               spikeInput ? Storage::spikes : Storage::f32,
                               spikeInput);
  });

  LoweringState state(sparseKernels);
  RewritePatternSet patterns(&getContext());
  for (spike::Target target :
       {spike::Target::host, spike::Target::gpu, spike::Target::spikecore})
    populateTargetPatterns(target, patterns, state);
  if (failed(checkTargetsHavePatterns(entry, state)))
    return failure();
  patterns.add<ConstantLowering>(&getContext(), state);
  patterns.add<ReturnLowering>(&getContext(), state);
  populateFunctionOpInterfaceTypeConversionPattern<func::FuncOp>(patterns,
                                                                 inputTypes);

  ConversionTarget target(getContext());
  target.addLegalDialect<PlanDialect>();
  target.addDynamicallyLegalOp<func::FuncOp>([&](func::FuncOp func) {
    return inputTypes.isSignatureLegal(func.getFunctionType());
  });
  target.addIllegalDialect<spike::SpikeDialect, spikecore::SpikeCoreDialect,
                           arith::ArithDialect>();
  target.addDynamicallyLegalOp<func::ReturnOp>([](func::ReturnOp ret) {
    return llvm::all_of(ret.getOperandTypes(), [](Type type) {
      auto tensor = dyn_cast<PlanTensorType>(type);
      return tensor && !tensor.isSpikes();
    });
  });
  // A pattern that refuses an op says why at the op; the driver's generic
  // "failed to legalize" that follows would only repeat it.
  bool explained = false;
  ScopedDiagnosticHandler quiet(&getContext(), [&](Diagnostic &diag) {
    if (explained &&
        StringRef(diag.str()).starts_with("failed to legalize operation"))
      return success();
    explained |= diag.getSeverity() == DiagnosticSeverity::Error;
    return failure();
  });
  if (failed(applyFullConversion(entry, target, std::move(patterns))))
    return failure();

  auto ret = cast<func::ReturnOp>(entry.getBody().front().getTerminator());
  entry.setFunctionType(FunctionType::get(
      &getContext(), entry.getArgumentTypes(), ret.getOperandTypes()));
  return success();
}

} // namespace
