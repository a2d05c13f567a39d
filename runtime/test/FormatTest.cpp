//===- FormatTest.cpp - the shared layer's catalogue and geometry ---------===//
//
// Part of SparseFlow.
//
// The op catalogue and the enums are tied to the schema at compile time
// (op_catalogue.h, schema.h); these tests pin the rows and the window rules
// the loader and the kernels rely on.
//
//===----------------------------------------------------------------------===//

#include "sparseflow/format/artifact_format.h"
#include "sparseflow/format/op_catalogue.h"
#include "sparseflow/format/window.h"

#include <gtest/gtest.h>

#include <limits>
#include <random>
#include <vector>

namespace {

using namespace sparseflow;
using namespace sparseflow::format;

TEST(OpCatalogue, HasOneRowPerSchemaOpKindInOrder) {
  ASSERT_EQ(kOpKindCount, static_cast<size_t>(sfa::OpKind::MAX) + 1);
  for (size_t i = 0; i < kOpKindCount; ++i) {
    const OpInfo &row = kOpCatalogue[i];
    EXPECT_EQ(static_cast<size_t>(row.kind), i);
    EXPECT_STREQ(row.name, sfa::EnumNameOpKind(row.kind));
    EXPECT_EQ(opInfo(row.kind), &row);
    EXPECT_LE(row.inputsMin, row.inputsMax) << row.name;
    EXPECT_LE(row.constantsMin, row.constantsMax) << row.name;
    EXPECT_TRUE(row.dense || row.sparse) << row.name << " has no kernel";
    EXPECT_TRUE(row.host || row.gpu || row.spikecore)
        << row.name << " runs nowhere";
  }
  EXPECT_EQ(opInfo(static_cast<sfa::OpKind>(kOpKindCount)), nullptr);
}

TEST(OpCatalogue, SaysWhichOpsHaveSparseKernelsAndWhereOpsRun) {
  for (const OpInfo &row : kOpCatalogue) {
    bool layer =
        row.kind == sfa::OpKind::Conv2d || row.kind == sfa::OpKind::Linear;
    // A layer fused with its neurons, and neurons fed back their own
    // spikes, exist only as the host's sparse kernel.
    bool fused = row.kind == sfa::OpKind::Conv2dLIF ||
                 row.kind == sfa::OpKind::LinearLIF ||
                 row.kind == sfa::OpKind::RecurrentLIF;
    // A product of activations has a kernel for spike operands too.
    bool matMul = row.kind == sfa::OpKind::MatMul;
    EXPECT_EQ(row.sparse, layer || fused || matMul) << row.name;
    EXPECT_EQ(row.dense, !fused) << row.name;
    EXPECT_EQ(row.hasKernel(sfa::Kernel::SparseBinary),
              layer || fused || matMul);
    EXPECT_EQ(row.sparseInput(), matMul ? OpInfo::SparseInput::Product
                                 : row.kind == sfa::OpKind::RecurrentLIF
                                     ? OpInfo::SparseInput::Own
                                     : OpInfo::SparseInput::First)
        << row.name;
    bool spikecore = row.kind == sfa::OpKind::SpikeCoreLayer;
    EXPECT_EQ(row.runsOn(sfa::Target::SpikeCore), spikecore) << row.name;
    EXPECT_EQ(row.runsOn(sfa::Target::Host), !spikecore) << row.name;
    EXPECT_EQ(row.runsOn(sfa::Target::Gpu), !spikecore && !fused) << row.name;
  }
  const OpInfo &conv = *opInfo(sfa::OpKind::Conv2d);
  EXPECT_EQ(conv.operandsMin(), 2u);
  EXPECT_EQ(conv.operandsMax(), 3u);
  EXPECT_EQ(conv.attrs, sfa::OpAttrs::Conv2dAttrs);
  EXPECT_EQ(opInfo(sfa::OpKind::Linear)->attrs, sfa::OpAttrs::NONE);
  EXPECT_EQ(opInfo(sfa::OpKind::BatchNorm)->operandsMin(), 5u);
}

TEST(SharedEnums, ConvertToAndFromTheSchema) {
  EXPECT_EQ(fromSchema(sfa::ResetMode::Soft), ResetMode::Soft);
  EXPECT_EQ(toSchema(Readout::All), sfa::Readout::All);
  EXPECT_TRUE(isKnown(sfa::FireMode::Gt));
  EXPECT_FALSE(isKnown(static_cast<sfa::FireMode>(2)));
  EXPECT_FALSE(isKnown(static_cast<sfa::Encoding>(200)));
}

int64_t outputSize(WindowAxis axis) {
  int64_t out = -1;
  EXPECT_EQ(windowOutputSize(axis, out), WindowFault::None);
  return out;
}

TEST(Window, OutputSizeFollowsOnnx) {
  // 3 taps, stride 1, pad 1: same size.
  EXPECT_EQ(outputSize({8, 3, 1, 1, 1, 1, false}), 8);
  // Stride 2 floors; ceil mode adds the partial window.
  EXPECT_EQ(outputSize({7, 2, 2, 0, 0, 1, false}), 3);
  EXPECT_EQ(outputSize({7, 2, 2, 0, 0, 1, true}), 4);
  // A ceil-mode window that would start in the trailing padding is dropped
  // (PyTorch: 5 inputs, kernel 2, stride 2, padding 1 give 3, not 4).
  EXPECT_EQ(outputSize({5, 2, 2, 1, 1, 1, true}), 3);
  // Dilation 2 spans 5 inputs for 3 taps.
  EXPECT_EQ(outputSize({9, 3, 1, 0, 0, 2, false}), 5);

  int64_t out = 0;
  EXPECT_EQ(windowOutputSize({4, 6, 1, 0, 0, 1, false}, out),
            WindowFault::SpanExceedsInput);
  const int64_t big = std::numeric_limits<int64_t>::max();
  EXPECT_EQ(windowOutputSize({1, big, 1, 0, 0, 2, false}, out),
            WindowFault::SpanOverflows);
  EXPECT_EQ(windowOutputSize({big, 1, 1, 1, 0, 1, false}, out),
            WindowFault::PaddedOverflows);
}

TEST(Window, StatesThePaddingAndKernelRules) {
  EXPECT_TRUE(poolPadFits(2, 3, 1));
  EXPECT_FALSE(poolPadFits(3, 3, 1));
  EXPECT_TRUE(poolPadFits(4, 3, 2)); // the span is 5
  // The host's sparse conv takes any groups (depthwise included), the
  // gpu's only 1.
  EXPECT_TRUE(sparseConvSupports(1, Target::Host));
  EXPECT_TRUE(sparseConvSupports(32, Target::Host));
  EXPECT_TRUE(sparseConvSupports(1, Target::Gpu));
  EXPECT_FALSE(sparseConvSupports(2, Target::Gpu));
}

// The rules are constexpr: the compiler and kernels may use them in
// constant expressions.
static_assert([] {
  int64_t out = 0;
  return windowOutputSize({32, 3, 2, 1, 1, 1, false}, out) ==
             WindowFault::None &&
         out == 16;
}());

} // namespace

