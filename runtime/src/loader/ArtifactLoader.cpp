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
#include "sparseflow/format/op_catalogue.h"
#include "sparseflow/format/window.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
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
  AlignedCopy(const sf_allocator_t &allocator, uint8_t *bytes, size_t length)
      : allocator(allocator), bytes(bytes), length(length) {}
  ~AlignedCopy() override { deallocate(allocator, bytes); }
  const uint8_t *data() const override { return bytes; }
  size_t size() const override { return length; }

private:
  sf_allocator_t allocator;
  uint8_t *bytes;
  size_t length;
};

constexpr int kMaxRank = SF_MAX_RANK;

// The C API's encodings and readouts are the shared enums' numbers.
#define SF_SAME_ENUMERATOR(Enum, Name, API)                                    \
  static_assert(static_cast<int>(format::Enum::Name) == API,                   \
                #API " is format::" #Enum "::" #Name);
SF_SAME_ENUMERATOR(Encoding, Direct, SF_ENCODING_DIRECT)
SF_SAME_ENUMERATOR(Encoding, Rate, SF_ENCODING_RATE)
SF_SAME_ENUMERATOR(Encoding, Spikes, SF_ENCODING_SPIKES)
SF_SAME_ENUMERATOR(Readout, Mean, SF_READOUT_MEAN)
SF_SAME_ENUMERATOR(Readout, Sum, SF_READOUT_SUM)
SF_SAME_ENUMERATOR(Readout, Last, SF_READOUT_LAST)
SF_SAME_ENUMERATOR(Readout, All, SF_READOUT_ALL)
#undef SF_SAME_ENUMERATOR

sf_encoding_t toApi(format::Encoding encoding) {
  return static_cast<sf_encoding_t>(encoding);
}
sf_readout_t toApi(format::Readout readout) {
  return static_cast<sf_readout_t>(readout);
}

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
struct OpCheck;

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
  sf_status_t opErrorV(size_t index, const char *format, va_list args);

  const TensorDesc &t(uint32_t id) const { return model.tensors[id]; }

  friend struct OpCheck;

  const sfa::Model &plan;
  uint64_t dataSize;
  sf_model_t &model;
  /// The op writing each tensor (-1: a model input or a constant).
  std::vector<int64_t> writer;
};

sf_status_t PlanValidator::opError(size_t index, const char *format, ...) {
  va_list args;
  va_start(args, format);
  sf_status_t status = opErrorV(index, format, args);
  va_end(args);
  return status;
}

sf_status_t PlanValidator::opErrorV(size_t index, const char *format,
                                    va_list args) {
  char detail[512];
  std::vsnprintf(detail, sizeof(detail), format, args);
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
      if (offset % SF_ARTIFACT_ARENA_ALIGNMENT)
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
  // occupy (each rounded up to the alignment, as the compiler plans them).
  const uint64_t align = SF_ARTIFACT_ARENA_ALIGNMENT;
  uint64_t needed = 0;
  for (const TensorDesc &desc : model.tensors)
    if (!desc.constant)
      needed = std::max(needed, desc.arenaOffset +
                                    (desc.byteSize + align - 1) / align * align);
  if (model.arenaSize > needed)
    return sf_status_make(SF_STATUS_DATA_LOSS,
                          "invalid artifact: the arena is %llu bytes, its "
                          "tensors occupy %llu",
                          (unsigned long long)model.arenaSize,
                          (unsigned long long)needed);
  return SF_OK;
}

/// One op's validation: what its rule reads and the checks rules share.
struct OpCheck {
  PlanValidator &validator;
  size_t index;
  const sfa::Op &o;
  OpDesc &desc;
  const TensorDesc &out;
  /// The op runs the SparseBinary kernel.
  bool sparse;
  /// Some input varies over time.
  bool anyTemporal;

  const sfa::Model &plan() const { return validator.plan; }
  const TensorDesc &in(size_t i) const {
    return validator.model.tensors[desc.inputs[i]];
  }
  sf_status_t error(const char *format, ...)
      __attribute__((format(printf, 2, 3)));
  sf_status_t constantOf(size_t i, const std::vector<int64_t> &shape,
                         const char *what) {
    if (!in(i).constant || in(i).shape != shape)
      return error("%s must be a constant of the expected shape", what);
    return SF_OK;
  }
  sf_status_t expectOut(bool packed, bool temporal) {
    if (out.packed != packed || out.temporal != temporal)
      return error("output storage must be %s%s",
                   packed ? "packed spikes" : "float32",
                   temporal ? " (temporal)" : " (not temporal)");
    return SF_OK;
  }
  /// Runs `rule` with the last input (a fused layer's residual) hidden
  /// when `residual` is set.
  template <typename Rule>
  sf_status_t withoutResidual(bool residual, Rule rule) {
    if (!residual)
      return rule();
    uint32_t last = desc.inputs.back();
    desc.inputs.pop_back();
    sf_status_t status = rule();
    desc.inputs.push_back(last);
    return status;
  }
  sf_status_t denseInputs(size_t count) {
    for (size_t i = 0; i < count; ++i)
      if (in(i).packed)
        return error("input %zu must be float32, found packed spikes", i);
    return SF_OK;
  }
};

