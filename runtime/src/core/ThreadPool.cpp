//===- ThreadPool.cpp - fork-join parallelism for host kernels ------------===//
//
// Part of SparseFlow.
//
//===----------------------------------------------------------------------===//

#include "core/ThreadPool.h"

#include <algorithm>

using namespace sparseflow::runtime;

namespace {

/// Chunk `index` of `chunks` near-equal parts of [0, n).
std::pair<int64_t, int64_t> chunkOf(int64_t n, unsigned chunks,
                                    unsigned index) {
  int64_t base = n / chunks, extra = n % chunks;
  int64_t begin = index * base + std::min<int64_t>(index, extra);
  return {begin, begin + base + (static_cast<int64_t>(index) < extra)};
}

} // namespace

ThreadPool::ThreadPool(unsigned threads) {
  for (unsigned i = 1; i < std::max(threads, 1u); ++i)
    workers.emplace_back([this, i] { workerLoop(i); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex);
    stopping = true;
  }
  wake.notify_all();
  for (std::thread &worker : workers)
    worker.join();
}

void ThreadPool::parallelFor(int64_t n, int64_t grain, RangeFn fn) {
  if (n <= 0)
    return;
  int64_t byGrain = std::max<int64_t>(1, n / std::max<int64_t>(grain, 1));
  unsigned chunks =
      static_cast<unsigned>(std::min<int64_t>(size(), byGrain));
  if (chunks <= 1) {
    fn(0, n);
    return;
  }
  // The workers serve one range at a time. A caller that finds them busy
  // with another session's range runs its own range itself rather than
  // waiting: concurrent sessions never block each other, and a range gives
  // the same results however it is split.
  std::unique_lock<std::mutex> run(runMutex, std::try_to_lock);
  if (!run.owns_lock()) {
    fn(0, n);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mutex);
    task = &fn;
    taskSize = n;
    taskChunks = chunks;
    pending = chunks - 1;
    ++generation;
  }
  wake.notify_all();
  auto [begin, end] = chunkOf(n, chunks, 0);
  fn(begin, end);
  std::unique_lock<std::mutex> lock(mutex);
  done.wait(lock, [&] { return pending == 0; });
  task = nullptr;
}

void ThreadPool::workerLoop(unsigned index) {
  uint64_t seen = 0;
  for (;;) {
    std::unique_lock<std::mutex> lock(mutex);
    wake.wait(lock, [&] { return stopping || generation != seen; });
    if (stopping)
      return;
    seen = generation;
    if (index >= taskChunks)
      continue;
    const RangeFn *fn = task;
    auto [begin, end] = chunkOf(taskSize, taskChunks, index);
    lock.unlock();
    (*fn)(begin, end);
    lock.lock();
    if (--pending == 0)
      done.notify_one();
  }
}
