//===- Window2d.h - geometry of conv and pooling windows --------*- C++ -*-===//
//
// Part of SparseFlow.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEFLOW_RUNTIME_BACKENDS_COMMON_WINDOW2D_H
#define SPARSEFLOW_RUNTIME_BACKENDS_COMMON_WINDOW2D_H

#include "support/HostDevice.h"

#include <cstdint>

namespace sparseflow::runtime {

/// Geometry of a 2-D window op (conv or pool) on NCHW tensors.
struct Window2d {
  int64_t batch;            // images (lead * N)
  int64_t channels, height, width;
  int64_t outChannels, outHeight, outWidth;
  int64_t kernelH, kernelW;
  int64_t strideH, strideW;
  int64_t padTop, padLeft, padBottom, padRight;
  int64_t dilationH, dilationW;
  int64_t groups;
};

/// Calls `fn(kh, kw, ih, iw)` for each tap of the window at output (oh, ow)
/// that lies inside the input, in (kh, kw) order: the walk of pooling and of
/// the conv kernels on every backend.
template <typename Fn>
SF_HD inline void forEachTap(const Window2d &g, int64_t oh, int64_t ow,
                             Fn &&fn) {
  for (int64_t kh = 0; kh < g.kernelH; ++kh) {
    int64_t ih = oh * g.strideH - g.padTop + kh * g.dilationH;
    if (ih < 0 || ih >= g.height)
      continue;
    for (int64_t kw = 0; kw < g.kernelW; ++kw) {
      int64_t iw = ow * g.strideW - g.padLeft + kw * g.dilationW;
      if (iw >= 0 && iw < g.width)
        fn(kh, kw, ih, iw);
    }
  }
}

} // namespace sparseflow::runtime

#endif // SPARSEFLOW_RUNTIME_BACKENDS_COMMON_WINDOW2D_H
