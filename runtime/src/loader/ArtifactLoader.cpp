//===- ArtifactLoader.cpp - validate a .sfa before anything uses it -------===//
//
// Part of SparseFlow.
//
// Nothing in an artifact is trusted. In order: the container (size, magic,
// version, section bounds, checksum), the FlatBuffer (its verifier), then the
// plan's meaning: every tensor's shape and byte size, every constant inside
// the data section, every activation inside the arena, no two live
// activations overlapping, every op's operand count, storage, attributes and
// shapes consistent with the kernel that will run it, and every value
// written before it is read. A session never checks again.
//
//===----------------------------------------------------------------------===//

#include "core/Model.h"
#include "sparseflow/format/artifact_format.h"
#include "sparseflow/format/formatted.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <new>

using namespace sparseflow;
using namespace sparseflow::runtime;

namespace {

class MappedFile final : public ArtifactBytes {
public:
  MappedFile(void *address, size_t length) : address(address), length(length) {}
  ~MappedFile() override {
    if (length)
      munmap(address, length);
  }
  const uint8_t *data() const override {
    return static_cast<const uint8_t *>(address);
  }
  size_t size() const override { return length; }

private:
  void *address;
  size_t length;
};

class AlignedCopy final : public ArtifactBytes {
public:
  AlignedCopy(uint8_t *bytes, size_t length) : bytes(bytes), length(length) {}
  ~AlignedCopy() override { std::free(bytes); }
  const uint8_t *data() const override { return bytes; }
  size_t size() const override { return length; }

private:
  uint8_t *bytes;
  size_t length;
};

constexpr int kMaxRank = SF_MAX_RANK;

/// Product of `shape`, or -1 on overflow past 2^40 elements.
int64_t elementCount(const std::vector<int64_t> &shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d != 0 && n > (int64_t{1} << 40) / d)
      return -1;
    n *= d;
  }
  return n;
}

/// Validates the plan's meaning; `fail` has built the status when false.
class PlanValidator {
public:
  PlanValidator(const sfa::Model &plan, uint64_t dataSize, sf_model_t &model)
      : plan(plan), dataSize(dataSize), model(model) {}

  sf_status_t run(const uint8_t *dataSection);

private:
  sf_status_t tensors(const uint8_t *dataSection);
  sf_status_t op(size_t index, const sfa::Op &op);
  sf_status_t opShapes(size_t index, const sfa::Op &op, OpDesc &desc);
  sf_status_t liveness();
  sf_status_t dramImage(const uint8_t *dataSection);

  sf_status_t opError(size_t index, const char *format, ...)
      __attribute__((format(printf, 3, 4)));

  const TensorDesc &t(uint32_t id) const { return model.tensors[id]; }

  const sfa::Model &plan;
  uint64_t dataSize;
  sf_model_t &model;
  /// The op writing each tensor (-1: a model input or a constant).
  std::vector<int64_t> writer;
};

sf_status_t PlanValidator::opError(size_t index, const char *format, ...) {
  char detail[512];
  va_list args;
  va_start(args, format);
  std::vsnprintf(detail, sizeof(detail), format, args);
  va_end(args);
  const sfa::Op *o = plan.ops()->Get(static_cast<flatbuffers::uoffset_t>(index));
  const char *name = o->name() ? o->name()->c_str() : "";
  return sf_status_make(SF_STATUS_DATA_LOSS,
                        "invalid artifact: op #%zu (%s \"%s\"): %s", index,
                        sfa::EnumNameOpKind(o->kind()), name, detail);
}

