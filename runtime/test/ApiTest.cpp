//===- ApiTest.cpp - allocators, references, versions of the C API --------===//
//
// Part of SparseFlow.
//
// Every object comes from the allocator its create function was given and
// goes back to it at its last release; running out of memory (or an
// allocator that throws) at any allocation of any create function gives a
// status and leaks nothing (the ASan build of ctest runtime-sanitized checks
// the C++ heap); retain keeps an object alive; the version is the build's.
// Releasing a model while its session runs on another thread is in
// ConcurrencyTest.cpp.
//
//===----------------------------------------------------------------------===//

#include "CountingAllocator.h"
#include "TestArtifacts.h"

#include "sparseflow/format/artifact_format.h"
#include "sparseflow/format/dram_format.h"
#include "sparseflow/format/dram_image.h"
#include "sparseflow/runtime/api.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

using namespace sparseflow;
using namespace sparseflow::runtime::test;

extern "C" int sf_test_api_from_c(const void *artifact, size_t size);

namespace {

std::string statusText(sf_status_t status) {
  std::string text =
      status ? std::string(sf_status_code_string(sf_status_code(status))) +
                   ": " + sf_status_message(status)
             : "ok";
  sf_status_free(status);
  return text;
}

/// A DRAM image file (DramLayers, T = 4) in the test's temporary directory,
/// named after the running test: ctest runs the tests in parallel.
std::string writeDramFile() {
  DramLayers layers;
  std::vector<uint8_t> bytes;
  dram::Result built = dram::buildImage(layers.specs, 4, bytes);
  EXPECT_TRUE(built.ok()) << built.message;
  const ::testing::TestInfo *test =
      ::testing::UnitTest::GetInstance()->current_test_info();
  std::string path = ::testing::TempDir() + test->test_suite_name() + "." +
                     test->name() + ".dram";
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char *>(bytes.data()), bytes.size());
  return path;
}

/// Every object the API hands out, made with one allocator.
struct Objects {
  sf_instance_t *instance = nullptr;
  sf_model_t *model = nullptr;
  sf_session_t *session = nullptr;
  sf_tensor_t *in = nullptr, *out = nullptr, *wrapped = nullptr;
  sf_dram_t *dram = nullptr;
  float borrowed[8] = {};

  /// Creates them in order; the first failure's status.
  sf_status_t create(const sf_allocator_t *allocator,
                     const std::vector<uint8_t> &artifact,
                     const std::string &dramPath) {
    int64_t inShape[] = {1, 8}, outShape[] = {1, 4};
    if (sf_status_t s = sf_instance_create(nullptr, allocator, &instance))
      return s;
    if (sf_status_t s = sf_model_create_from_memory(
            instance, artifact.data(), artifact.size(), allocator, &model))
      return s;
    if (sf_status_t s = sf_session_create(model, nullptr, allocator, &session))
      return s;
    if (sf_status_t s = sf_tensor_create(inShape, 2, allocator, &in))
      return s;
    if (sf_status_t s = sf_tensor_create(outShape, 2, allocator, &out))
      return s;
    if (sf_status_t s = sf_tensor_wrap(inShape, 2, borrowed, sizeof(borrowed),
                                       allocator, &wrapped))
      return s;
    return sf_dram_create_from_file(dramPath.c_str(), allocator, &dram);
  }

  /// Releases them in an order no one would choose: parents first.
  void release() {
    sf_instance_release(instance);
    sf_model_release(model);
    sf_session_release(session);
    sf_tensor_release(in);
    sf_tensor_release(out);
    sf_tensor_release(wrapped);
    sf_dram_release(dram);
    *this = Objects();
  }
};

TEST(Allocator, SystemAllocatorHonoursEveryAlignment) {
  sf_allocator_t system = sf_allocator_system();
  for (size_t alignment = 1; alignment <= SF_ALLOCATOR_MAX_ALIGNMENT;
       alignment *= 2)
    for (size_t size : {1, 3, 64, 1000}) {
      void *memory = system.allocate(system.self, size, alignment);
      ASSERT_NE(memory, nullptr);
      EXPECT_EQ(reinterpret_cast<uintptr_t>(memory) % alignment, 0u);
      system.deallocate(system.self, memory);
    }
}

