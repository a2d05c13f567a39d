//===- FuzzDram.cpp - libFuzzer target: DRAM spine images -----------------===//
//
// Part of SparseFlow.
//
// Parses the input as a DRAM image; when it is accepted, drives every
// accessor over each layer's regions (and one past their ends), which must
// answer in bounds or with an error.
//
//===----------------------------------------------------------------------===//

#include "sparseflow/format/dram_image.h"

#include <cstddef>
#include <cstdint>
#include <vector>

using namespace sparseflow;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  dram::Image image;
  if (!dram::Image::parse(std::vector<uint8_t>(data, data + size), image).ok())
    return 0;
  (void)image.mapText();
  (void)image.mapJSON();
  std::vector<float> tile;
  for (size_t l = 0; l < image.layerCount(); ++l) {
    if (!image.checkLayer(l).ok())
      continue;
    const dram::Layer &layer = image.layer(l);
    size_t index;
    (void)image.findLayer(layer.name, index);
    dram::Spine spine;
    for (uint32_t id = 0; id < 4; ++id) {
      (void)image.loadInputSpine(l, id, spine);
      (void)image.loadOutputSpine(l, id, spine);
    }
    tile.resize(4096);
    (void)image.loadWeightTile(l, 0, tile.data(), tile.size());
    if (layer.inputNeurons <= 4096) {
      std::vector<float> spikes(layer.inputNeurons * image.timesteps());
      if (image.inputSpikes(l, spikes.data(), spikes.size()).ok()) {
        std::vector<uint64_t> packed(layer.inputNeurons, 1);
        (void)image.writeInputSpines(l, packed.data(), packed.size());
      }
    }
    (void)image.storeOutputSpine(l, dram::Spine{0, 1});
    (void)image.resetOutputs(l);
  }
  uint8_t byte;
  (void)image.read(image.bytes().size() - 1, &byte, 1);
  (void)image.read(image.bytes().size(), &byte, 1);
  return 0;
}
