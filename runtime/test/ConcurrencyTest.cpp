//===- ConcurrencyTest.cpp - one model, many sessions, many threads -------===//
//
// Part of SparseFlow.
//
// The contract of api.h: a model is shared by every thread, each thread runs
// its own session, and the instance's thread pool serves them all. Results
// must not depend on that: every concurrent run equals the same run made
// alone on a one-thread instance, exactly. A session keeps its model (and
// the model its instance) alive: the caller may drop its references while
// the session runs on another thread. The test suite also runs this under
// ThreadSanitizer (ctest runtime-tsan).
//
//===----------------------------------------------------------------------===//

#include "CountingAllocator.h"
#include "TestArtifacts.h"

#include "core/ThreadPool.h"
#include "sparseflow/runtime/api.h"

#include <gtest/gtest.h>

#include <atomic>
#include <random>
#include <thread>
#include <vector>

using namespace sparseflow::runtime::test;

namespace {

constexpr int64_t kRows = 8, kIn = 64, kOut = 512;

sf_model_t *load(sf_instance_t *instance, const std::vector<uint8_t> &file) {
  sf_model_t *model = nullptr;
  EXPECT_EQ(sf_model_create_from_memory(instance, file.data(), file.size(),
                                        nullptr, &model),
            SF_OK);
  return model;
}

/// Runs `session` on `x`; the output, or empty on failure.
std::vector<float> run(sf_session_t *session, std::vector<float> &x) {
  int64_t inShape[] = {kRows, kIn}, outShape[] = {kRows, kOut};
  sf_tensor_t *in = nullptr, *out = nullptr;
  std::vector<float> y;
  if (sf_tensor_wrap(inShape, 2, x.data(), x.size() * sizeof(float), nullptr,
                     &in) == SF_OK &&
      sf_tensor_create(outShape, 2, nullptr, &out) == SF_OK &&
      sf_session_run(session, &in, 1, &out, 1) == SF_OK)
    y.assign(sf_tensor_data(out), sf_tensor_data(out) + kRows * kOut);
  sf_tensor_release(in);
  sf_tensor_release(out);
  return y;
}

sf_instance_t *instanceWith(unsigned threads) {
  sf_instance_options_t options;
  sf_instance_options_initialize(&options);
  options.num_threads = threads;
  sf_instance_t *instance = nullptr;
  EXPECT_EQ(sf_instance_create(&options, nullptr, &instance), SF_OK);
  return instance;
}

TEST(Concurrency, SessionsOnManyThreadsShareOneModel) {
  const std::vector<uint8_t> file = buildLinearArtifact(kRows, kIn, kOut);
  const int kThreads = 6, kRuns = 20;
  // The inputs and, from a one-thread instance, what each must give.
  std::vector<std::vector<std::vector<float>>> inputs(kThreads),
      expected(kThreads);
  sf_instance_t *serial = instanceWith(1);
  sf_model_t *reference = load(serial, file);
  sf_session_t *alone = nullptr;
  ASSERT_EQ(sf_session_create(reference, nullptr, nullptr, &alone), SF_OK);
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> value(-2.0f, 2.0f);
  for (int t = 0; t < kThreads; ++t)
    for (int r = 0; r < kRuns; ++r) {
      std::vector<float> x(kRows * kIn);
      for (float &v : x)
        v = value(rng);
      expected[t].push_back(run(alone, x));
      ASSERT_EQ(expected[t].back().size(), size_t(kRows * kOut));
      inputs[t].push_back(std::move(x));
    }
  sf_session_release(alone);
  sf_model_release(reference);
  sf_instance_release(serial);

  // One four-thread instance and one model for every thread; each thread
  // creates its own session, and retains and releases the model as it goes.
  sf_instance_t *shared = instanceWith(4);
  sf_model_t *model = load(shared, file);
  std::vector<int> mismatches(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      sf_model_retain(model);
      sf_session_t *session = nullptr;
      if (sf_session_create(model, nullptr, nullptr, &session) != SF_OK) {
        mismatches[t] = kRuns;
      } else {
        for (int r = 0; r < kRuns; ++r)
          mismatches[t] += run(session, inputs[t][r]) != expected[t][r];
        sf_session_release(session);
      }
      sf_model_release(model);
    });
  for (std::thread &thread : threads)
    thread.join();
  for (int t = 0; t < kThreads; ++t)
    EXPECT_EQ(mismatches[t], 0) << "thread " << t;
  sf_model_release(model);
  sf_instance_release(shared);
}

} // namespace

