//===- Partition.cpp - assign targets and outline partitions --------------===//
//
// Part of SparseFlow.
//
// BYOC-style: annotate each op with a target (placement rules, capability
// tables, default policy), merge runs of consecutive same-target ops into
// regions, and outline each region as a function carrying its target.
//
//===----------------------------------------------------------------------===//

#include "sparseflow/Dialect/Spike/SpikePasses.h"

#include "sparseflow/Dialect/Spike/SpikeOps.h"
#include "sparseflow/Dialect/Spike/SpikePlacement.h"
#include "sparseflow/Dialect/Spike/SpikeTargets.h"

#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/Support/Debug.h"

#define DEBUG_TYPE "spike-partition"

namespace sparseflow::spike {
#define GEN_PASS_DEF_SPIKEPARTITION
#include "sparseflow/Dialect/Spike/SpikePasses.h.inc"
} // namespace sparseflow::spike

using namespace mlir;
using namespace sparseflow;
using namespace sparseflow::spike;

namespace {

/// A reshape or flatten of a model input, or whose only user returns it.
bool isBoundaryLayoutOp(Operation &op) {
  if (!isa<ReshapeOp, FlattenOp>(op))
    return false;
  return isa<BlockArgument>(op.getOperand(0)) ||
         llvm::all_of(op.getUsers(), [](Operation *user) {
           return isa<func::ReturnOp>(user);
         });
}

/// "node '/fc1/Gemm' (spike.linear)", for messages.
std::string describe(Operation *op) {
  std::string name = getNodeName(op->getLoc());
  return (name.empty() ? std::string("op") : "node '" + name + "'") + " (" +
         op->getName().getStringRef().str() + ")";
}

struct SpikePartitionPass : spike::impl::SpikePartitionBase<SpikePartitionPass> {
  using SpikePartitionBase::SpikePartitionBase;

  void runOnOperation() override;

private:
  LogicalResult assignTargets(func::FuncOp func);
  LogicalResult reconcileBlockSize(Operation *op, Target target);
  LogicalResult outline(func::FuncOp func, SymbolTable &symbols);

