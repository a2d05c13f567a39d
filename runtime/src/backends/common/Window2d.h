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
/// the conv kernels on every backend. Always inlined: the host's sparse
/// kernels run their per-tap sums inside `fn`, compiled for the vector
/// instruction set of the caller.
template <typename Fn>
SF_HD_ALWAYS_INLINE void forEachTap(const Window2d &g, int64_t oh, int64_t ow,
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

/// A transposed convolution's output element i ([batch][O][OH][OW]) of
/// input `x` [batch][C][H][W], weight [C][O/groups][KH][KW] and `bias`
/// (or null): the bias plus, over the group's input channels in ascending
/// order and the taps (kh, kw) in order, every input element whose window
/// position lands on (oh, ow): oh = ih * strideH - padTop + kh * dilationH.
SF_HD inline float convTransposeElement(const Window2d &g, const float *x,
                                        const float *weight, const float *bias,
                                        int64_t i) {
  int64_t ow = i % g.outWidth, oh = i / g.outWidth % g.outHeight;
  int64_t plane = i / (g.outWidth * g.outHeight);
  int64_t o = plane % g.outChannels, b = plane / g.outChannels;
  const int64_t cPerGroup = g.channels / g.groups;
  const int64_t oPerGroup = g.outChannels / g.groups;
  const int64_t group = o / oPerGroup;
  float acc = bias ? bias[o] : 0.0f;
  for (int64_t ci = 0; ci < cPerGroup; ++ci) {
    int64_t c = group * cPerGroup + ci;
    const float *in = x + (b * g.channels + c) * g.height * g.width;
    const float *w =
        weight + (c * oPerGroup + o % oPerGroup) * g.kernelH * g.kernelW;
    for (int64_t kh = 0; kh < g.kernelH; ++kh) {
      int64_t th = oh + g.padTop - kh * g.dilationH;
      if (th < 0 || th % g.strideH)
        continue;
      int64_t ih = th / g.strideH;
      if (ih >= g.height)
        continue;
      for (int64_t kw = 0; kw < g.kernelW; ++kw) {
        int64_t tw = ow + g.padLeft - kw * g.dilationW;
        if (tw < 0 || tw % g.strideW)
          continue;
        int64_t iw = tw / g.strideW;
        if (iw < g.width)
          acc += w[kh * g.kernelW + kw] * in[ih * g.width + iw];
      }
    }
  }
  return acc;
}

/// The average of the window at output (oh, ow) of one input plane. The
/// window is clipped to the padded input, then to the input; the divisor
/// counts the padding when `countIncludePad` (ONNX count_include_pad).
SF_HD inline float averageWindow(const Window2d &g, const float *plane,
                                 int64_t oh, int64_t ow,
                                 bool countIncludePad) {
  int64_t h0 = oh * g.strideH - g.padTop, w0 = ow * g.strideW - g.padLeft;
  int64_t h1 = h0 + g.kernelH < g.height + g.padBottom
                   ? h0 + g.kernelH
                   : g.height + g.padBottom;
  int64_t w1 = w0 + g.kernelW < g.width + g.padRight ? w0 + g.kernelW
                                                     : g.width + g.padRight;
  int64_t padded = (h1 - h0) * (w1 - w0);
  h0 = h0 < 0 ? 0 : h0;
  w0 = w0 < 0 ? 0 : w0;
  h1 = h1 < g.height ? h1 : g.height;
  w1 = w1 < g.width ? w1 : g.width;
  float sum = 0.0f;
  for (int64_t ih = h0; ih < h1; ++ih)
    for (int64_t iw = w0; iw < w1; ++iw)
      sum += plane[ih * g.width + iw];
  int64_t inside = (h1 > h0 ? h1 - h0 : 0) * (w1 > w0 ? w1 - w0 : 0);
  int64_t count = countIncludePad ? padded : inside;
  return count > 0 ? sum / static_cast<float>(count) : 0.0f;
}

/// A square window (kernel x kernel, the same stride and padding on every
/// side) over `batch` NCHW images, with the output size it gives.
inline Window2d squareWindow(int64_t batch, int64_t channels, int64_t height,
                             int64_t width, int64_t outChannels,
                             int64_t kernel, int64_t stride, int64_t pad,
                             int64_t dilation = 1, int64_t groups = 1) {
  Window2d g{};
  g.batch = batch;
  g.channels = channels;
  g.height = height;
  g.width = width;
  g.outChannels = outChannels;
  g.kernelH = g.kernelW = kernel;
  g.strideH = g.strideW = stride;
  g.padTop = g.padLeft = g.padBottom = g.padRight = pad;
  g.dilationH = g.dilationW = dilation;
  g.groups = groups;
  g.outHeight = (height + 2 * pad - dilation * (kernel - 1) - 1) / stride + 1;
  g.outWidth = (width + 2 * pad - dilation * (kernel - 1) - 1) / stride + 1;
  return g;
}

} // namespace sparseflow::runtime

#endif // SPARSEFLOW_RUNTIME_BACKENDS_COMMON_WINDOW2D_H
