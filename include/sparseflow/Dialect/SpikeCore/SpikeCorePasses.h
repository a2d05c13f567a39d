//===- SpikeCorePasses.h - SpikeCore passes ---------------------*- C++ -*-===//
//
// Part of SparseFlow.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEFLOW_DIALECT_SPIKECORE_SPIKECOREPASSES_H
#define SPARSEFLOW_DIALECT_SPIKECORE_SPIKECOREPASSES_H

#include "sparseflow/Dialect/SpikeCore/SpikeCoreDialect.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace sparseflow::spikecore {

#define GEN_PASS_DECL
#include "sparseflow/Dialect/SpikeCore/SpikeCorePasses.h.inc"

#define GEN_PASS_REGISTRATION
#include "sparseflow/Dialect/SpikeCore/SpikeCorePasses.h.inc"

/// The name of the module attribute holding the target description.
constexpr llvm::StringLiteral kTargetAttrName = "spikecore.target";
/// The per-layer quantization error recorded by spike-quantize.
constexpr llvm::StringLiteral kErrorAttrName = "spikecore.error";

} // namespace sparseflow::spikecore

#endif // SPARSEFLOW_DIALECT_SPIKECORE_SPIKECOREPASSES_H