  SmallVector<Target> allowed;
  Placement placement;
  std::optional<TargetCapabilities> capabilities;
  llvm::DenseSet<unsigned> usedRules;
};

void SpikePartitionPass::runOnOperation() {
  ModuleOp module = getOperation();
  std::string error;
  std::optional<SmallVector<Target>> targetList =
      parseTargetList(targets, error);
  if (!targetList) {
    module.emitError("spike-partition: ") << error;
    return signalPassFailure();
  }
  allowed = std::move(*targetList);

  std::optional<SpikeCoreDescription> spikecore =
      SpikeCoreDescription::load(spikecoreConfig, error);
  if (!spikecore) {
    module.emitError(error);
    return signalPassFailure();
  }
  capabilities.emplace(*spikecore);

  std::optional<Placement> loaded =
      Placement::load(&getContext(), placementFile, error);
  if (!loaded) {
    module.emitError(error);
    return signalPassFailure();
  }
  placement = std::move(*loaded);

  // Partition every public function that has not been partitioned already.
  SmallVector<func::FuncOp> entries;
  for (auto func : module.getOps<func::FuncOp>())
    if (!func.isExternal() && func.isPublic() &&
        !getTarget(func))
      entries.push_back(func);

  usedRules.clear();
  SymbolTable symbols(module);
  for (func::FuncOp func : entries)
    if (failed(assignTargets(func)) || failed(outline(func, symbols)))
      return signalPassFailure();

  for (const PlacementRule &rule : placement.getRules())
    if (rule.target && !usedRules.contains(rule.index))
      module.emitWarning() << "placement rule #" << rule.index
                           << " with target '" << stringifyTarget(*rule.target)
                           << "' matches no op";
}

LogicalResult SpikePartitionPass::assignTargets(func::FuncOp func) {
  if (!func.getBody().hasOneBlock())
    return func.emitError("spike-partition: expected a single-block function");

  auto isAllowed = [&](Target t) { return llvm::is_contained(allowed, t); };
  for (Operation &op : func.getBody().front()) {
    if (isa<func::ReturnOp>(op) || matchPattern(&op, m_Constant()))
      continue;
    if (!isa<SpikeDialect>(op.getDialect()))
      return op.emitError() << "spike-partition: cannot place '"
                            << op.getName()
                            << "': only spike ops and constants are placed";

    // 1. An explicit placement rule.
    if (const PlacementRule *rule = placement.findTargetRule(&op)) {
      usedRules.insert(rule->index);
      Target target = *rule->target;
      if (!isAllowed(target))
        return op.emitError()
               << "placement rule #" << rule->index << " puts " << describe(&op)
               << " on '" << stringifyTarget(target)
               << "', which is not among the enabled targets";
      if (std::optional<std::string> why =
              capabilities->whyCannotRun(&op, target))
        return op.emitError() << "placement rule #" << rule->index
                              << " puts " << describe(&op) << " on '"
                              << stringifyTarget(target)
                              << "', which cannot run it: " << *why;
      setTarget(&op, target);
    } else {
      std::optional<Target> chosen;
      // 2. A spike consumer goes to the first faster target with a kernel
      // that exploits its spikes.
      for (Target target : allowed)
        if (target != Target::host && !chosen &&
            !capabilities->whyNoSpikeKernel(&op, target))
          chosen = target;
      // 3. A neuron (lif, or relu for a graded layer) follows the SpikeCore
      // layer that integrates its input, and a linear follows a SpikeCore
      // relu whose graded events it takes.
      if (!chosen && isa<LIFOp, ReluOp, LinearOp>(op) &&
          isAllowed(Target::spikecore) &&
          (!isa<LinearOp>(op) ||
           op.getOperand(0).getDefiningOp<ReluOp>())) {
        Operation *producer = op.getOperand(0).getDefiningOp();
        if (producer && getTarget(producer) == Target::spikecore &&
            !capabilities->whyCannotRun(&op, Target::spikecore))
          chosen = Target::spikecore;
      }
      // 4. Host, else the first target that can run it.
      if (!chosen && isAllowed(Target::host) &&
          !capabilities->whyCannotRun(&op, Target::host))
        chosen = Target::host;
      for (Target target : allowed)
        if (!chosen && !capabilities->whyCannotRun(&op, target))
          chosen = target;
      // 5. A layout op at the model's boundary (a reshape of an input, as
      // `x.view(-1, 784)` before a SpikeCore MLP, or of an output) moves no
      // data a target computes on: the host runtime applies it whichever
      // targets are enabled.
      if (!chosen && isBoundaryLayoutOp(op))
        chosen = Target::host;
      if (!chosen) {
        InFlightDiagnostic diag = op.emitError()
                                  << "no enabled target can run "
                                  << describe(&op);
        for (Target target : allowed)
          diag.attachNote() << stringifyTarget(target) << ": "
                            << *capabilities->whyCannotRun(&op, target);
        return diag;
      }
      setTarget(&op, *chosen);
    }
    Target target = *getTarget(&op);
    LLVM_DEBUG(llvm::dbgs() << stringifyTarget(target) << ": " << op << "\n");
    if (failed(reconcileBlockSize(&op, target)))
      return failure();
  }

  // A SpikeCore neuron integrates in the core: its layer must be there too,
  // and graded events only travel between cores. (SpikeCore takes a lif or
  // relu fed by a spike.linear, and a linear fed by a relu, placed before.)
  for (Operation &op : func.getBody().getOps()) {
    if (getTarget(&op) != Target::spikecore ||
        !isa<LIFOp, ReluOp, LinearOp>(op))
      continue;
    Operation *producer = op.getOperand(0).getDefiningOp();
    if (!producer || !isa<LinearOp, ReluOp>(producer) ||
        (isa<LinearOp>(op) && !isa<ReluOp>(producer)))
      continue;
    Target where = *getTarget(producer);
    if (where != Target::spikecore)
      return op.emitError()
             << describe(&op) << " is placed on 'spikecore' but its input is "
             << "computed on '" << stringifyTarget(where) << "'; "
             << (isa<LinearOp>(op)
                     ? "a spikecore layer takes graded input only from a "
                       "spikecore relu or a model input"
                     : "a spikecore neuron needs its spike.linear on "
                       "spikecore");
  }
  return success();
}

LogicalResult SpikePartitionPass::reconcileBlockSize(Operation *op,
                                                     Target target) {
  StringRef name = SpikeDialect::getBlockSizeAttrName();
  auto size = op->getAttrOfType<IntegerAttr>(name);
  // SpikeCore is event-driven: its work follows the spikes, not blocks.
  if (target == Target::spikecore)
    op->removeAttr(name);
  if (!size || size.getInt() == 0 || target == Target::spikecore)
    return success();
  std::optional<std::string> why = capabilities->whyNoSpikeKernel(op, target);
  if (!why)
    return success();
  const PlacementRule *rule = placement.findBlockSizeRule(op);
  if (rule && *rule->blockSize != 0)
    return op->emitError() << "placement rule #" << rule->index
                           << " asks for block size " << *rule->blockSize
                           << " on " << describe(op) << ", but '"
                           << stringifyTarget(target)
                           << "' has no block-sparse kernel for it: " << *why;
  op->setAttr(name, IntegerAttr::get(size.getType(), 0));
  return success();
}

LogicalResult SpikePartitionPass::outline(func::FuncOp func,
                                          SymbolTable &symbols) {
  // Regions: maximal runs of consecutive placed ops with one target. Each is
  // an interval of a topological order, so the calls stay acyclic.
  SmallVector<SmallVector<Operation *>> regions;
  for (Operation &op : func.getBody().front()) {
    std::optional<Target> target = getTarget(&op);
    if (!target)
      continue;
    if (regions.empty() || getTarget(regions.back().front()) != target)
      regions.emplace_back();
    regions.back().push_back(&op);
  }

  OpBuilder builder(func.getContext());
  Operation *previous = func;
  for (auto [index, ops] : llvm::enumerate(regions)) {
    Target target = *getTarget(ops.front());
    llvm::SmallPtrSet<Operation *, 16> inRegion(ops.begin(), ops.end());
    llvm::SetVector<Value> inputs, outputs;
    for (Operation *op : ops) {
      for (Value operand : op->getOperands()) {
        Operation *def = operand.getDefiningOp();
        if (!(def && (inRegion.contains(def) || matchPattern(def, m_Constant()))))
          inputs.insert(operand);
      }
      for (Value result : op->getResults())
        if (llvm::any_of(result.getUsers(), [&](Operation *user) {
              return !inRegion.contains(user);
            }))
          outputs.insert(result);
    }

    // The partitions follow the function they came from, in order.
    builder.setInsertionPointAfter(previous);
    auto type = builder.getFunctionType(TypeRange(inputs.getArrayRef()),
                                        TypeRange(outputs.getArrayRef()));
    std::string name = (func.getSymName() + "_p" + Twine(index) + "_" +
                        stringifyTarget(target))
                           .str();
    auto partition = builder.create<func::FuncOp>(func.getLoc(), name, type);
    partition.setPrivate();
    setTarget(partition, target);
    symbols.insert(partition);
    previous = partition;

    Block *body = partition.addEntryBlock();
    builder.setInsertionPointToStart(body);
    IRMapping mapping;
    mapping.map(inputs.getArrayRef(), body->getArguments());
    for (Operation *op : ops) {
      for (Value operand : op->getOperands())
        if (!mapping.contains(operand))
          builder.clone(*operand.getDefiningOp(), mapping); // a constant
      builder.clone(*op, mapping);
    }
    SmallVector<Value> results = llvm::map_to_vector(
        outputs, [&](Value v) { return mapping.lookup(v); });
    builder.create<func::ReturnOp>(func.getLoc(), results);

    // Replace the region by a call where it began.
    builder.setInsertionPoint(ops.front());
    auto call = builder.create<func::CallOp>(
        ops.front()->getLoc(), partition, inputs.getArrayRef());
    for (auto [output, result] : llvm::zip(outputs, call.getResults()))
      Value(output).replaceAllUsesWith(result);
    for (Operation *op : llvm::reverse(ops))
      op->erase();
  }

  // Constants now used only inside partitions.
  for (Operation &op : llvm::make_early_inc_range(func.getBody().front()))
    if (op.use_empty() && matchPattern(&op, m_Constant()))
      op.erase();
  return success();
}

} // namespace
