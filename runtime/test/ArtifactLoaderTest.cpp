//===- ArtifactLoaderTest.cpp - the loader rejects bad artifacts ----------===//
//
// Part of SparseFlow.
//
// A small valid artifact (linear -> LIF -> unpack) is built here with the
// FlatBuffers builder, then damaged: truncated at every length, wrong magic,
// other versions, flipped bytes with and without a fixed-up checksum, and
// plans that are well-formed FlatBuffers but wrong (overlapping live
// tensors, reads before writes, shape mismatches). Loading must fail with a
// precise message or, for a damaged plan the validator accepts, run without
// touching memory outside its buffers.
//
//===----------------------------------------------------------------------===//

#include "TestArtifacts.h"

#include "sparseflow/format/artifact_format.h"
#include "sparseflow/runtime/api.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

namespace sfa = sparseflow::sfa;
using namespace sparseflow::runtime::test;

namespace {

void fixChecksum(std::vector<uint8_t> &file) {
  uint32_t crc = sf_crc32c(0, file.data() + SF_ARTIFACT_HEADER_SIZE,
                           file.size() - SF_ARTIFACT_HEADER_SIZE);
  std::memcpy(file.data() + offsetof(sf_artifact_header_t, checksum), &crc, 4);
}

/// "code: message", and frees the status.
std::string statusText(sf_status_t status) {
  std::string text =
      std::string(sf_status_code_string(sf_status_code(status))) + ": " +
      sf_status_message(status);
  sf_status_free(status);
  return text;
}

/// Runs the test artifact with `options` (null: the defaults) on an input
/// whose expected output ValidArtifactRuns derives; returns "" and the
/// output, or the failing call's status.
std::string runOn(sf_model_t *model, const sf_session_options_t *options,
                  std::vector<float> &out) {
  sf_session_t *session = nullptr;
  if (sf_status_t status = sf_session_create(model, options, nullptr, &session))
    return statusText(status);
  float x[8] = {0.6f, 1.0f, 0.2f, 0.0f, 9, 9, 9, 9};
  int64_t inShape[] = {1, 8}, outShape[] = {1, 4};
  sf_tensor_t *in = nullptr, *y = nullptr;
  sf_status_t status = sf_tensor_wrap(inShape, 2, x, sizeof(x), nullptr, &in);
  if (!status)
    status = sf_tensor_create(outShape, 2, nullptr, &y);
  if (!status)
    status = sf_session_run(session, &in, 1, &y, 1);
  if (!status)
    out.assign(sf_tensor_data(y), sf_tensor_data(y) + 4);
  sf_tensor_release(in);
  sf_tensor_release(y);
  sf_session_release(session);
  return status ? statusText(status) : "";
}

/// Runs the test artifact on `backend`.
std::string runOn(sf_model_t *model, sf_backend_t backend,
                  std::vector<float> &out) {
  sf_session_options_t options;
  sf_session_options_initialize(&options);
  options.backend = backend;
  return runOn(model, &options, out);
}

class Loader : public ::testing::Test {
protected:
  void SetUp() override {
    sf_instance_options_t options;
    sf_instance_options_initialize(&options);
    options.num_threads = 2;
    ASSERT_EQ(sf_instance_create(&options, nullptr, &instance), SF_OK);
  }
  void TearDown() override { sf_instance_release(instance); }

  /// Loads `file`; returns "" on success, else the code name and message.
  std::string load(const std::vector<uint8_t> &file,
                   sf_model_t **out = nullptr) {
    sf_model_t *model = nullptr;
    sf_status_t status = sf_model_create_from_memory(
        instance, file.data(), file.size(), nullptr, &model);
    if (status) {
      EXPECT_EQ(model, nullptr);
      return statusText(status);
    }
    if (out)
      *out = model;
    else
      sf_model_release(model);
    return "";
  }