sf_status_t OpCheck::error(const char *format, ...) {
  va_list args;
  va_start(args, format);
  sf_status_t status = validator.opErrorV(index, format, args);
  va_end(args);
  return status;
}

bool sameShape(const TensorDesc &a, const TensorDesc &b) {
  return a.shape == b.shape;
}

/// `v` holds `n` values of at least `min`.
bool pairOk(const flatbuffers::Vector<int64_t> *v, size_t n, int64_t min) {
  if (!v || v->size() != n)
    return false;
  for (int64_t x : *v)
    if (x < min)
      return false;
  return true;
}

/// Axis `axis` (0: height, 1: width) of a Conv2d's or a pool's window over
/// the NCHW input `x`; the attributes' arity is checked.
template <typename Attrs>
format::WindowAxis windowAxis(const Attrs &a, const TensorDesc &x, int axis,
                              bool ceilMode) {
  return {x.shape[2 + axis],
          a.kernel()->Get(axis),
          a.strides()->Get(axis),
          a.pads()->Get(axis),
          a.pads()->Get(axis + 2),
          a.dilations()->Get(axis),
          ceilMode};
}

#define SF_CHECK(expr)                                                         \
  if (sf_status_t status = (expr))                                             \
  return status

// One rule per op kind: its operands' storage and shapes, its attributes'
// values, consistent with the kernel that will run it. The catalogue's
// checks (operand count, attribute type, kernel) have run.

/// A Conv2d's operands and output shape against its attributes `a`.
sf_status_t convShapes(OpCheck &c, const sfa::Conv2dAttrs *a) {
  if (!a || !pairOk(a->strides(), 2, 1) || !pairOk(a->dilations(), 2, 1) ||
      !pairOk(a->pads(), 4, 0) || !pairOk(a->kernel(), 2, 1) || a->groups() < 1)
    return c.error("malformed Conv2d attributes");
  const TensorDesc &x = c.in(0);
  if (x.shape.size() != 4 || x.packed != c.sparse)
    return c.error("input must be a rank-4 %s tensor",
                   c.sparse ? "packed spike" : "float32");
  int64_t N = x.shape[0], C = x.shape[1];
  int64_t KH = a->kernel()->Get(0), KW = a->kernel()->Get(1);
  int64_t G = a->groups();
  if (C % G)
    return c.error("channels %lld not divisible by groups %lld", (long long)C,
                   (long long)G);
  if (c.out.shape.size() != 4 || c.out.shape[0] != N)
    return c.error("output must be [N, O, OH, OW]");
  int64_t O = c.out.shape[1];
  if (O % G)
    return c.error("output channels not divisible by groups");
  if (c.sparse) {
    if (!format::sparseConvSupports(G, format::fromSchema(c.o.target())))
      return c.error("the %s sparse kernel requires groups = 1",
                     sfa::EnumNameTarget(c.o.target()));
    SF_CHECK(c.constantOf(1, {C, KH, KW, O / G},
                          "the arranged weight [C,KH,KW,O/g]"));
  } else {
    SF_CHECK(c.constantOf(1, {O, C / G, KH, KW}, "the weight [O,C/g,KH,KW]"));
  }
  if (c.desc.inputs.size() == 3)
    SF_CHECK(c.constantOf(2, {O}, "the bias"));
  for (int axis = 0; axis < 2; ++axis) {
    format::WindowAxis window = windowAxis(*a, x, axis, /*ceilMode=*/false);
    const char *name = axis ? "width" : "height";
    int64_t expected = 0;
    format::WindowFault fault = format::windowOutputSize(window, expected);
    if (fault == format::WindowFault::SpanOverflows ||
        fault == format::WindowFault::PaddedOverflows)
      return c.error("the window's %s overflows 64 bits", name);
    if (c.out.shape[2 + axis] != expected || expected < 1)
      return c.error("output %s %lld, expected %lld", name,
                     (long long)c.out.shape[2 + axis], (long long)expected);
  }
  return SF_OK;
}

sf_status_t checkConv2d(OpCheck &c) {
  SF_CHECK(convShapes(c, c.o.attrs_as_Conv2dAttrs()));
  return c.expectOut(false, c.anyTemporal);
}

/// A Linear's operands and output shape.
sf_status_t linearShapes(OpCheck &c) {
  const TensorDesc &x = c.in(0);
  if (x.shape.empty() || x.packed != c.sparse)
    return c.error("input must be a %s tensor of rank >= 1",
                   c.sparse ? "packed spike" : "float32");
  int64_t K = x.shape.back();
  if (c.out.shape.size() != x.shape.size() ||
      !std::equal(x.shape.begin(), x.shape.end() - 1, c.out.shape.begin()))
    return c.error("output shape must be the input's with the last "
                   "dimension replaced");
  int64_t O = c.out.shape.back();
  SF_CHECK(c.constantOf(1, {K, O}, "the weight [K, O]"));
  if (c.desc.inputs.size() == 3)
    SF_CHECK(c.constantOf(2, {O}, "the bias"));
  return SF_OK;
}

