/*===- sparseflow/runtime/model.h - loaded, validated artifacts ----*- C -*-===*
 *
 * Part of SparseFlow.
 *
 * sf_model_t: a loaded and fully validated .sfa artifact. Thread-safe: a
 * model is immutable once created, so any number of threads may read it and
 * create sessions from it at once; retain and release are atomic.
 *
 *===----------------------------------------------------------------------===*/

#ifndef SPARSEFLOW_RUNTIME_MODEL_H
#define SPARSEFLOW_RUNTIME_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "sparseflow/runtime/allocator.h"
#include "sparseflow/runtime/instance.h"
#include "sparseflow/runtime/status.h"
#include "sparseflow/runtime/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sf_model_t sf_model_t;

typedef enum sf_encoding_e {
  SF_ENCODING_DIRECT = 0, /* the same analog input at every step */
  SF_ENCODING_RATE = 1,   /* Bernoulli spikes, the input as probability */
  SF_ENCODING_SPIKES = 2, /* the caller passes [T, N, ...] spikes (0 or 1) */
} sf_encoding_t;

typedef enum sf_readout_e {
  SF_READOUT_MEAN = 0,
  SF_READOUT_SUM = 1,
  SF_READOUT_LAST = 2,
  SF_READOUT_ALL = 3, /* [T, N, ...] */
} sf_readout_t;

/* Loads and validates an artifact (header, version, checksum, plan schema,
 * every tensor and op). The file is mapped read-only; constants are used in
 * place. The model object comes from `allocator` (NULL:
 * sf_allocator_system()). The model holds a reference to `instance`; the
 * caller owns the model's one reference. */
sf_status_t sf_model_create_from_file(sf_instance_t *instance, const char *path,
                                      const sf_allocator_t *allocator,
                                      sf_model_t **out_model);

/* Like sf_model_create_from_file for an artifact in memory; the bytes are
 * copied into memory from `allocator`, so `data` may be freed after the
 * call. */
sf_status_t sf_model_create_from_memory(sf_instance_t *instance,
                                        const void *data, size_t size,
                                        const sf_allocator_t *allocator,
                                        sf_model_t **out_model);

/* Adds a reference. Every session created from the model holds one, so the
 * caller may release its own while sessions run. Thread-safe; NULL is
 * ignored. */
void sf_model_retain(sf_model_t *model);
/* Drops a reference; the last one frees the model (and drops its reference
 * to the instance). Thread-safe; NULL is ignored. */
void sf_model_release(sf_model_t *model);

uint32_t sf_model_timesteps(const sf_model_t *model);
sf_encoding_t sf_model_encoding(const sf_model_t *model);
sf_readout_t sf_model_readout(const sf_model_t *model);
/* "sparseflow <version>" of the compiler that wrote the artifact. */
const char *sf_model_producer(const sf_model_t *model);
size_t sf_model_input_count(const sf_model_t *model);
size_t sf_model_output_count(const sf_model_t *model);
/* The ops of the plan, in order, and the name of op `index` (its ONNX
 * node name(s); NULL when out of range), as profiles and recorded spikes
 * number them. */
size_t sf_model_op_count(const sf_model_t *model);
const char *sf_model_op_name(const sf_model_t *model, size_t index);

/* The shape a caller passes for input `index` (with the leading T for the
 * spikes encoding) and receives for output `index` (with the leading T for
 * the `all` readout). `shape` must hold SF_MAX_RANK values. */
sf_status_t sf_model_input_shape(const sf_model_t *model, size_t index,
                                 size_t *out_rank, int64_t *shape);
sf_status_t sf_model_output_shape(const sf_model_t *model, size_t index,
                                  size_t *out_rank, int64_t *shape);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* SPARSEFLOW_RUNTIME_MODEL_H */
