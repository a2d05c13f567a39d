//===- ReassociateProducts.cpp - spike matrix chains, cheaper order -------===//
//
// Part of SparseFlow.
//
//===----------------------------------------------------------------------===//

#include "sparseflow/Dialect/Spike/SpikePasses.h"

#include "sparseflow/Dialect/Spike/SpikeOps.h"
#include "sparseflow/Dialect/Spike/SpikeTypes.h"

#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

#define DEBUG_TYPE "spike-reassociate-products"

namespace sparseflow::spike {
#define GEN_PASS_DEF_SPIKEREASSOCIATEPRODUCTS
#include "sparseflow/Dialect/Spike/SpikePasses.h.inc"
} // namespace sparseflow::spike

using namespace mlir;
using namespace sparseflow;
using namespace sparseflow::spike;

namespace {

/// The type of the product of `lhs` and `rhs`, as spike.matmul infers it,
/// or null where it has none (batches that do not broadcast).
RankedTensorType productType(Value lhs, Value rhs) {
  FailureOr<RankedTensorType> type = MatMulOp::inferResultType(
      std::nullopt, MatMulOp::Adaptor(ValueRange{lhs, rhs}));
  return succeeded(type) ? *type : nullptr;
}

/// Whether `value` is a constant f32 scalar that is a power of two, 2^-100
/// to 2^100: multiplying a whole number below 2^24 by it only moves the
/// exponent, exactly.
bool isPowerOfTwoScale(Value value) {
  DenseFPElementsAttr attr;
  if (!matchPattern(value, m_Constant(&attr)) || attr.getNumElements() != 1 ||
      !attr.getElementType().isF32())
    return false;
  int exponent;
  double mantissa = std::frexp(attr.getSplatValue<float>(), &exponent);
  return mantissa == 0.5 && exponent > -100 && exponent < 100;
}

/// matmul(matmul(A, B) [* s], C) -> matmul(A, matmul(B, C)) [* s] for spike
/// trains A, B, C, where cheaper and exact.
struct ReassociateSpikeProducts : OpRewritePattern<MatMulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MatMulOp outer,
                                PatternRewriter &rewriter) const override {
    Value c = outer.getRhs(), left = outer.getLhs();
    if (!isSpikeTensor(c))
      return rewriter.notifyMatchFailure(outer, "the right operand is analog");
    // An optional power-of-two scale between the products.
    Value scale;
    MulOp mul = left.getDefiningOp<MulOp>();
    if (mul) {
      if (!mul->hasOneUse())
        return rewriter.notifyMatchFailure(outer, "the scale has other users");
      for (auto [operand, other] : {std::pair{mul.getLhs(), mul.getRhs()},
                                    std::pair{mul.getRhs(), mul.getLhs()}})
        if (isPowerOfTwoScale(other)) {
          scale = other;
          left = operand;
        }
      if (!scale)
        return rewriter.notifyMatchFailure(outer, "not a power-of-two scale");
    }
    auto inner = left.getDefiningOp<MatMulOp>();
    if (!inner || !inner->hasOneUse())
      return rewriter.notifyMatchFailure(outer, "not a single-use product");
    Value a = inner.getLhs(), b = inner.getRhs();
    if (!isSpikeTensor(a) || !isSpikeTensor(b))
      return rewriter.notifyMatchFailure(outer, "an inner operand is analog");
    // Every sum either order forms is a whole number of at most K·N (A's
    // columns times C's rows): exact in f32 below 2^24.
    int64_t k = cast<RankedTensorType>(a.getType()).getShape().back();
    int64_t n =
        cast<RankedTensorType>(c.getType()).getShape().drop_back().back();
    if (k * n >= (int64_t{1} << 24))
      return rewriter.notifyMatchFailure(outer, "sums could exceed 2^24");

    // Multiply-adds: Q·(Kᵀ·V) costs d·L·d + L·d·d per head against
    // L·d·L + L·L·d.
    RankedTensorType abType = productType(a, b), bcType = productType(b, c);
    if (!abType || !bcType)
      return rewriter.notifyMatchFailure(outer,
                                         "batch shapes do not broadcast");
    int64_t outputs = outer.getType().getNumElements();
    int64_t before = abType.getNumElements() * k + outputs * n;
    int64_t after = bcType.getNumElements() * n + outputs * k;
    if (after >= before)
      return rewriter.notifyMatchFailure(outer, "not cheaper");

    auto bc = rewriter.create<MatMulOp>(inner.getLoc(), bcType, b, c);
    auto abc =
        rewriter.create<MatMulOp>(outer.getLoc(), outer.getType(), a, bc);
    Value result = abc.getResult();
    if (scale)
      result =
          rewriter.create<MulOp>(mul.getLoc(), outer.getType(), result, scale);
    rewriter.replaceOp(outer, result);
    return success();
  }
};

struct SpikeReassociateProductsPass
    : spike::impl::SpikeReassociateProductsBase<SpikeReassociateProductsPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<ReassociateSpikeProducts>(&getContext());
    if (failed(applyPatternsAndFoldGreedily(getOperation(),
                                            std::move(patterns)))) {
      getOperation()->emitError("spike-reassociate-products did not converge");
      signalPassFailure();
    }
  }
};

} // namespace
