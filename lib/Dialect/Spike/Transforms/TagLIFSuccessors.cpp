//===- TagLIFSuccessors.cpp - mark the ops that consume spikes ------------===//
//
// Part of SparseFlow.
//
//===----------------------------------------------------------------------===//

#include "sparseflow/Dialect/Spike/SpikePasses.h"

#include "sparseflow/Dialect/Spike/SpikeOps.h"
#include "sparseflow/Dialect/Spike/SpikeTrainAnalysis.h"

#include "llvm/Support/Debug.h"

#define DEBUG_TYPE "spike-tag-lif-successors"

namespace sparseflow::spike {
#define GEN_PASS_DEF_SPIKETAGLIFSUCCESSORS
#include "sparseflow/Dialect/Spike/SpikePasses.h.inc"
} // namespace sparseflow::spike

using namespace mlir;
using namespace sparseflow;
using namespace sparseflow::spike;

namespace {

struct SpikeTagLIFSuccessorsPass
    : spike::impl::SpikeTagLIFSuccessorsBase<SpikeTagLIFSuccessorsPass> {
  void runOnOperation() override {
    SpikeTrainAnalysis analysis(getOperation());
    StringRef name = SpikeDialect::getSpikeInputAttrName();
    getOperation().walk([&](Operation *op) {
      if (!isa<SpikeDialect>(op->getDialect()))
        return;
      if (analysis.consumesSpikes(op)) {
        LLVM_DEBUG(llvm::dbgs() << "spike consumer: " << *op << "\n");
        op->setAttr(name, UnitAttr::get(op->getContext()));
      } else {
        // A block size only applies to a spike consumer.
        op->removeAttr(name);
        op->removeAttr(SpikeDialect::getBlockSizeAttrName());
      }
    });
  }
};

} // namespace