/// CRC-32C by its definition, a bit at a time.
static uint32_t crc32cBitwise(uint32_t crc, const uint8_t *bytes, size_t size) {
  crc = ~crc;
  for (size_t i = 0; i < size; ++i) {
    crc ^= bytes[i];
    for (int bit = 0; bit < 8; ++bit)
      crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1u)));
  }
  return ~crc;
}

TEST(Checksum, IsCrc32cOnEveryPathAndAlignment) {
  const char *check = "123456789"; // the catalogue's check value
  EXPECT_EQ(sf_crc32c(0, check, 9), 0xE3069283u);
  EXPECT_EQ(sf_crc32c_portable(0, check, 9), 0xE3069283u);
  std::mt19937 rng(7);
  std::vector<uint8_t> bytes(4099);
  for (uint8_t &b : bytes)
    b = static_cast<uint8_t>(rng());
  for (size_t offset : {0, 1, 3, 7})
    for (size_t size : {0, 1, 7, 8, 9, 63, 64, 1000, 4092}) {
      uint32_t expected = crc32cBitwise(0, bytes.data() + offset, size);
      EXPECT_EQ(sf_crc32c(0, bytes.data() + offset, size), expected)
          << offset << " + " << size;
      EXPECT_EQ(sf_crc32c_portable(0, bytes.data() + offset, size), expected)
          << offset << " + " << size;
    }
  // Continuing a running checksum is the checksum of the concatenation.
  uint32_t part = sf_crc32c(0, bytes.data(), 1000);
  EXPECT_EQ(sf_crc32c(part, bytes.data() + 1000, 3099),
            crc32cBitwise(0, bytes.data(), 4099));
}
