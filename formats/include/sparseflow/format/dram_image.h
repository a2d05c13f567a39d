//===- sparseflow/format/dram_image.h - DRAM spine images -------*- C++ -*-===//
//
// Part of SparseFlow.
//
// Builds, validates and accesses the DRAM images of dram_format.h. The
// compiler builds them (sfc compile --emit=dram); the runtime loads them,
// records real spikes into them and serves the bounds-checked accesses of
// the C API (sf_dram_*). Plain C++17: no LLVM, no runtime.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEFLOW_FORMAT_DRAM_IMAGE_H
#define SPARSEFLOW_FORMAT_DRAM_IMAGE_H

#include "sparseflow/format/dram_format.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sparseflow::dram {

/// The class of a failure. The numbers are those of the runtime's
/// sf_status_code_t, which its C API (DramApi.cpp) static_asserts.
enum class Code {
  Ok = 0,
  InvalidArgument = 1,
  NotFound = 2,
  OutOfRange = 3,
  DataLoss = 4,
  Incompatible = 5,
  ResourceExhausted = 8,
};

/// The outcome of an access: Ok or a code with a message that names the
/// layer, the index and the bound.
struct Result {
  Code code = Code::Ok;
  std::string message;

  bool ok() const { return code == Code::Ok; }
};

/// A layer the compiler lays out.
struct LayerSpec {
  std::string name;
  sf_dram_layer_kind_t kind = SF_DRAM_LINEAR;
  /// Per sample, at most SF_DRAM_MAX_RANK dimensions.
  std::vector<int64_t> inputShape, outputShape;
  /// [O, I / groups, KH, KW]; linear [O, K, 1, 1].
  std::array<int64_t, 4> weightShape{};
  int64_t groups = 1;
  /// Outputs and inputs per weight tile.
  std::array<int64_t, 2> tile{};
  /// weightShape's elements, row-major.
  const float *weights = nullptr;
};

/// The image of `layers` for `timesteps` steps, with empty input tables and
/// output regions. Returns INVALID_ARGUMENT for shapes the format cannot
/// hold (rank, 32-bit dimensions, T outside 1..64).
Result buildImage(const std::vector<LayerSpec> &layers, uint32_t timesteps,
                  std::vector<uint8_t> &image);

/// One spine: a neuron and its spikes, bit t for step t.
struct Spine {
  uint32_t neuron = 0;
  uint64_t bits = 0;
};

/// A decoded layer entry.
struct Layer {
  std::string name;
  sf_dram_layer_t entry;
  sf_dram_region_t input, output;
  uint64_t inputNeurons = 0, outputNeurons = 0;
  uint32_t tileCount = 0;
  uint64_t tileElements = 0;
};

/// A validated image in memory. Every access checks the layer, the index
/// and the bytes it touches against the image.
class Image {
public:
  /// Validates `bytes` (header, directory, every region and every stored
  /// spine) and takes them. DATA_LOSS names the first inconsistency and its
  /// address; INCOMPATIBLE a newer major version.
  static Result parse(std::vector<uint8_t> bytes, Image &out);

  const std::vector<uint8_t> &bytes() const { return data; }
  uint32_t timesteps() const { return steps; }
  size_t layerCount() const { return layers.size(); }
  /// Layer `index`, which must exist (see checkLayer).
  const Layer &layer(size_t index) const { return layers[index]; }
  /// NOT_FOUND unless layer `index` exists.
  Result checkLayer(size_t index) const;
  Result findLayer(std::string_view name, size_t &index) const;

  /// Input spine `id` (0 .. count - 1) of layer `layer`.
  Result loadInputSpine(size_t layer, uint32_t id, Spine &spine) const;
  /// Weight tile `id`: tileElements floats into `out` (`capacity` floats).
  Result loadWeightTile(size_t layer, uint32_t id, float *out,
                        size_t capacity) const;
  /// Appends `spine` at the output write pointer. RESOURCE_EXHAUSTED when
  /// the region is full; INVALID_ARGUMENT for a neuron outside the layer's
  /// outputs or spikes after step T - 1.
  Result storeOutputSpine(size_t layer, const Spine &spine);
  /// Output spine `index` (below the write pointer).
  Result loadOutputSpine(size_t layer, uint32_t index, Spine &spine) const;
  /// Rewinds the write pointer to 0.
  Result resetOutputs(size_t layer);

  /// Replaces the input table with the spines of `packed`: one word per
  /// input neuron (inputNeurons words, bit t = step t); silent neurons get
  /// no spine.
  Result writeInputSpines(size_t layer, const uint64_t *packed, size_t count);
  /// The input table as a [T, inputNeurons] 0/1 tensor (`count` floats).
  Result inputSpikes(size_t layer, float *out, size_t count) const;

  /// Raw, bounds-checked access to [address, address + size).
  Result read(uint64_t address, void *out, size_t size) const;

  /// The memory map: one line per region, or JSON (docs/dram-format.md).
  std::string mapText() const;
  std::string mapJSON() const;

private:
  Result checkRange(uint64_t address, uint64_t size, const char *what) const;
  Result loadSpine(const sf_dram_region_t &region, uint64_t base,
                   uint32_t index, Spine &spine) const;
  void storeRegionHeader(uint64_t base, const sf_dram_region_t &region);

  std::vector<uint8_t> data;
  uint32_t steps = 0;
  std::vector<Layer> layers;
};

} // namespace sparseflow::dram

#endif // SPARSEFLOW_FORMAT_DRAM_IMAGE_H
