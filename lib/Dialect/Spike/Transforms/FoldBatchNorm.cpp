//===- FoldBatchNorm.cpp - fold BatchNorm into conv2d/linear --------------===//
//
// Part of SparseFlow.
//
//===----------------------------------------------------------------------===//

#include "sparseflow/Dialect/Spike/SpikePasses.h"

#include "sparseflow/Dialect/Spike/SpikeOps.h"

#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

#define DEBUG_TYPE "spike-fold-batchnorm"

namespace sparseflow::spike {
#define GEN_PASS_DEF_SPIKEFOLDBATCHNORM
#include "sparseflow/Dialect/Spike/SpikePasses.h.inc"
} // namespace sparseflow::spike

using namespace mlir;
using namespace sparseflow;
using namespace sparseflow::spike;

namespace {

/// The f32 values of a constant operand, or std::nullopt.
std::optional<std::vector<double>> constantValues(Value value) {
  DenseFPElementsAttr attr;
  if (!matchPattern(value, m_Constant(&attr)) ||
      !attr.getElementType().isF32())
    return std::nullopt;
  std::vector<double> values;
  values.reserve(attr.getNumElements());
  for (float v : attr.getValues<float>())
    values.push_back(v);
  return values;
}

/// batch_norm(layer(x, W, b)) -> layer(x, W', b') for conv2d and linear.
template <typename LayerOp>
struct FoldBatchNormIntoLayer : OpRewritePattern<BatchNormOp> {
  using OpRewritePattern<BatchNormOp>::OpRewritePattern;

  LogicalResult matchAndRewrite(BatchNormOp bn,
                                PatternRewriter &rewriter) const override {
    auto layer = bn.getInput().template getDefiningOp<LayerOp>();
    if (!layer || !layer->hasOneUse())
      return rewriter.notifyMatchFailure(bn, "input is not a single-use layer");
    auto weightType = cast<RankedTensorType>(layer.getWeight().getType());
    if (!weightType.getElementType().isF32() || !weightType.hasStaticShape())
      return rewriter.notifyMatchFailure(bn, "weight is not a static f32");

    std::optional<std::vector<double>> weight =
        constantValues(layer.getWeight());
    std::optional<std::vector<double>> gamma = constantValues(bn.getScale());
    std::optional<std::vector<double>> beta = constantValues(bn.getBias());
    std::optional<std::vector<double>> mean = constantValues(bn.getMean());
    std::optional<std::vector<double>> var = constantValues(bn.getVariance());
    int64_t channels = weightType.getDimSize(0);
    std::vector<double> bias(channels, 0.0);
    if (Value b = layer.getBias()) {
      std::optional<std::vector<double>> values = constantValues(b);
      if (!values)
        return rewriter.notifyMatchFailure(bn, "bias is not a constant");
      bias = std::move(*values);
    }
    if (!weight || !gamma || !beta || !mean || !var)
      return rewriter.notifyMatchFailure(bn, "parameters are not constants");
    // The verifier ensures [C] parameters; a splat constant has C values too.

    double epsilon = bn.getEpsilon().convertToDouble();
    int64_t perChannel = weightType.getNumElements() / channels;
    std::vector<float> newWeight(weightType.getNumElements());
    std::vector<float> newBias(channels);
    for (int64_t c = 0; c < channels; ++c) {
      double scale = (*gamma)[c] / std::sqrt((*var)[c] + epsilon);
      for (int64_t i = 0; i < perChannel; ++i)
        newWeight[c * perChannel + i] =
            static_cast<float>((*weight)[c * perChannel + i] * scale);
      newBias[c] = static_cast<float>((bias[c] - (*mean)[c]) * scale + (*beta)[c]);
    }

    auto biasType = RankedTensorType::get({channels}, rewriter.getF32Type());
    Value weightValue = rewriter.create<arith::ConstantOp>(
        layer.getWeight().getLoc(),
        DenseElementsAttr::get(weightType, llvm::ArrayRef(newWeight)));
    Value biasValue = rewriter.create<arith::ConstantOp>(
        bn.getBias().getLoc(),
        DenseElementsAttr::get(biasType, llvm::ArrayRef(newBias)));
    Operation *folded = rewriter.clone(*layer);
    folded->setLoc(rewriter.getFusedLoc({layer.getLoc(), bn.getLoc()}));
    folded->setOperand(1, weightValue);
    if (layer.getBias())
      folded->setOperand(2, biasValue);
    else
      folded->insertOperands(2, biasValue);
    rewriter.replaceOp(bn, folded->getResults());
    rewriter.eraseOp(layer);
    return success();
  }
};

struct SpikeFoldBatchNormPass
    : spike::impl::SpikeFoldBatchNormBase<SpikeFoldBatchNormPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateFoldBatchNormPatterns(patterns);
    if (failed(applyPatternsAndFoldGreedily(getOperation(),
                                            std::move(patterns)))) {
      getOperation()->emitError("spike-fold-batchnorm did not converge");
      signalPassFailure();
    }
  }
};

} // namespace

void sparseflow::spike::populateFoldBatchNormPatterns(
    RewritePatternSet &patterns) {
  patterns.add<FoldBatchNormIntoLayer<Conv2dOp>,
               FoldBatchNormIntoLayer<LinearOp>>(patterns.getContext());
}
