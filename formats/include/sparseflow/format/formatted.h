//===- sparseflow/format/formatted.h - printf into a string -----*- C++ -*-===//
//
// Part of SparseFlow.
//
// Error messages of the shared libraries (the SpikeCore decoder and
// assembler, the DRAM image) and of the runtime.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEFLOW_FORMAT_FORMATTED_H
#define SPARSEFLOW_FORMAT_FORMATTED_H

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

#endif // SPARSEFLOW_FORMAT_FORMATTED_H
