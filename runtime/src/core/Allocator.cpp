//===- Allocator.cpp - the system allocator and allocation helpers --------===//
//
// Part of SparseFlow.
//
//===----------------------------------------------------------------------===//

#include "core/Object.h"

#include <cstdlib>

using namespace sparseflow;

namespace {

void *systemAllocate(void *, size_t size, size_t alignment) {
  if (alignment <= alignof(std::max_align_t))
    return std::malloc(size);
  // aligned_alloc wants a multiple of the alignment.
  size_t rounded = (size + alignment - 1) / alignment * alignment;
  return rounded < size ? nullptr : std::aligned_alloc(alignment, rounded);
}

void systemDeallocate(void *, void *memory) { std::free(memory); }

} // namespace

extern "C" sf_allocator_t sf_allocator_system(void) {
  return sf_allocator_t{nullptr, systemAllocate, systemDeallocate};
}

sf_status_t runtime::pickAllocator(const sf_allocator_t *allocator,
                                   sf_allocator_t &out) {
  out = allocator ? *allocator : sf_allocator_system();
  if (!out.allocate || !out.deallocate)
    return sf_status_make(SF_STATUS_INVALID_ARGUMENT,
                          "the allocator's allocate and deallocate callbacks "
                          "must not be NULL");
  return SF_OK;
}

void *runtime::allocate(const sf_allocator_t &allocator, size_t size,
                        size_t alignment) {
  return allocator.allocate(allocator.self, size ? size : 1, alignment);
}

void runtime::deallocate(const sf_allocator_t &allocator,
                         void *memory) noexcept {
  if (memory)
    allocator.deallocate(allocator.self, memory);
}
