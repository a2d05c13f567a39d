//===- CostModel.cpp - activity-aware energy and latency estimates --------===//
//
// Part of SparseFlow.
//
// Per layer (docs/hardware-modelling.md): the mapping search chooses how the
// dense layer runs on the accelerator (Mapping.cpp); the activity of the
// layer's input then scales each term of that mapping's traffic and the
// compute, so that the work follows the spikes: a partial sum is updated
// per spike, a weight tile or a spill is needed only when its inputs hold a
// spike, input spikes travel as spines when that is smaller. Each operand's
// top-level home must hold it whole.
//
//===----------------------------------------------------------------------===//

#include "sparseflow/Compiler/CostModel.h"
#include "sparseflow/Support/InputLimits.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"

#include <algorithm>
#include <cmath>

using namespace llvm;
using namespace sparseflow;
using namespace sparseflow::hw;

//===----------------------------------------------------------------------===//
// Profiles
//===----------------------------------------------------------------------===//

std::optional<Profile> Profile::parse(StringRef text, StringRef name,
                                      raw_ostream &errors) {
  Expected<json::Value> value = parseJSONInput(text);
  if (!value) {
    errors << name << ": " << toString(value.takeError()) << "\n";
    return std::nullopt;
  }
  Profile profile;
  const json::Object *root = value->getAsObject();
  const json::Array *layers = root ? root->getArray("layers") : nullptr;
  std::optional<int64_t> timesteps =
      root ? root->getInteger("timesteps") : std::nullopt;
  if (!layers || !timesteps) {
    errors << name << ": expected the JSON of sf-run --profile-json, an "
                      "object with \"timesteps\" and \"layers\"\n";
    return std::nullopt;
  }
  profile.timesteps = *timesteps;
  for (auto [index, layer] : llvm::enumerate(*layers)) {
    const json::Object *o = layer.getAsObject();
    std::optional<StringRef> layerName = o ? o->getString("name") : std::nullopt;
    std::optional<StringRef> op = o ? o->getString("op") : std::nullopt;
    if (!layerName || !op) {
      errors << name << ": layers[" << index << "] lacks \"name\" or \"op\"\n";
      return std::nullopt;
    }
    Entry entry;
    entry.op = op->str();
    entry.spikeInput = o->getBoolean("spike_input").value_or(false);
    if (entry.spikeInput) {
      std::optional<double> density = o->getNumber("spike_density"),
                            silent = o->getNumber("silent_neuron_fraction");
      if (!density || !silent) {
        errors << name << ": layers[" << index << "] ('" << *layerName
               << "') reads spikes but lacks spike_density or "
                  "silent_neuron_fraction\n";
        return std::nullopt;
      }
      entry.density = *density;
      entry.activeNeurons = 1 - *silent;
    }
    profile.layers[layerName->str()].push_back(std::move(entry));
  }
  return profile;
}

//===----------------------------------------------------------------------===//
// The model
//===----------------------------------------------------------------------===//

