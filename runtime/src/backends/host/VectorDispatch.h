//===- VectorDispatch.h - host kernels per instruction set ------*- C++ -*-===//
//
// Part of SparseFlow.
//
// A kernel's job runs its items once per instruction set it was compiled
// for: the job's `template <int V> run(i0, i1)` is always inlined into a
// wrapper compiled for AVX-512, AVX2 or the x86-64 baseline, picked at run
// time (bestVectorIsa), with V the widest block of floats that stays in
// that set's registers.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEFLOW_RUNTIME_BACKENDS_HOST_VECTORDISPATCH_H
#define SPARSEFLOW_RUNTIME_BACKENDS_HOST_VECTORDISPATCH_H

#include "backends/host/HostKernels.h"

#include <algorithm>

#if defined(__GNUC__) && defined(__x86_64__)
#define SF_X86_DISPATCH 1
#define SF_ALWAYS_INLINE inline __attribute__((always_inline))
#define SF_ALWAYS_INLINE_LAMBDA __attribute__((always_inline))
#else
#define SF_X86_DISPATCH 0
#define SF_ALWAYS_INLINE inline
#define SF_ALWAYS_INLINE_LAMBDA
#endif

namespace sparseflow::runtime::host {

// A job's loop once per instruction set, with the widest block that stays in
// that set's registers; the always-inline accumulation is compiled for the
// caller's target.
#if SF_X86_DISPATCH
template <typename Job>
__attribute__((target("avx512f"))) void runAvx512(const Job &job, int64_t i0,
                                                  int64_t i1) {
  job.template run<128>(i0, i1);
}
template <typename Job>
__attribute__((target("avx2"))) void runAvx2(const Job &job, int64_t i0,
                                             int64_t i1) {
  job.template run<64>(i0, i1);
}
#endif
template <typename Job>
void runBaseline(const Job &job, int64_t i0, int64_t i1) {
  job.template run<32>(i0, i1);
}

/// Work (about one vector add or list store each) below which a chunk is
/// not worth waking a worker for.
constexpr int64_t kMinChunkWork = 32768;

/// The grain that gives every chunk of `n` units at least kMinChunkWork of
/// `work` in all.
inline int64_t grainFor(int64_t n, int64_t work) {
  return std::max<int64_t>(1, kMinChunkWork * n / std::max<int64_t>(work, 1));
}

/// Runs all of `job`'s items, whose accumulation costs about `work` vector
/// adds in all.
template <typename Job>
void runItems(const Job &job, int64_t work, VectorIsa isa, ThreadPool &pool) {
  void (*fn)(const Job &, int64_t, int64_t) = runBaseline<Job>;
#if SF_X86_DISPATCH
  if (isa == VectorIsa::Avx512)
    fn = runAvx512<Job>;
  else if (isa == VectorIsa::Avx2)
    fn = runAvx2<Job>;
#endif
  const int64_t items = job.items();
  pool.parallelFor(items, grainFor(items, work),
                   [&](int64_t i0, int64_t i1) { fn(job, i0, i1); });
}

} // namespace sparseflow::runtime::host

#endif // SPARSEFLOW_RUNTIME_BACKENDS_HOST_VECTORDISPATCH_H
