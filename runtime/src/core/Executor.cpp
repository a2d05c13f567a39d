//===- Executor.cpp - sessions: memory, encoding, kernels, readout --------===//
//
// Part of SparseFlow.
//
// A run encodes the inputs into the arena, calls one kernel per plan op,
// looked up in the kernel table of the backend the session gave the op
// (core/Backend.h: host, cuda or spikecore; the temporal-parallel schedule:
// stateless ops see all T steps as one batch, neurons scan over t), and
// reduces the outputs over time. A tensor crosses between the host
// arena and its device mirror only where consecutive ops run on different
// sides. All memory was allocated when the session was created.
//
//===----------------------------------------------------------------------===//

#include "core/Executor.h"

#include "backends/host/HostKernels.h"
#include "core/OpDecode.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>

using namespace sparseflow;
using namespace sparseflow::runtime;

namespace {

/// Spike counters of a packed input for the profile.
void countSpikes(const uint64_t *bits, const TensorDesc &x, const OpDesc &op,
                 int timesteps, sf_layer_profile_t &p) {
  p.has_spike_input = 1;
  p.input_neurons += x.elements;
  for (int64_t i = 0; i < x.elements; ++i) {
    int fired = __builtin_popcountll(bits[i]);
    p.spikes += fired;
    p.silent_neurons += fired == 0;
    p.spike_histogram[std::min(fired, timesteps)] += 1;
  }
  int64_t b = op.op->block_size();
  if (b <= 0)
    return;
  if (convAttrs(*op.op)) {
    int64_t planes = x.shape[0] * x.shape[1], H = x.shape[2], W = x.shape[3];
    for (int64_t plane = 0; plane < planes; ++plane)
      for (int64_t by = 0; by < H; by += b)
        for (int64_t bx = 0; bx < W; bx += b) {
          p.blocks += 1;
          p.active_blocks += host::orTile(bits + plane * H * W, W, by,
                                          std::min(by + b, H), bx,
                                          std::min(bx + b, W)) != 0;
        }
  } else {
    int64_t K = x.shape.back(), rows = x.elements / K;
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t k0 = 0; k0 < K; k0 += b) {
        p.blocks += 1;
        p.active_blocks +=
            host::orTile(bits + r * K, K, 0, 1, k0, std::min(k0 + b, K)) != 0;
      }
  }
}

/// Keeps the spikes `op` reads, packed ([batch][neurons] words): its input
/// is packed, or 0/1 floats [T][batch][neurons] under the dense kernels.
void recordSpines(const sf_session_t &s, const OpDesc &op,
                  std::vector<uint64_t> &out) {
  const TensorDesc &x = s.model->tensors[op.inputs[0]];
  const void *data = s.tensorData[op.inputs[0]];
  if (x.packed) {
    std::memcpy(out.data(), data, out.size() * sizeof(uint64_t));
    return;
  }
  const float *f = static_cast<const float *>(data);
  std::fill(out.begin(), out.end(), 0);
  for (int64_t t = 0; t < x.lead; ++t)
    for (size_t n = 0; n < out.size(); ++n)
      out[n] |= uint64_t(f[t * x.elements + n] != 0.0f) << t;
}

/// The display name of the targets that run `info`'s op, for messages.
const char *placementOf(const format::OpInfo &info, sfa::Target &target) {
  for (sfa::Target t :
       {sfa::Target::SpikeCore, sfa::Target::Gpu, sfa::Target::Host})
    if (info.runsOn(t)) {
      target = t;
      return t == sfa::Target::SpikeCore ? "SpikeCore"
             : t == sfa::Target::Gpu     ? "GPU"
                                         : "host";
    }
  target = sfa::Target::Host;
  return "host";
}

