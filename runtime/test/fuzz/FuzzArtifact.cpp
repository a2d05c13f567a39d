//===- FuzzArtifact.cpp - libFuzzer target: artifact -> session -> run ----===//
//
// Part of SparseFlow.
//
// Loads the input as an .sfa artifact through the public C API, with its
// checksum recomputed so that mutations reach the FlatBuffers verifier and
// the plan validator; an accepted model gets a host session (profiling on,
// at most 64 MiB) and runs once on zeros. Everything must end in a status.
//
//===----------------------------------------------------------------------===//

#include "sparseflow/format/artifact_format.h"
#include "sparseflow/runtime/api.h"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

namespace {

sf_instance_t *instance() {
  static sf_instance_t *shared = [] {
    sf_instance_options_t options;
    sf_instance_options_initialize(&options);
    options.num_threads = 1;
    sf_instance_t *created = nullptr;
    sf_status_free(sf_instance_create(&options, nullptr, &created));
    return created;
  }();
  return shared;
}

/// A tensor for each model input or output, or false when one is too large
/// to bother with.
bool tensors(sf_model_t *model, bool inputs, std::vector<sf_tensor_t *> &out) {
  size_t count =
      inputs ? sf_model_input_count(model) : sf_model_output_count(model);
  for (size_t i = 0; i < count; ++i) {
    int64_t shape[SF_MAX_RANK];
    size_t rank = 0;
    sf_status_t status = inputs ? sf_model_input_shape(model, i, &rank, shape)
                                : sf_model_output_shape(model, i, &rank, shape);
    sf_tensor_t *tensor = nullptr;
    if (!status)
      status = sf_tensor_create(shape, rank, nullptr, &tensor);
    if (status || sf_tensor_element_count(tensor) > (1u << 20)) {
      sf_status_free(status);
      sf_tensor_release(tensor);
      return false;
    }
    out.push_back(tensor);
  }
  return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::vector<uint8_t> file(data, data + size);
  if (size >= SF_ARTIFACT_HEADER_SIZE) {
    uint32_t crc = sf_crc32c(0, file.data() + SF_ARTIFACT_HEADER_SIZE,
                             size - SF_ARTIFACT_HEADER_SIZE);
    std::memcpy(file.data() + offsetof(sf_artifact_header_t, checksum), &crc,
                sizeof(crc));
  }
  sf_model_t *model = nullptr;
  if (sf_status_t status = sf_model_create_from_memory(
          instance(), file.data(), file.size(), nullptr, &model)) {
    sf_status_free(status);
    return 0;
  }
  sf_session_options_t options;
  sf_session_options_initialize(&options);
  options.backend = SF_BACKEND_AUTO;
  options.profile = 1;
  options.memory_limit_bytes = 64u << 20;
  sf_session_t *session = nullptr;
  std::vector<sf_tensor_t *> inputs, outputs;
  if (sf_status_t status =
          sf_session_create(model, &options, nullptr, &session)) {
    sf_status_free(status);
  } else if (tensors(model, true, inputs) && tensors(model, false, outputs)) {
    sf_status_free(sf_session_run(session, inputs.data(), inputs.size(),
                                  outputs.data(), outputs.size()));
  }
  for (sf_tensor_t *tensor : inputs)
    sf_tensor_release(tensor);
  for (sf_tensor_t *tensor : outputs)
    sf_tensor_release(tensor);
  sf_session_release(session);
  sf_model_release(model);
  return 0;
}
