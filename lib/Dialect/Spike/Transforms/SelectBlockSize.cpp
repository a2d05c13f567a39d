//===- SelectBlockSize.cpp - zero-block sizes of spike consumers ----------===//
//
// Part of SparseFlow.
//
//===----------------------------------------------------------------------===//

#include "sparseflow/Dialect/Spike/SpikePasses.h"

#include "sparseflow/Dialect/Spike/SpikeOps.h"
#include "sparseflow/Dialect/Spike/SpikePlacement.h"

#include "llvm/Support/Debug.h"

#define DEBUG_TYPE "spike-select-block-size"

namespace sparseflow::spike {
#define GEN_PASS_DEF_SPIKESELECTBLOCKSIZE
#include "sparseflow/Dialect/Spike/SpikePasses.h.inc"
} // namespace sparseflow::spike

using namespace mlir;
using namespace sparseflow;
using namespace sparseflow::spike;

namespace {

struct SpikeSelectBlockSizePass
    : spike::impl::SpikeSelectBlockSizeBase<SpikeSelectBlockSizePass> {
  using SpikeSelectBlockSizeBase::SpikeSelectBlockSizeBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (failed(checkOptions()))
      return signalPassFailure();
    std::string error;
    std::optional<Placement> placement =
        Placement::load(&getContext(), placementFile, error);
    if (!placement) {
      module.emitError(error);
      return signalPassFailure();
    }

    StringRef attrName = SpikeDialect::getBlockSizeAttrName();
    WalkResult result = module.walk([&](Operation *op) {
      if (!isa<Conv2dOp, LinearOp>(op))
        return WalkResult::advance();
      bool tagged = op->hasAttr(SpikeDialect::getSpikeInputAttrName());
      const PlacementRule *rule = placement->findBlockSizeRule(op);
      if (rule && !tagged) {
        if (*rule->blockSize == 0)
          return WalkResult::advance();
        op->emitError() << "placement rule #" << rule->index
                        << " sets block_size " << *rule->blockSize << " on '"
                        << getNodeName(op->getLoc()) << "' (" << op->getName()
                        << "), whose input is not a spike train; only block "
                           "size 0 applies";
        return WalkResult::interrupt();
      }
      if (!tagged)
        return WalkResult::advance();

      int64_t size;
      if (rule)
        size = *rule->blockSize;
      else if (auto existing = op->getAttrOfType<IntegerAttr>(attrName))
        size = existing.getInt();
      else if (forcedSize)
        size = *forcedSize;
      else
        size = ruleOfThumb(op);
      LLVM_DEBUG(llvm::dbgs() << "block size " << size << ": " << *op << "\n");
      op->setAttr(attrName,
                  IntegerAttr::get(IntegerType::get(&getContext(), 64), size));
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }

private:
  LogicalResult checkOptions() {
    forcedSize.reset();
    if (blockSize != "auto") {
      int64_t size;
      if (StringRef(blockSize).getAsInteger(10, size) ||
          !SpikeDialect::isValidBlockSize(size))
        return getOperation().emitError()
               << "spike-select-block-size: block-size must be auto, 0 or a "
                  "power of two from 2 to 64, found '"
               << blockSize << "'";
      forcedSize = size;
    }
    for (int64_t size : {largeBlock.getValue(), mediumBlock.getValue()})
      if (!SpikeDialect::isValidBlockSize(size))
        return getOperation().emitError()
               << "spike-select-block-size: large-block and medium-block "
                  "must be 0 or a power of two from 2 to 64, found "
               << size;
    return success();
  }

  /// The default rule: by input height for conv2d, by input width (features)
  /// for linear.
  int64_t ruleOfThumb(Operation *op) const {
    auto input = cast<RankedTensorType>(op->getOperand(0).getType());
    if (isa<Conv2dOp>(op)) {
      int64_t height = input.getDimSize(2);
      if (height >= largeHeight)
        return largeBlock;
      return height >= mediumHeight ? mediumBlock : 0;
    }
    int64_t features = input.getDimSize(1);
    if (features >= linearLargeFeatures)
      return largeBlock;
    return features >= linearMediumFeatures ? mediumBlock : 0;
  }

  std::optional<int64_t> forcedSize;
};

} // namespace
