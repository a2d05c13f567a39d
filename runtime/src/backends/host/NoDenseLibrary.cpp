//===- NoDenseLibrary.cpp - a host backend without oneDNN -----------------===//
//
// Part of SparseFlow.
//
// Built with SF_WITH_ONEDNN=OFF: no layer is prepared, so every dense op
// runs on the reference kernels.
//
//===----------------------------------------------------------------------===//

#include "backends/host/DenseLibrary.h"

using namespace sparseflow::runtime;
using namespace sparseflow::runtime::host;

const char *host::denseLibrary() { return ""; }

std::unique_ptr<DenseLayer> host::prepareConv2d(const Window2d &, const float *,
                                                const float *, ThreadPool &) {
  return nullptr;
}

std::unique_ptr<DenseLayer> host::prepareLinear(int64_t, int64_t, int64_t,
                                                const float *, const float *,
                                                ThreadPool &) {
  return nullptr;
}