sf_status_t checkLinear(OpCheck &c) {
  SF_CHECK(linearShapes(c));
  return c.expectOut(false, c.anyTemporal);
}

sf_status_t checkBatchNorm(OpCheck &c) {
  SF_CHECK(c.denseInputs(1));
  if (!c.o.attrs_as_BatchNormAttrs())
    return c.error("missing BatchNorm attributes");
  if (c.in(0).shape.size() < 2 || !sameShape(c.in(0), c.out))
    return c.error("input must be [N, C, ...] like the output");
  for (size_t i = 1; i < 5; ++i)
    SF_CHECK(c.constantOf(i, {c.in(0).shape[1]}, "a per-channel parameter"));
  return c.expectOut(false, c.anyTemporal);
}

sf_status_t checkBinary(OpCheck &c) {
  // A Mul of two spike trains is their AND, packed; the rest is float.
  const bool spikes =
      c.o.kind() == sfa::OpKind::Mul && c.in(0).packed && c.in(1).packed;
  if (!spikes) {
    SF_CHECK(c.denseInputs(2));
  }
  size_t rank = c.out.shape.size();
  for (size_t i = 0; i < 2; ++i) {
    const std::vector<int64_t> &s = c.in(i).shape;
    if (s.size() > rank)
      return c.error("input %zu has a higher rank than the output", i);
    for (size_t d = 0; d < s.size(); ++d) {
      int64_t od = c.out.shape[rank - s.size() + d];
      if (s[d] != od && s[d] != 1)
        return c.error("input %zu does not broadcast to the output", i);
    }
  }
  for (size_t d = 0; d < rank; ++d) {
    bool covered = false;
    for (size_t i = 0; i < 2; ++i) {
      const std::vector<int64_t> &s = c.in(i).shape;
      size_t pad = rank - s.size();
      covered |= d >= pad && s[d - pad] == c.out.shape[d];
    }
    if (!covered && c.out.shape[d] != 1)
      return c.error("output dimension %zu is not the inputs' "
                     "broadcast",
                     d);
  }
  return c.expectOut(spikes, c.anyTemporal);
}

sf_status_t checkRelu(OpCheck &c) {
  SF_CHECK(c.denseInputs(1));
  if (!sameShape(c.in(0), c.out))
    return c.error("output shape must equal the input's");
  return c.expectOut(false, c.anyTemporal);
}

sf_status_t checkSigmoid(OpCheck &c) { return checkRelu(c); }

sf_status_t checkPointwise(OpCheck &c) {
  const sfa::PointwiseAttrs *a = c.o.attrs_as_PointwiseAttrs();
  if (!a || !format::isKnown(a->function()))
    return c.error("missing or unknown Pointwise function");
  if (!std::isfinite(a->alpha()) || std::isnan(a->min()) ||
      std::isnan(a->max()))
    return c.error("Pointwise parameters must not be NaN (alpha finite)");
  return checkRelu(c);
}

// Over the trailing dimensions whose elements the scale holds.
sf_status_t checkLayerNorm(OpCheck &c) {
  const sfa::LayerNormAttrs *a = c.o.attrs_as_LayerNormAttrs();
  if (!a || !(a->epsilon() >= 0.0f) || !std::isfinite(a->epsilon()))
    return c.error("LayerNorm needs a finite epsilon >= 0");
  const TensorDesc &x = c.in(0);
  int64_t k = 1;
  size_t d = x.shape.size();
  const TensorDesc &scale = c.in(1);
  while (d > 0 && k < scale.elements)
    k *= x.shape[--d];
  if (x.packed || k != scale.elements || !scale.constant)
    return c.error("the scale must be a constant of the input's trailing "
                   "dimensions' %lld elements",
                   (long long)scale.elements);
  if (c.desc.inputs.size() == 3 && (c.in(2).elements != k || !c.in(2).constant))
    return c.error("the bias must be a constant of the scale's size");
  return checkRelu(c);
}

sf_status_t checkSoftmax(OpCheck &c) {
  if (!c.o.attrs_as_SoftmaxAttrs())
    return c.error("missing Softmax attributes");
  if (c.in(0).shape.empty())
    return c.error("Softmax needs an input of rank >= 1");
  return checkRelu(c);
}

