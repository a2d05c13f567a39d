/*===- sparseflow/runtime/api.h - SparseFlow runtime C API ---------*- C -*-===*
 *
 * Part of SparseFlow.
 *
 * The one header an embedding application includes. Link against
 * libsparseflow_runtime; no LLVM or MLIR is needed.
 *
 *===----------------------------------------------------------------------===*/

#ifndef SPARSEFLOW_RUNTIME_API_H
#define SPARSEFLOW_RUNTIME_API_H

#include "sparseflow/runtime/status.h"

#endif /* SPARSEFLOW_RUNTIME_API_H */
