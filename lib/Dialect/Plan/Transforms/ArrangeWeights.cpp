//===- ArrangeWeights.cpp - weights in the layout of their kernel ---------===//
//
// Part of SparseFlow.
//
//===----------------------------------------------------------------------===//

#include "sparseflow/Dialect/Plan/PlanPasses.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/DenseMap.h"

namespace sparseflow::plan {
#define GEN_PASS_DEF_PLANARRANGEWEIGHTS
#include "sparseflow/Dialect/Plan/PlanPasses.h.inc"
} // namespace sparseflow::plan

using namespace mlir;
using namespace sparseflow;
using namespace sparseflow::plan;

namespace {

/// The elements of `values` (row-major, logical `shape`) in `layout` order;
/// a conv weight [O, C/g, KH, KW] of g `groups` as [C, KH, KW, O/g], input
/// channel c's row holding its group's outputs.
std::vector<float> arrange(ArrayRef<float> values, ArrayRef<int64_t> shape,
                           Layout layout, int64_t groups) {
  std::vector<float> arranged(values.size());
  switch (layout) {
  case Layout::as_is:
    arranged.assign(values.begin(), values.end());
    break;
  case Layout::transposed: {
    int64_t rows = shape[0], cols = shape[1];
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < cols; ++c)
        arranged[c * rows + r] = values[r * cols + c];
    break;
  }
  case Layout::chwo: {
    int64_t o = shape[0], c = shape[1], kh = shape[2], kw = shape[3];
    int64_t perGroup = o / groups;
    for (int64_t oi = 0; oi < o; ++oi)
      for (int64_t ci = 0; ci < c; ++ci) {
        int64_t channel = oi / perGroup * c + ci;
        for (int64_t y = 0; y < kh; ++y)
          for (int64_t x = 0; x < kw; ++x)
            arranged[((channel * kh + y) * kw + x) * perGroup + oi % perGroup] =
                values[((oi * c + ci) * kh + y) * kw + x];
      }
    break;
  }
  }
  return arranged;
}

struct PlanArrangeWeightsPass
    : public plan::impl::PlanArrangeWeightsBase<PlanArrangeWeightsPass> {
  void runOnOperation() override {
    // One arranged copy per (constant, layout, groups).
    DenseMap<std::tuple<Operation *, unsigned, int64_t>, Value> arranged;
    SmallVector<ConstantOp> replaced;
    WalkResult result = getOperation().walk([&](KernelOp kernel) {
      std::optional<Layout> layout = requiredWeightLayout(kernel);
      if (!layout || kernel.getInputs().size() < 2)
        return WalkResult::advance();
      OpOperand &weight = kernel->getOpOperand(1);
      auto constant = weight.get().getDefiningOp<ConstantOp>();
      if (!constant) {
        kernel.emitOpError("expects a constant weight");
        return WalkResult::interrupt();
      }
      if (constant.getLayout() == *layout)
        return WalkResult::advance();
      if (constant.getLayout() != Layout::as_is) {
        kernel.emitOpError("reads its weight as '")
            << stringifyLayout(*layout) << "' but it is stored '"
            << stringifyLayout(constant.getLayout()) << "'";
        return WalkResult::interrupt();
      }
      int64_t groups = 1;
      if (auto attr = kernel->getAttrOfType<IntegerAttr>("groups"))
        groups = attr.getInt();
      Value &copy =
          arranged[{constant, static_cast<unsigned>(*layout), groups}];
      if (!copy) {
        DenseElementsAttr elements = constant.getElements();
        ArrayRef<int64_t> shape = elements.getType().getShape();
        std::vector<float> values(elements.getValues<float>().begin(),
                                  elements.getValues<float>().end());
        SmallVector<int64_t> stored = arrangedShape(shape, *layout, groups);
        auto type = RankedTensorType::get(stored, elements.getElementType());
        OpBuilder builder(constant);
        copy = builder.create<ConstantOp>(
            constant.getLoc(),
            PlanTensorType::get(&getContext(), stored, Storage::f32, false),
            constant.getName(), *layout,
            DenseElementsAttr::get(
                type, ArrayRef(arrange(values, shape, *layout, groups))));
        replaced.push_back(constant);
      }
      weight.set(copy);
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      return signalPassFailure();
    for (ConstantOp constant : replaced)
      if (constant->use_empty())
        constant.erase();
  }
};

} // namespace
