//===- VerifyPlan.cpp - the contract of a finished execution plan ---------===//
//
// Part of SparseFlow.
//
//===----------------------------------------------------------------------===//

#include "sparseflow/Dialect/Plan/PlanPasses.h"

#include "sparseflow/Dialect/Spike/SpikeAttributes.h"
#include "sparseflow/Dialect/Spike/SpikeDialect.h"
#include "sparseflow/format/artifact_format.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace sparseflow::plan {
#define GEN_PASS_DEF_PLANVERIFY
#include "sparseflow/Dialect/Plan/PlanPasses.h.inc"
} // namespace sparseflow::plan

using namespace mlir;
using namespace sparseflow;
using namespace sparseflow::plan;

namespace {

struct Placed {
  Value value;
  uint64_t begin, end;
  int64_t def, lastUse;
};

LogicalResult verifyFunction(func::FuncOp func, int64_t timesteps,
                             uint64_t arenaSize) {
  SmallVector<Placed> placed;
  DenseMap<Value, size_t> index;
  auto place = [&](Value value, IntegerAttr offset, int64_t def,
                   Operation *at) -> LogicalResult {
    if (!offset)
      return at->emitError("plan-verify: an activation has no arena offset; "
                           "run plan-assign-arena");
    uint64_t begin = offset.getInt();
    uint64_t bytes =
        cast<PlanTensorType>(value.getType()).getByteSize(timesteps);
    if (begin % SF_ARTIFACT_ARENA_ALIGNMENT != 0 || begin + bytes > arenaSize)
      return at->emitError("plan-verify: arena range [")
             << begin << ", " << begin + bytes
             << ") is not " << SF_ARTIFACT_ARENA_ALIGNMENT
             << "-byte aligned or exceeds the arena of " << arenaSize
             << " bytes";
    index[value] = placed.size();
    placed.push_back({value, begin, begin + bytes, def, def});
    return success();
  };

  for (BlockArgument arg : func.getArguments()) {
    if (!isa<PlanTensorType>(arg.getType()))
      return func.emitError("plan-verify: model input #")
             << arg.getArgNumber() << " is not a plan tensor";
    if (failed(place(
            arg,
            func.getArgAttrOfType<IntegerAttr>(
                arg.getArgNumber(), PlanDialect::getArenaOffsetAttrName()),
            -1, func)))
      return failure();
  }
  int64_t step = 0;
  for (Operation &op : func.getBody().front()) {
    if (isa<ConstantOp>(op))
      continue;
    if (auto ret = dyn_cast<func::ReturnOp>(op)) {
      for (Value result : ret.getOperands()) {
        auto type = dyn_cast<PlanTensorType>(result.getType());
        if (!type || type.isSpikes())
          return ret.emitError("plan-verify: model outputs are f32 plan "
                               "tensors");
        if (auto it = index.find(result); it != index.end())
          placed[it->second].lastUse = std::numeric_limits<int64_t>::max();
      }
      continue;
    }
    auto kernel = dyn_cast<KernelOp>(op);
    if (!kernel)
      return op.emitError("plan-verify: expected plan.constant, plan.kernel "
                          "or func.return, found ")
             << op.getName();
    if (std::optional<Layout> layout = requiredWeightLayout(kernel)) {
      auto weight = kernel.getInputs().size() > 1
                        ? kernel.getInputs()[1].getDefiningOp<ConstantOp>()
                        : ConstantOp();
      if (!weight || weight.getLayout() != *layout)
        return kernel.emitError("plan-verify: the ")
               << stringifyKernelKind(kernel.getKernel()) << " "
               << kernel.getKind() << " kernel reads a constant weight in '"
               << stringifyLayout(*layout)
               << "' layout; run plan-arrange-weights";
    }
    for (Value input : kernel.getInputs())
      if (auto it = index.find(input); it != index.end())
        placed[it->second].lastUse = step;
    if (failed(place(kernel.getResult(), kernel.getArenaOffsetAttr(), step,
                     kernel)))
      return failure();
    ++step;
  }

  for (size_t a = 0; a < placed.size(); ++a)
    for (size_t b = a + 1; b < placed.size(); ++b) {
      const Placed &x = placed[a], &y = placed[b];
      bool live = x.def <= y.lastUse && y.def <= x.lastUse;
      bool overlap = x.begin < y.end && y.begin < x.end;
      if (live && overlap) {
        Operation *at = y.value.getDefiningOp();
        return (at ? at : func.getOperation())
                   ->emitError("plan-verify: arena range [")
               << y.begin << ", " << y.end << ") overlaps [" << x.begin << ", "
               << x.end << ") of a tensor live at the same time";
      }
    }
  return success();
}

struct PlanVerifyPass : public plan::impl::PlanVerifyBase<PlanVerifyPass> {
  void runOnOperation() override {
    if (failed(verifyPlan(getOperation())))
      signalPassFailure();
  }
};

} // namespace

LogicalResult plan::verifyPlan(ModuleOp module) {
  auto model = module->getAttrOfType<spike::ModelAttr>(
      spike::SpikeDialect::getModelAttrName());
  auto arena =
      module->getAttrOfType<IntegerAttr>(PlanDialect::getArenaSizeAttrName());
  if (!model || !arena)
    return module.emitError("plan-verify: expected the 'spike.model' and '")
           << PlanDialect::getArenaSizeAttrName() << "' module attributes";
  func::FuncOp entry;
  for (auto func : module.getOps<func::FuncOp>()) {
    if (entry || !func.isPublic())
      return func.emitError("plan-verify: expected one public function, the "
                            "model");
    entry = func;
  }
  if (!entry)
    return module.emitError("plan-verify: expected the model function");
  return verifyFunction(entry, model.getTimesteps(), arena.getInt());
}
