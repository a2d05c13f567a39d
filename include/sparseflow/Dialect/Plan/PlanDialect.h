//===- PlanDialect.h - the execution-plan dialect ---------------*- C++ -*-===//
//
// Part of SparseFlow.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEFLOW_DIALECT_PLAN_PLANDIALECT_H
#define SPARSEFLOW_DIALECT_PLAN_PLANDIALECT_H

#include "mlir/IR/Dialect.h"

#include "sparseflow/Dialect/Plan/PlanDialect.h.inc"

#endif // SPARSEFLOW_DIALECT_PLAN_PLANDIALECT_H
