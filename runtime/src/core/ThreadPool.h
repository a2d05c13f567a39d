//===- ThreadPool.h - fork-join parallelism for host kernels ----*- C++ -*-===//
//
// Part of SparseFlow.
//
// A fixed set of workers created with the instance. parallelFor splits a
// range into one contiguous chunk per thread and runs the first chunk on the
// caller; it allocates nothing, so kernels can use it inside `run`.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEFLOW_RUNTIME_CORE_THREADPOOL_H
#define SPARSEFLOW_RUNTIME_CORE_THREADPOOL_H

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

  /// Runs fn over [0, n) in at most size() chunks, each at least `grain`
  /// long, and returns when all are done. While the workers serve one
  /// caller, another caller runs its whole range on its own thread.
  void parallelFor(int64_t n, int64_t grain, RangeFn fn);

private:
  void workerLoop(unsigned index);

  std::vector<std::thread> workers;
  std::mutex runMutex; // held by the caller the workers serve
  std::mutex mutex;
  std::condition_variable wake, done;
  const RangeFn *task = nullptr;
  int64_t taskSize = 0;
  unsigned taskChunks = 0;
  uint64_t generation = 0;
  unsigned pending = 0;
  bool stopping = false;
};

} // namespace sparseflow::runtime

#endif // SPARSEFLOW_RUNTIME_CORE_THREADPOOL_H
