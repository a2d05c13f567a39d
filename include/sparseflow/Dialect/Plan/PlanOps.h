//===- PlanOps.h - execution-plan types and ops -----------------*- C++ -*-===//
//
// Part of SparseFlow.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEFLOW_DIALECT_PLAN_PLANOPS_H
#define SPARSEFLOW_DIALECT_PLAN_PLANOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectImplementation.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "sparseflow/Dialect/Plan/PlanDialect.h"
#include "sparseflow/Dialect/Spike/SpikeAttributes.h"

#include "sparseflow/Dialect/Plan/PlanEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "sparseflow/Dialect/Plan/PlanAttributes.h.inc"

#define GET_TYPEDEF_CLASSES
#include "sparseflow/Dialect/Plan/PlanTypes.h.inc"

#define GET_OP_CLASSES
#include "sparseflow/Dialect/Plan/PlanOps.h.inc"

namespace sparseflow::format {
struct OpInfo;
} // namespace sparseflow::format

namespace sparseflow::plan {

/// The op catalogue's row (formats/include/sparseflow/format/op_catalogue.def)
/// of the op kind named `kind`, or null when there is none.
const format::OpInfo *lookupOpKind(llvm::StringRef kind);

/// The layout in which `kernel` reads its weight (its second input), or
/// std::nullopt when it has none.
std::optional<Layout> requiredWeightLayout(KernelOp kernel);

/// The shape of a weight of logical shape `shape` stored in `layout` (`chwo`:
/// a conv weight of `groups` groups).
llvm::SmallVector<int64_t> arrangedShape(llvm::ArrayRef<int64_t> shape,
                                         Layout layout, int64_t groups = 1);

} // namespace sparseflow::plan

#endif // SPARSEFLOW_DIALECT_PLAN_PLANOPS_H