TEST(Allocator, EveryObjectComesFromItAndGoesBackAtRelease) {
  std::vector<uint8_t> artifact = buildArtifact();
  std::string dramPath = writeDramFile();
  CountingAllocator counting;
  sf_allocator_t allocator = counting.allocator();
  Objects objects;
  ASSERT_EQ(statusText(objects.create(&allocator, artifact, dramPath)), "ok");
  // Seven objects, the artifact's copy, the arena, the two tensors' data.
  EXPECT_GE(counting.allocations(), 11u);
  EXPECT_GE(counting.largestLive(), artifact.size());
  EXPECT_EQ(counting.badRequests(), 0u);

  size_t before = counting.allocations();
  ASSERT_EQ(sf_session_run(objects.session, &objects.in, 1, &objects.out, 1),
            SF_OK);
  EXPECT_EQ(counting.allocations(), before) << "run allocated";
  objects.release();
  EXPECT_EQ(counting.live(), 0u);
}

TEST(Allocator, RunningOutAtAnyAllocationFailsCleanly) {
  std::vector<uint8_t> artifact = buildArtifact();
  std::string dramPath = writeDramFile();
  struct Case {
    CountingAllocator::Failure failure;
    const char *status;
  } cases[] = {
      {CountingAllocator::ReturnNull, "resource exhausted"},
      {CountingAllocator::ThrowBadAlloc, "resource exhausted: out of memory"},
      {CountingAllocator::ThrowOther,
       "internal: unexpected C++ exception: allocator broke"},
  };
  for (const Case &c : cases) {
    bool completed = false;
    size_t failures = 0;
    for (size_t failAt = 0; !completed && failAt < 100; ++failAt) {
      CountingAllocator counting;
      counting.failAt(failAt, c.failure);
      sf_allocator_t allocator = counting.allocator();
      Objects objects;
      std::string status =
          statusText(objects.create(&allocator, artifact, dramPath));
      completed = !counting.failed();
      failures += !completed;
      if (completed)
        EXPECT_EQ(status, "ok");
      else
        EXPECT_EQ(status.rfind(c.status, 0), 0u)
            << "allocation " << failAt << ": " << status;
      objects.release();
      EXPECT_EQ(counting.live(), 0u) << "allocation " << failAt;
    }
    EXPECT_TRUE(completed);
    EXPECT_GE(failures, 11u); // every allocation of every object failed once
  }
}

TEST(Allocator, MustHaveBothCallbacks) {
  CountingAllocator counting;
  sf_allocator_t allocator = counting.allocator();
  allocator.deallocate = nullptr;
  sf_instance_t *instance = nullptr;
  EXPECT_EQ(statusText(sf_instance_create(nullptr, &allocator, &instance)),
            "invalid argument: the allocator's allocate and deallocate "
            "callbacks must not be NULL");
  EXPECT_EQ(instance, nullptr);
  EXPECT_EQ(counting.allocations(), 0u);
}

TEST(References, RetainKeepsEveryObjectAlive) {
  std::vector<uint8_t> artifact = buildArtifact();
  CountingAllocator counting;
  sf_allocator_t allocator = counting.allocator();
  Objects objects;
  ASSERT_EQ(statusText(objects.create(&allocator, artifact, writeDramFile())),
            "ok");
  sf_instance_retain(objects.instance);
  sf_model_retain(objects.model);
  sf_session_retain(objects.session);
  sf_tensor_retain(objects.in);
  sf_tensor_retain(objects.out);
  sf_tensor_retain(objects.wrapped);
  sf_dram_retain(objects.dram);
  Objects extra = objects;
  size_t live = counting.live();
  objects.release();
  EXPECT_EQ(counting.live(), live);
  // Everything still works.
  ASSERT_EQ(sf_session_run(extra.session, &extra.in, 1, &extra.out, 1), SF_OK);
  EXPECT_EQ(sf_model_timesteps(extra.model), 4u);
  EXPECT_EQ(sf_dram_layer_count(extra.dram), 2u);
  extra.release();
  EXPECT_EQ(counting.live(), 0u);
  // NULL is ignored.
  sf_instance_retain(nullptr);
  sf_model_retain(nullptr);
  sf_session_retain(nullptr);
  sf_tensor_retain(nullptr);
  sf_dram_retain(nullptr);
}

