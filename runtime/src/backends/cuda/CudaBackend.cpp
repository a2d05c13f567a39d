//===- CudaBackend.cpp - running plan ops on an NVIDIA GPU ----------------===//
//
// Part of SparseFlow.
//
// Turns each plan op into the arguments of its kernel (KernelBodies.h) with
// device addresses and enqueues it on the session's stream. The zero-block
// flags of a sparse op's input are written by the LIF op that produces that
// input when it also runs on the GPU; otherwise a prescan writes them just
// before the op.
//
//===----------------------------------------------------------------------===//

#include "backends/cuda/CudaBackend.h"

#include "backends/cuda/CudaKernels.h"
#include "core/Executor.h"
#include "core/OpDecode.h"
#include "sparseflow/format/formatted.h"

#include <cmath>
#include <cstring>

using namespace sparseflow;
using namespace sparseflow::runtime;
using namespace sparseflow::runtime::cuda;

namespace {

std::string errorText(cudaError_t error) {
  return formatted("%s (%s)", cudaGetErrorString(error),
                   cudaGetErrorName(error));
}

/// Device allocations are 256-byte aligned, as cudaMalloc's are.
uint64_t alignUp(uint64_t value) { return (value + 255) / 256 * 256; }

} // namespace

namespace {

/// The model's constants on the device.
struct ModelData final : DeviceModel {
  ~ModelData() override { cudaFree(memory); }

  void *memory = nullptr;
  /// Device address of each constant tensor (null for the others).
  std::vector<const void *> constants;
  /// Each LIF, CubaLIF and LI op's parameters with device pointers (by op
  /// index).
  std::vector<LIFParams> lif;
};

class Session final : public DeviceSession {
public:
  ~Session() override {
    if (stream)
      cudaStreamDestroy(stream);
    cudaFree(arena);
    cudaFree(flagMemory);
  }

  /// The zero-block flags of a sparse op's input.
  struct Flags {
    uint8_t *data = nullptr; // null: the op has no block size
    BlockGrid grid;
    /// Written by a prescan before the op (else by the LIF producing it).
    bool prescan = false;
  };

  sf_model_t *model = nullptr;
  const ModelData *constants = nullptr;
  cudaStream_t stream = nullptr;
  void *arena = nullptr;
  uint8_t *flagMemory = nullptr;
  /// Device address of every tensor.
  std::vector<void *> data;
  /// Per op: its input's flags (sparse ops), and the op whose flags a LIF
  /// op writes (-1: none).
  std::vector<Flags> flags;
  std::vector<int64_t> lifWritesFlagsOf;

  sf_status_t upload(uint32_t tensor, const void *data) override;
  sf_status_t download(uint32_t tensor, void *data) override;
  sf_status_t synchronize() override;
};

} // namespace

const std::string &cuda::unavailableReason() {
  static const std::string reason = []() -> std::string {
    int count = 0;
    cudaError_t error = cudaGetDeviceCount(&count);
    if (error != cudaSuccess) {
      cudaGetLastError(); // not sticky, but leave nothing behind
      return "no CUDA device: " + errorText(error);
    }
    if (count == 0)
      return "no CUDA device: the driver reports none";
    cudaDeviceProp properties;
    if ((error = cudaGetDeviceProperties(&properties, 0)) != cudaSuccess)
      return "no CUDA device: cannot query device 0: " + errorText(error);
    if (properties.major < 8)
      return formatted("no CUDA device this runtime can use: device 0 (%s) "
                       "is sm_%d%d, the kernels need sm_80 or newer",
                       properties.name, properties.major, properties.minor);
    return "";
  }();
  return reason;
}

