//===- SessionRunTest.cpp - a session's run allocates nothing -------------===//
//
// Part of SparseFlow.
//
// session.h promises that sf_session_run allocates nothing: everything a run
// needs (the arena, the sparse kernels' lists and tiles, the recurrent
// neurons' row state) comes with the session. This binary replaces the
// global operator new (every form, so that new and delete always pair) and
// counts what it hands out, on any thread, while a run of a model with the
// kernels that keep per-run state is in flight.
//
//===----------------------------------------------------------------------===//

#include "TestArtifacts.h"

#include "sparseflow/runtime/api.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <vector>

namespace {

std::atomic<bool> counting{false};
std::atomic<long> allocations{0};

void *allocateCounted(std::size_t size, std::size_t alignment) {
  if (counting.load(std::memory_order_relaxed))
    allocations.fetch_add(1, std::memory_order_relaxed);
  if (size == 0)
    size = 1;
  void *memory = alignment > alignof(std::max_align_t)
                     ? std::aligned_alloc(alignment, (size + alignment - 1) /
                                                         alignment * alignment)
                     : std::malloc(size);
  if (!memory)
    throw std::bad_alloc();
  return memory;
}

} // namespace

void *operator new(std::size_t size) { return allocateCounted(size, 0); }
void *operator new[](std::size_t size) { return allocateCounted(size, 0); }
void *operator new(std::size_t size, std::align_val_t alignment) {
  return allocateCounted(size, static_cast<std::size_t>(alignment));
}
void *operator new[](std::size_t size, std::align_val_t alignment) {
  return allocateCounted(size, static_cast<std::size_t>(alignment));
}
void *operator new(std::size_t size, const std::nothrow_t &) noexcept {
  try {
    return allocateCounted(size, 0);
  } catch (const std::bad_alloc &) {
    return nullptr;
  }
}
void *operator new[](std::size_t size, const std::nothrow_t &tag) noexcept {
  return operator new(size, tag);
}
void *operator new(std::size_t size, std::align_val_t alignment,
                   const std::nothrow_t &) noexcept {
  try {
    return allocateCounted(size, static_cast<std::size_t>(alignment));
  } catch (const std::bad_alloc &) {
    return nullptr;
  }
}
void *operator new[](std::size_t size, std::align_val_t alignment,
                     const std::nothrow_t &tag) noexcept {
  return operator new(size, alignment, tag);
}
void operator delete(void *memory) noexcept { std::free(memory); }
void operator delete(void *memory, const std::nothrow_t &) noexcept {
  std::free(memory);
}
void operator delete[](void *memory, const std::nothrow_t &) noexcept {
  std::free(memory);
}
void operator delete(void *memory, std::align_val_t,
                     const std::nothrow_t &) noexcept {
  std::free(memory);
}
void operator delete[](void *memory, std::align_val_t,
                       const std::nothrow_t &) noexcept {
  std::free(memory);
}
void operator delete[](void *memory) noexcept { std::free(memory); }
void operator delete(void *memory, std::size_t) noexcept { std::free(memory); }
void operator delete[](void *memory, std::size_t) noexcept {
  std::free(memory);
}
void operator delete(void *memory, std::align_val_t) noexcept {
  std::free(memory);
}
void operator delete[](void *memory, std::align_val_t) noexcept {
  std::free(memory);
}
void operator delete(void *memory, std::size_t, std::align_val_t) noexcept {
  std::free(memory);
}
void operator delete[](void *memory, std::size_t, std::align_val_t) noexcept {
  std::free(memory);
}

