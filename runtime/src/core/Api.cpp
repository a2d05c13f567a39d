//===- Api.cpp - the C API over instances, models, sessions, tensors ------===//
//
// Part of SparseFlow.
//
// Argument checking and object lifetimes; the work is in the loader and the
// executor. Objects live in memory from the allocator they were created
// with and are freed by their last release (core/Object.h). No exception
// leaves this file: every entry point that does more than read a field runs
// its body through guarded() (core/Guarded.h).
//
//===----------------------------------------------------------------------===//

#include "core/Executor.h"
#include "core/Guarded.h"

#include <algorithm>
#include <cstring>
#include <new>
#include <thread>

using namespace sparseflow::runtime;

namespace {

sf_status_t nullArgument(const char *name) {
  return sf_status_make(SF_STATUS_INVALID_ARGUMENT, "%s must not be NULL",
                        name);
}

sf_status_t outOfMemory() {
  return sf_status_make(SF_STATUS_RESOURCE_EXHAUSTED, "out of memory");
}

using OwnedInstance = Owned<sf_instance_t, sf_instance_release>;
using OwnedModel = Owned<sf_model_t, sf_model_release>;
using OwnedSession = Owned<sf_session_t, sf_session_release>;
using OwnedTensor = Owned<sf_tensor_t, sf_tensor_release>;

/// A model object holding a reference to `instance`, not yet loaded.
sf_status_t newModel(sf_instance_t *instance, const sf_allocator_t &allocator,
                     OwnedModel &out) {
  out.reset(newObject<sf_model_t>(allocator));
  if (!out)
    return outOfMemory();
  sf_instance_retain(instance);
  out->instance = instance;
  return SF_OK;
}

sf_status_t copyShape(const CallerShape &shape, size_t *outRank, int64_t *out) {
  if (!outRank || !out)
    return nullArgument("out_rank and shape");
  *outRank = shape.rank;
  std::copy(shape.begin(), shape.end(), out);
  return SF_OK;
}

/// Checks the arguments and makes a tensor object of that shape, without
/// data.
sf_status_t makeTensor(const int64_t *shape, size_t rank,
                       const sf_allocator_t *allocator, sf_tensor_t **out,
                       OwnedTensor &tensor) {
  if (!out)
    return nullArgument("out_tensor");
  *out = nullptr;
  if (rank > SF_MAX_RANK)
    return sf_status_make(SF_STATUS_OUT_OF_RANGE,
                          "tensor rank %zu exceeds %d", rank, SF_MAX_RANK);
  if (rank && !shape)
    return nullArgument("shape");
  size_t elements = 1;
  for (size_t d = 0; d < rank; ++d) {
    if (shape[d] < 0)
      return sf_status_make(SF_STATUS_INVALID_ARGUMENT,
                            "dimension %zu is negative (%lld)", d,
                            (long long)shape[d]);
    size_t bytes;
    if (__builtin_mul_overflow(elements, static_cast<size_t>(shape[d]),
                               &elements) ||
        __builtin_mul_overflow(elements, sizeof(float), &bytes))
      return sf_status_make(SF_STATUS_OUT_OF_RANGE,
                            "the shape's %zu dimensions hold more float32 "
                            "bytes than fit in memory (dimension %zu is "
                            "%lld)",
                            rank, d, (long long)shape[d]);
  }
  sf_allocator_t chosen;
  if (sf_status_t status = pickAllocator(allocator, chosen))
    return status;
  tensor.reset(newObject<sf_tensor_t>(chosen));
  if (!tensor)
    return outOfMemory();
  tensor->rank = rank;
  std::copy(shape, shape + rank, tensor->shape);
  tensor->elements = elements;
  return SF_OK;
}

} // namespace

