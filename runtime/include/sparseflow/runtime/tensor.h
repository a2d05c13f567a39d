/*===- sparseflow/runtime/tensor.h - float32 tensors ---------------*- C -*-===*
 *
 * Part of SparseFlow.
 *
 * sf_tensor_t: a float32 tensor, a shape and owned or borrowed data. Not
 * thread-safe: one thread at a time uses a tensor (its retain and release
 * are atomic all the same).
 *
 *===----------------------------------------------------------------------===*/

#ifndef SPARSEFLOW_RUNTIME_TENSOR_H
#define SPARSEFLOW_RUNTIME_TENSOR_H

#include <stddef.h>
#include <stdint.h>

#include "sparseflow/runtime/allocator.h"
#include "sparseflow/runtime/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The largest tensor rank the API exchanges. */
#define SF_MAX_RANK 8

typedef struct sf_tensor_t sf_tensor_t;

/* A zero-filled float32 tensor owning its data, allocated (64-byte aligned)
 * from `allocator` (NULL: sf_allocator_system()). One reference, owned by
 * the caller. */
sf_status_t sf_tensor_create(const int64_t *shape, size_t rank,
                             const sf_allocator_t *allocator,
                             sf_tensor_t **out_tensor);
/* A float32 tensor over caller-owned `data` of `byte_size` bytes, which must
 * stay valid while the tensor is used; only the tensor object comes from
 * `allocator`. One reference, owned by the caller. */
sf_status_t sf_tensor_wrap(const int64_t *shape, size_t rank, float *data,
                           size_t byte_size, const sf_allocator_t *allocator,
                           sf_tensor_t **out_tensor);

/* Adds a reference; NULL is ignored. */
void sf_tensor_retain(sf_tensor_t *tensor);
/* Drops a reference; the last one frees the tensor and the data it owns.
 * NULL is ignored. */
void sf_tensor_release(sf_tensor_t *tensor);

size_t sf_tensor_rank(const sf_tensor_t *tensor);
const int64_t *sf_tensor_shape(const sf_tensor_t *tensor);
size_t sf_tensor_element_count(const sf_tensor_t *tensor);
float *sf_tensor_data(sf_tensor_t *tensor);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* SPARSEFLOW_RUNTIME_TENSOR_H */