namespace {

sf_status_t cudaFailure(cudaError_t error, const char *what) {
  return sf_status_make(SF_STATUS_INTERNAL, "CUDA: %s failed: %s", what,
                        errorText(error).c_str());
}

/// Uploads the model's constant tensors and neuron parameters in one
/// allocation.
sf_status_t uploadConstants(const sf_model_t &model, ModelData &out) {
  std::vector<uint64_t> offsets(model.tensors.size(), 0);
  uint64_t size = 0;
  for (size_t i = 0; i < model.tensors.size(); ++i)
    if (model.tensors[i].constant) {
      offsets[i] = size;
      size = alignUp(size + model.tensors[i].byteSize);
    }
  // Each LIF op's parameter arrays follow, each aligned.
  struct Copy {
    const float **field; // in `lif`, pointed at the device copy below
    const float *values;
    int64_t count;
    uint64_t offset;
  };
  std::vector<LIFParams> lif(model.ops.size());
  std::vector<Copy> copies;
  for (size_t i = 0; i < model.ops.size(); ++i) {
    sfa::OpKind kind = model.ops[i].op->kind();
    if (kind != sfa::OpKind::LIF && kind != sfa::OpKind::CubaLIF &&
        kind != sfa::OpKind::LI)
      continue;
    LIFParams &p = lif[i];
    p = lifParams(*model.ops[i].op->attrs_as_LIFAttrs());
    for (auto [field, count] : {std::pair{&p.leak, p.leakN},
                                {&p.gain, p.gainN},
                                {&p.vLeak, p.vLeakN},
                                {&p.threshold, p.thresholdN},
                                {&p.vReset, p.vResetN},
                                {&p.vInit, p.vInitN},
                                {&p.synLeak, p.synLeakN},
                                {&p.synGain, p.synGainN}}) {
      if (!*field)
        continue;
      copies.push_back({field, *field, count, size});
      size = alignUp(size + count * sizeof(float));
    }
  }
  std::vector<uint8_t> staging(size);
  for (size_t i = 0; i < model.tensors.size(); ++i)
    if (model.tensors[i].constant)
      std::memcpy(staging.data() + offsets[i], model.tensors[i].constantData,
                  model.tensors[i].byteSize);
  for (const Copy &c : copies)
    std::memcpy(staging.data() + c.offset, c.values, c.count * sizeof(float));
  if (size) {
    if (cudaError_t e = cudaMalloc(&out.memory, size))
      return sf_status_make(SF_STATUS_RESOURCE_EXHAUSTED,
                            "CUDA: cannot allocate %llu bytes for the "
                            "model's constants: %s",
                            (unsigned long long)size, errorText(e).c_str());
    if (cudaError_t e = cudaMemcpy(out.memory, staging.data(), size,
                                   cudaMemcpyHostToDevice))
      return cudaFailure(e, "copying the constants to the device");
  }
  char *base = static_cast<char *>(out.memory);
  out.constants.assign(model.tensors.size(), nullptr);
  for (size_t i = 0; i < model.tensors.size(); ++i)
    if (model.tensors[i].constant)
      out.constants[i] = base + offsets[i];
  for (const Copy &c : copies)
    *c.field = reinterpret_cast<const float *>(base + c.offset);
  out.lif = std::move(lif);
  return SF_OK;
}

/// The flags grid of sparse op `op`'s packed input.
BlockGrid blockGridOf(const sf_model_t &model, const OpDesc &op) {
  const TensorDesc &x = model.tensors[op.inputs[0]];
  int64_t block = op.op->block_size();
  if (op.op->kind() == sfa::OpKind::Conv2d)
    return convBlocks(x.shape[0], x.shape[1], x.shape[2], x.shape[3], block);
  int64_t features = x.shape.back();
  return linearBlocks(x.elements / features, features, block);
}

/// Allocates device memory for running the ops `onGpu` marks (one flag per
/// plan op) and uploads the model's constants if no session has.
sf_status_t createDeviceSession(sf_model_t &model,
                                const std::vector<char> &onGpu,
                                std::unique_ptr<DeviceSession> &out) {
  if (const std::string &reason = cuda::unavailableReason(); !reason.empty())
    return sf_status_make(SF_STATUS_UNAVAILABLE, "%s", reason.c_str());
  {
    std::lock_guard<std::mutex> lock(model.deviceMutex);
    if (!model.deviceModel) {
      auto data = std::make_unique<ModelData>();
      if (sf_status_t status = uploadConstants(model, *data))
        return status;
      model.deviceModel = std::move(data);
    }
  }
  auto session = std::make_unique<Session>();
  Session &s = *session;
  s.model = &model;
  // Only this backend creates a device model.
  s.constants = static_cast<const ModelData *>(model.deviceModel.get());
  if (cudaError_t e =
          cudaStreamCreateWithFlags(&s.stream, cudaStreamNonBlocking))
    return cudaFailure(e, "creating a stream");
  uint64_t arenaBytes = std::max<uint64_t>(model.arenaSize, 64);
  if (cudaError_t e = cudaMalloc(&s.arena, arenaBytes))
    return sf_status_make(SF_STATUS_RESOURCE_EXHAUSTED,
                          "CUDA: cannot allocate the session's %llu-byte "
                          "arena: %s",
                          (unsigned long long)arenaBytes,
                          errorText(e).c_str());
  s.data.resize(model.tensors.size());
  for (size_t i = 0; i < model.tensors.size(); ++i)
    s.data[i] = model.tensors[i].constant
                    ? const_cast<void *>(s.constants->constants[i])
                    : static_cast<char *>(s.arena) +
                          model.tensors[i].arenaOffset;

  // Zero-block flags: one region per sparse op with a block size.
  s.flags.resize(model.ops.size());
  s.lifWritesFlagsOf.assign(model.ops.size(), -1);
  std::vector<uint64_t> flagOffsets(model.ops.size(), 0);
  uint64_t flagBytes = 0;
  for (size_t i = 0; i < model.ops.size(); ++i) {
    const OpDesc &op = model.ops[i];
    if (!onGpu[i] || op.op->kernel() != sfa::Kernel::SparseBinary ||
        op.op->block_size() <= 0)
      continue;
    Session::Flags &f = s.flags[i];
    f.grid = blockGridOf(model, op);
    flagOffsets[i] = flagBytes;
    flagBytes = alignUp(flagBytes + f.grid.count());
    // The op that writes the input, if a GPU LIF op not yet writing flags.
    f.prescan = true;
    for (size_t j = 0; j < i; ++j)
      if (model.ops[j].output == op.inputs[0] &&
          model.ops[j].op->kind() == sfa::OpKind::LIF && onGpu[j] &&
          s.lifWritesFlagsOf[j] < 0) {
        s.lifWritesFlagsOf[j] = static_cast<int64_t>(i);
        f.prescan = false;
      }
  }
  if (flagBytes) {
    void *memory = nullptr;
    if (cudaError_t e = cudaMalloc(&memory, flagBytes))
      return sf_status_make(SF_STATUS_RESOURCE_EXHAUSTED,
                            "CUDA: cannot allocate %llu bytes of zero-block "
                            "flags: %s",
                            (unsigned long long)flagBytes,
                            errorText(e).c_str());
    s.flagMemory = static_cast<uint8_t *>(memory);
    for (size_t i = 0; i < model.ops.size(); ++i)
      if (s.flags[i].grid.planes)
        s.flags[i].data = s.flagMemory + flagOffsets[i];
  }
  out = std::move(session);
  return SF_OK;
}

sf_status_t Session::upload(uint32_t tensor, const void *bytes) {
  if (cudaError_t e =
          cudaMemcpyAsync(data[tensor], bytes, model->tensors[tensor].byteSize,
                          cudaMemcpyHostToDevice, stream))
    return cudaFailure(e, "copying a tensor to the device");
  return synchronize();
}

sf_status_t Session::download(uint32_t tensor, void *bytes) {
  if (cudaError_t e =
          cudaMemcpyAsync(bytes, data[tensor], model->tensors[tensor].byteSize,
                          cudaMemcpyDeviceToHost, stream))
    return cudaFailure(e, "copying a tensor from the device");
  return synchronize();
}

sf_status_t Session::synchronize() {
  if (cudaError_t e = cudaStreamSynchronize(stream))
    return cudaFailure(e, "running the session's kernels");
  return SF_OK;
}

/// What every op's launch reads off a call: device addresses of its
/// tensors, its flags, the stream.
struct CudaOp {
  explicit CudaOp(const OpCall &call)
      : s(static_cast<Session &>(*call.session.device)), m(*s.model),
        op(call.op), index(call.index), x(m.tensors[op.inputs[0]]),
        y(m.tensors[op.output]), out(s.data[op.output]), T(m.timesteps),
        flags(s.flags[index]) {}