namespace {

TEST(Concurrency, ReleasingTheModelWhileASessionRunsKeepsItAlive) {
  const std::vector<uint8_t> file = buildLinearArtifact(kRows, kIn, kOut);
  CountingAllocator counting;
  sf_allocator_t allocator = counting.allocator();
  sf_instance_options_t options;
  sf_instance_options_initialize(&options);
  options.num_threads = 2;
  sf_instance_t *instance = nullptr;
  ASSERT_EQ(sf_instance_create(&options, &allocator, &instance), SF_OK);
  sf_model_t *model = nullptr;
  ASSERT_EQ(sf_model_create_from_memory(instance, file.data(), file.size(),
                                        &allocator, &model),
            SF_OK);
  sf_session_t *session = nullptr;
  ASSERT_EQ(sf_session_create(model, nullptr, &allocator, &session), SF_OK);
  std::vector<float> x(kRows * kIn, 0.25f);
  const std::vector<float> expected = run(session, x);
  ASSERT_EQ(expected.size(), size_t(kRows * kOut));

  // The session runs on its own thread while this one drops the caller's
  // references to the model and the instance.
  const int kRuns = 20;
  std::atomic<bool> started{false};
  int mismatches = 0;
  std::thread runner([&] {
    for (int r = 0; r < kRuns; ++r) {
      mismatches += run(session, x) != expected;
      started.store(true, std::memory_order_release);
    }
  });
  while (!started.load(std::memory_order_acquire))
    std::this_thread::yield();
  sf_model_release(model);
  sf_instance_release(instance);
  runner.join();
  EXPECT_EQ(mismatches, 0);
  EXPECT_EQ(run(session, x), expected);
  EXPECT_GT(counting.live(), 0u);

  // The last reference frees the session, the model and the instance.
  sf_session_release(session);
  EXPECT_EQ(counting.live(), 0u);
}

// parallelFor runs every index exactly once, in pieces of at least the
// grain, however the range, the grain and the thread count fall, back to
// back (the workers' spin) and from two callers at once (one runs its range
// alone).
TEST(ThreadPool, RunsEveryIndexOnceFromOneOrTwoCallers) {
  for (unsigned threads : {1u, 2u, 3u}) {
    sparseflow::runtime::ThreadPool pool(threads);
    for (int64_t n : {0, 1, 2, 7, 64, 1000})
      for (int64_t grain : {1, 3, 100}) {
        std::vector<std::atomic<int>> runs(n);
        std::atomic<bool> small{false};
        pool.parallelFor(n, grain, [&](int64_t begin, int64_t end) {
          if (end - begin < std::min(grain, n))
            small = true;
          for (int64_t i = begin; i < end; ++i)
            ++runs[i];
        });
        for (int64_t i = 0; i < n; ++i)
          ASSERT_EQ(runs[i].load(), 1) << n << " by " << grain << " at " << i;
        EXPECT_FALSE(small) << "a piece under the grain";
      }
    std::vector<std::atomic<int64_t>> sums(2);
    auto caller = [&](int which) {
      for (int round = 0; round < 200; ++round)
        pool.parallelFor(100, 1, [&](int64_t begin, int64_t end) {
          for (int64_t i = begin; i < end; ++i)
            sums[which] += i;
        });
    };
    std::thread other(caller, 1);
    caller(0);
    other.join();
    EXPECT_EQ(sums[0].load(), 200 * 4950);
    EXPECT_EQ(sums[1].load(), 200 * 4950);
  }
}

} // namespace
