//===- Formatted.h - printf into a std::string ------------------*- C++ -*-===//
//
// Part of SparseFlow.
//
// The error messages of the SpikeCore decoder, assembler and simulator.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEFLOW_RUNTIME_BACKENDS_SPIKECORE_FORMATTED_H
#define SPARSEFLOW_RUNTIME_BACKENDS_SPIKECORE_FORMATTED_H

#include <cstdarg>
#include <cstdio>
#include <string>

namespace sparseflow::spikecore {

/// `format` and its arguments as printf writes them (at most 255 bytes).
inline std::string formatted(const char *format, ...)
    __attribute__((format(printf, 1, 2)));
inline std::string formatted(const char *format, ...) {
  char buffer[256];
  va_list args;
  va_start(args, format);
  std::vsnprintf(buffer, sizeof buffer, format, args);
  va_end(args);
  return buffer;
}

} // namespace sparseflow::spikecore

#endif // SPARSEFLOW_RUNTIME_BACKENDS_SPIKECORE_FORMATTED_H
