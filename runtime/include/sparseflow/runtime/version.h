/*===- sparseflow/runtime/version.h - the runtime and its formats --*- C -*-===*
 *
 * Part of SparseFlow.
 *
 *===----------------------------------------------------------------------===*/

#ifndef SPARSEFLOW_RUNTIME_VERSION_H
#define SPARSEFLOW_RUNTIME_VERSION_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sf_runtime_version_t {
  /* The SparseFlow release the library was built from. */
  uint32_t major, minor, patch;
  const char *string; /* "major.minor.patch" */
  /* The .sfa artifacts it loads: format artifact_major.0 up to
   * artifact_major.artifact_minor (docs/artifact-format.md). */
  uint32_t artifact_major, artifact_minor;
  /* The DRAM images it loads: format dram_major.x (docs/dram-format.md). */
  uint32_t dram_major, dram_minor;
} sf_runtime_version_t;

/* The version of the linked library (not of the headers compiled against
 * it); static, never NULL. Thread-safe. */
const sf_runtime_version_t *sf_runtime_version(void);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* SPARSEFLOW_RUNTIME_VERSION_H */
