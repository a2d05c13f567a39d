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

/// A host sparse conv/linear read only by `user`.
KernelOp fusableLayer(Value value, Operation *user) {
  auto layer = value.getDefiningOp<KernelOp>();
  if (!layer || !layer.isSparse() || layer.getTarget() != spike::Target::host ||
      fusedKind(layer.getKind()).empty() || !layer->hasOneUse() ||
      *layer->getUsers().begin() != user)
    return {};
  return layer;
}

/// A host Reshape read only by `user` that keeps dimensions 0 and 1 (the
/// LIF's outer and channel dimensions) and so every element's neuron
/// parameters: a Conv1d's [N, O, 1, L] -> [N, O, L].
KernelOp channelPreservingReshape(Value value, Operation *user) {
  auto reshape = value.getDefiningOp<KernelOp>();
  if (!reshape || reshape.getKind() != "Reshape" ||
      reshape.getTarget() != spike::Target::host || !reshape->hasOneUse() ||
      *reshape->getUsers().begin() != user)
    return {};
  ArrayRef<int64_t> from =
      cast<PlanTensorType>(reshape.getInputs()[0].getType()).getShape();
  ArrayRef<int64_t> to = reshape.getResult().getType().getShape();
  if (from.size() < 2 || to.size() < 2 ||
      from.take_front(2) != to.take_front(2))
    return {};
  return reshape;
}

struct PlanFuseNeuronsPass
    : public plan::impl::PlanFuseNeuronsBase<PlanFuseNeuronsPass> {
  void runOnOperation() override {
    SmallVector<KernelOp> neurons;
    getOperation().walk([&](KernelOp lif) {
      if (lif.getKind() == "LIF" && lif.getTarget() == spike::Target::host)
        neurons.push_back(lif);
    });
    for (KernelOp lif : neurons)
      fuse(lif);
  }

  /// LIF(layer) or LIF(add(layer, residual)), where the add has no other
  /// reader and the residual the add's shape (no broadcast), into one
  /// kernel. IEEE addition is commutative, so either operand order gives
  /// the add's floats. A residual that is unpacked spikes is read packed.
  void fuse(KernelOp lif) {
    Value input = lif.getInputs()[0];
    KernelOp layer = fusableLayer(input, lif);
    KernelOp add;
    Value residual;
    // LIF(reshape(layer)) keeping the channels: the fused kernel writes the
    // layer's shape, reshaped after.
    KernelOp reshape =
        layer ? KernelOp() : channelPreservingReshape(input, lif);
    if (reshape)
      layer = fusableLayer(reshape.getInputs()[0], reshape);
    if (!layer && reshape)
      return;
    if (!layer) {
      add = input.getDefiningOp<KernelOp>();
      if (!add || add.getKind() != "Add" ||
          add.getTarget() != spike::Target::host || !add->hasOneUse())
        return;
      for (unsigned i = 0; i < 2 && !layer; ++i) {
        layer = fusableLayer(add.getInputs()[i], add);
        residual = add.getInputs()[1 - i];
      }
      if (!layer || cast<PlanTensorType>(residual.getType()).getShape() !=
                        add.getResult().getType().getShape())
        return;
      if (auto unpack = residual.getDefiningOp<KernelOp>();
          unpack && unpack.getKind() == "Unpack")
        residual = unpack.getInputs()[0];
    }
    SmallVector<Value> inputs(layer.getInputs());
    if (residual)
      inputs.push_back(residual);
    OpBuilder builder(lif);
    SmallVector<Location> locs{layer.getLoc(), lif.getLoc()};
    if (add)
      locs.push_back(add.getLoc());
    PlanTensorType type = lif.getResult().getType();
    if (reshape)
      type = PlanTensorType::get(&getContext(),
                                 layer.getResult().getType().getShape(),
                                 type.getStorage(), type.getTemporal());
    auto fused = builder.create<KernelOp>(
        builder.getFusedLoc(locs), type, fusedKind(layer.getKind()),
        layer.getName(), layer.getTarget(), layer.getKernel(),
        layer.getBlockSizeAttr(), /*arena_offset=*/nullptr, inputs);
    copyParameters(layer, fused);
    copyParameters(lif, fused);
    if (residual)
      fused->setAttr("residual", builder.getBoolAttr(true));
    Value result = fused.getResult();
    if (reshape)
      result = builder.create<KernelOp>(
          reshape.getLoc(), lif.getResult().getType(), reshape.getKind(),
          reshape.getName(), reshape.getTarget(), reshape.getKernel(),
          /*block_size=*/nullptr, /*arena_offset=*/nullptr, result);
    lif.getResult().replaceAllUsesWith(result);
    Value unpacked = add ? add.getInputs()[0] == layer.getResult()
                               ? add.getInputs()[1]
                               : add.getInputs()[0]
                         : Value();
    lif.erase();
    if (add)
      add.erase();
    if (reshape)
      reshape.erase();
    layer.erase();
    if (auto unpack =
            unpacked ? unpacked.getDefiningOp<KernelOp>() : KernelOp();
        unpack && unpack.getKind() == "Unpack" && unpack->use_empty())
      unpack.erase();
  }
};

} // namespace