TEST(Version, IsTheBuildsAndNamesTheFormats) {
  const sf_runtime_version_t *v = sf_runtime_version();
  ASSERT_NE(v, nullptr);
  EXPECT_STREQ(v->string, SF_TEST_RUNTIME_VERSION);
  EXPECT_EQ(std::to_string(v->major) + "." + std::to_string(v->minor) + "." +
                std::to_string(v->patch),
            v->string);
  EXPECT_EQ(v->artifact_major, uint32_t(SF_ARTIFACT_VERSION_MAJOR));
  EXPECT_EQ(v->artifact_minor, uint32_t(SF_ARTIFACT_VERSION_MINOR));
  EXPECT_EQ(v->dram_major, uint32_t(SF_DRAM_VERSION_MAJOR));
  EXPECT_EQ(v->dram_minor, uint32_t(SF_DRAM_VERSION_MINOR));
  EXPECT_EQ(sf_runtime_version(), v);
}

TEST(Api, WorksFromC) {
  std::vector<uint8_t> artifact = buildArtifact();
  EXPECT_EQ(sf_test_api_from_c(artifact.data(), artifact.size()), 0)
      << "the check on that line of ApiFromC.c failed";
}

} // namespace

TEST(Api, RecordedSpikesAreWhatEachSpikingOpWrote) {
  // fc -> lif -> unpack with the Sum readout: the output counts each
  // neuron's spikes, so the recorded words of the lif op must popcount to it.
  std::vector<uint8_t> artifact = buildArtifact();
  sf_instance_t *instance = nullptr;
  sf_model_t *model = nullptr;
  ASSERT_EQ(sf_instance_create(nullptr, nullptr, &instance), SF_OK);
  ASSERT_EQ(sf_model_create_from_memory(instance, artifact.data(),
                                        artifact.size(), nullptr, &model),
            SF_OK);
  ASSERT_EQ(sf_model_op_count(model), 3u);
  EXPECT_STREQ(sf_model_op_name(model, 1), "lif");
  EXPECT_EQ(sf_model_op_name(model, 3), nullptr);
  sf_session_options_t options;
  sf_session_options_initialize(&options);
  EXPECT_EQ(options.record_spikes, 0);
  options.record_spikes = 1;
  sf_session_t *session = nullptr, *plain = nullptr;
  ASSERT_EQ(sf_session_create(model, &options, nullptr, &session), SF_OK);
  ASSERT_EQ(sf_session_create(model, nullptr, nullptr, &plain), SF_OK);
  size_t rank = 7;
  EXPECT_EQ(sf_session_recorded_spikes(session, 1, &rank, nullptr), nullptr)
      << "nothing ran yet";
  EXPECT_EQ(rank, 0u);

  int64_t inShape[] = {1, 8}, outShape[] = {1, 4};
  sf_tensor_t *in = nullptr, *out = nullptr;
  ASSERT_EQ(sf_tensor_create(inShape, 2, nullptr, &in), SF_OK);
  ASSERT_EQ(sf_tensor_create(outShape, 2, nullptr, &out), SF_OK);
  const float x[] = {0.1f, 0.3f, 0.9f, 1.7f, 0, 0, 0, 0};
  std::copy(x, x + 8, sf_tensor_data(in));
  for (sf_session_t *s : {session, plain})
    ASSERT_EQ(sf_session_run(s, &in, 1, &out, 1), SF_OK);

  int64_t shape[SF_MAX_RANK] = {};
  const uint64_t *words = sf_session_recorded_spikes(session, 1, &rank, shape);
  ASSERT_NE(words, nullptr);
  ASSERT_EQ(rank, 2u);
  EXPECT_EQ(shape[0], 1);
  EXPECT_EQ(shape[1], 4);
  int total = 0;
  for (int k = 0; k < 4; ++k) {
    EXPECT_EQ(static_cast<float>(__builtin_popcountll(words[k])),
              sf_tensor_data(out)[k])
        << "neuron " << k;
    EXPECT_EQ(words[k] >> 4, 0u) << "bits beyond T = 4";
    total += __builtin_popcountll(words[k]);
  }
  EXPECT_GT(total, 0);
  // The float ops wrote no spikes; the plain session recorded nothing.
  EXPECT_EQ(sf_session_recorded_spikes(session, 0, &rank, shape), nullptr);
  EXPECT_EQ(sf_session_recorded_spikes(session, 2, nullptr, nullptr), nullptr);
  EXPECT_EQ(sf_session_recorded_spikes(session, 9, nullptr, nullptr), nullptr);
  EXPECT_EQ(sf_session_recorded_spikes(plain, 1, &rank, shape), nullptr);
  EXPECT_EQ(sf_session_recorded_spikes(nullptr, 1, &rank, shape), nullptr);
  sf_tensor_release(in);
  sf_tensor_release(out);
  sf_session_release(session);
  sf_session_release(plain);
  sf_model_release(model);
  sf_instance_release(instance);
}
