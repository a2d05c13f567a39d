/*===- sparseflow/runtime/api.h - SparseFlow runtime C API ---------*- C -*-===*
 *
 * Part of SparseFlow.
 *
 * The one header an embedding application includes. Link against
 * libsparseflow_runtime; no LLVM or MLIR is needed.
 *
 *   sf_instance_t   the backends available in this process (thread pool)
 *   sf_model_t      a loaded, validated artifact; immutable, shareable
 *                   across threads; reference-counted
 *   sf_session_t    per-thread execution state: the activation arena, the
 *                   neuron state, profiling counters. One thread at a time.
 *   sf_tensor_t     a float32 tensor: a shape and owned or borrowed data
 *
 * Conventions (IREE style): every fallible call returns an sf_status_t
 * (SF_OK on success; otherwise the caller owns the status and frees it with
 * sf_status_free). `*_create` functions set `*out` to NULL first and only
 * hand out an object on success. Nothing throws, prints or aborts.
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
 *     and create sessions from it at once; retain and release are atomic.
 *   - A session (with the profile, spike log and recorded spines it hands
 *     out) and a tensor belong to one thread at a time: calls on the same
 *     session or tensor from two threads at once need the caller's lock.
 *   - A DRAM image (sf_dram_t) is like a session: one thread at a time.
 *
 *===----------------------------------------------------------------------===*/

#ifndef SPARSEFLOW_RUNTIME_API_H
#define SPARSEFLOW_RUNTIME_API_H

#include <stddef.h>
#include <stdint.h>

#include "sparseflow/runtime/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The largest tensor rank the API exchanges. */
#define SF_MAX_RANK 8

/*===----------------------------------------------------------------------===*
 * Instance
 *===----------------------------------------------------------------------===*/

typedef struct sf_instance_t sf_instance_t;

typedef enum sf_backend_e {
  SF_BACKEND_AUTO = 0,      /* each op on its compiled target when present,
                               else on the host */
  SF_BACKEND_HOST = 1,      /* every op on the host CPU */
  SF_BACKEND_CUDA = 2,      /* NVIDIA GPU */
  SF_BACKEND_SPIKECORE = 3, /* the SpikeCore simulator */
} sf_backend_t;

typedef struct sf_instance_options_t {
  /* Worker threads for host kernels, the calling thread included; 0 picks
   * the number of hardware threads. */
  uint32_t num_threads;
} sf_instance_options_t;

void sf_instance_options_initialize(sf_instance_options_t *options);

sf_status_t sf_instance_create(const sf_instance_options_t *options,
                               sf_instance_t **out_instance);

/* Whether `backend` can run here (compiled in and, for CUDA, a device is
 * present). SF_BACKEND_AUTO and SF_BACKEND_HOST always can. */
int sf_instance_has_backend(const sf_instance_t *instance,
                            sf_backend_t backend);

/* A stable lower-case name: "auto", "host", "cuda", "spikecore". */
const char *sf_backend_name(sf_backend_t backend);

/* Releases the instance; models and sessions created from it must have been
 * released first. NULL is ignored. */
void sf_instance_release(sf_instance_t *instance);

/*===----------------------------------------------------------------------===*
 * Model
 *===----------------------------------------------------------------------===*/

typedef struct sf_model_t sf_model_t;

typedef enum sf_encoding_e {
  SF_ENCODING_DIRECT = 0, /* the same analog input at every step */
  SF_ENCODING_RATE = 1,   /* Bernoulli spikes, the input as probability */
  SF_ENCODING_SPIKES = 2, /* the caller passes [T, N, ...] spikes (0 or 1) */
} sf_encoding_t;

typedef enum sf_readout_e {
  SF_READOUT_MEAN = 0,
  SF_READOUT_SUM = 1,
  SF_READOUT_LAST = 2,
  SF_READOUT_ALL = 3, /* [T, N, ...] */
} sf_readout_t;

/* Loads and validates an artifact (header, version, checksum, plan schema,
 * every tensor and op). The file is mapped read-only; constants are used in
 * place. */
sf_status_t sf_model_create_from_file(sf_instance_t *instance,
                                      const char *path,
                                      sf_model_t **out_model);

/* Like sf_model_create_from_file for an artifact in memory; the bytes are
 * copied, so `data` may be freed after the call. */
