//===- ArtifactWriter.h - partitioned spike IR to a .sfa artifact -*- C++ -*-===//
//
// Part of SparseFlow.
//
// Lowers a module in the partitioned stage to the runtime's execution plan
// (tensors, a static memory plan, one kernel call per op with its weights
// arranged for that kernel) and serializes it as a .sfa artifact. The format
// is docs/artifact-format.md; the plan schema is formats/schema/sfa.fbs.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEFLOW_TARGET_ARTIFACT_ARTIFACTWRITER_H
#define SPARSEFLOW_TARGET_ARTIFACT_ARTIFACTWRITER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LogicalResult.h"
#include "llvm/Support/raw_ostream.h"

namespace sparseflow {

struct ArtifactOptions {
  /// Read spike inputs with the binary-input sparse kernels (conv2d with
  /// groups = 1, linear). Off: every op uses the dense reference kernel, for
  /// comparisons and benchmarks.
  bool sparseKernels = true;
};

/// Writes `module` (partitioned stage) as a .sfa artifact to `os`. Ops and
/// types the runtime cannot execute are reported at their location.
mlir::LogicalResult writeArtifact(mlir::ModuleOp module, llvm::raw_ostream &os,
                                  const ArtifactOptions &options = {});

/// Prints the execution plan that writeArtifact stores, as readable text:
/// the tensors with their storage and arena offsets, then the kernel calls.
mlir::LogicalResult printExecutionPlan(mlir::ModuleOp module,
                                       llvm::raw_ostream &os,
                                       const ArtifactOptions &options = {});

} // namespace sparseflow

#endif // SPARSEFLOW_TARGET_ARTIFACT_ARTIFACTWRITER_H
