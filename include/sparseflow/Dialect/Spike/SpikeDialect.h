//===- SpikeDialect.h - spike dialect ---------------------------*- C++ -*-===//
//
// Part of SparseFlow.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEFLOW_DIALECT_SPIKE_SPIKEDIALECT_H
#define SPARSEFLOW_DIALECT_SPIKE_SPIKEDIALECT_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Dialect.h"

#include "sparseflow/Dialect/Spike/SpikeDialect.h.inc"

#endif // SPARSEFLOW_DIALECT_SPIKE_SPIKEDIALECT_H
