//===- SpikeAttributes.h - spike dialect attributes -------------*- C++ -*-===//
//
// Part of SparseFlow.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEFLOW_DIALECT_SPIKE_SPIKEATTRIBUTES_H
#define SPARSEFLOW_DIALECT_SPIKE_SPIKEATTRIBUTES_H

#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectImplementation.h"

#include "sparseflow/Dialect/Spike/SpikeEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "sparseflow/Dialect/Spike/SpikeAttributes.h.inc"

#endif // SPARSEFLOW_DIALECT_SPIKE_SPIKEATTRIBUTES_H
