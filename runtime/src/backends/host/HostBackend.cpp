//===- HostBackend.cpp - plan ops on the host CPU -------------------------===//
//
// Part of SparseFlow.
//
// One function per op kind turns the op's tensors and attributes into the
// arguments of its host kernel (HostKernels.h); the table of them is
// expanded from the catalogue's Host column. Dense conv and linear layers
// are prepared per session on the dense library (DenseLibrary.h) where it
// takes them, and run on the reference kernels otherwise.
//
//===----------------------------------------------------------------------===//

#include "backends/host/DenseLibrary.h"
#include "backends/host/HostKernels.h"
#include "core/Backend.h"
#include "core/Executor.h"
#include "core/OpDecode.h"

#include <algorithm>
#include <cstring>

using namespace sparseflow;
using namespace sparseflow::runtime;

namespace {

/// A dense layer prepared on the dense library.
struct PreparedDense final : PreparedOp {
  std::unique_ptr<host::DenseLayer> layer;
};

/// What every host kernel reads off a call.
struct HostOp {
  explicit HostOp(const OpCall &call)
      : s(call.session), m(*s.model), op(call.op), index(call.index),
        x(m.tensors[op.inputs[0]]), y(m.tensors[op.output]),
        out(s.tensorData[op.output]), T(m.timesteps), pool(*m.instance->pool) {}

  void *in(size_t i) const { return s.tensorData[op.inputs[i]]; }
  const float *f(size_t i) const { return static_cast<const float *>(in(i)); }
  const uint64_t *packed(size_t i) const {
    return static_cast<const uint64_t *>(in(i));
  }
  const float *bias() const { return op.inputs.size() > 2 ? f(2) : nullptr; }
  float *yf() const { return static_cast<float *>(out); }
  /// The layer the session prepared on the dense library, or null.
  host::DenseLayer *prepared() const {
    const PreparedOp *p = s.preparedOps[index].get();
    return p ? static_cast<const PreparedDense *>(p)->layer.get() : nullptr;
  }

  sf_session_t &s;
  const sf_model_t &m;
  const OpDesc &op;
  size_t index;
  const TensorDesc &x, &y;
  void *out;
  int T;
  ThreadPool &pool;
};

sf_status_t runConv2d(const OpCall &call) {
  HostOp h(call);
  host::Window2d g = windowOf(h.m, h.op);
  if (h.op.op->kernel() == sfa::Kernel::SparseBinary)
    host::conv2dSparse(h.packed(0), h.f(1), h.bias(), h.yf(), g, h.T,
                       h.op.op->block_size(), h.s.scratch, h.pool);
  else if (host::DenseLayer *layer = h.prepared())
    layer->run(h.f(0), h.yf(), h.pool);
  else
    host::conv2dDense(h.f(0), h.f(1), h.bias(), h.yf(), g, h.pool);
  return SF_OK;
}

sf_status_t runLinear(const OpCall &call) {
  HostOp h(call);
  int64_t K = h.x.shape.back(), O = h.y.shape.back();
  int64_t rows = h.x.elements / K;
  if (h.op.op->kernel() == sfa::Kernel::SparseBinary)
    host::linearSparse(h.packed(0), h.f(1), h.bias(), h.yf(), rows, K, O, h.T,
                       h.op.op->block_size(), h.s.scratch, h.pool);
  else if (host::DenseLayer *layer = h.prepared())
    layer->run(h.f(0), h.yf(), h.pool);
  else
    host::linearDense(h.f(0), h.f(1), h.bias(), h.yf(), h.x.lead * rows, K, O,
                      h.pool);
  return SF_OK;
}

/// A fused layer's bias and residual: with a residual, the last input.
struct FusedInputs {
  const float *bias = nullptr;
  host::Residual residual;

