//===- Quantize.cpp - spike layers on SpikeCore to quantized layers -------===//
//
// Part of SparseFlow.
//
// Each spike.linear placed on SpikeCore, with the lif or relu consuming it,
// becomes one spikecore.layer with int8 weights and integer neuron
// parameters. docs/spikecore.md derives the arithmetic; the comments below
// name the step of that derivation each piece implements.
//
//===----------------------------------------------------------------------===//

#include "sparseflow/Dialect/SpikeCore/SpikeCorePasses.h"

#include "sparseflow/Dialect/Spike/SpikeOps.h"
#include "sparseflow/Dialect/Spike/SpikePlacement.h"
#include "sparseflow/Dialect/Spike/SpikeTargets.h"

#include "sparseflow/format/npy.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/DenseMap.h"
#include <cstdio>

#include <cmath>

namespace sparseflow::spikecore {
#define GEN_PASS_DEF_SPIKEQUANTIZE
#include "sparseflow/Dialect/SpikeCore/SpikeCorePasses.h.inc"
} // namespace sparseflow::spikecore

using namespace mlir;
using namespace sparseflow;
using namespace sparseflow::spikecore;
namespace spk = sparseflow::spike;

namespace {

/// The leak factor's fixed point: leak = mul / 2^kLeakShift.
constexpr int kLeakShift = 24;
/// Keeps a threshold's whole number of units well inside int32.
constexpr int64_t kMaxThreshold = int64_t(1) << 24;

/// `value` in the shortest "%g" form, for messages.
std::string shortNumber(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", value);
  return text;
}

/// Values of one tensor on a batch of calibration inputs, row-major
/// [samples, features].
struct Activations {
  int64_t samples = 0, features = 0;
  std::vector<float> values;
};

std::vector<float> floatValues(Value value) {
  DenseElementsAttr attr;
  if (!value || !matchPattern(value, m_Constant(&attr)))
    return {};
  auto range = attr.getValues<float>();
  return std::vector<float>(range.begin(), range.end());
}

/// `x` in [N, K] times `w` [M, K] transposed, plus `b`.
Activations linearForward(const Activations &x, ArrayRef<float> w,
                          ArrayRef<float> b, int64_t m) {
  Activations y{x.samples, m, std::vector<float>(x.samples * m)};
  for (int64_t n = 0; n < x.samples; ++n)
    for (int64_t j = 0; j < m; ++j) {
      double sum = b.empty() ? 0.0 : b[j];
      for (int64_t k = 0; k < x.features; ++k)
        sum += double(x.values[n * x.features + k]) * w[j * x.features + k];
      y.values[n * m + j] = static_cast<float>(sum);
    }
  return y;
}

/// The nearest `mul / 2^shift` to `factor` > 0 with the most precision that
/// keeps `mul` below 2^30.
std::pair<int32_t, int32_t> fixedPoint(double factor) {
  int shift = 31;
  while (shift > 0 && std::llround(factor * std::ldexp(1.0, shift)) >=
                          (int64_t(1) << 30))
    --shift;
  return {static_cast<int32_t>(std::llround(factor * std::ldexp(1.0, shift))),
          shift};
}

class SpikeQuantizePass
    : public spikecore::impl::SpikeQuantizeBase<SpikeQuantizePass> {
public:
  using SpikeQuantizeBase::SpikeQuantizeBase;
  void runOnOperation() override;

private:
  LogicalResult quantizeFunction(func::FuncOp func, func::FuncOp entry);
  LogicalResult quantizeLayer(spk::LinearOp linear);
  /// Loads the (named) calibration file once; failure after a diagnostic at
  /// `at`.
  LogicalResult loadCalibration(Operation *at);

  std::optional<npy::Array> calibrationInputs;
  /// Float activations of the calibration inputs, per value.
  llvm::DenseMap<Value, Activations> activations;
  /// Model inputs (entry arguments) reaching each partition argument.
  llvm::DenseMap<Value, unsigned> modelInputs;
};

/// An error at `op` naming the layer: its node name, or the names of the
/// linear and neuron it joins.
InFlightDiagnostic layerError(Operation *op, Operation *neuron = nullptr) {
  std::string node = spk::getNodeName(
      neuron ? FusedLoc::get(op->getContext(), {op->getLoc(), neuron->getLoc()})
             : op->getLoc());
  return op->emitError() << "spikecore layer '"
                         << (node.empty() ? "?" : node) << "': ";
}

void SpikeQuantizePass::runOnOperation() {
  ModuleOp module = getOperation();
  func::FuncOp entry;
  for (auto func : module.getOps<func::FuncOp>())
    if (func.isPublic())
      entry = func;
  for (auto func : llvm::to_vector(module.getOps<func::FuncOp>()))
    if (spk::getTarget(func) == spk::Target::spikecore &&
        failed(quantizeFunction(func, entry)))
      return signalPassFailure();
}

LogicalResult SpikeQuantizePass::loadCalibration(Operation *at) {
  if (calibrationInputs)
    return success();
  npy::Array array;
  std::string error;
  if (!npy::read(calibration, array, error))
    return at->emitError() << "cannot read the calibration inputs: " << error;
  if (array.shape.empty() || array.shape[0] < 1)
    return at->emitError() << "calibration file '" << calibration
                           << "' holds no samples (expected [samples, ...])";
  calibrationInputs = std::move(array);
  return success();
}

/// The number of the model input `value` (an operand in `entry`) is, or is
/// a reshape or flatten of computed by another partition (the host takes a
/// layout op at the model's boundary: `x.view(-1, 784)`).
static std::optional<unsigned> modelInputOf(Value value, func::FuncOp entry) {
  if (auto input = dyn_cast<BlockArgument>(value))
    return input.getOwner()->getParentOp() == entry
               ? std::optional<unsigned>(input.getArgNumber())
               : std::nullopt;
  auto call = value.getDefiningOp<func::CallOp>();
  auto callee = call ? SymbolTable::lookupNearestSymbolFrom<func::FuncOp>(
                           call, call.getCalleeAttr())
                     : func::FuncOp();
  if (!callee)
    return std::nullopt;
  auto ret = cast<func::ReturnOp>(callee.getBody().front().getTerminator());
  Operation *layout =
      ret.getOperand(cast<OpResult>(value).getResultNumber()).getDefiningOp();
  if (!layout || !isa<spk::ReshapeOp, spk::FlattenOp>(layout))
    return std::nullopt;
  auto arg = dyn_cast<BlockArgument>(layout->getOperand(0));
  if (!arg || arg.getOwner()->getParentOp() != callee)
    return std::nullopt;
  return modelInputOf(call.getOperand(arg.getArgNumber()), entry);
}

LogicalResult SpikeQuantizePass::quantizeFunction(func::FuncOp func,
                                                  func::FuncOp entry) {
  // Which partition arguments are model inputs.
  if (entry)
    entry.walk([&](func::CallOp call) {
      if (call.getCallee() != func.getSymName())
        return;
      for (auto [arg, operand] :
           llvm::zip(func.getArguments(), call.getOperands()))
        if (std::optional<unsigned> input = modelInputOf(operand, entry))
          modelInputs[arg] = *input;
    });
  for (auto linear : llvm::to_vector(func.getBody().getOps<spk::LinearOp>()))
    if (failed(quantizeLayer(linear)))
      return failure();
  // The float weights are dead now.
  for (Operation &op : llvm::make_early_inc_range(func.getBody().getOps()))
    if (op.use_empty() && isa<arith::ConstantOp>(op))
      op.erase();
  for (Operation &op : func.getBody().getOps())
    if (op.getDialect() == op.getContext()->getLoadedDialect("spike"))
      return layerError(&op)
             << op.getName() << " was left on spikecore; only spike.linear "
             << "with the lif or relu it feeds becomes a spikecore.layer";
  return success();
}

LogicalResult SpikeQuantizePass::quantizeLayer(spk::LinearOp linear) {
  OpBuilder builder(linear);
  MLIRContext *context = &getContext();
  auto weightType = cast<RankedTensorType>(linear.getWeight().getType());
  const int64_t m = weightType.getDimSize(0), k = weightType.getDimSize(1);
  std::vector<float> w = floatValues(linear.getWeight());
  std::vector<float> b = floatValues(linear.getBias());
  if (w.empty() || (linear.getBias() && b.empty()))
    return layerError(linear) << "weights and bias must be constants";

  // The consumer decides the output: spikes (lif), graded (relu) or the
  // membrane itself (readout).
  Operation *neuron = nullptr;
  if (linear->hasOneUse()) {
    Operation *user = *linear->getUsers().begin();
    if (isa<spk::LIFOp, spk::ReluOp>(user) &&
        user->getParentOp() == linear->getParentOp())
      neuron = user;
  }
  auto lif = dyn_cast_or_null<spk::LIFOp>(neuron);
  auto relu = dyn_cast_or_null<spk::ReluOp>(neuron);
  OutputKind output = lif    ? OutputKind::spikes
                      : relu ? OutputKind::graded
                             : OutputKind::readout;

  // Input scale: 1 for spikes; a graded input is `q * s_in`.
  Value input = linear.getInput();
  auto inputType = cast<RankedTensorType>(input.getType());
  double inputScale = 1.0;
  bool spikeInput = linear->hasAttr(spk::SpikeDialect::getSpikeInputAttrName());
  if (!spikeInput) {
    auto producer = input.getDefiningOp<LayerOp>();
    if (producer && producer.getOutput() == OutputKind::graded) {
      inputScale = producer.getOutputScale().convertToDouble();
    } else if (auto it = modelInputs.find(input); it != modelInputs.end()) {
      if (calibration.empty())
        return layerError(linear, neuron)
               << "its graded input is model input #" << it->second
               << ", whose range only calibration data can give; pass "
                  "--calibration=inputs.npy (a batch of model inputs)";
      if (failed(loadCalibration(linear)))
        return failure();
      if (it->second != 0)
        return layerError(linear, neuron) << "calibration data covers model input "
                                     "#0 only, this layer reads input #"
                                  << it->second;
      const npy::Array &data = *calibrationInputs;
      int64_t features = data.data.size() / data.shape[0];
      if (features != k)
        return layerError(linear, neuron)
               << "calibration samples have " << features
               << " values each, the layer's input has " << k;
      float lo = *llvm::min_element(data.data),
            hi = *llvm::max_element(data.data);
      if (lo < 0)
        return layerError(linear, neuron)
               << "calibration inputs go down to " << lo
               << "; graded payloads are unsigned (0..255), so a graded "
                  "layer's input must not be negative";
      inputScale = hi > 0 ? hi / 255.0 : 1.0;
      activations[input] = {data.shape[0], features, data.data};
    } else {
      return layerError(linear, neuron)
             << "its graded input is computed on the host; spikecore takes "
                "graded events from a spikecore relu or a model input only";
    }
  }

  // Membrane unit per neuron j: u[j] = gain[j] * s_in * s_W[j].
  auto rowMax = [&](int64_t j) {
    float max = 0;
    for (int64_t i = 0; i < k; ++i)
      max = std::max(max, std::fabs(w[j * k + i]));
    return double(max);
  };
  double layerMax = 0;
  for (int64_t j = 0; j < m; ++j)
    layerMax = std::max(layerMax, rowMax(j));
  bool perChannelScales = perChannel && output != OutputKind::graded;
  std::vector<double> weightScale(perChannelScales ? m : 1);
  std::vector<double> gain(m, 1.0);
  int32_t threshold = 0, vreset = 0, leakMul = 0;
  auto naiveScale = [&](int64_t j) {
    double max = perChannelScales ? rowMax(j) : layerMax;
    return max > 0 ? max / 127.0 : 1.0;
  };
  // The partitioner only places neurons FIRE and LEAK can run exactly;
  // re-check here for IR that did not come through it.
  if (lif && (lif.getResetDelay() || !llvm::all_equal(lif.getLeak()) ||
              !llvm::all_of(lif.getVLeak(), [](float v) { return v == 0; }) ||
              !llvm::all_of(lif.getVInit(), [](float v) { return v == 0; }) ||
              !llvm::all_of(lif.getGain(), [](float g) { return g > 0; })))
    return layerError(linear, neuron)
           << "SpikeCore neurons need no reset_delay, one leak, v_leak = 0, "
              "v_init = 0 and gain > 0 (docs/placement.md)";
  if (lif) {
    // Choose the weight scales so that v_threshold is a whole number θ of
    // units, the same θ for every neuron: θ = min_j floor(thr_j / (gain_j *
    // s_in * s0_j)) keeps every s_W[j] = thr_j / (gain_j * s_in * θ) at
    // least the max-abs scale s0_j, so the int8 weights never clip.
    std::vector<double> ratio(m);
    for (int64_t j = 0; j < m; ++j) {
      gain[j] = spk::LIFOp::paramAt(lif.getGain(), j);
      ratio[j] = spk::LIFOp::paramAt(lif.getVThreshold(), j) / gain[j];
    }
    if (!perChannelScales &&
        !llvm::all_of(ratio, [&](double r) { return r == ratio[0]; }))
      return layerError(linear, neuron)
             << "per-layer quantization needs one v_threshold / gain for "
                "all neurons (the threshold must be a whole number of one "
                "shared unit); quantize per channel instead";
    int64_t theta = kMaxThreshold;
    for (int64_t j = 0; j < m; ++j)
      theta = std::min<int64_t>(
          theta, static_cast<int64_t>(
                     std::floor(ratio[j] / (inputScale * naiveScale(j)))));
    theta = std::max<int64_t>(theta, 1);
    threshold = static_cast<int32_t>(theta);
    for (size_t j = 0; j < weightScale.size(); ++j)
      weightScale[j] = ratio[j] / (inputScale * theta);
    // v_reset in units: exact or an error.
    if (lif.getReset() == spk::ResetMode::hard) {
      for (int64_t j = 0; j < m; ++j) {
        double units = spk::LIFOp::paramAt(*lif.getVReset(), j) /
                       spk::LIFOp::paramAt(lif.getVThreshold(), j) * theta;
        if (std::fabs(units - std::round(units)) > 1e-6 ||
            (j > 0 && std::round(units) != vreset))
          return layerError(linear, neuron)
                 << "v_reset = "
                 << shortNumber(spk::LIFOp::paramAt(*lif.getVReset(), j))
                 << " is not the same whole number of membrane units for "
                    "every neuron (unit = v_threshold / "
                 << theta << "); SpikeCore's FIRE resets to one integer";
        vreset = static_cast<int32_t>(std::round(units));
      }
    }
    leakMul = static_cast<int32_t>(
        std::llround(lif.getLeak().front() * std::ldexp(1.0, kLeakShift)));
  } else {
    for (size_t j = 0; j < weightScale.size(); ++j)
      weightScale[j] = naiveScale(j);
  }
  auto scaleOf = [&](int64_t j) {
    return weightScale[perChannelScales ? j : 0];
  };

  // int8 weights, int32 bias (in units of s_in * s_W: gain scales the bias
  // together with the weights) and the error they make.
  std::vector<int8_t> q(m * k);
  double errorSquares = 0, weightSquares = 0, maxWeightError = 0;
  for (int64_t j = 0; j < m; ++j)
    for (int64_t i = 0; i < k; ++i) {
      double value = w[j * k + i];
      double level = std::clamp(std::round(value / scaleOf(j)), -127.0, 127.0);
      q[j * k + i] = static_cast<int8_t>(level);
      double error = value - level * scaleOf(j);
      errorSquares += error * error;
      weightSquares += value * value;
      maxWeightError = std::max(maxWeightError, std::fabs(error));
    }
  std::vector<int32_t> qb;
  double maxBiasError = 0;
  for (int64_t j = 0; j < static_cast<int64_t>(b.size()); ++j) {
    double unit = inputScale * scaleOf(j);
    double level = std::round(b[j] / unit);
    if (std::fabs(level) > INT32_MAX / 2)
      return layerError(linear, neuron) << "bias " << b[j] << " is " << level
                                << " membrane units, beyond int32";
    qb.push_back(static_cast<int32_t>(level));
    maxBiasError = std::max(maxBiasError, std::fabs(b[j] - level * unit));
  }
  SmallVector<double> unitScale;
  for (int64_t j = 0; j < (perChannelScales ? m : 1); ++j)
    unitScale.push_back((lif ? gain[j] : 1.0) * inputScale * scaleOf(j));

  // Graded output: q = round(relu(V) * u / s_out), s_out from calibration.
  int32_t outMul = 0, outShift = 0;
  double outputScale = 0;
  std::optional<Activations> outputActivations;
  if (relu) {
    auto it = activations.find(input);
    if (it == activations.end())
      return layerError(linear, neuron)
             << "a graded (relu) layer needs the range of its output; pass "
                "--calibration=inputs.npy (a batch of model inputs) so the "
                "compiler can measure it";
    Activations y = linearForward(it->second, w, b, m);
    float max = 0;
    for (float &v : y.values)
      max = std::max(max, v = std::max(v, 0.0f));
    outputScale = max > 0 ? max / 255.0 : 1.0;
    std::tie(outMul, outShift) = fixedPoint(unitScale[0] / outputScale);
    outputActivations = std::move(y);
  }

  // Build the layer.
  Operation *replaced = neuron ? neuron : linear.getOperation();
  Type element = output == OutputKind::spikes
                     ? Type(builder.getI1Type())
                     : Type(builder.getF32Type());
  auto resultType = RankedTensorType::get({inputType.getDimSize(0), m}, element);
  auto weights = DenseElementsAttr::get(
      RankedTensorType::get({m, k}, builder.getIntegerType(8)),
      ArrayRef<int8_t>(q));
  DenseElementsAttr bias;
  if (!qb.empty())
    bias = DenseElementsAttr::get(
        RankedTensorType::get({m}, builder.getIntegerType(32)),
        ArrayRef<int32_t>(qb));
  Location loc = FusedLoc::get(context, {linear.getLoc(), replaced->getLoc()});
  std::string node = spk::getNodeName(loc);
  builder.setInsertionPoint(replaced);
  NamedAttrList attrs;
  attrs.append("name", builder.getStringAttr(node));
  if (spikeInput)
    attrs.append("spike_input", builder.getUnitAttr());
  attrs.append("weights", weights);
  if (bias)
    attrs.append("bias", bias);
  attrs.append("input_scale", builder.getF64FloatAttr(inputScale));
  attrs.append("scale", builder.getDenseF64ArrayAttr(unitScale));
  attrs.append("output", OutputKindAttr::get(context, output));
  auto layer = builder.create<LayerOp>(
      loc, TypeRange{resultType}, ValueRange{input}, attrs.getAttrs());
  if (lif) {
    layer.setLeakMul(leakMul);
    layer.setLeakShift(leakMul ? kLeakShift : 0);
    layer.setThreshold(threshold);
    layer.setVreset(vreset);
    ResetKind reset = lif.getReset() == spk::ResetMode::hard ? ResetKind::hard
                      : lif.getReset() == spk::ResetMode::soft
                          ? ResetKind::soft
                          : ResetKind::none;
    layer.setReset(reset);
    layer.setGreater(lif.getFire() == spk::FireMode::gt);
  }
  if (relu) {
    layer.setOutMul(outMul);
    layer.setOutShift(outShift);
    layer.setOutputScale(llvm::APFloat(outputScale));
  }
  NamedAttrList error;
  error.append("weight_rel_rms", builder.getF64FloatAttr(
                                     weightSquares > 0
                                         ? std::sqrt(errorSquares /
                                                     weightSquares)
                                         : 0.0));
  error.append("weight_max_abs", builder.getF64FloatAttr(maxWeightError));
  error.append("bias_max_abs", builder.getF64FloatAttr(maxBiasError));
  if (lif)
    error.append("leak_abs",
                 builder.getF64FloatAttr(std::fabs(
                     leakMul / std::ldexp(1.0, kLeakShift) -
                     double(lif.getLeak().front()))));
  layer->setAttr(kErrorAttrName, error.getDictionary(context));
  if (outputActivations)
    activations[layer.getResult()] = std::move(*outputActivations);
  replaced->getResult(0).replaceAllUsesWith(layer.getResult());
  if (neuron)
    neuron->erase();
  linear.erase();
  return success();
}

} // namespace
