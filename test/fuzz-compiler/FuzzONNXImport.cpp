//===- FuzzONNXImport.cpp - libFuzzer target: the ONNX importer -----------===//
//
// Part of SparseFlow.
//
// Imports the input in process, as sfc does: a binary ModelProto (first byte
// odd) or the protobuf text format (even), then verifies what was built.
// Every malformed model must end in diagnostics; they are counted, not
// printed.
//
//===----------------------------------------------------------------------===//

#include "sparseflow/Dialect/Spike/SpikeDialect.h"
#include "sparseflow/Dialect/SpikeCore/SpikeCoreDialect.h"
#include "sparseflow/Target/ONNX/ONNXImporter.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"

#include <cstddef>
#include <cstdint>

using namespace mlir;
using namespace sparseflow;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0)
    return 0;
  static MLIRContext *context = [] {
    DialectRegistry registry;
    registry.insert<spike::SpikeDialect, spikecore::SpikeCoreDialect,
                    func::FuncDialect, arith::ArithDialect>();
    auto *created = new MLIRContext(registry);
    created->printOpOnDiagnostic(false);
    return created;
  }();
  ScopedDiagnosticHandler quiet(context,
                                [](Diagnostic &) { return success(); });
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBufferCopy(
          llvm::StringRef(reinterpret_cast<const char *>(data) + 1, size - 1),
          "fuzz.onnx"),
      llvm::SMLoc());
  ONNXImportOptions options;
  options.format =
      data[0] % 2 ? ONNXInputFormat::Binary : ONNXInputFormat::Text;
  if (OwningOpRef<ModuleOp> module =
          importONNXModel(sourceMgr, context, options))
    (void)verify(*module);
  return 0;
}