sf_status_t checkPad(OpCheck &c) {
  const sfa::PadAttrs *a = c.o.attrs_as_PadAttrs();
  const TensorDesc &x = c.in(0);
  size_t rank = x.shape.size();
  if (!a || !pairOk(a->pads(), 2 * rank, 0) || !std::isfinite(a->value()))
    return c.error("Pad needs 2 x rank = %zu pads >= 0 and a finite value",
                   2 * rank);
  if (!format::isKnown(a->mode()))
    return c.error("unknown Pad mode");
  bool constant = a->mode() == sfa::PadMode::Constant;
  if (x.packed && constant && a->value() != 0.0f)
    return c.error("packed spikes can only be padded with 0 (silent "
                   "neurons)");
  if (c.out.shape.size() != rank)
    return c.error("output must have the input's rank");
  for (size_t d = 0; d < rank; ++d) {
    // pads and dimensions are below 2^48 (the tensors' size checks), so
    // the sum fits.
    auto pad = [&](size_t i) {
      return a->pads()->Get(static_cast<flatbuffers::uoffset_t>(i));
    };
    if (pad(d) > c.out.shape[d] || pad(rank + d) > c.out.shape[d] ||
        x.shape[d] + pad(d) + pad(rank + d) != c.out.shape[d])
      return c.error("output dimension %zu must be %lld + pads", d,
                     (long long)x.shape[d]);
    // A mirror reaches at most n - 1 elements past an edge.
    if (a->mode() == sfa::PadMode::Reflect &&
        (pad(d) >= x.shape[d] || pad(rank + d) >= x.shape[d]) &&
        (pad(d) || pad(rank + d)))
      return c.error("reflect pads of dimension %zu must be below its "
                     "size %lld",
                     d, (long long)x.shape[d]);
  }
  return c.expectOut(x.packed, c.anyTemporal);
}

// x [N, C, H, W], weight [C, O/g, KH, KW]: along each axis the output is
// (in - 1) * stride - pads + dilation * (kernel - 1) + 1 plus an
// output_padding below max(stride, dilation).
sf_status_t checkConvTranspose2d(OpCheck &c) {
  const sfa::Conv2dAttrs *a = c.o.attrs_as_Conv2dAttrs();
  if (!a || !pairOk(a->strides(), 2, 1) || !pairOk(a->dilations(), 2, 1) ||
      !pairOk(a->pads(), 4, 0) || !pairOk(a->kernel(), 2, 1) || a->groups() < 1)
    return c.error("malformed ConvTranspose2d attributes");
  const TensorDesc &x = c.in(0);
  if (x.shape.size() != 4 || x.packed || c.out.shape.size() != 4 ||
      c.out.shape[0] != x.shape[0])
    return c.error("input and output must be float32 [N, C, H, W] and "
                   "[N, O, OH, OW]");
  int64_t C = x.shape[1], O = c.out.shape[1], G = a->groups();
  if (C % G || O % G)
    return c.error("channels %lld and %lld must divide into %lld groups",
                   (long long)C, (long long)O, (long long)G);
  int64_t KH = a->kernel()->Get(0), KW = a->kernel()->Get(1);
  SF_CHECK(c.constantOf(1, {C, O / G, KH, KW}, "the weight [C,O/g,KH,KW]"));
  if (c.desc.inputs.size() == 3)
    SF_CHECK(c.constantOf(2, {O}, "the bias"));
  for (flatbuffers::uoffset_t axis = 0; axis < 2; ++axis) {
    // Every value is below 2^48 (sizes) or checked by pairOk: no overflow in
    // 128 bits.
    __int128 stride = a->strides()->Get(axis),
             dilation = a->dilations()->Get(axis),
             kernel = a->kernel()->Get(axis),
             pads = a->pads()->Get(axis) + __int128(a->pads()->Get(axis + 2));
    __int128 base =
        (x.shape[2 + axis] - 1) * stride - pads + dilation * (kernel - 1) + 1;
    __int128 extra = c.out.shape[2 + axis] - base;
    if (extra < 0 || extra >= std::max(stride, dilation))
      return c.error("output %s %lld does not follow from the window",
                     axis ? "width" : "height",
                     (long long)c.out.shape[2 + axis]);
  }
  return c.expectOut(false, c.anyTemporal);
}

// [.., M, K] x [.., K, N]: batch dimensions broadcast to the output's. The
// sparse kernel reads a packed left operand, and the right one packed or
// float.
sf_status_t checkMatMul(OpCheck &c) {
  if (!c.sparse) {
    SF_CHECK(c.denseInputs(2));
  } else if (!c.in(0).packed) {
    return c.error("the sparse kernel reads input 0 as packed spikes");
  }
  if (c.o.block_size())
    return c.error("a MatMul has no block size");
  const std::vector<int64_t> &a = c.in(0).shape, &b = c.in(1).shape,
                             &y = c.out.shape;
  size_t rank = y.size();
  if (a.size() < 2 || b.size() < 2 || a.size() > rank || b.size() > rank)
    return c.error("operands must have rank 2 to the output's rank %zu", rank);
  if (a.back() != b[b.size() - 2] || y[rank - 2] != a[a.size() - 2] ||
      y[rank - 1] != b.back())
    return c.error("[.., M, K] x [.., K, N] must give [.., M, N]");
  for (const std::vector<int64_t> *s : {&a, &b})
    for (size_t d = 0; d + 2 < s->size(); ++d) {
      int64_t od = y[rank - s->size() + d];
      if ((*s)[d] != od && (*s)[d] != 1)
        return c.error("a batch dimension does not broadcast to the "
                       "output");
    }
  return c.expectOut(false, c.anyTemporal);
}

