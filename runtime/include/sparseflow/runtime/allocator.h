/*===- sparseflow/runtime/allocator.h - memory for objects ---------*- C -*-===*
 *
 * Part of SparseFlow.
 *
 * Every function that creates a runtime object takes an allocator (IREE
 * style). The object and the host memory it owns that grows with the model
 * come from it:
 *
 *   instance   the object
 *   model      the object and, for sf_model_create_from_memory, the copy of
 *              the artifact (constants included); a file is mapped instead
 *   session    the object, the activation arena and the sparse kernels'
 *              scratch
 *   tensor     the object and, for sf_tensor_create, its data
 *   dram       the object
 *
 * The rest (descriptors, names, profile tables, the SpikeCore simulator's
 * working memory, a DRAM image's bytes, a device backend's memory) comes
 * from the C++ heap or the device.
 *
 *===----------------------------------------------------------------------===*/

#ifndef SPARSEFLOW_RUNTIME_ALLOCATOR_H
#define SPARSEFLOW_RUNTIME_ALLOCATOR_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The largest alignment the runtime asks an allocator for. */
#define SF_ALLOCATOR_MAX_ALIGNMENT 64

/* A context pointer and two callbacks.
 *
 * `allocate` is called with `size` > 0 and `alignment` a power of two no
 * larger than SF_ALLOCATOR_MAX_ALIGNMENT, and returns at least `size` bytes
 * aligned to `alignment`, or NULL when it has none (the create function then
 * fails with SF_STATUS_RESOURCE_EXHAUSTED and frees what it had taken).
 * `deallocate` frees a pointer `allocate` returned; it is never called with
 * NULL and must not fail.
 *
 * An object keeps a copy of the allocator it was created with and frees
 * through it when its last reference is released, so `self` must stay valid
 * until then, and the callbacks must be safe to call from every thread that
 * creates or releases objects made with it. */
typedef struct sf_allocator_t {
  void *self;
  void *(*allocate)(void *self, size_t size, size_t alignment);
  void (*deallocate)(void *self, void *ptr);
} sf_allocator_t;

/* The C library's heap (malloc, aligned_alloc, free); thread-safe. Passing
 * NULL as the allocator of a create function means this one. */
sf_allocator_t sf_allocator_system(void);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* SPARSEFLOW_RUNTIME_ALLOCATOR_H */
