//===- Simulator.cpp - the SpikeCore simulator ----------------------------===//
//
// Part of SparseFlow.
//
//===----------------------------------------------------------------------===//

#include "backends/spikecore/Simulator.h"

#include "sparseflow/format/formatted.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

using namespace sparseflow;
using namespace sparseflow::runtime::simulator;
using sparseflow::spikecore::Opcode;
using sparseflow::spikecore::Reset;
using sparseflow::formatted;


bool runtime::simulator::decodeLayer(const sfa::SpikeCoreLayerAttrs &a,
                                     const sfa::SpikeCoreTarget &target,
                                     Layer &layer, std::string &error) {
  layer = Layer();
  layer.fanIn = a.fan_in();
  layer.neurons = a.neurons();
  layer.neuronsPerCore = a.neurons_per_core();
  layer.firstCore = a.first_core();
  layer.inputScale = a.input_scale();
  layer.output = a.output();
  const uint32_t n = layer.neuronsPerCore, m = layer.neurons;
  if (layer.fanIn == 0 || m == 0)
    return error = "a layer needs inputs and neurons", false;
  if (n == 0 || n > target.neurons_per_core())
    return error = formatted("%u neurons per core, the target allows 1 to %u",
                             n, target.neurons_per_core()),
           false;
  if (!(layer.inputScale > 0) || !std::isfinite(layer.inputScale))
    return error = "input_scale must be positive", false;
  if (layer.output > sfa::SpikeCoreOutput::Readout)
    return error = "unknown output kind", false;
  if (a.output_scales())
    layer.scales.assign(a.output_scales()->begin(), a.output_scales()->end());
  size_t scales = layer.scales.size();
  if ((layer.output == sfa::SpikeCoreOutput::Graded && scales != 1) ||
      (layer.output == sfa::SpikeCoreOutput::Readout && scales != 1 &&
       scales != m))
    return error = "output_scales must hold one value (graded) or one or one "
                   "per neuron (readout)",
           false;
  for (double s : layer.scales)
    if (!(s > 0) || !std::isfinite(s))
      return error = "output_scales must be positive", false;

  // Cores: neurons c*n .. , each memory image within the core's memory.
  uint32_t coreCount = (m + n - 1) / n;
  if (!a.cores() || a.cores()->size() != coreCount)
    return error = formatted("%u neurons at %u per core need %u cores, the "
                             "layer lists %u",
                             m, n, coreCount,
                             a.cores() ? a.cores()->size() : 0),
           false;
  if (uint64_t(layer.firstCore) + coreCount > target.cores())
    return error = formatted("cores %u..%u exceed the target's %u cores",
                             layer.firstCore, layer.firstCore + coreCount - 1,
                             target.cores()),
           false;
  for (uint32_t c = 0; c < coreCount; ++c) {
    const sfa::SpikeCoreCore *core = a.cores()->Get(c);
    uint32_t first = c * n;
    if (core->first_neuron() != first ||
        core->neurons() != std::min(n, m - first))
      return error = formatted("core %u must hold neurons %u..%u", c, first,
                               std::min(first + n, m) - 1),
             false;
    if (!core->memory() ||
        core->memory()->size() > target.memory_bytes_per_core())
      return error = formatted("core %u's memory image is missing or exceeds "
                               "the %u B of a core",
                               c, target.memory_bytes_per_core()),
             false;
    layer.cores.push_back({first, core->neurons(), core->memory()->data(),
                           core->memory()->size()});
  }

  // The routine: decodable, addresses inside every core's memory, one
  // output instruction matching the layer's output, HALT last.
  if (!a.routine() || a.routine()->size() == 0)
    return error = "missing routine", false;
  const uint32_t *words = a.routine()->data();
  size_t count = a.routine()->size();
  int outputs = 0;
  for (size_t pos = 0; pos < count;) {
    size_t at = pos;
    Instruction inst;
    if (!sparseflow::spikecore::decode(words, count, pos, inst, error))
      return error = "routine " + error, false;
    auto where = [&](const char *what) {
      return formatted("routine word %zu: %s", at, what);
    };
    for (const Core &core : layer.cores) {
      uint64_t end = 0;
      if (inst.opcode == Opcode::Acc)
        end = uint64_t(inst.address) + uint64_t(layer.fanIn - 1) * n +
              core.neurons;
      if (inst.opcode == Opcode::Bias)
        end = uint64_t(inst.address) + 4ull * core.neurons;
      if (end > core.memoryBytes)
        return error = where(formatted("reads bytes up to %llu of a %zu-byte "
                                       "core memory",
                                       (unsigned long long)end,
                                       core.memoryBytes)
                                 .c_str()),
               false;
    }
    if (inst.opcode == Opcode::Fire || inst.opcode == Opcode::Out) {
      ++outputs;
      bool matches =
          inst.opcode == Opcode::Out
              ? layer.output == sfa::SpikeCoreOutput::Readout
              : (inst.graded ? layer.output == sfa::SpikeCoreOutput::Graded
                             : layer.output == sfa::SpikeCoreOutput::Spikes);
      if (!matches)
        return error = where(formatted("%s does not produce the layer's %s "
                                       "output",
                                       inst.opcode == Opcode::Out ? "OUT"
                                                                  : "FIRE",
                                       sfa::EnumNameSpikeCoreOutput(
                                           layer.output))
                                 .c_str()),
               false;
    }
    if (inst.opcode == Opcode::Halt && pos != count)
      return error = where("HALT before the end of the routine"), false;
    layer.routine.push_back(inst);
  }
  if (layer.routine.back().opcode != Opcode::Halt)
    return error = "the routine does not end with HALT", false;
  if (outputs != 1)
    return error = formatted("the routine has %d output instructions (FIRE "
                             "or OUT), expected 1",
                             outputs),
           false;
  return true;
}

