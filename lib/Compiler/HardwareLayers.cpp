//===- HardwareLayers.cpp - the layers hardware models see ----------------===//
//
// Part of SparseFlow.
//
//===----------------------------------------------------------------------===//

#include "sparseflow/Compiler/HardwareLayers.h"

#include "sparseflow/Compiler/PlacementReport.h"
#include "sparseflow/Dialect/Spike/SpikeDialect.h"
#include "sparseflow/Dialect/Spike/SpikeOps.h"
#include "sparseflow/Dialect/Spike/SpikePlacement.h"
#include "sparseflow/Support/InputLimits.h"
#include "sparseflow/format/dram_image.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"

#include <algorithm>

using namespace mlir;
using namespace sparseflow;
using spike::SpikeDialect;

namespace {

/// Outputs per weight tile.
constexpr int64_t kTileOutputs = 16;
/// Input channels per conv weight tile.
constexpr int64_t kTileChannels = 16;
/// Input features per linear weight tile when the layer has no block size.
constexpr int64_t kTileFeatures = 64;

/// A tile spans up to 16 outputs and, for a linear layer, one zero-skip
/// block of inputs (64 without one), so a silent input block's weights are
/// one tile column; for a conv, up to 16 input channels with all taps.
std::array<int64_t, 2> tileShape(const HardwareLayer &l) {
  int64_t outputs = std::min(l.weightShape[0], kTileOutputs);
  int64_t inputs =
      l.conv ? kTileChannels : (l.blockSize > 0 ? l.blockSize : kTileFeatures);
  return {outputs, std::min(l.weightShape[1], inputs)};
}

} // namespace

int64_t sparseflow::getTimesteps(ModuleOp module) {
  auto model = module->getAttrOfType<spike::ModelAttr>(
      SpikeDialect::getModelAttrName());
  return model ? model.getTimesteps() : 1;
}

FailureOr<std::vector<HardwareLayer>>
sparseflow::collectHardwareLayers(ModuleOp module) {
  std::vector<HardwareLayer> layers;
  bool failed = false;
  forEachSpikeOpInOrder(module, [&](Operation *op, func::FuncOp) {
    if (!isa<spike::Conv2dOp, spike::LinearOp>(op))
      return;
    auto input = cast<ShapedType>(op->getOperand(0).getType());
    auto weight = cast<ShapedType>(op->getOperand(1).getType());
    auto output = cast<ShapedType>(op->getResult(0).getType());
    if (!input.hasStaticShape() || !output.hasStaticShape() ||
        !weight.hasStaticShape() || input.getRank() < 2) {
      op->emitError("hardware models need static shapes with a batch "
                    "dimension");
      failed = true;
      return;
    }
    HardwareLayer l;
    l.name = spike::getNodeName(op->getLoc());
    l.op = op;
    l.conv = isa<spike::Conv2dOp>(op);
    l.spikeInput = op->hasAttr(SpikeDialect::getSpikeInputAttrName());
    l.spikingOutput = llvm::any_of(op->getResult(0).getUsers(), [](Operation *u) {
      return isa<spike::LIFOp>(u);
    });
    l.inputShape.assign(input.getShape().begin() + 1, input.getShape().end());
    l.outputShape.assign(output.getShape().begin() + 1,
                         output.getShape().end());
    ArrayRef<int64_t> w = weight.getShape();
    if (l.conv) {
      l.weightShape = {w[0], w[1], w[2], w[3]};
      auto conv = cast<spike::Conv2dOp>(op);
      l.groups = conv.getGroups();
      l.strides = {conv.getStrides()[0], conv.getStrides()[1]};
    } else {
      l.weightShape = {w[0], w[1], 1, 1};
    }
    if (auto size =
            op->getAttrOfType<IntegerAttr>(SpikeDialect::getBlockSizeAttrName()))
      l.blockSize = size.getInt();
    l.tile = tileShape(l);
    // The product of `factors`, or an error naming what it counts.
    auto count = [&](StringRef what, ArrayRef<int64_t> factors) {
      std::optional<int64_t> n = checkedProduct(factors);
      if (!n && !failed) {
        op->emitError("node '")
            << l.name << "': its " << what << " count ("
            << llvm::join(
                   llvm::map_range(factors,
                                   [](int64_t f) { return std::to_string(f); }),
                   " x ")
            << ") overflows int64";
        failed = true;
      }
      return n.value_or(0);
    };
    l.inputNeurons = count("input neuron", l.inputShape);
    l.outputNeurons = count("output neuron", l.outputShape);
    l.weights = count("weight", l.weightShape);
    // Every output takes I / groups x KH x KW products (K for a linear one).
    l.macsPerStep =
        count("multiply-accumulate", {l.outputNeurons, l.weightShape[1],
                                      l.weightShape[2], l.weightShape[3]});
    if (failed)
      return;
    layers.push_back(std::move(l));
  });
  if (failed)
    return failure();
  return layers;
}

LogicalResult sparseflow::buildDramImage(ModuleOp module,
                                         std::vector<uint8_t> &image) {
  image.clear();
  FailureOr<std::vector<HardwareLayer>> layers = collectHardwareLayers(module);
  if (failed(layers))
    return failure();
  std::vector<dram::LayerSpec> specs;
  std::vector<std::vector<float>> weights;
  for (const HardwareLayer &l : *layers) {
    if (!l.spikeInput)
      continue;
    DenseElementsAttr values;
    if (!matchPattern(l.op->getOperand(1), m_Constant(&values)))
      return l.op->emitError("node '")
             << l.name << "': the DRAM image needs constant weights";
    weights.emplace_back(values.getValues<float>().begin(),
                         values.getValues<float>().end());
    dram::LayerSpec spec;
    spec.name = l.name;
    spec.kind = l.conv ? SF_DRAM_CONV2D : SF_DRAM_LINEAR;
    spec.inputShape = l.inputShape;
    spec.outputShape = l.outputShape;
    spec.weightShape = l.weightShape;
    spec.groups = l.groups;
    spec.tile = l.tile;
    specs.push_back(std::move(spec));
  }
  if (specs.empty())
    return success();
  for (size_t i = 0; i < specs.size(); ++i)
    specs[i].weights = weights[i].data();
  int64_t timesteps = getTimesteps(module);
  dram::Result built =
      dram::buildImage(specs, static_cast<uint32_t>(timesteps), image);
  if (!built.ok())
    return module.emitError("cannot lay out the DRAM image: ")
           << built.message;
  return success();
}
