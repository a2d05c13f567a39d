/*===- sparseflow/format/dram_format.h - DRAM spine images ---------*- C -*-===*
 *
 * Part of SparseFlow.
 *
 * A DRAM image is one flat, byte-addressed memory as an accelerator with a
 * DRAM would hold a compiled model: for every layer that consumes spikes, an
 * input spine table, the layer's weight tiles and an append-only output
 * region. Address 0 is the first byte of the image; everything is
 * little-endian. docs/dram-format.md specifies it:
 *
 *   [0, 64)                    sf_dram_header_t
 *   [directory_offset, ...)    layer_count x sf_dram_layer_t
 *   [names_offset, ...)        the layer names, UTF-8, back to back
 *   per layer, each region on an SF_DRAM_ALIGNMENT boundary:
 *     input_offset             sf_dram_region_t, then `capacity` spines
 *     weight_offset            tile_grid[0] x tile_grid[1] weight tiles
 *     output_offset            sf_dram_region_t, then `capacity` spines
 *
 * A spine is one neuron's spike train over the T steps: a uint32 neuron
 * index (row-major in the layer's per-sample shape), then ceil(T / 8) bytes
 * of spikes (step t is bit t % 8 of byte t / 8), zero-padded to a multiple of
 * 4 bytes. An input table holds the spines of the neurons that fire at least
 * once, in increasing neuron order (silent neurons have none); `count` is
 * how many. An output region is an append-only log: `count` is its write
 * pointer.
 *
 *===----------------------------------------------------------------------===*/

#ifndef SPARSEFLOW_FORMAT_DRAM_FORMAT_H
#define SPARSEFLOW_FORMAT_DRAM_FORMAT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* PNG-style, like the artifact's: a non-ASCII byte, then CR LF ^Z LF. */
#define SF_DRAM_MAGIC "\x89SFD\r\n\x1a\n"
#define SF_DRAM_MAGIC_SIZE 8
#define SF_DRAM_VERSION_MAJOR 1
#define SF_DRAM_VERSION_MINOR 0
#define SF_DRAM_HEADER_SIZE 64
#define SF_DRAM_LAYER_SIZE 144
#define SF_DRAM_REGION_HEADER_SIZE 16
#define SF_DRAM_ALIGNMENT 64
/* The most dimensions a layer's input or output shape has. */
#define SF_DRAM_MAX_RANK 4

typedef enum sf_dram_layer_kind_e {
  SF_DRAM_CONV2D = 0,
  SF_DRAM_LINEAR = 1,
} sf_dram_layer_kind_t;

typedef enum sf_dram_weight_type_e {
  SF_DRAM_WEIGHT_F32 = 0,
} sf_dram_weight_type_t;

typedef struct sf_dram_header_t {
  uint8_t magic[SF_DRAM_MAGIC_SIZE];
  uint16_t version_major;
  uint16_t version_minor;
  uint32_t header_size; /* SF_DRAM_HEADER_SIZE */
  uint64_t image_size;  /* bytes of the whole image */
  uint64_t directory_offset;
  uint64_t names_offset;
  uint64_t names_size;
  uint32_t layer_count;
  uint32_t timesteps; /* T, 1..64 */
  uint8_t reserved[8];
} sf_dram_header_t;

/* One spike-consuming layer. Shapes are per sample (no batch), unused
 * dimensions 0. Weights are [O, I / groups, KH, KW]; a linear layer's are
 * [O, K, 1, 1]. Tile (a, b) has id a * tile_grid[1] + b and holds outputs
 * [a * tile_shape[0], +tile_shape[0]) and inputs [b * tile_shape[1],
 * +tile_shape[1]) with all taps, as float32 [tile_shape[0]][tile_shape[1]]
 * [KH][KW], zero where the layer ends. */
typedef struct sf_dram_layer_t {
  uint64_t name_offset; /* image address of the name */
  uint32_t name_size;
  uint32_t kind; /* sf_dram_layer_kind_t */
  uint32_t input_rank;
  uint32_t input_shape[SF_DRAM_MAX_RANK];
  uint32_t output_rank;
  uint32_t output_shape[SF_DRAM_MAX_RANK];
  uint32_t weight_shape[4];
  uint32_t tile_shape[2];
  uint32_t tile_grid[2];
  uint32_t groups;
  uint32_t weight_type; /* sf_dram_weight_type_t */
  uint64_t input_offset, input_size;   /* the input spine table */
  uint64_t weight_offset, tile_size;   /* tile_size: bytes of one tile */
  uint64_t output_offset, output_size; /* the output region */
} sf_dram_layer_t;

/* The head of an input spine table or an output region. */
typedef struct sf_dram_region_t {
  uint32_t count;      /* spines stored; an output region's write pointer */
  uint32_t capacity;   /* spines the region has room for */
  uint32_t spine_size; /* bytes per spine: 4 + ceil(T / 8), rounded to 4 */
  uint32_t neurons;    /* neurons of the tensor, per sample */
} sf_dram_region_t;

#if defined(__cplusplus)
static_assert(sizeof(sf_dram_header_t) == SF_DRAM_HEADER_SIZE,
              "the DRAM header is 64 bytes");
static_assert(sizeof(sf_dram_layer_t) == SF_DRAM_LAYER_SIZE,
              "a DRAM layer entry is 144 bytes");
static_assert(sizeof(sf_dram_region_t) == SF_DRAM_REGION_HEADER_SIZE,
              "a DRAM region header is 16 bytes");
#endif

/* Bytes of one spine for `timesteps` steps. */
static inline uint32_t sf_dram_spine_size(uint32_t timesteps) {
  return 4 + (timesteps + 31) / 32 * 4;
}

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* SPARSEFLOW_FORMAT_DRAM_FORMAT_H */