sf_status_t PlanValidator::tensors(const uint8_t *dataSection) {
  if (!plan.tensors())
    return sf_status_make(SF_STATUS_DATA_LOSS,
                          "invalid artifact: the plan has no tensor table");
  for (flatbuffers::uoffset_t i = 0; i < plan.tensors()->size(); ++i) {
    const sfa::Tensor *tensor = plan.tensors()->Get(i);
    TensorDesc desc;
    desc.name = tensor->name() ? tensor->name()->str() : "";
    auto fail = [&](const char *what) {
      return sf_status_make(SF_STATUS_DATA_LOSS,
                            "invalid artifact: tensor #%u (\"%s\"): %s", i,
                            desc.name.c_str(), what);
    };
    if (!tensor->shape())
      return fail("missing shape");
    if (tensor->shape()->size() > kMaxRank)
      return fail("rank exceeds the runtime's limit of 8");
    desc.shape.assign(tensor->shape()->begin(), tensor->shape()->end());
    for (int64_t d : desc.shape)
      if (d < 1)
        return fail("dimensions must be positive (empty tensors are not "
                    "supported)");
    desc.elements = elementCount(desc.shape);
    if (desc.elements < 0)
      return fail("element count overflows");
    if (tensor->storage() != sfa::Storage::F32 &&
        tensor->storage() != sfa::Storage::PackedSpikes)
      return fail("unknown storage");
    desc.packed = tensor->storage() == sfa::Storage::PackedSpikes;
    desc.temporal = tensor->temporal();
    if (desc.packed && !desc.temporal)
      return fail("packed spikes must be temporal");
    desc.lead = desc.temporal && !desc.packed ? model.timesteps : 1;
    uint64_t expected = static_cast<uint64_t>(desc.elements) *
                        (desc.packed ? 8 : 4) * desc.lead;
    desc.byteSize = tensor->byte_size();
    if (desc.byteSize != expected)
      return sf_status_make(
          SF_STATUS_DATA_LOSS,
          "invalid artifact: tensor #%u (\"%s\"): byte size %llu does not "
          "match its shape and storage (%llu)",
          i, desc.name.c_str(), (unsigned long long)desc.byteSize,
          (unsigned long long)expected);
    if (tensor->kind() == sfa::TensorKind::Constant) {
      desc.constant = true;
      if (desc.packed || desc.temporal)
        return fail("constants must be float32 and not temporal");
      uint64_t offset = tensor->data_offset();
      if (offset % SF_ARTIFACT_DATA_ALIGNMENT)
        return fail("constant data is not 64-byte aligned");
      if (offset > dataSize || desc.byteSize > dataSize - offset)
        return sf_status_make(
            SF_STATUS_DATA_LOSS,
            "invalid artifact: tensor #%u (\"%s\"): constant data [%llu, "
            "%llu) lies outside the data section (%llu bytes)",
            i, desc.name.c_str(), (unsigned long long)offset,
            (unsigned long long)(offset + desc.byteSize),
            (unsigned long long)dataSize);
      desc.constantData = reinterpret_cast<const float *>(dataSection + offset);
    } else if (tensor->kind() == sfa::TensorKind::Activation) {
      uint64_t offset = tensor->arena_offset();
      if (offset % 64)
        return fail("arena offset is not 64-byte aligned");
      if (offset > model.arenaSize || desc.byteSize > model.arenaSize - offset)
        return sf_status_make(
            SF_STATUS_DATA_LOSS,
            "invalid artifact: tensor #%u (\"%s\"): arena range [%llu, %llu) "
            "exceeds the arena (%llu bytes)",
            i, desc.name.c_str(), (unsigned long long)offset,
            (unsigned long long)(offset + desc.byteSize),
            (unsigned long long)model.arenaSize);
      desc.arenaOffset = offset;
    } else {
      return fail("unknown tensor kind");
    }
    model.tensors.push_back(std::move(desc));
  }
  // The arena is allocated as declared: it may not exceed what its tensors
  // occupy (each rounded up to 64 bytes, as the compiler plans them).
  uint64_t needed = 0;
  for (const TensorDesc &desc : model.tensors)
    if (!desc.constant)
      needed = std::max(needed,
                        desc.arenaOffset + (desc.byteSize + 63) / 64 * 64);
  if (model.arenaSize > needed)
    return sf_status_make(SF_STATUS_DATA_LOSS,
                          "invalid artifact: the arena is %llu bytes, its "
                          "tensors occupy %llu",
                          (unsigned long long)model.arenaSize,
                          (unsigned long long)needed);
  return SF_OK;
}

/// Output size of a window along one axis, floor and ceil rounding; false
/// when the window's extent d * (k - 1) + 1 or the padded input overflows.
/// (The operands are positive: the attributes were checked before.)
bool windowExtent(int64_t in, int64_t k, int64_t s, int64_t p0, int64_t p1,
                  int64_t d, int64_t &lo, int64_t &hi) {
  int64_t reach, padded;
  if (__builtin_mul_overflow(d, k - 1, &reach) ||
      __builtin_add_overflow(in, p0, &padded) ||
      __builtin_add_overflow(padded, p1, &padded))
    return false;
  int64_t span = padded - reach - 1;
  lo = span < 0 ? 0 : span / s + 1;
  hi = span < 0 ? 0 : span / s + (span % s ? 2 : 1);
  return true;
}