sf_status_t checkSlice(OpCheck &c) {
  const sfa::SliceAttrs *a = c.o.attrs_as_SliceAttrs();
  const TensorDesc &x = c.in(0);
  size_t rank = x.shape.size();
  if (!a || !a->starts() || !a->steps() || a->starts()->size() != rank ||
      a->steps()->size() != rank || c.out.shape.size() != rank)
    return c.error("Slice needs one start and one step per dimension of "
                   "the input (rank %zu), and an output of that rank",
                   rank);
  for (size_t d = 0; d < rank; ++d) {
    auto at = static_cast<flatbuffers::uoffset_t>(d);
    int64_t start = a->starts()->Get(at), step = a->steps()->Get(at);
    int64_t n = x.shape[d], size = c.out.shape[d];
    // Every index read, start + i * step for i < size, lies in [0, n):
    // the first and the last do (dimensions are below 2^48, steps are
    // bounded by them, so nothing overflows).
    if (step == 0 || step < -n || step > n || start < 0 || start >= n ||
        start + (size - 1) * step < 0 || start + (size - 1) * step >= n)
      return c.error("slice of dimension %zu (size %lld) from %lld by %lld "
                     "for %lld elements leaves the input",
                     d, (long long)n, (long long)start, (long long)step,
                     (long long)size);
  }
  return c.expectOut(x.packed, c.anyTemporal);
}

sf_status_t checkMaxPool2dOrAvgPool2d(OpCheck &c) {
  const sfa::PoolAttrs *a = c.o.attrs_as_PoolAttrs();
  if (!a || !pairOk(a->kernel(), 2, 1) || !pairOk(a->strides(), 2, 1) ||
      !pairOk(a->dilations(), 2, 1) || !pairOk(a->pads(), 4, 0))
    return c.error("malformed pooling attributes");
  const TensorDesc &x = c.in(0);
  if (x.packed && c.o.kind() == sfa::OpKind::AvgPool2d)
    return c.error("average pooling takes float32 input");
  if (x.shape.size() != 4 || c.out.shape.size() != 4 ||
      c.out.shape[0] != x.shape[0] || c.out.shape[1] != x.shape[1])
    return c.error("input and output must be [N, C, H, W]");
  for (int axis = 0; axis < 2; ++axis) {
    // A pooling window's taps are all visited for every output, and no
    // weight in the file justifies their number: each pad must be
    // smaller than the window (as ONNX requires) and no larger than the
    // input, so that the window spans at most three times the input.
    format::WindowAxis window = windowAxis(*a, x, axis, a->ceil_mode());
    const char *name = axis ? "width" : "height";
    int64_t expected = 0;
    format::WindowFault fault = format::windowOutputSize(window, expected);
    if (fault == format::WindowFault::SpanOverflows ||
        fault == format::WindowFault::PaddedOverflows)
      return c.error("the window's %s overflows 64 bits", name);
    for (int64_t pad : {window.padBegin, window.padEnd})
      if (pad > window.input ||
          !format::poolPadFits(pad, window.kernel, window.dilation))
        return c.error("pad %lld along the %s exceeds the input "
                       "(%lld) or the window (%lld taps, dilation %lld)",
                       (long long)pad, name, (long long)window.input,
                       (long long)window.kernel, (long long)window.dilation);
    int64_t got = c.out.shape[2 + axis];
    if (got < 1 || got != expected)
      return c.error("output %s %lld does not match the window", name,
                     (long long)got);
  }
  return c.expectOut(x.packed, c.anyTemporal);
}

sf_status_t checkGlobalAvgPool(OpCheck &c) {
  SF_CHECK(c.denseInputs(1));
  const TensorDesc &x = c.in(0);
  if (x.shape.size() < 3 || c.out.shape.size() != x.shape.size() ||
      c.out.shape[0] != x.shape[0] || c.out.shape[1] != x.shape[1] ||
      c.out.elements != x.shape[0] * x.shape[1])
    return c.error("output must be [N, C, 1, ...] for [N, C, ...]");
  return c.expectOut(false, c.anyTemporal);
}

sf_status_t checkReshape(OpCheck &c) {
  if (c.in(0).elements != c.out.elements)
    return c.error("reshape changes the element count");
  return c.expectOut(c.in(0).packed, c.anyTemporal);
}

