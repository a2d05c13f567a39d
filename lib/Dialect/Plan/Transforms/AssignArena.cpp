//===- AssignArena.cpp - the static memory plan of the activations --------===//
//
// Part of SparseFlow.
//
//===----------------------------------------------------------------------===//

#include "sparseflow/Dialect/Plan/PlanPasses.h"

#include "sparseflow/Dialect/Spike/SpikeAttributes.h"
#include "sparseflow/Dialect/Spike/SpikeDialect.h"
#include "sparseflow/format/artifact_format.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/Support/CheckedArithmetic.h"

#include <limits>

namespace sparseflow::plan {
#define GEN_PASS_DEF_PLANASSIGNARENA
#include "sparseflow/Dialect/Plan/PlanPasses.h.inc"
} // namespace sparseflow::plan

using namespace mlir;
using namespace sparseflow;
using namespace sparseflow::plan;

namespace {

constexpr uint64_t kAlignment = SF_ARTIFACT_ARENA_ALIGNMENT;

uint64_t alignUp(uint64_t value) {
  return (value + kAlignment - 1) / kAlignment * kAlignment;
}

/// An activation and its live range in kernel indices: written by kernel
/// `def` (-1: a model input), last read by kernel `lastUse`.
struct Activation {
  Value value;
  uint64_t bytes;
  int64_t def, lastUse;
  uint64_t offset = 0;
};

struct PlanAssignArenaPass
    : public plan::impl::PlanAssignArenaBase<PlanAssignArenaPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto model = module->getAttrOfType<spike::ModelAttr>(
        spike::SpikeDialect::getModelAttrName());
    if (!model) {
      module.emitError("expected the 'spike.model' attribute");
      return signalPassFailure();
    }
    for (auto func : module.getOps<func::FuncOp>())
      if (failed(assign(module, func, model.getTimesteps())))
        return signalPassFailure();
  }

  LogicalResult assign(ModuleOp module, func::FuncOp func, int64_t timesteps);
};

LogicalResult PlanAssignArenaPass::assign(ModuleOp module, func::FuncOp func,
                                          int64_t timesteps) {
  SmallVector<Activation> activations;
  DenseMap<Value, size_t> index;
  auto add = [&](Value value, int64_t def) {
    index[value] = activations.size();
    activations.push_back(
        {value, cast<PlanTensorType>(value.getType()).getByteSize(timesteps),
         def, def});
  };
  for (BlockArgument arg : func.getArguments())
    add(arg, -1);
  int64_t end = 0;
  for (Operation &op : func.getBody().front()) {
    if (isa<func::ReturnOp>(op)) {
      for (Value result : op.getOperands())
        if (auto it = index.find(result); it != index.end())
          activations[it->second].lastUse = std::numeric_limits<int64_t>::max();
      continue;
    }
    auto kernel = dyn_cast<KernelOp>(op);
    if (!kernel)
      continue;
    for (Value input : kernel.getInputs())
      if (auto it = index.find(input); it != index.end())
        activations[it->second].lastUse = end;
    add(kernel.getResult(), end);
    ++end;
  }

  auto order = llvm::to_vector(llvm::seq<size_t>(0, activations.size()));
  llvm::stable_sort(order, [&](size_t a, size_t b) {
    return activations[a].bytes > activations[b].bytes;
  });
  uint64_t arenaSize = 0;
  SmallVector<size_t> placed;
  for (size_t id : order) {
    Activation &tensor = activations[id];
    SmallVector<std::pair<uint64_t, uint64_t>> busy;
    for (size_t other : placed) {
      const Activation &o = activations[other];
      if (o.def <= tensor.lastUse && tensor.def <= o.lastUse)
        busy.push_back({o.offset, o.offset + alignUp(o.bytes)});
    }
    llvm::sort(busy);
    uint64_t offset = 0;
    for (auto [begin, finish] : busy) {
      if (offset + tensor.bytes <= begin)
        break;
      offset = std::max(offset, finish);
    }
    // Offsets and sizes are below 2^63, so only this sum can overflow.
    std::optional<uint64_t> finish =
        llvm::checkedAddUnsigned(offset, alignUp(tensor.bytes));
    if (!finish || *finish > uint64_t(std::numeric_limits<int64_t>::max()))
      return module.emitError()
             << "the activations do not fit a 2^63-byte arena (a tensor of "
             << tensor.bytes << " bytes)";
    tensor.offset = offset;
    arenaSize = std::max(arenaSize, *finish);
    placed.push_back(id);
  }

  Builder b(&getContext());
  for (const Activation &tensor : activations) {
    IntegerAttr offset = b.getI64IntegerAttr(tensor.offset);
    if (auto arg = dyn_cast<BlockArgument>(tensor.value))
      func.setArgAttr(arg.getArgNumber(), PlanDialect::getArenaOffsetAttrName(),
                      offset);
    else
      cast<KernelOp>(tensor.value.getDefiningOp()).setArenaOffsetAttr(offset);
  }
  module->setAttr(PlanDialect::getArenaSizeAttrName(),
                  b.getI64IntegerAttr(arenaSize));
  return success();
}

} // namespace
