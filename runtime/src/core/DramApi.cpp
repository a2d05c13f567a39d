//===- DramApi.cpp - the C API over DRAM spine images ---------------------===//
//
// Part of SparseFlow.
//
// sf_dram_t wraps a validated dram::Image; the checks and their messages
// are the image's. The object comes from the caller's allocator, the
// image's bytes from the C++ heap. No exception leaves this file: every
// entry point that does more than read a field runs through guarded()
// (core/Guarded.h).
//
//===----------------------------------------------------------------------===//

#include "core/Executor.h"
#include "core/Guarded.h"

#include <cstdio>
#include <new>

using namespace sparseflow;
using namespace sparseflow::runtime;

struct sf_dram_t : ObjectHeader {
  dram::Image image;
  std::string map;
};

namespace {

#define SF_SAME_CODE(Name, CODE)                                               \
  static_assert(static_cast<int>(dram::Code::Name) == SF_STATUS_##CODE,        \
                "dram::Code::" #Name " is SF_STATUS_" #CODE);
SF_SAME_CODE(Ok, OK)
SF_SAME_CODE(InvalidArgument, INVALID_ARGUMENT)
SF_SAME_CODE(NotFound, NOT_FOUND)
SF_SAME_CODE(OutOfRange, OUT_OF_RANGE)
SF_SAME_CODE(DataLoss, DATA_LOSS)
SF_SAME_CODE(Incompatible, INCOMPATIBLE)
SF_SAME_CODE(ResourceExhausted, RESOURCE_EXHAUSTED)
#undef SF_SAME_CODE

sf_status_code_t statusCode(dram::Code code) {
  return static_cast<sf_status_code_t>(code);
}

sf_status_t toStatus(const dram::Result &result) {
  return result.ok() ? SF_OK
                     : sf_status_make(statusCode(result.code), "%s",
                                      result.message.c_str());
}

sf_status_t nullArgument(const char *name) {
  return sf_status_make(SF_STATUS_INVALID_ARGUMENT, "%s must not be NULL",
                        name);
}

sf_status_t outOfMemory() {
  return sf_status_make(SF_STATUS_RESOURCE_EXHAUSTED, "out of memory");
}

/// Checks the out-parameters, runs `load` and copies the spine out.
template <typename Load>
sf_status_t loadSpine(const sf_dram_t *dram, uint32_t *outNeuron,
                      uint64_t *outBits, Load &&load) {
  if (!dram || !outNeuron || !outBits)
    return nullArgument("dram, out_neuron and out_bits");
  return guarded([&] {
    dram::Spine s;
    sf_status_t status = toStatus(load(s));
    *outNeuron = s.neuron;
    *outBits = s.bits;
    return status;
  });
}

sf_status_t wrapImage(dram::Image image, const sf_allocator_t &allocator,
                      sf_dram_t **out) {
  auto *dram = newObject<sf_dram_t>(allocator);
  if (!dram)
    return outOfMemory();
  dram->image = std::move(image);
  *out = dram;
  return SF_OK;
}

} // namespace

extern "C" {

sf_status_t sf_dram_create_from_file(const char *path,
                                     const sf_allocator_t *allocator,
                                     sf_dram_t **out_dram) {
  if (!out_dram)
    return nullArgument("out_dram");
  *out_dram = nullptr;
  if (!path)
    return nullArgument("path");
  sf_allocator_t chosen;
  if (sf_status_t status = pickAllocator(allocator, chosen))
    return status;
  return guarded([&]() -> sf_status_t {
    std::unique_ptr<ArtifactBytes> file;
    if (sf_status_t status = mapFile(path, file))
      return status;
    dram::Image image;
    dram::Result parsed = dram::Image::parse(
        std::vector<uint8_t>(file->data(), file->data() + file->size()),
        image);
    if (!parsed.ok())
      return sf_status_make(statusCode(parsed.code), "'%s': %s", path,
                            parsed.message.c_str());
    return wrapImage(std::move(image), chosen, out_dram);
  });
}

sf_status_t sf_dram_create_from_model(const sf_model_t *model,
                                      const sf_allocator_t *allocator,
                                      sf_dram_t **out_dram) {
  if (!out_dram)
    return nullArgument("out_dram");
  *out_dram = nullptr;
  if (!model)
    return nullArgument("model");
  sf_allocator_t chosen;
  if (sf_status_t status = pickAllocator(allocator, chosen))
    return status;
  if (!model->dram)
    return sf_status_make(SF_STATUS_NOT_FOUND,
                          "the model carries no DRAM image (compile it with "
                          "sfc --dram-image; a model without spike-consuming "
                          "Conv2d or Linear layers has none)");
  return guarded([&] { return wrapImage(*model->dram, chosen, out_dram); });
}

sf_status_t sf_session_recorded_spines(const sf_session_t *session,
                                       size_t sample,
                                       const sf_allocator_t *allocator,
                                       sf_dram_t **out_dram) {
  if (!out_dram)
    return nullArgument("out_dram");
  *out_dram = nullptr;
  if (!session)
    return nullArgument("session");
  sf_allocator_t chosen;
  if (sf_status_t status = pickAllocator(allocator, chosen))
    return status;
  if (!session->options.record_spines || !session->hasRun)
    return sf_status_make(SF_STATUS_FAILED_PRECONDITION,
                          "no spines recorded: create the session with "
                          "record_spines and run it first");
  const sf_model_t &m = *session->model;
  return guarded([&]() -> sf_status_t {
    dram::Image image = *m.dram;
    for (size_t l = 0; l < m.dramOps.size(); ++l) {
      uint64_t neurons = image.layer(l).inputNeurons;
      const std::vector<uint64_t> &words = session->recordedSpines[l];
      size_t batch = words.size() / neurons;
      if (sample >= batch)
        return sf_status_make(SF_STATUS_OUT_OF_RANGE,
                              "sample %zu is outside the batch of %zu", sample,
                              batch);
      if (sf_status_t status = toStatus(image.writeInputSpines(
              l, words.data() + sample * neurons, neurons)))
        return status;
    }
    return wrapImage(std::move(image), chosen, out_dram);
  });
}

void sf_dram_retain(sf_dram_t *dram) { retainObject(dram); }

void sf_dram_release(sf_dram_t *dram) {
  if (releaseObject(dram))
    deleteObject(dram);
}

sf_status_t sf_dram_save(const sf_dram_t *dram, const char *path) {
  if (!dram || !path)
    return nullArgument("dram and path");
  FILE *file = std::fopen(path, "wb");
  if (!file)
    return sf_status_make(SF_STATUS_NOT_FOUND, "cannot write '%s'", path);
  const std::vector<uint8_t> &bytes = dram->image.bytes();
  bool ok = std::fwrite(bytes.data(), 1, bytes.size(), file) == bytes.size();
  ok = std::fclose(file) == 0 && ok;
  return ok ? SF_OK
            : sf_status_make(SF_STATUS_RESOURCE_EXHAUSTED,
                             "writing '%s' failed", path);
}

uint32_t sf_dram_timesteps(const sf_dram_t *dram) {
  return dram ? dram->image.timesteps() : 0;
}

size_t sf_dram_layer_count(const sf_dram_t *dram) {
  return dram ? dram->image.layerCount() : 0;
}

uint64_t sf_dram_size(const sf_dram_t *dram) {
  return dram ? dram->image.bytes().size() : 0;
}

sf_status_t sf_dram_layer_info(const sf_dram_t *dram, size_t layer,
                               sf_dram_layer_info_t *out_info) {
  if (!dram || !out_info)
    return nullArgument("dram and out_info");
  if (sf_status_t status =
          guarded([&] { return toStatus(dram->image.checkLayer(layer)); }))
    return status;
  const dram::Layer &l = dram->image.layer(layer);
  const sf_dram_layer_t &e = l.entry;
  sf_dram_layer_info_t info{};
  info.name = l.name.c_str();
  info.kind = e.kind == SF_DRAM_CONV2D ? "conv2d" : "linear";
  info.input_rank = e.input_rank;
  info.output_rank = e.output_rank;
  for (uint32_t d = 0; d < 4; ++d) {
    info.input_shape[d] = d < e.input_rank ? e.input_shape[d] : 0;
    info.output_shape[d] = d < e.output_rank ? e.output_shape[d] : 0;
    info.weight_shape[d] = e.weight_shape[d];
  }
  info.tile_shape[0] = e.tile_shape[0];
  info.tile_shape[1] = e.tile_shape[1];
  info.tile_count = l.tileCount;
  info.tile_elements = l.tileElements;
  info.input_address = e.input_offset;
  info.weight_address = e.weight_offset;
  info.output_address = e.output_offset;
  info.input_spines = l.input.count;
  info.output_spines = l.output.count;
  info.output_capacity = l.output.capacity;
  *out_info = info;
  return SF_OK;
}

sf_status_t sf_dram_find_layer(const sf_dram_t *dram, const char *name,
                               size_t *out_layer) {
  if (!dram || !name || !out_layer)
    return nullArgument("dram, name and out_layer");
  return guarded(
      [&] { return toStatus(dram->image.findLayer(name, *out_layer)); });
}

sf_status_t sf_dram_load_input_spine(const sf_dram_t *dram, size_t layer,
                                     uint32_t spine, uint32_t *out_neuron,
                                     uint64_t *out_bits) {
  return loadSpine(dram, out_neuron, out_bits, [&](dram::Spine &s) {
    return dram->image.loadInputSpine(layer, spine, s);
  });
}

sf_status_t sf_dram_load_weight_tile(const sf_dram_t *dram, size_t layer,
                                     uint32_t tile, float *out,
                                     size_t capacity) {
  if (!dram || !out)
    return nullArgument("dram and out");
  return guarded([&] {
    return toStatus(dram->image.loadWeightTile(layer, tile, out, capacity));
  });
}

sf_status_t sf_dram_store_output_spine(sf_dram_t *dram, size_t layer,
                                       uint32_t neuron, uint64_t bits) {
  if (!dram)
    return nullArgument("dram");
  return guarded([&] {
    return toStatus(dram->image.storeOutputSpine(layer, {neuron, bits}));
  });
}

sf_status_t sf_dram_load_output_spine(const sf_dram_t *dram, size_t layer,
                                      uint32_t index, uint32_t *out_neuron,
                                      uint64_t *out_bits) {
  return loadSpine(dram, out_neuron, out_bits, [&](dram::Spine &s) {
    return dram->image.loadOutputSpine(layer, index, s);
  });
}

sf_status_t sf_dram_reset_outputs(sf_dram_t *dram, size_t layer) {
  if (!dram)
    return nullArgument("dram");
  return guarded([&] { return toStatus(dram->image.resetOutputs(layer)); });
}

sf_status_t sf_dram_write_input_spikes(sf_dram_t *dram, size_t layer,
                                       const float *spikes, size_t count) {
  if (!dram || !spikes)
    return nullArgument("dram and spikes");
  return guarded([&]() -> sf_status_t {
    if (sf_status_t status = toStatus(dram->image.checkLayer(layer)))
      return status;
    const uint64_t neurons = dram->image.layer(layer).inputNeurons;
    const uint32_t T = dram->image.timesteps();
    if (count != neurons * T)
      return sf_status_make(SF_STATUS_INVALID_ARGUMENT,
                            "layer %zu: the spike tensor [T=%u, %llu] has "
                            "%llu elements, not %zu",
                            layer, T, (unsigned long long)neurons,
                            (unsigned long long)(neurons * T), count);
    std::vector<uint64_t> packed(neurons, 0);
    for (uint32_t t = 0; t < T; ++t)
      for (uint64_t n = 0; n < neurons; ++n) {
        float v = spikes[t * neurons + n];
        if (v != 0.0f && v != 1.0f)
          return sf_status_make(SF_STATUS_INVALID_ARGUMENT,
                                "layer %zu: spike [%u, %llu] is %g, not 0 "
                                "or 1",
                                layer, t, (unsigned long long)n, (double)v);
        packed[n] |= uint64_t(v != 0.0f) << t;
      }
    return toStatus(
        dram->image.writeInputSpines(layer, packed.data(), packed.size()));
  });
}

sf_status_t sf_dram_input_spikes(const sf_dram_t *dram, size_t layer,
                                 float *out, size_t count) {
  if (!dram || !out)
    return nullArgument("dram and out");
  return guarded(
      [&] { return toStatus(dram->image.inputSpikes(layer, out, count)); });
}

sf_status_t sf_dram_read(const sf_dram_t *dram, uint64_t address, void *out,
                         size_t size) {
  if (!dram || !out)
    return nullArgument("dram and out");
  return guarded(
      [&] { return toStatus(dram->image.read(address, out, size)); });
}

const char *sf_dram_memory_map(sf_dram_t *dram, int json) {
  if (!dram)
    return "";
  try {
    dram->map = json ? dram->image.mapJSON() : dram->image.mapText();
  } catch (...) { // out of memory: an empty map
    dram->map.clear();
  }
  return dram->map.c_str();
}

} // extern "C"