sf_status_t checkTranspose(OpCheck &c) {
  const sfa::TransposeAttrs *a = c.o.attrs_as_TransposeAttrs();
  const TensorDesc &x = c.in(0);
  if (!a || !a->permutation() || a->permutation()->size() != x.shape.size() ||
      c.out.shape.size() != x.shape.size())
    return c.error("permutation must have the input's rank");
  std::vector<bool> seen(x.shape.size(), false);
  for (size_t d = 0; d < x.shape.size(); ++d) {
    int64_t p = a->permutation()->Get(static_cast<flatbuffers::uoffset_t>(d));
    if (p < 0 || p >= static_cast<int64_t>(x.shape.size()) || seen[p])
      return c.error("invalid permutation");
    seen[p] = true;
    if (c.out.shape[d] != x.shape[p])
      return c.error("output dimension %zu must be input dimension "
                     "%lld",
                     d, (long long)p);
  }
  return c.expectOut(x.packed, c.anyTemporal);
}

sf_status_t checkConcat(OpCheck &c) {
  const sfa::ConcatAttrs *a = c.o.attrs_as_ConcatAttrs();
  size_t rank = c.out.shape.size();
  if (!a || a->axis() < 0 || a->axis() >= static_cast<int64_t>(rank))
    return c.error("axis out of range");
  int64_t total = 0;
  for (size_t i = 0; i < c.desc.inputs.size(); ++i) {
    const TensorDesc &x = c.in(i);
    if (x.packed != c.out.packed || x.shape.size() != rank)
      return c.error("inputs must share the output's rank and "
                     "storage");
    for (size_t d = 0; d < rank; ++d)
      if (static_cast<int64_t>(d) != a->axis() && x.shape[d] != c.out.shape[d])
        return c.error("input %zu differs outside the axis", i);
    total += x.shape[a->axis()];
  }
  if (total != c.out.shape[a->axis()])
    return c.error("the inputs' sizes along the axis do not add up");
  return c.expectOut(c.out.packed, c.anyTemporal);
}

/// What a neuron op's parameters hold besides LIF's: a synaptic current
/// (CubaLIF requires one, LI may have one, the others have none), and
/// whether it fires (LI does not: no threshold or reset).
enum class Synapse { None, Optional, Required };

/// Neuron parameters `a` for neurons shaped like `x`.
sf_status_t lifParams(OpCheck &c, const sfa::LIFAttrs *a, const TensorDesc &x,
                      Synapse synapse = Synapse::None, bool spiking = true) {
  if (!a)
    return c.error("missing LIF attributes");
  int64_t channels = x.shape.size() >= 2 ? x.shape[1] : 1;
  auto perChannel = [&](const flatbuffers::Vector<float> *v, bool required) {
    if (!v || v->size() == 0)
      return !required;
    return v->size() == 1 || static_cast<int64_t>(v->size()) == channels;
  };
  if (!perChannel(a->leak(), true) || !perChannel(a->gain(), true) ||
      !perChannel(a->v_leak(), true) ||
      !perChannel(a->v_threshold(), spiking) ||
      !perChannel(a->v_init(), true) ||
      !perChannel(a->v_reset(), a->reset() == sfa::ResetMode::Hard) ||
      !perChannel(a->syn_leak(), synapse == Synapse::Required) ||
      !perChannel(a->syn_gain(), synapse == Synapse::Required))
    return c.error("LIF parameters must hold 1 or %lld (channels) "
                   "values",
                   (long long)channels);
  bool hasLeak = a->syn_leak() && a->syn_leak()->size();
  bool hasGain = a->syn_gain() && a->syn_gain()->size();
  if (synapse == Synapse::None && (hasLeak || hasGain))
    return c.error("only CubaLIF and LI neurons have a synaptic current");
  if (hasLeak != hasGain)
    return c.error("a synaptic current needs both syn_leak and syn_gain");
  if (!spiking && ((a->v_threshold() && a->v_threshold()->size()) ||
                   a->reset() == sfa::ResetMode::Hard))
    return c.error("a leaky integrator neither fires nor resets");
  if (!format::isKnown(a->reset()) || !format::isKnown(a->fire()))
    return c.error("unknown reset or fire mode");
  return SF_OK;
}

sf_status_t checkLIF(OpCheck &c) {
  SF_CHECK(c.denseInputs(1));
  const TensorDesc &x = c.in(0);
  if (!sameShape(x, c.out))
    return c.error("output shape must equal the input's");
  SF_CHECK(lifParams(c, c.o.attrs_as_LIFAttrs(), x));
  return c.expectOut(true, true);
}

sf_status_t checkCubaLIF(OpCheck &c) {
  SF_CHECK(c.denseInputs(1));
  const TensorDesc &x = c.in(0);
  if (!sameShape(x, c.out))
    return c.error("output shape must equal the input's");
  SF_CHECK(lifParams(c, c.o.attrs_as_LIFAttrs(), x, Synapse::Required));
  return c.expectOut(true, true);
}

