/*===- sparseflow/format/artifact_format.h - the .sfa container ----*- C -*-===*
 *
 * Part of SparseFlow.
 *
 * The one header the compiler (which writes artifacts) and the runtime (which
 * reads them) share. An artifact is a fixed 64-byte header followed by two
 * sections:
 *
 *   [0, 64)                     sf_artifact_header_t, little-endian
 *   [plan_offset, +plan_size)   the execution plan: a FlatBuffer whose schema
 *                               is formats/schema/sfa.fbs (identifier "SFAP")
 *   [data_offset, +data_size)   constant data; every constant starts on a
 *                               SF_ARTIFACT_DATA_ALIGNMENT boundary of the
 *                               file, so a mapped file is used in place
 *
 * `checksum` is the CRC-32C of every byte after the header. The format is
 * specified in docs/artifact-format.md.
 *
 *===----------------------------------------------------------------------===*/

#ifndef SPARSEFLOW_FORMAT_ARTIFACT_FORMAT_H
#define SPARSEFLOW_FORMAT_ARTIFACT_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* PNG-style magic: a non-ASCII first byte, then CR LF, ^Z and LF, so transfers
 * that mangle line endings or treat the file as text are detected. */
#define SF_ARTIFACT_MAGIC "\x89SFA\r\n\x1a\n"
#define SF_ARTIFACT_MAGIC_SIZE 8

/* A runtime reads artifacts of its own major version and any minor version up
 * to its own; a new minor version only adds optional plan fields and op
 * kinds (1.1: SpikeCore layers; 1.2: the DRAM image; 1.3: Pad, Sigmoid, fused
 * Conv2dLIF and LinearLIF, CubaLIF, LI; 1.4: RecurrentLIF, Pointwise, Sub, Div,
 * Softmax, Slice, Pad modes). */
#define SF_ARTIFACT_VERSION_MAJOR 1
#define SF_ARTIFACT_VERSION_MINOR 4

#define SF_ARTIFACT_HEADER_SIZE 64
#define SF_ARTIFACT_DATA_ALIGNMENT 64
/* Every activation starts on this boundary of the session's arena, and
 * occupies its size rounded up to it. */
#define SF_ARTIFACT_ARENA_ALIGNMENT 64
#define SF_ARTIFACT_PLAN_IDENTIFIER "SFAP"

/* Every timestep's spikes of one neuron are packed into one 64-bit word. */
#define SF_MAX_TIMESTEPS 64
/* The most cores a SpikeCore target description may declare (the compiler
 * accepts the same; per-core counters are kept for each). */
#define SF_MAX_SPIKECORE_CORES (1u << 20)

typedef struct sf_artifact_header_t {
  uint8_t magic[SF_ARTIFACT_MAGIC_SIZE];
  uint16_t version_major;
  uint16_t version_minor;
  uint32_t header_size; /* SF_ARTIFACT_HEADER_SIZE */
  uint64_t file_size;
  uint64_t plan_offset;
  uint64_t plan_size;
  uint64_t data_offset;
  uint64_t data_size;
  uint32_t checksum; /* CRC-32C of bytes [header_size, file_size) */
  uint32_t reserved; /* 0 */
} sf_artifact_header_t;

#if defined(__cplusplus)
static_assert(sizeof(sf_artifact_header_t) == SF_ARTIFACT_HEADER_SIZE,
              "the artifact header is 64 bytes");
#else
_Static_assert(sizeof(sf_artifact_header_t) == SF_ARTIFACT_HEADER_SIZE,
               "the artifact header is 64 bytes");
#endif

/* Fills `header` for a plan of `plan_size` bytes and a data section of
 * `data_size` bytes: magic, this version, the section offsets (the plan right
 * after the header, the data at the next aligned offset) and the file size.
 * The checksum is left 0: the writer computes it over the finished body. */
static inline void sf_artifact_header_init(sf_artifact_header_t *header,
                                           uint64_t plan_size,
                                           uint64_t data_size) {
  const uint64_t align = SF_ARTIFACT_DATA_ALIGNMENT;
  for (size_t i = 0; i < sizeof(*header); ++i)
    ((uint8_t *)header)[i] = 0;
  for (size_t i = 0; i < SF_ARTIFACT_MAGIC_SIZE; ++i)
    header->magic[i] = (uint8_t)SF_ARTIFACT_MAGIC[i];
  header->version_major = SF_ARTIFACT_VERSION_MAJOR;
  header->version_minor = SF_ARTIFACT_VERSION_MINOR;
  header->header_size = SF_ARTIFACT_HEADER_SIZE;
  header->plan_offset = SF_ARTIFACT_HEADER_SIZE;
  header->plan_size = plan_size;
  header->data_offset =
      (header->plan_offset + plan_size + align - 1) / align * align;
  header->data_size = data_size;
  header->file_size = header->data_offset + data_size;
}

/* CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) of `size` bytes,
 * continuing from `crc` (0 to start). The CPU's CRC-32C instruction where it
 * has one (x86-64 SSE 4.2, AArch64 CRC), else slicing-by-8 tables; the same
 * value either way. formats/src/Crc32c.cpp (library sparseflow_checksum). */
uint32_t sf_crc32c(uint32_t crc, const void *data, size_t size);
/* The same with the tables only, whatever the CPU (for tests). */
uint32_t sf_crc32c_portable(uint32_t crc, const void *data, size_t size);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* SPARSEFLOW_FORMAT_ARTIFACT_FORMAT_H */
