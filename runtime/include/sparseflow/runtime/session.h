/*===- sparseflow/runtime/session.h - per-thread execution state ---*- C -*-===*
 *
 * Part of SparseFlow.
 *
 * sf_session_t: what running a model needs: the activation arena, the
 * neuron state, the kernels' scratch, profiling counters. Not thread-safe:
 * a session (with the profile and spike log it hands out) belongs to one
 * thread at a time; calls on it from two threads at once need the caller's
 * lock. Any number of sessions of one model may run at once.
 *
 *===----------------------------------------------------------------------===*/

#ifndef SPARSEFLOW_RUNTIME_SESSION_H
#define SPARSEFLOW_RUNTIME_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "sparseflow/runtime/allocator.h"
#include "sparseflow/runtime/instance.h"
#include "sparseflow/runtime/model.h"
#include "sparseflow/runtime/status.h"
#include "sparseflow/runtime/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sf_session_t sf_session_t;

typedef struct sf_session_options_t {
  sf_backend_t backend;
  /* Seed of the rate encoder's random numbers (docs/semantics.md). */
  uint64_t seed;
  /* Collect per-layer counters and times (sf_session_profile). */
  int profile;
  /* Record the events SpikeCore layers emit (sf_session_spike_log). */
  int spike_log;
  /* Keep the spikes each layer of the model's DRAM image reads, for
   * sf_session_recorded_spines. */
  int record_spines;
  /* The most bytes of host memory the session may allocate for its arena
   * and kernel scratch (0: no limit). An artifact's sizes are validated
   * against its own tensors, but a valid model may still be larger than an
   * embedder can afford; beyond this limit sf_session_create fails with
   * RESOURCE_EXHAUSTED before allocating. */
  uint64_t memory_limit_bytes;
  /* Run the host's dense ops (conv and linear on analog inputs) on the
   * runtime's own reference loops rather than on the dense library the
   * runtime was built with (oneDNN, when built with SF_WITH_ONEDNN). For
   * comparisons: the reference loops are slower. */
  int reference_kernels;
  /* Keep the spikes every op writes in each run (its packed spike output),
   * for sf_session_recorded_spikes: rasters and per-layer activity of any
   * backend's run. */
  int record_spikes;
} sf_session_options_t;

void sf_session_options_initialize(sf_session_options_t *options);

/* Creates a session and all the memory it needs: `run` allocates nothing.
 * The object, the arena and the scratch come from `allocator` (NULL:
 * sf_allocator_system()); `options` NULL means the defaults. Fails with
 * UNAVAILABLE when the backend cannot run here, with UNIMPLEMENTED when the
 * model has ops the backend lacks and with RESOURCE_EXHAUSTED when memory
 * runs out. The session holds a reference to the model, so the caller may
 * release the model while the session lives; the caller owns the session's
 * one reference. */
sf_status_t sf_session_create(sf_model_t *model,
                              const sf_session_options_t *options,
                              const sf_allocator_t *allocator,
                              sf_session_t **out_session);

/* Adds a reference; NULL is ignored. Atomic, but a session is still used by
 * one thread at a time. */
void sf_session_retain(sf_session_t *session);
/* Drops a reference; the last one frees the session and drops its reference
 * to the model. NULL is ignored. */
void sf_session_release(sf_session_t *session);

/* Runs the model over all timesteps from a fresh neuron state. `inputs` and
 * `outputs` have the shapes sf_model_input_shape/sf_model_output_shape give;
 * the outputs are overwritten. */
sf_status_t sf_session_run(sf_session_t *session, sf_tensor_t *const *inputs,
                           size_t input_count, sf_tensor_t *const *outputs,
                           size_t output_count);

/*===----------------------------------------------------------------------===*
 * Profiling (sessions created with `profile` set)
 *===----------------------------------------------------------------------===*/

/* The SpikeCore simulator's counters of one layer (docs/spikecore.md). A
 * "neuron op" is one neuron updated by one instruction. */