namespace {

std::string bitsText(double bits) {
  return formatv("{0:F0} bits", bits).str();
}

/// What a layer keeps at each operand's top-level home: the whole operand.
struct Homes {
  std::array<double, kOperands> bits{};
  std::array<std::string, kOperands> text;
};

Homes homesOf(const HardwareLayer &l, int64_t T, const Accelerator &acc,
              double modelWeightBits) {
  Homes h;
  h.bits[I1] = double(l.inputNeurons) * T * (l.spikeInput ? 1 : acc.inputBits);
  h.text[I1] = formatv("the {0}-neuron input tensor over T = {1} (the "
                       "inter-layer tensor)",
                       l.inputNeurons, T);
  h.bits[I2] = modelWeightBits;
  h.text[I2] = "every layer's weights";
  h.bits[O] =
      double(l.outputNeurons) * T * (l.spikingOutput ? 1 : acc.psumBits);
  h.text[O] = formatv("the {0}-neuron output tensor over T = {1} (the "
                      "inter-layer tensor)",
                      l.outputNeurons, T);
  return h;
}

/// Checks that each operand's top-level home holds it whole: the model's
/// weights, and the inter-layer tensors around the layer. (The mapping
/// search places the tiles below.) One error line per overfull level.
bool checkHomes(const HardwareLayer &l, const Homes &h, const Accelerator &acc,
                raw_ostream &errors) {
  bool ok = true;
  for (size_t level = 0; level < acc.levels.size(); ++level) {
    const MemoryLevel &m = acc.levels[level];
    double size = m.sizeBits * double(m.instances);
    double needed = 0, weightBits = 0, interLayerBits = 0;
    std::string parts;
    for (Operand operand : {I1, I2, O}) {
      if (acc.chain(operand).back() != level)
        continue;
      needed += h.bits[operand];
      parts += formatv("{0}{1} ({2}) at its top-level home: {3}, {4}",
                       parts.empty() ? "" : "; ", operandName(operand),
                       operandMeaning(operand), h.text[operand],
                       bitsText(h.bits[operand]))
                   .str();
      (operand == I2 ? weightBits : interLayerBits) += h.bits[operand];
    }
    if (needed <= size)
      continue;
    ok = false;
    errors << "error: layer '" << l.name << "': memory level '" << m.name
           << "' (" << bitsText(size) << ") cannot hold " << parts << " -- "
           << bitsText(needed) << " in all";
    bool weightsAlone = weightBits > size;
    if (weightsAlone)
      errors << "; the model's weights alone do not fit: give I2 a larger "
                "level above (e.g. a DRAM)";
    if (interLayerBits > (weightsAlone ? size : size - weightBits))
      errors << "; the inter-layer tensors have no room: give I1 and O a "
                "larger level above (e.g. a DRAM)";
    errors << "\n";
  }
  return ok;
}

/// The activity of `l`'s input as the mapping model uses it.
InputActivity inputActivity(const HardwareLayer &l, const Activity &a,
                            int64_t T) {
  InputActivity in;
  in.spikes = l.spikeInput;
  in.density = a.density;
  in.activeNeurons = a.activeNeurons;
  in.timesteps = double(T);
  // A spine: T bits and the neuron's index.
  double index = std::ceil(std::log2(std::max(double(l.inputNeurons), 2.0)));
  in.spines = std::min(1.0, a.activeNeurons * (T + index) / T);
  return in;
}

LayerCost layerCost(const HardwareLayer &l, const Activity &a, int64_t T,
                    const InputActivity &input, const LoopNest &nest,
                    Mapping mapping, const Accelerator &acc) {
  LayerCost c;
  c.name = l.name;
  c.spikeInput = l.spikeInput;
  c.activity = a;
  c.accumulates = nest.macs() * input.density;
  c.neuronUpdates = l.spikingOutput ? double(l.outputNeurons) * T : 0;
  MappingCost cost = hw::costOf(mapping, acc, input);
  c.traffic = std::move(cost.traffic);
  c.weightReads =
      c.traffic[acc.chain(I2).front()][I2].readBits / acc.weightBits;
  double operations = c.accumulates + c.neuronUpdates;
  c.computeEnergy = operations * acc.unitEnergy;
  c.computeCycles = cost.computeCycles;
  c.energy = c.computeEnergy + cost.energy;
  c.cycles = cost.cycles;
  c.bound = cost.bound ? acc.levels[*cost.bound].name : "compute";
  c.mapping = std::move(mapping);
  return c;
}

/// The activity of `l`'s input: measured, or from the stated density
/// assuming independent spikes.
std::optional<Activity> activityOf(const HardwareLayer &l, int64_t T,
                                   const EstimateOptions &options,
                                   std::map<std::string, size_t> &seen,
                                   raw_ostream &errors) {
  Activity a;
  if (!l.spikeInput)
    return a;
  if (options.profile) {
    auto it = options.profile->layers.find(l.name);
    size_t &next = seen[l.name];
    // The layer's op, alone or fused with the neurons it feeds.
    const std::string op = l.conv ? "Conv2d" : "Linear";
    const Profile::Entry *entry = nullptr;
    if (it != options.profile->layers.end())
      for (; next < it->second.size() && !entry; ++next)
        if (it->second[next].op == op || it->second[next].op == op + "LIF")
          entry = &it->second[next];
    if (!entry) {
      errors << "error: the profile has no " << op << " layer '" << l.name
             << "': profile a run of this model (sf-run --profile-json)\n";
      return std::nullopt;
    }
    if (!entry->spikeInput) {
      errors << "error: the profile's layer '" << l.name
             << "' has no spike counters: its artifact read the spikes "
                "unpacked; compile with the sparse kernels (the default)\n";
      return std::nullopt;
    }
    a.density = entry->density;
    a.activeNeurons = entry->activeNeurons;
    return a;
  }
  a.density = *options.density;
  a.activeNeurons = 1 - std::pow(1 - a.density, double(T));
  return a;
}

} // namespace