sf_status_t sf_model_create_from_memory(sf_instance_t *instance,
                                        const void *data, size_t size,
                                        sf_model_t **out_model);

void sf_model_retain(sf_model_t *model);
/* Drops a reference; the last one frees the model. NULL is ignored. */
void sf_model_release(sf_model_t *model);

uint32_t sf_model_timesteps(const sf_model_t *model);
sf_encoding_t sf_model_encoding(const sf_model_t *model);
sf_readout_t sf_model_readout(const sf_model_t *model);
/* "sparseflow <version>" of the compiler that wrote the artifact. */
const char *sf_model_producer(const sf_model_t *model);
size_t sf_model_input_count(const sf_model_t *model);
size_t sf_model_output_count(const sf_model_t *model);

/* The shape a caller passes for input `index` (with the leading T for the
 * spikes encoding) and receives for output `index` (with the leading T for
 * the `all` readout). `shape` must hold SF_MAX_RANK values. */
sf_status_t sf_model_input_shape(const sf_model_t *model, size_t index,
                                 size_t *out_rank, int64_t *shape);
sf_status_t sf_model_output_shape(const sf_model_t *model, size_t index,
                                  size_t *out_rank, int64_t *shape);

/*===----------------------------------------------------------------------===*
 * Tensors
 *===----------------------------------------------------------------------===*/

typedef struct sf_tensor_t sf_tensor_t;

/* A zero-filled float32 tensor owning its data. */
sf_status_t sf_tensor_create(const int64_t *shape, size_t rank,
                             sf_tensor_t **out_tensor);
/* A float32 tensor over caller-owned `data` of `byte_size` bytes, which must
 * stay valid while the tensor is used. */
sf_status_t sf_tensor_wrap(const int64_t *shape, size_t rank, float *data,
                           size_t byte_size, sf_tensor_t **out_tensor);
void sf_tensor_release(sf_tensor_t *tensor);

size_t sf_tensor_rank(const sf_tensor_t *tensor);
const int64_t *sf_tensor_shape(const sf_tensor_t *tensor);
size_t sf_tensor_element_count(const sf_tensor_t *tensor);
float *sf_tensor_data(sf_tensor_t *tensor);

/*===----------------------------------------------------------------------===*
 * Session
 *===----------------------------------------------------------------------===*/

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
} sf_session_options_t;

void sf_session_options_initialize(sf_session_options_t *options);

/* Creates a session and all the memory it needs: `run` allocates nothing.
 * Fails with UNAVAILABLE when the backend cannot run here and with
 * UNIMPLEMENTED when the model has ops the backend lacks. The session holds a
 * reference to the model. */
sf_status_t sf_session_create(sf_model_t *model,
                              const sf_session_options_t *options,
                              sf_session_t **out_session);
void sf_session_release(sf_session_t *session);

/* Runs the model over all timesteps from a fresh neuron state. `inputs` and
 * `outputs` have the shapes sf_model_input_shape/sf_model_output_shape give;
 * the outputs are overwritten. */
sf_status_t sf_session_run(sf_session_t *session,
                           sf_tensor_t *const *inputs, size_t input_count,
                           sf_tensor_t *const *outputs, size_t output_count);

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
/* The counters of op `index` (plan order), valid until the session is
 * released; NULL when out of range or profiling is off. */
const sf_layer_profile_t *sf_session_profile(const sf_session_t *session,
                                             size_t index);
void sf_session_profile_reset(sf_session_t *session);

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
 * valid until the next run or the release of the session. Returns the count
 * and sets `*events` (NULL when the log is off or empty). */
size_t sf_session_spike_log(const sf_session_t *session,
                            const sf_spike_event_t **events);

/*===----------------------------------------------------------------------===*
 * DRAM spine images (docs/dram-format.md)
 *
 * A flat, bounds-checked DRAM as an accelerator would hold the model: per
 * spike-consuming layer an input spine table, weight tiles and an
 * append-only output region. Layers are numbered in execution order.
 *===----------------------------------------------------------------------===*/

typedef struct sf_dram_t sf_dram_t;

/* Loads and validates a DRAM image file (`sfc compile --emit=dram`). */
sf_status_t sf_dram_create_from_file(const char *path, sf_dram_t **out_dram);
/* A copy of the DRAM image the artifact carries; NOT_FOUND when the model
 * has no spike-consuming layers and so no image. */
