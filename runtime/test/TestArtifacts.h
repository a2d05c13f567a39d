//===- TestArtifacts.h - small artifacts built in the tests -----*- C++ -*-===//
//
// Part of SparseFlow.
//
// Artifacts built with the FlatBuffers builder, for the loader tests and as
// the seeds of the artifact fuzzer (runtime/test/fuzz): a linear -> LIF ->
// unpack chain whose plan a PlanSpec can damage, a max pooling and a wide
// linear layer; the layers of a small DRAM image; and hand-made .npy files.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEFLOW_TEST_RUNTIME_TESTARTIFACTS_H
#define SPARSEFLOW_TEST_RUNTIME_TESTARTIFACTS_H

#include "sparseflow/format/artifact_format.h"
#include "sparseflow/format/dram_image.h"
#include "sparseflow/format/sfa_generated.h"

#include <cstring>
#include <numeric>
#include <string>
#include <functional>
#include <vector>

namespace sparseflow::runtime::test {

struct PlanSpec {
  uint64_t lifArenaOffset = 128;
  bool swapOps = false;
  std::vector<int64_t> linearOutShape = {1, 4};
  uint16_t major = SF_ARTIFACT_VERSION_MAJOR;
  uint16_t minor = SF_ARTIFACT_VERSION_MINOR;
  sfa::Target target = sfa::Target::Host;
  uint64_t arenaSize = 256;
  uint32_t spikecoreCores = 0; // > 0: the plan describes a SpikeCore target
  sfa::Kernel unpackKernel = sfa::Kernel::Dense;
  sfa::OpKind neuronKind = sfa::OpKind::LIF; // or CubaLIF
  std::vector<float> synLeak, synGain;       // a synapse where non-empty
};

/// Wraps a finished plan and its data section in the container (header,
/// checksum).
inline std::vector<uint8_t> container(const flatbuffers::FlatBufferBuilder &fbb,
                                      const std::vector<uint8_t> &data,
                                      const PlanSpec &spec) {
  sf_artifact_header_t header;
  sf_artifact_header_init(&header, fbb.GetSize(), data.size());
  header.version_major = spec.major;
  header.version_minor = spec.minor;
  std::vector<uint8_t> file(header.file_size, 0);
  std::memcpy(file.data() + header.plan_offset, fbb.GetBufferPointer(),
              fbb.GetSize());
  if (!data.empty())
    std::memcpy(file.data() + header.data_offset, data.data(), data.size());
  header.checksum = sf_crc32c(0, file.data() + SF_ARTIFACT_HEADER_SIZE,
                              file.size() - SF_ARTIFACT_HEADER_SIZE);
  std::memcpy(file.data(), &header, sizeof(header));
  return file;
}

/// A host-only plan (direct encoding, Sum readout) of `tensors` and `ops`
/// finished and wrapped with `data` in the container.
inline std::vector<uint8_t>
hostArtifact(flatbuffers::FlatBufferBuilder &fbb, uint32_t timesteps,
             const std::vector<flatbuffers::Offset<sfa::Tensor>> &tensors,
             const std::vector<flatbuffers::Offset<sfa::Op>> &ops,
             const std::vector<uint32_t> &inputs,
             const std::vector<uint32_t> &outputs, uint64_t arenaSize,
             const std::vector<uint8_t> &data = {}) {
  std::vector<sfa::Target> targets = {sfa::Target::Host};
  auto root = sfa::CreateModelDirect(fbb, "test", timesteps,
                                     sfa::Encoding::Direct, sfa::Readout::Sum,
                                     &targets, &tensors, &ops, &inputs,
                                     &outputs, arenaSize);
  sfa::FinishModelBuffer(fbb, root);
  return container(fbb, data, PlanSpec{});
}

/// The weights: y = x · W + b with W[k][o] = (k == o), b = 0.5.
inline std::vector<uint8_t> buildArtifact(const PlanSpec &spec = {}) {
  flatbuffers::FlatBufferBuilder fbb;
  std::vector<float> weight(8 * 4, 0.0f), bias(4, 0.5f);
  for (int k = 0; k < 4; ++k)
    weight[k * 4 + k] = 1.0f;
  std::vector<uint8_t> data(256, 0);
  std::memcpy(data.data(), weight.data(), weight.size() * 4);
  std::memcpy(data.data() + 128, bias.data(), bias.size() * 4);

  auto tensor = [&](const char *name, std::vector<int64_t> shape,
                    sfa::Storage storage, bool temporal, sfa::TensorKind kind,
                    uint64_t offset, uint64_t bytes) {
    bool constant = kind == sfa::TensorKind::Constant;
    return sfa::CreateTensorDirect(fbb, name, &shape, storage, temporal, kind,
                                   constant ? offset : 0, constant ? 0 : offset,
                                   bytes);
  };
  std::vector<flatbuffers::Offset<sfa::Tensor>> tensors = {
      tensor("x", {1, 8}, sfa::Storage::F32, false, sfa::TensorKind::Activation,
             0, 32),
      tensor("w", {8, 4}, sfa::Storage::F32, false, sfa::TensorKind::Constant,
             0, 128),
      tensor("b", {4}, sfa::Storage::F32, false, sfa::TensorKind::Constant, 128,
             16),
      tensor("fc", spec.linearOutShape, sfa::Storage::F32, false,
             sfa::TensorKind::Activation, 64, 16),
      tensor("lif", {1, 4}, sfa::Storage::PackedSpikes, true,
             sfa::TensorKind::Activation, spec.lifArenaOffset, 32),
      tensor("out", {1, 4}, sfa::Storage::F32, true,
             sfa::TensorKind::Activation, 192, 64),
  };
  std::vector<float> leak = {0.5f}, gain = {1.0f}, zero = {0.0f},
                     threshold = {1.0f};
  auto lifAttrs = sfa::CreateLIFAttrsDirect(
      fbb, &leak, &gain, &zero, &threshold, &zero, &zero, sfa::ResetMode::Hard,
      sfa::FireMode::Ge, false, spec.synLeak.empty() ? nullptr : &spec.synLeak,
      spec.synGain.empty() ? nullptr : &spec.synGain);
  std::vector<uint32_t> linIn = {0, 1, 2}, linOut = {3}, lifIn = {3},
                        lifOut = {4}, unIn = {4}, unOut = {5};
  std::vector<flatbuffers::Offset<sfa::Op>> ops = {
      sfa::CreateOpDirect(fbb, "fc", sfa::OpKind::Linear, spec.target,
                          sfa::Kernel::Dense, 0, &linIn, &linOut),
      sfa::CreateOpDirect(fbb, "lif", spec.neuronKind, spec.target,
                          sfa::Kernel::Dense, 0, &lifIn, &lifOut,
                          sfa::OpAttrs::LIFAttrs, lifAttrs.Union()),
      sfa::CreateOpDirect(fbb, "unpack", sfa::OpKind::Unpack, sfa::Target::Host,
                          spec.unpackKernel, 0, &unIn, &unOut),
  };
  if (spec.swapOps)
    std::swap(ops[0], ops[1]);
  std::vector<sfa::Target> targets = {sfa::Target::Host};
  if (spec.target != sfa::Target::Host)
    targets.push_back(spec.target);
  std::vector<uint32_t> inputs = {0}, outputs = {5};
  flatbuffers::Offset<sfa::SpikeCoreTarget> spikecore = 0;
  if (spec.spikecoreCores)
    spikecore = sfa::CreateSpikeCoreTarget(
        fbb, spec.spikecoreCores, 256, 1024,
        sfa::CreateSpikeCoreCosts(fbb, 1, 1, 1, 1, 1));
  auto root = sfa::CreateModelDirect(
      fbb, "test", 4, sfa::Encoding::Direct, sfa::Readout::Sum, &targets,
      &tensors, &ops, &inputs, &outputs, spec.arenaSize, spikecore);
  sfa::FinishModelBuffer(fbb, root);
  return container(fbb, data, spec);
}

/// A max pooling of a [1, 1, 4, 4] input with a square window: `kernel`,
/// `pad` on every side, `dilation`, stride 1, declaring an output of
/// `out` x `out`.
inline std::vector<uint8_t> buildPoolArtifact(int64_t kernel, int64_t pad,
                                              int64_t dilation, int64_t out) {
  flatbuffers::FlatBufferBuilder fbb;
  std::vector<int64_t> inShape = {1, 1, 4, 4}, outShape = {1, 1, out, out};
  uint64_t outBytes = static_cast<uint64_t>(out * out) * 4;
  std::vector<flatbuffers::Offset<sfa::Tensor>> tensors = {
      sfa::CreateTensorDirect(fbb, "x", &inShape, sfa::Storage::F32, false,
                              sfa::TensorKind::Activation, 0, 0, 64),
      sfa::CreateTensorDirect(fbb, "y", &outShape, sfa::Storage::F32, false,
                              sfa::TensorKind::Activation, 0, 64, outBytes),
  };
  std::vector<int64_t> window = {kernel, kernel}, strides = {1, 1},
                       pads = {pad, pad, pad, pad},
                       dilations = {dilation, dilation};
  auto attrs =
      sfa::CreatePoolAttrsDirect(fbb, &window, &strides, &pads, &dilations);
  std::vector<uint32_t> in = {0}, result = {1};
  std::vector<flatbuffers::Offset<sfa::Op>> ops = {
      sfa::CreateOpDirect(fbb, "pool", sfa::OpKind::MaxPool2d,
                          sfa::Target::Host, sfa::Kernel::Dense, 0, &in,
                          &result, sfa::OpAttrs::PoolAttrs, attrs.Union())};
  return hostArtifact(fbb, 4, tensors, ops, in, result,
                      64 + (outBytes + 63) / 64 * 64);
}

/// A Pad of a [1, 4] float input by `pads` (begin, then end, per dimension)
/// with `value` into an output of `outShape`.
inline std::vector<uint8_t> buildPadArtifact(std::vector<int64_t> pads,
                                             float value,
                                             std::vector<int64_t> outShape) {
  flatbuffers::FlatBufferBuilder fbb;
  std::vector<int64_t> inShape = {1, 4};
  uint64_t outBytes = 4;
  for (int64_t d : outShape)
    outBytes *= static_cast<uint64_t>(d);
  std::vector<flatbuffers::Offset<sfa::Tensor>> tensors = {
      sfa::CreateTensorDirect(fbb, "x", &inShape, sfa::Storage::F32, false,
                              sfa::TensorKind::Activation, 0, 0, 16),
      sfa::CreateTensorDirect(fbb, "y", &outShape, sfa::Storage::F32, false,
                              sfa::TensorKind::Activation, 0, 64, outBytes),
  };
  auto attrs = sfa::CreatePadAttrsDirect(fbb, &pads, value);
  std::vector<uint32_t> in = {0}, result = {1};
  std::vector<flatbuffers::Offset<sfa::Op>> ops = {sfa::CreateOpDirect(
      fbb, "pad", sfa::OpKind::Pad, sfa::Target::Host, sfa::Kernel::Dense, 0,
      &in, &result, sfa::OpAttrs::PadAttrs, attrs.Union())};
  return hostArtifact(fbb, 1, tensors, ops, in, result, 128);
}

/// One float op of `kind` from a [1, 4] input to a [1, 4] output, with the
/// attribute table `attrs` builds (none when it is null).
inline std::vector<uint8_t> buildUnaryArtifact(
    sfa::OpKind kind, sfa::OpAttrs attrsType,
    const std::function<flatbuffers::Offset<void>(
        flatbuffers::FlatBufferBuilder &)> &attrs) {
  flatbuffers::FlatBufferBuilder fbb;
  std::vector<int64_t> shape = {1, 4};
  std::vector<flatbuffers::Offset<sfa::Tensor>> tensors = {
      sfa::CreateTensorDirect(fbb, "x", &shape, sfa::Storage::F32, false,
                              sfa::TensorKind::Activation, 0, 0, 16),
      sfa::CreateTensorDirect(fbb, "y", &shape, sfa::Storage::F32, false,
                              sfa::TensorKind::Activation, 0, 64, 16),
  };
  flatbuffers::Offset<void> table = attrs ? attrs(fbb) : 0;
  std::vector<uint32_t> in = {0}, result = {1};
  std::vector<flatbuffers::Offset<sfa::Op>> ops = {sfa::CreateOpDirect(
      fbb, "op", kind, sfa::Target::Host, sfa::Kernel::Dense, 0, &in, &result,
      attrs ? attrsType : sfa::OpAttrs::NONE, table)};
  return hostArtifact(fbb, 1, tensors, ops, in, result, 128);
}

/// A product of a LIF's spikes [1, 2, 4] (of input x) and input b [1, 4, 2]
/// with the `kernel` and `blockSize` given; with `floatLeft` the product
/// reads x itself instead of the spikes.
inline std::vector<uint8_t>
buildMatMulArtifact(sfa::Kernel kernel, int64_t blockSize, bool floatLeft) {
  flatbuffers::FlatBufferBuilder fbb;
  std::vector<int64_t> xShape = {1, 2, 4}, bShape = {1, 4, 2},
                       yShape = {1, 2, 2};
  using sfa::CreateTensorDirect;
  const auto act = sfa::TensorKind::Activation;
  std::vector<flatbuffers::Offset<sfa::Tensor>> tensors = {
      CreateTensorDirect(fbb, "x", &xShape, sfa::Storage::F32, false, act, 0, 0,
                         32),
      CreateTensorDirect(fbb, "s", &xShape, sfa::Storage::PackedSpikes, true,
                         act, 0, 64, 64),
      CreateTensorDirect(fbb, "b", &bShape, sfa::Storage::F32, false, act, 0,
                         128, 32),
      CreateTensorDirect(fbb, "y", &yShape, sfa::Storage::F32, true, act, 0,
                         192, 64),
  };
  std::vector<float> leak = {0.5f}, gain = {1.0f}, zero = {0.0f},
                     threshold = {1.0f};
  auto lifAttrs = sfa::CreateLIFAttrsDirect(fbb, &leak, &gain, &zero,
                                            &threshold, &zero, &zero);
  std::vector<uint32_t> lifIn = {0}, lifOut = {1},
                        mmIn = {floatLeft ? 0u : 1u, 2}, mmOut = {3},
                        inputs = {0, 2};
  std::vector<flatbuffers::Offset<sfa::Op>> ops = {
      sfa::CreateOpDirect(fbb, "lif", sfa::OpKind::LIF, sfa::Target::Host,
                          sfa::Kernel::Dense, 0, &lifIn, &lifOut,
                          sfa::OpAttrs::LIFAttrs, lifAttrs.Union()),
      sfa::CreateOpDirect(fbb, "qk", sfa::OpKind::MatMul, sfa::Target::Host,
                          kernel, blockSize, &mmIn, &mmOut)};
  return hostArtifact(fbb, 4, tensors, ops, inputs, mmOut, 256);
}

/// A dense linear layer y = x · W + b on `rows` x `inFeatures` floats, with
/// W[k][o] = ((k * 7 + o * 3) % 11 - 5) / 8 and b[o] = o / 4: wide enough
/// (outFeatures >= 128) that the host kernel splits it across the thread
/// pool.
inline std::vector<uint8_t>
buildLinearArtifact(int64_t rows, int64_t inFeatures, int64_t outFeatures) {
  flatbuffers::FlatBufferBuilder fbb;
  uint64_t weightBytes = static_cast<uint64_t>(inFeatures * outFeatures) * 4;
  uint64_t biasOffset = (weightBytes + 63) / 64 * 64;
  std::vector<uint8_t> data(biasOffset + outFeatures * 4, 0);
  for (int64_t k = 0; k < inFeatures; ++k)
    for (int64_t o = 0; o < outFeatures; ++o) {
      float w = static_cast<float>((k * 7 + o * 3) % 11 - 5) / 8.0f;
      std::memcpy(data.data() + (k * outFeatures + o) * 4, &w, 4);
    }
  for (int64_t o = 0; o < outFeatures; ++o) {
    float b = static_cast<float>(o) / 4.0f;
    std::memcpy(data.data() + biasOffset + o * 4, &b, 4);
  }
  std::vector<int64_t> xShape = {rows, inFeatures},
                       wShape = {inFeatures, outFeatures},
                       bShape = {outFeatures}, yShape = {rows, outFeatures};
  uint64_t xBytes = static_cast<uint64_t>(rows * inFeatures) * 4;
  uint64_t yOffset = (xBytes + 63) / 64 * 64;
  uint64_t yBytes = static_cast<uint64_t>(rows * outFeatures) * 4;
  using sfa::CreateTensorDirect;
  std::vector<flatbuffers::Offset<sfa::Tensor>> tensors = {
      CreateTensorDirect(fbb, "x", &xShape, sfa::Storage::F32, false,
                         sfa::TensorKind::Activation, 0, 0, xBytes),
      CreateTensorDirect(fbb, "w", &wShape, sfa::Storage::F32, false,
                         sfa::TensorKind::Constant, 0, 0, weightBytes),
      CreateTensorDirect(fbb, "b", &bShape, sfa::Storage::F32, false,
                         sfa::TensorKind::Constant, biasOffset, 0,
                         outFeatures * 4),
      CreateTensorDirect(fbb, "y", &yShape, sfa::Storage::F32, false,
                         sfa::TensorKind::Activation, 0, yOffset, yBytes),
  };
  std::vector<uint32_t> in = {0, 1, 2}, out = {3}, inputs = {0};
  std::vector<flatbuffers::Offset<sfa::Op>> ops = {
      sfa::CreateOpDirect(fbb, "fc", sfa::OpKind::Linear, sfa::Target::Host,
                          sfa::Kernel::Dense, 0, &in, &out)};
  return hostArtifact(fbb, 4, tensors, ops, inputs, out,
                      yOffset + (yBytes + 63) / 64 * 64, data);
}

/// The layers of a two-layer DRAM image, with the weights they point to:
/// a conv (2x3x3 spikes in, weights [4, 2, 3, 3] in tiles of 3 outputs x 1
/// channel: a 2 x 2 grid whose second row of tiles is padded) and a linear
/// layer (7 features in, 5 out, tiles of 2 x 3: a 3 x 3 grid, padded).
struct DramLayers {
  std::vector<float> convWeights, linearWeights;
  std::vector<dram::LayerSpec> specs;