sf_status_t PlanValidator::opShapes(size_t index, const sfa::Op &o,
                                    OpDesc &desc) {
  const TensorDesc &out = t(desc.output);
  auto in = [&](size_t i) -> const TensorDesc & { return t(desc.inputs[i]); };
  auto arity = [&](size_t lo, size_t hi) -> sf_status_t {
    if (desc.inputs.size() < lo || desc.inputs.size() > hi)
      return opError(index, "expected %zu to %zu inputs, found %zu", lo, hi,
                     desc.inputs.size());
    return SF_OK;
  };
  auto sameShape = [&](const TensorDesc &a, const TensorDesc &b) {
    return a.shape == b.shape;
  };
  auto constantOf = [&](size_t i, std::vector<int64_t> shape,
                        const char *what) -> sf_status_t {
    if (!in(i).constant || in(i).shape != shape)
      return opError(index, "%s must be a constant of the expected shape", what);
    return SF_OK;
  };
  auto pairOk = [](const flatbuffers::Vector<int64_t> *v, size_t n,
                   int64_t min) {
    if (!v || v->size() != n)
      return false;
    for (int64_t x : *v)
      if (x < min)
        return false;
    return true;
  };
  bool sparse = o.kernel() == sfa::Kernel::SparseBinary;
  if (o.kernel() != sfa::Kernel::Dense && !sparse)
    return opError(index, "unknown kernel");
  if (sparse && o.kind() != sfa::OpKind::Conv2d &&
      o.kind() != sfa::OpKind::Linear)
    return opError(index, "only Conv2d and Linear have a sparse kernel");
  if (o.block_size() < 0 || o.block_size() > 64)
    return opError(index, "block size %lld is outside [0, 64]",
                   (long long)o.block_size());

  // Whether an op's float output is temporal follows from its inputs.
  bool anyTemporal = false;
  for (uint32_t id : desc.inputs)
    anyTemporal |= t(id).temporal;
  auto expectOut = [&](bool packed, bool temporal) -> sf_status_t {
    if (out.packed != packed || out.temporal != temporal)
      return opError(index, "output storage must be %s%s",
                     packed ? "packed spikes" : "float32",
                     temporal ? " (temporal)" : " (not temporal)");
    return SF_OK;
  };
  auto denseInputs = [&](size_t count) -> sf_status_t {
    for (size_t i = 0; i < count; ++i)
      if (in(i).packed)
        return opError(index, "input %zu must be float32, found packed spikes",
                       i);
    return SF_OK;
  };
#define SF_CHECK(expr)                                                         \
  if (sf_status_t status = (expr))                                             \
  return status

  switch (o.kind()) {
  case sfa::OpKind::Conv2d: {
    SF_CHECK(arity(2, 3));
    const sfa::Conv2dAttrs *a = o.attrs_as_Conv2dAttrs();
    if (!a || !pairOk(a->strides(), 2, 1) || !pairOk(a->dilations(), 2, 1) ||
        !pairOk(a->pads(), 4, 0) || !pairOk(a->kernel(), 2, 1) ||
        a->groups() < 1)
      return opError(index, "malformed Conv2d attributes");
    const TensorDesc &x = in(0);
    if (x.shape.size() != 4 || x.packed != sparse)
      return opError(index, "input must be a rank-4 %s tensor",
                     sparse ? "packed spike" : "float32");
    int64_t N = x.shape[0], C = x.shape[1], H = x.shape[2], W = x.shape[3];
    int64_t KH = a->kernel()->Get(0), KW = a->kernel()->Get(1);
    int64_t G = a->groups();
    if (C % G)
      return opError(index, "channels %lld not divisible by groups %lld",
                     (long long)C, (long long)G);
    if (out.shape.size() != 4 || out.shape[0] != N)
      return opError(index, "output must be [N, O, OH, OW]");
    int64_t O = out.shape[1];
    if (O % G)
      return opError(index, "output channels not divisible by groups");
    if (sparse) {
      if (G != 1)
        return opError(index, "the sparse kernel requires groups = 1");
      SF_CHECK(constantOf(1, {C, KH, KW, O}, "the arranged weight [C,KH,KW,O]"));
    } else {
      SF_CHECK(constantOf(1, {O, C / G, KH, KW}, "the weight [O,C/g,KH,KW]"));
    }
    if (desc.inputs.size() == 3)
      SF_CHECK(constantOf(2, {O}, "the bias"));
    int64_t lo, hi;
    if (!windowExtent(H, KH, a->strides()->Get(0), a->pads()->Get(0),
                      a->pads()->Get(2), a->dilations()->Get(0), lo, hi))
      return opError(index, "the window's height overflows 64 bits");
    if (out.shape[2] != lo || lo < 1)
      return opError(index, "output height %lld, expected %lld",
                     (long long)out.shape[2], (long long)lo);
    if (!windowExtent(W, KW, a->strides()->Get(1), a->pads()->Get(1),
                      a->pads()->Get(3), a->dilations()->Get(1), lo, hi))
      return opError(index, "the window's width overflows 64 bits");
    if (out.shape[3] != lo || lo < 1)
      return opError(index, "output width %lld, expected %lld",
                     (long long)out.shape[3], (long long)lo);
    return expectOut(false, anyTemporal);
  }
  case sfa::OpKind::Linear: {
    SF_CHECK(arity(2, 3));
    const TensorDesc &x = in(0);
    if (x.shape.empty() || x.packed != sparse)
      return opError(index, "input must be a %s tensor of rank >= 1",
                     sparse ? "packed spike" : "float32");
    int64_t K = x.shape.back();
    if (out.shape.size() != x.shape.size() ||
        !std::equal(x.shape.begin(), x.shape.end() - 1, out.shape.begin()))
      return opError(index, "output shape must be the input's with the last "
                            "dimension replaced");
    int64_t O = out.shape.back();
    SF_CHECK(constantOf(1, {K, O}, "the weight [K, O]"));
    if (desc.inputs.size() == 3)
      SF_CHECK(constantOf(2, {O}, "the bias"));
    return expectOut(false, anyTemporal);
  }
  case sfa::OpKind::BatchNorm: {
    SF_CHECK(arity(5, 5));
    SF_CHECK(denseInputs(1));
    if (!o.attrs_as_BatchNormAttrs())
      return opError(index, "missing BatchNorm attributes");
    if (in(0).shape.size() < 2 || !sameShape(in(0), out))
      return opError(index, "input must be [N, C, ...] like the output");
    for (size_t i = 1; i < 5; ++i)
      SF_CHECK(constantOf(i, {in(0).shape[1]}, "a per-channel parameter"));
    return expectOut(false, anyTemporal);
  }
  case sfa::OpKind::Add:
  case sfa::OpKind::Mul: {
    SF_CHECK(arity(2, 2));
    SF_CHECK(denseInputs(2));
    size_t rank = out.shape.size();
    for (size_t i = 0; i < 2; ++i) {
      const std::vector<int64_t> &s = in(i).shape;
      if (s.size() > rank)
        return opError(index, "input %zu has a higher rank than the output", i);
      for (size_t d = 0; d < s.size(); ++d) {
        int64_t od = out.shape[rank - s.size() + d];
        if (s[d] != od && s[d] != 1)
          return opError(index, "input %zu does not broadcast to the output",
                         i);
      }
    }
    for (size_t d = 0; d < rank; ++d) {
      bool covered = false;
      for (size_t i = 0; i < 2; ++i) {
        const std::vector<int64_t> &s = in(i).shape;
        size_t pad = rank - s.size();
        covered |= d >= pad && s[d - pad] == out.shape[d];
      }
      if (!covered && out.shape[d] != 1)
        return opError(index, "output dimension %zu is not the inputs' "
                              "broadcast", d);
    }
    return expectOut(false, anyTemporal);
  }
  case sfa::OpKind::Relu:
    SF_CHECK(arity(1, 1));
    SF_CHECK(denseInputs(1));
    if (!sameShape(in(0), out))
      return opError(index, "output shape must equal the input's");
    return expectOut(false, anyTemporal);
  case sfa::OpKind::MaxPool2d:
  case sfa::OpKind::AvgPool2d: {
    SF_CHECK(arity(1, 1));
    const sfa::PoolAttrs *a = o.attrs_as_PoolAttrs();
    if (!a || !pairOk(a->kernel(), 2, 1) || !pairOk(a->strides(), 2, 1) ||
        !pairOk(a->dilations(), 2, 1) || !pairOk(a->pads(), 4, 0))
      return opError(index, "malformed pooling attributes");
    const TensorDesc &x = in(0);
    if (x.packed && o.kind() == sfa::OpKind::AvgPool2d)
      return opError(index, "average pooling takes float32 input");
    if (x.shape.size() != 4 || out.shape.size() != 4 ||
        out.shape[0] != x.shape[0] || out.shape[1] != x.shape[1])
      return opError(index, "input and output must be [N, C, H, W]");
    for (int axis = 0; axis < 2; ++axis) {
      // A pooling window's taps are all visited for every output, and no
      // weight in the file justifies their number: each pad must be
      // smaller than the window (as ONNX requires) and no larger than the
      // input, so that the window spans at most three times the input.
      int64_t in = x.shape[2 + axis], k = a->kernel()->Get(axis);
      int64_t d = a->dilations()->Get(axis);
      int64_t lo, hi;
      if (!windowExtent(in, k, a->strides()->Get(axis), a->pads()->Get(axis),
                        a->pads()->Get(axis + 2), d, lo, hi))
        return opError(index, "the window's %s overflows 64 bits",
                       axis ? "width" : "height");
      for (int side : {axis, axis + 2}) {
        int64_t pad = a->pads()->Get(side);
        if (pad > in || pad > d * (k - 1))
          return opError(index, "pad %lld along the %s exceeds the input "
                         "(%lld) or the window (%lld taps, dilation %lld)",
                         (long long)pad, axis ? "width" : "height",
                         (long long)in, (long long)k, (long long)d);
      }
      int64_t got = out.shape[2 + axis];
      if (got < 1 || got < lo || got > (a->ceil_mode() ? hi : lo))
        return opError(index, "output %s %lld does not match the window",
                       axis ? "width" : "height", (long long)got);
    }
    return expectOut(x.packed, anyTemporal);
  }
  case sfa::OpKind::GlobalAvgPool: {
    SF_CHECK(arity(1, 1));
    SF_CHECK(denseInputs(1));
    const TensorDesc &x = in(0);
    if (x.shape.size() < 3 || out.shape.size() != x.shape.size() ||
        out.shape[0] != x.shape[0] || out.shape[1] != x.shape[1] ||
        out.elements != x.shape[0] * x.shape[1])
      return opError(index, "output must be [N, C, 1, ...] for [N, C, ...]");
    return expectOut(false, anyTemporal);
  }
  case sfa::OpKind::Reshape:
    SF_CHECK(arity(1, 1));
    if (in(0).elements != out.elements)
      return opError(index, "reshape changes the element count");
    return expectOut(in(0).packed, anyTemporal);
  case sfa::OpKind::Transpose: {
    SF_CHECK(arity(1, 1));
    const sfa::TransposeAttrs *a = o.attrs_as_TransposeAttrs();
    const TensorDesc &x = in(0);
    if (!a || !a->permutation() ||
        a->permutation()->size() != x.shape.size() ||
        out.shape.size() != x.shape.size())
      return opError(index, "permutation must have the input's rank");
    std::vector<bool> seen(x.shape.size(), false);
    for (size_t d = 0; d < x.shape.size(); ++d) {
      int64_t p = a->permutation()->Get(static_cast<flatbuffers::uoffset_t>(d));
      if (p < 0 || p >= static_cast<int64_t>(x.shape.size()) || seen[p])
        return opError(index, "invalid permutation");
      seen[p] = true;
      if (out.shape[d] != x.shape[p])
        return opError(index, "output dimension %zu must be input dimension "
                              "%lld", d, (long long)p);
    }
    return expectOut(x.packed, anyTemporal);
  }
  case sfa::OpKind::Concat: {
    if (desc.inputs.empty() || desc.inputs.size() > 64)
      return opError(index, "expected 1 to 64 inputs");
    const sfa::ConcatAttrs *a = o.attrs_as_ConcatAttrs();
    size_t rank = out.shape.size();
    if (!a || a->axis() < 0 || a->axis() >= static_cast<int64_t>(rank))
      return opError(index, "axis out of range");
    int64_t total = 0;
    for (size_t i = 0; i < desc.inputs.size(); ++i) {
      const TensorDesc &x = in(i);
      if (x.packed != out.packed || x.shape.size() != rank)
        return opError(index, "inputs must share the output's rank and "
                              "storage");
      for (size_t d = 0; d < rank; ++d)
        if (static_cast<int64_t>(d) != a->axis() && x.shape[d] != out.shape[d])
          return opError(index, "input %zu differs outside the axis", i);
      total += x.shape[a->axis()];
    }
    if (total != out.shape[a->axis()])
      return opError(index, "the inputs' sizes along the axis do not add up");
    return expectOut(out.packed, anyTemporal);
  }
  case sfa::OpKind::LIF: {
    SF_CHECK(arity(1, 1));
    SF_CHECK(denseInputs(1));
    const sfa::LIFAttrs *a = o.attrs_as_LIFAttrs();
    if (!a)
      return opError(index, "missing LIF attributes");
    const TensorDesc &x = in(0);
    if (!sameShape(x, out))
      return opError(index, "output shape must equal the input's");
    int64_t channels = x.shape.size() >= 2 ? x.shape[1] : 1;
    auto perChannel = [&](const flatbuffers::Vector<float> *v, bool required) {
      if (!v || v->size() == 0)
        return !required;
      return v->size() == 1 || static_cast<int64_t>(v->size()) == channels;
    };
    if (!perChannel(a->leak(), true) || !perChannel(a->gain(), true) ||
        !perChannel(a->v_leak(), true) || !perChannel(a->v_threshold(), true) ||
        !perChannel(a->v_init(), true) ||
        !perChannel(a->v_reset(), a->reset() == sfa::ResetMode::Hard))
      return opError(index, "LIF parameters must hold 1 or %lld (channels) "
                            "values", (long long)channels);
    if (a->reset() > sfa::ResetMode::None || a->fire() > sfa::FireMode::Gt)
      return opError(index, "unknown reset or fire mode");
    return expectOut(true, true);
  }
  case sfa::OpKind::SpikeCoreLayer: {
    SF_CHECK(arity(1, 1));
    const sfa::SpikeCoreLayerAttrs *a = o.attrs_as_SpikeCoreLayerAttrs();
    if (!a || !plan.spikecore() || o.target() != sfa::Target::SpikeCore)
      return opError(index, "a SpikeCore layer needs its attributes, the "
                            "SpikeCore target description and target "
                            "SpikeCore");
    auto layer = std::make_shared<simulator::Layer>();
    std::string error;
    if (!simulator::decodeLayer(*a, *plan.spikecore(), *layer, error))
      return opError(index, "%s", error.c_str());
    const TensorDesc &x = in(0);
    if (x.shape.size() != 2 || x.shape[1] != layer->fanIn)
      return opError(index, "input must be [N, %u]", layer->fanIn);
    if (out.shape != std::vector<int64_t>{x.shape[0], int64_t(layer->neurons)})
      return opError(index, "output must be [%lld, %u]",
                     (long long)x.shape[0], layer->neurons);
    bool spikes = layer->output == sfa::SpikeCoreOutput::Spikes;
    desc.spikecore = std::move(layer);
    return expectOut(spikes, true);
  }
  case sfa::OpKind::Unpack:
    SF_CHECK(arity(1, 1));
    if (!in(0).packed || !sameShape(in(0), out))
      return opError(index, "input must be packed spikes of the output's shape");
    return expectOut(false, true);
  }
#undef SF_CHECK
  return opError(index, "unknown op kind %d", static_cast<int>(o.kind()));
}

