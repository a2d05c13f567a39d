//===- sparseflow/format/npy.h - NumPy .npy files ---------------*- C++ -*-===//
//
// Part of SparseFlow.
//
// Reads format versions 1.0-3.0 (C order; float32, float64, the integer types
// and bool, converted to float32) and writes version 1.0 float32.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEFLOW_FORMAT_NPY_H
#define SPARSEFLOW_FORMAT_NPY_H

#include <cstdint>
#include <string>
#include <vector>

namespace sparseflow::npy {

struct Array {
  std::vector<int64_t> shape;
  std::vector<float> data;
};

/// Parses the bytes of a .npy file; on failure returns false with `error`
/// naming the problem. Every size in the header is checked against the
/// bytes present before anything is allocated.
bool parse(const std::string &bytes, Array &array, std::string &error);
/// Reads `path`; on failure returns false with `error` naming the file and
/// the problem.
bool read(const std::string &path, Array &array, std::string &error);
bool write(const std::string &path, const Array &array, std::string &error);

} // namespace sparseflow::npy

#endif // SPARSEFLOW_FORMAT_NPY_H
