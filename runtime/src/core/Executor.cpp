//===- Executor.cpp - sessions: memory, encoding, kernels, readout --------===//
//
// Part of SparseFlow.
//
// A run encodes the inputs into the arena, calls one kernel per plan op on
// the host, the GPU or the SpikeCore simulator (the temporal-parallel
// schedule: stateless ops see all T steps as one batch, neurons scan over
// t), and reduces the outputs over time. A tensor crosses between the host
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
  if (op.op->kind() == sfa::OpKind::Conv2d) {
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

/// Runs SpikeCore layer `op` (plan index `index`) in the simulator.
void runSpikeCoreLayer(sf_session_t &s, const OpDesc &op, size_t index) {
  const sf_model_t &m = *s.model;
  const TensorDesc &x = m.tensors[op.inputs[0]];
  simulator::LayerIO io;
  io.input = s.tensorData[op.inputs[0]];
  io.packedInput = x.packed;
  io.inputLead = x.lead;
  io.output = s.tensorData[op.output];
  io.batch = x.shape[0];
  io.timesteps = m.timesteps;
  sf_layer_profile_t *profile =
      s.options.profile ? &s.profiles[index] : nullptr;
  simulator::runLayer(
      *op.spikecore, io, m.spikecoreCycles,
      m.spikecoreEnergy ? &*m.spikecoreEnergy : nullptr, s.spikecore,
      profile ? &profile->spikecore : nullptr,
      profile ? s.coreSpikes.data() + op.spikecore->firstCore : nullptr,
      s.options.spike_log ? &s.spikeLog : nullptr,
      static_cast<uint32_t>(index));
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

/// Runs one op on the host, or in the SpikeCore simulator.
void runOp(sf_session_t &s, const OpDesc &op, size_t index) {
  const sf_model_t &m = *s.model;
  ThreadPool &pool = *m.instance->pool;
  const int T = m.timesteps;
  const TensorDesc &y = m.tensors[op.output];
  const TensorDesc &x = m.tensors[op.inputs[0]];
  void *out = s.tensorData[op.output];
  auto in = [&](size_t i) { return s.tensorData[op.inputs[i]]; };
  auto f = [&](size_t i) { return static_cast<const float *>(in(i)); };
  auto optionalBias = [&]() {
    return op.inputs.size() > 2 ? f(2) : nullptr;
  };
  float *yf = static_cast<float *>(out);

  switch (op.op->kind()) {
  case sfa::OpKind::Conv2d: {
    host::Window2d g = windowOf(m, op);
    if (op.op->kernel() == sfa::Kernel::SparseBinary)
      host::conv2dSparse(static_cast<const uint64_t *>(in(0)), f(1),
                         optionalBias(), yf, g, T, op.op->block_size(),
                         s.scratch, pool);
    else
      host::conv2dDense(f(0), f(1), optionalBias(), yf, g, pool);
    return;
  }
  case sfa::OpKind::Linear: {
    int64_t K = x.shape.back(), O = y.shape.back();
    int64_t rows = x.elements / K;
    if (op.op->kernel() == sfa::Kernel::SparseBinary)
      host::linearSparse(static_cast<const uint64_t *>(in(0)), f(1),
                         optionalBias(), yf, rows, K, O, T,
                         op.op->block_size(), s.scratch, pool);
    else
      host::linearDense(f(0), f(1), optionalBias(), yf, x.lead * rows, K, O,
                        pool);
    return;
  }
  case sfa::OpKind::BatchNorm:
    host::batchNorm(f(0), f(1), f(2), f(3), f(4),
                    op.op->attrs_as_BatchNormAttrs()->epsilon(), yf,
                    x.lead * x.shape[0], x.shape[1],
                    product(x.shape, 2, x.shape.size()));
    return;
  case sfa::OpKind::Add:
  case sfa::OpKind::Mul: {
    size_t rank = y.shape.size();
    int64_t aShape[SF_MAX_RANK + 1], bShape[SF_MAX_RANK + 1],
        yShape[SF_MAX_RANK + 1];
    leadShape(m.tensors[op.inputs[0]], rank, aShape);
    leadShape(m.tensors[op.inputs[1]], rank, bShape);
    leadShape(y, rank, yShape);
    host::binary(op.op->kind() == sfa::OpKind::Add ? host::BinaryKind::Add
                                                  : host::BinaryKind::Mul,
                 f(0), aShape, f(1), bShape, yf, yShape,
                 static_cast<int>(rank + 1));
    return;
  }
  case sfa::OpKind::Relu:
    host::relu(f(0), yf, x.lead * x.elements);
    return;
  case sfa::OpKind::MaxPool2d:
  case sfa::OpKind::AvgPool2d: {
    host::Window2d g = windowOf(m, op);
    if (op.op->kind() == sfa::OpKind::AvgPool2d)
      host::avgPool2d(f(0), yf, g,
                      op.op->attrs_as_PoolAttrs()->count_include_pad());
    else if (x.packed)
      host::maxPool2dPacked(static_cast<const uint64_t *>(in(0)),
                            static_cast<uint64_t *>(out), g);
    else
      host::maxPool2d(f(0), yf, g);
    return;
  }
  case sfa::OpKind::GlobalAvgPool:
    host::globalAvgPool(f(0), yf, x.lead * x.shape[0] * x.shape[1],
                        product(x.shape, 2, x.shape.size()));
    return;
  case sfa::OpKind::Reshape:
    std::memmove(out, in(0), x.byteSize);
    return;
  case sfa::OpKind::Transpose: {
    const auto *perm = op.op->attrs_as_TransposeAttrs()->permutation();
    int64_t shape[SF_MAX_RANK + 1], permutation[SF_MAX_RANK + 1];
    size_t rank = x.shape.size();
    // A float tensor's lead dimension stays in front.
    size_t lead = x.packed ? 0 : 1;
    if (lead) {
      shape[0] = x.lead;
      permutation[0] = 0;
    }
    for (size_t d = 0; d < rank; ++d) {
      shape[lead + d] = x.shape[d];
      permutation[lead + d] =
          perm->Get(static_cast<flatbuffers::uoffset_t>(d)) + lead;
    }
    host::transpose(in(0), out, shape, permutation,
                    static_cast<int>(rank + lead), x.packed ? 8 : 4);
    return;
  }
  case sfa::OpKind::Concat: {
    int64_t axis = op.op->attrs_as_ConcatAttrs()->axis();
    const void *inputs[64];
    int64_t chunks[64], rowsIn[64];
    int count = static_cast<int>(std::min<size_t>(op.inputs.size(), 64));
    int64_t rowsPerLead = product(y.shape, 0, axis);
    for (int i = 0; i < count; ++i) {
      const TensorDesc &xi = m.tensors[op.inputs[i]];
      inputs[i] = in(i);
      chunks[i] = product(xi.shape, axis, xi.shape.size());
      rowsIn[i] = xi.lead * rowsPerLead;
    }
    host::concat(inputs, chunks, rowsIn, count, out, y.lead * rowsPerLead,
                 y.packed ? 8 : 4);
    return;
  }
  case sfa::OpKind::LIF: {
    int64_t outer, channels, inner;
    lifLayout(x, outer, channels, inner);
    host::lif(f(0), x.temporal, static_cast<uint64_t *>(out), outer, channels,
              inner, T, lifParams(*op.op->attrs_as_LIFAttrs()), pool);
    return;
  }
  case sfa::OpKind::Unpack:
    host::unpackSpikes(static_cast<const uint64_t *>(in(0)), yf, x.elements,
                       T);
    return;
  case sfa::OpKind::SpikeCoreLayer:
    runSpikeCoreLayer(s, op, index);
    return;
  }
}

sf_status_t checkShape(const sf_tensor_t *tensor,
                       const std::vector<int64_t> &expected, const char *what,
                       size_t index) {
  if (!tensor)
    return sf_status_make(SF_STATUS_INVALID_ARGUMENT, "%s %zu is NULL", what,
                          index);
  bool same = tensor->rank == expected.size() &&
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
  format(expected.data(), expected.size(), want, sizeof(want));
  return sf_status_make(SF_STATUS_INVALID_ARGUMENT,
                        "%s %zu has shape %s, the model expects %s", what,
                        index, got, want);
}

/// Makes the value of `tensor` current at `where` (OnHost or OnDevice),
/// copying it from the other side if it is not.
sf_status_t place(sf_session_t &s, uint32_t tensor, Residency where) {
  if (!s.gpu || s.model->tensors[tensor].constant ||
      (s.residency[tensor] & where))
    return SF_OK;
  sf_status_t status =
      where == OnDevice ? cuda::upload(*s.gpu, tensor, s.tensorData[tensor])
                        : cuda::download(*s.gpu, tensor, s.tensorData[tensor]);
  if (!status)
    s.residency[tensor] |= where;
  return status;
}

} // namespace

std::vector<int64_t> runtime::callerInputShape(const sf_model_t &model,
                                               size_t index) {
  std::vector<int64_t> shape = model.tensors[model.inputs[index]].shape;
  if (model.encoding == SF_ENCODING_SPIKES)
    shape.insert(shape.begin(), model.timesteps);
  return shape;
}

std::vector<int64_t> runtime::callerOutputShape(const sf_model_t &model,
                                                size_t index) {
  std::vector<int64_t> shape = model.tensors[model.outputs[index]].shape;
  if (model.readout == SF_READOUT_ALL)
    shape.insert(shape.begin(), model.timesteps);
  return shape;
}

sf_status_t runtime::createSession(sf_model_t *model,
                                   const sf_session_options_t &options,
                                   sf_session_t &session) {
  // SpikeCore layers run in the simulator. Under auto, the ops compiled
  // for the GPU run there when a device is present; under cuda, every
  // other op does; otherwise the host runs them.
  auto firstSpikeCore =
      std::find_if(model->ops.begin(), model->ops.end(),
                   [](const OpDesc &op) { return op.spikecore != nullptr; });
  const OpDesc *spikecoreOp =
      firstSpikeCore == model->ops.end() ? nullptr : &*firstSpikeCore;
  const std::string &cudaUnavailable = cuda::unavailableReason();
  std::vector<char> onGpu(model->ops.size(), 0);
  switch (options.backend) {
  case SF_BACKEND_AUTO:
    if (cudaUnavailable.empty())
      for (size_t i = 0; i < model->ops.size(); ++i)
        onGpu[i] = model->ops[i].op->target() == sfa::Target::Gpu;
    break;
  case SF_BACKEND_HOST:
  case SF_BACKEND_CUDA:
    if (spikecoreOp)
      return sf_status_make(SF_STATUS_UNIMPLEMENTED,
                            "op \"%s\" is a SpikeCore layer (int8, compiled "
                            "to SpikeCore instructions); run it with the "
                            "spikecore or auto backend",
                            spikecoreOp->name.c_str());
    if (options.backend == SF_BACKEND_CUDA) {
      if (!cudaUnavailable.empty())
        return sf_status_make(SF_STATUS_UNAVAILABLE,
                              "the cuda backend cannot run: %s; use "
                              "--backend=host or auto",
                              cudaUnavailable.c_str());
      onGpu.assign(model->ops.size(), 1);
    }
    break;
  case SF_BACKEND_SPIKECORE:
    if (!spikecoreOp)
      return sf_status_make(SF_STATUS_UNIMPLEMENTED,
                            "the model has no SpikeCore layers; compile it "
                            "with --targets=spikecore (or a placement file "
                            "that puts layers there)");
    break;
  default:
    return sf_status_make(SF_STATUS_INVALID_ARGUMENT, "unknown backend %d",
                          static_cast<int>(options.backend));
  }
  session.model = model;
  session.options = options;

  // Per-op working memory: the simulator's membranes and event lists, and
  // the sparse kernels' spike lists (per image pixel for a conv, per row for
  // a linear layer).
  size_t scratchBytes = 0;
  for (const OpDesc &op : model->ops) {
    if (op.spikecore)
      session.spikecore.reserve(*op.spikecore);
    if (op.op->kernel() != sfa::Kernel::SparseBinary)
      continue;
    const TensorDesc &x = model->tensors[op.inputs[0]];
    bool conv = op.op->kind() == sfa::OpKind::Conv2d;
    int64_t channels = conv ? x.shape[1] : x.shape.back();
    int64_t positions = conv ? x.shape[2] * x.shape[3]
                             : static_cast<int64_t>(x.elements) / channels;
    scratchBytes = std::max(scratchBytes,
                            host::sparseScratchBytes(positions, channels,
                                                     model->timesteps));
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
  session.arena = std::aligned_alloc(64, (arenaBytes + 63) / 64 * 64);
  if (scratchBytes)
    session.scratch = std::aligned_alloc(64, (scratchBytes + 63) / 64 * 64);
  if (!session.arena || (scratchBytes && !session.scratch)) {
    destroySession(session);
    return sf_status_make(SF_STATUS_RESOURCE_EXHAUSTED,
                          "cannot allocate the session's %llu-byte arena "
                          "and %llu-byte sparse-kernel scratch",
                          (unsigned long long)arenaBytes,
                          (unsigned long long)scratchBytes);
  }
  session.tensorData.resize(model->tensors.size());
  for (size_t i = 0; i < model->tensors.size(); ++i) {
    const TensorDesc &t = model->tensors[i];
    session.tensorData[i] =
        t.constant ? const_cast<float *>(t.constantData)
                   : static_cast<void *>(static_cast<char *>(session.arena) +
                                         t.arenaOffset);
  }
  if (options.record_spines) {
    if (!model->dram) {
      destroySession(session);
      return sf_status_make(SF_STATUS_FAILED_PRECONDITION,
                            "record_spines: the model carries no DRAM image "
                            "(it has no spike-consuming Conv2d or Linear "
                            "layer)");
    }
    session.dramLayerOfOp.assign(model->ops.size(), -1);
    session.recordedSpines.resize(model->dramOps.size());
    for (size_t l = 0; l < model->dramOps.size(); ++l) {
      uint32_t op = model->dramOps[l];
      session.dramLayerOfOp[op] = static_cast<int32_t>(l);
      session.recordedSpines[l].resize(
          model->tensors[model->ops[op].inputs[0]].elements);
    }
  }
  if (std::find(onGpu.begin(), onGpu.end(), 1) != onGpu.end()) {
    if (sf_status_t status = cuda::createSession(*model, onGpu, session.gpu)) {
      destroySession(session);
      return status;
    }
    session.onGpu = std::move(onGpu);
    session.residency.assign(model->tensors.size(), 0);
  }
  if (options.profile) {
    session.coreSpikes.assign(model->spikecoreCores, 0);
    session.profiles.resize(model->ops.size());
    sf_session_profile_reset(&session);
  }
  return SF_OK;
}

void runtime::destroySession(sf_session_t &session) {
  std::free(session.arena);
  std::free(session.scratch);
  session.arena = nullptr;
  session.scratch = nullptr;
  session.gpu.reset();
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

  if (s.gpu)
    for (size_t i = 0; i < inputCount; ++i)
      s.residency[m.inputs[i]] = OnHost;

  for (size_t i = 0; i < m.ops.size(); ++i) {
    const OpDesc &op = m.ops[i];
    const TensorDesc &x = m.tensors[op.inputs[0]];
    const bool gpu = s.gpu && s.onGpu[i];
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
    if (gpu) {
      if (sf_status_t status = cuda::runOp(*s.gpu, i))
        return status;
      // A profile times each op by itself.
      if (s.options.profile)
        if (sf_status_t status = cuda::synchronize(*s.gpu))
          return status;
    } else {
      runOp(s, op, i);
    }
    if (s.gpu)
      s.residency[op.output] = gpu ? OnDevice : OnHost;
    if (s.options.profile) {
      sf_layer_profile_t &p = s.profiles[i];
      p.seconds += std::chrono::duration<double>(
                       std::chrono::steady_clock::now() - start)
                       .count();
      p.runs += 1;
    }
  }
  if (s.gpu) {
    for (uint32_t output : m.outputs)
      if (sf_status_t status = place(s, output, OnHost))
        return status;
    // Kernels whose results stayed on the device report failures here.
    if (sf_status_t status = cuda::synchronize(*s.gpu))
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
