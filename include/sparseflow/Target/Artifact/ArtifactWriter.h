//===- ArtifactWriter.h - an execution plan as a .sfa artifact --*- C++ -*-===//
//
// Part of SparseFlow.
//
// Serializes a module of the `plan` dialect that passed plan-verify (every
// decision made: kernels, weight layouts, arena offsets) as a .sfa artifact:
// the header, the plan as a FlatBuffer (formats/schema/sfa.fbs) and the
// aligned constant data. The format is docs/artifact-format.md.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEFLOW_TARGET_ARTIFACT_ARTIFACTWRITER_H
#define SPARSEFLOW_TARGET_ARTIFACT_ARTIFACTWRITER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LogicalResult.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/raw_ostream.h"

namespace sparseflow {

/// Writes the plan `module` as a .sfa artifact to `os`, with `dramImage`
/// (docs/dram-format.md; empty: none) after the constants.
mlir::LogicalResult writeArtifact(mlir::ModuleOp module,
                                  llvm::ArrayRef<uint8_t> dramImage,
                                  llvm::raw_ostream &os);

/// Prints the tables writeArtifact stores for the same arguments, as JSON:
/// the model, the data section (its size, and where the DRAM image starts),
/// the tensors (storage, arena or data offset, bytes) and the ops (kind,
/// target, kernel, block, tensor indices), for tools and scripts.
mlir::LogicalResult printPlanJSON(mlir::ModuleOp module,
                                  llvm::ArrayRef<uint8_t> dramImage,
                                  llvm::raw_ostream &os);

} // namespace sparseflow

#endif // SPARSEFLOW_TARGET_ARTIFACT_ARTIFACTWRITER_H
