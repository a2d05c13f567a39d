//===- SpikeTrainAnalysis.h - which values carry spikes ---------*- C++ -*-===//
//
// Part of SparseFlow.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEFLOW_DIALECT_SPIKE_SPIKETRAINANALYSIS_H
#define SPARSEFLOW_DIALECT_SPIKE_SPIKETRAINANALYSIS_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/DenseSet.h"

namespace sparseflow::spike {

/// Finds the values of a module that carry binary spike trains: `i1` tensors,
/// the arguments of public functions when the model's encoding is `rate` or
/// `spikes`, and the results of spike-preserving ops (max_pool2d, flatten,
/// reshape, transpose, concat, zero pad) whose inputs all carry spikes.
class SpikeTrainAnalysis {
public:
  explicit SpikeTrainAnalysis(mlir::ModuleOp module);

  bool carriesSpikes(mlir::Value value) const;
  /// Whether `op` has an operand that carries spikes.
  bool consumesSpikes(mlir::Operation *op) const;

private:
  llvm::DenseSet<mlir::Value> binaryValues;
};

} // namespace sparseflow::spike

#endif // SPARSEFLOW_DIALECT_SPIKE_SPIKETRAINANALYSIS_H