/// The backend of each op under `chosen`. Auto: the backend of the op's
/// compiled target where it can run here, else the host. Spikecore: the
/// simulator for the ops it has kernels for, the host for the rest. Host
/// and cuda: every op, which each must have a kernel for.
sf_status_t assignBackends(const sf_model_t &model, sf_backend_t chosen,
                           std::vector<const Backend *> &out) {
  const Backend &host = hostBackend();
  const Backend *named = nullptr;
  if (chosen != SF_BACKEND_AUTO && !(named = findBackend(chosen)))
    return sf_status_make(SF_STATUS_INVALID_ARGUMENT, "unknown backend %d",
                          static_cast<int>(chosen));
  // A backend that cannot run here says so before what it lacks.
  if (named && !named->unavailableReason().empty())
    return sf_status_make(SF_STATUS_UNAVAILABLE,
                          "the %s backend cannot run: %s; use "
                          "--backend=host or auto",
                          sf_backend_name(named->id),
                          named->unavailableReason().c_str());
  out.assign(model.ops.size(), &host);
  bool any = false;
  for (size_t i = 0; i < model.ops.size(); ++i) {
    const sfa::Op &op = *model.ops[i].op;
    const format::OpInfo &info = *format::opInfo(op.kind());
    const Backend *backend = named;
    if (chosen == SF_BACKEND_AUTO) {
      const Backend *placed = findBackend(op.target());
      backend = placed && placed->unavailableReason().empty() &&
                        placed->runs(op.kind())
                    ? placed
                    : &host;
    } else if (chosen == SF_BACKEND_SPIKECORE && !info.runsOn(named->target)) {
      backend = &host;
    }
    if (!info.runsOn(backend->target)) {
      sfa::Target where;
      const char *what = placementOf(info, where);
      return sf_status_make(
          SF_STATUS_UNIMPLEMENTED,
          "op \"%s\" is a %s layer (%s), which the %s backend has no kernel "
          "for; run it with the %s or auto backend",
          model.ops[i].name.c_str(), what, info.name,
          sf_backend_name(backend->id),
          sf_backend_name(findBackend(where)->id));
    }
    any |= backend == named;
    out[i] = backend;
  }
  if (chosen == SF_BACKEND_SPIKECORE && !any)
    return sf_status_make(SF_STATUS_UNIMPLEMENTED,
                          "the model has no SpikeCore layers; compile it "
                          "with --targets=spikecore (or a placement file "
                          "that puts layers there)");
  for (size_t i = 0; i < model.ops.size(); ++i)
    if (!out[i]->runs(model.ops[i].op->kind()))
      return sf_status_make(SF_STATUS_INTERNAL,
                            "the %s backend lacks the kernel of op \"%s\" "
                            "(%s) that the op catalogue promises",
                            sf_backend_name(out[i]->id),
                            model.ops[i].name.c_str(),
                            model.ops[i].kind.c_str());
  return SF_OK;
}

sf_status_t checkShape(const sf_tensor_t *tensor, const CallerShape &expected,
                       const char *what, size_t index) {
  if (!tensor)
    return sf_status_make(SF_STATUS_INVALID_ARGUMENT, "%s %zu is NULL", what,
                          index);
  bool same = tensor->rank == expected.rank &&
              std::equal(expected.begin(), expected.end(), tensor->shape);
  if (same)
    return SF_OK;
  auto format = [](const int64_t *dims, size_t rank, char *buffer,
                   size_t size) {
    size_t used = std::snprintf(buffer, size, "[");
    for (size_t d = 0; d < rank && used < size; ++d)
      used += std::snprintf(buffer + used, size - used, d ? ", %lld" : "%lld",
                            (long long)dims[d]);
    if (used < size)
      std::snprintf(buffer + used, size - used, "]");
  };
  char got[160], want[160];
  format(tensor->shape, tensor->rank, got, sizeof(got));
  format(expected.dims, expected.rank, want, sizeof(want));
  return sf_status_make(SF_STATUS_INVALID_ARGUMENT,
                        "%s %zu has shape %s, the model expects %s", what,
                        index, got, want);
}

/// Makes the value of `tensor` current at `where` (OnHost or OnDevice),
/// copying it from the other side if it is not.
sf_status_t place(sf_session_t &s, uint32_t tensor, Residency where) {
  if (!s.device || s.model->tensors[tensor].constant ||
      (s.residency[tensor] & where))
    return SF_OK;
  sf_status_t status = where == OnDevice
                           ? s.device->upload(tensor, s.tensorData[tensor])
                           : s.device->download(tensor, s.tensorData[tensor]);
  if (!status)
    s.residency[tensor] |= where;
  return status;
}

} // namespace

namespace {

/// `shape`, after the steps where `withSteps`.
CallerShape callerShape(const std::vector<int64_t> &shape, bool withSteps,
                        uint32_t timesteps) {
  CallerShape caller;
  if (withSteps)
    caller.dims[caller.rank++] = timesteps;
  for (int64_t d : shape)
    caller.dims[caller.rank++] = d;
  return caller;
}

} // namespace

CallerShape runtime::callerInputShape(const sf_model_t &model, size_t index) {
  return callerShape(model.tensors[model.inputs[index]].shape,
                     model.encoding == SF_ENCODING_SPIKES, model.timesteps);
}

