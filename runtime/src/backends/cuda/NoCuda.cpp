//===- NoCuda.cpp - the CUDA backend of a runtime built without it --------===//
//
// Part of SparseFlow.
//
// Linked instead of the CUDA backend when CMake found no CUDA compiler or
// SF_ENABLE_CUDA is OFF: every entry point reports that. The executor asks
// unavailableReason() first, so the others are reached only by mistake.
//
//===----------------------------------------------------------------------===//

#include "backends/cuda/CudaBackend.h"

using namespace sparseflow::runtime;

namespace {

sf_status_t unavailable() {
  return sf_status_make(SF_STATUS_UNAVAILABLE, "%s",
                        cuda::unavailableReason().c_str());
}

} // namespace

const std::string &cuda::unavailableReason() {
  static const std::string reason =
      "this runtime was built without its CUDA backend (no CUDA compiler at "
      "configure time, or SF_ENABLE_CUDA=OFF)";
  return reason;
}

void cuda::ModelDataDeleter::operator()(ModelData *) const {}
void cuda::SessionDeleter::operator()(Session *) const {}

sf_status_t cuda::createSession(sf_model_t &, const std::vector<char> &,
                                SessionPtr &) {
  return unavailable();
}
sf_status_t cuda::upload(Session &, uint32_t, const void *) {
  return unavailable();
}
sf_status_t cuda::download(Session &, uint32_t, void *) {
  return unavailable();
}
sf_status_t cuda::runOp(Session &, size_t) { return unavailable(); }
sf_status_t cuda::synchronize(Session &) { return unavailable(); }
