//===- Backend.cpp - the registry of the backends of this build -----------===//
//
// Part of SparseFlow.
//
//===----------------------------------------------------------------------===//

#include "core/Backend.h"

using namespace sparseflow;
using namespace sparseflow::runtime;

namespace {

/// Every backend of this build; each directory defines its own.
const Backend *const *registry() {
  static const Backend *const backends[] = {&hostBackend(), &cudaBackend(),
                                            &spikecoreBackend(), nullptr};
  return backends;
}

} // namespace

const Backend *runtime::findBackend(sf_backend_t id) {
  for (const Backend *const *b = registry(); *b; ++b)
    if ((*b)->id == id)
      return *b;
  return nullptr;
}

const Backend *runtime::findBackend(sfa::Target target) {
  for (const Backend *const *b = registry(); *b; ++b)
    if ((*b)->target == target)
      return *b;
  return nullptr;
}
