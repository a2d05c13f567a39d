//===- SpikeCoreSimulatorTest.cpp - the SpikeCore simulator ---------------===//
//
// Part of SparseFlow.
//
// Hand-assembled layers: the simulator's arithmetic, its counters, and the
// validation of a layer's cores and routine against the target.
//
//===----------------------------------------------------------------------===//

#include "backends/spikecore/Simulator.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

using namespace sparseflow;
using namespace sparseflow::runtime::simulator;
namespace isa = sparseflow::spikecore;

namespace {

std::vector<Instruction> routine(const char *text) {
  std::vector<uint32_t> words;
  std::string error;
  EXPECT_TRUE(isa::assemble(text, words, error)) << error;
  std::vector<Instruction> decoded;
  for (size_t pos = 0; pos < words.size();) {
    Instruction inst;
    EXPECT_TRUE(isa::decode(words.data(), words.size(), pos, inst, error));
    decoded.push_back(inst);
  }
  return decoded;
}

/// A layer of `neurons` neurons, one per core, with fan-in 3 and the
/// weights `w[neuron][axon]` (one-byte rows, stride 1).
struct OneNeuronPerCore {
  OneNeuronPerCore(std::vector<std::vector<int8_t>> w, const char *text,
                   sfa::SpikeCoreOutput output) {
    layer.fanIn = 3;
    layer.neurons = static_cast<uint32_t>(w.size());
    layer.neuronsPerCore = 1;
    layer.output = output;
    layer.scales = {0.5};
    layer.routine = routine(text);
    for (uint32_t i = 0; i < layer.neurons; ++i)
      memories.emplace_back(w[i].begin(), w[i].end());
    for (uint32_t i = 0; i < layer.neurons; ++i)
      layer.cores.push_back({i, 1, reinterpret_cast<uint8_t *>(memories[i].data()),
                             memories[i].size()});
    scratch.reserve(layer);
  }
  std::vector<std::vector<int8_t>> memories;
  Layer layer;
  Scratch scratch;
};

TEST(SpikeCoreSimulator, SpikingLayerCountsEventsTimesFanOut) {
  OneNeuronPerCore net({{1, 2, 3}, {-1, 4, 0}},
                       "ACC base=0\nFIRE thr=4 reset=soft\nHALT\n",
                       sfa::SpikeCoreOutput::Spikes);
  // One sample, T = 3: axon 0 fires at t = 0, 2; axon 1 at t = 1, 2.
  uint64_t input[3] = {0b101, 0b110, 0b000};
  uint64_t output[2] = {};
  LayerIO io{input, true, 1, output, 1, 3};
  sf_spikecore_profile_t profile{};
  uint64_t coreSpikes[2] = {};
  std::vector<sf_spike_event_t> log;
  Costs cycles{1, 2, 3, 5, 7};
  runLayer(net.layer, io, cycles, nullptr, net.scratch, &profile, coreSpikes,
           &log, 9);
  // Neuron 0: V = 1, 1+2 = 3, 3+1+2 = 6 -> fires at t = 2 (soft: V = 2).
  // Neuron 1: V = -1, -1+4 = 3, 3-1+4 = 6 -> fires at t = 2.
  EXPECT_EQ(output[0], 0b100u);
  EXPECT_EQ(output[1], 0b100u);
  // 4 input events, each read by both one-neuron cores.
  EXPECT_EQ(profile.acc_events, 8u);
  EXPECT_EQ(profile.acc_ops, 8u);
  EXPECT_EQ(profile.fire_ops, 6u);
  EXPECT_EQ(profile.spikes, 2u);
  EXPECT_EQ(profile.instructions, 18u);
  EXPECT_EQ(coreSpikes[0], 1u);
  EXPECT_EQ(coreSpikes[1], 1u);
  // Per step the slowest core: 3 instructions + events * (2 + 3) + 5 per
  // neuron + 7 per spike: t0: 3+5+5, t1: 3+5+5, t2: 3+10+5+7.
  EXPECT_EQ(profile.cycles, 13u + 13u + 25u);
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0].op, 9u);
  EXPECT_EQ(log[0].step, 2u);
  EXPECT_EQ(log[1].neuron, 1u);
}