  explicit FusedInputs(const HostOp &h) {
    const sfa::SpikingLayerAttrs &a = *h.op.op->attrs_as_SpikingLayerAttrs();
    size_t layerInputs = h.op.inputs.size() - (a.residual() ? 1 : 0);
    if (layerInputs == 3)
      bias = h.f(2);
    if (!a.residual())
      return;
    const TensorDesc &r = h.m.tensors[h.op.inputs.back()];
    if (r.packed) {
      residual.spikes = static_cast<const uint64_t *>(h.in(layerInputs));
      return;
    }
    residual.floats = h.f(layerInputs);
    residual.temporal = r.temporal;
    residual.elements = r.elements;
  }
};

sf_status_t runConv2dLIF(const OpCall &call) {
  HostOp h(call);
  FusedInputs in(h);
  host::conv2dSparseLIF(
      h.packed(0), h.f(1), in.bias, in.residual,
      lifParams(*h.op.op->attrs_as_SpikingLayerAttrs()->lif()),
      static_cast<uint64_t *>(h.out), windowOf(h.m, h.op), h.T,
      h.op.op->block_size(), h.s.scratch, h.pool);
  return SF_OK;
}

sf_status_t runLinearLIF(const OpCall &call) {
  HostOp h(call);
  FusedInputs in(h);
  int64_t K = h.x.shape.back(), O = h.y.shape.back();
  int64_t outer, channels, inner;
  lifLayout(h.y, outer, channels, inner);
  host::linearSparseLIF(
      h.packed(0), h.f(1), in.bias, in.residual,
      lifParams(*h.op.op->attrs_as_SpikingLayerAttrs()->lif()), channels, inner,
      static_cast<uint64_t *>(h.out), h.x.elements / K, K, O, h.T,
      h.op.op->block_size(), h.s.scratch, h.pool);
  return SF_OK;
}

sf_status_t runBatchNorm(const OpCall &call) {
  HostOp h(call);
  host::batchNorm(h.f(0), h.f(1), h.f(2), h.f(3), h.f(4),
                  h.op.op->attrs_as_BatchNormAttrs()->epsilon(), h.yf(),
                  h.x.lead * h.x.shape[0], h.x.shape[1],
                  product(h.x.shape, 2, h.x.shape.size()));
  return SF_OK;
}

sf_status_t runBinary(const OpCall &call, BinaryKind kind) {
  HostOp h(call);
  size_t rank = h.y.shape.size();
  int64_t aShape[SF_MAX_RANK + 1], bShape[SF_MAX_RANK + 1],
      yShape[SF_MAX_RANK + 1];
  leadShape(h.m.tensors[h.op.inputs[0]], rank, aShape);
  leadShape(h.m.tensors[h.op.inputs[1]], rank, bShape);
  leadShape(h.y, rank, yShape);
  if (h.y.packed) // a product of spike trains (the loader checked)
    host::spikeAnd(h.packed(0), aShape, h.packed(1), bShape,
                   static_cast<uint64_t *>(h.out), yShape,
                   static_cast<int>(rank + 1));
  else
    host::binary(kind, h.f(0), aShape, h.f(1), bShape, h.yf(), yShape,
                 static_cast<int>(rank + 1));
  return SF_OK;
}

sf_status_t runAdd(const OpCall &call) {
  return runBinary(call, BinaryKind::Add);
}
sf_status_t runMul(const OpCall &call) {
  return runBinary(call, BinaryKind::Mul);
}
sf_status_t runSub(const OpCall &call) {
  return runBinary(call, BinaryKind::Sub);
}
sf_status_t runDiv(const OpCall &call) {
  return runBinary(call, BinaryKind::Div);
}

sf_status_t runRelu(const OpCall &call) {
  HostOp h(call);
  host::relu(h.f(0), h.yf(), h.x.lead * h.x.elements);
  return SF_OK;
}

sf_status_t runSigmoid(const OpCall &call) {
  HostOp h(call);
  host::sigmoid(h.f(0), h.yf(), h.x.lead * h.x.elements);
  return SF_OK;
}

sf_status_t runConvTranspose2d(const OpCall &call) {
  HostOp h(call);
  host::convTranspose2d(h.f(0), h.f(1), h.bias(), h.yf(), windowOf(h.m, h.op),
                        h.pool);
  return SF_OK;
}

sf_status_t runMatMul(const OpCall &call) {
  HostOp h(call);
  MatMulGeometry g = matMulOf(h.m, h.op);
  if (h.op.op->kernel() == sfa::Kernel::SparseBinary)
    host::matMulSparse(matMulOperandOf(h.m, h.op, 0, h.in(0)),
                       matMulOperandOf(h.m, h.op, 1, h.in(1)), h.yf(), g, h.T,
                       h.s.scratch, h.pool);
  else
    host::matMul(h.f(0), h.f(1), h.yf(), g, h.pool);
  return SF_OK;
}

sf_status_t runPointwise(const OpCall &call) {
  HostOp h(call);
  host::pointwise(pointwiseOf(*h.op.op), h.f(0), h.yf(),
                  h.x.lead * h.x.elements);
  return SF_OK;
}

sf_status_t runLayerNorm(const OpCall &call) {
  HostOp h(call);
  int64_t n = h.m.tensors[h.op.inputs[1]].elements;
  host::layerNorm(h.f(0), h.yf(), h.x.lead * h.x.elements / n, n, h.f(1),
                  h.bias(), h.op.op->attrs_as_LayerNormAttrs()->epsilon(),
                  h.pool);
  return SF_OK;
}

sf_status_t runSoftmax(const OpCall &call) {
  HostOp h(call);
  int64_t n = h.x.shape.back();
  host::softmax(h.f(0), h.yf(), h.x.lead * h.x.elements / n, n,
                h.op.op->attrs_as_SoftmaxAttrs()->log(), h.pool);
  return SF_OK;
}

sf_status_t runPad(const OpCall &call) {
  HostOp h(call);
  // Packed spikes are only ever padded with silent neurons (the loader).
  const sfa::PadAttrs *pad = h.op.op->attrs_as_PadAttrs();
  float value = pad ? pad->value() : 0.0f;
  uint64_t silent = 0;
  host::pad(h.in(0), h.out, padOf(h.m, h.op), h.x.packed ? 8 : 4,
            h.x.packed ? static_cast<const void *>(&silent) : &value);
  return SF_OK;
}

// A slice reads every output element from the input: the pad kernel with
// the slice's geometry, no fill.
sf_status_t runSlice(const OpCall &call) { return runPad(call); }

sf_status_t runMaxPool2d(const OpCall &call) {
  HostOp h(call);
  host::Window2d g = windowOf(h.m, h.op);
  if (h.x.packed)
    host::maxPool2dPacked(h.packed(0), static_cast<uint64_t *>(h.out), g,
                          h.pool);
  else
    host::maxPool2d(h.f(0), h.yf(), g, h.pool);
  return SF_OK;
}

sf_status_t runAvgPool2d(const OpCall &call) {
  HostOp h(call);
  host::avgPool2d(h.f(0), h.yf(), windowOf(h.m, h.op),
                  h.op.op->attrs_as_PoolAttrs()->count_include_pad(), h.pool);
  return SF_OK;
}

sf_status_t runGlobalAvgPool(const OpCall &call) {
  HostOp h(call);
  host::globalAvgPool(h.f(0), h.yf(), h.x.lead * h.x.shape[0] * h.x.shape[1],
                      product(h.x.shape, 2, h.x.shape.size()));
  return SF_OK;
}

sf_status_t runReshape(const OpCall &call) {
  HostOp h(call);
  std::memmove(h.out, h.in(0), h.x.byteSize);
  return SF_OK;
}

sf_status_t runTranspose(const OpCall &call) {
  HostOp h(call);
  const auto *perm = h.op.op->attrs_as_TransposeAttrs()->permutation();
  int64_t shape[SF_MAX_RANK + 1], permutation[SF_MAX_RANK + 1];
  size_t rank = h.x.shape.size();
  // A float tensor's lead dimension stays in front.
  size_t lead = h.x.packed ? 0 : 1;
  if (lead) {
    shape[0] = h.x.lead;
    permutation[0] = 0;
  }
  for (size_t d = 0; d < rank; ++d) {
    shape[lead + d] = h.x.shape[d];
    permutation[lead + d] =
        perm->Get(static_cast<flatbuffers::uoffset_t>(d)) + lead;
  }
  host::transpose(h.in(0), h.out, shape, permutation,
                  static_cast<int>(rank + lead), h.x.packed ? 8 : 4);
  return SF_OK;
}

sf_status_t runConcat(const OpCall &call) {
  HostOp h(call);
  int64_t axis = h.op.op->attrs_as_ConcatAttrs()->axis();
  const void *inputs[64];
  int64_t chunks[64], rowsIn[64];
  int count = static_cast<int>(std::min<size_t>(h.op.inputs.size(), 64));
  int64_t rowsPerLead = product(h.y.shape, 0, axis);
  for (int i = 0; i < count; ++i) {
    const TensorDesc &xi = h.m.tensors[h.op.inputs[i]];
    inputs[i] = h.in(i);
    chunks[i] = product(xi.shape, axis, xi.shape.size());
    rowsIn[i] = xi.lead * rowsPerLead;
  }
  host::concat(inputs, chunks, rowsIn, count, h.out, h.y.lead * rowsPerLead,
               h.y.packed ? 8 : 4);
  return SF_OK;
}

sf_status_t runLIF(const OpCall &call) {
  HostOp h(call);
  int64_t outer, channels, inner;
  lifLayout(h.x, outer, channels, inner);
  host::lif(h.f(0), h.x.temporal, static_cast<uint64_t *>(h.out), outer,
            channels, inner, h.T, lifParams(*h.op.op->attrs_as_LIFAttrs()),
            h.pool);
  return SF_OK;
}

// The LIF kernel with the synapse the CubaLIF attributes carry.
sf_status_t runCubaLIF(const OpCall &call) { return runLIF(call); }

sf_status_t runRecurrentLIF(const OpCall &call) {
  HostOp h(call);
  int64_t K = h.x.shape.back();
  host::recurrentLif(h.f(0), h.x.temporal, h.f(1), h.bias(),
                     static_cast<uint64_t *>(h.out), h.x.elements / K, K, h.T,
                     lifParams(*h.op.op->attrs_as_LIFAttrs()), h.s.scratch,
                     h.pool);
  return SF_OK;
}

sf_status_t runLI(const OpCall &call) {
  HostOp h(call);
  int64_t outer, channels, inner;
  lifLayout(h.x, outer, channels, inner);
  host::li(h.f(0), h.x.temporal, h.yf(), outer, channels, inner, h.T,
           lifParams(*h.op.op->attrs_as_LIFAttrs()), h.pool);
  return SF_OK;
}

sf_status_t runUnpack(const OpCall &call) {
  HostOp h(call);
  host::unpackSpikes(h.packed(0), h.yf(), h.x.elements, h.T);
  return SF_OK;
}

/// Prepares the dense conv and linear layers whose weights (and bias) are
/// constants on the dense library, unless the session asks for the
/// reference kernels.
sf_status_t prepareOp(const OpCall &call, std::unique_ptr<PreparedOp> &out) {
  HostOp h(call);
  sfa::OpKind kind = h.op.op->kind();
  if ((kind != sfa::OpKind::Conv2d && kind != sfa::OpKind::Linear) ||
      h.op.op->kernel() == sfa::Kernel::SparseBinary ||
      h.s.options.reference_kernels)
    return SF_OK;
  for (size_t i = 1; i < h.op.inputs.size(); ++i)
    if (!h.m.tensors[h.op.inputs[i]].constant)
      return SF_OK;
  auto prepared = std::make_unique<PreparedDense>();
  if (kind == sfa::OpKind::Conv2d) {
    prepared->layer =
        host::prepareConv2d(windowOf(h.m, h.op), h.f(1), h.bias(), h.pool);
  } else {
    int64_t K = h.x.shape.back(), O = h.y.shape.back();
    prepared->layer = host::prepareLinear(h.x.lead * (h.x.elements / K), K, O,
                                          h.f(1), h.bias(), h.pool);
  }
  if (prepared->layer)
    out = std::move(prepared);
  return SF_OK;
}

const KernelTable kernels = {
#define SF_OP(Name, Value, InputsMin, InputsMax, ConstantsMin, ConstantsMax,   \
              Attrs, Dense, Sparse, Host, Gpu, SpikeCore)                      \
  SF_OP_IF(Host, &run##Name, nullptr),
#include "sparseflow/format/op_catalogue.def"
};

const std::string &available() {
  static const std::string none;
  return none;
}

} // namespace

const Backend &runtime::hostBackend() {
  static const Backend backend{SF_BACKEND_HOST, sfa::Target::Host, available,
                               &kernels, nullptr, prepareOp};
  return backend;
}