void Scratch::reserve(const Layer &layer) {
  size_t m = layer.neurons, k = layer.fanIn;
  membrane.resize(std::max(membrane.size(), m));
  readout.resize(std::max(readout.size(), m));
  emitted.resize(std::max(emitted.size(), m));
  events.reserve(std::max(events.capacity(), k));
}

namespace {

/// The core's work on one step; the counters are the profile's.
class CoreRun {
public:
  CoreRun(const Layer &layer, const Core &core, int32_t *membrane,
          sf_spikecore_profile_t &counters)
      : layer(layer), core(core), v(membrane + core.firstNeuron),
        counters(counters) {}

  /// Runs the routine; returns the core's cycles.
  double run(const std::vector<Event> &events, const Costs &cycles,
             int32_t *readout, uint8_t *emitted);

private:
  int32_t saturate(int64_t value) {
    if (value > INT32_MAX || value < INT32_MIN) {
      ++counters.saturations;
      return value > 0 ? INT32_MAX : INT32_MIN;
    }
    return static_cast<int32_t>(value);
  }

  const Layer &layer;
  const Core &core;
  int32_t *v;
  sf_spikecore_profile_t &counters;
};

double CoreRun::run(const std::vector<Event> &events, const Costs &cycles,
                    int32_t *readout, uint8_t *emitted) {
  const uint32_t count = core.neurons, stride = layer.neuronsPerCore;
  const double e = static_cast<double>(events.size());
  double spent = 0;
  for (const Instruction &inst : layer.routine) {
    spent += cycles.instruction;
    ++counters.instructions;
    switch (inst.opcode) {
    case Opcode::Nop:
      break;
    case Opcode::Acc:
      for (const Event &event : events) {
        const int8_t *w = reinterpret_cast<const int8_t *>(
            core.memory + inst.address + uint64_t(event.axon) * stride);
        for (uint32_t i = 0; i < count; ++i)
          v[i] = saturate(int64_t(v[i]) + int64_t(event.payload) * w[i]);
      }
      counters.acc_events += events.size();
      counters.acc_ops += events.size() * count;
      spent += e * cycles.accEvent + e * count * cycles.synapse;
      break;
    case Opcode::Bias:
      for (uint32_t i = 0; i < count; ++i) {
        int32_t b;
        std::memcpy(&b, core.memory + inst.address + 4 * i, 4);
        v[i] = saturate(int64_t(v[i]) + b);
      }
      counters.bias_ops += count;
      spent += count * cycles.neuron;
      break;
    case Opcode::Leak:
      for (uint32_t i = 0; i < count; ++i) {
        __int128 decay = (__int128(v[i]) - inst.vleak) * inst.mul;
        v[i] = saturate(int64_t(v[i]) - int64_t(decay >> inst.shift));
      }
      counters.leak_ops += count;
      spent += count * cycles.neuron;
      break;
    case Opcode::Fire: {
      uint64_t fired = 0;
      for (uint32_t i = 0; i < count; ++i) {
        if (inst.graded) {
          __int128 scaled = __int128(v[i]) * inst.mul;
          if (inst.shift)
            scaled += __int128(1) << (inst.shift - 1);
          scaled >>= inst.shift;
          int32_t q = static_cast<int32_t>(std::clamp<__int128>(
              scaled, 0, sparseflow::spikecore::kMaxPayload));
          emitted[core.firstNeuron + i] = static_cast<uint8_t>(q);
          fired += q > 0;
          v[i] = 0;
          continue;
        }
        bool spike = inst.greater ? v[i] > inst.threshold
                                  : v[i] >= inst.threshold;
        if (!spike)
          continue;
        emitted[core.firstNeuron + i] = 1;
        ++fired;
        if (inst.reset == Reset::Hard)
          v[i] = inst.vreset;
        else if (inst.reset == Reset::Soft)
          v[i] = saturate(int64_t(v[i]) - inst.threshold);
      }
      counters.fire_ops += count;
      counters.spikes += fired;
      spent += count * cycles.neuron + double(fired) * cycles.spike;
      break;
    }
    case Opcode::Out:
      for (uint32_t i = 0; i < count; ++i) {
        readout[core.firstNeuron + i] = v[i];
        v[i] = 0;
      }
      counters.out_ops += count;
      spent += count * cycles.neuron;
      break;
    case Opcode::Halt:
      return spent;
    }
  }
  return spent;
}

} // namespace

