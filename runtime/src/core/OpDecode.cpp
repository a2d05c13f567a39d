//===- OpDecode.cpp - plan attributes as kernel arguments -----------------===//
//
// Part of SparseFlow.
//
//===----------------------------------------------------------------------===//

#include "core/OpDecode.h"

using namespace sparseflow;
using namespace sparseflow::runtime;

const sfa::Conv2dAttrs *runtime::convAttrs(const sfa::Op &op) {
  if (const sfa::SpikingLayerAttrs *fused = op.attrs_as_SpikingLayerAttrs())
    return fused->conv();
  return op.attrs_as_Conv2dAttrs();
}

Window2d runtime::windowOf(const sf_model_t &model, const OpDesc &op) {
  const TensorDesc &x = model.tensors[op.inputs[0]];
  const TensorDesc &y = model.tensors[op.output];
  const flatbuffers::Vector<int64_t> *kernel, *strides, *pads, *dilations;
  int64_t groups = 1;
  if (const sfa::Conv2dAttrs *a = convAttrs(*op.op)) {
    kernel = a->kernel();
    strides = a->strides();
    pads = a->pads();
    dilations = a->dilations();
    groups = a->groups();
  } else {
    const sfa::PoolAttrs *p = op.op->attrs_as_PoolAttrs();
    kernel = p->kernel();
    strides = p->strides();
    pads = p->pads();
    dilations = p->dilations();
  }
  Window2d g;
  g.batch = x.lead * x.shape[0];
  g.channels = x.shape[1];
  g.height = x.shape[2];
  g.width = x.shape[3];
  g.outChannels = y.shape[1];
  g.outHeight = y.shape[2];
  g.outWidth = y.shape[3];
  g.kernelH = kernel->Get(0);
  g.kernelW = kernel->Get(1);
  g.strideH = strides->Get(0);
  g.strideW = strides->Get(1);
  g.padTop = pads->Get(0);
  g.padLeft = pads->Get(1);
  g.padBottom = pads->Get(2);
  g.padRight = pads->Get(3);
  g.dilationH = dilations->Get(0);
  g.dilationW = dilations->Get(1);
  g.groups = groups;
  return g;
}

MatMulGeometry runtime::matMulOf(const sf_model_t &model, const OpDesc &op) {
  const TensorDesc &y = model.tensors[op.output];
  size_t rank = y.shape.size();
  int64_t a[SF_MAX_RANK + 1], b[SF_MAX_RANK + 1], out[SF_MAX_RANK + 1];
  leadShape(model.tensors[op.inputs[0]], rank, a);
  leadShape(model.tensors[op.inputs[1]], rank, b);
  leadShape(y, rank, out);
  MatMulGeometry g;
  g.batchRank = static_cast<int>(rank - 1); // the lead, then rank - 2 dims
  g.m = out[rank - 1];
  g.n = out[rank];
  g.k = a[rank];
  int64_t as = 1, bs = 1;
  for (int d = g.batchRank - 1; d >= 0; --d) {
    g.batchShape[d] = out[d];
    g.aStride[d] = a[d] == 1 ? 0 : as;
    g.bStride[d] = b[d] == 1 ? 0 : bs;
    as *= a[d];
    bs *= b[d];
    g.batches *= out[d];
  }
  return g;
}

MatMulOperand runtime::matMulOperandOf(const sf_model_t &model,
                                       const OpDesc &op, size_t i,
                                       const void *data) {
  const TensorDesc &x = model.tensors[op.inputs[i]];
  size_t rank = x.shape.size();
  return MatMulOperand{data, x.packed,
                       x.elements / (x.shape[rank - 2] * x.shape[rank - 1])};
}

PointwiseParams runtime::pointwiseOf(const sfa::Op &op) {
  const sfa::PointwiseAttrs &a = *op.attrs_as_PointwiseAttrs();
  return PointwiseParams{format::fromSchema(a.function()), a.alpha(), a.min(),
                         a.max()};
}

PadGeometry runtime::padOf(const sf_model_t &model, const OpDesc &op) {
  const TensorDesc &x = model.tensors[op.inputs[0]];
  const TensorDesc &y = model.tensors[op.output];
  PadGeometry g;
  int lead = x.packed ? 0 : 1;
  if (lead) {
    g.xShape[0] = g.yShape[0] = x.lead;
    g.begin[0] = 0;
  }
  size_t rank = x.shape.size();
  g.rank = static_cast<int>(rank) + lead;
  g.elements = y.elements * (lead ? x.lead : 1);
  const sfa::PadAttrs *pad = op.op->attrs_as_PadAttrs();
  const sfa::SliceAttrs *slice = op.op->attrs_as_SliceAttrs();
  if (pad)
    g.mode = format::fromSchema(pad->mode());
  for (size_t d = 0; d < rank; ++d) {
    auto at = static_cast<flatbuffers::uoffset_t>(d);
    g.xShape[lead + d] = x.shape[d];
    g.yShape[lead + d] = y.shape[d];
    g.begin[lead + d] = pad ? pad->pads()->Get(at) : -slice->starts()->Get(at);
    g.step[lead + d] = pad ? 1 : slice->steps()->Get(at);
  }
  return g;
}

void runtime::leadShape(const TensorDesc &t, size_t rank, int64_t *out) {
  out[0] = t.lead;
  size_t pad = rank - t.shape.size();
  for (size_t d = 0; d < rank; ++d)
    out[1 + d] = d < pad ? 1 : t.shape[d - pad];
}

int64_t runtime::product(const std::vector<int64_t> &shape, size_t begin,
                         size_t end) {
  int64_t n = 1;
  for (size_t d = begin; d < end; ++d)
    n *= shape[d];
  return n;
}

LIFParams runtime::lifParams(const sfa::LIFAttrs &a) {
  LIFParams p;
  auto set = [](const flatbuffers::Vector<float> *v, const float *&data,
                int64_t &n) {
    data = v && v->size() ? v->data() : nullptr;
    n = v ? v->size() : 0;
  };
  set(a.leak(), p.leak, p.leakN);
  set(a.gain(), p.gain, p.gainN);
  set(a.v_leak(), p.vLeak, p.vLeakN);
  set(a.v_threshold(), p.threshold, p.thresholdN);
  set(a.v_reset(), p.vReset, p.vResetN);
  set(a.v_init(), p.vInit, p.vInitN);
  set(a.syn_leak(), p.synLeak, p.synLeakN);
  set(a.syn_gain(), p.synGain, p.synGainN);
  p.reset = a.reset() == sfa::ResetMode::Hard   ? LIFParams::Reset::Hard
            : a.reset() == sfa::ResetMode::Soft ? LIFParams::Reset::Soft
                                                : LIFParams::Reset::None;
  p.fireGreaterEqual = a.fire() == sfa::FireMode::Ge;
  p.resetDelay = a.reset_delay();
  return p;
}

void runtime::lifLayout(const TensorDesc &x, int64_t &outer,
                        int64_t &channels, int64_t &inner) {
  outer = x.elements;
  channels = 1;
  inner = 1;
  if (x.shape.size() >= 2) {
    outer = x.shape[0];
    channels = x.shape[1];
    inner = x.elements / (outer * channels);
  }
}
