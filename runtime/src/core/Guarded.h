//===- Guarded.h - no C++ exception crosses the C API -----------*- C++ -*-===//
//
// Part of SparseFlow.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEFLOW_RUNTIME_CORE_GUARDED_H
#define SPARSEFLOW_RUNTIME_CORE_GUARDED_H

#include "sparseflow/runtime/status.h"

#include <exception>
#include <new>

namespace sparseflow::runtime {

/// Runs `body`, which returns an sf_status_t and may allocate or start
/// threads, and turns what it throws into a status: RESOURCE_EXHAUSTED for
/// a failed allocation, INTERNAL for anything else. Every C API entry point
/// that does more than read a field runs its body through this.
template <typename Body> sf_status_t guarded(Body &&body) noexcept {
  try {
    return body();
  } catch (const std::bad_alloc &) {
    return sf_status_make(SF_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  } catch (const std::exception &e) {
    return sf_status_make(SF_STATUS_INTERNAL, "unexpected C++ exception: %s",
                          e.what());
  } catch (...) {
    return sf_status_make(SF_STATUS_INTERNAL, "unexpected C++ exception");
  }
}

} // namespace sparseflow::runtime

#endif // SPARSEFLOW_RUNTIME_CORE_GUARDED_H
