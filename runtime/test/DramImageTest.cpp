//===- DramImageTest.cpp - DRAM spine images ------------------------------===//
//
// Part of SparseFlow.
//
// A hand-sized image (a conv and a linear layer): the layout, the tiles'
// contents and padding, the spine round trip, every bounds error of the
// access API, and the validation of corrupted images.
//
//===----------------------------------------------------------------------===//

#include "TestArtifacts.h"

#include "sparseflow/format/dram_image.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

using namespace sparseflow;
using namespace sparseflow::dram;

namespace {

constexpr uint32_t T = 4;

class DramImage : public ::testing::Test {
protected:
  void SetUp() override {
    std::vector<uint8_t> bytes;
    Result built = buildImage(layers.specs, T, bytes);
    ASSERT_TRUE(built.ok()) << built.message;
    Result parsed = Image::parse(bytes, image);
    ASSERT_TRUE(parsed.ok()) << parsed.message;
  }

  sparseflow::runtime::test::DramLayers layers;
  Image image;
};

std::string message(const Result &r) {
  return r.ok() ? "ok" : r.message;
}

TEST_F(DramImage, LaysOutAlignedRegionsPerLayer) {
  ASSERT_EQ(image.layerCount(), 2u);
  EXPECT_EQ(image.timesteps(), T);
  const Layer &conv = image.layer(0), &fc = image.layer(1);
  EXPECT_EQ(conv.name, "conv");
  EXPECT_EQ(conv.inputNeurons, 18u);
  EXPECT_EQ(conv.outputNeurons, 4u);
  EXPECT_EQ(conv.tileCount, 4u);
  EXPECT_EQ(conv.tileElements, 3u * 1 * 3 * 3);
  EXPECT_EQ(fc.tileCount, 9u);
  EXPECT_EQ(fc.entry.tile_grid[0], 3u);
  EXPECT_EQ(fc.entry.tile_grid[1], 3u);
  // T = 4 packs into one byte: a 4-byte neuron index, padded to 8 bytes.
  EXPECT_EQ(conv.input.spine_size, 8u);
  EXPECT_EQ(conv.entry.input_size, 16u + 18 * 8);
  for (uint64_t offset :
       {conv.entry.input_offset, conv.entry.weight_offset,
        conv.entry.output_offset, fc.entry.input_offset,
        fc.entry.weight_offset, fc.entry.output_offset})
    EXPECT_EQ(offset % SF_DRAM_ALIGNMENT, 0u);
  EXPECT_EQ(conv.input.count, 0u);
  EXPECT_EQ(conv.output.count, 0u);
  EXPECT_EQ(conv.output.capacity, 4u);
  size_t index = 9;
  EXPECT_TRUE(image.findLayer("fc", index).ok());
  EXPECT_EQ(index, 1u);
  EXPECT_EQ(message(image.findLayer("nope", index)),
            "the DRAM image has no layer named 'nope'");
}

TEST_F(DramImage, WeightTilesHoldTheirBlockWithAllTapsZeroPadded) {
  // conv tile 1 = outputs 0..2, channel 1: W[o][1][:, :].
  std::vector<float> convTile(27);
  ASSERT_TRUE(image.loadWeightTile(0, 1, convTile.data(), 27).ok());
  for (int o = 0; o < 3; ++o)
    for (int k = 0; k < 9; ++k)
      EXPECT_EQ(convTile[o * 9 + k], layers.convWeights[(o * 2 + 1) * 9 + k]);
  // conv tile 2 = outputs 3..5 of 4: only output 3 exists.
  ASSERT_TRUE(image.loadWeightTile(0, 2, convTile.data(), 27).ok());
  for (int k = 0; k < 9; ++k)
    EXPECT_EQ(convTile[k], layers.convWeights[(3 * 2 + 0) * 9 + k]);
  for (int k = 9; k < 27; ++k)
    EXPECT_EQ(convTile[k], 0.0f);
  // fc tile 8 = outputs 4..5, features 6..8: only W[4][6].
  std::vector<float> fcTile(6);
  ASSERT_TRUE(image.loadWeightTile(1, 8, fcTile.data(), 6).ok());
  EXPECT_EQ(fcTile, (std::vector<float>{layers.linearWeights[4 * 7 + 6], 0, 0,
                                        0, 0, 0}));
}

TEST_F(DramImage, InputSpinesRoundTripAndSkipSilentNeurons) {
  std::vector<uint64_t> packed(18, 0);
  packed[0] = 0b0001;
  packed[5] = 0b1010;
  packed[17] = 0b1111;
  ASSERT_TRUE(image.writeInputSpines(0, packed.data(), packed.size()).ok());
  EXPECT_EQ(image.layer(0).input.count, 3u);
  Spine spine;
  ASSERT_TRUE(image.loadInputSpine(0, 1, spine).ok());
  EXPECT_EQ(spine.neuron, 5u);
  EXPECT_EQ(spine.bits, 0b1010u);
  std::vector<float> spikes(T * 18);
  ASSERT_TRUE(image.inputSpikes(0, spikes.data(), spikes.size()).ok());
  for (uint32_t t = 0; t < T; ++t)
    for (uint32_t n = 0; n < 18; ++n)
      EXPECT_EQ(spikes[t * 18 + n], float(packed[n] >> t & 1))
          << "t=" << t << " n=" << n;
  // The stored image validates again, spines included.
  Image copy;
  EXPECT_TRUE(Image::parse(image.bytes(), copy).ok());
  EXPECT_EQ(copy.layer(0).input.count, 3u);
}

TEST_F(DramImage, AccessesNameTheLayerTheIndexAndTheBound) {
  Spine spine;
  float buffer[27];
  EXPECT_EQ(message(image.loadInputSpine(2, 0, spine)),
            "DRAM layer 2 does not exist: the image has 2 layers");
  Result r = image.loadInputSpine(0, 0, spine);
  EXPECT_EQ(r.code, dram::Code::NotFound);
  EXPECT_NE(r.message.find("layer 0 ('conv'): input spine 0 does not exist: "
                           "the table at 0x"),
            std::string::npos)
      << r.message;
  EXPECT_NE(r.message.find("holds 0 spines"), std::string::npos);
  EXPECT_EQ(message(image.loadWeightTile(1, 9, buffer, 27)),
            "layer 1 ('fc'): weight tile 9 does not exist: the layer has 9 "
            "tiles (3 x 3)");
  r = image.loadWeightTile(0, 0, buffer, 26);
  EXPECT_EQ(r.code, dram::Code::OutOfRange);
  EXPECT_EQ(r.message, "layer 0 ('conv'): a weight tile has 27 floats, the "
                       "buffer holds 26");
  uint8_t byte;
  r = image.read(image.bytes().size(), &byte, 1);
  EXPECT_EQ(r.code, dram::Code::OutOfRange);
  EXPECT_NE(r.message.find("is outside the DRAM image"), std::string::npos);
  EXPECT_TRUE(image.read(0, &byte, 1).ok());
  EXPECT_EQ(byte, 0x89);
}

TEST_F(DramImage, OutputRegionIsAppendOnlyAndBounded) {
  EXPECT_EQ(message(image.storeOutputSpine(1, {5, 1})),
            "layer 1 ('fc'): neuron 5 is outside the layer's 5 output "
            "neurons");
  EXPECT_EQ(message(image.storeOutputSpine(1, {0, 0x10})),
            "layer 1 ('fc'): spine 0x10 has spikes after step 3 (T = 4)");
  for (uint32_t n = 0; n < 5; ++n)
    ASSERT_TRUE(image.storeOutputSpine(1, {4 - n, n + 1}).ok());
  Result full = image.storeOutputSpine(1, {0, 1});
  EXPECT_EQ(full.code, dram::Code::ResourceExhausted);
  EXPECT_NE(full.message.find("is full: the write pointer is at its capacity "
                              "of 5 spines"),
            std::string::npos)
      << full.message;
  Spine spine;
  ASSERT_TRUE(image.loadOutputSpine(1, 2, spine).ok());
  EXPECT_EQ(spine.neuron, 2u);
  EXPECT_EQ(spine.bits, 3u);
  EXPECT_EQ(message(image.loadOutputSpine(0, 0, spine)),
            "layer 0 ('conv'): output spine 0 does not exist: the write "
            "pointer is at 0");
  // The write pointer lives in the image: a reparse sees it.
  Image copy;
  ASSERT_TRUE(Image::parse(image.bytes(), copy).ok());
  EXPECT_EQ(copy.layer(1).output.count, 5u);
  ASSERT_TRUE(image.resetOutputs(1).ok());
  EXPECT_EQ(image.layer(1).output.count, 0u);
  EXPECT_TRUE(image.storeOutputSpine(1, {0, 1}).ok());
}

TEST_F(DramImage, RejectsBadInputSpines) {
  std::vector<uint64_t> packed(18, 0);
  EXPECT_EQ(message(image.writeInputSpines(0, packed.data(), 17)),
            "layer 0 ('conv'): 17 spike trains for 18 input neurons");
  packed[3] = 0x20;
  EXPECT_EQ(message(image.writeInputSpines(0, packed.data(), 18)),
            "layer 0 ('conv'): neuron 3 fires after step 3 (T = 4)");
}

/// `image`'s bytes with `size` bytes at `offset` replaced by `value`.
template <typename V>
std::vector<uint8_t> patched(const Image &image, uint64_t offset, V value) {
  std::vector<uint8_t> bytes = image.bytes();
  std::memcpy(bytes.data() + offset, &value, sizeof value);
  return bytes;
}

TEST_F(DramImage, ValidationNamesTheCorruption) {
  Image out;
  auto parse = [&](std::vector<uint8_t> bytes) {
    return message(Image::parse(std::move(bytes), out));
  };
  std::vector<uint8_t> truncated = image.bytes();
  truncated.pop_back();
  EXPECT_NE(parse(truncated).find("image_size (0x10) says"),
            std::string::npos);
  EXPECT_EQ(parse(patched(image, 0, uint8_t('X'))),
            "DRAM image: bad magic at 0x0: not a DRAM image");
  Result newer = Image::parse(patched(image, 8, uint16_t(2)), out);
  EXPECT_EQ(newer.code, dram::Code::Incompatible);
  const Layer &conv = image.layer(0);
  // A count beyond the capacity.
  EXPECT_NE(parse(patched(image, conv.entry.input_offset, uint32_t(19)))
                .find("the input table at 0x"),
            std::string::npos);
  // The fc input table moved onto conv's weights.
  uint64_t fcEntry = SF_DRAM_HEADER_SIZE + SF_DRAM_LAYER_SIZE;
  Result moved = Image::parse(
      patched(image, fcEntry + offsetof(sf_dram_layer_t, input_offset),
              conv.entry.weight_offset),
      out);
  EXPECT_EQ(moved.code, dram::Code::DataLoss);
  EXPECT_NE(moved.message.find("layer 1 ('fc')"), std::string::npos)
      << moved.message;
  // A stored spine that is silent.
  std::vector<uint64_t> packed(18, 0);
  packed[2] = 1;
  ASSERT_TRUE(image.writeInputSpines(0, packed.data(), 18).ok());
  uint64_t spineBits = conv.entry.input_offset + SF_DRAM_REGION_HEADER_SIZE + 4;
  EXPECT_NE(parse(patched(image, spineBits, uint8_t(0)))
                .find("input table spine 0 at 0x"),
            std::string::npos);
}

TEST(DramBuild, RejectsShapesTheFormatCannotHold) {
  std::vector<float> w(4, 1.0f);
  LayerSpec spec;
  spec.name = "x";
  spec.inputShape = {1, 1, 1, 1, 4};
  spec.outputShape = {4};
  spec.weightShape = {4, 1, 1, 1};
  spec.tile = {1, 1};
  spec.weights = w.data();
  std::vector<uint8_t> bytes;
  EXPECT_EQ(message(buildImage({spec}, 4, bytes)),
            "layer 0 ('x'): a DRAM image holds shapes of rank 1 to 4 with "
            "dimensions from 1 to 2^32 - 1");
  spec.inputShape = {65536, 65536};
  EXPECT_EQ(message(buildImage({spec}, 4, bytes)),
            "layer 0 ('x'): a DRAM region holds at most 2^32 - 1 neurons");
  spec.inputShape = {4};
  EXPECT_EQ(message(buildImage({spec}, 65, bytes)),
            "a DRAM image holds 1 to 64 timesteps, not 65");
  spec.tile = {5, 1};
  EXPECT_EQ(message(buildImage({spec}, 4, bytes)),
            "layer 0 ('x'): weights need a shape, data and tiles no larger "
            "than the weights");
}

} // namespace

namespace {

TEST(DramValidation, RejectsOverlappingRegions) {
  // Two identical layers; the second's input table moved onto the first's.
  std::vector<float> w(6, 1.0f);
  LayerSpec spec;
  spec.inputShape = {3};
  spec.outputShape = {2};
  spec.weightShape = {2, 3, 1, 1};
  spec.tile = {2, 3};
  spec.weights = w.data();
  LayerSpec a = spec, b = spec;
  a.name = "a";
  b.name = "b";
  std::vector<uint8_t> bytes;
  ASSERT_TRUE(buildImage({a, b}, 4, bytes).ok());
  sf_dram_layer_t first;
  std::memcpy(&first, bytes.data() + SF_DRAM_HEADER_SIZE, sizeof first);
  std::memcpy(bytes.data() + SF_DRAM_HEADER_SIZE + SF_DRAM_LAYER_SIZE +
                  offsetof(sf_dram_layer_t, input_offset),
              &first.input_offset, sizeof first.input_offset);
  Image image;
  Result r = Image::parse(bytes, image);
  EXPECT_EQ(r.code, dram::Code::DataLoss);
  EXPECT_NE(r.message.find("overlap"), std::string::npos) << r.message;
}

} // namespace
