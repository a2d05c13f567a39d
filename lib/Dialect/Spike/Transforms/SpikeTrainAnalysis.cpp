//===- SpikeTrainAnalysis.cpp - which values carry spikes -----------------===//
//
// Part of SparseFlow.
//
//===----------------------------------------------------------------------===//

#include "sparseflow/Dialect/Spike/SpikeTrainAnalysis.h"

#include "sparseflow/Dialect/Spike/SpikeOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

using namespace mlir;
using namespace sparseflow::spike;

SpikeTrainAnalysis::SpikeTrainAnalysis(ModuleOp module) {
  auto model = module->getAttrOfType<ModelAttr>(SpikeDialect::getModelAttrName());
  bool binaryInput = model && model.getEncoding() != Encoding::direct;
  for (auto func : module.getOps<func::FuncOp>()) {
    if (func.isExternal())
      continue;
    if (binaryInput && func.isPublic())
      binaryValues.insert(func.getArguments().begin(),
                          func.getArguments().end());
    // Ops are visited in dominance order, so operands are classified first.
    func.walk([&](Operation *op) {
      auto pad = dyn_cast<PadOp>(op);
      // Layout ops, max pooling and zero padding move spikes; the product
      // of two spike trains is one (their AND).
      if (!isa<MaxPool2dOp, FlattenOp, ReshapeOp, TransposeOp, ConcatOp,
               SliceOp, MulOp>(op) &&
          !(pad && pad.preservesSpikes()))
        return;
      if (llvm::all_of(op->getOperands(),
                       [&](Value v) { return carriesSpikes(v); }))
        binaryValues.insert(op->getResult(0));
    });
  }
}

bool SpikeTrainAnalysis::carriesSpikes(Value value) const {
  return isSpikeTensor(value) || binaryValues.contains(value);
}

bool SpikeTrainAnalysis::consumesSpikes(Operation *op) const {
  return llvm::any_of(op->getOperands(),
                      [&](Value v) { return carriesSpikes(v); });
}