// Vector neurons [N, K] with a recurrent weight W^T [K, K] and bias [K].
sf_status_t checkRecurrentLIF(OpCheck &c) {
  const TensorDesc &x = c.in(0);
  if (x.packed || x.constant || x.shape.size() != 2)
    return c.error("input must be a float32 activation [N, K]");
  if (!sameShape(x, c.out))
    return c.error("output shape must equal the input's");
  int64_t K = x.shape[1];
  SF_CHECK(c.constantOf(1, {K, K}, "the recurrent weight [K, K]"));
  if (c.desc.inputs.size() == 3)
    SF_CHECK(c.constantOf(2, {K}, "the recurrent bias"));
  SF_CHECK(lifParams(c, c.o.attrs_as_LIFAttrs(), x, Synapse::Optional));
  return c.expectOut(true, true);
}

// A membrane per step: float, temporal.
sf_status_t checkLI(OpCheck &c) {
  SF_CHECK(c.denseInputs(1));
  const TensorDesc &x = c.in(0);
  if (!sameShape(x, c.out))
    return c.error("output shape must equal the input's");
  SF_CHECK(lifParams(c, c.o.attrs_as_LIFAttrs(), x, Synapse::Optional,
                     /*spiking=*/false));
  return c.expectOut(false, true);
}

// A synaptic layer fused with the neurons it feeds: the layer's rules on
// its own inputs, the neurons' on its (float) output shape, a residual of
// the output's shape, and packed spikes out.
sf_status_t fusedResidual(OpCheck &c, const sfa::SpikingLayerAttrs &a) {
  if (!a.residual())
    return SF_OK;
  const TensorDesc &r = c.in(c.desc.inputs.size() - 1);
  if (r.constant || !sameShape(r, c.out))
    return c.error("the residual must be an activation of the output's "
                   "shape");
  return SF_OK;
}

sf_status_t checkConv2dLIF(OpCheck &c) {
  const sfa::SpikingLayerAttrs *a = c.o.attrs_as_SpikingLayerAttrs();
  if (!a || !a->conv())
    return c.error("missing Conv2d attributes");
  SF_CHECK(fusedResidual(c, *a));
  SF_CHECK(c.withoutResidual(a->residual(),
                             [&] { return convShapes(c, a->conv()); }));
  SF_CHECK(lifParams(c, a->lif(), c.out));
  return c.expectOut(true, true);
}

sf_status_t checkLinearLIF(OpCheck &c) {
  const sfa::SpikingLayerAttrs *a = c.o.attrs_as_SpikingLayerAttrs();
  if (!a || a->conv())
    return c.error("a LinearLIF carries LIF attributes and no Conv2d ones");
  SF_CHECK(fusedResidual(c, *a));
  SF_CHECK(c.withoutResidual(a->residual(), [&] { return linearShapes(c); }));
  SF_CHECK(lifParams(c, a->lif(), c.out));
  return c.expectOut(true, true);
}

sf_status_t checkSpikeCoreLayer(OpCheck &c) {
  const sfa::SpikeCoreLayerAttrs *a = c.o.attrs_as_SpikeCoreLayerAttrs();
  if (!a || !c.plan().spikecore() || c.o.target() != sfa::Target::SpikeCore)
    return c.error("a SpikeCore layer needs its attributes, the "
                   "SpikeCore target description and target "
                   "SpikeCore");
  auto layer = std::make_shared<simulator::Layer>();
  std::string error;
  if (!simulator::decodeLayer(*a, *c.plan().spikecore(), *layer, error))
    return c.error("%s", error.c_str());
  const TensorDesc &x = c.in(0);
  if (x.shape.size() != 2 || x.shape[1] != layer->fanIn)
    return c.error("input must be [N, %u]", layer->fanIn);
  if (c.out.shape != std::vector<int64_t>{x.shape[0], int64_t(layer->neurons)})
    return c.error("output must be [%lld, %u]", (long long)x.shape[0],
                   layer->neurons);
  bool spikes = layer->output == sfa::SpikeCoreOutput::Spikes;
  c.desc.spikecore = std::move(layer);
  return c.expectOut(spikes, true);
}

sf_status_t checkUnpack(OpCheck &c) {
  if (!c.in(0).packed || !sameShape(c.in(0), c.out))
    return c.error("input must be packed spikes of the output's shape");
  return c.expectOut(false, true);
}

#undef SF_CHECK

using OpRule = sf_status_t (*)(OpCheck &);
// Rules shared by two kinds are named after both.
#define checkAdd checkBinary
#define checkMul checkBinary
#define checkSub checkBinary
#define checkDiv checkBinary
#define checkMaxPool2d checkMaxPool2dOrAvgPool2d
#define checkAvgPool2d checkMaxPool2dOrAvgPool2d
/// The rules by op kind, one per row of the catalogue.
const OpRule kRules[] = {
#define SF_OP(Name, ...) &check##Name,
#include "sparseflow/format/op_catalogue.def"
};
#undef checkAdd
#undef checkMul
#undef checkSub
#undef checkDiv
#undef checkMaxPool2d
#undef checkAvgPool2d
static_assert(std::size(kRules) == format::kOpKindCount,
              "one validation rule per op kind");