CallerShape runtime::callerOutputShape(const sf_model_t &model, size_t index) {
  return callerShape(model.tensors[model.outputs[index]].shape,
                     model.readout == SF_READOUT_ALL, model.timesteps);
}

sf_status_t runtime::createSession(const sf_session_options_t &options,
                                   sf_session_t &session) {
  sf_model_t *model = session.model;
  std::vector<const Backend *> backendOfOp;
  if (sf_status_t status = assignBackends(*model, options.backend, backendOfOp))
    return status;
  session.options = options;

  // Per-op working memory: the simulator's membranes and event lists, the
  // sparse kernels' spike lists (per image pixel for a conv, per row for a
  // linear layer) and a spike product's bit rows.
  size_t scratchBytes = 0;
  using SparseInput = format::OpInfo::SparseInput;
  const unsigned threads = model->instance->pool->size();
  for (const OpDesc &op : model->ops) {
    if (op.spikecore)
      session.spikecore.reserve(*op.spikecore);
    if (op.op->kernel() != sfa::Kernel::SparseBinary)
      continue;
    SparseInput input = format::opInfo(op.op->kind())->sparseInput();
    if (input == SparseInput::Product)
      scratchBytes = std::max(
          scratchBytes,
          host::matMulSparseScratchBytes(
              matMulOf(*model, op), matMulOperandOf(*model, op, 0, nullptr),
              matMulOperandOf(*model, op, 1, nullptr), model->timesteps));
    if (input == SparseInput::Own)
      scratchBytes =
          std::max(scratchBytes,
                   host::recurrentLifScratchBytes(
                       model->tensors[op.inputs[0]].shape.back(), threads));
    if (input != SparseInput::First)
      continue;
    const TensorDesc &x = model->tensors[op.inputs[0]];
    // The spike lists hold weight-row offsets as 32-bit words.
    const uint64_t offsets =
        convAttrs(*op.op) ? host::sparseConvOffsetBound(windowOf(*model, op))
                          : model->tensors[op.inputs[1]].elements;
    if (offsets > UINT32_MAX)
      return sf_status_make(SF_STATUS_UNIMPLEMENTED,
                            "op \"%s\": its weight rows span %llu floats, "
                            "more than the sparse kernels address (2^32 - 1)",
                            op.name.c_str(), (unsigned long long)offsets);
    // A conv's lists are per pixel of the images it sums together, a
    // linear layer's per row (their fused forms alike).
    const int64_t channels = convAttrs(*op.op) ? x.shape[1] : x.shape.back();
    scratchBytes = std::max(
        scratchBytes, convAttrs(*op.op)
                          ? host::sparseConvScratchBytes(
                                windowOf(*model, op), model->timesteps, threads)
                          : host::sparseScratchBytes(
                                static_cast<int64_t>(x.elements) / channels,
                                channels, model->timesteps, threads));
  }
  size_t arenaBytes = std::max<uint64_t>(model->arenaSize, 64);
  if (options.memory_limit_bytes &&
      (arenaBytes > options.memory_limit_bytes ||
       scratchBytes > options.memory_limit_bytes - arenaBytes))
    return sf_status_make(SF_STATUS_RESOURCE_EXHAUSTED,
                          "the session needs a %llu-byte arena and %llu "
                          "bytes of sparse-kernel scratch, more than its "
                          "memory limit of %llu bytes",
                          (unsigned long long)arenaBytes,
                          (unsigned long long)scratchBytes,
                          (unsigned long long)options.memory_limit_bytes);
  // Whole 64-byte lines, as vector loads may touch.
  session.arena = allocate(session.allocator, (arenaBytes + 63) / 64 * 64);
  if (session.arena && scratchBytes)
    session.scratch =
        allocate(session.allocator, (scratchBytes + 63) / 64 * 64);
  if (!session.arena || (scratchBytes && !session.scratch))
    return sf_status_make(SF_STATUS_RESOURCE_EXHAUSTED,
                          "cannot allocate the session's %llu-byte arena "
                          "and %llu-byte sparse-kernel scratch",
                          (unsigned long long)arenaBytes,
                          (unsigned long long)scratchBytes);
  session.tensorData.resize(model->tensors.size());
  for (size_t i = 0; i < model->tensors.size(); ++i) {
    const TensorDesc &t = model->tensors[i];
    session.tensorData[i] =
        t.constant ? const_cast<float *>(t.constantData)
                   : static_cast<void *>(static_cast<char *>(session.arena) +
                                         t.arenaOffset);
  }
  if (options.record_spines) {
    if (!model->dram)
      return sf_status_make(SF_STATUS_FAILED_PRECONDITION,
                            "record_spines: the model carries no DRAM image "
                            "(compile it with sfc --dram-image; a model "
                            "without spike-consuming Conv2d or Linear layers "
                            "has none)");
    session.dramLayerOfOp.assign(model->ops.size(), -1);
    session.recordedSpines.resize(model->dramOps.size());
    for (size_t l = 0; l < model->dramOps.size(); ++l) {
      uint32_t op = model->dramOps[l];
      session.dramLayerOfOp[op] = static_cast<int32_t>(l);
      session.recordedSpines[l].resize(
          model->tensors[model->ops[op].inputs[0]].elements);
    }
  }
  if (options.record_spikes) {
    session.recordedSpikes.resize(model->ops.size());
    for (size_t i = 0; i < model->ops.size(); ++i)
      if (const TensorDesc &y = model->tensors[model->ops[i].output]; y.packed)
        session.recordedSpikes[i].resize(y.elements);
  }
  // The ops of a backend with memory of its own run on its device.
  for (const Backend *backend : backendOfOp) {
    if (!backend->createDeviceSession)
      continue;
    std::vector<char> onDevice(model->ops.size(), 0);
    for (size_t i = 0; i < model->ops.size(); ++i)
      onDevice[i] = backendOfOp[i] == backend;
    if (sf_status_t status =
            backend->createDeviceSession(*model, onDevice, session.device))
      return status;
    session.residency.assign(model->tensors.size(), 0);
    break;
  }
  session.backendOfOp = std::move(backendOfOp);
  session.preparedOps.resize(model->ops.size());
  for (size_t i = 0; i < model->ops.size(); ++i)
    if (session.backendOfOp[i]->prepareOp)
      if (sf_status_t status = session.backendOfOp[i]->prepareOp(
              OpCall{session, model->ops[i], i}, session.preparedOps[i]))
        return status;
  if (options.profile) {
    session.coreSpikes.assign(model->spikecoreCores, 0);
    session.profiles.resize(model->ops.size());
    sf_session_profile_reset(&session);
  }
  return SF_OK;
}

