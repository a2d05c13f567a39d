//===- CountingAllocator.h - an sf_allocator_t that keeps books -*- C++ -*-===//
//
// Part of SparseFlow.
//
// Counts what the runtime allocates and frees through it, checks what it is
// asked for against allocator.h (sizes > 0, power-of-two alignments up to
// SF_ALLOCATOR_MAX_ALIGNMENT, only its own pointers freed) and can fail one
// allocation: return NULL, or throw as a C++ allocator might. Thread-safe.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEFLOW_TEST_RUNTIME_COUNTINGALLOCATOR_H
#define SPARSEFLOW_TEST_RUNTIME_COUNTINGALLOCATOR_H

#include "sparseflow/runtime/allocator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <mutex>
#include <new>
#include <stdexcept>

namespace sparseflow::runtime::test {

class CountingAllocator {
public:
  enum Failure { ReturnNull, ThrowBadAlloc, ThrowOther };

  CountingAllocator() = default;
  CountingAllocator(const CountingAllocator &) = delete;
  CountingAllocator &operator=(const CountingAllocator &) = delete;
  ~CountingAllocator() { EXPECT_EQ(blocks.size(), 0u) << "leaked blocks"; }

  sf_allocator_t allocator() {
    return {this, &allocateThunk, &deallocateThunk};
  }

  /// Fails allocation number `index` (0 is the first) as `failure` says.
  void failAt(size_t index, Failure failure) {
    std::lock_guard<std::mutex> lock(mutex);
    failIndex = index;
    failWith = failure;
  }

  bool failed() const {
    std::lock_guard<std::mutex> lock(mutex);
    return hasFailed;
  }
  size_t allocations() const {
    std::lock_guard<std::mutex> lock(mutex);
    return count;
  }
  size_t live() const {
    std::lock_guard<std::mutex> lock(mutex);
    return blocks.size();
  }
  /// Requests outside allocator.h's promises (size, alignment).
  size_t badRequests() const {
    std::lock_guard<std::mutex> lock(mutex);
    return badRequestCount;
  }
  size_t largestLive() const {
    std::lock_guard<std::mutex> lock(mutex);
    size_t largest = 0;
    for (const auto &block : blocks)
      largest = std::max(largest, block.second);
    return largest;
  }

private:
  static void *allocateThunk(void *self, size_t size, size_t alignment) {
    return static_cast<CountingAllocator *>(self)->allocate(size, alignment);
  }
  static void deallocateThunk(void *self, void *memory) {
    static_cast<CountingAllocator *>(self)->deallocate(memory);
  }

  void *allocate(size_t size, size_t alignment) {
    std::lock_guard<std::mutex> lock(mutex);
    if (size == 0 || alignment == 0 || (alignment & (alignment - 1)) ||
        alignment > SF_ALLOCATOR_MAX_ALIGNMENT)
      ++badRequestCount;
    if (count++ == failIndex) {
      hasFailed = true;
      if (failWith == ThrowBadAlloc)
        throw std::bad_alloc();
      if (failWith == ThrowOther)
        throw std::runtime_error("allocator broke");
      return nullptr;
    }
    void *memory = std::aligned_alloc(alignment, (size + alignment - 1) /
                                                     alignment * alignment);
    if (memory)
      blocks[memory] = size;
    return memory;
  }

  void deallocate(void *memory) {
    std::lock_guard<std::mutex> lock(mutex);
    EXPECT_EQ(blocks.erase(memory), 1u) << "freed a block it did not make";
    std::free(memory);
  }

  mutable std::mutex mutex;
  std::map<void *, size_t> blocks;
  size_t count = 0, badRequestCount = 0;
  size_t failIndex = SIZE_MAX;
  Failure failWith = ReturnNull;
  bool hasFailed = false;
};

} // namespace sparseflow::runtime::test

#endif // SPARSEFLOW_TEST_RUNTIME_COUNTINGALLOCATOR_H
