//===- FuseNeurons.cpp - synaptic layers and their neurons as one kernel --===//
//
// Part of SparseFlow.
//
//===----------------------------------------------------------------------===//

#include "sparseflow/Dialect/Plan/PlanPasses.h"

#include "mlir/IR/Builders.h"

namespace sparseflow::plan {
#define GEN_PASS_DEF_PLANFUSENEURONS
#include "sparseflow/Dialect/Plan/PlanPasses.h.inc"
} // namespace sparseflow::plan

using namespace mlir;
using namespace sparseflow;
using namespace sparseflow::plan;

namespace {

/// The fused kind of a host sparse layer `kind` feeding LIF neurons, or an
/// empty string where there is none.
StringRef fusedKind(StringRef kind) {
  if (kind == "Conv2d")
    return "Conv2dLIF";
  if (kind == "Linear")
    return "LinearLIF";
  return "";
}

/// The parameters of `kernel` (its attributes that are not the plan's).
void copyParameters(KernelOp from, Operation *to) {
  for (NamedAttribute attr : from->getAttrs())
    if (!llvm::is_contained(KernelOp::getNonParameterAttrNames(),
                            attr.getName().strref()))
      to->setAttr(attr.getName(), attr.getValue());
}

struct PlanFuseNeuronsPass
    : public plan::impl::PlanFuseNeuronsBase<PlanFuseNeuronsPass> {
  void runOnOperation() override {
    SmallVector<KernelOp> neurons;
    getOperation().walk([&](KernelOp lif) {
      if (lif.getKind() == "LIF" && lif.getTarget() == spike::Target::host)
        neurons.push_back(lif);
    });
    for (KernelOp lif : neurons) {
      auto layer = lif.getInputs()[0].getDefiningOp<KernelOp>();
      if (!layer || !layer.isSparse() ||
          layer.getTarget() != spike::Target::host ||
          fusedKind(layer.getKind()).empty() || !layer->hasOneUse())
        continue;
      OpBuilder builder(lif);
      auto fused = builder.create<KernelOp>(
          builder.getFusedLoc({layer.getLoc(), lif.getLoc()}),
          lif.getResult().getType(), fusedKind(layer.getKind()),
          layer.getName(), layer.getTarget(), layer.getKernel(),
          layer.getBlockSizeAttr(),
          /*arena_offset=*/nullptr, layer.getInputs());
      copyParameters(layer, fused);
      copyParameters(lif, fused);
      lif.getResult().replaceAllUsesWith(fused.getResult());
      lif.erase();
      layer.erase();
    }
  }
};

} // namespace