  void *in(size_t i) const { return s.data[op.inputs[i]]; }
  const float *f(size_t i) const { return static_cast<const float *>(in(i)); }
  const uint64_t *packed(size_t i) const {
    return static_cast<const uint64_t *>(in(i));
  }
  const float *bias() const { return op.inputs.size() > 2 ? f(2) : nullptr; }
  float *yf() const { return static_cast<float *>(out); }

  /// A sparse op's flags, by prescan when no LIF op wrote them.
  cudaError_t prepareFlags() const {
    if (!flags.data || !flags.prescan)
      return cudaSuccess;
    if (cudaError_t e =
            cudaMemsetAsync(flags.data, 0, flags.grid.count(), s.stream))
      return e;
    return launch(PrescanArgs{packed(0), x.elements, flags.data, flags.grid},
                  s.stream);
  }

  Session &s;
  const sf_model_t &m;
  const OpDesc &op;
  size_t index;
  const TensorDesc &x, &y;
  void *out;
  int T;
  const Session::Flags &flags;
};

cudaError_t enqueueConv2d(const CudaOp &c) {
  Window2d g = windowOf(c.m, c.op);
  if (c.op.op->kernel() != sfa::Kernel::SparseBinary)
    return launch(ConvDenseArgs{c.f(0), c.f(1), c.bias(), c.yf(), g},
                  c.s.stream);
  if (cudaError_t e = c.prepareFlags())
    return e;
  return launch(ConvSparseArgs{c.packed(0), c.f(1), c.bias(), c.yf(), g, c.T,
                               c.flags.data, c.flags.grid},
                c.s.stream);
}

cudaError_t enqueueLinear(const CudaOp &c) {
  int64_t K = c.x.shape.back(), O = c.y.shape.back(), rows = c.x.elements / K;
  if (c.op.op->kernel() != sfa::Kernel::SparseBinary)
    return launch(LinearDenseArgs{c.f(0), c.f(1), c.bias(), c.yf(),
                                  c.x.lead * rows, K, O},
                  c.s.stream);
  if (cudaError_t e = c.prepareFlags())
    return e;
  return launch(LinearSparseArgs{c.packed(0), c.f(1), c.bias(), c.yf(), rows, K,
                                 O, c.T, c.flags.data, c.flags.grid},
                c.s.stream);
}

cudaError_t enqueueBatchNorm(const CudaOp &c) {
  return launch(BatchNormArgs{c.f(0), c.f(1), c.f(2), c.f(3), c.f(4),
                              c.op.op->attrs_as_BatchNormAttrs()->epsilon(),
                              c.yf(), c.x.lead * c.x.elements, c.x.shape[1],
                              product(c.x.shape, 2, c.x.shape.size())},
                c.s.stream);
}

template <typename T>
cudaError_t enqueueBinaryOf(const CudaOp &c, BinaryKind kind) {
  BinaryArgs<T> a{};
  a.kind = kind;
  a.a = static_cast<const T *>(c.in(0));
  a.b = static_cast<const T *>(c.in(1));
  a.y = static_cast<T *>(c.out);
  size_t rank = c.y.shape.size();
  a.rank = static_cast<int>(rank + 1);
  int64_t aShape[kMaxDims], bShape[kMaxDims];
  leadShape(c.m.tensors[c.op.inputs[0]], rank, aShape);
  leadShape(c.m.tensors[c.op.inputs[1]], rank, bShape);
  leadShape(c.y, rank, a.yShape);
  int64_t as = 1, bs = 1;
  a.elements = 1;
  for (int d = a.rank - 1; d >= 0; --d) {
    a.aStride[d] = aShape[d] == 1 ? 0 : as;
    a.bStride[d] = bShape[d] == 1 ? 0 : bs;
    as *= aShape[d];
    bs *= bShape[d];
    a.elements *= a.yShape[d];
  }
  return launch(a, c.s.stream);
}

/// Floats, or (a Mul with a packed output, which the loader checked) the
/// AND of two spike trains.
cudaError_t enqueueBinary(const CudaOp &c, BinaryKind kind) {
  if (c.y.packed)
    return enqueueBinaryOf<uint64_t>(c, kind);
  return enqueueBinaryOf<float>(c, kind);
}

cudaError_t enqueueAdd(const CudaOp &c) {
  return enqueueBinary(c, BinaryKind::Add);
}
cudaError_t enqueueMul(const CudaOp &c) {
  return enqueueBinary(c, BinaryKind::Mul);
}
cudaError_t enqueueSub(const CudaOp &c) {
  return enqueueBinary(c, BinaryKind::Sub);
}
cudaError_t enqueueDiv(const CudaOp &c) {
  return enqueueBinary(c, BinaryKind::Div);
}

cudaError_t enqueueConvTranspose2d(const CudaOp &c) {
  return launch(ConvTransposeArgs{c.f(0), c.f(1),
                                  c.op.inputs.size() > 2 ? c.f(2) : nullptr,
                                  c.yf(), windowOf(c.m, c.op)},
                c.s.stream);
}

cudaError_t enqueueMatMul(const CudaOp &c) {
  MatMulGeometry g = matMulOf(c.m, c.op);
  if (c.op.op->kernel() == sfa::Kernel::SparseBinary)
    return launch(MatMulSparseArgs{g, matMulOperandOf(c.m, c.op, 0, c.in(0)),
                                   matMulOperandOf(c.m, c.op, 1, c.in(1)),
                                   c.yf(), c.T},
                  c.s.stream);
  return launch(MatMulArgs{g, c.f(0), c.f(1), c.yf()}, c.s.stream);
}

cudaError_t enqueuePointwise(const CudaOp &c) {
  return launch(PointwiseArgs{pointwiseOf(*c.op.op), c.f(0), c.yf(),
                              c.x.lead * c.x.elements},
                c.s.stream);
}

cudaError_t enqueueLayerNorm(const CudaOp &c) {
  int64_t n = c.m.tensors[c.op.inputs[1]].elements;
  return launch(LayerNormArgs{c.f(0), c.f(1),
                              c.op.inputs.size() > 2 ? c.f(2) : nullptr, c.yf(),
                              c.x.lead * c.x.elements / n, n,
                              c.op.op->attrs_as_LayerNormAttrs()->epsilon()},
                c.s.stream);
}

cudaError_t enqueueSoftmax(const CudaOp &c) {
  int64_t n = c.x.shape.back();
  return launch(SoftmaxArgs{c.f(0), c.yf(), c.x.lead * c.x.elements / n, n,
                            c.op.op->attrs_as_SoftmaxAttrs()->log()},
                c.s.stream);
}

cudaError_t enqueueRelu(const CudaOp &c) {
  return launch(ReluArgs{c.f(0), c.yf(), c.x.lead * c.x.elements}, c.s.stream);
}

cudaError_t enqueueSigmoid(const CudaOp &c) {
  return launch(SigmoidArgs{c.f(0), c.yf(), c.x.lead * c.x.elements},
                c.s.stream);
}

cudaError_t enqueuePad(const CudaOp &c) {
  PadGeometry g = padOf(c.m, c.op);
  // Packed spikes are only ever padded with silent neurons (the loader).
  if (c.x.packed)
    return launch(
        PadArgs<uint64_t>{c.packed(0), static_cast<uint64_t *>(c.out), g, 0},
        c.s.stream);
  const sfa::PadAttrs *pad = c.op.op->attrs_as_PadAttrs();
  float value = pad ? pad->value() : 0.0f;
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  return launch(PadArgs<uint32_t>{static_cast<const uint32_t *>(c.in(0)),
                                  static_cast<uint32_t *>(c.out), g, bits},
                c.s.stream);
}

// A slice reads every output element from the input: the pad kernel with
// the slice's geometry, no fill.
cudaError_t enqueueSlice(const CudaOp &c) { return enqueuePad(c); }

cudaError_t enqueueMaxPool2d(const CudaOp &c) {
  Window2d g = windowOf(c.m, c.op);
  if (c.x.packed)
    return launch(MaxPoolArgs<uint64_t>{c.packed(0),
                                        static_cast<uint64_t *>(c.out), g, 0},
                  c.s.stream);
  return launch(MaxPoolArgs<float>{c.f(0), c.yf(), g, -INFINITY}, c.s.stream);
}

cudaError_t enqueueAvgPool2d(const CudaOp &c) {
  return launch(AvgPoolArgs{c.f(0), c.yf(), windowOf(c.m, c.op),
                            c.op.op->attrs_as_PoolAttrs()->count_include_pad()},
                c.s.stream);
}

cudaError_t enqueueGlobalAvgPool(const CudaOp &c) {
  return launch(GlobalAvgPoolArgs{c.f(0), c.yf(),
                                  c.x.lead * c.x.shape[0] * c.x.shape[1],
                                  product(c.x.shape, 2, c.x.shape.size())},
                c.s.stream);
}

cudaError_t enqueueReshape(const CudaOp &c) {
  if (c.out == c.in(0))
    return cudaSuccess;
  return cudaMemcpyAsync(c.out, c.in(0), c.x.byteSize, cudaMemcpyDeviceToDevice,
                         c.s.stream);
}

cudaError_t enqueueTranspose(const CudaOp &c) {
  const TensorDesc &x = c.x;
  const auto *perm = c.op.op->attrs_as_TransposeAttrs()->permutation();
  // A float tensor's lead dimension stays in front.
  int lead = x.packed ? 0 : 1;
  int rank = static_cast<int>(x.shape.size()) + lead;
  int64_t shape[kMaxDims], permutation[kMaxDims], stride[kMaxDims];
  if (lead) {
    shape[0] = x.lead;
    permutation[0] = 0;
  }
  for (size_t d = 0; d < x.shape.size(); ++d) {
    shape[lead + d] = x.shape[d];
    permutation[lead + d] =
        perm->Get(static_cast<flatbuffers::uoffset_t>(d)) + lead;
  }
  int64_t running = 1;
  for (int d = rank - 1; d >= 0; --d) {
    stride[d] = running;
    running *= shape[d];
  }
  auto transpose = [&](auto args) {
    args.rank = rank;
    args.elements = running;
    for (int d = 0; d < rank; ++d) {
      args.yShape[d] = shape[permutation[d]];
      args.strideOfY[d] = stride[permutation[d]];
    }
    return launch(args, c.s.stream);
  };
  if (x.packed)
    return transpose(TransposeArgs<uint64_t>{
        c.packed(0), static_cast<uint64_t *>(c.out), 0, {}, {}, 0});
  return transpose(
      TransposeArgs<uint32_t>{static_cast<const uint32_t *>(c.in(0)),
                              static_cast<uint32_t *>(c.out),
                              0,
                              {},
                              {},
                              0});
}

cudaError_t enqueueConcat(const CudaOp &c) {
  // Each input is a strided 2-D copy into its columns of the output
  // rows; a broadcast lead dimension repeats it every rowsIn rows.
  const TensorDesc &y = c.y;
  int64_t axis = c.op.op->attrs_as_ConcatAttrs()->axis();
  size_t element = y.packed ? 8 : 4;
  int64_t rowsPerLead = product(y.shape, 0, axis);
  int64_t rows = y.lead * rowsPerLead;
  size_t rowBytes = product(y.shape, axis, y.shape.size()) * element;
  size_t column = 0;
  for (size_t i = 0; i < c.op.inputs.size(); ++i) {
    const TensorDesc &xi = c.m.tensors[c.op.inputs[i]];
    size_t chunk = product(xi.shape, axis, xi.shape.size()) * element;
    int64_t rowsIn = xi.lead * rowsPerLead;
    for (int64_t r0 = 0; r0 < rows; r0 += rowsIn)
      if (cudaError_t e = cudaMemcpy2DAsync(
              static_cast<char *>(c.out) + r0 * rowBytes + column, rowBytes,
              c.in(i), chunk, chunk, std::min(rowsIn, rows - r0),
              cudaMemcpyDeviceToDevice, c.s.stream))
        return e;
    column += chunk;
  }
  return cudaSuccess;
}

cudaError_t enqueueLIF(const CudaOp &c) {
  int64_t outer, channels, inner;
  lifLayout(c.x, outer, channels, inner);
  LIFArgs a{c.f(0),
            c.x.temporal,
            static_cast<uint64_t *>(c.out),
            c.x.elements,
            channels,
            inner,
            c.T,
            c.s.constants->lif[c.index],
            nullptr,
            {}};
  if (int64_t consumer = c.s.lifWritesFlagsOf[c.index]; consumer >= 0) {
    const Session::Flags &target = c.s.flags[consumer];
    if (cudaError_t e =
            cudaMemsetAsync(target.data, 0, target.grid.count(), c.s.stream))
      return e;
    a.flags = target.data;
    a.grid = target.grid;
  }
  return launch(a, c.s.stream);
}

// The LIF kernel with the synapse the CubaLIF attributes carry (it writes
// no consumer's flags: a sparse consumer prescans).
cudaError_t enqueueCubaLIF(const CudaOp &c) { return enqueueLIF(c); }

cudaError_t enqueueLI(const CudaOp &c) {
  int64_t outer, channels, inner;
  lifLayout(c.x, outer, channels, inner);
  return launch(LIArgs{c.f(0), c.x.temporal, c.yf(), c.x.elements, channels,
                       inner, c.T, c.s.constants->lif[c.index]},
                c.s.stream);
}

cudaError_t enqueueUnpack(const CudaOp &c) {
  return launch(UnpackArgs{c.packed(0), c.yf(), c.x.elements, c.T}, c.s.stream);
}

/// The kernel-table entry of `Enqueue`: enqueues the op and turns a CUDA
/// error into a status naming it.
template <cudaError_t (*Enqueue)(const CudaOp &)>
sf_status_t run(const OpCall &call) {
  if (cudaError_t e = Enqueue(CudaOp(call)))
    return sf_status_make(
        SF_STATUS_INTERNAL, "CUDA: op \"%s\" (%s) failed to launch: %s",
        call.op.name.c_str(), call.op.kind.c_str(), errorText(e).c_str());
  return SF_OK;
}

const KernelTable kernels = {
#define SF_OP(Name, Value, InputsMin, InputsMax, ConstantsMin, ConstantsMax,   \
              Attrs, Dense, Sparse, Host, Gpu, SpikeCore)                      \
  SF_OP_IF(Gpu, &run<&enqueue##Name>, nullptr),
#include "sparseflow/format/op_catalogue.def"
};

} // namespace

const Backend &runtime::cudaBackend() {
  static const Backend backend{SF_BACKEND_CUDA, sfa::Target::Gpu,
                               cuda::unavailableReason, &kernels,
                               createDeviceSession, nullptr};
  return backend;
}
