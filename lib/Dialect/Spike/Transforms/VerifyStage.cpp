//===- VerifyStage.cpp - pipeline stage contracts -------------------------===//
//
// Part of SparseFlow.
//
//===----------------------------------------------------------------------===//

#include "sparseflow/Dialect/Spike/SpikePasses.h"

#include "sparseflow/Dialect/Spike/SpikeOps.h"
#include "sparseflow/Dialect/Spike/SpikeTargets.h"
#include "sparseflow/Dialect/Spike/SpikeTrainAnalysis.h"

#include "mlir/IR/Matchers.h"

namespace sparseflow::spike {
#define GEN_PASS_DEF_SPIKEVERIFYSTAGE
#include "sparseflow/Dialect/Spike/SpikePasses.h.inc"
} // namespace sparseflow::spike

using namespace mlir;
using namespace sparseflow;
using namespace sparseflow::spike;

LogicalResult sparseflow::spike::verifyTaggedStage(ModuleOp module) {
  SpikeTrainAnalysis analysis(module);
  WalkResult result = module.walk([&](Operation *op) {
    if (!isa<SpikeDialect>(op->getDialect()))
      return WalkResult::advance();
    bool tagged = op->hasAttr(SpikeDialect::getSpikeInputAttrName());
    if (tagged != analysis.consumesSpikes(op)) {
      op->emitError() << "stage 'tagged': "
                      << (tagged ? "op is tagged 'spike.spike_input' but none "
                                   "of its operands carries spikes"
                                 : "op consumes a spike train but is not "
                                   "tagged 'spike.spike_input'");
      return WalkResult::interrupt();
    }
    if (tagged && isa<Conv2dOp, LinearOp>(op) &&
        !op->hasAttr(SpikeDialect::getBlockSizeAttrName())) {
      op->emitError() << "stage 'tagged': spike-consuming op has no "
                         "'spike.block_size'";
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return failure(result.wasInterrupted());
}

namespace {

LogicalResult verifyPartition(func::FuncOp func, Target target,
                              const TargetCapabilities &capabilities) {
  if (func.isPublic())
    return func.emitError("stage 'partitioned': a partition function must be "
                          "private");
  for (Operation &op : func.getBody().getOps()) {
    if (isa<func::ReturnOp>(op) || matchPattern(&op, m_Constant()))
      continue;
    if (!isa<SpikeDialect>(op.getDialect()))
      return op.emitError() << "stage 'partitioned': only spike ops and "
                               "constants may be in a partition function";
    std::optional<Target> opTarget = getTarget(&op);
    if (opTarget != target)
      return op.emitError()
             << "stage 'partitioned': op "
             << (opTarget ? "has target '" + stringifyTarget(*opTarget).str() +
                                "'"
                          : std::string("has no 'spike.target'"))
             << " but lives in a '" << stringifyTarget(target)
             << "' partition";
    if (std::optional<std::string> why =
            capabilities.whyCannotRun(&op, target))
      return op.emitError() << "stage 'partitioned': '"
                            << stringifyTarget(target)
                            << "' cannot run this op: " << *why;
    auto size =
        op.getAttrOfType<IntegerAttr>(SpikeDialect::getBlockSizeAttrName());
    if (size && size.getInt() != 0)
      if (std::optional<std::string> why =
              capabilities.whyNoSpikeKernel(&op, target))
        return op.emitError() << "stage 'partitioned': block size "
                              << size.getInt() << " on '"
                              << stringifyTarget(target)
                              << "', which has no block-sparse kernel for "
                                 "this op: "
                              << *why;
  }
  return success();
}

LogicalResult verifyEntry(func::FuncOp func, SymbolTable &symbols) {
  for (Operation &op : func.getBody().getOps()) {
    if (isa<func::ReturnOp>(op) || matchPattern(&op, m_Constant()))
      continue;
    auto call = dyn_cast<func::CallOp>(op);
    auto callee =
        call ? symbols.lookup<func::FuncOp>(call.getCallee()) : nullptr;
    if (!callee || !getTarget(callee))
      return op.emitError() << "stage 'partitioned': a public function may "
                               "only call partition functions, found '"
                            << op.getName() << "'";
  }
  return success();
}

struct SpikeVerifyStagePass
    : spike::impl::SpikeVerifyStageBase<SpikeVerifyStagePass> {
  using SpikeVerifyStageBase::SpikeVerifyStageBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (stage == "tagged") {
      if (failed(verifyTaggedStage(module)))
        signalPassFailure();
      return;
    }
    if (stage != "partitioned") {
      module.emitError() << "spike-verify-stage: unknown stage '" << stage
                         << "' (expected tagged or partitioned)";
      return signalPassFailure();
    }
    std::string error;
    std::optional<SpikeCoreDescription> spikecore =
        SpikeCoreDescription::load(spikecoreConfig, error);
    if (!spikecore) {
      module.emitError(error);
      return signalPassFailure();
    }
    if (failed(verifyPartitionedStage(module, TargetCapabilities(*spikecore))))
      signalPassFailure();
  }
};

} // namespace

LogicalResult sparseflow::spike::verifyPartitionedStage(
    ModuleOp module, const TargetCapabilities &capabilities) {
  SymbolTable symbols(module);
  for (auto func : module.getOps<func::FuncOp>()) {
    if (func.isExternal())
      continue;
    std::optional<Target> target = getTarget(func);
    if (failed(target ? verifyPartition(func, *target, capabilities)
                      : verifyEntry(func, symbols)))
      return failure();
  }
  return success();
}
