//===- PlanPasses.h - plan dialect passes -----------------------*- C++ -*-===//
//
// Part of SparseFlow.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEFLOW_DIALECT_PLAN_PLANPASSES_H
#define SPARSEFLOW_DIALECT_PLAN_PLANPASSES_H

#include "sparseflow/Dialect/Plan/PlanOps.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Transforms/DialectConversion.h"

namespace sparseflow::plan {

#define GEN_PASS_DECL
#include "sparseflow/Dialect/Plan/PlanPasses.h.inc"

#define GEN_PASS_REGISTRATION
#include "sparseflow/Dialect/Plan/PlanPasses.h.inc"

/// The contract of the "plan" stage (see PlanVerify in PlanPasses.td).
/// Reports the first violation.
mlir::LogicalResult verifyPlan(mlir::ModuleOp module);

} // namespace sparseflow::plan

#endif // SPARSEFLOW_DIALECT_PLAN_PLANPASSES_H
