/*===- sparseflow/runtime/dram.h - DRAM spine images ---------------*- C -*-===*
 *
 * Part of SparseFlow.
 *
 * sf_dram_t: a flat, bounds-checked DRAM as an accelerator would hold the
 * model (docs/dram-format.md): per spike-consuming layer an input spine
 * table, weight tiles and an append-only output region. Layers are numbered
 * in execution order. Not thread-safe: like a session, an image belongs to
 * one thread at a time (its retain and release are atomic all the same).
 *
 *===----------------------------------------------------------------------===*/

#ifndef SPARSEFLOW_RUNTIME_DRAM_H
#define SPARSEFLOW_RUNTIME_DRAM_H

#include <stddef.h>
#include <stdint.h>

#include "sparseflow/runtime/allocator.h"
#include "sparseflow/runtime/model.h"
#include "sparseflow/runtime/session.h"
#include "sparseflow/runtime/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sf_dram_t sf_dram_t;

/* Every function below that hands out an sf_dram_t gives the caller its
 * one reference and takes the object from `allocator` (NULL:
 * sf_allocator_system()); the image's bytes come from the C++ heap. */

/* Loads and validates a DRAM image file (`sfc compile --emit=dram`). */
sf_status_t sf_dram_create_from_file(const char *path,
                                     const sf_allocator_t *allocator,
                                     sf_dram_t **out_dram);
/* A copy of the DRAM image the artifact carries; NOT_FOUND when the model
 * has no spike-consuming layers and so no image. */
sf_status_t sf_dram_create_from_model(const sf_model_t *model,
                                      const sf_allocator_t *allocator,
                                      sf_dram_t **out_dram);
/* A copy of the DRAM image of `model` whose input spine tables hold the
 * spikes each layer read for batch sample `sample` in the last run. The
 * session must have been created with `record_spines` and have run. */
sf_status_t sf_session_recorded_spines(const sf_session_t *session,
                                       size_t sample,
                                       const sf_allocator_t *allocator,
                                       sf_dram_t **out_dram);

/* Adds a reference; NULL is ignored. */
void sf_dram_retain(sf_dram_t *dram);
/* Drops a reference; the last one frees the image. NULL is ignored. */
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
 * call on `dram` that changes or maps it, or until it is freed. */
const char *sf_dram_memory_map(sf_dram_t *dram, int json);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* SPARSEFLOW_RUNTIME_DRAM_H */