std::optional<Estimate> hw::estimate(const std::vector<HardwareLayer> &layers,
                                     int64_t timesteps, const Accelerator &acc,
                                     const EstimateOptions &options,
                                     raw_ostream &errors) {
  if (options.profile && options.profile->timesteps != timesteps) {
    errors << "error: the profile was measured with T = "
           << options.profile->timesteps << ", the model runs T = "
           << timesteps << "\n";
    return std::nullopt;
  }
  Estimate e;
  e.accelerator = acc.name;
  e.activitySource = options.source;
  e.objective = options.objective;
  e.mappingActivity =
      options.mappingDensity
          ? formatv("density {0}", *options.mappingDensity).str()
          : "this activity";
  e.dimensions = acc.dimensions;
  e.timesteps = timesteps;
  for (const MemoryLevel &m : acc.levels)
    e.levelNames.push_back(m.name);
  e.traffic.resize(acc.levels.size());

  double modelWeightBits = 0;
  for (const HardwareLayer &l : layers)
    modelWeightBits += double(l.weights) * acc.weightBits;
  bool ok = true;
  std::map<std::string, size_t> seen;
  for (const HardwareLayer &l : layers) {
    std::optional<Activity> a = activityOf(l, timesteps, options, seen, errors);
    if (!a) {
      ok = false;
      continue;
    }
    if (!checkHomes(l, homesOf(l, timesteps, acc, modelWeightBits), acc,
                    errors)) {
      ok = false;
      continue;
    }
    LoopNest nest = LoopNest::of(l, timesteps, acc);
    InputActivity input = inputActivity(l, *a, timesteps);
    InputActivity planned = input;
    if (options.mappingDensity) {
      Activity stated;
      stated.density = *options.mappingDensity;
      stated.activeNeurons =
          1 - std::pow(1 - stated.density, double(timesteps));
      planned = inputActivity(l, stated, timesteps);
    }
    std::string why;
    std::optional<Mapping> mapping =
        searchMapping(nest, acc, options.objective, planned, why);
    if (!mapping) {
      errors << "error: layer '" << l.name << "': no mapping fits: " << why
             << "\n";
      ok = false;
      continue;
    }
    LayerCost c =
        layerCost(l, *a, timesteps, input, nest, std::move(*mapping), acc);
    for (size_t level = 0; level < acc.levels.size(); ++level)
      for (size_t operand = 0; operand < kOperands; ++operand)
        e.traffic[level][operand] += c.traffic[level][operand];
    e.computeEnergy += c.computeEnergy;
    e.energy += c.energy;
    e.cycles += c.cycles;
    e.layers.push_back(std::move(c));
  }
  if (!ok)
    return std::nullopt;
  return e;
}
//===----------------------------------------------------------------------===//
// Printing
//===----------------------------------------------------------------------===//

namespace {

/// The level that holds `operand` while temporal loop `loop` (innermost
/// first) runs: the innermost one with that loop inside.
size_t levelOf(const Mapping &m, Operand operand, size_t loop) {
  for (size_t level = 0; level < m.inside.size(); ++level)
    if (m.inside[level][operand] > int(loop))
      return level;
  return m.inside.size() - 1;
}

std::string spatialText(const Mapping &m,
                        const std::vector<std::string> &dimensions) {
  std::string text;
  for (size_t d = 0; d < m.spatial.size(); ++d)
    text += formatv("{0}{1} {2} {3}", d ? ", " : "", dimensions[d],
                    m.spatial[d].size > 1 ? loopDimName(m.spatial[d].dim)
                                          : StringRef("-"),
                    m.spatial[d].size);
  return text;
}

} // namespace

