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
#include "core/Model.h"
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

struct cuda::ModelData {
  void *memory = nullptr;
  /// Device address of each constant tensor (null for the others).
  std::vector<const void *> constants;
  /// Each LIF op's parameters with device pointers (by op index).
  std::vector<LIFParams> lif;
};

void cuda::ModelDataDeleter::operator()(ModelData *data) const {
  if (data)
    cudaFree(data->memory);
  delete data;
}

class cuda::Session {
public:
  ~Session() {
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
};

void cuda::SessionDeleter::operator()(Session *session) const {
  delete session;
}

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

/// Uploads the model's constant tensors and LIF parameters in one
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
    if (model.ops[i].op->kind() != sfa::OpKind::LIF)
      continue;
    LIFParams &p = lif[i];
    p = lifParams(*model.ops[i].op->attrs_as_LIFAttrs());
    for (auto [field, count] :
         {std::pair{&p.leak, p.leakN}, {&p.gain, p.gainN},
          {&p.vLeak, p.vLeakN}, {&p.threshold, p.thresholdN},
          {&p.vReset, p.vResetN}, {&p.vInit, p.vInitN}}) {
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

} // namespace

sf_status_t cuda::createSession(sf_model_t &model,
                                const std::vector<char> &onGpu,
                                SessionPtr &out) {
  if (const std::string &reason = unavailableReason(); !reason.empty())
    return sf_status_make(SF_STATUS_UNAVAILABLE, "%s", reason.c_str());
  {
    std::lock_guard<std::mutex> lock(model.cudaMutex);
    if (!model.cudaData) {
      std::unique_ptr<ModelData, ModelDataDeleter> data(new ModelData);
      if (sf_status_t status = uploadConstants(model, *data))
        return status;
      model.cudaData = std::move(data);
    }
  }
  SessionPtr session(new Session);
  Session &s = *session;
  s.model = &model;
  s.constants = model.cudaData.get();
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

sf_status_t cuda::upload(Session &s, uint32_t tensor, const void *data) {
  if (cudaError_t e = cudaMemcpyAsync(s.data[tensor], data,
                                      s.model->tensors[tensor].byteSize,
                                      cudaMemcpyHostToDevice, s.stream))
    return cudaFailure(e, "copying a tensor to the device");
  return synchronize(s);
}

sf_status_t cuda::download(Session &s, uint32_t tensor, void *data) {
  if (cudaError_t e = cudaMemcpyAsync(data, s.data[tensor],
                                      s.model->tensors[tensor].byteSize,
                                      cudaMemcpyDeviceToHost, s.stream))
    return cudaFailure(e, "copying a tensor from the device");
  return synchronize(s);
}

sf_status_t cuda::synchronize(Session &s) {
  if (cudaError_t e = cudaStreamSynchronize(s.stream))
    return cudaFailure(e, "running the session's kernels");
  return SF_OK;
}

namespace {

/// Enqueues op `index`; returns the first CUDA error.
cudaError_t enqueue(Session &s, size_t index) {
  const sf_model_t &m = *s.model;
  const OpDesc &op = m.ops[index];
  const int T = m.timesteps;
  const TensorDesc &x = m.tensors[op.inputs[0]];
  const TensorDesc &y = m.tensors[op.output];
  void *out = s.data[op.output];
  auto in = [&](size_t i) { return s.data[op.inputs[i]]; };
  auto f = [&](size_t i) { return static_cast<const float *>(in(i)); };
  auto packed = [&](size_t i) { return static_cast<const uint64_t *>(in(i)); };
  const float *bias = op.inputs.size() > 2 ? f(2) : nullptr;
  float *yf = static_cast<float *>(out);
  const Session::Flags &flags = s.flags[index];
  // A sparse op's flags, by prescan when no LIF op wrote them.
  auto prepareFlags = [&]() -> cudaError_t {
    if (!flags.data || !flags.prescan)
      return cudaSuccess;
    if (cudaError_t e = cudaMemsetAsync(flags.data, 0, flags.grid.count(),
                                        s.stream))
      return e;
    return launch(PrescanArgs{packed(0), x.elements, flags.data, flags.grid},
                  s.stream);
  };

  switch (op.op->kind()) {
  case sfa::OpKind::Conv2d: {
    Window2d g = windowOf(m, op);
    if (op.op->kernel() != sfa::Kernel::SparseBinary)
      return launch(ConvDenseArgs{f(0), f(1), bias, yf, g}, s.stream);
    if (cudaError_t e = prepareFlags())
      return e;
    return launch(ConvSparseArgs{packed(0), f(1), bias, yf, g, T, flags.data,
                                 flags.grid},
                  s.stream);
  }
  case sfa::OpKind::Linear: {
    int64_t K = x.shape.back(), O = y.shape.back(), rows = x.elements / K;
    if (op.op->kernel() != sfa::Kernel::SparseBinary)
      return launch(LinearDenseArgs{f(0), f(1), bias, yf, x.lead * rows, K, O},
                    s.stream);
    if (cudaError_t e = prepareFlags())
      return e;
    return launch(LinearSparseArgs{packed(0), f(1), bias, yf, rows, K, O, T,
                                   flags.data, flags.grid},
                  s.stream);
  }
  case sfa::OpKind::BatchNorm:
    return launch(BatchNormArgs{f(0), f(1), f(2), f(3), f(4),
                                op.op->attrs_as_BatchNormAttrs()->epsilon(),
                                yf, x.lead * x.elements, x.shape[1],
                                product(x.shape, 2, x.shape.size())},
                  s.stream);
  case sfa::OpKind::Add:
  case sfa::OpKind::Mul: {
    BinaryArgs a{};
    a.add = op.op->kind() == sfa::OpKind::Add;
    a.a = f(0);
    a.b = f(1);
    a.y = yf;
    size_t rank = y.shape.size();
    a.rank = static_cast<int>(rank + 1);
    int64_t aShape[kMaxDims], bShape[kMaxDims];
    leadShape(m.tensors[op.inputs[0]], rank, aShape);
    leadShape(m.tensors[op.inputs[1]], rank, bShape);
    leadShape(y, rank, a.yShape);
    int64_t as = 1, bs = 1;
    a.elements = 1;
    for (int d = a.rank - 1; d >= 0; --d) {
      a.aStride[d] = aShape[d] == 1 ? 0 : as;
      a.bStride[d] = bShape[d] == 1 ? 0 : bs;
      as *= aShape[d];
      bs *= bShape[d];
      a.elements *= a.yShape[d];
    }
    return launch(a, s.stream);
  }
  case sfa::OpKind::Relu:
    return launch(ReluArgs{f(0), yf, x.lead * x.elements}, s.stream);
  case sfa::OpKind::MaxPool2d:
  case sfa::OpKind::AvgPool2d: {
    Window2d g = windowOf(m, op);
    if (op.op->kind() == sfa::OpKind::AvgPool2d)
      return launch(
          AvgPoolArgs{f(0), yf, g,
                      op.op->attrs_as_PoolAttrs()->count_include_pad()},
          s.stream);
    if (x.packed)
      return launch(MaxPoolArgs<uint64_t>{packed(0),
                                          static_cast<uint64_t *>(out), g, 0},
                    s.stream);
    return launch(MaxPoolArgs<float>{f(0), yf, g, -INFINITY}, s.stream);
  }
  case sfa::OpKind::GlobalAvgPool:
    return launch(GlobalAvgPoolArgs{f(0), yf, x.lead * x.shape[0] * x.shape[1],
                                    product(x.shape, 2, x.shape.size())},
                  s.stream);
  case sfa::OpKind::Reshape:
    if (out == in(0))
      return cudaSuccess;
    return cudaMemcpyAsync(out, in(0), x.byteSize, cudaMemcpyDeviceToDevice,
                           s.stream);
  case sfa::OpKind::Transpose: {
    const auto *perm = op.op->attrs_as_TransposeAttrs()->permutation();
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
      return launch(args, s.stream);
    };
    if (x.packed)
      return transpose(TransposeArgs<uint64_t>{
          packed(0), static_cast<uint64_t *>(out), 0, {}, {}, 0});
    return transpose(TransposeArgs<uint32_t>{
        static_cast<const uint32_t *>(in(0)), static_cast<uint32_t *>(out), 0,
        {}, {}, 0});
  }
  case sfa::OpKind::Concat: {
    // Each input is a strided 2-D copy into its columns of the output
    // rows; a broadcast lead dimension repeats it every rowsIn rows.
    int64_t axis = op.op->attrs_as_ConcatAttrs()->axis();
    size_t element = y.packed ? 8 : 4;
    int64_t rowsPerLead = product(y.shape, 0, axis);
    int64_t rows = y.lead * rowsPerLead;
    size_t rowBytes = product(y.shape, axis, y.shape.size()) * element;
    size_t column = 0;
    for (size_t i = 0; i < op.inputs.size(); ++i) {
      const TensorDesc &xi = m.tensors[op.inputs[i]];
      size_t chunk = product(xi.shape, axis, xi.shape.size()) * element;
      int64_t rowsIn = xi.lead * rowsPerLead;
      for (int64_t r0 = 0; r0 < rows; r0 += rowsIn)
        if (cudaError_t e = cudaMemcpy2DAsync(
                static_cast<char *>(out) + r0 * rowBytes + column, rowBytes,
                in(i), chunk, chunk, std::min(rowsIn, rows - r0),
                cudaMemcpyDeviceToDevice, s.stream))
          return e;
      column += chunk;
    }
    return cudaSuccess;
  }
  case sfa::OpKind::LIF: {
    int64_t outer, channels, inner;
    lifLayout(x, outer, channels, inner);
    LIFArgs a{f(0), x.temporal, static_cast<uint64_t *>(out), x.elements,
              channels, inner, T, s.constants->lif[index], nullptr, {}};
    if (int64_t consumer = s.lifWritesFlagsOf[index]; consumer >= 0) {
      const Session::Flags &target = s.flags[consumer];
      if (cudaError_t e = cudaMemsetAsync(target.data, 0,
                                          target.grid.count(), s.stream))
        return e;
      a.flags = target.data;
      a.grid = target.grid;
    }
    return launch(a, s.stream);
  }
  case sfa::OpKind::Unpack:
    return launch(UnpackArgs{packed(0), yf, x.elements, T}, s.stream);
  case sfa::OpKind::SpikeCoreLayer:
    break; // never placed on the GPU
  }
  return cudaErrorNotSupported;
}

} // namespace

sf_status_t cuda::runOp(Session &s, size_t index) {
  if (cudaError_t e = enqueue(s, index)) {
    const OpDesc &op = s.model->ops[index];
    return sf_status_make(SF_STATUS_INTERNAL,
                          "CUDA: op \"%s\" (%s) failed to launch: %s",
                          op.name.c_str(), op.kind.c_str(),
                          errorText(e).c_str());
  }
  return SF_OK;
}
