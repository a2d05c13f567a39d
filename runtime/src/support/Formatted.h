//===- Formatted.h - printf into a std::string ------------------*- C++ -*-===//
//
// Part of SparseFlow.
//
// The runtime's error messages: the SpikeCore decoder, assembler and
// simulator, and the DRAM image.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEFLOW_RUNTIME_SUPPORT_FORMATTED_H
#define SPARSEFLOW_RUNTIME_SUPPORT_FORMATTED_H

#include <cstdarg>
#include <cstdio>
#include <string>

namespace sparseflow {

/// `format` and its arguments as printf writes them (at most 511 bytes).
inline std::string formatted(const char *format, ...)
    __attribute__((format(printf, 1, 2)));
inline std::string formatted(const char *format, ...) {
  char buffer[512];
  va_list args;
  va_start(args, format);
  std::vsnprintf(buffer, sizeof buffer, format, args);
  va_end(args);
  return buffer;
}

} // namespace sparseflow

#endif // SPARSEFLOW_RUNTIME_SUPPORT_FORMATTED_H
