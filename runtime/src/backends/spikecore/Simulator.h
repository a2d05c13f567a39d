//===- Simulator.h - the SpikeCore simulator --------------------*- C++ -*-===//
//
// Part of SparseFlow.
//
// Executes a SpikeCore layer's binary routine on each of its cores, event by
// event, with the instruction semantics of docs/spikecore-isa.md, and counts
// the work (instructions, events, synaptic updates, cycles, energy).
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEFLOW_RUNTIME_BACKENDS_SPIKECORE_SIMULATOR_H
#define SPARSEFLOW_RUNTIME_BACKENDS_SPIKECORE_SIMULATOR_H

#include "sparseflow/format/sfa_generated.h"
#include "sparseflow/format/spikecore_isa.h"
#include "sparseflow/runtime/api.h"

#include <cstdint>
#include <string>
#include <vector>

namespace sparseflow::runtime::simulator {

using sparseflow::spikecore::Instruction;

struct Costs {
  double instruction = 0, accEvent = 0, synapse = 0, neuron = 0, spike = 0;
};

/// One core: neurons [firstNeuron, firstNeuron + neurons) of its layer.
struct Core {
  uint32_t firstNeuron = 0, neurons = 0;
  const uint8_t *memory = nullptr; // into the artifact
  size_t memoryBytes = 0;
};

/// A validated, decoded SpikeCore layer.
struct Layer {
  uint32_t fanIn = 0, neurons = 0, neuronsPerCore = 0, firstCore = 0;
  double inputScale = 1;
  sfa::SpikeCoreOutput output = sfa::SpikeCoreOutput::Spikes;
  std::vector<double> scales;
  std::vector<Instruction> routine;
  std::vector<Core> cores;
};

/// Checks `attrs` against the target (core count, neurons and memory per
/// core) and the routine against every core's memory, and decodes them.
/// On failure `error` says what is wrong.
bool decodeLayer(const sfa::SpikeCoreLayerAttrs &attrs,
                 const sfa::SpikeCoreTarget &target, Layer &layer,
                 std::string &error);

/// An input event: axon and payload.
struct Event {
  uint32_t axon;
  int32_t payload;
};

/// Per-session working memory, sized by `reserve` for the largest layer.
struct Scratch {
  std::vector<int32_t> membrane;
  std::vector<Event> events;     // one step's events
  std::vector<int32_t> readout;  // OUT's values, one step
  std::vector<uint8_t> emitted;  // FIRE's payloads, one step (0: none)
  void reserve(const Layer &layer);
};

/// Where a layer's input comes from and its output goes to.
struct LayerIO {
  /// PackedSpikes [N][K] words, or graded float32 [lead][N][K].
  const void *input;
  bool packedInput;
  int64_t inputLead; // 1 or T copies of a float input
  /// PackedSpikes [N][M] words, or float32 [T][N][M].
  void *output;
  int64_t batch;
  int timesteps;
};

/// Runs `layer` over all samples and steps (membranes start at 0 for each
/// sample). Adds the work to `profile` (when given) and appends every
/// emitted event to `log` (when given) tagged with `opIndex`.
void runLayer(const Layer &layer, const LayerIO &io, const Costs &cycles,
              const Costs *energy, Scratch &scratch,
              sf_spikecore_profile_t *profile, uint64_t *coreSpikes,
              std::vector<sf_spike_event_t> *log, uint32_t opIndex);

} // namespace sparseflow::runtime::simulator

#endif // SPARSEFLOW_RUNTIME_BACKENDS_SPIKECORE_SIMULATOR_H
