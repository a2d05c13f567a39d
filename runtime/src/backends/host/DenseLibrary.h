//===- DenseLibrary.h - the host's dense ops on a library -------*- C++ -*-===//
//
// Part of SparseFlow.
//
// Dense conv2d and linear layers (analog inputs: the first layer, non-spike
// activations) prepared once per session on a tuned library: oneDNN with
// SF_WITH_ONEDNN (onednn/OneDnnKernels.cpp), nothing otherwise
// (NoDenseLibrary.cpp), in which case every op runs on the reference kernels
// of DenseKernels.cpp. Results equal the reference kernels' up to the order
// of summation (docs/runtime.md states the tolerance).
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEFLOW_RUNTIME_BACKENDS_HOST_DENSELIBRARY_H
#define SPARSEFLOW_RUNTIME_BACKENDS_HOST_DENSELIBRARY_H

#include "backends/common/Window2d.h"
#include "core/ThreadPool.h"

#include <cstdint>
#include <memory>

namespace sparseflow::runtime::host {

/// One layer prepared on the library for fixed shapes and constant weights:
/// the weights in the library's layout, its primitive and its buffers.
class DenseLayer {
public:
  virtual ~DenseLayer() = default;
  /// Runs the layer on `x` into `y` (the shapes it was prepared for) with
  /// the pool's threads (one thread while another caller holds them).
  virtual void run(const float *x, float *y, ThreadPool &pool) = 0;
};

/// The library's name and version ("oneDNN 2.6.3"); "" without one.
const char *denseLibrary();

/// Conv2d y = bias + x * weight (weight OIHW, as conv2dDense); null where
/// the library is absent or does not take the geometry. `weight` and `bias`
/// (may be null) must outlive the layer; `pool` sets the thread count.
std::unique_ptr<DenseLayer> prepareConv2d(const Window2d &g,
                                          const float *weight,
                                          const float *bias, ThreadPool &pool);

/// Linear y[r] = bias + x[r] · weightT for `rows` rows (weightT [K][O], as
/// linearDense); null where the library is absent or fails.
std::unique_ptr<DenseLayer> prepareLinear(int64_t rows, int64_t inFeatures,
                                          int64_t outFeatures,
                                          const float *weightT,
                                          const float *bias, ThreadPool &pool);

} // namespace sparseflow::runtime::host

#endif // SPARSEFLOW_RUNTIME_BACKENDS_HOST_DENSELIBRARY_H
