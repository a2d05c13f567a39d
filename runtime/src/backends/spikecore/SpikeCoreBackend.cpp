//===- SpikeCoreBackend.cpp - SpikeCore layers in the simulator -----------===//
//
// Part of SparseFlow.
//
// The spikecore backend runs the ops the catalogue's SpikeCore column
// marks (SpikeCore layers) in the simulator, on the host's memory.
//
//===----------------------------------------------------------------------===//

#include "backends/spikecore/Simulator.h"
#include "core/Backend.h"
#include "core/Executor.h"

using namespace sparseflow;
using namespace sparseflow::runtime;

namespace {

sf_status_t runSpikeCoreLayer(const OpCall &call) {
  sf_session_t &s = call.session;
  const sf_model_t &m = *s.model;
  const OpDesc &op = call.op;
  const TensorDesc &x = m.tensors[op.inputs[0]];
  simulator::LayerIO io;
  io.input = s.tensorData[op.inputs[0]];
  io.packedInput = x.packed;
  io.inputLead = x.lead;
  io.output = s.tensorData[op.output];
  io.batch = x.shape[0];
  io.timesteps = m.timesteps;
  sf_layer_profile_t *profile =
      s.options.profile ? &s.profiles[call.index] : nullptr;
  simulator::runLayer(*op.spikecore, io, m.spikecoreCycles,
                      m.spikecoreEnergy ? &*m.spikecoreEnergy : nullptr,
                      s.spikecore, profile ? &profile->spikecore : nullptr,
                      profile ? s.coreSpikes.data() + op.spikecore->firstCore
                              : nullptr,
                      s.options.spike_log ? &s.spikeLog : nullptr,
                      static_cast<uint32_t>(call.index));
  return SF_OK;
}

const KernelTable kernels = {
#define SF_OP(Name, Value, InputsMin, InputsMax, ConstantsMin, ConstantsMax,   \
              Attrs, Dense, Sparse, Host, Gpu, SpikeCore)                      \
  SF_OP_IF(SpikeCore, &run##Name, nullptr),
#include "sparseflow/format/op_catalogue.def"
};

const std::string &available() {
  static const std::string none;
  return none;
}

} // namespace

const Backend &runtime::spikecoreBackend() {
  static const Backend backend{SF_BACKEND_SPIKECORE, sfa::Target::SpikeCore,
                               available, &kernels, nullptr, nullptr};
  return backend;
}