TEST(SpikeCoreSimulator, GradedOutputRoundsAndSaturationIsCounted) {
  OneNeuronPerCore net({{127, 127, 127}, {-128, -128, -128}},
                       "ACC base=0\nFIRE graded mul=1 shift=2\nHALT\n",
                       sfa::SpikeCoreOutput::Graded);
  // Graded input: payloads round(x / 0.5) -> 1, 3 (2.6 rounds half-even
  // from 5.2 = 5), clamped 255.
  net.layer.inputScale = 0.5;
  float input[3] = {0.5f, 2.6f, 1000.0f};
  float output[2] = {};
  LayerIO io{input, false, 1, output, 1, 1};
  sf_spikecore_profile_t profile{};
  runLayer(net.layer, io, Costs{}, nullptr, net.scratch, &profile, nullptr,
           nullptr, 0);
  EXPECT_EQ(profile.input_clamps, 1u);
  // Neuron 0: V = 127 * (1 + 5 + 255) = 33147; q = (33147 + 2) >> 2 = 8287
  // clamps to 255; its value is 255 * 0.5.
  EXPECT_EQ(output[0], 127.5f);
  // Neuron 1 is negative: no event.
  EXPECT_EQ(output[1], 0.0f);
  EXPECT_EQ(profile.spikes, 1u);
}

TEST(SpikeCoreSimulator, MembraneSaturatesAtInt32) {
  // The core memory holds one int32 bias near INT32_MAX; BIAS twice
  // overflows once.
  int32_t big = INT32_MAX - 10;
  std::vector<int8_t> bytes(4);
  std::memcpy(bytes.data(), &big, 4);
  OneNeuronPerCore net({bytes}, "BIAS base=0\nBIAS base=0\nOUT\nHALT\n",
                       sfa::SpikeCoreOutput::Readout);
  uint64_t input[3] = {};
  float output[1] = {};
  LayerIO io{input, true, 1, output, 1, 1};
  sf_spikecore_profile_t profile{};
  runLayer(net.layer, io, Costs{}, nullptr, net.scratch, &profile, nullptr,
           nullptr, 0);
  EXPECT_EQ(profile.saturations, 1u);
  EXPECT_EQ(output[0], static_cast<float>(INT32_MAX * 0.5));
}

/// Builds layer attributes and a target, and decodes them.
std::string decodeError(const char *text, uint32_t memoryBytes,
                        uint32_t targetCores = 4) {
  std::vector<uint32_t> words;
  std::string error;
  EXPECT_TRUE(isa::assemble(text, words, error)) << error;
  flatbuffers::FlatBufferBuilder fbb;
  std::vector<uint8_t> memory(memoryBytes, 0);
  std::vector<flatbuffers::Offset<sfa::SpikeCoreCore>> cores = {
      sfa::CreateSpikeCoreCoreDirect(fbb, 0, 2, &memory)};
  std::vector<double> scales = {1.0};
  auto attrs = sfa::CreateSpikeCoreLayerAttrsDirect(
      fbb, 3, 2, 2, 3, 1.0, sfa::SpikeCoreOutput::Spikes, &scales, &words,
      &cores);
  fbb.Finish(attrs);
  flatbuffers::FlatBufferBuilder tfbb;
  tfbb.Finish(sfa::CreateSpikeCoreTarget(
      tfbb, targetCores, 2, 64, sfa::CreateSpikeCoreCosts(tfbb, 1, 1, 1, 1, 1)));
  Layer layer;
  bool ok = decodeLayer(
      *flatbuffers::GetRoot<sfa::SpikeCoreLayerAttrs>(fbb.GetBufferPointer()),
      *flatbuffers::GetRoot<sfa::SpikeCoreTarget>(tfbb.GetBufferPointer()),
      layer, error);
  return ok ? "" : error;
}

TEST(SpikeCoreSimulator, DecodeChecksRoutineAgainstCoresAndTarget) {
  EXPECT_EQ(decodeError("ACC base=0\nFIRE thr=1\nHALT\n", 6), "");
  EXPECT_EQ(decodeError("ACC base=1\nFIRE thr=1\nHALT\n", 6),
            "routine word 0: reads bytes up to 7 of a 6-byte core memory");
  EXPECT_EQ(decodeError("ACC base=0\nFIRE thr=1\n", 6),
            "the routine does not end with HALT");
  EXPECT_EQ(decodeError("ACC base=0\nOUT\nHALT\n", 6),
            "routine word 2: OUT does not produce the layer's Spikes output");
  EXPECT_EQ(decodeError("HALT\nACC base=0\nFIRE thr=1\nHALT\n", 6),
            "routine word 0: HALT before the end of the routine");
  EXPECT_EQ(decodeError("ACC base=0\nFIRE thr=1\nHALT\n", 100),
            "core 0's memory image is missing or exceeds the 64 B of a core");
  EXPECT_EQ(decodeError("ACC base=0\nFIRE thr=1\nHALT\n", 6, 3),
            "cores 3..3 exceed the target's 3 cores");
}

} // namespace