sf_status_t sf_dram_create_from_model(const sf_model_t *model,
                                      sf_dram_t **out_dram);
/* A copy of the DRAM image of `model` whose input spine tables hold the
 * spikes each layer read for batch sample `sample` in the last run. The
 * session must have been created with `record_spines` and have run. */
sf_status_t sf_session_recorded_spines(const sf_session_t *session,
                                       size_t sample, sf_dram_t **out_dram);
void sf_dram_release(sf_dram_t *dram);
/* Writes the image, as it is now, to `path`. */
sf_status_t sf_dram_save(const sf_dram_t *dram, const char *path);

uint32_t sf_dram_timesteps(const sf_dram_t *dram);
size_t sf_dram_layer_count(const sf_dram_t *dram);
/* Total bytes of the image. */
uint64_t sf_dram_size(const sf_dram_t *dram);

typedef struct sf_dram_layer_info_t {
  const char *name; /* valid while the image lives */
  const char *kind; /* "conv2d" or "linear" */
  size_t input_rank, output_rank;
  int64_t input_shape[4], output_shape[4]; /* per sample */
  int64_t weight_shape[4];                 /* [O, I / groups, KH, KW] */
  int64_t tile_shape[2];                   /* outputs, inputs per tile */
  uint32_t tile_count;
  uint64_t tile_elements; /* floats per tile */
  uint64_t input_address, weight_address, output_address;
  uint32_t input_spines;  /* spines stored in the input table */
  uint32_t output_spines; /* the output write pointer */
  uint32_t output_capacity;
} sf_dram_layer_info_t;

/* NOT_FOUND for a layer that does not exist. */
sf_status_t sf_dram_layer_info(const sf_dram_t *dram, size_t layer,
                               sf_dram_layer_info_t *out_info);
sf_status_t sf_dram_find_layer(const sf_dram_t *dram, const char *name,
                               size_t *out_layer);

/* Input spine `spine` (0 .. input_spines - 1) of `layer`: the neuron (row-
 * major in the per-sample input shape) and its spikes (bit t: step t). */
sf_status_t sf_dram_load_input_spine(const sf_dram_t *dram, size_t layer,
                                     uint32_t spine, uint32_t *out_neuron,
                                     uint64_t *out_bits);
/* Weight tile `tile` as float32 [tile outputs][tile inputs][KH][KW] into
 * `out`, which holds `capacity` floats (OUT_OF_RANGE when too few). */
sf_status_t sf_dram_load_weight_tile(const sf_dram_t *dram, size_t layer,
                                     uint32_t tile, float *out,
                                     size_t capacity);
/* Appends an output spine at the write pointer; RESOURCE_EXHAUSTED when the
 * region is full, INVALID_ARGUMENT for a neuron outside the layer's outputs
 * or spikes after step T - 1. */
sf_status_t sf_dram_store_output_spine(sf_dram_t *dram, size_t layer,
                                       uint32_t neuron, uint64_t bits);
/* Output spine `index` (below the write pointer). */
sf_status_t sf_dram_load_output_spine(const sf_dram_t *dram, size_t layer,
                                      uint32_t index, uint32_t *out_neuron,
                                      uint64_t *out_bits);
/* Rewinds the output write pointer of `layer` to 0. */
sf_status_t sf_dram_reset_outputs(sf_dram_t *dram, size_t layer);
/* Replaces the input spine table with `spikes`, a [T, neurons] tensor of
 * 0/1 values (`count` floats); neurons that never fire get no spine. */
sf_status_t sf_dram_write_input_spikes(sf_dram_t *dram, size_t layer,
                                       const float *spikes, size_t count);
/* The input spine table as a [T, neurons] 0/1 tensor (`count` floats). */
sf_status_t sf_dram_input_spikes(const sf_dram_t *dram, size_t layer,
                                 float *out, size_t count);
/* Raw bytes [address, address + size); OUT_OF_RANGE outside the image. */
sf_status_t sf_dram_read(const sf_dram_t *dram, uint64_t address, void *out,
                         size_t size);
/* The memory map as text or JSON (`json` non-zero); valid until the next
 * call on `dram` that changes or maps it, or its release. */
const char *sf_dram_memory_map(sf_dram_t *dram, int json);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* SPARSEFLOW_RUNTIME_API_H */
