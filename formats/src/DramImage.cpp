//===- DramImage.cpp - build, validate and access DRAM spine images -------===//
//
// Part of SparseFlow.
//
//===----------------------------------------------------------------------===//

#include "sparseflow/format/dram_image.h"

#include "sparseflow/format/formatted.h"

#include <algorithm>
#include <cinttypes>
#include <cstring>
#include <utility>

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "DRAM images are little-endian and copied as structs"
#endif

using namespace sparseflow;
using namespace sparseflow::dram;

namespace {

constexpr uint64_t kAlignment = SF_DRAM_ALIGNMENT;

uint64_t alignUp(uint64_t value) {
  return (value + kAlignment - 1) / kAlignment * kAlignment;
}

uint64_t ceilDiv(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

Result fail(Code code, std::string message) {
  return {code, std::move(message)};
}

/// Whether [offset, offset + size) lies inside `total` bytes.
bool inside(uint64_t offset, uint64_t size, uint64_t total) {
  return offset <= total && size <= total - offset;
}

/// The product of `dims`, or false on overflow.
bool product(const uint32_t *dims, size_t count, uint64_t &out) {
  out = 1;
  for (size_t i = 0; i < count; ++i)
    if (__builtin_mul_overflow(out, uint64_t(dims[i]), &out))
      return false;
  return true;
}

uint64_t regionBytes(uint64_t neurons, uint32_t spineSize) {
  return SF_DRAM_REGION_HEADER_SIZE + neurons * spineSize;
}

std::string shapeText(const uint32_t *dims, uint32_t rank) {
  std::string text;
  for (uint32_t d = 0; d < rank; ++d)
    text += (d ? "x" : "") + std::to_string(dims[d]);
  return text;
}

/// "layer 2 ('fc1')": how messages name a layer.
std::string layerLabel(size_t index, const std::string &name) {
  return formatted("layer %zu ('%s')", index, name.c_str());
}

uint64_t validBits(uint32_t timesteps) {
  return timesteps >= 64 ? ~uint64_t(0) : (uint64_t(1) << timesteps) - 1;
}

void appendJSONString(std::string &out, const std::string &text) {
  out += '"';
  for (char c : text) {
    if (c == '"' || c == '\\')
      out += '\\', out += c;
    else if (static_cast<unsigned char>(c) < 0x20)
      out += formatted("\\u%04x", c);
    else
      out += c;
  }
  out += '"';
}

/// Fills `dims` from `shape` (checked by the caller).
uint32_t storeShape(const std::vector<int64_t> &shape, uint32_t *dims) {
  for (size_t d = 0; d < shape.size(); ++d)
    dims[d] = static_cast<uint32_t>(shape[d]);
  return static_cast<uint32_t>(shape.size());
}

Result checkSpec(const LayerSpec &spec, size_t index) {
  std::string label = layerLabel(index, spec.name);
  auto dimsFit = [](const auto &dims) {
    return std::all_of(dims.begin(), dims.end(), [](int64_t d) {
      return d >= 1 && d <= int64_t(UINT32_MAX);
    });
  };
  for (const std::vector<int64_t> *shape :
       {&spec.inputShape, &spec.outputShape})
    if (shape->empty() || shape->size() > SF_DRAM_MAX_RANK ||
        !dimsFit(*shape))
      return fail(Code::InvalidArgument,
                  label + ": a DRAM image holds shapes of rank 1 to 4 with "
                          "dimensions from 1 to 2^32 - 1");
  for (const std::vector<int64_t> *shape :
       {&spec.inputShape, &spec.outputShape}) {
    uint64_t neurons = 1;
    bool overflow = false;
    for (int64_t d : *shape)
      overflow |= __builtin_mul_overflow(neurons, uint64_t(d), &neurons);
    if (overflow || neurons > UINT32_MAX)
      return fail(Code::InvalidArgument,
                  label + ": a DRAM region holds at most 2^32 - 1 neurons");
  }
  if (!dimsFit(spec.weightShape) || !dimsFit(spec.tile) ||
      spec.tile[0] > spec.weightShape[0] || spec.tile[1] > spec.weightShape[1] ||
      spec.groups < 1 || !spec.weights)
    return fail(Code::InvalidArgument,
                label + ": weights need a shape, data and tiles no larger "
                        "than the weights");
  return {};
}

} // namespace

//===----------------------------------------------------------------------===//
// Building
//===----------------------------------------------------------------------===//

Result dram::buildImage(const std::vector<LayerSpec> &specs,
                        uint32_t timesteps, std::vector<uint8_t> &image) {
  if (timesteps < 1 || timesteps > 64)
    return fail(
        Code::InvalidArgument,
        formatted("a DRAM image holds 1 to 64 timesteps, not %u", timesteps));
  for (size_t i = 0; i < specs.size(); ++i)
    if (Result r = checkSpec(specs[i], i); !r.ok())
      return r;

  const uint32_t spineSize = sf_dram_spine_size(timesteps);
  sf_dram_header_t header{};
  std::memcpy(header.magic, SF_DRAM_MAGIC, SF_DRAM_MAGIC_SIZE);
  header.version_major = SF_DRAM_VERSION_MAJOR;
  header.version_minor = SF_DRAM_VERSION_MINOR;
  header.header_size = SF_DRAM_HEADER_SIZE;
  header.directory_offset = SF_DRAM_HEADER_SIZE;
  header.layer_count = static_cast<uint32_t>(specs.size());
  header.timesteps = timesteps;
  header.names_offset =
      header.directory_offset + specs.size() * SF_DRAM_LAYER_SIZE;
  for (const LayerSpec &spec : specs)
    header.names_size += spec.name.size();

  // Lay the regions out after the names.
  std::vector<sf_dram_layer_t> entries(specs.size());
  uint64_t nameAt = header.names_offset;
  uint64_t offset = alignUp(header.names_offset + header.names_size);
  for (size_t i = 0; i < specs.size(); ++i) {
    const LayerSpec &spec = specs[i];
    sf_dram_layer_t &e = entries[i];
    e.name_offset = nameAt;
    e.name_size = static_cast<uint32_t>(spec.name.size());
    nameAt += spec.name.size();
    e.kind = spec.kind;
    e.input_rank = storeShape(spec.inputShape, e.input_shape);
    e.output_rank = storeShape(spec.outputShape, e.output_shape);
    for (size_t d = 0; d < 4; ++d)
      e.weight_shape[d] = static_cast<uint32_t>(spec.weightShape[d]);
    for (size_t d = 0; d < 2; ++d) {
      e.tile_shape[d] = static_cast<uint32_t>(spec.tile[d]);
      e.tile_grid[d] =
          static_cast<uint32_t>(ceilDiv(spec.weightShape[d], spec.tile[d]));
    }
    e.groups = static_cast<uint32_t>(spec.groups);
    e.weight_type = SF_DRAM_WEIGHT_F32;
    uint64_t inputs, outputs;
    product(e.input_shape, e.input_rank, inputs);
    product(e.output_shape, e.output_rank, outputs);
    e.input_offset = offset;
    e.input_size = regionBytes(inputs, spineSize);
    e.weight_offset = alignUp(e.input_offset + e.input_size);
    e.tile_size = uint64_t(e.tile_shape[0]) * e.tile_shape[1] *
                  e.weight_shape[2] * e.weight_shape[3] * sizeof(float);
    uint64_t tiles = uint64_t(e.tile_grid[0]) * e.tile_grid[1];
    e.output_offset = alignUp(e.weight_offset + tiles * e.tile_size);
    e.output_size = regionBytes(outputs, spineSize);
    offset = alignUp(e.output_offset + e.output_size);
  }
  header.image_size = offset;

  image.assign(offset, 0);
  std::memcpy(image.data(), &header, sizeof header);
  for (size_t i = 0; i < specs.size(); ++i) {
    const LayerSpec &spec = specs[i];
    const sf_dram_layer_t &e = entries[i];
    std::memcpy(image.data() + header.directory_offset +
                    i * SF_DRAM_LAYER_SIZE,
                &e, sizeof e);
    std::memcpy(image.data() + e.name_offset, spec.name.data(),
                spec.name.size());
    uint64_t inputs, outputs;
    product(e.input_shape, e.input_rank, inputs);
    product(e.output_shape, e.output_rank, outputs);
    sf_dram_region_t input{0, static_cast<uint32_t>(inputs), spineSize,
                           static_cast<uint32_t>(inputs)};
    sf_dram_region_t output{0, static_cast<uint32_t>(outputs), spineSize,
                            static_cast<uint32_t>(outputs)};
    std::memcpy(image.data() + e.input_offset, &input, sizeof input);
    std::memcpy(image.data() + e.output_offset, &output, sizeof output);

    // Tiles: [tile outputs][tile inputs][KH][KW], zero past the edges.
    const uint64_t O = e.weight_shape[0], I = e.weight_shape[1],
                   taps = uint64_t(e.weight_shape[2]) * e.weight_shape[3];
    float *tile = reinterpret_cast<float *>(image.data() + e.weight_offset);
    for (uint64_t a = 0; a < e.tile_grid[0]; ++a)
      for (uint64_t b = 0; b < e.tile_grid[1]; ++b) {
        for (uint64_t o = 0; o < e.tile_shape[0]; ++o)
          for (uint64_t k = 0; k < e.tile_shape[1]; ++k) {
            uint64_t row = a * e.tile_shape[0] + o,
                     col = b * e.tile_shape[1] + k;
            if (row < O && col < I)
              std::memcpy(tile + (o * e.tile_shape[1] + k) * taps,
                          spec.weights + (row * I + col) * taps,
                          taps * sizeof(float));
          }
        tile += e.tile_size / sizeof(float);
      }
  }
  return {};
}

//===----------------------------------------------------------------------===//
// Validation
//===----------------------------------------------------------------------===//

Result Image::parse(std::vector<uint8_t> bytes, Image &out) {
  auto corrupt = [](std::string what) {
    return fail(Code::DataLoss, "DRAM image: " + what);
  };
  const uint64_t size = bytes.size();
  if (size < SF_DRAM_HEADER_SIZE)
    return corrupt(formatted("%" PRIu64 " bytes cannot hold the %d-byte header",
                             size, SF_DRAM_HEADER_SIZE));
  sf_dram_header_t h;
  std::memcpy(&h, bytes.data(), sizeof h);
  if (std::memcmp(h.magic, SF_DRAM_MAGIC, SF_DRAM_MAGIC_SIZE) != 0)
    return corrupt("bad magic at 0x0: not a DRAM image");
  if (h.version_major != SF_DRAM_VERSION_MAJOR)
    return fail(Code::Incompatible,
                formatted("DRAM image version %u.%u; this runtime reads %d.x",
                          h.version_major, h.version_minor,
                          SF_DRAM_VERSION_MAJOR));
  if (h.header_size != SF_DRAM_HEADER_SIZE)
    return corrupt(formatted("header_size (0xc) is %u, expected %d",
                             h.header_size, SF_DRAM_HEADER_SIZE));
  if (h.image_size != size)
    return corrupt(formatted("image_size (0x10) says %" PRIu64
                             " bytes, the image has %" PRIu64,
                             h.image_size, size));
  if (h.timesteps < 1 || h.timesteps > 64)
    return corrupt(formatted("timesteps (0x34) is %u, expected 1 to 64",
                             h.timesteps));
  if (!inside(h.directory_offset, uint64_t(h.layer_count) * SF_DRAM_LAYER_SIZE,
              size))
    return corrupt(formatted("the directory of %u layers at 0x%" PRIx64
                             " runs past the end",
                             h.layer_count, h.directory_offset));
  if (!inside(h.names_offset, h.names_size, size))
    return corrupt(formatted("the names at 0x%" PRIx64 " run past the end",
                             h.names_offset));

  const uint32_t spineSize = sf_dram_spine_size(h.timesteps);
  const uint64_t bitsMask = validBits(h.timesteps);
  // Occupied byte ranges, to rule out overlaps.
  std::vector<std::pair<uint64_t, uint64_t>> ranges{
      {0, SF_DRAM_HEADER_SIZE},
      {h.directory_offset,
       h.directory_offset + uint64_t(h.layer_count) * SF_DRAM_LAYER_SIZE},
      {h.names_offset, h.names_offset + h.names_size}};
  std::vector<Layer> layers(h.layer_count);
  for (uint32_t i = 0; i < h.layer_count; ++i) {
    Layer &l = layers[i];
    uint64_t at = h.directory_offset + uint64_t(i) * SF_DRAM_LAYER_SIZE;
    std::memcpy(&l.entry, bytes.data() + at, sizeof l.entry);
    const sf_dram_layer_t &e = l.entry;
    std::string where = formatted("layer %u (entry at 0x%" PRIx64 ")", i, at);
    if (e.name_offset < h.names_offset ||
        !inside(e.name_offset, e.name_size, h.names_offset + h.names_size))
      return corrupt(where + ": its name lies outside the names");
    l.name.assign(reinterpret_cast<const char *>(bytes.data()) + e.name_offset,
                  e.name_size);
    where = layerLabel(i, l.name) + formatted(" (entry at 0x%" PRIx64 ")", at);
    if (e.kind > SF_DRAM_LINEAR || e.weight_type != SF_DRAM_WEIGHT_F32)
      return corrupt(where + formatted(": unknown kind %u or weight type %u",
                                       e.kind, e.weight_type));
    auto shapeOk = [](const uint32_t *dims, uint32_t rank) {
      return rank >= 1 && rank <= SF_DRAM_MAX_RANK &&
             std::all_of(dims, dims + rank, [](uint32_t d) { return d > 0; });
    };
    uint64_t tileElements;
    if (!shapeOk(e.input_shape, e.input_rank) ||
        !shapeOk(e.output_shape, e.output_rank) ||
        !shapeOk(e.weight_shape, 4) || !shapeOk(e.tile_shape, 2) ||
        e.groups == 0 || !product(e.input_shape, e.input_rank, l.inputNeurons) ||
        !product(e.output_shape, e.output_rank, l.outputNeurons) ||
        l.inputNeurons > UINT32_MAX || l.outputNeurons > UINT32_MAX ||
        !product(e.tile_shape, 2, tileElements) ||
        !product(&e.weight_shape[2], 2, l.tileElements))
      return corrupt(where + ": a shape is empty, zero or too large");
    l.tileElements *= tileElements;
    if (e.tile_shape[0] > e.weight_shape[0] ||
        e.tile_shape[1] > e.weight_shape[1] ||
        e.tile_grid[0] != ceilDiv(e.weight_shape[0], e.tile_shape[0]) ||
        e.tile_grid[1] != ceilDiv(e.weight_shape[1], e.tile_shape[1]) ||
        e.tile_size != l.tileElements * sizeof(float))
      return corrupt(where + ": the tile shape, grid and size disagree");
    l.tileCount = e.tile_grid[0] * e.tile_grid[1];
    uint64_t weightBytes = uint64_t(l.tileCount) * e.tile_size;

    struct RegionCheck {
      const char *what;
      uint64_t offset, size, neurons;
      sf_dram_region_t *region;
    } regions[] = {
        {"input table", e.input_offset, e.input_size, l.inputNeurons,
         &l.input},
        {"output region", e.output_offset, e.output_size, l.outputNeurons,
         &l.output}};
    if (e.weight_offset % kAlignment || !inside(e.weight_offset, weightBytes, size))
      return corrupt(where + formatted(": the weights at 0x%" PRIx64
                                       " are misaligned or run past the end",
                                       e.weight_offset));
    ranges.push_back({e.weight_offset, e.weight_offset + weightBytes});
    for (RegionCheck &c : regions) {
      std::string region = where + ": the " + c.what +
                           formatted(" at 0x%" PRIx64, c.offset);
      if (c.offset % kAlignment || c.size != regionBytes(c.neurons, spineSize) ||
          !inside(c.offset, c.size, size))
        return corrupt(region + " is misaligned, has the wrong size or runs "
                                "past the end");
      std::memcpy(c.region, bytes.data() + c.offset, sizeof *c.region);
      const sf_dram_region_t &r = *c.region;
      if (r.capacity != c.neurons || r.neurons != c.neurons ||
          r.spine_size != spineSize || r.count > r.capacity)
        return corrupt(region + formatted(" has count %u, capacity %u, spine "
                                          "size %u and %u neurons; expected at "
                                          "most %" PRIu64 " spines of %u bytes",
                                          r.count, r.capacity, r.spine_size,
                                          r.neurons, c.neurons, spineSize));
      ranges.push_back({c.offset, c.offset + c.size});
    }

    // Stored spines: neurons in range, spikes within T; input tables in
    // increasing neuron order without silent spines.
    for (RegionCheck &c : regions) {
      bool input = c.region == &l.input;
      int64_t previous = -1;
      for (uint32_t s = 0; s < c.region->count; ++s) {
        uint64_t spineAt = c.offset + SF_DRAM_REGION_HEADER_SIZE +
                           uint64_t(s) * spineSize;
        uint32_t neuron;
        uint64_t spikes = 0;
        std::memcpy(&neuron, bytes.data() + spineAt, 4);
        std::memcpy(&spikes, bytes.data() + spineAt + 4,
                    (h.timesteps + 7) / 8);
        bool ordered = !input || (int64_t(neuron) > previous && spikes != 0);
        if (neuron >= c.neurons || (spikes & ~bitsMask) || !ordered)
          return corrupt(where + formatted(": %s spine %u at 0x%" PRIx64
                                           " (neuron %u) is out of range, "
                                           "fires after step T - 1%s",
                                           c.what, s, spineAt, neuron,
                                           input ? ", is silent or is out of "
                                                   "order"
                                                 : ""));
        previous = neuron;
      }
    }
  }
  std::sort(ranges.begin(), ranges.end());
  for (size_t i = 1; i < ranges.size(); ++i)
    if (ranges[i].first < ranges[i - 1].second)
      return corrupt(formatted("regions at 0x%" PRIx64 " and 0x%" PRIx64
                               " overlap",
                               ranges[i - 1].first, ranges[i].first));

  out.data = std::move(bytes);
  out.steps = h.timesteps;
  out.layers = std::move(layers);
  return {};
}

//===----------------------------------------------------------------------===//
// Access
//===----------------------------------------------------------------------===//

Result Image::checkLayer(size_t index) const {
  if (index >= layers.size())
    return fail(Code::NotFound,
                formatted("DRAM layer %zu does not exist: the image has %zu "
                          "layers",
                          index, layers.size()));
  return {};
}

Result Image::findLayer(std::string_view name, size_t &index) const {
  for (size_t i = 0; i < layers.size(); ++i)
    if (layers[i].name == name) {
      index = i;
      return {};
    }
  return fail(Code::NotFound,
              "the DRAM image has no layer named '" + std::string(name) + "'");
}

Result Image::checkRange(uint64_t address, uint64_t size,
                         const char *what) const {
  if (!inside(address, size, data.size()))
    return fail(Code::OutOfRange,
                formatted("%s [0x%" PRIx64 ", +%" PRIu64
                          ") is outside the DRAM image (0x%zx bytes)",
                          what, address, size, data.size()));
  return {};
}

Result Image::read(uint64_t address, void *out, size_t size) const {
  if (Result r = checkRange(address, size, "read"); !r.ok())
    return r;
  std::memcpy(out, data.data() + address, size);
  return {};
}

Result Image::loadSpine(const sf_dram_region_t &region, uint64_t base,
                        uint32_t index, Spine &spine) const {
  uint64_t at = base + SF_DRAM_REGION_HEADER_SIZE +
                uint64_t(index) * region.spine_size;
  if (Result r = checkRange(at, region.spine_size, "spine"); !r.ok())
    return r;
  spine = {};
  std::memcpy(&spine.neuron, data.data() + at, 4);
  std::memcpy(&spine.bits, data.data() + at + 4, (steps + 7) / 8);
  return {};
}

Result Image::loadInputSpine(size_t layer, uint32_t id, Spine &spine) const {
  if (Result r = checkLayer(layer); !r.ok())
    return r;
  const Layer &l = layers[layer];
  if (id >= l.input.count)
    return fail(Code::NotFound,
                layerLabel(layer, l.name) +
                    formatted(": input spine %u does not exist: the table at "
                              "0x%" PRIx64 " holds %u spines",
                              id, l.entry.input_offset, l.input.count));
  return loadSpine(l.input, l.entry.input_offset, id, spine);
}

Result Image::loadOutputSpine(size_t layer, uint32_t index,
                              Spine &spine) const {
  if (Result r = checkLayer(layer); !r.ok())
    return r;
  const Layer &l = layers[layer];
  if (index >= l.output.count)
    return fail(Code::NotFound,
                layerLabel(layer, l.name) +
                    formatted(": output spine %u does not exist: the write "
                              "pointer is at %u",
                              index, l.output.count));
  return loadSpine(l.output, l.entry.output_offset, index, spine);
}

Result Image::loadWeightTile(size_t layer, uint32_t id, float *out,
                             size_t capacity) const {
  if (Result r = checkLayer(layer); !r.ok())
    return r;
  const Layer &l = layers[layer];
  if (id >= l.tileCount)
    return fail(Code::NotFound,
                layerLabel(layer, l.name) +
                    formatted(": weight tile %u does not exist: the layer has "
                              "%u tiles (%u x %u)",
                              id, l.tileCount, l.entry.tile_grid[0],
                              l.entry.tile_grid[1]));
  if (capacity < l.tileElements)
    return fail(Code::OutOfRange, layerLabel(layer, l.name) +
                                      formatted(": a weight tile has %" PRIu64
                                                " floats, the buffer holds %zu",
                                                l.tileElements, capacity));
  uint64_t at = l.entry.weight_offset + uint64_t(id) * l.entry.tile_size;
  return read(at, out, l.entry.tile_size);
}

void Image::storeRegionHeader(uint64_t base, const sf_dram_region_t &region) {
  std::memcpy(data.data() + base, &region, sizeof region);
}

Result Image::storeOutputSpine(size_t layer, const Spine &spine) {
  if (Result r = checkLayer(layer); !r.ok())
    return r;
  Layer &l = layers[layer];
  std::string label = layerLabel(layer, l.name);
  if (spine.neuron >= l.outputNeurons)
    return fail(Code::InvalidArgument,
                label + formatted(": neuron %u is outside the layer's %" PRIu64
                                  " output neurons",
                                  spine.neuron, l.outputNeurons));
  if (spine.bits & ~validBits(steps))
    return fail(Code::InvalidArgument,
                label + formatted(": spine 0x%" PRIx64
                                  " has spikes after step %u (T = %u)",
                                  spine.bits, steps - 1, steps));
  if (l.output.count >= l.output.capacity)
    return fail(Code::ResourceExhausted,
                label + formatted(": the output region at 0x%" PRIx64
                                  " is full: the write pointer is at its "
                                  "capacity of %u spines",
                                  l.entry.output_offset, l.output.capacity));
  uint64_t at = l.entry.output_offset + SF_DRAM_REGION_HEADER_SIZE +
                uint64_t(l.output.count) * l.output.spine_size;
  std::memset(data.data() + at, 0, l.output.spine_size);
  std::memcpy(data.data() + at, &spine.neuron, 4);
  std::memcpy(data.data() + at + 4, &spine.bits, (steps + 7) / 8);
  ++l.output.count;
  storeRegionHeader(l.entry.output_offset, l.output);
  return {};
}

Result Image::resetOutputs(size_t layer) {
  if (Result r = checkLayer(layer); !r.ok())
    return r;
  Layer &l = layers[layer];
  uint64_t spines = l.entry.output_offset + SF_DRAM_REGION_HEADER_SIZE;
  std::memset(data.data() + spines, 0,
              uint64_t(l.output.count) * l.output.spine_size);
  l.output.count = 0;
  storeRegionHeader(l.entry.output_offset, l.output);
  return {};
}

Result Image::writeInputSpines(size_t layer, const uint64_t *packed,
                               size_t count) {
  if (Result r = checkLayer(layer); !r.ok())
    return r;
  Layer &l = layers[layer];
  std::string label = layerLabel(layer, l.name);
  if (count != l.inputNeurons)
    return fail(Code::InvalidArgument,
                label + formatted(": %zu spike trains for %" PRIu64
                                  " input neurons",
                                  count, l.inputNeurons));
  const uint64_t mask = validBits(steps);
  for (size_t n = 0; n < count; ++n)
    if (packed[n] & ~mask)
      return fail(Code::InvalidArgument,
                  label + formatted(": neuron %zu fires after step %u (T = %u)",
                                    n, steps - 1, steps));
  uint64_t spines = l.entry.input_offset + SF_DRAM_REGION_HEADER_SIZE;
  std::memset(data.data() + spines, 0,
              uint64_t(l.input.capacity) * l.input.spine_size);
  uint32_t stored = 0;
  for (size_t n = 0; n < count; ++n) {
    if (!packed[n])
      continue;
    uint8_t *at = data.data() + spines + uint64_t(stored++) * l.input.spine_size;
    uint32_t neuron = static_cast<uint32_t>(n);
    std::memcpy(at, &neuron, 4);
    std::memcpy(at + 4, &packed[n], (steps + 7) / 8);
  }
  l.input.count = stored;
  storeRegionHeader(l.entry.input_offset, l.input);
  return {};
}

Result Image::inputSpikes(size_t layer, float *out, size_t count) const {
  if (Result r = checkLayer(layer); !r.ok())
    return r;
  const Layer &l = layers[layer];
  const uint64_t neurons = l.inputNeurons;
  if (count != neurons * steps)
    return fail(Code::InvalidArgument,
                layerLabel(layer, l.name) +
                    formatted(": the spike tensor [T=%u, %" PRIu64
                              "] has %" PRIu64 " elements, not %zu",
                              steps, neurons, neurons * steps, count));
  std::fill(out, out + count, 0.0f);
  for (uint32_t s = 0; s < l.input.count; ++s) {
    Spine spine;
    if (Result r = loadSpine(l.input, l.entry.input_offset, s, spine);
        !r.ok())
      return r;
    for (uint32_t t = 0; t < steps; ++t)
      if (spine.bits >> t & 1)
        out[t * neurons + spine.neuron] = 1.0f;
  }
  return {};
}

//===----------------------------------------------------------------------===//
// Memory map
//===----------------------------------------------------------------------===//

std::string Image::mapText() const {
  sf_dram_header_t h;
  std::memcpy(&h, data.data(), sizeof h);
  std::string out = formatted(
      "DRAM image %u.%u: %zu layers, T = %u, %zu bytes, spines of %u bytes\n",
      h.version_major, h.version_minor, layers.size(), steps, data.size(),
      sf_dram_spine_size(steps));
  auto row = [&](uint64_t address, uint64_t size, const std::string &what) {
    out += formatted("0x%08" PRIx64 " %10" PRIu64 "  ", address, size) + what +
           "\n";
  };
  out += formatted("%-10s %10s  %s\n", "address", "bytes", "region");
  row(0, SF_DRAM_HEADER_SIZE, "header");
  row(h.directory_offset, uint64_t(h.layer_count) * SF_DRAM_LAYER_SIZE,
      formatted("layer directory: %u x %d bytes", h.layer_count,
                SF_DRAM_LAYER_SIZE));
  row(h.names_offset, h.names_size, "layer names");
  for (const Layer &l : layers) {
    const sf_dram_layer_t &e = l.entry;
    row(e.input_offset, e.input_size,
        l.name + formatted(" input spines: %" PRIu64 " neurons [%s], %u stored",
                           l.inputNeurons,
                           shapeText(e.input_shape, e.input_rank).c_str(),
                           l.input.count));
    row(e.weight_offset, uint64_t(l.tileCount) * e.tile_size,
        l.name + formatted(" weight tiles: %u x %u of [%ux%ux%ux%u] f32, "
                           "%" PRIu64 " bytes each (weights [%s])",
                           e.tile_grid[0], e.tile_grid[1], e.tile_shape[0],
                           e.tile_shape[1], e.weight_shape[2],
                           e.weight_shape[3], e.tile_size,
                           shapeText(e.weight_shape, 4).c_str()));
    row(e.output_offset, e.output_size,
        l.name + formatted(" output spines: %" PRIu64
                           " neurons [%s], write pointer %u",
                           l.outputNeurons,
                           shapeText(e.output_shape, e.output_rank).c_str(),
                           l.output.count));
  }
  return out;
}

std::string Image::mapJSON() const {
  sf_dram_header_t h;
  std::memcpy(&h, data.data(), sizeof h);
  auto list = [](const uint32_t *dims, uint32_t rank) {
    std::string text = "[";
    for (uint32_t d = 0; d < rank; ++d)
      text += (d ? ", " : "") + std::to_string(dims[d]);
    return text + "]";
  };
  std::string out = formatted(
      "{\"version\": \"%u.%u\", \"timesteps\": %u, \"size\": %zu, "
      "\"spine_size\": %u, \"directory\": %" PRIu64 ", \"layers\": [",
      h.version_major, h.version_minor, steps, data.size(),
      sf_dram_spine_size(steps), h.directory_offset);
  for (size_t i = 0; i < layers.size(); ++i) {
    const Layer &l = layers[i];
    const sf_dram_layer_t &e = l.entry;
    out += i ? ",\n  {\"name\": " : "\n  {\"name\": ";
    appendJSONString(out, l.name);
    out += formatted(", \"kind\": \"%s\", \"groups\": %u",
                     e.kind == SF_DRAM_CONV2D ? "conv2d" : "linear", e.groups);
    out += ", \"input\": {\"shape\": " + list(e.input_shape, e.input_rank) +
           formatted(", \"address\": %" PRIu64 ", \"size\": %" PRIu64
                     ", \"capacity\": %u, \"count\": %u}",
                     e.input_offset, e.input_size, l.input.capacity,
                     l.input.count);
    out += ", \"weights\": {\"shape\": " + list(e.weight_shape, 4) +
           ", \"tile\": " + list(e.tile_shape, 2) +
           ", \"grid\": " + list(e.tile_grid, 2) +
           formatted(", \"type\": \"f32\", \"address\": %" PRIu64
                     ", \"tile_size\": %" PRIu64 ", \"tiles\": %u}",
                     e.weight_offset, e.tile_size, l.tileCount);
    out += ", \"output\": {\"shape\": " + list(e.output_shape, e.output_rank) +
           formatted(", \"address\": %" PRIu64 ", \"size\": %" PRIu64
                     ", \"capacity\": %u, \"write_pointer\": %u}}",
                     e.output_offset, e.output_size, l.output.capacity,
                     l.output.count);
  }
  return out + "\n]}\n";
}