  DramLayers() : convWeights(4 * 2 * 3 * 3), linearWeights(5 * 7) {
    std::iota(convWeights.begin(), convWeights.end(), 1.0f);
    std::iota(linearWeights.begin(), linearWeights.end(), 100.0f);
    dram::LayerSpec conv;
    conv.name = "conv";
    conv.kind = SF_DRAM_CONV2D;
    conv.inputShape = {2, 3, 3};
    conv.outputShape = {4, 1, 1};
    conv.weightShape = {4, 2, 3, 3};
    conv.tile = {3, 1};
    conv.weights = convWeights.data();
    dram::LayerSpec linear;
    linear.name = "fc";
    linear.kind = SF_DRAM_LINEAR;
    linear.inputShape = {7};
    linear.outputShape = {5};
    linear.weightShape = {5, 7, 1, 1};
    linear.tile = {2, 3};
    linear.weights = linearWeights.data();
    specs = {conv, linear};
  }
  DramLayers(const DramLayers &) = delete;
  DramLayers &operator=(const DramLayers &) = delete;
};

/// A version 1.0 .npy file: `header` (the dict's text) and `data` after it.
inline std::string npyFile(const std::string &header, const std::string &data) {
  std::string bytes("\x93NUMPY\x01\x00", 8);
  bytes += static_cast<char>(header.size() & 0xff);
  bytes += static_cast<char>(header.size() >> 8);
  return bytes + header + data;
}

/// The header dict of a C-ordered .npy array of `descr` and `shape`.
inline std::string npyHeader(const std::string &descr,
                             const std::string &shape) {
  return "{'descr': " + descr + ", 'fortran_order': False, 'shape': " + shape +
         ", }\n";
}

} // namespace sparseflow::runtime::test

#endif // SPARSEFLOW_TEST_RUNTIME_TESTARTIFACTS_H
