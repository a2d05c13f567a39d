//===- Mapping.h - mapping search for the cost model -------------*- C++
//-*-===//
//
// Part of SparseFlow.
//
// A layer is a loop nest over G (groups), B (the T timesteps of the
// temporal-parallel schedule), K, C, OY, OX, FY, FX. A mapping unrolls some
// loops across the PE array's dimensions (spatial) and orders the rest
// (temporal); each memory level holds the operand tiles of the innermost
// temporal loops that fit in it. The search tries the spatial unrollings
// with the best utilisation and every order of the loops' prime factors,
// and keeps the mapping with the least energy, latency or energy-delay
// product of the dense layer (docs/hardware-modelling.md).
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEFLOW_COMPILER_MAPPING_H
#define SPARSEFLOW_COMPILER_MAPPING_H

#include "sparseflow/Compiler/Accelerator.h"
#include "sparseflow/Compiler/HardwareLayers.h"

#include "llvm/ADT/StringRef.h"

#include <array>
#include <optional>
#include <string>
#include <vector>

namespace sparseflow::hw {

enum LoopDim { G = 0, B, K, C, OY, OX, FY, FX };
constexpr size_t kLoopDims = 8;
llvm::StringRef loopDimName(LoopDim dim);

/// A layer as a loop nest, with the bits of its operands.
struct LoopNest {
  std::array<int64_t, kLoopDims> size{};
  int64_t strideY = 1, strideX = 1;
  /// Input rows and columns (with padding taken off at the borders).
  int64_t inputY = 1, inputX = 1;
  /// Bits of an input, a weight, a partial sum and a result.
  double inputBits = 8, weightBits = 8, psumBits = 16, resultBits = 16;

  static LoopNest of(const HardwareLayer &layer, int64_t timesteps,
                     const Accelerator &acc);
  /// Multiply-accumulates of the whole nest.
  double macs() const;
};

struct Loop {
  LoopDim dim;
  int64_t size;
};

enum class Objective { Energy, Latency, EnergyDelay };
llvm::StringRef objectiveName(Objective objective);

/// What the activity of a layer's input does to one term of the dense
/// traffic (docs/hardware-modelling.md, "Spike activity").
enum class ActivityKind {
  /// Moves whatever the input does (results, graded data).
  None,
  /// Needed only when some of `neurons` input neurons spike in `steps`
  /// steps: a partial-sum update (one per spike without a spatial
  /// reduction), a weight tile, a partial-sum spill, a PE-array cycle.
  AnySpike,
  /// Input spikes: stored as spines (T bits and an index) when that is
  /// smaller than the dense bitmap.
  Spines,
};

/// One term of a level's traffic for one operand in the dense layer.
struct Transfer {
  size_t level;
  Operand operand;
  bool write;
  double bits, accesses;
  ActivityKind activity = ActivityKind::None;
  /// For AnySpike: the input neurons and steps one transfer depends on.
  double neurons = 1, steps = 1;
};

struct Mapping {
  /// Per array dimension: the loop unrolled on it (size 1: none).
  std::vector<Loop> spatial;
  /// Temporal loops, innermost first.
  std::vector<Loop> temporal;
  /// [level][operand]: how many temporal loops (innermost first) run inside
  /// the level for that operand; -1 where the level does not hold it.
  std::vector<std::array<int, kOperands>> inside;
  /// Per level: the instances the unrolling uses.
  std::vector<double> activeInstances;
  double utilisation = 0;
  /// Under the activity it was chosen for.
  double energy = 0, cycles = 0;
  /// The dense layer's traffic, compute cycles and the input footprint of
  /// one PE-array cycle (for the activity of the compute).
  std::vector<Transfer> transfers;
  double computeCycles = 0, cycleNeurons = 1, cycleSteps = 1;
  /// Fill and drain before and after the loops, in cycles.
  double onloadCycles = 0, offloadCycles = 0;
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

/// The memory side of a mapping's cost.
struct MappingCost {
  /// [level][operand].
  std::vector<std::array<Traffic, kOperands>> traffic;
  /// Memory energy.
  double energy = 0;
  double computeCycles = 0, cycles = 0;
  /// The level that bounds the latency; none: the compute.
  std::optional<size_t> bound;
};

/// The activity of a layer's input and what it does to each term of the
/// dense traffic (docs/hardware-modelling.md, "Spike activity"). The
/// default is a graded input: nothing scales.
struct InputActivity {
  bool spikes = false;
  /// Spikes per neuron and step; neurons that fire in some step.
  double density = 1, activeNeurons = 1;
  double timesteps = 1;
  /// Spines (T bits and an index per active neuron) over the dense bitmap
  /// (T bits per neuron), at most 1.
  double spines = 1;

  /// The chance that some of `neurons` input neurons spike in `steps`
  /// steps, assuming independent spikes.
  double anySpike(double neurons, double steps) const;
  /// The fraction of transfer `t` that the activity leaves.
  double scale(const Transfer &t) const;
};

/// The memory energy and the latency of `mapping` under `activity`. The
/// latency is the slowest of the compute (the PE-array cycles in which some
/// input spikes, with the fill before and the drain after) and each level's
/// ports (every instance moving its share), plus the latency of each level
/// used.
MappingCost costOf(const Mapping &mapping, const Accelerator &acc,
                   const InputActivity &activity);

/// The best mapping of `nest` on `acc` for `objective` under `activity`,
/// or the reason no mapping fits (naming the level and operand).
std::optional<Mapping>
searchMapping(const LoopNest &nest, const Accelerator &acc, Objective objective,
              const InputActivity &activity, std::string &why);

} // namespace sparseflow::hw

#endif // SPARSEFLOW_COMPILER_MAPPING_H
