/*===- sparseflow/runtime/api.h - SparseFlow runtime C API ---------*- C -*-===*
 *
 * Part of SparseFlow.
 *
 * The one header an embedding application includes; it includes one header
 * per object. Link against libsparseflow_runtime; no LLVM or MLIR is needed.
 *
 *   status.h     sf_status_t     success (SF_OK, NULL) or a code + message
 *   allocator.h  sf_allocator_t  where objects and their memory come from
 *   version.h    sf_runtime_version(): this runtime and the formats it reads
 *   instance.h   sf_instance_t   the backends available in this process
 *                                (thread pool)
 *   model.h      sf_model_t      a loaded, validated artifact; immutable,
 *                                shareable across threads
 *   tensor.h     sf_tensor_t     a float32 tensor: a shape and owned or
 *                                borrowed data
 *   session.h    sf_session_t    per-thread execution state: the activation
 *                                arena, the neuron state, profiling counters
 *   dram.h       sf_dram_t       a DRAM spine image
 *
 * Conventions (IREE style): every fallible call returns an sf_status_t
 * (SF_OK on success; otherwise the caller owns the status and frees it with
 * sf_status_free). A function that hands out an object takes an allocator
 * (NULL: sf_allocator_system()), sets `*out` to NULL first and only hands
 * the object out on success, with one reference the caller owns. Every
 * object is reference-counted: sf_X_retain adds a reference, sf_X_release
 * drops one and the last frees the object; both ignore NULL. An object
 * keeps what it needs alive: a session holds a reference to its model, a
 * model to its instance, so they may be released in any order. Nothing
 * throws, prints or aborts.
 *
 * Threads (tested in runtime/test/ConcurrencyTest.cpp, also under
 * ThreadSanitizer):
 *   - An instance may be used from any number of threads at once: to create
 *     models and sessions, and by the sessions it serves. Its thread pool
 *     works on one kernel's range at a time; a session whose kernel finds
 *     it busy runs that kernel on its own thread instead of waiting, so
 *     concurrent sessions never block each other, and N of them together
 *     use at most num_threads + N - 1 threads. Results do not depend on it.
 *   - A model is immutable once created: any number of threads may read it
 *     and create sessions from it at once.
 *   - A session (with the profile, spike log and recorded spines it hands
 *     out) and a tensor belong to one thread at a time: calls on the same
 *     session or tensor from two threads at once need the caller's lock.
 *   - A DRAM image (sf_dram_t) is like a session: one thread at a time.
 *   - Retain and release are atomic on every object, so references may be
 *     taken and dropped from any thread; the last release frees the object
 *     through its allocator on the thread that makes it.
 *
 *===----------------------------------------------------------------------===*/

#ifndef SPARSEFLOW_RUNTIME_API_H
#define SPARSEFLOW_RUNTIME_API_H

#include "sparseflow/runtime/allocator.h"
#include "sparseflow/runtime/dram.h"
#include "sparseflow/runtime/instance.h"
#include "sparseflow/runtime/model.h"
#include "sparseflow/runtime/session.h"
#include "sparseflow/runtime/status.h"
#include "sparseflow/runtime/tensor.h"
#include "sparseflow/runtime/version.h"

#endif /* SPARSEFLOW_RUNTIME_API_H */
