//===- SpikeDialect.cpp - spike dialect -----------------------------------===//
//
// Part of SparseFlow.
//
//===----------------------------------------------------------------------===//

#include "sparseflow/Dialect/Spike/SpikeDialect.h"

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

LogicalResult SpikeDialect::verifyOperationAttribute(Operation *op,
                                                     NamedAttribute attr) {
  if (attr.getName() != getModelAttrName())
    return op->emitError() << "unknown spike dialect attribute '"
                           << attr.getName().getValue() << "'";
  if (!isa<ModuleOp>(op))
    return op->emitError() << "'" << getModelAttrName()
                           << "' is only valid on a builtin.module, found on '"
                           << op->getName() << "'";
  if (!isa<ModelAttr>(attr.getValue()))
    return op->emitError() << "expected '" << getModelAttrName()
                           << "' to be a #spike.model attribute, found "
                           << attr.getValue();
  return success();
}