void runtime::simulator::runLayer(const Layer &layer, const LayerIO &io,
                                  const Costs &cycles, const Costs *energy,
                                  Scratch &scratch,
                                  sf_spikecore_profile_t *profile,
                                  uint64_t *coreSpikes,
                                  std::vector<sf_spike_event_t> *log,
                                  uint32_t opIndex) {
  const int64_t K = layer.fanIn, M = layer.neurons, N = io.batch;
  const int T = io.timesteps;
  sf_spikecore_profile_t counters{};
  int32_t *membrane = scratch.membrane.data();
  uint64_t *packedOut = static_cast<uint64_t *>(io.output);
  float *floatOut = static_cast<float *>(io.output);
  if (layer.output == sfa::SpikeCoreOutput::Spikes)
    std::memset(packedOut, 0, sizeof(uint64_t) * N * M);

  for (int64_t n = 0; n < N; ++n) {
    std::fill(membrane, membrane + M, 0);
    for (int t = 0; t < T; ++t) {
      // The step's input events: spikes, or graded payloads
      // round(x / input_scale) (ties to even) clamped to 0..255.
      std::vector<Event> &events = scratch.events;
      events.clear();
      if (io.packedInput) {
        const uint64_t *x = static_cast<const uint64_t *>(io.input) + n * K;
        for (int64_t a = 0; a < K; ++a)
          if (x[a] >> t & 1)
            events.push_back({static_cast<uint32_t>(a), 1});
      } else {
        const float *x = static_cast<const float *>(io.input) +
                         ((io.inputLead == 1 ? 0 : t) * N + n) * K;
        for (int64_t a = 0; a < K; ++a) {
          double q = std::nearbyint(double(x[a]) / layer.inputScale);
          if (q < 0 || q > sparseflow::spikecore::kMaxPayload) {
            ++counters.input_clamps;
            q = std::clamp<double>(q, 0, sparseflow::spikecore::kMaxPayload);
          }
          if (q > 0)
            events.push_back(
                {static_cast<uint32_t>(a), static_cast<int32_t>(q)});
        }
      }
      std::fill(scratch.emitted.begin(), scratch.emitted.begin() + M, 0);
      double stepCycles = 0;
      for (size_t c = 0; c < layer.cores.size(); ++c) {
        uint64_t before = counters.spikes;
        CoreRun core(layer, layer.cores[c], membrane, counters);
        stepCycles = std::max(stepCycles,
                              core.run(events, cycles, scratch.readout.data(),
                                       scratch.emitted.data()));
        if (coreSpikes)
          coreSpikes[c] += counters.spikes - before;
      }
      counters.cycles += static_cast<uint64_t>(std::llround(stepCycles));

      // Outputs of step t.
      for (int64_t j = 0; j < M; ++j) {
        uint8_t payload = scratch.emitted[j];
        switch (layer.output) {
        case sfa::SpikeCoreOutput::Spikes:
          packedOut[n * M + j] |= uint64_t(payload != 0) << t;
          break;
        case sfa::SpikeCoreOutput::Graded:
          floatOut[(t * N + n) * M + j] =
              static_cast<float>(payload * layer.scales[0]);
          break;
        case sfa::SpikeCoreOutput::Readout:
          floatOut[(t * N + n) * M + j] = static_cast<float>(
              scratch.readout[j] *
              layer.scales[layer.scales.size() == 1 ? 0 : j]);
          break;
        }
        if (log && payload)
          log->push_back({opIndex, static_cast<uint32_t>(n),
                          static_cast<uint32_t>(t), static_cast<uint32_t>(j),
                          payload});
      }
    }
  }
  if (!profile)
    return;
  if (energy)
    counters.energy_pj =
        counters.instructions * energy->instruction +
        counters.acc_events * energy->accEvent +
        counters.acc_ops * energy->synapse +
        (counters.leak_ops + counters.bias_ops + counters.fire_ops +
         counters.out_ops) *
            energy->neuron +
        counters.spikes * energy->spike;
  profile->cycles += counters.cycles;
  profile->instructions += counters.instructions;
  profile->acc_events += counters.acc_events;
  profile->acc_ops += counters.acc_ops;
  profile->leak_ops += counters.leak_ops;
  profile->bias_ops += counters.bias_ops;
  profile->fire_ops += counters.fire_ops;
  profile->out_ops += counters.out_ops;
  profile->spikes += counters.spikes;
  profile->saturations += counters.saturations;
  profile->input_clamps += counters.input_clamps;
  if (energy)
    profile->energy_pj += counters.energy_pj;
}
