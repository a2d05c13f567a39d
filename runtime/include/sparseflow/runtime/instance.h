/*===- sparseflow/runtime/instance.h - backends and worker threads -*- C -*-===*
 *
 * Part of SparseFlow.
 *
 * sf_instance_t: the backends available in this process and the worker
 * threads of the host kernels. Thread-safe: any number of threads may use
 * one instance at once (api.h states the whole contract).
 *
 *===----------------------------------------------------------------------===*/

#ifndef SPARSEFLOW_RUNTIME_INSTANCE_H
#define SPARSEFLOW_RUNTIME_INSTANCE_H

#include <stdint.h>

#include "sparseflow/runtime/allocator.h"
#include "sparseflow/runtime/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sf_instance_t sf_instance_t;

typedef enum sf_backend_e {
  SF_BACKEND_AUTO = 0,      /* each op on its compiled target when present,
                               else on the host */
  SF_BACKEND_HOST = 1,      /* every op on the host CPU */
  SF_BACKEND_CUDA = 2,      /* NVIDIA GPU */
  SF_BACKEND_SPIKECORE = 3, /* the SpikeCore simulator */
} sf_backend_t;

typedef struct sf_instance_options_t {
  /* Worker threads for host kernels, the calling thread included; 0 picks
   * the number of hardware threads. */
  uint32_t num_threads;
} sf_instance_options_t;

void sf_instance_options_initialize(sf_instance_options_t *options);

/* Creates an instance with one reference, owned by the caller. `options`
 * NULL means the defaults; `allocator` NULL means sf_allocator_system(). */
sf_status_t sf_instance_create(const sf_instance_options_t *options,
                               const sf_allocator_t *allocator,
                               sf_instance_t **out_instance);

/* Adds a reference. Every model created from the instance holds one, so the
 * caller may release its own while models and sessions live. Thread-safe;
 * NULL is ignored. */
void sf_instance_retain(sf_instance_t *instance);
/* Drops a reference; the last one stops the worker threads and frees the
 * instance. Thread-safe; NULL is ignored. */
void sf_instance_release(sf_instance_t *instance);

/* Whether `backend` can run here (compiled in and, for CUDA, a device is
 * present). SF_BACKEND_AUTO and SF_BACKEND_HOST always can. */
int sf_instance_has_backend(const sf_instance_t *instance,
                            sf_backend_t backend);

/* A stable lower-case name: "auto", "host", "cuda", "spikecore". */
const char *sf_backend_name(sf_backend_t backend);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* SPARSEFLOW_RUNTIME_INSTANCE_H */
