//===- SpikeCoreDialect.h - spikecore dialect -------------------*- C++ -*-===//
//
// Part of SparseFlow.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEFLOW_DIALECT_SPIKECORE_SPIKECOREDIALECT_H
#define SPARSEFLOW_DIALECT_SPIKECORE_SPIKECOREDIALECT_H

#include "sparseflow/format/spikecore_isa.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "sparseflow/Dialect/SpikeCore/SpikeCoreDialect.h.inc"
#include "sparseflow/Dialect/SpikeCore/SpikeCoreEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "sparseflow/Dialect/SpikeCore/SpikeCoreAttributes.h.inc"

#define GET_OP_CLASSES
#include "sparseflow/Dialect/SpikeCore/SpikeCoreOps.h.inc"

namespace sparseflow::spikecore {

/// The ISA instruction an instruction op stands for, or failure after a
/// diagnostic naming the field that does not fit its encoding.
mlir::FailureOr<Instruction> toInstruction(mlir::Operation *op);

/// The encoded routine of an allocated layer.
mlir::FailureOr<std::vector<uint32_t>> encodeRoutine(LayerOp layer);

/// Prints every allocated layer's routine as text assembly (what sf-asm
/// assembles), each headed by `;` comments describing the layer and its
/// cores.
mlir::LogicalResult printAssembly(mlir::Operation *root,
                                  llvm::raw_ostream &os);

/// Prints the layers under `root`, in program order, as the JSON of
/// `sfc compile --emit=spikecore-json` (docs/cli.md): `{"layers": [...]}`,
/// each layer with its int8 weights, int32 bias, scales, integer neuron
/// parameters and core allocation (`null` before spikecore-codegen). A
/// module without layers prints `{"layers": []}`.
mlir::LogicalResult printLayersJSON(mlir::Operation *root,
                                    llvm::raw_ostream &os);

} // namespace sparseflow::spikecore

#endif // SPARSEFLOW_DIALECT_SPIKECORE_SPIKECOREDIALECT_H