sf_status_t PlanValidator::op(size_t index, const sfa::Op &o) {
  OpDesc desc;
  desc.op = &o;
  desc.name = o.name() ? o.name()->str() : "";
  desc.kind = sfa::EnumNameOpKind(o.kind());
  desc.kernel = sfa::EnumNameKernel(o.kernel());
  switch (o.target()) {
  case sfa::Target::Host:
    desc.target = "host";
    break;
  case sfa::Target::Gpu:
    desc.target = "gpu";
    break;
  case sfa::Target::SpikeCore:
    desc.target = "spikecore";
    break;
  default:
    return opError(index, "unknown target");
  }
  if (!o.inputs() || !o.outputs() || o.outputs()->size() != 1)
    return opError(index, "expected an input list and one output");
  size_t count = model.tensors.size();
  for (uint32_t id : *o.inputs()) {
    if (id >= count)
      return opError(index, "input tensor #%u does not exist", id);
    if (!t(id).constant && writer[id] == -2)
      return opError(index, "reads tensor #%u (\"%s\") before any op writes "
                            "it", id, t(id).name.c_str());
    desc.inputs.push_back(id);
  }
  desc.output = o.outputs()->Get(0);
  if (desc.output >= count || t(desc.output).constant)
    return opError(index, "output must be an activation tensor");
  if (writer[desc.output] != -2)
    return opError(index, "tensor #%u is written twice", desc.output);
  if (sf_status_t status = opShapes(index, o, desc))
    return status;
  writer[desc.output] = static_cast<int64_t>(index);
  model.ops.push_back(std::move(desc));
  return SF_OK;
}

