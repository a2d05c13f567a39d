//===- Crc32c.cpp - the artifact checksum ---------------------------------===//
//
// Part of SparseFlow.
//
// CRC-32C of artifact bodies, which are as large as the model's weights, so
// the checksum is most of the time it takes to write or load one unless it
// runs near memory speed. The CPU's CRC-32C instruction does (8 bytes per
// instruction); slicing-by-8 tables (8 bytes per 8 lookups) serve other
// CPUs. Both compute the reflected Castagnoli CRC bit for bit like the
// bytewise definition, which FormatTest checks against.
//
//===----------------------------------------------------------------------===//

#include "sparseflow/format/artifact_format.h"

#include <array>
#include <cstring>

#if defined(__x86_64__)
#include <nmmintrin.h>
#elif defined(__aarch64__) && defined(__ARM_FEATURE_CRC32)
#include <arm_acle.h>
#endif

namespace {

constexpr uint32_t kPolynomial = 0x82F63B78u;

/// table[k][b]: the CRC of byte b followed by k zero bytes.
using Tables = std::array<std::array<uint32_t, 256>, 8>;

constexpr Tables makeTables() {
  Tables t{};
  for (uint32_t b = 0; b < 256; ++b) {
    uint32_t crc = b;
    for (int bit = 0; bit < 8; ++bit)
      crc = (crc >> 1) ^ (kPolynomial & (0u - (crc & 1u)));
    t[0][b] = crc;
  }
  for (int k = 1; k < 8; ++k)
    for (uint32_t b = 0; b < 256; ++b)
      t[k][b] = (t[k - 1][b] >> 8) ^ t[0][t[k - 1][b] & 0xFF];
  return t;
}

constexpr Tables kTables = makeTables();

uint64_t load64(const uint8_t *p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return v; // little-endian hosts only (the artifact is little-endian too)
}

/// `crc` is the running (inverted) value.
uint32_t crcTables(uint32_t crc, const uint8_t *p, size_t n) {
  for (; n >= 8; p += 8, n -= 8) {
    uint64_t v = load64(p) ^ crc;
    crc = kTables[7][v & 0xFF] ^ kTables[6][(v >> 8) & 0xFF] ^
          kTables[5][(v >> 16) & 0xFF] ^ kTables[4][(v >> 24) & 0xFF] ^
          kTables[3][(v >> 32) & 0xFF] ^ kTables[2][(v >> 40) & 0xFF] ^
          kTables[1][(v >> 48) & 0xFF] ^ kTables[0][v >> 56];
  }
  for (; n; ++p, --n)
    crc = (crc >> 8) ^ kTables[0][(crc ^ *p) & 0xFF];
  return crc;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) uint32_t
crcHardware(uint32_t crc, const uint8_t *p, size_t n) {
  uint64_t c = crc;
  for (; n >= 8; p += 8, n -= 8)
    c = _mm_crc32_u64(c, load64(p));
  crc = static_cast<uint32_t>(c);
  for (; n; ++p, --n)
    crc = _mm_crc32_u8(crc, *p);
  return crc;
}

bool hasHardware() {
  static const bool has = __builtin_cpu_supports("sse4.2");
  return has;
}
#elif defined(__aarch64__) && defined(__ARM_FEATURE_CRC32)
uint32_t crcHardware(uint32_t crc, const uint8_t *p, size_t n) {
  for (; n >= 8; p += 8, n -= 8)
    crc = __crc32cd(crc, load64(p));
  for (; n; ++p, --n)
    crc = __crc32cb(crc, *p);
  return crc;
}

bool hasHardware() { return true; }
#else
uint32_t crcHardware(uint32_t crc, const uint8_t *p, size_t n) {
  return crcTables(crc, p, n);
}

bool hasHardware() { return false; }
#endif

} // namespace

extern "C" uint32_t sf_crc32c_portable(uint32_t crc, const void *data,
                                       size_t size) {
  return ~crcTables(~crc, static_cast<const uint8_t *>(data), size);
}

extern "C" uint32_t sf_crc32c(uint32_t crc, const void *data, size_t size) {
  const uint8_t *bytes = static_cast<const uint8_t *>(data);
  crc = ~crc;
  crc = hasHardware() ? crcHardware(crc, bytes, size)
                      : crcTables(crc, bytes, size);
  return ~crc;
}