extern "C" {

void sf_instance_options_initialize(sf_instance_options_t *options) {
  if (options)
    options->num_threads = 0;
}

sf_status_t sf_instance_create(const sf_instance_options_t *options,
                               const sf_allocator_t *allocator,
                               sf_instance_t **out_instance) {
  return guarded([&]() -> sf_status_t {
    if (!out_instance)
      return nullArgument("out_instance");
    *out_instance = nullptr;
    sf_allocator_t chosen;
    if (sf_status_t status = pickAllocator(allocator, chosen))
      return status;
    unsigned threads = options ? options->num_threads : 0;
    if (threads == 0)
      threads = std::max(1u, std::thread::hardware_concurrency());
    OwnedInstance instance(newObject<sf_instance_t>(chosen));
    if (!instance)
      return outOfMemory();
    instance->pool.reset(new ThreadPool(threads)); // may throw system_error
    *out_instance = instance.release();
    return SF_OK;
  });
}

void sf_instance_retain(sf_instance_t *instance) { retainObject(instance); }

void sf_instance_release(sf_instance_t *instance) {
  if (releaseObject(instance))
    deleteObject(instance);
}

int sf_instance_has_backend(const sf_instance_t *, sf_backend_t backend) {
  if (backend == SF_BACKEND_AUTO)
    return 1;
  // A backend's first answer builds its reason, which may run out of memory.
  try {
    const Backend *found = findBackend(backend);
    return found && found->unavailableReason().empty();
  } catch (...) {
    return 0;
  }
}

const char *sf_backend_name(sf_backend_t backend) {
  switch (backend) {
  case SF_BACKEND_AUTO:
    return "auto";
  case SF_BACKEND_HOST:
    return "host";
  case SF_BACKEND_CUDA:
    return "cuda";
  case SF_BACKEND_SPIKECORE:
    return "spikecore";
  }
  return "unknown";
}

sf_status_t sf_model_create_from_file(sf_instance_t *instance, const char *path,
                                      const sf_allocator_t *allocator,
                                      sf_model_t **out_model) {
  return guarded([&]() -> sf_status_t {
    if (!out_model)
      return nullArgument("out_model");
    *out_model = nullptr;
    if (!instance)
      return nullArgument("instance");
    if (!path)
      return nullArgument("path");
    sf_allocator_t chosen;
    if (sf_status_t status = pickAllocator(allocator, chosen))
      return status;
    OwnedModel model;
    if (sf_status_t status = newModel(instance, chosen, model))
      return status;
    std::unique_ptr<ArtifactBytes> bytes;
    if (sf_status_t status = mapFile(path, bytes))
      return status;
    if (sf_status_t status = loadArtifact(std::move(bytes), *model)) {
      // Say which file failed.
      sf_status_t named = sf_status_make(sf_status_code(status), "%s: %s", path,
                                         sf_status_message(status));
      sf_status_free(status);
      return named;
    }
    *out_model = model.release();
    return SF_OK;
  });
}

sf_status_t sf_model_create_from_memory(sf_instance_t *instance,
                                        const void *data, size_t size,
                                        const sf_allocator_t *allocator,
                                        sf_model_t **out_model) {
  return guarded([&]() -> sf_status_t {
    if (!out_model)
      return nullArgument("out_model");
    *out_model = nullptr;
    if (!instance)
      return nullArgument("instance");
    sf_allocator_t chosen;
    if (sf_status_t status = pickAllocator(allocator, chosen))
      return status;
    OwnedModel model;
    if (sf_status_t status = newModel(instance, chosen, model))
      return status;
    std::unique_ptr<ArtifactBytes> bytes;
    if (sf_status_t status = copyBytes(data, size, chosen, bytes))
      return status;
    if (sf_status_t status = loadArtifact(std::move(bytes), *model))
      return status;
    *out_model = model.release();
    return SF_OK;
  });
}

void sf_model_retain(sf_model_t *model) { retainObject(model); }

void sf_model_release(sf_model_t *model) {
  if (!releaseObject(model))
    return;
  sf_instance_t *instance = model->instance;
  deleteObject(model);
  sf_instance_release(instance);
}

uint32_t sf_model_timesteps(const sf_model_t *model) {
  return model ? static_cast<uint32_t>(model->timesteps) : 0;
}
sf_encoding_t sf_model_encoding(const sf_model_t *model) {
  return model ? model->encoding : SF_ENCODING_DIRECT;
}
sf_readout_t sf_model_readout(const sf_model_t *model) {
  return model ? model->readout : SF_READOUT_MEAN;
}
const char *sf_model_producer(const sf_model_t *model) {
  return model ? model->producer.c_str() : "";
}
size_t sf_model_input_count(const sf_model_t *model) {
  return model ? model->inputs.size() : 0;
}
size_t sf_model_output_count(const sf_model_t *model) {
  return model ? model->outputs.size() : 0;
}
size_t sf_model_op_count(const sf_model_t *model) {
  return model ? model->ops.size() : 0;
}
const char *sf_model_op_name(const sf_model_t *model, size_t index) {
  return model && index < model->ops.size() ? model->ops[index].name.c_str()
                                            : nullptr;
}

sf_status_t sf_model_input_shape(const sf_model_t *model, size_t index,
                                 size_t *out_rank, int64_t *shape) {
  return guarded([&]() -> sf_status_t {
    if (!model)
      return nullArgument("model");
    if (index >= model->inputs.size())
      return sf_status_make(SF_STATUS_OUT_OF_RANGE,
                            "input %zu of a model with %zu inputs", index,
                            model->inputs.size());
    return copyShape(callerInputShape(*model, index), out_rank, shape);
  });
}

sf_status_t sf_model_output_shape(const sf_model_t *model, size_t index,
                                  size_t *out_rank, int64_t *shape) {
  return guarded([&]() -> sf_status_t {
    if (!model)
      return nullArgument("model");
    if (index >= model->outputs.size())
      return sf_status_make(SF_STATUS_OUT_OF_RANGE,
                            "output %zu of a model with %zu outputs", index,
                            model->outputs.size());
    return copyShape(callerOutputShape(*model, index), out_rank, shape);
  });
}

sf_status_t sf_tensor_create(const int64_t *shape, size_t rank,
                             const sf_allocator_t *allocator,
                             sf_tensor_t **out_tensor) {
  return guarded([&]() -> sf_status_t {
    OwnedTensor tensor;
    if (sf_status_t status =
            makeTensor(shape, rank, allocator, out_tensor, tensor))
      return status;
    size_t bytes = tensor->elements * sizeof(float);
    tensor->data = static_cast<float *>(allocate(tensor->allocator, bytes));
    if (!tensor->data)
      return sf_status_make(SF_STATUS_RESOURCE_EXHAUSTED,
                            "cannot allocate the tensor's %zu bytes", bytes);
    tensor->owned = true;
    std::memset(tensor->data, 0, bytes);
    *out_tensor = tensor.release();
    return SF_OK;
  });
}

sf_status_t sf_tensor_wrap(const int64_t *shape, size_t rank, float *data,
                           size_t byte_size, const sf_allocator_t *allocator,
                           sf_tensor_t **out_tensor) {
  return guarded([&]() -> sf_status_t {
    OwnedTensor tensor;
    if (sf_status_t status =
            makeTensor(shape, rank, allocator, out_tensor, tensor))
      return status;
    if (byte_size < tensor->elements * sizeof(float) ||
        (!data && tensor->elements))
      return sf_status_make(
          SF_STATUS_OUT_OF_RANGE,
          "a buffer of %zu bytes cannot hold %zu float32 elements", byte_size,
          tensor->elements);
    tensor->data = data;
    *out_tensor = tensor.release();
    return SF_OK;
  });
}

void sf_tensor_retain(sf_tensor_t *tensor) { retainObject(tensor); }

void sf_tensor_release(sf_tensor_t *tensor) {
  if (!releaseObject(tensor))
    return;
  if (tensor->owned)
    deallocate(tensor->allocator, tensor->data);
  deleteObject(tensor);
}

size_t sf_tensor_rank(const sf_tensor_t *tensor) {
  return tensor ? tensor->rank : 0;
}
const int64_t *sf_tensor_shape(const sf_tensor_t *tensor) {
  return tensor ? tensor->shape : nullptr;
}
size_t sf_tensor_element_count(const sf_tensor_t *tensor) {
  return tensor ? tensor->elements : 0;
}
float *sf_tensor_data(sf_tensor_t *tensor) {
  return tensor ? tensor->data : nullptr;
}

void sf_session_options_initialize(sf_session_options_t *options) {
  if (!options)
    return;
  options->backend = SF_BACKEND_AUTO;
  options->seed = 0;
  options->profile = 0;
  options->spike_log = 0;
  options->record_spines = 0;
  options->memory_limit_bytes = 0;
  options->reference_kernels = 0;
  options->record_spikes = 0;
}

sf_status_t sf_session_create(sf_model_t *model,
                              const sf_session_options_t *options,
                              const sf_allocator_t *allocator,
                              sf_session_t **out_session) {
  return guarded([&]() -> sf_status_t {
    if (!out_session)
      return nullArgument("out_session");
    *out_session = nullptr;
    if (!model)
      return nullArgument("model");
    sf_allocator_t chosen;
    if (sf_status_t status = pickAllocator(allocator, chosen))
      return status;
    sf_session_options_t defaults;
    sf_session_options_initialize(&defaults);
    OwnedSession session(newObject<sf_session_t>(chosen));
    if (!session)
      return outOfMemory();
    sf_model_retain(model);
    session->model = model;
    // On failure (or an exception), releasing `session` frees whatever
    // createSession allocated.
    if (sf_status_t status =
            createSession(options ? *options : defaults, *session))
      return status;
    *out_session = session.release();
    return SF_OK;
  });
}

void sf_session_retain(sf_session_t *session) { retainObject(session); }

void sf_session_release(sf_session_t *session) {
  if (!releaseObject(session))
    return;
  sf_model_t *model = session->model;
  destroySession(*session);
  deleteObject(session);
  sf_model_release(model);
}

sf_status_t sf_session_run(sf_session_t *session, sf_tensor_t *const *inputs,
                           size_t input_count, sf_tensor_t *const *outputs,
                           size_t output_count) {
  return guarded([&]() -> sf_status_t {
    if (!session)
      return nullArgument("session");
    return runSession(*session, inputs, input_count, outputs, output_count);
  });
}

size_t sf_session_profile_count(const sf_session_t *session) {
  return session ? session->profiles.size() : 0;
}

const sf_layer_profile_t *sf_session_profile(const sf_session_t *session,
                                             size_t index) {
  if (!session || index >= session->profiles.size())
    return nullptr;
  return &session->profiles[index];
}

void sf_session_profile_reset(sf_session_t *session) {
  if (!session)
    return;
  const sf_model_t &m = *session->model;
  for (size_t i = 0; i < session->profiles.size(); ++i) {
    sf_layer_profile_t &p = session->profiles[i];
    std::memset(&p, 0, sizeof(p));
    const OpDesc &op = m.ops[i];
    p.name = op.name.c_str();
    p.op = op.kind.c_str();
    p.kernel = op.kernel.c_str();
    p.target = op.target.c_str();
    p.block_size = op.op->block_size();
    if (op.spikecore) {
      p.is_spikecore = 1;
      p.spikecore.first_core = op.spikecore->firstCore;
      p.spikecore.core_count =
          static_cast<uint32_t>(op.spikecore->cores.size());
      p.spikecore.energy_pj = m.spikecoreEnergy ? 0.0 : -1.0;
      p.spikecore.core_spikes =
          session->coreSpikes.data() + op.spikecore->firstCore;
    }
  }
  std::fill(session->coreSpikes.begin(), session->coreSpikes.end(), 0);
}

const uint64_t *sf_session_recorded_spikes(const sf_session_t *session,
                                           size_t index, size_t *rank,
                                           int64_t *shape) {
  if (rank)
    *rank = 0;
  if (!session || !session->hasRun || index >= session->recordedSpikes.size() ||
      session->recordedSpikes[index].empty())
    return nullptr;
  const std::vector<int64_t> &dims =
      session->model->tensors[session->model->ops[index].output].shape;
  if (rank)
    *rank = dims.size();
  if (shape)
    std::copy(dims.begin(), dims.end(), shape);
  return session->recordedSpikes[index].data();
}

size_t sf_session_spike_log(const sf_session_t *session,
                            const sf_spike_event_t **events) {
  if (events)
    *events = nullptr;
  if (!session || session->spikeLog.empty())
    return 0;
  if (events)
    *events = session->spikeLog.data();
  return session->spikeLog.size();
}

} // extern "C"
