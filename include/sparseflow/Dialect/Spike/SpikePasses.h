//===- SpikePasses.h - spike dialect passes ---------------------*- C++ -*-===//
//
// Part of SparseFlow.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEFLOW_DIALECT_SPIKE_SPIKEPASSES_H
#define SPARSEFLOW_DIALECT_SPIKE_SPIKEPASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Pass/Pass.h"

namespace sparseflow::spike {

class TargetCapabilities;

#define GEN_PASS_DECL
#include "sparseflow/Dialect/Spike/SpikePasses.h.inc"

#define GEN_PASS_REGISTRATION
#include "sparseflow/Dialect/Spike/SpikePasses.h.inc"

/// Adds the patterns of spike-fold-batchnorm: batch_norm(conv2d | linear)
/// into one layer with rescaled weights and bias.
void populateFoldBatchNormPatterns(mlir::RewritePatternSet &patterns);

/// The contract of the "tagged" stage: `spike.spike_input` exactly on the ops
/// that consume spikes, and a `spike.block_size` on every tagged conv2d and
/// linear. Reports the first violation.
mlir::LogicalResult verifyTaggedStage(mlir::ModuleOp module);

/// The contract of the "partitioned" stage (see SpikeVerifyStage in
/// SpikePasses.td). Reports the first violation.
mlir::LogicalResult
verifyPartitionedStage(mlir::ModuleOp module,
                       const TargetCapabilities &capabilities);

} // namespace sparseflow::spike

#endif // SPARSEFLOW_DIALECT_SPIKE_SPIKEPASSES_H
