//===- CostModel.h - activity-aware energy and latency estimates -*- C++ -*-===//
//
// Part of SparseFlow.
//
// An accelerator description in the vocabulary of ZigZag's accelerator files
// (memory levels with size, bandwidth, access energy, latency and the
// operands they hold; a PE array) plus the spike activity a run measured
// (sf-run --profile-json) or a density the user states gives, per layer and
// in total, energy in pJ and latency in cycles, broken down per memory level
// and operand, for the event-driven dataflow of docs/hardware-modelling.md.
// Capacity checks name the layer, the operand, the level and the sizes.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEFLOW_COMPILER_COSTMODEL_H
#define SPARSEFLOW_COMPILER_COSTMODEL_H

#include "sparseflow/Compiler/Accelerator.h"
#include "sparseflow/Compiler/HardwareLayers.h"
#include "sparseflow/Compiler/Mapping.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"

#include <array>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sparseflow::hw {

/// The activity of one layer's input, per sample.
struct Activity {
  /// Spikes per neuron and step.
  double density = 1;
  /// Neurons that fire at least once.
  double activeNeurons = 1;
};

/// Measured activity from `sf-run --profile-json`: by layer name.
struct Profile {
  int64_t timesteps = 0;
  struct Entry {
    std::string op;
    bool spikeInput = false;
    double density = 0, activeNeurons = 0;
  };
  std::map<std::string, std::vector<Entry>> layers;

  static std::optional<Profile> parse(llvm::StringRef json,
                                      llvm::StringRef name,
                                      llvm::raw_ostream &errors);
};

struct LayerCost {
  std::string name;
  bool spikeInput = false;
  Activity activity;
  double accumulates = 0, neuronUpdates = 0, weightReads = 0;
  /// The mapping the search chose for the dense layer.
  Mapping mapping;
  /// [level][operand].
  std::vector<std::array<Traffic, kOperands>> traffic;
  double computeEnergy = 0, computeCycles = 0;
  double energy = 0, cycles = 0;
  /// The resource that bounds the latency: "compute" or a level's name.
  std::string bound;
};

struct Estimate {
  std::string accelerator, activitySource;
  Objective objective = Objective::Energy;
  /// The activity the mappings were chosen for.
  std::string mappingActivity;
  std::vector<std::string> dimensions;
  int64_t timesteps = 0;
  std::vector<std::string> levelNames;
  std::vector<LayerCost> layers;
  /// Sums over layers: [level][operand], and the totals.
  std::vector<std::array<Traffic, kOperands>> traffic;
  double computeEnergy = 0, energy = 0, cycles = 0;

  void printText(llvm::raw_ostream &os) const;
  void printJSON(llvm::raw_ostream &os) const;
};

/// Where activity comes from (a measured profile, else a stated density)
/// and what the mapping search minimises.
struct EstimateOptions {
  const Profile *profile = nullptr;
  std::optional<double> density;
  std::string source;
  Objective objective = Objective::Energy;
  /// Choose each layer's mapping for this density rather than for the
  /// activity above (1: the dense layer), so that one mapping is evaluated
  /// under several activities.
  std::optional<double> mappingDensity;
};

/// Estimates `layers` on `accelerator`: for each layer the mapping search
/// picks a mapping of the dense layer, then the activity scales its
/// traffic. Capacity violations, layers no mapping fits and missing
/// activity are all reported to `errors` (one line each, naming the layer,
/// the operand, the level and the sizes); returns nothing then.
std::optional<Estimate> estimate(const std::vector<HardwareLayer> &layers,
                                 int64_t timesteps,
                                 const Accelerator &accelerator,
                                 const EstimateOptions &options,
                                 llvm::raw_ostream &errors);

} // namespace sparseflow::hw

#endif // SPARSEFLOW_COMPILER_COSTMODEL_H
