//===- sparseflow/format/window.h - sliding-window geometry -----*- C++ -*-===//
//
// Part of SparseFlow.
//
// The one definition of a 2-D sliding window's arithmetic (Conv2d and the
// pooling ops, per axis): the extent of its taps, its output size with
// padding, dilation and ceil mode, the bounds on its padding, and which
// kernels can run which windows. The dialect's shape rules, the artifact
// loader's validation and the runtime's kernels all use these, so they
// cannot disagree. constexpr and dependency-free: the CUDA kernels include
// it too.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEFLOW_FORMAT_WINDOW_H
#define SPARSEFLOW_FORMAT_WINDOW_H

#include "sparseflow/format/enums.h"

#include <cstdint>

namespace sparseflow::format {

/// One axis of a window over an input of `input` elements.
struct WindowAxis {
  int64_t input = 1;
  int64_t kernel = 1; // taps
  int64_t stride = 1;
  int64_t padBegin = 0; // top or left
  int64_t padEnd = 0;   // bottom or right
  int64_t dilation = 1; // distance between taps
  bool ceilMode = false;
};

/// Why an axis has no output size.
enum class WindowFault {
  None,
  /// dilation * (kernel - 1) + 1 does not fit int64.
  SpanOverflows,
  /// input + pads does not fit int64.
  PaddedOverflows,
  /// The window's span exceeds the padded input: no output at all.
  SpanExceedsInput,
};

/// The extent a window's taps cover: dilation * (kernel - 1) + 1, for a
/// kernel and dilation of at least 1. False when it overflows int64.
constexpr bool windowSpan(int64_t kernel, int64_t dilation, int64_t &span) {
  int64_t reach = 0;
  if (__builtin_mul_overflow(dilation, kernel - 1, &reach) ||
      __builtin_add_overflow(reach, int64_t{1}, &span))
    return false;
  return true;
}

/// The output size of `axis` (its attributes positive, its pads not
/// negative): floor((input + pads - span) / stride) + 1, or with ceil mode
/// the ceiling, less a last window that would start in the trailing padding
/// (ONNX and PyTorch).
constexpr WindowFault windowOutputSize(const WindowAxis &axis,
                                       int64_t &output) {
  int64_t span = 0, padded = 0;
  if (!windowSpan(axis.kernel, axis.dilation, span))
    return WindowFault::SpanOverflows;
  if (__builtin_add_overflow(axis.input, axis.padBegin, &padded) ||
      __builtin_add_overflow(padded, axis.padEnd, &padded))
    return WindowFault::PaddedOverflows;
  int64_t room = padded - span;
  if (room < 0)
    return WindowFault::SpanExceedsInput;
  output = room / axis.stride + 1;
  if (!axis.ceilMode)
    return WindowFault::None;
  output += room % axis.stride != 0;
  // A last window must start inside the input or its leading padding (a
  // start past int64 is past both).
  int64_t lastStart = 0;
  if (__builtin_mul_overflow(output - 1, axis.stride, &lastStart) ||
      lastStart >= axis.input + axis.padBegin)
    output -= 1;
  return WindowFault::None;
}

/// Pooling: each pad must be smaller than the window's span (ONNX), so no
/// window lies wholly in padding.
constexpr bool poolPadFits(int64_t pad, int64_t kernel, int64_t dilation) {
  int64_t span = 0;
  return windowSpan(kernel, dilation, span) && pad < span;
}

/// Whether `target`'s binary-input sparse Conv2d kernel runs a convolution
/// with `groups` groups (strides, pads and dilations are any: the kernels
/// walk the dilated taps). The host's reads the weight arranged
/// [C][KH][KW][O/groups] and any groups, depthwise included; the CUDA
/// kernel's threads each sum four output channels over every input
/// channel, so groups must be 1 there.
constexpr bool sparseConvSupports(int64_t groups, Target target) {
  return target == Target::Host || groups == 1;
}

} // namespace sparseflow::format

#endif // SPARSEFLOW_FORMAT_WINDOW_H
