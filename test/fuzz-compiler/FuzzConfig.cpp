//===- FuzzConfig.cpp - libFuzzer target: the compiler's JSON and YAML ----===//
//
// Part of SparseFlow.
//
// The first byte picks the reader, the rest is the file: a SpikeCore
// description (JSON), a placement file (JSON), a profile (JSON) or an
// accelerator file (YAML). Each must accept or explain, whatever the bytes.
//
//===----------------------------------------------------------------------===//

#include "sparseflow/Compiler/CostModel.h"
#include "sparseflow/Dialect/Spike/SpikeDialect.h"
#include "sparseflow/Dialect/Spike/SpikePlacement.h"
#include "sparseflow/Dialect/Spike/SpikeTargets.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/raw_ostream.h"

#include <cstddef>
#include <cstdint>
#include <string>

using namespace sparseflow;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0)
    return 0;
  static mlir::MLIRContext *context = [] {
    auto *created = new mlir::MLIRContext;
    created->loadDialect<spike::SpikeDialect>();
    return created;
  }();
  llvm::StringRef text(reinterpret_cast<const char *>(data) + 1, size - 1);
  std::string error;
  llvm::raw_string_ostream errors(error);
  switch (data[0] % 4) {
  case 0:
    (void)spike::SpikeCoreDescription::parse(text, error);
    break;
  case 1:
    (void)spike::Placement::parse(context, text, error);
    break;
  case 2:
    (void)hw::Profile::parse(text, "fuzz.json", errors);
    break;
  case 3:
    (void)hw::Accelerator::parse(text, "fuzz.yaml", errors);
    break;
  }
  return 0;
}
