//===- ThreadPool.h - fork-join parallelism for host kernels ----*- C++ -*-===//
//
// Part of SparseFlow.
//
// A fixed set of workers created with the instance. parallelFor splits a
// range into contiguous pieces, a few per thread, that the caller and the
// workers claim one at a time (so a thread whose pieces cost less takes
// more); it allocates nothing, so kernels can use it inside `run`. Between
// ranges the workers spin briefly before they sleep: the ranges of one run
// follow each other within microseconds, and waking a sleeping thread costs
// about as long.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEFLOW_RUNTIME_CORE_THREADPOOL_H
#define SPARSEFLOW_RUNTIME_CORE_THREADPOOL_H

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

namespace sparseflow::runtime {

/// A non-owning reference to a callable `void(int64_t begin, int64_t end)`.
class RangeFn {
public:
  template <typename F>
  RangeFn(F &&f) // NOLINT: implicit, like llvm::function_ref
      : object(const_cast<void *>(static_cast<const void *>(&f))),
        call([](void *o, int64_t b, int64_t e) {
          (*static_cast<std::remove_reference_t<F> *>(o))(b, e);
        }) {}
  void operator()(int64_t begin, int64_t end) const { call(object, begin, end); }

private:
  void *object;
  void (*call)(void *, int64_t, int64_t);
};

class ThreadPool {
public:
  /// `threads` counts the caller: 1 creates no worker.
  explicit ThreadPool(unsigned threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool &) = delete;
  ThreadPool &operator=(const ThreadPool &) = delete;

  unsigned size() const { return static_cast<unsigned>(workers.size()) + 1; }

  /// Runs fn over [0, n) in pieces of at least `grain` (up to
  /// kPiecesPerThread per thread) on up to size() threads, and returns when
  /// all are done. While the workers serve one caller, another caller runs
  /// its whole range on its own thread.
  void parallelFor(int64_t n, int64_t grain, RangeFn fn);

  /// The calling thread's index in the pool that runs it: a worker's
  /// 1 .. size() - 1, any other thread's (a caller) 0. A kernel running
  /// inside parallelFor uses it to pick its thread's work space.
  static unsigned threadIndex();

  /// Pieces per thread: enough to even out pieces of unequal cost, few
  /// enough that claiming them costs nothing.
  static constexpr int64_t kPiecesPerThread = 4;

private:
  void workerLoop(unsigned index);
  /// Claims and runs pieces of the current range until none is left.
  void runPieces();

  std::vector<std::thread> workers;
  std::mutex runMutex; // held by the caller the workers serve
  std::mutex mutex;
  std::condition_variable wake, done;
  // The current range, set under `mutex` before `generation` moves on.
  const RangeFn *task = nullptr;
  int64_t taskSize = 0, taskPieces = 0;
  unsigned helpers = 0; // the workers 1 .. helpers take part
  std::atomic<int64_t> nextPiece{0};
  std::atomic<uint64_t> generation{0};
  std::atomic<unsigned> pending{0}; // helpers still running
  std::atomic<bool> stopping{false};
};

} // namespace sparseflow::runtime

#endif // SPARSEFLOW_RUNTIME_CORE_THREADPOOL_H