/// Activations live from their write to their last read; two that are live
/// at once must not share arena bytes.
sf_status_t PlanValidator::liveness() {
  size_t count = model.tensors.size();
  int64_t end = static_cast<int64_t>(model.ops.size());
  std::vector<int64_t> first(count, -1), last(count, -1);
  for (size_t i = 0; i < count; ++i)
    first[i] = writer[i] < 0 ? -1 : writer[i];
  for (size_t i = 0; i < model.ops.size(); ++i)
    for (uint32_t id : model.ops[i].inputs)
      last[id] = std::max<int64_t>(last[id], static_cast<int64_t>(i));
  for (uint32_t id : model.outputs)
    last[id] = end;
  for (size_t i = 0; i < count; ++i)
    last[i] = std::max(last[i], first[i]);
  std::vector<size_t> order;
  for (size_t i = 0; i < count; ++i)
    if (!t(i).constant)
      order.push_back(i);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return t(a).arenaOffset < t(b).arenaOffset;
  });
  for (size_t i = 0; i < order.size(); ++i) {
    const TensorDesc &a = t(order[i]);
    for (size_t j = i + 1; j < order.size(); ++j) {
      const TensorDesc &b = t(order[j]);
      if (b.arenaOffset >= a.arenaOffset + a.byteSize)
        break;
      if (first[order[i]] <= last[order[j]] &&
          first[order[j]] <= last[order[i]])
        return sf_status_make(
            SF_STATUS_DATA_LOSS,
            "invalid artifact: tensors #%zu (\"%s\") and #%zu (\"%s\") are "
            "live at the same time and overlap in the arena",
            order[i], a.name.c_str(), order[j], b.name.c_str());
    }
  }
  return SF_OK;
}