  sf_instance_t *instance = nullptr;
};

TEST_F(Loader, ValidArtifactRuns) {
  sf_model_t *model = nullptr;
  ASSERT_EQ(load(buildArtifact(), &model), "");
  EXPECT_EQ(sf_model_timesteps(model), 4u);
  EXPECT_STREQ(sf_model_producer(model), "test");
  std::vector<float> y;
  ASSERT_EQ(runOn(model, nullptr, y), "");
  // Drive x + 0.5 each step, leak 0.5, threshold 1, hard reset to 0:
  // 1.1 fires every step; 1.5 every step; 0.7 at steps 1, 3; 0.5 never
  // (0.5, 0.75, 0.875, 0.9375). Sum readout.
  EXPECT_EQ(y, (std::vector<float>{4, 4, 2, 0}));
  sf_model_release(model);
}

// A CubaLIF carries a synaptic current and a LIF none. With syn_leak = 1 the
// current is the input: the LIF's spikes; with syn_leak = 0.5, syn_gain = 1
// the current builds up (1.1: 1.1, 1.65, 1.925, ...), so 0.7 fires more.
TEST_F(Loader, CurrentBasedNeuronsCarryTheirSynapse) {
  PlanSpec lifWithSynapse;
  lifWithSynapse.synLeak = lifWithSynapse.synGain = {1.0f};
  EXPECT_EQ(load(buildArtifact(lifWithSynapse)),
            "data loss: invalid artifact: op #1 (LIF \"lif\"): only CubaLIF "
            "and LI neurons have a synaptic current");
  PlanSpec noSynapse;
  noSynapse.neuronKind = sfa::OpKind::CubaLIF;
  EXPECT_NE(load(buildArtifact(noSynapse)).find("LIF parameters must hold"),
            std::string::npos);
  PlanSpec half = noSynapse;
  half.synLeak = {1.0f};
  half.synGain = {1.0f, 2.0f};
  EXPECT_NE(load(buildArtifact(half)).find("LIF parameters must hold"),
            std::string::npos);
  for (float synLeak : {1.0f, 0.5f}) {
    PlanSpec spec = noSynapse;
    spec.synLeak = {synLeak};
    spec.synGain = {1.0f};
    sf_model_t *model = nullptr;
    ASSERT_EQ(load(buildArtifact(spec), &model), "");
    std::vector<float> y;
    ASSERT_EQ(runOn(model, nullptr, y), "");
    // x + 0.5 = 1.1, 1.5, 0.7, 0.5; leak 0.5, threshold 1, hard reset.
    const std::vector<float> expected = synLeak == 1.0f
                                            ? std::vector<float>{4, 4, 2, 0}
                                            : std::vector<float>{4, 4, 3, 2};
    EXPECT_EQ(y, expected);
    sf_model_release(model);
  }
}

// The cuda backend runs the model as the host does where a device is, and
// says why not elsewhere; auto runs the ops compiled for the GPU there, or
// on the host without one.
TEST_F(Loader, CudaBackendRunsLikeTheHostOrSaysWhyNot) {
  PlanSpec spec;
  spec.target = sfa::Target::Gpu;
  sf_model_t *model = nullptr;
  ASSERT_EQ(load(buildArtifact(spec), &model), "");
  std::vector<float> host, cuda, automatic;
  ASSERT_EQ(runOn(model, SF_BACKEND_HOST, host), "");
  EXPECT_EQ(host, (std::vector<float>{4, 4, 2, 0}));
  ASSERT_EQ(runOn(model, SF_BACKEND_AUTO, automatic), "");
  EXPECT_EQ(automatic, host);
  std::string status = runOn(model, SF_BACKEND_CUDA, cuda);
  if (sf_instance_has_backend(instance, SF_BACKEND_CUDA)) {
    EXPECT_EQ(status, "");
    EXPECT_EQ(cuda, host);
  } else {
#ifdef SF_TEST_CUDA_DEVICE
    EXPECT_NE(status.find("unavailable: the cuda backend cannot run: no CUDA "
                          "device"),
              std::string::npos)
        << status;
#else
    EXPECT_NE(status.find("built without its CUDA backend"),
              std::string::npos)
        << status;
#endif
  }
  sf_model_release(model);
}

TEST_F(Loader, RejectsEveryTruncation) {
  std::vector<uint8_t> file = buildArtifact();
  for (size_t size = 0; size < file.size(); ++size) {
    std::vector<uint8_t> cut(file.begin(), file.begin() + size);
    std::string error = load(cut);
    ASSERT_NE(error, "") << "size " << size;
    ASSERT_EQ(error.rfind("data loss: ", 0), 0u) << error;
  }
  EXPECT_EQ(load({}), "data loss: not a SparseFlow artifact: 0 bytes is "
                      "shorter than the 64-byte header");
  std::vector<uint8_t> cut(file.begin(), file.end() - 1);
  EXPECT_EQ(load(cut), "data loss: truncated or padded artifact: the header "
                       "records " +
                           std::to_string(file.size()) + " bytes, the file has " +
                           std::to_string(file.size() - 1));
}

TEST_F(Loader, RejectsWrongMagicAndVersions) {
  std::vector<uint8_t> file = buildArtifact();
  file[1] = 'X';
  EXPECT_EQ(load(file), "data loss: not a SparseFlow artifact: wrong magic "
                        "bytes at offset 0");
  const std::string major = std::to_string(SF_ARTIFACT_VERSION_MAJOR),
                    minor = std::to_string(SF_ARTIFACT_VERSION_MINOR),
                    runtime = "(" + major + "." + minor + ")";
  PlanSpec newerMinor;
  newerMinor.minor = SF_ARTIFACT_VERSION_MINOR + 1;
  EXPECT_EQ(load(buildArtifact(newerMinor)),
            "incompatible: artifact version " + major + "." +
                std::to_string(SF_ARTIFACT_VERSION_MINOR + 1) +
                " is newer than this runtime " + runtime +
                "; update the runtime");
  PlanSpec newerMajor;
  newerMajor.major = SF_ARTIFACT_VERSION_MAJOR + 1;
  EXPECT_EQ(load(buildArtifact(newerMajor)),
            "incompatible: artifact version " +
                std::to_string(SF_ARTIFACT_VERSION_MAJOR + 1) + "." + minor +
                " is newer than this runtime " + runtime +
                "; update the runtime");
  PlanSpec older;
  older.major = 0;
  EXPECT_EQ(load(buildArtifact(older)),
            "incompatible: artifact version 0." + minor +
                " is older than and incompatible with this runtime " + runtime +
                "; recompile the model");
}

TEST_F(Loader, ChecksumCatchesEveryFlippedByte) {
  std::vector<uint8_t> file = buildArtifact();
  for (size_t i = SF_ARTIFACT_HEADER_SIZE; i < file.size(); ++i) {
    std::vector<uint8_t> damaged = file;
    damaged[i] ^= 0x01;
    std::string error = load(damaged);
    ASSERT_NE(error.find("checksum mismatch"), std::string::npos)
        << "byte " << i << ": " << error;
  }
}

/// With the checksum recomputed, a damaged plan reaches the verifier and the
/// validator. Every one of the 3 x plan-size cases must end one of two
/// ways: rejected as data loss by the verifier or the validator with a
/// message naming the part that is wrong, or accepted, and then the session
/// is created and runs, and its output (a sum of spikes) holds whole
/// numbers of spikes in [0, T]: a damaged weight or name changes values, it
/// cannot break the plan's meaning.
TEST_F(Loader, DamagedPlansAreRejectedOrRunSafely) {
  std::vector<uint8_t> file = buildArtifact();
  sf_artifact_header_t header;
  std::memcpy(&header, file.data(), sizeof(header));
  const char *const parts[] = {
      "the plan at offset 64 fails the FlatBuffers verifier", "tensor #",
      "tensors #", "op #", "model input #", "model output #", "the arena is ",
      "timesteps ", "unknown encoding or readout", "the plan lists no outputs"};
  int rejected = 0, accepted = 0;
  for (uint64_t i = header.plan_offset;
       i < header.plan_offset + header.plan_size; ++i)
    for (uint8_t flip : {0x01, 0x80, 0xFF}) {
      SCOPED_TRACE(::testing::Message()
                   << "byte " << i << " ^ " << int(flip));
      std::vector<uint8_t> damaged = file;
      damaged[i] ^= flip;
      fixChecksum(damaged);
      sf_model_t *model = nullptr;
      if (std::string error = load(damaged, &model); !error.empty()) {
        ++rejected;
        const std::string prefix = "data loss: invalid artifact: ";
        ASSERT_EQ(error.compare(0, prefix.size(), prefix), 0) << error;
        bool named = false;
        for (const char *part : parts)
          named |= error.compare(prefix.size(), std::strlen(part), part) == 0;
        EXPECT_TRUE(named) << error;
        continue;
      }
      ++accepted;
      sf_session_t *session = nullptr;
      sf_status_t created =
          sf_session_create(model, nullptr, nullptr, &session);
      ASSERT_EQ(created, SF_OK) << statusText(created);
      int64_t shape[SF_MAX_RANK];
      size_t rank = 0;
      sf_tensor_t *in = nullptr, *out = nullptr;
      ASSERT_EQ(sf_model_input_shape(model, 0, &rank, shape), SF_OK);
      ASSERT_EQ(sf_tensor_create(shape, rank, nullptr, &in), SF_OK);
      ASSERT_EQ(sf_model_output_shape(model, 0, &rank, shape), SF_OK);
      ASSERT_EQ(sf_tensor_create(shape, rank, nullptr, &out), SF_OK);
      ASSERT_EQ(sf_session_run(session, &in, 1, &out, 1), SF_OK);
      const float T = static_cast<float>(sf_model_timesteps(model));
      for (size_t e = 0; e < sf_tensor_element_count(out); ++e) {
        float v = sf_tensor_data(out)[e];
        ASSERT_TRUE(v >= 0 && v <= T && v == std::floor(v)) << v;
      }
      sf_tensor_release(in);
      sf_tensor_release(out);
      sf_session_release(session);
      sf_model_release(model);
    }
  // Both outcomes occur: most damage breaks the plan, some (a flipped
  // weight or name) leaves a valid one.
  EXPECT_GT(rejected, 0);
  EXPECT_GT(accepted, 0);
}

TEST_F(Loader, RejectsInconsistentPlans) {
  PlanSpec overlap;
  overlap.lifArenaOffset = 64; // where the linear output is still live
  EXPECT_EQ(load(buildArtifact(overlap)),
            "data loss: invalid artifact: tensors #3 (\"fc\") and #4 "
            "(\"lif\") are live at the same time and overlap in the arena");
  PlanSpec order;
  order.swapOps = true;
  EXPECT_EQ(load(buildArtifact(order)),
            "data loss: invalid artifact: op #0 (LIF \"lif\"): reads tensor "
            "#3 (\"fc\") before any op writes it");
  PlanSpec shape;
  shape.linearOutShape = {1, 5};
  EXPECT_NE(load(buildArtifact(shape)).find("byte size 16 does not match"),
            std::string::npos);
}

// Callers exchange a spike input, and an output of the `all` readout, with
// the steps first (sf_model_input_shape): a rank-8 one would not fit the
// SF_MAX_RANK values those calls write.
TEST_F(Loader, CallerShapesFitTheRankLimit) {
  for (bool spikeInput : {true, false}) {
    flatbuffers::FlatBufferBuilder fbb;
    std::vector<int64_t> shape = {1, 1, 1, 1, 1, 1, 1, 2};
    const auto act = sfa::TensorKind::Activation;
    std::vector<flatbuffers::Offset<sfa::Tensor>> tensors = {
        sfa::CreateTensorDirect(fbb, "x", &shape, sfa::Storage::PackedSpikes,
                                true, act, 0, 0, 16),
        sfa::CreateTensorDirect(fbb, "y", &shape, sfa::Storage::F32, true, act,
                                0, 64, 32),
    };
    std::vector<uint32_t> in = {0}, out = {1};
    std::vector<flatbuffers::Offset<sfa::Op>> ops = {sfa::CreateOpDirect(
        fbb, "unpack", sfa::OpKind::Unpack, sfa::Target::Host,
        sfa::Kernel::Dense, 0, &in, &out)};
    std::vector<sfa::Target> targets = {sfa::Target::Host};
    auto root = sfa::CreateModelDirect(
        fbb, "test", 4,
        spikeInput ? sfa::Encoding::Spikes : sfa::Encoding::Rate,
        spikeInput ? sfa::Readout::Sum : sfa::Readout::All, &targets, &tensors,
        &ops, &in, &out, 128);
    sfa::FinishModelBuffer(fbb, root);
    EXPECT_EQ(load(container(fbb, {}, PlanSpec{})),
              spikeInput
                  ? "data loss: invalid artifact: model input #0 has "
                    "rank 8, 9 with the steps; the runtime's limit is 8"
                  : "data loss: invalid artifact: model output #1 has "
                    "rank 8, 9 with the steps; the runtime's limit is 8");
  }
}

// Sizes a file declares are bounded by what the file and its model can
// justify, and their arithmetic is checked: each case ends in a precise
// error instead of a hang, a wrapped size or gigabytes reserved.
TEST_F(Loader, BoundsEverySizeTheFileDeclares) {
  // A pooling window of 2^40 taps behind pads of 2^39 - 1 passed validation
  // and ran forever.
  int64_t huge = int64_t{1} << 40;
  EXPECT_EQ(load(buildPoolArtifact(huge, huge / 2 - 1, 1, 4)),
            "data loss: invalid artifact: op #0 (MaxPool2d \"pool\"): pad "
            "549755813887 along the height exceeds the input (4) or the "
            "window (1099511627776 taps, dilation 1)");
  // d * (k - 1) overflowed int64 in the output size rule.
  EXPECT_EQ(load(buildPoolArtifact((int64_t{1} << 32) + 1, 0,
                                   int64_t{1} << 32, 1)),
            "data loss: invalid artifact: op #0 (MaxPool2d \"pool\"): the "
            "window's height overflows 64 bits");
  // A pad no smaller than the window.
  EXPECT_NE(load(buildPoolArtifact(2, 2, 1, 7)).find("pad 2 along the "
                                                    "height exceeds"),
            std::string::npos);
  // The bounds leave ordinary windows alone: 3x3, pad 1 runs.
  sf_model_t *model = nullptr;
  ASSERT_EQ(load(buildPoolArtifact(3, 1, 1, 4), &model), "");
  sf_model_release(model);

  // A 16 GiB arena for 256 bytes of tensors was accepted silently.
  PlanSpec arena;
  arena.arenaSize = uint64_t{16} << 30;
  EXPECT_EQ(load(buildArtifact(arena)),
            "data loss: invalid artifact: the arena is 17179869184 bytes, its "
            "tensors occupy 256");
  // cores = 4e9 let bad_alloc escape sf_session_create with profiling.
  PlanSpec cores;
  cores.spikecoreCores = 4000000000u;
  EXPECT_EQ(load(buildArtifact(cores)),
            "data loss: invalid artifact: the SpikeCore target declares "
            "4000000000 cores, more than the 1048576 the runtime supports");
  cores.spikecoreCores = SF_MAX_SPIKECORE_CORES;
  ASSERT_EQ(load(buildArtifact(cores), &model), "");
  sf_session_options_t options;
  sf_session_options_initialize(&options);
  options.profile = 1;
  std::vector<float> y;
  EXPECT_EQ(runOn(model, &options, y), "");
  sf_model_release(model);
}

TEST_F(Loader, ChecksEveryOpAgainstTheCatalogue) {
  // Only the ops the catalogue gives a sparse kernel may ask for one.
  PlanSpec sparse;
  sparse.unpackKernel = sfa::Kernel::SparseBinary;
  EXPECT_EQ(load(buildArtifact(sparse)),
            "data loss: invalid artifact: op #2 (Unpack \"unpack\"): Unpack "
            "has no SparseBinary kernel");
  PlanSpec unknown;
  unknown.unpackKernel = static_cast<sfa::Kernel>(7);
  EXPECT_EQ(load(buildArtifact(unknown)),
            "data loss: invalid artifact: op #2 (Unpack \"unpack\"): unknown "
            "kernel");
}

TEST_F(Loader, PadsAreCheckedAgainstTheOutputAndRun) {
  // [1, 4] padded by 1 before and 2 after the last dimension: [1, 7].
  sf_model_t *model = nullptr;
  ASSERT_EQ(load(buildPadArtifact({0, 1, 0, 2}, -1.0f, {1, 7}), &model), "");
  sf_session_t *session = nullptr;
  ASSERT_EQ(sf_session_create(model, nullptr, nullptr, &session), SF_OK);
  int64_t inShape[] = {1, 4}, outShape[] = {1, 7};
  sf_tensor_t *in = nullptr, *out = nullptr;
  ASSERT_EQ(sf_tensor_create(inShape, 2, nullptr, &in), SF_OK);
  ASSERT_EQ(sf_tensor_create(outShape, 2, nullptr, &out), SF_OK);
  for (int i = 0; i < 4; ++i)
    sf_tensor_data(in)[i] = static_cast<float>(i + 1);
  ASSERT_EQ(sf_session_run(session, &in, 1, &out, 1), SF_OK);
  std::vector<float> got(sf_tensor_data(out), sf_tensor_data(out) + 7);
  EXPECT_EQ(got, (std::vector<float>{-1, 1, 2, 3, 4, -1, -1}));
  sf_tensor_release(in);
  sf_tensor_release(out);
  sf_session_release(session);
  sf_model_release(model);

  EXPECT_EQ(load(buildPadArtifact({0, 1, 0}, 0.0f, {1, 5})),
            "data loss: invalid artifact: op #0 (Pad \"pad\"): Pad needs 2 x "
            "rank = 4 pads >= 0 and a finite value");
  EXPECT_EQ(load(buildPadArtifact({0, -1, 0, 2}, 0.0f, {1, 5})),
            "data loss: invalid artifact: op #0 (Pad \"pad\"): Pad needs 2 x "
            "rank = 4 pads >= 0 and a finite value");
  EXPECT_EQ(load(buildPadArtifact({0, 1, 0, 1}, 0.0f, {1, 7})),
            "data loss: invalid artifact: op #0 (Pad \"pad\"): output "
            "dimension 1 must be 4 + pads");
  // A pad that would wrap around 64 bits.
  EXPECT_EQ(load(buildPadArtifact({0, int64_t{1} << 62, 0, int64_t{1} << 62},
                                  0.0f, {1, 7})),
            "data loss: invalid artifact: op #0 (Pad \"pad\"): output "
            "dimension 1 must be 4 + pads");
}

TEST_F(Loader, PointwiseAndSoftmaxAreCheckedAndRun) {
  auto pointwise = [](uint8_t function, float min) {
    return buildUnaryArtifact(
        sfa::OpKind::Pointwise, sfa::OpAttrs::PointwiseAttrs,
        [=](flatbuffers::FlatBufferBuilder &fbb) {
          return sfa::CreatePointwiseAttrs(
                     fbb, static_cast<sfa::PointwiseFunction>(function), 0.0f,
                     min, 2.5f)
              .Union();
        });
  };
  auto run = [&](std::vector<uint8_t> artifact) {
    sf_model_t *model = nullptr;
    EXPECT_EQ(load(std::move(artifact), &model), "");
    sf_session_t *session = nullptr;
    EXPECT_EQ(sf_session_create(model, nullptr, nullptr, &session), SF_OK);
    int64_t shape[] = {1, 4};
    sf_tensor_t *in = nullptr, *out = nullptr;
    EXPECT_EQ(sf_tensor_create(shape, 2, nullptr, &in), SF_OK);
    EXPECT_EQ(sf_tensor_create(shape, 2, nullptr, &out), SF_OK);
    const float x[] = {-1.0f, 0.5f, 2.0f, 3.0f};
    std::copy(x, x + 4, sf_tensor_data(in));
    EXPECT_EQ(sf_session_run(session, &in, 1, &out, 1), SF_OK);
    std::vector<float> got(sf_tensor_data(out), sf_tensor_data(out) + 4);
    sf_tensor_release(in);
    sf_tensor_release(out);
    sf_session_release(session);
    sf_model_release(model);
    return got;
  };
  // Clip to [0, 2.5]; the Sum readout of one step is the step.
  EXPECT_EQ(run(pointwise(2, 0.0f)), (std::vector<float>{0, 0.5f, 2, 2.5f}));
  std::vector<float> softmax = run(buildUnaryArtifact(
      sfa::OpKind::Softmax, sfa::OpAttrs::SoftmaxAttrs,
      [](flatbuffers::FlatBufferBuilder &fbb) {
        return sfa::CreateSoftmaxAttrs(fbb, false).Union();
      }));
  EXPECT_NEAR(softmax[0] + softmax[1] + softmax[2] + softmax[3], 1.0f, 1e-6f);
  EXPECT_LT(softmax[0], softmax[1]);

  // A Slice reversing the row, and one reading past its end.
  auto slice = [](std::vector<int64_t> starts, std::vector<int64_t> steps) {
    return buildUnaryArtifact(
        sfa::OpKind::Slice, sfa::OpAttrs::SliceAttrs,
        [=](flatbuffers::FlatBufferBuilder &fbb) {
          return sfa::CreateSliceAttrsDirect(fbb, &starts, &steps).Union();
        });
  };
  EXPECT_EQ(run(slice({0, 3}, {1, -1})), (std::vector<float>{3, 2, 0.5f, -1}));
  EXPECT_EQ(load(slice({0, 1}, {1, 1})),
            "data loss: invalid artifact: op #0 (Slice \"op\"): slice of "
            "dimension 1 (size 4) from 1 by 1 for 4 elements leaves the input");

  EXPECT_EQ(load(pointwise(7, 0.0f)),
            "data loss: invalid artifact: op #0 (Pointwise \"op\"): missing "
            "or unknown Pointwise function");
  EXPECT_EQ(load(pointwise(2, std::nanf(""))),
            "data loss: invalid artifact: op #0 (Pointwise \"op\"): "
            "Pointwise parameters must not be NaN (alpha finite)");
  EXPECT_EQ(load(buildUnaryArtifact(sfa::OpKind::Softmax,
                                    sfa::OpAttrs::SoftmaxAttrs, nullptr)),
            "data loss: invalid artifact: op #0 (Softmax \"op\"): missing "
            "Softmax attributes");
}

TEST_F(Loader, SpikeProductsReadTheirLeftOperandPacked) {
  // The sparse product of spikes and floats loads and runs: each output is
  // the step's spikes times b, summed over the 4 steps (Sum readout).
  sf_model_t *model = nullptr;
  ASSERT_EQ(
      load(buildMatMulArtifact(sfa::Kernel::SparseBinary, 0, false), &model),
      "");
  sf_session_t *session = nullptr;
  ASSERT_EQ(sf_session_create(model, nullptr, nullptr, &session), SF_OK);
  int64_t xShape[] = {1, 2, 4}, bShape[] = {1, 4, 2}, yShape[] = {1, 2, 2};
  sf_tensor_t *in[2] = {nullptr, nullptr}, *out = nullptr;
  ASSERT_EQ(sf_tensor_create(xShape, 3, nullptr, &in[0]), SF_OK);
  ASSERT_EQ(sf_tensor_create(bShape, 3, nullptr, &in[1]), SF_OK);
  ASSERT_EQ(sf_tensor_create(yShape, 3, nullptr, &out), SF_OK);
  // Row 0 of x drives its neurons to the threshold (1) at every step, and
  // the hard reset to 0 starts them over; row 1 never fires.
  const float x[] = {1, 1, 1, 1, 0, 0, 0, 0};
  const float b[] = {1, 2, 3, 4, 5, 6, 7, 8};
  std::copy(x, x + 8, sf_tensor_data(in[0]));
  std::copy(b, b + 8, sf_tensor_data(in[1]));
  ASSERT_EQ(sf_session_run(session, in, 2, &out, 1), SF_OK);
  // Row 0: 4 steps of (1+3+5+7, 2+4+6+8); row 1: nothing.
  std::vector<float> got(sf_tensor_data(out), sf_tensor_data(out) + 4);
  EXPECT_EQ(got, (std::vector<float>{64, 80, 0, 0}));
  sf_tensor_release(in[0]);
  sf_tensor_release(in[1]);
  sf_tensor_release(out);
  sf_session_release(session);
  sf_model_release(model);

  EXPECT_EQ(load(buildMatMulArtifact(sfa::Kernel::SparseBinary, 0, true)),
            "data loss: invalid artifact: op #1 (MatMul \"qk\"): the sparse "
            "kernel reads input 0 as packed spikes");
  EXPECT_EQ(load(buildMatMulArtifact(sfa::Kernel::SparseBinary, 8, false)),
            "data loss: invalid artifact: op #1 (MatMul \"qk\"): a MatMul "
            "has no block size");
}

TEST_F(Loader, TensorSizesAreChecked) {
  sf_tensor_t *tensor = nullptr;
  int64_t wraps[] = {int64_t{1} << 40, int64_t{1} << 40};
  sf_status_t status = sf_tensor_create(wraps, 2, nullptr, &tensor);
  EXPECT_EQ(tensor, nullptr);
  EXPECT_EQ(statusText(status),
            "out of range: the shape's 2 dimensions hold more float32 bytes "
            "than fit in memory (dimension 1 is 1099511627776)");
  float data[4];
  EXPECT_EQ(statusText(
                sf_tensor_wrap(wraps, 2, data, sizeof(data), nullptr, &tensor)),
            "out of range: the shape's 2 dimensions hold more float32 bytes "
            "than fit in memory (dimension 1 is 1099511627776)");
}

TEST_F(Loader, InputsMustBeFinite) {
  sf_model_t *model = nullptr;
  ASSERT_EQ(load(buildArtifact(), &model), "");
  sf_session_t *session = nullptr;
  ASSERT_EQ(sf_session_create(model, nullptr, nullptr, &session), SF_OK);
  int64_t inShape[] = {1, 8}, outShape[] = {1, 4};
  sf_tensor_t *in = nullptr, *out = nullptr;
  ASSERT_EQ(sf_tensor_create(inShape, 2, nullptr, &in), SF_OK);
  ASSERT_EQ(sf_tensor_create(outShape, 2, nullptr, &out), SF_OK);
  sf_tensor_data(in)[5] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_EQ(statusText(sf_session_run(session, &in, 1, &out, 1)),
            "invalid argument: input 0 element 5 is nan; inputs must be "
            "finite");
  sf_tensor_data(in)[5] = -std::numeric_limits<float>::infinity();
  EXPECT_EQ(statusText(sf_session_run(session, &in, 1, &out, 1)),
            "invalid argument: input 0 element 5 is -inf; inputs must be "
            "finite");
  sf_tensor_data(in)[5] = 1.0f;
  EXPECT_EQ(sf_session_run(session, &in, 1, &out, 1), SF_OK);
  sf_tensor_release(in);
  sf_tensor_release(out);
  sf_session_release(session);
  sf_model_release(model);
}

TEST_F(Loader, ReportsMissingFiles) {
  sf_model_t *model = nullptr;
  sf_status_t status = sf_model_create_from_file(instance, "/nonexistent/m.sfa",
                                                 nullptr, &model);
  ASSERT_NE(status, SF_OK);
  EXPECT_EQ(sf_status_code(status), SF_STATUS_NOT_FOUND);
  EXPECT_STREQ(sf_status_message(status),
               "cannot open '/nonexistent/m.sfa': No such file or directory");
  sf_status_free(status);
}

} // namespace