typedef struct sf_spikecore_profile_t {
  uint32_t first_core, core_count; /* the layer's cores */
  uint64_t cycles;       /* per step the slowest core's cycles, summed */
  uint64_t instructions; /* executed, over all cores */
  uint64_t acc_events;   /* input events ACC read, over all cores */
  uint64_t acc_ops;      /* synaptic updates: each event x each neuron */
  uint64_t leak_ops, bias_ops, fire_ops, out_ops; /* neuron ops */
  uint64_t spikes;       /* events emitted (spikes or graded payloads) */
  uint64_t saturations;  /* membrane updates clamped to int32 */
  uint64_t input_clamps; /* graded inputs clamped to 0..255 */
  double energy_pj;      /* < 0 when the target description has no energy */
  const uint64_t *core_spikes; /* events emitted per core, core_count */
} sf_spikecore_profile_t;

/* Counters of one op, summed over the runs since the last reset. The spike
 * counters are set for ops that read spikes (has_spike_input); `spikecore`
 * for ops run by the SpikeCore simulator (is_spikecore). */
typedef struct sf_layer_profile_t {
  const char *name;   /* the ONNX node name(s) */
  const char *op;     /* e.g. "Conv2d" */
  const char *kernel; /* "Dense" or "SparseBinary" */
  const char *target; /* where the compiler placed it: "host", ... */
  int64_t block_size;
  uint64_t runs;
  double seconds;
  int has_spike_input;
  uint64_t input_neurons;  /* neurons of the spike input, per run */
  uint64_t spikes;         /* spikes read, over all steps */
  uint64_t silent_neurons; /* neurons silent at every step */
  uint64_t blocks;         /* zero-skip blocks (block_size > 0) */
  uint64_t active_blocks;  /* blocks holding a spike */
  /* spike_histogram[k]: neurons that fire at exactly k of the T steps. */
  uint64_t spike_histogram[65];
  int is_spikecore;
  sf_spikecore_profile_t spikecore;
} sf_layer_profile_t;

size_t sf_session_profile_count(const sf_session_t *session);
/* The counters of op `index` (plan order), valid while the session lives;
 * NULL when out of range or profiling is off. */
const sf_layer_profile_t *sf_session_profile(const sf_session_t *session,
                                             size_t index);
void sf_session_profile_reset(sf_session_t *session);

/*===----------------------------------------------------------------------===*
 * Recorded spikes (sessions created with `record_spikes` set)
 *===----------------------------------------------------------------------===*/

/* The spikes op `index` (plan order, as in sf_session_profile) wrote in the
 * last run: one 64-bit word per neuron of its output, row-major, bit t =
 * timestep t. Writes the output's shape (batch included) to `shape` (room
 * for SF_MAX_RANK) and its rank to `*rank` where they are not NULL, and
 * returns the words, valid until the next run; NULL (rank 0) when the op
 * writes no spikes, recording is off or nothing ran yet. */
const uint64_t *sf_session_recorded_spikes(const sf_session_t *session,
                                           size_t index, size_t *rank,
                                           int64_t *shape);

/*===----------------------------------------------------------------------===*
 * Spike log (sessions created with `spike_log` set)
 *===----------------------------------------------------------------------===*/

/* One event a SpikeCore layer emitted: the op (plan order, as in
 * sf_session_profile), the batch sample, the timestep, the neuron (index in
 * the layer's output features) and the payload (1 for a spike, 1..255 for
 * a graded value). */
typedef struct sf_spike_event_t {
  uint32_t op, sample, step, neuron, payload;
} sf_spike_event_t;

/* The events of the last run, ordered by op, sample, step and neuron;
 * valid until the next run or until the session is freed. Returns the count
 * and sets `*events` (NULL when the log is off or empty). */
size_t sf_session_spike_log(const sf_session_t *session,
                            const sf_spike_event_t **events);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* SPARSEFLOW_RUNTIME_SESSION_H */