sf_status_t PlanValidator::run(const uint8_t *dataSection) {
  model.timesteps = static_cast<int>(plan.timesteps());
  if (model.timesteps < 1 || model.timesteps > SF_MAX_TIMESTEPS)
    return sf_status_make(SF_STATUS_DATA_LOSS,
                          "invalid artifact: timesteps %u outside [1, %d]",
                          plan.timesteps(), SF_MAX_TIMESTEPS);
  if (plan.encoding() > sfa::Encoding::Spikes ||
      plan.readout() > sfa::Readout::All)
    return sf_status_make(SF_STATUS_DATA_LOSS,
                          "invalid artifact: unknown encoding or readout");
  model.encoding = static_cast<sf_encoding_t>(plan.encoding());
  model.readout = static_cast<sf_readout_t>(plan.readout());
  model.producer = plan.producer() ? plan.producer()->str() : "";
  model.arenaSize = plan.arena_size();
  if (plan.targets())
    model.targets.assign(plan.targets()->begin(), plan.targets()->end());
  if (const sfa::SpikeCoreTarget *target = plan.spikecore()) {
    auto costs = [](const sfa::SpikeCoreCosts &c) {
      return simulator::Costs{c.instruction(), c.acc_event(), c.synapse(),
                              c.neuron(), c.spike()};
    };
    if (!target->cycles() || target->cores() == 0)
      return sf_status_make(SF_STATUS_DATA_LOSS,
                            "invalid artifact: the SpikeCore target "
                            "description lacks cores or cycle costs");
    if (target->cores() > SF_MAX_SPIKECORE_CORES)
      return sf_status_make(SF_STATUS_DATA_LOSS,
                            "invalid artifact: the SpikeCore target declares "
                            "%u cores, more than the %u the runtime supports",
                            target->cores(), SF_MAX_SPIKECORE_CORES);
    model.spikecoreCores = target->cores();
    model.spikecoreCycles = costs(*target->cycles());
    if (target->energy_pj())
      model.spikecoreEnergy = costs(*target->energy_pj());
  }
  if (sf_status_t status = tensors(dataSection))
    return status;

  size_t count = model.tensors.size();
  writer.assign(count, -2); // -2: not written yet
  if (!plan.inputs() || !plan.outputs() || plan.outputs()->size() == 0)
    return sf_status_make(SF_STATUS_DATA_LOSS,
                          "invalid artifact: the plan lists no outputs");
  for (uint32_t id : *plan.inputs()) {
    if (id >= count || t(id).constant)
      return sf_status_make(SF_STATUS_DATA_LOSS,
                            "invalid artifact: model input #%u is not an "
                            "activation tensor", id);
    bool spikes = model.encoding != SF_ENCODING_DIRECT;
    if (t(id).packed != spikes || t(id).temporal != spikes)
      return sf_status_make(SF_STATUS_DATA_LOSS,
                            "invalid artifact: model input #%u has the wrong "
                            "storage for its encoding", id);
    writer[id] = -1;
    model.inputs.push_back(id);
  }
  if (!plan.ops())
    return sf_status_make(SF_STATUS_DATA_LOSS,
                          "invalid artifact: the plan has no op list");
  for (flatbuffers::uoffset_t i = 0; i < plan.ops()->size(); ++i)
    if (sf_status_t status = op(i, *plan.ops()->Get(i)))
      return status;
  for (uint32_t id : *plan.outputs()) {
    if (id >= count || t(id).packed ||
        (!t(id).constant && writer[id] == -2))
      return sf_status_make(SF_STATUS_DATA_LOSS,
                            "invalid artifact: model output #%u is not a "
                            "computed float32 tensor", id);
    model.outputs.push_back(id);
  }
  if (sf_status_t status = liveness())
    return status;
  return dramImage(dataSection);
}

