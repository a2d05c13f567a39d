//===- SpikeOps.h - spike dialect operations --------------------*- C++ -*-===//
//
// Part of SparseFlow.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEFLOW_DIALECT_SPIKE_SPIKEOPS_H
#define SPARSEFLOW_DIALECT_SPIKE_SPIKEOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "sparseflow/Dialect/Spike/SpikeAttributes.h"
#include "sparseflow/Dialect/Spike/SpikeDialect.h"
#include "sparseflow/Dialect/Spike/SpikeTypes.h"

#define GET_OP_CLASSES
#include "sparseflow/Dialect/Spike/SpikeOps.h.inc"

#endif // SPARSEFLOW_DIALECT_SPIKE_SPIKEOPS_H
