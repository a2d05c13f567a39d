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

#include "sparseflow/Compiler/HardwareLayers.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"

#include <array>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sparseflow::hw {

/// ZigZag's operand names: I1 the input activations, I2 the weights, O the
/// outputs (partial sums, then the layer's result).
enum Operand { I1 = 0, I2 = 1, O = 2 };
constexpr size_t kOperands = 3;
llvm::StringRef operandName(Operand operand);
/// "inputs", "weights", "outputs".
llvm::StringRef operandMeaning(Operand operand);

/// One memory level. ZigZag describes one instance; a level serving fewer
/// PE-array dimensions than the array has is replicated (`instances`), and
/// the totals below count all instances.
struct MemoryLevel {
  std::string name;
  double instances = 1;
  double sizeBits = 0;
  /// Bits per cycle.
  double readBandwidth = 0, writeBandwidth = 0;
  /// pJ per access of readBandwidth / writeBandwidth bits.
  double readCost = 0, writeCost = 0;
  double latency = 0;
  std::array<bool, kOperands> holds{};
};

struct Accelerator {
  std::string name;
  /// Innermost first, as in ZigZag files.
  std::vector<MemoryLevel> levels;
  /// pJ per operation (an accumulate or a neuron update).
  double unitEnergy = 0;
  int64_t processingElements = 1;
  /// Bits of a weight (I2), of a partial sum (O) and of a graded input
  /// value (I1 that is not spikes). `operand_precision` sets them.
  double weightBits = 8, psumBits = 16, inputBits = 8;

  /// Parses an accelerator file; errors go to `errors` with the file, line
  /// and column of the offending key (`name` names the buffer).
  static std::optional<Accelerator> parse(llvm::StringRef yaml,
                                          llvm::StringRef name,
                                          llvm::raw_ostream &errors);
  /// The levels holding `operand`, innermost first.
  std::vector<size_t> chain(Operand operand) const;
};

/// The activity of one layer's input, per sample.
struct Activity {
  /// Spikes per neuron and step.
  double density = 1;
  /// Neurons that fire at least once.
  double activeNeurons = 1;
  /// Weight tiles whose input block holds a spike.
  double activeTiles = 1;
};

/// Measured activity from `sf-run --profile-json`: by layer name.
struct Profile {
  int64_t timesteps = 0;
  struct Entry {
    std::string op;
    bool spikeInput = false;
    double density = 0, activeNeurons = 0, activeBlocks = 0;
    int64_t blockSize = 0;
  };
  std::map<std::string, std::vector<Entry>> layers;

  static std::optional<Profile> parse(llvm::StringRef json,
                                      llvm::StringRef name,
                                      llvm::raw_ostream &errors);
};

/// Bits moved at one memory level for one operand, and their cost.
struct Traffic {
  double readBits = 0, writeBits = 0;
  double energy = 0, cycles = 0;

  Traffic &operator+=(const Traffic &other) {
    readBits += other.readBits;
    writeBits += other.writeBits;
    energy += other.energy;
    cycles += other.cycles;
    return *this;
  }
};

struct LayerCost {
  std::string name;
  bool spikeInput = false;
  Activity activity;
  double accumulates = 0, neuronUpdates = 0, weightReads = 0;
  /// [level][operand].
  std::vector<std::array<Traffic, kOperands>> traffic;
  double computeEnergy = 0, computeCycles = 0;
  double energy = 0, cycles = 0;
  /// The resource that bounds the latency: "compute" or a level's name.
  std::string bound;
};

struct Estimate {
  std::string accelerator, activitySource;
  int64_t timesteps = 0;
  std::vector<std::string> levelNames;
  std::vector<LayerCost> layers;
  /// Sums over layers: [level][operand], and the totals.
  std::vector<std::array<Traffic, kOperands>> traffic;
  double computeEnergy = 0, energy = 0, cycles = 0;

  void printText(llvm::raw_ostream &os) const;
  void printJSON(llvm::raw_ostream &os) const;
};

/// Where activity comes from: a measured profile, else a stated density.
struct ActivityOptions {
  const Profile *profile = nullptr;
  std::optional<double> density;
  std::string source;
};

/// Estimates `layers` on `accelerator`. Capacity violations and missing
/// activity are all reported to `errors` (one line each, naming the layer,
/// the operand, the level and the sizes); returns nothing then.
std::optional<Estimate> estimate(const std::vector<HardwareLayer> &layers,
                                 int64_t timesteps,
                                 const Accelerator &accelerator,
                                 const ActivityOptions &activity,
                                 llvm::raw_ostream &errors);

} // namespace sparseflow::hw

#endif // SPARSEFLOW_COMPILER_COSTMODEL_H