/// Validates the DRAM image and ties each of its layers to the Conv2d or
/// Linear op of the same name (the k-th layer of a name to the k-th op).
sf_status_t PlanValidator::dramImage(const uint8_t *dataSection) {
  uint64_t offset = plan.dram_offset(), size = plan.dram_size();
  if (size == 0)
    return SF_OK;
  if (offset % SF_ARTIFACT_DATA_ALIGNMENT || offset > dataSize ||
      size > dataSize - offset)
    return sf_status_make(SF_STATUS_DATA_LOSS,
                          "invalid artifact: the DRAM image [%llu, +%llu) "
                          "is misaligned or outside the data section",
                          (unsigned long long)offset,
                          (unsigned long long)size);
  dram::Image image;
  dram::Result parsed = dram::Image::parse(
      std::vector<uint8_t>(dataSection + offset, dataSection + offset + size),
      image);
  if (!parsed.ok())
    return sf_status_make(SF_STATUS_DATA_LOSS, "invalid artifact: %s",
                          parsed.message.c_str());
  if (image.timesteps() != static_cast<uint32_t>(model.timesteps))
    return sf_status_make(SF_STATUS_DATA_LOSS,
                          "invalid artifact: the DRAM image has T = %u, the "
                          "plan T = %d",
                          image.timesteps(), model.timesteps);
  size_t next = 0;
  for (size_t l = 0; l < image.layerCount(); ++l) {
    const dram::Layer &layer = image.layer(l);
    auto matches = [&](const OpDesc &op) {
      sfa::OpKind kind = op.op->kind();
      return op.name == layer.name &&
             kind == (layer.entry.kind == SF_DRAM_CONV2D ? sfa::OpKind::Conv2d
                                                         : sfa::OpKind::Linear);
    };
    auto it = std::find_if(model.ops.begin() + next, model.ops.end(), matches);
    if (it == model.ops.end())
      return sf_status_make(SF_STATUS_DATA_LOSS,
                            "invalid artifact: DRAM layer %zu ('%s') names no "
                            "later Conv2d or Linear op of the plan",
                            l, layer.name.c_str());
    size_t index = static_cast<size_t>(it - model.ops.begin());
    if (static_cast<uint64_t>(t(it->inputs[0]).elements) !=
        layer.inputNeurons * t(it->inputs[0]).shape[0])
      return sf_status_make(SF_STATUS_DATA_LOSS,
                            "invalid artifact: DRAM layer %zu ('%s') has %llu "
                            "input neurons per sample, its op's input does not",
                            l, layer.name.c_str(),
                            (unsigned long long)layer.inputNeurons);
    model.dramOps.push_back(static_cast<uint32_t>(index));
    next = index + 1;
  }
  model.dram = std::move(image);
  return SF_OK;
}

/// Whether `v` (if present) holds 8-byte elements at a misaligned address.
template <typename T> bool misaligned(const flatbuffers::Vector<T> *v) {
  static_assert(sizeof(T) == 8, "only 8-byte elements can be misaligned");
  return v && reinterpret_cast<uintptr_t>(v->data()) % alignof(T) != 0;
}

/// The first vector of 64-bit values in `plan` whose elements are not
/// 8-byte aligned, or "". The FlatBuffers verifier checks a vector's length
/// field (4 bytes) only, so a crafted plan can place 8-byte elements at an
/// address that is 4 mod 8, and reading them is undefined behaviour.
std::string misalignedVector(const sfa::Model &plan) {
  if (plan.tensors())
    for (flatbuffers::uoffset_t i = 0; i < plan.tensors()->size(); ++i)
      if (misaligned(plan.tensors()->Get(i)->shape()))
        return formatted("the shape of tensor #%u", i);
  if (plan.ops())
    for (flatbuffers::uoffset_t i = 0; i < plan.ops()->size(); ++i) {
      const sfa::Op &o = *plan.ops()->Get(i);
      bool bad = false;
      if (const sfa::Conv2dAttrs *a = o.attrs_as_Conv2dAttrs())
        bad = misaligned(a->strides()) || misaligned(a->pads()) ||
              misaligned(a->dilations()) || misaligned(a->kernel());
      else if (const sfa::PoolAttrs *a = o.attrs_as_PoolAttrs())
        bad = misaligned(a->kernel()) || misaligned(a->strides()) ||
              misaligned(a->pads()) || misaligned(a->dilations());
      else if (const sfa::TransposeAttrs *a = o.attrs_as_TransposeAttrs())
        bad = misaligned(a->permutation());
      else if (const sfa::SpikeCoreLayerAttrs *a =
                   o.attrs_as_SpikeCoreLayerAttrs())
        bad = misaligned(a->output_scales());
      if (bad)
        return formatted("an attribute of op #%u", i);
    }
  return "";
}

} // namespace

sf_status_t runtime::mapFile(const char *path,
                             std::unique_ptr<ArtifactBytes> &out) {
  int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return sf_status_make(errno == ENOENT ? SF_STATUS_NOT_FOUND
                                          : SF_STATUS_INVALID_ARGUMENT,
                          "cannot open '%s': %s", path, std::strerror(errno));
  struct stat info;
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    ::close(fd);
    return sf_status_make(SF_STATUS_INVALID_ARGUMENT,
                          "'%s' is not a regular file", path);
  }
  size_t size = static_cast<size_t>(info.st_size);
  void *address = nullptr;
  if (size) {
    address = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (address == MAP_FAILED) {
      int error = errno;
      ::close(fd);
      return sf_status_make(SF_STATUS_RESOURCE_EXHAUSTED,
                            "cannot map '%s': %s", path, std::strerror(error));
    }
  }
  ::close(fd);
  out.reset(new (std::nothrow) MappedFile(address, size));
  if (!out) {
    if (size)
      munmap(address, size);
    return sf_status_make(SF_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  }
  return SF_OK;
}