sf_status_t PlanValidator::opShapes(size_t index, const sfa::Op &o,
                                    OpDesc &desc) {
  // What the catalogue says of every op kind: its operand count, its
  // attributes and its kernels; then the kind's own rule.
  const format::OpInfo *info = format::opInfo(o.kind());
  if (!info)
    return opError(index, "unknown op kind %d", static_cast<int>(o.kind()));
  if (!format::isKnown(o.kernel()))
    return opError(index, "unknown kernel");
  if (!info->hasKernel(o.kernel()))
    return opError(index, "%s has no %s kernel", info->name,
                   sfa::EnumNameKernel(o.kernel()));
  if (o.block_size() < 0 || o.block_size() > 64)
    return opError(index, "block size %lld is outside [0, 64]",
                   (long long)o.block_size());
  if (desc.inputs.size() < info->operandsMin() ||
      desc.inputs.size() > info->operandsMax())
    return opError(index, "expected %u to %u inputs, found %zu",
                   info->operandsMin(), info->operandsMax(),
                   desc.inputs.size());
  if (o.attrs_type() != info->attrs && o.attrs_type() != sfa::OpAttrs::NONE)
    return opError(
        index, "carries %s, expected %s", sfa::EnumNameOpAttrs(o.attrs_type()),
        info->attrs == sfa::OpAttrs::NONE ? "no attributes"
                                          : sfa::EnumNameOpAttrs(info->attrs));

  // Whether an op's float output is temporal follows from its inputs.
  bool anyTemporal = false;
  for (uint32_t id : desc.inputs)
    anyTemporal |= t(id).temporal;
  OpCheck check{
      *this,      index,          o,
      desc,       t(desc.output), o.kernel() == sfa::Kernel::SparseBinary,
      anyTemporal};
  return kRules[static_cast<size_t>(o.kind())](check);
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
  if (!format::isKnown(plan.encoding()) || !format::isKnown(plan.readout()))
    return sf_status_make(SF_STATUS_DATA_LOSS,
                          "invalid artifact: unknown encoding or readout");
  model.encoding = toApi(format::fromSchema(plan.encoding()));
  model.readout = toApi(format::fromSchema(plan.readout()));
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
  // Callers exchange a spike input, and every step's values of an `all`
  // readout, with the steps first (sf_model_input_shape): one dimension more
  // than the tensor's, which must stay within the runtime's limit.
  const auto rankWithSteps = [&](const char *what, uint32_t id,
                                 bool withSteps) -> sf_status_t {
    const size_t rank = t(id).shape.size();
    if (!withSteps || rank + 1 <= kMaxRank)
      return SF_OK;
    return sf_status_make(SF_STATUS_DATA_LOSS,
                          "invalid artifact: model %s #%u has rank %zu, %zu "
                          "with the steps; the runtime's limit is %d",
                          what, id, rank, rank + 1, kMaxRank);
  };
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
    if (sf_status_t status =
            rankWithSteps("input", id, model.encoding == SF_ENCODING_SPIKES))
      return status;
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
    if (sf_status_t status =
            rankWithSteps("output", id, model.readout == SF_READOUT_ALL))
      return status;
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
    // The layer's op, or the op that fuses it with its neurons (which
    // keeps the layer's name).
    auto matches = [&](const OpDesc &op) {
      bool conv = layer.entry.kind == SF_DRAM_CONV2D;
      sfa::OpKind kind = op.op->kind();
      return op.name == layer.name &&
             (conv ? kind == sfa::OpKind::Conv2d ||
                         kind == sfa::OpKind::Conv2dLIF
                   : kind == sfa::OpKind::Linear ||
                         kind == sfa::OpKind::LinearLIF);
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
  // An empty vector (a scalar's shape) has no element to read, and
  // FlatBuffers does not pad before it.
  return v && v->size() &&
         reinterpret_cast<uintptr_t>(v->data()) % alignof(T) != 0;
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
      else if (const sfa::PadAttrs *a = o.attrs_as_PadAttrs())
        bad = misaligned(a->pads());
      else if (const sfa::SliceAttrs *a = o.attrs_as_SliceAttrs())
        bad = misaligned(a->starts()) || misaligned(a->steps());
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
                               const sf_allocator_t &allocator,
                               std::unique_ptr<ArtifactBytes> &out) {
  if (!data && size)
    return sf_status_make(SF_STATUS_INVALID_ARGUMENT,
                          "artifact data is NULL");
  // Whole 64-byte lines, as vector loads of the constants may touch.
  auto *bytes =
      size > SIZE_MAX - 63
          ? nullptr
          : static_cast<uint8_t *>(allocate(allocator, (size + 63) / 64 * 64));
  if (!bytes)
    return sf_status_make(SF_STATUS_RESOURCE_EXHAUSTED,
                          "cannot allocate %zu bytes for the artifact", size);
  if (size)
    std::memcpy(bytes, data, size);
  out.reset(new (std::nothrow) AlignedCopy(allocator, bytes, size));
  if (!out) {
    deallocate(allocator, bytes);
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