void Estimate::printText(raw_ostream &os) const {
  os << "accelerator: " << accelerator << ", T = " << timesteps
     << ", activity: " << activitySource << "\n\n";
  os << formatv("{0,-24} {1,8} {2,7} {3,14} {4,14} {5,12}  {6}\n", "layer",
                "density", "active", "accumulates", "energy (pJ)", "cycles",
                "bound");
  for (const LayerCost &c : layers) {
    std::string density =
        c.spikeInput ? formatv("{0:F4}", c.activity.density).str() : "graded";
    os << formatv("{0,-24} {1,8} {2,7:F3} {3,14:F0} {4,14:F1} {5,12:F0}  {6}\n",
                  c.name, density, c.activity.activeNeurons, c.accumulates,
                  c.energy, c.cycles, c.bound);
  }
  os << formatv("{0,-24} {1,8} {2,7} {3,14} {4,14:F1} {5,12:F0}\n", "total", "",
                "", "", energy, cycles);
  os << "\nenergy (pJ) per memory level and operand:\n";
  os << formatv("{0,-16} {1,14} {2,14} {3,14} {4,14}\n", "level", "I1 inputs",
                "I2 weights", "O outputs", "total");
  for (size_t level = 0; level < levelNames.size(); ++level) {
    const auto &t = traffic[level];
    os << formatv("{0,-16} {1,14:F1} {2,14:F1} {3,14:F1} {4,14:F1}\n",
                  levelNames[level], t[I1].energy, t[I2].energy, t[O].energy,
                  t[I1].energy + t[I2].energy + t[O].energy);
  }
  os << formatv("{0,-16} {1,14} {2,14} {3,14} {4,14:F1}\n", "compute", "", "",
                "", computeEnergy);
  os << "\nmappings (least " << objectiveName(objective) << " for "
     << mappingActivity
     << "); temporal loops outermost first, with the level holding each "
        "operand:\n";
  for (const LayerCost &c : layers) {
    const Mapping &m = c.mapping;
    os << formatv("{0}: spatial {1}; utilisation {2:F1} %\n", c.name,
                  spatialText(m, dimensions), 100 * m.utilisation);
    os << formatv("  {0,-10} {1,-16} {2,-16} {3,-16}\n", "loop", "I1", "I2",
                  "O");
    for (size_t i = m.temporal.size(); i-- > 0;)
      os << formatv(
          "  {0,-10} {1,-16} {2,-16} {3,-16}\n",
          formatv("{0} {1}", loopDimName(m.temporal[i].dim), m.temporal[i].size)
              .str(),
          levelNames[levelOf(m, I1, i)], levelNames[levelOf(m, I2, i)],
          levelNames[levelOf(m, O, i)]);
  }
}

void Estimate::printJSON(raw_ostream &os) const {
  json::OStream j(os, 2);
  auto traffic = [&](const std::vector<std::array<Traffic, kOperands>> &t) {
    j.attributeArray("levels", [&] {
      for (size_t level = 0; level < levelNames.size(); ++level)
        j.object([&] {
          j.attribute("name", levelNames[level]);
          for (Operand operand : {I1, I2, O}) {
            const Traffic &x = t[level][operand];
            j.attributeObject(operandName(operand), [&] {
              j.attribute("read_bits", x.readBits);
              j.attribute("write_bits", x.writeBits);
              j.attribute("energy_pj", x.energy);
              j.attribute("cycles", x.cycles);
            });
          }
        });
    });
  };
  j.object([&] {
    j.attribute("accelerator", accelerator);
    j.attribute("timesteps", timesteps);
    j.attribute("activity", activitySource);
    j.attribute("optimize", objectiveName(objective));
    j.attribute("mappings_for", mappingActivity);
    j.attributeArray("layers", [&] {
      for (const LayerCost &c : layers)
        j.object([&] {
          j.attribute("name", c.name);
          j.attribute("spike_input", c.spikeInput);
          j.attribute("density", c.activity.density);
          j.attribute("active_neurons", c.activity.activeNeurons);
          j.attribute("accumulates", c.accumulates);
          j.attribute("neuron_updates", c.neuronUpdates);
          j.attribute("weight_reads", c.weightReads);
          j.attribute("compute_energy_pj", c.computeEnergy);
          j.attribute("energy_pj", c.energy);
          j.attribute("cycles", c.cycles);
          j.attribute("bound", c.bound);
          traffic(c.traffic);
          const Mapping &m = c.mapping;
          j.attributeObject("mapping", [&] {
            j.attributeArray("spatial", [&] {
              for (size_t d = 0; d < m.spatial.size(); ++d)
                j.object([&] {
                  j.attribute("dimension", dimensions[d]);
                  if (m.spatial[d].size > 1)
                    j.attribute("loop", loopDimName(m.spatial[d].dim));
                  else
                    j.attribute("loop", nullptr);
                  j.attribute("size", m.spatial[d].size);
                });
            });
            j.attribute("utilization", m.utilisation);
            j.attributeArray("temporal", [&] {
              for (size_t i = m.temporal.size(); i-- > 0;)
                j.object([&] {
                  j.attribute("loop", loopDimName(m.temporal[i].dim));
                  j.attribute("size", m.temporal[i].size);
                  for (Operand operand : {I1, I2, O})
                    j.attribute(operandName(operand),
                                levelNames[levelOf(m, operand, i)]);
                });
            });
            j.attribute("planned_energy_pj", m.energy);
            j.attribute("planned_cycles", m.cycles);
          });
        });
    });
    j.attributeObject("total", [&] {
      j.attribute("compute_energy_pj", computeEnergy);
      j.attribute("energy_pj", energy);
      j.attribute("cycles", cycles);
      traffic(this->traffic);
    });
  });
  os << "\n";
}