sf_status_t runtime::copyBytes(const void *data, size_t size,
                               std::unique_ptr<ArtifactBytes> &out) {
  if (!data && size)
    return sf_status_make(SF_STATUS_INVALID_ARGUMENT,
                          "artifact data is NULL");
  size_t rounded = (size + 63) / 64 * 64;
  auto *bytes = static_cast<uint8_t *>(std::aligned_alloc(64, rounded ? rounded : 64));
  if (!bytes)
    return sf_status_make(SF_STATUS_RESOURCE_EXHAUSTED,
                          "cannot allocate %zu bytes for the artifact", size);
  if (size)
    std::memcpy(bytes, data, size);
  out.reset(new (std::nothrow) AlignedCopy(bytes, size));
  if (!out) {
    std::free(bytes);
    return sf_status_make(SF_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  }
  return SF_OK;
}

sf_status_t runtime::loadArtifact(std::unique_ptr<ArtifactBytes> bytes,
                                  sf_model_t &model) {
  const uint8_t *file = bytes->data();
  const uint64_t size = bytes->size();
  if (size < SF_ARTIFACT_HEADER_SIZE)
    return sf_status_make(SF_STATUS_DATA_LOSS,
                          "not a SparseFlow artifact: %llu bytes is shorter "
                          "than the %d-byte header",
                          (unsigned long long)size, SF_ARTIFACT_HEADER_SIZE);
  sf_artifact_header_t header;
  std::memcpy(&header, file, sizeof(header));
  if (std::memcmp(header.magic, SF_ARTIFACT_MAGIC, SF_ARTIFACT_MAGIC_SIZE) != 0)
    return sf_status_make(SF_STATUS_DATA_LOSS,
                          "not a SparseFlow artifact: wrong magic bytes at "
                          "offset 0");
  if (header.version_major != SF_ARTIFACT_VERSION_MAJOR ||
      header.version_minor > SF_ARTIFACT_VERSION_MINOR) {
    bool newer = header.version_major > SF_ARTIFACT_VERSION_MAJOR ||
                 (header.version_major == SF_ARTIFACT_VERSION_MAJOR &&
                  header.version_minor > SF_ARTIFACT_VERSION_MINOR);
    return sf_status_make(
        SF_STATUS_INCOMPATIBLE,
        "artifact version %u.%u is %s this runtime (%d.%d)%s",
        header.version_major, header.version_minor,
        newer ? "newer than" : "older than and incompatible with",
        SF_ARTIFACT_VERSION_MAJOR, SF_ARTIFACT_VERSION_MINOR,
        newer ? "; update the runtime" : "; recompile the model");
  }
  if (header.header_size != SF_ARTIFACT_HEADER_SIZE)
    return sf_status_make(SF_STATUS_DATA_LOSS,
                          "corrupted artifact: header size %u at offset 12, "
                          "expected %d",
                          header.header_size, SF_ARTIFACT_HEADER_SIZE);
  if (header.file_size != size)
    return sf_status_make(
        SF_STATUS_DATA_LOSS,
        "truncated or padded artifact: the header records %llu bytes, the "
        "file has %llu",
        (unsigned long long)header.file_size, (unsigned long long)size);
  if (header.plan_offset != SF_ARTIFACT_HEADER_SIZE ||
      header.plan_size > size - header.plan_offset ||
      header.data_offset % SF_ARTIFACT_DATA_ALIGNMENT ||
      header.data_offset < header.plan_offset + header.plan_size ||
      header.data_offset > size || header.data_size != size - header.data_offset)
    return sf_status_make(
        SF_STATUS_DATA_LOSS,
        "corrupted artifact: sections plan [%llu, +%llu) and data [%llu, "
        "+%llu) do not fit a %llu-byte file",
        (unsigned long long)header.plan_offset,
        (unsigned long long)header.plan_size,
        (unsigned long long)header.data_offset,
        (unsigned long long)header.data_size, (unsigned long long)size);
  uint32_t crc = sf_crc32c(0, file + SF_ARTIFACT_HEADER_SIZE,
                           size - SF_ARTIFACT_HEADER_SIZE);
  if (crc != header.checksum)
    return sf_status_make(SF_STATUS_DATA_LOSS,
                          "corrupted artifact: checksum mismatch (header "
                          "0x%08x, contents 0x%08x)",
                          header.checksum, crc);

  const uint8_t *planBytes = file + header.plan_offset;
  flatbuffers::Verifier verifier(planBytes, header.plan_size);
  if (!sfa::VerifyModelBuffer(verifier))
    return sf_status_make(SF_STATUS_DATA_LOSS,
                          "invalid artifact: the plan at offset %llu fails "
                          "the FlatBuffers verifier (schema sfa.fbs)",
                          (unsigned long long)header.plan_offset);
  const sfa::Model *plan = sfa::GetModel(planBytes);
  if (std::string where = misalignedVector(*plan); !where.empty())
    return sf_status_make(SF_STATUS_DATA_LOSS,
                          "invalid artifact: %s holds 64-bit values at an "
                          "address that is not a multiple of 8",
                          where.c_str());

  PlanValidator validator(*plan, header.data_size, model);
  if (sf_status_t status = validator.run(file + header.data_offset))
    return status;
  model.plan = plan;
  model.bytes = std::move(bytes);
  return SF_OK;
}
