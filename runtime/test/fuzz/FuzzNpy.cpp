//===- FuzzNpy.cpp - libFuzzer target: the .npy reader --------------------===//
//
// Part of SparseFlow.
//
//===----------------------------------------------------------------------===//

#include "sparseflow/format/npy.h"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  sparseflow::npy::Array array;
  std::string error;
  sparseflow::npy::parse(
      std::string(reinterpret_cast<const char *>(data), size), array, error);
  return 0;
}
