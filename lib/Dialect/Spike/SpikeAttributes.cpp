//===- SpikeAttributes.cpp - spike dialect attributes ---------------------===//
//
// Part of SparseFlow.
//
//===----------------------------------------------------------------------===//

#include "sparseflow/Dialect/Spike/SpikeAttributes.h"

#include "mlir/IR/Builders.h"
#include "sparseflow/Dialect/Spike/SpikeDialect.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace sparseflow::spike;

#include "sparseflow/Dialect/Spike/SpikeEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "sparseflow/Dialect/Spike/SpikeAttributes.cpp.inc"

LogicalResult ModelAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                int64_t timesteps, Encoding, Readout) {
  if (timesteps < 1)
    return emitError() << "timesteps must be at least 1, found " << timesteps;
  return success();
}

void SpikeDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "sparseflow/Dialect/Spike/SpikeAttributes.cpp.inc"
      >();
}
