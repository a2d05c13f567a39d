//===- NIRImporter.h - NIR (HDF5) to spike dialect importer -----*- C++ -*-===//
//
// Part of SparseFlow.
//
// Imports a graph in the Neuromorphic Intermediate Representation (NIR), as
// written to HDF5 by NIR 0.2 through 1.x, into a builtin.module holding one
// `func.func @main` in the spike dialect. NIR is continuous-time and stores
// no timestep, so the caller gives `dt`; docs/nir.md states the discrete
// form. HDF5 types stay private to the implementation.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEFLOW_TARGET_NIR_NIRIMPORTER_H
#define SPARSEFLOW_TARGET_NIR_NIRIMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "sparseflow/Dialect/Spike/SpikeAttributes.h"

#include "llvm/ADT/StringRef.h"

#include <optional>

namespace llvm {
class SourceMgr;
} // namespace llvm

namespace sparseflow {

/// Whether `buffer` starts with the HDF5 format signature (how NIR files are
/// recognised, whatever their name).
bool isHDF5Buffer(llvm::StringRef buffer);

struct NIRImportOptions {
  /// The timestep in seconds (required: NIR files store none).
  std::optional<double> dt;
  /// The size of the batch dimension prepended to every NIR shape.
  int64_t batch = 1;
  /// Required: NIR describes a time series of unknown length.
  std::optional<int64_t> timesteps;
  /// Default `spikes` (a NIR input is a time series) and `all` (so is its
  /// output).
  std::optional<spike::Encoding> encoding;
  std::optional<spike::Readout> readout;
};

/// Imports the NIR file held by the main buffer of `sourceMgr`. Reports every
/// problem through the context's diagnostic engine, naming the NIR node or
/// dataset, and returns null on failure.
mlir::OwningOpRef<mlir::ModuleOp>
importNIRModel(const llvm::SourceMgr &sourceMgr, mlir::MLIRContext *context,
               const NIRImportOptions &options);

} // namespace sparseflow

#endif // SPARSEFLOW_TARGET_NIR_NIRIMPORTER_H