namespace {

using namespace sparseflow::runtime::test;
namespace sfa = sparseflow::sfa;

/// x [2, 8] -> LIF -> spikes -> sparse Linear (8 -> 4) -> recurrent LIF (4
/// neurons fed back through a 4 x 4 weight) -> Unpack -> out [2][4], the
/// spikes summed over the steps.
std::vector<uint8_t> buildRecurrentArtifact() {
  flatbuffers::FlatBufferBuilder fbb;
  std::vector<float> weight(8 * 4), bias(4, 0.25f), recurrent(4 * 4);
  for (int k = 0; k < 8; ++k)
    for (int o = 0; o < 4; ++o)
      weight[k * 4 + o] = static_cast<float>((k + 2 * o) % 5) / 4.0f;
  for (int j = 0; j < 4; ++j)
    for (int k = 0; k < 4; ++k)
      recurrent[j * 4 + k] = j == k ? -0.5f : 0.125f;
  std::vector<uint8_t> data(256, 0);
  std::memcpy(data.data(), weight.data(), weight.size() * 4);
  std::memcpy(data.data() + 128, bias.data(), bias.size() * 4);
  std::memcpy(data.data() + 192, recurrent.data(), recurrent.size() * 4);

  const auto act = sfa::TensorKind::Activation;
  const auto constant = sfa::TensorKind::Constant;
  std::vector<int64_t> x = {2, 8}, w = {8, 4}, b = {4}, y = {2, 4}, r = {4, 4};
  using sfa::CreateTensorDirect;
  std::vector<flatbuffers::Offset<sfa::Tensor>> tensors = {
      CreateTensorDirect(fbb, "x", &x, sfa::Storage::F32, false, act, 0, 0, 64),
      CreateTensorDirect(fbb, "s", &x, sfa::Storage::PackedSpikes, true, act, 0,
                         64, 128),
      CreateTensorDirect(fbb, "w", &w, sfa::Storage::F32, false, constant, 0, 0,
                         128),
      CreateTensorDirect(fbb, "b", &b, sfa::Storage::F32, false, constant, 128,
                         0, 16),
      CreateTensorDirect(fbb, "y", &y, sfa::Storage::F32, true, act, 0, 192,
                         128),
      CreateTensorDirect(fbb, "rw", &r, sfa::Storage::F32, false, constant, 192,
                         0, 64),
      CreateTensorDirect(fbb, "z", &y, sfa::Storage::PackedSpikes, true, act, 0,
                         320, 64),
      CreateTensorDirect(fbb, "out", &y, sfa::Storage::F32, true, act, 0, 384,
                         128),
  };
  std::vector<float> leak = {0.5f}, gain = {1.0f}, zero = {0.0f},
                     threshold = {1.0f};
  const auto lif = [&] {
    return sfa::CreateLIFAttrsDirect(fbb, &leak, &gain, &zero, &threshold,
                                     &zero, &zero);
  };
  std::vector<uint32_t> lifIn = {0}, lifOut = {1}, fcIn = {1, 2, 3},
                        fcOut = {4}, recIn = {4, 5}, recOut = {6}, unIn = {6},
                        unOut = {7}, inputs = {0};
  std::vector<flatbuffers::Offset<sfa::Op>> ops = {
      sfa::CreateOpDirect(fbb, "lif", sfa::OpKind::LIF, sfa::Target::Host,
                          sfa::Kernel::Dense, 0, &lifIn, &lifOut,
                          sfa::OpAttrs::LIFAttrs, lif().Union()),
      sfa::CreateOpDirect(fbb, "fc", sfa::OpKind::Linear, sfa::Target::Host,
                          sfa::Kernel::SparseBinary, 0, &fcIn, &fcOut),
      sfa::CreateOpDirect(fbb, "rec", sfa::OpKind::RecurrentLIF,
                          sfa::Target::Host, sfa::Kernel::SparseBinary, 0,
                          &recIn, &recOut, sfa::OpAttrs::LIFAttrs,
                          lif().Union()),
      sfa::CreateOpDirect(fbb, "unpack", sfa::OpKind::Unpack, sfa::Target::Host,
                          sfa::Kernel::Dense, 0, &unIn, &unOut),
  };
  return hostArtifact(fbb, 4, tensors, ops, inputs, unOut, 512, data);
}

TEST(SessionRun, AllocatesNothing) {
  const std::vector<uint8_t> file = buildRecurrentArtifact();
  sf_instance_options_t options;
  sf_instance_options_initialize(&options);
  options.num_threads = 2;
  sf_instance_t *instance = nullptr;
  ASSERT_EQ(sf_instance_create(&options, nullptr, &instance), SF_OK);
  sf_model_t *model = nullptr;
  sf_status_t status = sf_model_create_from_memory(
      instance, file.data(), file.size(), nullptr, &model);
  ASSERT_EQ(status, SF_OK) << sf_status_message(status);
  sf_session_t *session = nullptr;
  ASSERT_EQ(sf_session_create(model, nullptr, nullptr, &session), SF_OK);
  std::vector<float> x = {1.5f, 0.2f, 2.5f, 0.0f, 3.0f, 1.1f, 0.7f, 2.2f,
                          0.4f, 2.9f, 1.9f, 0.1f, 2.4f, 0.0f, 1.3f, 3.1f};
  int64_t inShape[] = {2, 8}, outShape[] = {2, 4};
  sf_tensor_t *in = nullptr, *out = nullptr;
  ASSERT_EQ(sf_tensor_wrap(inShape, 2, x.data(), x.size() * sizeof(float),
                           nullptr, &in),
            SF_OK);
  ASSERT_EQ(sf_tensor_create(outShape, 2, nullptr, &out), SF_OK);

  // The first run too: nothing may be allocated lazily.
  for (int run = 0; run < 2; ++run) {
    allocations = 0;
    counting = true;
    status = sf_session_run(session, &in, 1, &out, 1);
    counting = false;
    ASSERT_EQ(status, SF_OK) << sf_status_message(status);
    EXPECT_EQ(allocations.load(), 0) << "run " << run;
  }
  // The recurrent neurons fired (the output sums their spikes over the
  // steps): the run went through their kernel's state.
  float fired = 0.0f;
  for (int64_t i = 0; i < 2 * 4; ++i)
    fired += sf_tensor_data(out)[i];
  EXPECT_GT(fired, 0.0f);

  sf_tensor_release(in);
  sf_tensor_release(out);
  sf_session_release(session);
  sf_model_release(model);
  sf_instance_release(instance);
}

} // namespace