void runtime::destroySession(sf_session_t &session) {
  deallocate(session.allocator, session.arena);
  deallocate(session.allocator, session.scratch);
  session.arena = nullptr;
  session.scratch = nullptr;
  session.device.reset();
  session.preparedOps.clear();
}

sf_status_t runtime::runSession(sf_session_t &s, sf_tensor_t *const *inputs,
                                size_t inputCount,
                                sf_tensor_t *const *outputs,
                                size_t outputCount) {
  const sf_model_t &m = *s.model;
  const int T = m.timesteps;
  if (inputCount != m.inputs.size() || outputCount != m.outputs.size())
    return sf_status_make(SF_STATUS_INVALID_ARGUMENT,
                          "the model takes %zu inputs and %zu outputs, the "
                          "call passes %zu and %zu",
                          m.inputs.size(), m.outputs.size(), inputCount,
                          outputCount);
  for (size_t i = 0; i < inputCount; ++i)
    if (sf_status_t status =
            checkShape(inputs ? inputs[i] : nullptr,
                       callerInputShape(m, i), "input", i))
      return status;
  for (size_t i = 0; i < outputCount; ++i)
    if (sf_status_t status =
            checkShape(outputs ? outputs[i] : nullptr,
                       callerOutputShape(m, i), "output", i))
      return status;

  s.spikeLog.clear();
  // Encode. A NaN or an infinity would run silently (a NaN never crosses a
  // threshold), so inputs must be finite (the spikes encoding takes 0 or 1).
  for (size_t i = 0; i < inputCount; ++i) {
    const TensorDesc &t = m.tensors[m.inputs[i]];
    void *dst = s.tensorData[m.inputs[i]];
    const float *src = inputs[i]->data;
    if (m.encoding != SF_ENCODING_SPIKES)
      for (size_t e = 0; e < inputs[i]->elements; ++e)
        if (!std::isfinite(src[e]))
          return sf_status_make(SF_STATUS_INVALID_ARGUMENT,
                                "input %zu element %zu is %g; inputs must "
                                "be finite",
                                i, e, (double)src[e]);
    switch (m.encoding) {
    case SF_ENCODING_DIRECT:
      std::memcpy(dst, src, t.byteSize);
      break;
    case SF_ENCODING_RATE:
      host::rateEncode(src, static_cast<uint64_t *>(dst), t.elements, T,
                       s.options.seed);
      break;
    case SF_ENCODING_SPIKES:
      if (int64_t bad = host::packSpikes(src, static_cast<uint64_t *>(dst),
                                         t.elements, T);
          bad >= 0)
        return sf_status_make(SF_STATUS_INVALID_ARGUMENT,
                              "input %zu element %lld is %g; the spikes "
                              "encoding takes 0 or 1",
                              i, (long long)bad, (double)src[bad]);
      break;
    }
  }

  if (s.device)
    for (size_t i = 0; i < inputCount; ++i)
      s.residency[m.inputs[i]] = OnHost;

  for (size_t i = 0; i < m.ops.size(); ++i) {
    const OpDesc &op = m.ops[i];
    const TensorDesc &x = m.tensors[op.inputs[0]];
    const Backend &backend = *s.backendOfOp[i];
    const bool gpu = s.device && backend.createDeviceSession;
    const bool record = s.options.record_spines && s.dramLayerOfOp[i] >= 0;
    const bool count = s.options.profile && x.packed;
    for (uint32_t input : op.inputs)
      if (sf_status_t status = place(s, input, gpu ? OnDevice : OnHost))
        return status;
    if (gpu && (record || count))
      if (sf_status_t status = place(s, op.inputs[0], OnHost))
        return status;
    if (record)
      recordSpines(s, op, s.recordedSpines[s.dramLayerOfOp[i]]);
    if (count)
      countSpikes(static_cast<const uint64_t *>(s.tensorData[op.inputs[0]]),
                  x, op, T, s.profiles[i]);
    auto start = std::chrono::steady_clock::now();
    Kernel kernel = (*backend.kernels)[static_cast<size_t>(op.op->kind())];
    if (sf_status_t status = kernel(OpCall{s, op, i}))
      return status;
    // A profile times each device op by itself.
    if (gpu && s.options.profile)
      if (sf_status_t status = s.device->synchronize())
        return status;
    if (s.device)
      s.residency[op.output] = gpu ? OnDevice : OnHost;
    if (s.options.record_spikes && !s.recordedSpikes[i].empty()) {
      if (sf_status_t status = place(s, op.output, OnHost))
        return status;
      std::memcpy(s.recordedSpikes[i].data(), s.tensorData[op.output],
                  s.recordedSpikes[i].size() * sizeof(uint64_t));
    }
    if (s.options.profile) {
      sf_layer_profile_t &p = s.profiles[i];
      p.seconds += std::chrono::duration<double>(
                       std::chrono::steady_clock::now() - start)
                       .count();
      p.runs += 1;
    }
  }
  if (s.device) {
    for (uint32_t output : m.outputs)
      if (sf_status_t status = place(s, output, OnHost))
        return status;
    // Kernels whose results stayed on the device report failures here.
    if (sf_status_t status = s.device->synchronize())
      return status;
  }

  s.hasRun = true;
  // Read out.
  for (size_t i = 0; i < outputCount; ++i) {
    const TensorDesc &t = m.tensors[m.outputs[i]];
    const float *src = static_cast<const float *>(s.tensorData[m.outputs[i]]);
    float *dst = outputs[i]->data;
    int64_t n = t.elements;
    auto step = [&](int64_t k) { return src + (t.lead == 1 ? 0 : k * n); };
    switch (m.readout) {
    case SF_READOUT_MEAN:
    case SF_READOUT_SUM: {
      if (t.lead == 1) { // the same at every step
        float scale = m.readout == SF_READOUT_SUM ? static_cast<float>(T) : 1;
        for (int64_t j = 0; j < n; ++j)
          dst[j] = src[j] * scale;
        break;
      }
      std::fill(dst, dst + n, 0.0f);
      for (int k = 0; k < T; ++k) {
        const float *x = step(k);
        for (int64_t j = 0; j < n; ++j)
          dst[j] += x[j];
      }
      if (m.readout == SF_READOUT_MEAN)
        for (int64_t j = 0; j < n; ++j)
          dst[j] /= static_cast<float>(T);
      break;
    }
    case SF_READOUT_LAST:
      std::memcpy(dst, step(T - 1), n * sizeof(float));
      break;
    case SF_READOUT_ALL:
      for (int k = 0; k < T; ++k)
        std::memcpy(dst + k * n, step(k), n * sizeof(float));
      break;
    }
  }
  return SF_OK;
}
