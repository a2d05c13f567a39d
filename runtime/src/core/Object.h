//===- Object.h - allocation and references of C API objects ---*- C++ -*-===//
//
// Part of SparseFlow.
//
// Every object the C API hands out derives from ObjectHeader: an atomic
// reference count and the allocator it came from, through which it is
// freed. newObject/deleteObject construct and destroy one in that memory;
// Owned<T> holds a new object's first reference until a create function
// hands it out, so a failure or an exception on the way frees it.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEFLOW_RUNTIME_CORE_OBJECT_H
#define SPARSEFLOW_RUNTIME_CORE_OBJECT_H

#include "sparseflow/runtime/allocator.h"
#include "sparseflow/runtime/status.h"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>

namespace sparseflow::runtime {

struct ObjectHeader {
  std::atomic<uint32_t> references{1};
  sf_allocator_t allocator{};
};

/// The allocator a create function was given: `*allocator`, or the system
/// allocator for NULL. INVALID_ARGUMENT when a callback is missing.
sf_status_t pickAllocator(const sf_allocator_t *allocator, sf_allocator_t &out);

/// `size` bytes (at least 1) aligned to `alignment` (a power of two up to
/// SF_ALLOCATOR_MAX_ALIGNMENT) from `allocator`; null when it has none. An
/// exception the allocator throws passes through.
void *allocate(const sf_allocator_t &allocator, size_t size,
               size_t alignment = SF_ALLOCATOR_MAX_ALIGNMENT);
/// Frees what allocate() returned; null is ignored.
void deallocate(const sf_allocator_t &allocator, void *memory) noexcept;

/// A default-constructed T with one reference in memory from `allocator`;
/// null when the allocator has none.
template <typename T> T *newObject(const sf_allocator_t &allocator) {
  static_assert(alignof(T) <= SF_ALLOCATOR_MAX_ALIGNMENT,
                "objects must fit the allocator's alignment");
  void *memory = allocate(allocator, sizeof(T), alignof(T));
  if (!memory)
    return nullptr;
  T *object;
  try {
    object = new (memory) T();
  } catch (...) {
    deallocate(allocator, memory);
    throw;
  }
  object->allocator = allocator;
  return object;
}

/// Destroys `object` and frees its memory.
template <typename T> void deleteObject(T *object) noexcept {
  sf_allocator_t allocator = object->allocator;
  object->~T();
  deallocate(allocator, object);
}

inline void retainObject(ObjectHeader *object) noexcept {
  if (object)
    object->references.fetch_add(1, std::memory_order_relaxed);
}

/// Drops a reference; true when it was the last, and the caller frees.
inline bool releaseObject(ObjectHeader *object) noexcept {
  return object &&
         object->references.fetch_sub(1, std::memory_order_acq_rel) == 1;
}

/// Calls `Release` (the C API's sf_X_release) on the object.
template <typename T, void (*Release)(T *)> struct Releaser {
  void operator()(T *object) const noexcept { Release(object); }
};
template <typename T, void (*Release)(T *)>
using Owned = std::unique_ptr<T, Releaser<T, Release>>;

} // namespace sparseflow::runtime

#endif // SPARSEFLOW_RUNTIME_CORE_OBJECT_H
