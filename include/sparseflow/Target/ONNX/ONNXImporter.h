//===- ONNXImporter.h - ONNX to spike dialect importer ----------*- C++ -*-===//
//
// Part of SparseFlow.
//
// Imports an ONNX model into a builtin.module holding one `func.func @main` in
// the spike dialect, with `#spike.model` on the module. Protobuf types stay
// private to the implementation.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEFLOW_TARGET_ONNX_ONNXIMPORTER_H
#define SPARSEFLOW_TARGET_ONNX_ONNXIMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "sparseflow/Dialect/Spike/SpikeAttributes.h"

#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>
#include <vector>

namespace llvm {
class SourceMgr;
} // namespace llvm

namespace sparseflow {

/// How the model is encoded.
enum class ONNXInputFormat {
  /// Text when the buffer's name ends in .textproto, .pbtxt or .txtpb.
  Auto,
  Binary, ///< a serialized ModelProto
  Text,   ///< the protobuf text format of ModelProto
};

/// Whether `filename` names a protobuf text-format model.
bool isONNXTextFilename(llvm::StringRef filename);

struct ONNXImportOptions {
  ONNXInputFormat format = ONNXInputFormat::Auto;
  /// The size given to a dynamic leading (batch) dimension of graph inputs.
  int64_t batch = 1;
  /// Overrides of the model's `metadata_props` (`sparseflow.timesteps`,
  /// `sparseflow.encoding`, `sparseflow.readout`).
  std::optional<int64_t> timesteps;
  std::optional<spike::Encoding> encoding;
  std::optional<spike::Readout> readout;
};

/// Imports the ONNX model held by the main buffer of `sourceMgr`: a binary
/// protobuf, or the protobuf text format (then diagnostics point at lines).
/// Reports every problem through the context's diagnostic engine, at the
/// offending node, and returns null on failure.
mlir::OwningOpRef<mlir::ModuleOp>
importONNXModel(const llvm::SourceMgr &sourceMgr, mlir::MLIRContext *context,
                const ONNXImportOptions &options = {});

/// The supported ops, as "Conv" or "sparseflow.LIF", with the ONNX operator
/// versions each accepts, e.g. "Conv (1, 11)".
std::vector<std::string> getSupportedONNXOps();

} // namespace sparseflow

#endif // SPARSEFLOW_TARGET_ONNX_ONNXIMPORTER_H
