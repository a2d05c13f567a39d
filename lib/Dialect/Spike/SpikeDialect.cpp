//===- SpikeDialect.cpp - spike dialect -----------------------------------===//
//
// Part of SparseFlow.
//
//===----------------------------------------------------------------------===//

#include "sparseflow/Dialect/Spike/SpikeDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "sparseflow/Dialect/Spike/SpikeAttributes.h"
#include "sparseflow/Dialect/Spike/SpikeOps.h"

using namespace mlir;
using namespace sparseflow::spike;

#include "sparseflow/Dialect/Spike/SpikeDialect.cpp.inc"

void SpikeDialect::initialize() {
  registerAttributes();
  addOperations<
#define GET_OP_LIST
#include "sparseflow/Dialect/Spike/SpikeOps.cpp.inc"
      >();
}

Operation *SpikeDialect::materializeConstant(OpBuilder &builder,
                                             Attribute value, Type type,
                                             Location loc) {
  auto elements = dyn_cast<ElementsAttr>(value);
  if (!elements || elements.getType() != type)
    return nullptr;
  return builder.create<arith::ConstantOp>(loc, type, elements);
}

LogicalResult SpikeDialect::verifyOperationAttribute(Operation *op,
                                                     NamedAttribute attr) {
  StringRef name = attr.getName().getValue();
  Attribute value = attr.getValue();
  auto expectSpikeOp = [&]() -> LogicalResult {
    if (op->getDialect() == this)
      return success();
    return op->emitError() << "'" << name
                           << "' is only valid on a spike op, found on '"
                           << op->getName() << "'";
  };

  if (name == getModelAttrName()) {
    if (!isa<ModuleOp>(op))
      return op->emitError()
             << "'" << name << "' is only valid on a builtin.module, found on '"
             << op->getName() << "'";
    if (!isa<ModelAttr>(value))
      return op->emitError() << "expected '" << name
                             << "' to be a #spike.model attribute, found "
                             << value;
    return success();
  }
  if (name == getSpikeInputAttrName()) {
    if (!isa<UnitAttr>(value))
      return op->emitError() << "expected '" << name
                             << "' to be a unit attribute, found " << value;
    return expectSpikeOp();
  }
  if (name == getBlockSizeAttrName()) {
    if (!isa<Conv2dOp, LinearOp>(op))
      return op->emitError() << "'" << name
                             << "' is only valid on spike.conv2d and "
                                "spike.linear, found on '"
                             << op->getName() << "'";
    auto size = dyn_cast<IntegerAttr>(value);
    if (!size || !size.getType().isInteger(64) ||
        !isValidBlockSize(size.getInt()))
      return op->emitError() << "expected '" << name
                             << "' to be an i64 of 0 or a power of two from 2 "
                                "to 64, found "
                             << value;
    if (!op->hasAttr(getSpikeInputAttrName()))
      return op->emitError() << "'" << name << "' requires '"
                             << getSpikeInputAttrName()
                             << "': only an op that consumes spikes has a "
                                "block size";
    return success();
  }
  if (name == getTargetAttrName()) {
    if (!isa<TargetAttr>(value))
      return op->emitError() << "expected '" << name
                             << "' to be a #spike.target attribute, found "
                             << value;
    if (isa<func::FuncOp>(op))
      return success();
    return expectSpikeOp();
  }
  return op->emitError() << "unknown spike dialect attribute '" << name << "'";
}
