//===- ThreadPool.cpp - fork-join parallelism for host kernels ------------===//
//
// Part of SparseFlow.
//
//===----------------------------------------------------------------------===//

#include "core/ThreadPool.h"

#include <algorithm>

using namespace sparseflow::runtime;

namespace {

/// Piece `index` of `pieces` near-equal parts of [0, n).
std::pair<int64_t, int64_t> pieceOf(int64_t n, int64_t pieces, int64_t index) {
  int64_t base = n / pieces, extra = n % pieces;
  int64_t begin = index * base + std::min(index, extra);
  return {begin, begin + base + (index < extra)};
}

/// Polls `done` up to kSpins times, pausing between polls (tens of
/// microseconds; a pause takes 40-150 cycles, by processor); whether it
/// became true.
template <typename F> bool spinUntil(F &&done) {
  constexpr int kSpins = 1 << 12;
  for (int i = 0; i < kSpins; ++i) {
    if (done())
      return true;
#if defined(__x86_64__)
    __builtin_ia32_pause();
#endif
  }
  return done();
}

/// This thread's index in the pool it works for; 0 outside any pool.
thread_local unsigned currentIndex = 0;

} // namespace

unsigned ThreadPool::threadIndex() { return currentIndex; }

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
  const int64_t pieces =
      std::min(std::max<int64_t>(1, n / std::max<int64_t>(grain, 1)),
               size() * kPiecesPerThread);
  if (pieces <= 1) {
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
    taskPieces = pieces;
    helpers = static_cast<unsigned>(std::min<int64_t>(size(), pieces)) - 1;
    nextPiece = 0;
    pending = helpers;
    ++generation;
  }
  wake.notify_all();
  runPieces();
  if (!spinUntil([&] { return pending.load() == 0; })) {
    std::unique_lock<std::mutex> lock(mutex);
    done.wait(lock, [&] { return pending.load() == 0; });
  }
  std::lock_guard<std::mutex> lock(mutex);
  task = nullptr;
}

void ThreadPool::runPieces() {
  for (int64_t piece; (piece = nextPiece.fetch_add(1)) < taskPieces;) {
    auto [begin, end] = pieceOf(taskSize, taskPieces, piece);
    (*task)(begin, end);
  }
}

void ThreadPool::workerLoop(unsigned index) {
  currentIndex = index;
  uint64_t seen = 0;
  for (;;) {
    spinUntil([&] { return stopping.load() || generation.load() != seen; });
    std::unique_lock<std::mutex> lock(mutex);
    wake.wait(lock,
              [&] { return stopping.load() || generation.load() != seen; });
    if (stopping)
      return;
    seen = generation;
    if (index > helpers)
      continue;
    lock.unlock();
    runPieces();
    lock.lock();
    if (--pending == 0)
      done.notify_one();
  }
}
