//===- SpikeTypes.h - spike tensor helpers ----------------------*- C++ -*-===//
//
// Part of SparseFlow.
//
// Spike trains are ranked tensors of i1 (see SpikeTypes.td). These helpers are
// the one place that convention is spelled out in C++.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEFLOW_DIALECT_SPIKE_SPIKETYPES_H
#define SPARSEFLOW_DIALECT_SPIKE_SPIKETYPES_H

#include "mlir/IR/BuiltinTypes.h"

namespace sparseflow::spike {

/// Whether `type` is a spike tensor: a ranked tensor of i1.
inline bool isSpikeTensor(mlir::Type type) {
  auto tensor = llvm::dyn_cast<mlir::RankedTensorType>(type);
  return tensor && tensor.getElementType().isInteger(1);
}

/// Whether `value` carries a spike train.
inline bool isSpikeTensor(mlir::Value value) {
  return isSpikeTensor(value.getType());
}

} // namespace sparseflow::spike

#endif // SPARSEFLOW_DIALECT_SPIKE_SPIKETYPES_H
