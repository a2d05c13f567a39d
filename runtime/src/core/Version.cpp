//===- Version.cpp - sf_runtime_version -----------------------------------===//
//
// Part of SparseFlow.
//
// The release numbers are the CMake project's (runtime/CMakeLists.txt sets
// SF_RUNTIME_VERSION_* on this file); the formats' are their headers'.
//
//===----------------------------------------------------------------------===//

#include "sparseflow/runtime/version.h"
#include "sparseflow/format/artifact_format.h"
#include "sparseflow/format/dram_format.h"

#if !defined(SF_RUNTIME_VERSION_MAJOR) ||                                      \
    !defined(SF_RUNTIME_VERSION_MINOR) || !defined(SF_RUNTIME_VERSION_PATCH)
#error "the build defines SF_RUNTIME_VERSION_{MAJOR,MINOR,PATCH}"
#endif

#define SF_STRINGIFY_VALUE(x) #x
#define SF_STRINGIFY(x) SF_STRINGIFY_VALUE(x)

extern "C" const sf_runtime_version_t *sf_runtime_version(void) {
  static const sf_runtime_version_t version = {
      SF_RUNTIME_VERSION_MAJOR,
      SF_RUNTIME_VERSION_MINOR,
      SF_RUNTIME_VERSION_PATCH,
      SF_STRINGIFY(SF_RUNTIME_VERSION_MAJOR) "." SF_STRINGIFY(
          SF_RUNTIME_VERSION_MINOR) "." SF_STRINGIFY(SF_RUNTIME_VERSION_PATCH),
      SF_ARTIFACT_VERSION_MAJOR,
      SF_ARTIFACT_VERSION_MINOR,
      SF_DRAM_VERSION_MAJOR,
      SF_DRAM_VERSION_MINOR,
  };
  return &version;
}
