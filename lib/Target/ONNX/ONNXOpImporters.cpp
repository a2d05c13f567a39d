//===- ONNXOpImporters.cpp - ONNX op handlers -----------------------------===//
//
// Part of SparseFlow.
//
// One handler per ONNX op, and the dispatch table keyed by (domain, op type)
// with the operator versions each handler implements. Handlers read every
// attribute they understand, reject what they do not, and build spike ops
// whose result types are inferred (and verified) at the node's location.
//
//===----------------------------------------------------------------------===//

#include "ONNXGraphImporter.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/IR/Verifier.h"
#include "sparseflow/Dialect/Spike/SpikeOps.h"
#include "sparseflow/Support/InputLimits.h"
#include "sparseflow/Target/ONNX/ONNXImporter.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CheckedArithmetic.h"

#include <cmath>
#include <cstdio>
#include <limits>

using namespace mlir;
using namespace sparseflow;
using namespace sparseflow::onnx_import;

namespace {

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

/// Builds `OpTy` with an inferred result type, then verifies it. Diagnostics
/// land on the node's location.
template <typename OpTy>
FailureOr<Value> createInferred(NodeContext &ctx, ValueRange operands,
                                ArrayRef<NamedAttribute> attributes = {}) {
  OpBuilder &b = ctx.builder();
  auto op = b.create<OpTy>(ctx.loc(), TypeRange{b.getNoneType()}, operands,
                           attributes);
  FailureOr<RankedTensorType> type =
      OpTy::inferResultType(ctx.loc(), typename OpTy::Adaptor(op));
  if (failed(type)) {
    op->erase();
    return failure();
  }
  if (type->hasStaticShape() && !isSupportedTensorSize(type->getShape())) {
    op->erase();
    return ctx.emitError() << "the result " << *type << " has more than 2^"
                           << kMaxTensorElementsLog2
                           << " elements (the limit for a tensor)";
  }
  op->getResult(0).setType(*type);
  if (failed(verify(op))) {
    op->erase();
    return failure();
  }
  return op->getResult(0);
}

/// The TENSOR attribute `name` as elements; null when absent.
FailureOr<DenseElementsAttr> tensorAttribute(NodeContext &ctx, StringRef name) {
  const onnx::AttributeProto *attr = ctx.attribute(name);
  if (!attr)
    return DenseElementsAttr();
  if (attr->type() != onnx::AttributeProto::TENSOR)
    return ctx.emitError() << "attribute '" << name << "' must be a TENSOR";
  return convertTensorProto(attr->t(), ctx.context(), ctx.loc());
}

/// A float as a user would write it: 0.5, -2, 1e-05.
std::string formatFloat(float value) {
  char text[32];
  std::snprintf(text, sizeof(text), "%g", static_cast<double>(value));
  return text;
}

RankedTensorType tensorType(Value value) {
  return cast<RankedTensorType>(value.getType());
}

/// `value` reshaped to `shape` (itself when it has that shape).
Value reshapedTo(NodeContext &ctx, Value value, ArrayRef<int64_t> shape) {
  if (tensorType(value).getShape() == shape)
    return value;
  return ctx.builder().create<spike::ReshapeOp>(
      ctx.loc(), tensorType(value).clone(shape), value);
}

/// The [1, k] weights, all `scale`, of a linear layer that reduces the rows
/// of `input` (its float element type, f32 for spikes): a sum or a mean.
Value reductionWeights(NodeContext &ctx, Value input, int64_t k, double scale) {
  OpBuilder &b = ctx.builder();
  Type element = tensorType(input).getElementType();
  if (!isa<FloatType>(element))
    element = b.getF32Type();
  auto type = RankedTensorType::get({1, k}, element);
  return b.create<arith::ConstantOp>(
      ctx.loc(),
      DenseElementsAttr::get(type, b.getFloatAttr(element, scale).getValue()));
}

FailureOr<Value> transpose2d(NodeContext &ctx, Value value) {
  OpBuilder &b = ctx.builder();
  return createInferred<spike::TransposeOp>(
      ctx, value,
      b.getNamedAttr("permutation", b.getDenseI64ArrayAttr({1, 0})));
}

/// A constant tensor<1xT> holding `value`, for broadcasting scales.
Value scalarConstant(NodeContext &ctx, Type elementType, double value) {
  OpBuilder &b = ctx.builder();
  auto type = RankedTensorType::get({1}, elementType);
  return b.create<arith::ConstantOp>(
      ctx.loc(), DenseElementsAttr::get(
                     type, b.getFloatAttr(elementType, value).getValue()));
}

/// Normalizes an ONNX axis (negative counts from the end) into [0, bound).
FailureOr<int64_t> normalizeAxis(NodeContext &ctx, int64_t axis,
                                 int64_t bound) {
  int64_t normalized = axis < 0 ? axis + bound : axis;
  if (normalized < 0 || normalized >= bound)
    return ctx.emitError() << "axis " << axis << " is out of range for "
                           << bound << " positions";
  return normalized;
}

//===----------------------------------------------------------------------===//
// Sliding windows (Conv, MaxPool, AveragePool)
//===----------------------------------------------------------------------===//

struct Window {
  SmallVector<int64_t> kernel, strides, pads, dilations;
};

/// Reads kernel_shape, strides, pads, dilations and auto_pad for a 2-D window
/// over `input`. `weightKernel` is the convolution's kernel (from its weight),
/// empty for pooling, where kernel_shape is required.
FailureOr<Window> readWindow(NodeContext &ctx, RankedTensorType input,
                             ArrayRef<int64_t> weightKernel,
                             bool hasDilations) {
  if (input.getRank() != 4)
    return ctx.emitError() << "only 2-D windows over [N, C, H, W] inputs are "
                           << "supported, found an input of rank "
                           << input.getRank();
  auto kernelAttr = ctx.getInts("kernel_shape");
  auto stridesAttr = ctx.getInts("strides");
  auto padsAttr = ctx.getInts("pads");
  auto autoPad = ctx.getString("auto_pad");
  FailureOr<std::optional<SmallVector<int64_t>>> dilationsAttr =
      std::optional<SmallVector<int64_t>>();
  if (hasDilations)
    dilationsAttr = ctx.getInts("dilations");
  if (failed(kernelAttr) || failed(stridesAttr) || failed(padsAttr) ||
      failed(autoPad) || failed(dilationsAttr))
    return failure();

  Window w;
  if (weightKernel.empty()) {
    if (!*kernelAttr)
      return ctx.emitError() << "missing required attribute 'kernel_shape'";
    w.kernel = **kernelAttr;
  } else {
    w.kernel.assign(weightKernel.begin(), weightKernel.end());
    if (*kernelAttr && ArrayRef<int64_t>(**kernelAttr) != weightKernel)
      return ctx.emitError()
             << "kernel_shape [" << **kernelAttr
             << "] does not match the weight's [" << weightKernel << "]";
  }
  w.strides = stridesAttr->value_or(SmallVector<int64_t>{1, 1});
  w.dilations = dilationsAttr->value_or(SmallVector<int64_t>{1, 1});
  w.pads = padsAttr->value_or(SmallVector<int64_t>{0, 0, 0, 0});
  if (w.kernel.size() != 2 || w.strides.size() != 2 ||
      w.dilations.size() != 2 || w.pads.size() != 4)
    return ctx.emitError() << "expected 2 kernel extents, strides and "
                           << "dilations and 4 pads for a 2-D window";

  std::string mode = autoPad->value_or("NOTSET");
  if (mode == "NOTSET")
    return w;
  if (*padsAttr)
    return ctx.emitError() << "'pads' cannot be combined with auto_pad = "
                           << mode;
  if (mode == "VALID") {
    w.pads.assign(4, 0);
    return w;
  }
  if (mode != "SAME_UPPER" && mode != "SAME_LOWER")
    return ctx.emitError() << "unknown auto_pad '" << mode
                           << "'; expected NOTSET, VALID, SAME_UPPER or "
                           << "SAME_LOWER";
  auto positive = [](ArrayRef<int64_t> values) {
    return llvm::all_of(values, [](int64_t v) { return v >= 1; });
  };
  if (!positive(w.kernel) || !positive(w.strides) || !positive(w.dilations))
    return ctx.emitError() << "expected positive kernel extents, strides and "
                           << "dilations, found kernel_shape [" << w.kernel
                           << "], strides [" << w.strides << "], dilations ["
                           << w.dilations << "]";
  for (unsigned axis = 0; axis < 2; ++axis) {
    int64_t in = input.getDimSize(2 + axis);
    if (ShapedType::isDynamic(in))
      return ctx.emitError()
             << "auto_pad = " << mode << " needs static spatial dimensions";
    // total = (out - 1) * stride + (kernel - 1) * dilation + 1 - in, where
    // the first term is below `in` and `in` fits.
    int64_t out = llvm::divideCeil(in, w.strides[axis]);
    std::optional<int64_t> dilated =
        llvm::checkedMul(w.kernel[axis] - 1, w.dilations[axis]);
    std::optional<int64_t> total =
        dilated ? llvm::checkedAdd((out - 1) * w.strides[axis] - in, *dilated)
                : std::nullopt;
    if (!total || *total == std::numeric_limits<int64_t>::max())
      return ctx.emitError()
             << "auto_pad = " << mode << ": the padding of spatial axis "
             << axis << " overflows int64 (kernel " << w.kernel[axis]
             << ", dilation " << w.dilations[axis] << ")";
    *total = std::max<int64_t>(0, *total + 1);
    int64_t small = *total / 2, large = *total - *total / 2;
    w.pads[axis] = mode == "SAME_UPPER" ? small : large;
    w.pads[axis + 2] = mode == "SAME_UPPER" ? large : small;
  }
  return w;
}

/// The spike-op attributes of a window: kernel_shape (pooling only),
/// strides, pads, and dilations where the op has them.
SmallVector<NamedAttribute> windowAttributes(OpBuilder &b, const Window &w,
                                             bool withKernel,
                                             bool withDilations) {
  SmallVector<NamedAttribute> attrs;
  if (withKernel)
    attrs.push_back(
        b.getNamedAttr("kernel_shape", b.getDenseI64ArrayAttr(w.kernel)));
  attrs.push_back(b.getNamedAttr("strides", b.getDenseI64ArrayAttr(w.strides)));
  attrs.push_back(b.getNamedAttr("pads", b.getDenseI64ArrayAttr(w.pads)));
  if (withDilations)
    attrs.push_back(
        b.getNamedAttr("dilations", b.getDenseI64ArrayAttr(w.dilations)));
  return attrs;
}

//===----------------------------------------------------------------------===//
// Layers with weights
//===----------------------------------------------------------------------===//

/// A convolution's input (spikes or analog), weight and optional bias.
FailureOr<SmallVector<Value>> convOperands(NodeContext &ctx) {
  SmallVector<Value> operands;
  for (unsigned i = 0; i < 3; ++i) {
    if (i == 2 && !ctx.hasInput(2))
      break;
    auto value = ctx.tensorInput(i, /*allowSpikes=*/i == 0);
    if (failed(value))
      return failure();
    operands.push_back(*value);
  }
  return operands;
}

/// ConvTranspose on [N, C, H, W] with a constant weight [C, O/g, KH, KW]:
/// pads, output_padding, and the pads an output_shape or a SAME/VALID
/// auto_pad implies.
LogicalResult importConvTranspose(NodeContext &ctx) {
  FailureOr<SmallVector<Value>> operandsOr = convOperands(ctx);
  if (failed(operandsOr))
    return failure();
  SmallVector<Value> operands = std::move(*operandsOr);
  Value input = operands[0], weight = operands[1];
  RankedTensorType weightType = tensorType(weight);
  if (weightType.getRank() != 4 || tensorType(input).getRank() != 4)
    return ctx.emitError() << "only 2-D transposed convolution ([N, C, H, W], "
                              "weight [C, O/g, KH, KW]) is supported, found "
                           << tensorType(input) << " and " << weightType;
  auto kernel = ctx.getInts("kernel_shape"), strides = ctx.getInts("strides"),
       pads = ctx.getInts("pads"), dilations = ctx.getInts("dilations"),
       outputPadding = ctx.getInts("output_padding"),
       outputShape = ctx.getInts("output_shape");
  auto autoPad = ctx.getString("auto_pad");
  auto group = ctx.getInt("group");
  if (failed(kernel) || failed(strides) || failed(pads) || failed(dilations) ||
      failed(outputPadding) || failed(outputShape) || failed(autoPad) ||
      failed(group))
    return failure();
  std::string autoPadMode = autoPad->value_or("NOTSET");
  if (autoPadMode != "NOTSET" && autoPadMode != "SAME_UPPER" &&
      autoPadMode != "SAME_LOWER" && autoPadMode != "VALID")
    return ctx.emitError() << "auto_pad '" << autoPadMode
                           << "' is not supported";
  ArrayRef<int64_t> k = weightType.getShape().drop_front(2);
  if (*kernel && ArrayRef<int64_t>(**kernel) != k)
    return ctx.emitError() << "kernel_shape [" << **kernel
                           << "] differs from the weight's [" << k << "]";
  auto sized = [&](const std::optional<SmallVector<int64_t>> &v, size_t count,
                   int64_t fallback,
                   StringRef name) -> FailureOr<SmallVector<int64_t>> {
    if (!v)
      return SmallVector<int64_t>(count, fallback);
    if (v->size() != count)
      return ctx.emitError() << "'" << name << "' must hold " << count
                             << " values, found " << v->size();
    return *v;
  };
  auto s2 = sized(*strides, 2, 1, "strides"), p4 = sized(*pads, 4, 0, "pads"),
       d2 = sized(*dilations, 2, 1, "dilations"),
       o2 = sized(*outputPadding, 2, 0, "output_padding");
  if (failed(s2) || failed(p4) || failed(d2) || failed(o2))
    return failure();
  // An output_shape (or SAME auto_pad: the input times the stride) implies
  // the pads: the total padding split as ONNX specifies.
  ArrayRef<int64_t> in = tensorType(input).getShape().drop_front(2);
  std::optional<SmallVector<int64_t>> target;
  if (*outputShape) {
    target = (*outputShape)->size() == 4
                 ? SmallVector<int64_t>((*outputShape)->begin() + 2,
                                        (*outputShape)->end())
                 : **outputShape;
    if (target->size() != 2)
      return ctx.emitError() << "'output_shape' must hold 2 (or 4) values";
  } else if (StringRef(autoPadMode).starts_with("SAME")) {
    target = SmallVector<int64_t>{in[0] * (*s2)[0], in[1] * (*s2)[1]};
  } else if (autoPadMode == "VALID") {
    *p4 = SmallVector<int64_t>(4, 0);
  }
  if (target)
    for (int axis = 0; axis < 2; ++axis) {
      int64_t total = (*s2)[axis] * (in[axis] - 1) + (*o2)[axis] +
                      (k[axis] - 1) * (*d2)[axis] + 1 - (*target)[axis];
      if (total < 0)
        return ctx.emitError() << "output_shape " << (*target)[axis]
                               << " exceeds what the window reaches along "
                                  "axis "
                               << 2 + axis;
      // An odd total puts its extra element last for SAME_UPPER, first
      // otherwise (the ONNX specification of ConvTranspose).
      bool upper = autoPadMode == "SAME_UPPER";
      (*p4)[axis] = upper ? total / 2 : total - total / 2;
      (*p4)[axis + 2] = total - (*p4)[axis];
    }
  // ONNX pads are [top, left, bottom, right] for 2-D, as spike's.
  OpBuilder &b = ctx.builder();
  return ctx.setResult(createInferred<spike::ConvTranspose2dOp>(
      ctx, operands,
      {b.getNamedAttr("strides", b.getDenseI64ArrayAttr(*s2)),
       b.getNamedAttr("pads", b.getDenseI64ArrayAttr(*p4)),
       b.getNamedAttr("dilations", b.getDenseI64ArrayAttr(*d2)),
       b.getNamedAttr("output_padding", b.getDenseI64ArrayAttr(*o2)),
       b.getNamedAttr("groups", b.getI64IntegerAttr(group->value_or(1)))}));
}

/// A 1-D convolution ([N, C, L], weight [O, C/g, k]; Spikformer's token
/// projections) as a 2-D one of height 1: the input reshaped to
/// [N, C, 1, L], the weight to [O, C/g, 1, k], the result back to [N, O, L'].
LogicalResult importConv1d(NodeContext &ctx, SmallVector<Value> operands) {
  RankedTensorType inputType = tensorType(operands[0]);
  DenseElementsAttr weight = ctx.constantInput(1);
  if (inputType.getRank() != 3 || !inputType.hasStaticShape())
    return ctx.emitError() << "a 1-D convolution takes a static [N, C, L] "
                              "input, found "
                           << inputType;
  if (!weight)
    return ctx.emitError() << "a 1-D convolution's weight must be a constant";
  auto kernel = ctx.getInts("kernel_shape"), strides = ctx.getInts("strides"),
       pads = ctx.getInts("pads"), dilations = ctx.getInts("dilations");
  auto autoPad = ctx.getString("auto_pad");
  auto group = ctx.getInt("group");
  if (failed(kernel) || failed(strides) || failed(pads) || failed(dilations) ||
      failed(autoPad) || failed(group))
    return failure();
  if (autoPad->value_or("NOTSET") != "NOTSET")
    return ctx.emitError() << "auto_pad '" << **autoPad
                           << "' is not supported for 1-D convolutions; give "
                              "explicit pads";
  ArrayRef<int64_t> w = cast<ShapedType>(weight.getType()).getShape();
  int64_t k = w[2];
  auto one = [&](const std::optional<SmallVector<int64_t>> &v, size_t count,
                 int64_t fallback) -> std::optional<SmallVector<int64_t>> {
    if (!v)
      return SmallVector<int64_t>(count, fallback);
    if (v->size() != count)
      return std::nullopt;
    return *v;
  };
  auto ks = one(*kernel, 1, k), ss = one(*strides, 1, 1), ps = one(*pads, 2, 0),
       ds = one(*dilations, 1, 1);
  if (!ks || !ss || !ps || !ds || (*ks)[0] != k)
    return ctx.emitError() << "a 1-D convolution takes one kernel size (" << k
                           << "), stride and dilation and two pads";
  OpBuilder &b = ctx.builder();
  Value input = b.create<spike::ReshapeOp>(
      ctx.loc(),
      inputType.clone({inputType.getDimSize(0), inputType.getDimSize(1), 1,
                       inputType.getDimSize(2)}),
      operands[0]);
  auto weight4 =
      RankedTensorType::get({w[0], w[1], 1, k}, weight.getElementType());
  operands[0] = input;
  operands[1] = b.create<arith::ConstantOp>(ctx.loc(), weight.reshape(weight4));
  SmallVector<NamedAttribute> attrs{
      b.getNamedAttr("strides", b.getDenseI64ArrayAttr({1, (*ss)[0]})),
      b.getNamedAttr("pads",
                     b.getDenseI64ArrayAttr({0, (*ps)[0], 0, (*ps)[1]})),
      b.getNamedAttr("dilations", b.getDenseI64ArrayAttr({1, (*ds)[0]})),
      b.getNamedAttr("groups", b.getI64IntegerAttr(group->value_or(1)))};
  FailureOr<Value> conv = createInferred<spike::Conv2dOp>(ctx, operands, attrs);
  if (failed(conv))
    return failure();
  ArrayRef<int64_t> out = tensorType(*conv).getShape();
  ctx.setOutput(
      0,
      b.create<spike::ReshapeOp>(
          ctx.loc(), tensorType(*conv).clone({out[0], out[1], out[3]}), *conv));
  return success();
}

LogicalResult importConv(NodeContext &ctx) {
  FailureOr<SmallVector<Value>> operandsOr = convOperands(ctx);
  if (failed(operandsOr))
    return failure();
  SmallVector<Value> operands = std::move(*operandsOr);
  RankedTensorType weightType = tensorType(operands[1]);
  if (weightType.getRank() == 3)
    return importConv1d(ctx, operands);
  if (weightType.getRank() != 4)
    return ctx.emitError() << "only 1-D and 2-D convolutions are supported: "
                           << "expected a weight of rank 3 or 4, found "
                           << weightType;
  auto group = ctx.getInt("group");
  FailureOr<Window> window = readWindow(ctx, tensorType(operands[0]),
                                        weightType.getShape().drop_front(2),
                                        /*hasDilations=*/true);
  if (failed(group) || failed(window))
    return failure();

  OpBuilder &b = ctx.builder();
  SmallVector<NamedAttribute> attrs = windowAttributes(
      b, *window, /*withKernel=*/false, /*withDilations=*/true);
  attrs.push_back(
      b.getNamedAttr("groups", b.getI64IntegerAttr(group->value_or(1))));
  return ctx.setResult(createInferred<spike::Conv2dOp>(ctx, operands, attrs));
}

/// Gemm: Y = alpha * A' * B' + beta * C, as spike.linear (whose weight is
/// [M, K]) plus transposes, scales and a broadcast add where needed.
LogicalResult importGemm(NodeContext &ctx) {
  auto a = ctx.tensorInput(0, /*allowSpikes=*/true);
  auto bMatrix = ctx.tensorInput(1, /*allowSpikes=*/false);
  if (failed(a) || failed(bMatrix))
    return failure();
  auto alpha = ctx.getFloat("alpha");
  auto beta = ctx.getFloat("beta");
  auto transA = ctx.getInt("transA");
  auto transB = ctx.getInt("transB");
  if (failed(alpha) || failed(beta) || failed(transA) || failed(transB))
    return failure();
  if (tensorType(*a).getRank() != 2 || tensorType(*bMatrix).getRank() != 2)
    return ctx.emitError() << "expected 2-D A and B, found " << tensorType(*a)
                           << " and " << tensorType(*bMatrix);

  Value lhs = *a, weight = *bMatrix;
  if (transA->value_or(0)) {
    FailureOr<Value> t = transpose2d(ctx, lhs);
    if (failed(t))
      return failure();
    lhs = *t;
  }
  if (!transB->value_or(0)) {
    FailureOr<Value> t = transpose2d(ctx, weight);
    if (failed(t))
      return failure();
    weight = *t;
  }

  float alphaValue = alpha->value_or(1.0f), betaValue = beta->value_or(1.0f);
  Type elementType = tensorType(weight).getElementType();
  int64_t outFeatures = tensorType(weight).getDimSize(0);
  SmallVector<Value> operands{lhs, weight};
  Value addend;
  if (ctx.hasInput(2) && betaValue != 0.0f) {
    auto c = ctx.tensorInput(2, /*allowSpikes=*/false);
    if (failed(c))
      return failure();
    RankedTensorType cType = tensorType(*c);
    bool isBias = cType.getRank() == 1 && cType.getDimSize(0) == outFeatures;
    if (isBias && alphaValue == 1.0f && betaValue == 1.0f) {
      operands.push_back(*c);
    } else {
      addend = *c;
      if (betaValue != 1.0f) {
        FailureOr<Value> scaled = createInferred<spike::MulOp>(
            ctx, {addend, scalarConstant(ctx, elementType, betaValue)});
        if (failed(scaled))
          return failure();
        addend = *scaled;
      }
    }
  }

  FailureOr<Value> result = createInferred<spike::LinearOp>(ctx, operands);
  if (failed(result))
    return failure();
  RankedTensorType linearType = tensorType(*result);
  if (alphaValue != 1.0f) {
    result = createInferred<spike::MulOp>(
        ctx, {*result, scalarConstant(ctx, elementType, alphaValue)});
    if (failed(result))
      return failure();
  }
  if (addend) {
    result = createInferred<spike::AddOp>(ctx, {*result, addend});
    if (failed(result))
      return failure();
    if (tensorType(*result) != linearType)
      return ctx.emitError()
             << "C of type " << tensorType(addend)
             << " does not broadcast to the product's " << linearType;
  }
  ctx.setOutput(0, *result);
  return success();
}

/// MatMul with a 2-D right operand (a weight): spike.linear on the
/// transposed weight, flattening leading dimensions of the left operand.
LogicalResult importMatMul(NodeContext &ctx) {
  auto a = ctx.tensorInput(0, /*allowSpikes=*/true);
  auto bMatrix = ctx.tensorInput(1, /*allowSpikes=*/true);
  if (failed(a) || failed(bMatrix))
    return failure();
  RankedTensorType aType = tensorType(*a), bType = tensorType(*bMatrix);
  // A product of activations (attention's Q·Kᵀ), or with a batched or 1-D
  // operand: spike.matmul; a constant [K, N] weight: a linear layer.
  if (bType.getRank() != 2 || !ctx.constantInput(1) ||
      spike::isSpikeTensor(*bMatrix)) {
    if (aType.getRank() < 2 || bType.getRank() < 2)
      return ctx.emitError()
             << "expected operands of rank >= 2, found " << aType << " and "
             << bType << " (1-D operands are not supported)";
    return ctx.setResult(createInferred<spike::MatMulOp>(ctx, {*a, *bMatrix}));
  }
  if (aType.getRank() < 2)
    return ctx.emitError() << "expected a left operand of rank >= 2, found "
                           << aType;
  if (!aType.hasStaticShape())
    return ctx.emitError() << "expected a static left operand, found " << aType;

  FailureOr<Value> weight = transpose2d(ctx, *bMatrix);
  if (failed(weight))
    return failure();
  OpBuilder &b = ctx.builder();
  Value lhs = *a;
  ArrayRef<int64_t> shape = aType.getShape();
  if (aType.getRank() > 2) {
    std::optional<int64_t> rows = checkedProduct(shape.drop_back());
    if (!rows)
      return ctx.emitError()
             << "the product of the left operand's leading "
             << "dimensions [" << shape.drop_back() << "] overflows int64";
    lhs = b.create<spike::ReshapeOp>(ctx.loc(),
                                     aType.clone({*rows, shape.back()}), lhs);
  }
  FailureOr<Value> result =
      createInferred<spike::LinearOp>(ctx, {lhs, *weight});
  if (failed(result))
    return failure();
  if (aType.getRank() > 2) {
    SmallVector<int64_t> outShape(shape.drop_back());
    outShape.push_back(bType.getDimSize(1));
    *result = b.create<spike::ReshapeOp>(
        ctx.loc(), tensorType(*result).clone(outShape), *result);
  }
  ctx.setOutput(0, *result);
  return success();
}

LogicalResult importBatchNorm(NodeContext &ctx) {
  SmallVector<Value> operands;
  for (unsigned i = 0; i < 5; ++i) {
    // The input may be spikes (BatchNorm after a neuron).
    auto value = ctx.tensorInput(i, /*allowSpikes=*/i == 0);
    if (failed(value))
      return failure();
    operands.push_back(*value);
  }
  auto epsilon = ctx.getFloat("epsilon");
  auto spatial = ctx.getInt("spatial");
  auto trainingMode = ctx.getInt("training_mode");
  ctx.ignoreAttribute("momentum"); // only updates running statistics
  if (failed(epsilon) || failed(spatial) || failed(trainingMode))
    return failure();
  if (spatial->value_or(1) != 1)
    return ctx.emitError() << "spatial = 0 (per-activation statistics) is "
                           << "not supported";
  if (trainingMode->value_or(0) != 0 || ctx.hasOutput(1) || ctx.hasOutput(2))
    return ctx.emitError() << "training mode (training_mode = 1, or the "
                           << "running_mean/running_var outputs) is not "
                           << "supported; export the model in eval mode";
  OpBuilder &b = ctx.builder();
  return ctx.setResult(createInferred<spike::BatchNormOp>(
      ctx, operands,
      {b.getNamedAttr("epsilon",
                      b.getF32FloatAttr(epsilon->value_or(1.0e-5f)))}));
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

LogicalResult importRelu(NodeContext &ctx) {
  auto input = ctx.tensorInput(0, /*allowSpikes=*/true);
  if (failed(input))
    return failure();
  // relu of 0/1 spikes is the identity.
  if (spike::isSpikeTensor(*input)) {
    ctx.setOutput(0, *input);
    return success();
  }
  ctx.setOutput(0, ctx.builder().create<spike::ReluOp>(
                       ctx.loc(), input->getType(), *input));
  return success();
}

/// An elementwise op of input 0 with `attrs`.
template <typename OpTy>
LogicalResult importMap(NodeContext &ctx,
                        ArrayRef<NamedAttribute> attrs = {}) {
  auto input = ctx.tensorInput(0, /*allowSpikes=*/true);
  if (failed(input))
    return failure();
  return ctx.setResult(createInferred<OpTy>(ctx, *input, attrs));
}

LogicalResult importSigmoid(NodeContext &ctx) {
  return importMap<spike::SigmoidOp>(ctx);
}

LogicalResult importTanh(NodeContext &ctx) {
  return importMap<spike::TanhOp>(ctx);
}
LogicalResult importSqrt(NodeContext &ctx) {
  return importMap<spike::SqrtOp>(ctx);
}

LogicalResult importLeakyRelu(NodeContext &ctx) {
  auto alpha = ctx.getFloat("alpha");
  if (failed(alpha))
    return failure();
  OpBuilder &b = ctx.builder();
  return importMap<spike::LeakyReluOp>(
      ctx, {b.getNamedAttr("alpha", b.getF32FloatAttr(alpha->value_or(0.01f)))});
}

/// Clip: `min`/`max` attributes (opset 6), or optional constant scalar
/// inputs 1 and 2 (opset 11 on).
LogicalResult importClip(NodeContext &ctx) {
  auto input = ctx.tensorInput(0, /*allowSpikes=*/true);
  if (failed(input))
    return failure();
  OpBuilder &b = ctx.builder();
  SmallVector<NamedAttribute> attrs;
  for (auto [index, name] : {std::pair{1u, "min"}, {2u, "max"}}) {
    std::optional<float> bound;
    if (ctx.version() < 11) {
      auto value = ctx.getFloat(name);
      if (failed(value))
        return failure();
      bound = *value;
    } else if (ctx.hasInput(index)) {
      DenseElementsAttr value = ctx.constantInput(index);
      if (!value || value.getNumElements() != 1 ||
          !value.getElementType().isF32())
        return ctx.emitError() << "'" << name << "' (input #" << index
                               << ") must be a constant float32 scalar";
      bound = value.getValues<float>()[0];
    }
    if (bound)
      attrs.push_back(b.getNamedAttr(name, b.getF32FloatAttr(*bound)));
  }
  return ctx.setResult(createInferred<spike::ClipOp>(ctx, *input, attrs));
}

/// Softmax and LogSoftmax. Before opset 13 the input is coerced to 2-D at
/// `axis` (default 1): the softmax runs over all dimensions from `axis` on;
/// from 13 over the one dimension `axis` (default -1), moved last by a
/// transpose when it is not.
LogicalResult importSoftmaxOrLog(NodeContext &ctx, bool log) {
  auto input = ctx.tensorInput(0, /*allowSpikes=*/true);
  auto axisAttr = ctx.getInt("axis");
  if (failed(input) || failed(axisAttr))
    return failure();
  RankedTensorType type = tensorType(*input);
  if (!type.hasStaticShape() || type.getRank() == 0)
    return ctx.emitError() << "expected a tensor of static shape and rank "
                              ">= 1, found "
                           << type;
  bool coerce = ctx.version() < 13;
  FailureOr<int64_t> axis = normalizeAxis(
      ctx, axisAttr->value_or(coerce ? 1 : -1), type.getRank());
  if (failed(axis))
    return failure();
  OpBuilder &b = ctx.builder();
  auto softmax = [&](Value value) {
    return createInferred<spike::SoftmaxOp>(
        ctx, value,
        log ? ArrayRef<NamedAttribute>{b.getNamedAttr("log", b.getUnitAttr())}
            : ArrayRef<NamedAttribute>{});
  };
  int64_t last = type.getRank() - 1;
  FailureOr<Value> result = failure();
  if (*axis == last) {
    result = softmax(*input);
  } else if (coerce) {
    ArrayRef<int64_t> shape = type.getShape();
    int64_t rows = ShapedType::getNumElements(shape.take_front(*axis));
    Value flat = b.create<spike::ReshapeOp>(
        ctx.loc(), type.clone({rows, type.getNumElements() / rows}), *input);
    result = softmax(flat);
    if (succeeded(result))
      result = b.create<spike::ReshapeOp>(
                    ctx.loc(), tensorType(*result).clone(shape), *result)
                   .getResult();
  } else {
    // Swap the axis with the last dimension, and back.
    SmallVector<int64_t> perm = llvm::to_vector(llvm::seq<int64_t>(0, last + 1));
    std::swap(perm[*axis], perm[last]);
    auto permutation = b.getNamedAttr("permutation", b.getDenseI64ArrayAttr(perm));
    result = createInferred<spike::TransposeOp>(ctx, *input, permutation);
    if (succeeded(result))
      result = softmax(*result);
    if (succeeded(result))
      result = createInferred<spike::TransposeOp>(ctx, *result, permutation);
  }
  return ctx.setResult(result);
}

/// LayerNormalization's Mean and InvStdDev outputs (those the node asks
/// for), over the dimensions from `axis` on of `input`: seen as [rows, K],
/// mean = x · (1/K) and var = ((x - mean)^2) · (1/K) as linear layers (sums
/// of terms / K, within rounding of ONNX's sum / K), InvStdDev =
/// 1 / sqrt(var + epsilon); each reshaped to the input's shape with the
/// normalized dimensions 1.
LogicalResult importLayerNormStatistics(NodeContext &ctx, Value input,
                                        int64_t axis, float epsilon) {
  if (!ctx.hasOutput(1) && !ctx.hasOutput(2))
    return success();
  RankedTensorType type = tensorType(input);
  if (!type.hasStaticShape())
    return ctx.emitError() << "expected a static input, found " << type;
  ArrayRef<int64_t> shape = type.getShape();
  int64_t rows = 1, k = 1;
  SmallVector<int64_t> statShape;
  for (int64_t d = 0; d < type.getRank(); ++d) {
    (d < axis ? rows : k) *= shape[d];
    statShape.push_back(d < axis ? shape[d] : 1);
  }
  OpBuilder &b = ctx.builder();
  auto constant = [&](ArrayRef<int64_t> constantShape, float value) -> Value {
    auto constantType = RankedTensorType::get(constantShape, b.getF32Type());
    return b.create<arith::ConstantOp>(
        ctx.loc(), DenseElementsAttr::get(constantType, value));
  };
  Value x = reshapedTo(ctx, input, {rows, k});
  Value average = reductionWeights(ctx, input, k, 1.0 / k);
  FailureOr<Value> mean =
      createInferred<spike::LinearOp>(ctx, ValueRange{x, average});
  if (failed(mean))
    return failure();
  if (ctx.hasOutput(1))
    ctx.setOutput(1, reshapedTo(ctx, *mean, statShape));
  if (!ctx.hasOutput(2))
    return success();
  FailureOr<Value> centered =
      createInferred<spike::SubOp>(ctx, ValueRange{x, *mean});
  if (failed(centered))
    return failure();
  FailureOr<Value> squared =
      createInferred<spike::MulOp>(ctx, ValueRange{*centered, *centered});
  if (failed(squared))
    return failure();
  FailureOr<Value> variance =
      createInferred<spike::LinearOp>(ctx, ValueRange{*squared, average});
  if (failed(variance))
    return failure();
  FailureOr<Value> shifted = createInferred<spike::AddOp>(
      ctx, ValueRange{*variance, constant({}, epsilon)});
  if (failed(shifted))
    return failure();
  FailureOr<Value> deviation = createInferred<spike::SqrtOp>(ctx, *shifted);
  if (failed(deviation))
    return failure();
  FailureOr<Value> inverse = createInferred<spike::DivOp>(
      ctx, ValueRange{constant({}, 1.0f), *deviation});
  if (failed(inverse))
    return failure();
  ctx.setOutput(2, reshapedTo(ctx, *inverse, statShape));
  return success();
}

/// LayerNormalization (opset 17): Y, and the Mean and InvStdDev outputs the
/// node asks for; Scale required, B optional.
LogicalResult importLayerNorm(NodeContext &ctx) {
  auto input = ctx.tensorInput(0, /*allowSpikes=*/true);
  auto axisAttr = ctx.getInt("axis");
  auto epsilon = ctx.getFloat("epsilon");
  auto stash = ctx.getInt("stash_type");
  if (failed(input) || failed(axisAttr) || failed(epsilon) || failed(stash))
    return failure();
  if (stash->value_or(1) != 1)
    return ctx.emitError() << "stash_type " << **stash
                           << " is not supported (float32 statistics)";
  FailureOr<int64_t> axis =
      normalizeAxis(ctx, axisAttr->value_or(-1), tensorType(*input).getRank());
  if (failed(axis))
    return failure();
  // Scale (input 1) is required, the bias optional.
  SmallVector<Value> operands{*input};
  for (unsigned i = 1; i <= 2; ++i) {
    if (i == 2 && !ctx.hasInput(2))
      break;
    auto param = ctx.tensorInput(i, /*allowSpikes=*/false);
    if (failed(param))
      return failure();
    operands.push_back(*param);
  }
  OpBuilder &b = ctx.builder();
  if (failed(ctx.setResult(createInferred<spike::LayerNormOp>(
          ctx, operands,
          {b.getNamedAttr("axis", b.getI64IntegerAttr(*axis)),
           b.getNamedAttr("epsilon",
                          b.getF32FloatAttr(epsilon->value_or(1e-5f)))}))))
    return failure();
  return importLayerNormStatistics(ctx, *input, *axis,
                                   epsilon->value_or(1e-5f));
}

LogicalResult importSoftmax(NodeContext &ctx) {
  return importSoftmaxOrLog(ctx, /*log=*/false);
}
LogicalResult importLogSoftmax(NodeContext &ctx) {
  return importSoftmaxOrLog(ctx, /*log=*/true);
}

/// Pad in constant mode, with the pads (and the value and axes, when given)
/// known at import time: attributes up to version 2, inputs from 11.
LogicalResult importPad(NodeContext &ctx) {
  auto input = ctx.tensorInput(0, /*allowSpikes=*/true);
  auto modeName = ctx.getString("mode");
  if (failed(input) || failed(modeName))
    return failure();
  std::optional<spike::PadMode> mode =
      spike::symbolizePadMode(modeName->value_or("constant"));
  if (!mode)
    return ctx.emitError() << "mode '" << **modeName
                           << "' is not supported (constant, reflect, edge)";
  int64_t rank = tensorType(*input).getRank();

  SmallVector<int64_t> pads;
  float value = 0.0f;
  if (ctx.version() < 11) {
    auto padsAttr = ctx.getInts("pads");
    auto valueAttr = ctx.getFloat("value");
    if (failed(padsAttr) || failed(valueAttr))
      return failure();
    if (!*padsAttr)
      return ctx.emitError() << "the 'pads' attribute is required";
    pads = **padsAttr;
    value = valueAttr->value_or(0.0f);
  } else {
    if (!ctx.hasInput(1))
      return ctx.emitError() << "the pads (input #1) are required";
    DenseElementsAttr padsInput = ctx.constantInput(1);
    if (!padsInput || !padsInput.getElementType().isInteger(64) ||
        cast<ShapedType>(padsInput.getType()).getRank() != 1)
      return ctx.emitError() << "the pads (input #1, '" << ctx.node().input(1)
                             << "') must be a constant 1-D int64 tensor";
    pads.assign(padsInput.getValues<int64_t>().begin(),
                padsInput.getValues<int64_t>().end());
    if (ctx.hasInput(2)) {
      DenseElementsAttr constant = ctx.constantInput(2);
      if (!constant || constant.getNumElements() != 1 ||
          !isa<FloatType>(constant.getElementType()))
        return ctx.emitError()
               << "the constant_value (input #2, '" << ctx.node().input(2)
               << "') must be a constant floating-point scalar";
      value = (*constant.getValues<APFloat>().begin()).convertToFloat();
    }
    if (ctx.hasInput(3)) {
      // Pads listed for some axes only: spread them over all `rank`.
      DenseElementsAttr axesInput = ctx.constantInput(3);
      if (!axesInput || !isa<IntegerType>(axesInput.getElementType()))
        return ctx.emitError() << "the axes (input #3, '" << ctx.node().input(3)
                               << "') must be a constant integer tensor";
      SmallVector<int64_t> axes;
      for (APInt axis : axesInput.getValues<APInt>())
        axes.push_back(axis.getSExtValue() < 0 ? axis.getSExtValue() + rank
                                               : axis.getSExtValue());
      if (pads.size() != 2 * axes.size())
        return ctx.emitError() << "expected 2 x " << axes.size()
                               << " pads for the axes, found " << pads.size();
      SmallVector<int64_t> all(2 * rank, 0);
      for (auto [index, axis] : llvm::enumerate(axes)) {
        if (axis < 0 || axis >= rank)
          return ctx.emitError() << "axis " << axis << " is out of range for "
                                 << "rank " << rank;
        all[axis] = pads[index];
        all[rank + axis] = pads[axes.size() + index];
      }
      pads = std::move(all);
    }
  }
  if (static_cast<int64_t>(pads.size()) != 2 * rank)
    return ctx.emitError() << "expected 2 x rank = " << 2 * rank
                           << " pads, found " << pads.size();
  OpBuilder &b = ctx.builder();
  // Negative pads crop: a slice first, then the padding that is left.
  Value padded = *input;
  if (llvm::any_of(pads, [](int64_t p) { return p < 0; })) {
    ArrayRef<int64_t> shape = tensorType(*input).getShape();
    SmallVector<int64_t> starts, sizes, steps(rank, 1);
    for (int64_t d = 0; d < rank; ++d) {
      starts.push_back(std::max<int64_t>(-pads[d], 0));
      sizes.push_back(shape[d] + std::min<int64_t>(pads[d], 0) +
                      std::min<int64_t>(pads[rank + d], 0));
      if (sizes.back() < 1)
        return ctx.emitError() << "pads [" << pads << "] crop dimension " << d
                               << " (size " << shape[d] << ") to nothing";
    }
    FailureOr<Value> cropped = createInferred<spike::SliceOp>(
        ctx, padded,
        {b.getNamedAttr("starts", b.getDenseI64ArrayAttr(starts)),
         b.getNamedAttr("sizes", b.getDenseI64ArrayAttr(sizes)),
         b.getNamedAttr("steps", b.getDenseI64ArrayAttr(steps))});
    if (failed(cropped))
      return failure();
    padded = *cropped;
    for (int64_t &p : pads)
      p = std::max<int64_t>(p, 0);
    if (llvm::all_of(pads, [](int64_t p) { return p == 0; })) {
      ctx.setOutput(0, padded);
      return success();
    }
  }
  return ctx.setResult(createInferred<spike::PadOp>(
      ctx, padded,
      {b.getNamedAttr("pads", b.getDenseI64ArrayAttr(pads)),
       b.getNamedAttr("value", b.getF32FloatAttr(value)),
       b.getNamedAttr("mode", spike::PadModeAttr::get(ctx.context(), *mode))}));
}

/// `a op b` of two int64 constants (shape arithmetic: `x.size(0) * 2`),
/// NumPy-broadcast where one is a single value; null where not both are.
template <typename OpTy>
DenseElementsAttr foldIntegerBinary(DenseElementsAttr a, DenseElementsAttr b) {
  if (!a || !b || !a.getElementType().isInteger(64) ||
      !b.getElementType().isInteger(64) ||
      (a.getNumElements() != b.getNumElements() && !a.isSplat() && !b.isSplat()))
    return {};
  DenseElementsAttr shape = a.getNumElements() >= b.getNumElements() ? a : b;
  auto x = llvm::to_vector(a.getValues<int64_t>());
  auto y = llvm::to_vector(b.getValues<int64_t>());
  SmallVector<int64_t> result;
  for (int64_t i = 0; i < shape.getNumElements(); ++i) {
    int64_t l = x[a.isSplat() ? 0 : i], r = y[b.isSplat() ? 0 : i];
    if constexpr (std::is_same_v<OpTy, spike::AddOp>)
      result.push_back(l + r);
    else if constexpr (std::is_same_v<OpTy, spike::SubOp>)
      result.push_back(l - r);
    else if constexpr (std::is_same_v<OpTy, spike::MulOp>)
      result.push_back(l * r);
    else if (r == 0)
      return {}; // left to the importer, which reports it
    else
      result.push_back(l / r); // ONNX integer Div truncates
  }
  return DenseElementsAttr::get(cast<ShapedType>(shape.getType()),
                                ArrayRef<int64_t>(result));
}

template <typename OpTy> LogicalResult importBinary(NodeContext &ctx) {
  if (DenseElementsAttr folded = foldIntegerBinary<OpTy>(ctx.constantInput(0),
                                                         ctx.constantInput(1))) {
    ctx.setConstantOutput(0, folded);
    return success();
  }
  auto lhs = ctx.tensorInput(0, /*allowSpikes=*/true);
  if (failed(lhs))
    return failure();
  auto rhs = ctx.tensorInput(1, /*allowSpikes=*/true);
  if (failed(rhs))
    return failure();
  return ctx.setResult(createInferred<OpTy>(ctx, {*lhs, *rhs}));
}

LogicalResult importSum(NodeContext &ctx) {
  auto sum = ctx.tensorInput(0, /*allowSpikes=*/true);
  if (failed(sum))
    return failure();
  for (unsigned i = 1; i < ctx.numInputs(); ++i) {
    auto next = ctx.tensorInput(i, /*allowSpikes=*/true);
    if (failed(next))
      return failure();
    sum = createInferred<spike::AddOp>(ctx, {*sum, *next});
    if (failed(sum))
      return failure();
  }
  ctx.setOutput(0, *sum);
  return success();
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

LogicalResult importMaxPool(NodeContext &ctx) {
  auto input = ctx.tensorInput(0, /*allowSpikes=*/true);
  if (failed(input))
    return failure();
  if (ctx.hasOutput(1))
    return ctx.emitError() << "the 'Indices' output is not supported";
  ctx.ignoreAttribute("storage_order"); // only affects 'Indices'
  auto ceilMode = ctx.getInt("ceil_mode");
  FailureOr<Window> window =
      readWindow(ctx, tensorType(*input), {}, /*hasDilations=*/true);
  if (failed(ceilMode) || failed(window))
    return failure();
  OpBuilder &b = ctx.builder();
  SmallVector<NamedAttribute> attrs =
      windowAttributes(b, *window, /*withKernel=*/true, /*withDilations=*/true);
  attrs.push_back(
      b.getNamedAttr("ceil_mode", b.getBoolAttr(ceilMode->value_or(0))));
  return ctx.setResult(createInferred<spike::MaxPool2dOp>(ctx, *input, attrs));
}

LogicalResult importAveragePool(NodeContext &ctx) {
  auto input = ctx.tensorInput(0, /*allowSpikes=*/true);
  if (failed(input))
    return failure();
  auto ceilMode = ctx.getInt("ceil_mode");
  auto countIncludePad = ctx.getInt("count_include_pad");
  FailureOr<Window> window =
      readWindow(ctx, tensorType(*input), {}, /*hasDilations=*/false);
  if (failed(ceilMode) || failed(countIncludePad) || failed(window))
    return failure();
  OpBuilder &b = ctx.builder();
  SmallVector<NamedAttribute> attrs = windowAttributes(
      b, *window, /*withKernel=*/true, /*withDilations=*/false);
  attrs.push_back(
      b.getNamedAttr("ceil_mode", b.getBoolAttr(ceilMode->value_or(0))));
  attrs.push_back(b.getNamedAttr("count_include_pad",
                                 b.getBoolAttr(countIncludePad->value_or(0))));
  return ctx.setResult(createInferred<spike::AvgPool2dOp>(ctx, *input, attrs));
}

LogicalResult importGlobalAveragePool(NodeContext &ctx) {
  auto input = ctx.tensorInput(0, /*allowSpikes=*/true);
  if (failed(input))
    return failure();
  return ctx.setResult(createInferred<spike::GlobalAvgPoolOp>(ctx, *input));
}

//===----------------------------------------------------------------------===//
// Shapes
//===----------------------------------------------------------------------===//

LogicalResult importFlatten(NodeContext &ctx) {
  auto input = ctx.tensorInput(0, /*allowSpikes=*/true);
  auto axis = ctx.getInt("axis");
  if (failed(input) || failed(axis))
    return failure();
  // Flatten's axis ranges over [-rank, rank], one more than a dimension.
  int64_t rank = tensorType(*input).getRank();
  int64_t normalized = axis->value_or(1);
  if (normalized < 0)
    normalized += rank;
  if (normalized < 0 || normalized > rank)
    return ctx.emitError() << "axis " << axis->value_or(1)
                           << " is out of range for an input of rank " << rank;
  OpBuilder &b = ctx.builder();
  return ctx.setResult(createInferred<spike::FlattenOp>(
      ctx, *input, {b.getNamedAttr("axis", b.getI64IntegerAttr(normalized))}));
}

LogicalResult importReshape(NodeContext &ctx) {
  // A constant (a shape being computed) is reshaped at import.
  DenseElementsAttr constant = ctx.constantInput(0);
  FailureOr<Value> input = Value();
  if (!constant)
    input = ctx.tensorInput(0, /*allowSpikes=*/true);
  auto allowZero = ctx.getInt("allowzero");
  if (failed(input) || failed(allowZero))
    return failure();
  DenseElementsAttr shapeAttr = ctx.constantInput(1);
  if (!shapeAttr || !shapeAttr.getElementType().isInteger(64) ||
      cast<ShapedType>(shapeAttr.getType()).getRank() != 1)
    return ctx.emitError() << "the shape (input #1, '" << ctx.node().input(1)
                           << "') must be a constant 1-D int64 tensor";
  RankedTensorType inputType = constant
                                   ? cast<RankedTensorType>(constant.getType())
                                   : tensorType(*input);
  if (!inputType.hasStaticShape())
    return ctx.emitError() << "expected a static input, found " << inputType;

  SmallVector<int64_t> shape;
  std::optional<size_t> inferred;
  for (auto [index, entry] : llvm::enumerate(shapeAttr.getValues<int64_t>())) {
    int64_t dim = entry;
    if (dim == 0 && !allowZero->value_or(0)) {
      if (static_cast<int64_t>(index) >= inputType.getRank())
        return ctx.emitError() << "shape entry " << index
                               << " is 0 (copy the input dimension), but the "
                               << "input has rank " << inputType.getRank();
      dim = inputType.getDimSize(index);
    } else if (dim == -1) {
      if (inferred)
        return ctx.emitError() << "the shape has more than one -1";
      inferred = index;
      shape.push_back(1);
      continue;
    } else if (dim < -1) {
      return ctx.emitError() << "invalid shape entry " << dim;
    }
    shape.push_back(dim);
  }
  // The -1 entry counts as 1 here.
  if (!isSupportedTensorSize(shape))
    return ctx.emitError() << "the shape [" << shape << "] has more than 2^"
                           << kMaxTensorElementsLog2
                           << " elements (the limit for a tensor)";
  int64_t known = ShapedType::getNumElements(shape);
  int64_t total = inputType.getNumElements();
  if (inferred) {
    if (known == 0 || total % known != 0)
      return ctx.emitError()
             << "cannot infer the -1 entry: " << total
             << " elements do not divide into [" << shape << "]";
    shape[*inferred] = total / known;
  }
  auto resultType = inputType.clone(shape);
  if (resultType.getNumElements() != total)
    return ctx.emitError() << "cannot reshape " << inputType << " into "
                           << resultType;
  if (constant)
    ctx.setConstantOutput(0, constant.reshape(resultType));
  else
    ctx.setOutput(0, ctx.builder().create<spike::ReshapeOp>(
                         ctx.loc(), resultType, *input));
  return success();
}

/// Concat of constants (a shape being assembled), folded.
LogicalResult foldConcat(NodeContext &ctx, int64_t axis) {
  SmallVector<DenseElementsAttr> parts;
  for (unsigned i = 0; i < ctx.numInputs(); ++i)
    parts.push_back(ctx.constantInput(i));
  ArrayRef<int64_t> first = cast<ShapedType>(parts[0].getType()).getShape();
  FailureOr<int64_t> a = normalizeAxis(ctx, axis, first.size());
  if (failed(a))
    return failure();
  SmallVector<int64_t> shape(first);
  shape[*a] = 0;
  for (DenseElementsAttr part : parts) {
    ArrayRef<int64_t> dims = cast<ShapedType>(part.getType()).getShape();
    if (part.getElementType() != parts[0].getElementType() ||
        dims.size() != first.size())
      return ctx.emitError() << "the constants to concatenate differ in "
                                "element type or rank";
    for (size_t d = 0; d < dims.size(); ++d)
      if (static_cast<int64_t>(d) != *a && dims[d] != first[d])
        return ctx.emitError() << "the constants to concatenate differ "
                                  "outside the axis";
    shape[*a] += dims[*a];
  }
  int64_t inner = ShapedType::getNumElements(ArrayRef<int64_t>(shape).drop_front(*a + 1));
  int64_t outer = ShapedType::getNumElements(ArrayRef<int64_t>(shape).take_front(*a));
  SmallVector<Attribute> values;
  for (int64_t o = 0; o < outer; ++o)
    for (DenseElementsAttr part : parts) {
      auto all = llvm::to_vector(part.getValues<Attribute>());
      int64_t chunk = cast<ShapedType>(part.getType()).getDimSize(*a) * inner;
      values.append(all.begin() + o * chunk, all.begin() + (o + 1) * chunk);
    }
  ctx.setConstantOutput(0, DenseElementsAttr::get(
                               RankedTensorType::get(shape, parts[0].getElementType()),
                               values));
  return success();
}

LogicalResult importConcat(NodeContext &ctx) {
  bool constants = true;
  for (unsigned i = 0; i < ctx.numInputs(); ++i)
    constants &= static_cast<bool>(ctx.constantInput(i));
  if (constants) {
    auto axis = ctx.getInt("axis");
    if (failed(axis))
      return failure();
    if (!*axis)
      return ctx.emitError() << "missing required attribute 'axis'";
    return foldConcat(ctx, **axis);
  }
  SmallVector<Value> inputs;
  for (unsigned i = 0; i < ctx.numInputs(); ++i) {
    auto value = ctx.tensorInput(i, /*allowSpikes=*/true);
    if (failed(value))
      return failure();
    inputs.push_back(*value);
  }
  if (llvm::any_of(inputs, [&](Value v) {
        return spike::isSpikeTensor(v) != spike::isSpikeTensor(inputs[0]);
      }))
    return ctx.emitError() << "concatenating spike and floating-point "
                           << "tensors is not supported";
  auto axis = ctx.getInt("axis");
  if (failed(axis))
    return failure();
  if (!*axis)
    return ctx.emitError() << "missing required attribute 'axis'";
  FailureOr<int64_t> normalized =
      normalizeAxis(ctx, **axis, tensorType(inputs[0]).getRank());
  if (failed(normalized))
    return failure();
  OpBuilder &b = ctx.builder();
  return ctx.setResult(createInferred<spike::ConcatOp>(
      ctx, inputs, {b.getNamedAttr("axis", b.getI64IntegerAttr(*normalized))}));
}

//===----------------------------------------------------------------------===//
// Pass-through and constants
//===----------------------------------------------------------------------===//

/// Forwards input 0 to output 0, keeping constants constant.
void forwardInput(NodeContext &ctx) {
  if (DenseElementsAttr constant = ctx.constantInput(0))
    ctx.setConstantOutput(0, constant);
  else
    ctx.setOutput(0, ctx.input(0));
}

LogicalResult importIdentity(NodeContext &ctx) {
  if (!isa<RankedTensorType>(ctx.input(0).getType()))
    return ctx.emitError() << "only tensor inputs are supported";
  forwardInput(ctx);
  return success();
}

/// Dropout at inference: the identity, with an all-true mask.
LogicalResult importDropout(NodeContext &ctx) {
  ctx.ignoreAttribute("seed");
  ctx.ignoreAttribute("ratio"); // no effect outside training
  ctx.ignoreAttribute("is_test");
  if (ctx.hasInput(2)) {
    DenseElementsAttr training = ctx.constantInput(2);
    if (!training || !training.getElementType().isInteger(1) ||
        !training.isSplat())
      return ctx.emitError() << "training_mode (input #2) must be a constant";
    if (training.getSplatValue<bool>())
      return ctx.emitError() << "training mode is not supported";
  }
  auto input = ctx.tensorInput(0, /*allowSpikes=*/true);
  if (failed(input))
    return failure();
  forwardInput(ctx);
  if (ctx.hasOutput(1)) {
    RankedTensorType type = tensorType(*input);
    if (!type.hasStaticShape())
      return ctx.emitError() << "the mask output needs a static shape";
    ctx.setConstantOutput(
        1, DenseElementsAttr::get(type.clone(ctx.builder().getI1Type()), true));
  }
  return success();
}

LogicalResult importConstant(NodeContext &ctx) {
  OpBuilder &b = ctx.builder();
  static constexpr llvm::StringLiteral unsupported[] = {
      "sparse_value", "value_string", "value_strings"};
  for (StringRef name : unsupported)
    if (ctx.attribute(name))
      return ctx.emitError() << "attribute '" << name << "' is not supported";

  SmallVector<DenseElementsAttr, 1> values;
  auto valueFloat = ctx.getFloat("value_float");
  auto valueInt = ctx.getInt("value_int");
  auto valueInts = ctx.getInts("value_ints");
  const onnx::AttributeProto *valueFloats = ctx.attribute("value_floats");
  if (failed(valueFloat) || failed(valueInt) || failed(valueInts))
    return failure();
  if (*valueFloat)
    values.push_back(DenseElementsAttr::get(
        RankedTensorType::get({}, b.getF32Type()), **valueFloat));
  if (*valueInt)
    values.push_back(DenseElementsAttr::get(
        RankedTensorType::get({}, b.getI64Type()), **valueInt));
  if (*valueInts)
    values.push_back(DenseElementsAttr::get(
        RankedTensorType::get({static_cast<int64_t>((*valueInts)->size())},
                              b.getI64Type()),
        ArrayRef<int64_t>(**valueInts)));
  if (valueFloats) {
    if (valueFloats->type() != onnx::AttributeProto::FLOATS)
      return ctx.emitError() << "attribute 'value_floats' must be FLOATS";
    SmallVector<float> floats(valueFloats->floats().begin(),
                              valueFloats->floats().end());
    values.push_back(DenseElementsAttr::get(
        RankedTensorType::get({static_cast<int64_t>(floats.size())},
                              b.getF32Type()),
        ArrayRef<float>(floats)));
  }
  FailureOr<DenseElementsAttr> tensor = tensorAttribute(ctx, "value");
  if (failed(tensor))
    return failure();
  if (*tensor)
    values.push_back(*tensor);
  if (values.size() != 1)
    return ctx.emitError() << "expected exactly one value attribute, found "
                           << values.size();
  ctx.setConstantOutput(0, values.front());
  return success();
}

//===----------------------------------------------------------------------===//
// Shape computations: folded at import when their inputs are constants (the
// `x.view(x.size(0), -1)` idiom's Shape -> Gather -> Unsqueeze -> Concat), and
// layout ops on activations
//===----------------------------------------------------------------------===//

/// A constant of `shape` whose element i is element `source(i)` of `from`
/// (any element type).
DenseElementsAttr rearrange(DenseElementsAttr from, ArrayRef<int64_t> shape,
                            function_ref<int64_t(int64_t)> source) {
  auto values = llvm::to_vector(from.getValues<Attribute>());
  auto type = RankedTensorType::get(shape, from.getElementType());
  SmallVector<Attribute> result;
  result.reserve(type.getNumElements());
  for (int64_t i = 0; i < type.getNumElements(); ++i)
    result.push_back(values[source(i)]);
  return DenseElementsAttr::get(type, result);
}

/// Row-major strides of `shape`.
SmallVector<int64_t> stridesOf(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t d = static_cast<int64_t>(shape.size()) - 2; d >= 0; --d)
    strides[d] = strides[d + 1] * shape[d + 1];
  return strides;
}

/// A 1-D int64 constant input (axes, starts, a shape), or failure naming it.
FailureOr<SmallVector<int64_t>> intsInput(NodeContext &ctx, unsigned index,
                                          StringRef what) {
  DenseElementsAttr attr = ctx.constantInput(index);
  if (!attr || !attr.getElementType().isInteger(64) ||
      cast<ShapedType>(attr.getType()).getRank() > 1)
    return ctx.emitError() << "the " << what << " (input #" << index
                           << ") must be a constant 1-D int64 tensor";
  return llvm::to_vector(attr.getValues<int64_t>());
}

/// The axes of Squeeze/Unsqueeze/ReduceMean/ReduceSum: the attribute before `inputSince`
/// (the opset that made them input 1), the input from it on; empty when
/// absent.
FailureOr<SmallVector<int64_t>> axesOf(NodeContext &ctx, int64_t inputSince) {
  if (ctx.version() < inputSince) {
    auto axes = ctx.getInts("axes");
    if (failed(axes))
      return failure();
    return axes->value_or(SmallVector<int64_t>{});
  }
  if (!ctx.hasInput(1))
    return SmallVector<int64_t>{};
  return intsInput(ctx, 1, "axes");
}

/// Output 0 as input 0 reshaped to `shape`: a folded constant, or a
/// spike.reshape of the activation.
LogicalResult setReshaped(NodeContext &ctx, ArrayRef<int64_t> shape) {
  if (DenseElementsAttr constant = ctx.constantInput(0)) {
    ctx.setConstantOutput(
        0, constant.reshape(RankedTensorType::get(shape, constant.getElementType())));
    return success();
  }
  auto input = ctx.tensorInput(0, /*allowSpikes=*/true);
  if (failed(input))
    return failure();
  ctx.setOutput(0, ctx.builder().create<spike::ReshapeOp>(
                       ctx.loc(), tensorType(*input).clone(shape), *input));
  return success();
}

/// The static shape of input 0 (a constant is not materialized).
FailureOr<SmallVector<int64_t>> staticShape(NodeContext &ctx) {
  if (DenseElementsAttr constant = ctx.constantInput(0))
    return llvm::to_vector(cast<ShapedType>(constant.getType()).getShape());
  auto type = dyn_cast<RankedTensorType>(ctx.input(0).getType());
  if (!type || !type.hasStaticShape())
    return ctx.emitError() << "expected a tensor of static shape, found "
                           << ctx.input(0).getType();
  return llvm::to_vector(type.getShape());
}

LogicalResult importConstantOfShape(NodeContext &ctx) {
  FailureOr<SmallVector<int64_t>> shape = intsInput(ctx, 0, "shape");
  if (failed(shape))
    return failure();
  for (int64_t d : *shape)
    if (d < 0)
      return ctx.emitError() << "negative dimension " << d;
  FailureOr<DenseElementsAttr> tensor = tensorAttribute(ctx, "value");
  if (failed(tensor))
    return failure();
  DenseElementsAttr value = *tensor;
  if (value && value.getNumElements() != 1)
    return ctx.emitError() << "attribute 'value' must hold one element";
  Type element = value ? value.getElementType() : ctx.builder().getF32Type();
  Attribute fill = value ? *value.getValues<Attribute>().begin()
                         : ctx.builder().getF32FloatAttr(0.0f);
  if (!isSupportedTensorSize(*shape))
    return ctx.emitError() << "the shape [" << *shape << "] has more than 2^"
                           << kMaxTensorElementsLog2 << " elements";
  ctx.setConstantOutput(
      0, DenseElementsAttr::get(RankedTensorType::get(*shape, element), fill));
  return success();
}

LogicalResult importShape(NodeContext &ctx) {
  auto shape = staticShape(ctx);
  auto start = ctx.getInt("start");
  auto end = ctx.getInt("end");
  if (failed(shape) || failed(start) || failed(end))
    return failure();
  int64_t rank = shape->size();
  auto clampAxis = [&](int64_t axis) {
    return std::clamp<int64_t>(axis < 0 ? axis + rank : axis, 0, rank);
  };
  int64_t first = clampAxis(start->value_or(0)), last = clampAxis(end->value_or(rank));
  ArrayRef<int64_t> dims = ArrayRef<int64_t>(*shape).slice(
      first, std::max<int64_t>(last - first, 0));
  ctx.setConstantOutput(
      0, DenseElementsAttr::get(
             RankedTensorType::get({static_cast<int64_t>(dims.size())},
                                   ctx.builder().getI64Type()),
             dims));
  return success();
}

LogicalResult importSqueeze(NodeContext &ctx) {
  auto shape = staticShape(ctx);
  auto axes = axesOf(ctx, 13);
  if (failed(shape) || failed(axes))
    return failure();
  int64_t rank = shape->size();
  SmallVector<bool> drop(rank, false);
  for (int64_t axis : *axes) {
    FailureOr<int64_t> d = normalizeAxis(ctx, axis, rank);
    if (failed(d))
      return failure();
    if ((*shape)[*d] != 1)
      return ctx.emitError() << "cannot squeeze dimension " << axis
                             << " of size " << (*shape)[*d];
    drop[*d] = true;
  }
  SmallVector<int64_t> result;
  for (int64_t d = 0; d < rank; ++d)
    if (!(axes->empty() ? (*shape)[d] == 1 : drop[d]))
      result.push_back((*shape)[d]);
  return setReshaped(ctx, result);
}

LogicalResult importUnsqueeze(NodeContext &ctx) {
  auto shape = staticShape(ctx);
  auto axes = axesOf(ctx, 13);
  if (failed(shape) || failed(axes))
    return failure();
  if (axes->empty())
    return ctx.emitError() << "expected 'axes'";
  int64_t rank = shape->size() + axes->size();
  SmallVector<bool> insert(rank, false);
  for (int64_t axis : *axes) {
    FailureOr<int64_t> d = normalizeAxis(ctx, axis, rank);
    if (failed(d))
      return failure();
    if (insert[*d])
      return ctx.emitError() << "axis " << axis << " is repeated";
    insert[*d] = true;
  }
  SmallVector<int64_t> result;
  for (int64_t d = 0, next = 0; d < rank; ++d)
    result.push_back(insert[d] ? 1 : (*shape)[next++]);
  return setReshaped(ctx, result);
}

LogicalResult importGather(NodeContext &ctx) {
  DenseElementsAttr data = ctx.constantInput(0);
  DenseElementsAttr indices = ctx.constantInput(1);
  auto axis = ctx.getInt("axis");
  if (failed(axis))
    return failure();
  if (!data || !indices || !indices.getElementType().isInteger(64))
    return ctx.emitError() << "only a Gather of constants (a shape "
                              "computation) is supported: the data and int64 "
                              "indices must be known at import";
  ArrayRef<int64_t> dataShape = cast<ShapedType>(data.getType()).getShape();
  ArrayRef<int64_t> indexShape = cast<ShapedType>(indices.getType()).getShape();
  FailureOr<int64_t> a =
      normalizeAxis(ctx, axis->value_or(0), std::max<int64_t>(dataShape.size(), 1));
  if (failed(a))
    return failure();
  if (dataShape.empty())
    return ctx.emitError() << "cannot gather from a scalar";
  int64_t extent = dataShape[*a];
  auto positions = llvm::to_vector(indices.getValues<int64_t>());
  for (int64_t &p : positions) {
    if (p < -extent || p >= extent)
      return ctx.emitError() << "index " << p << " is out of range for "
                             << "dimension " << *a << " of size " << extent;
    p = p < 0 ? p + extent : p;
  }
  // out[outer, idx..., inner] = data[outer, indices[idx...], inner]
  int64_t inner = ShapedType::getNumElements(dataShape.drop_front(*a + 1));
  int64_t count = positions.size();
  SmallVector<int64_t> shape(dataShape.take_front(*a));
  shape.append(indexShape.begin(), indexShape.end());
  shape.append(dataShape.begin() + *a + 1, dataShape.end());
  ctx.setConstantOutput(0, rearrange(data, shape, [&](int64_t i) {
    int64_t in = i % inner, rest = i / inner;
    int64_t idx = rest % count, outer = rest / count;
    return (outer * extent + positions[idx]) * inner + in;
  }));
  return success();
}

LogicalResult importSlice(NodeContext &ctx) {
  DenseElementsAttr data = ctx.constantInput(0);
  FailureOr<SmallVector<int64_t>> shapeOf = staticShape(ctx);
  if (failed(shapeOf))
    return failure();
  FailureOr<SmallVector<int64_t>> starts = failure(), ends = failure();
  SmallVector<int64_t> axes, steps;
  if (ctx.version() < 10) {
    auto s = ctx.getInts("starts"), e = ctx.getInts("ends"), x = ctx.getInts("axes");
    if (failed(s) || failed(e) || failed(x))
      return failure();
    if (!*s || !*e)
      return ctx.emitError() << "expected 'starts' and 'ends'";
    starts = **s;
    ends = **e;
    axes = x->value_or(SmallVector<int64_t>{});
  } else {
    starts = intsInput(ctx, 1, "starts");
    ends = intsInput(ctx, 2, "ends");
    if (failed(starts) || failed(ends))
      return failure();
    for (auto [index, out] : {std::pair{3u, &axes}, {4u, &steps}})
      if (ctx.hasInput(index)) {
        auto values = intsInput(ctx, index, index == 3 ? "axes" : "steps");
        if (failed(values))
          return failure();
        *out = *values;
      }
  }
  ArrayRef<int64_t> shape = *shapeOf;
  int64_t rank = shape.size();
  if (axes.empty())
    for (int64_t d = 0; d < static_cast<int64_t>(starts->size()); ++d)
      axes.push_back(d);
  if (steps.empty())
    steps.assign(starts->size(), 1);
  if (ends->size() != starts->size() || axes.size() != starts->size() ||
      steps.size() != starts->size())
    return ctx.emitError() << "starts, ends, axes and steps must have one "
                              "entry per sliced axis";
  SmallVector<int64_t> begin(rank, 0), step(rank, 1), size(shape);
  for (size_t k = 0; k < starts->size(); ++k) {
    FailureOr<int64_t> d = normalizeAxis(ctx, axes[k], rank);
    if (failed(d))
      return failure();
    int64_t n = shape[*d], st = steps[k];
    if (st == 0)
      return ctx.emitError() << "a step of 0";
    auto clampIndex = [&](int64_t v, int64_t lo, int64_t hi) {
      return std::clamp<int64_t>(v < 0 ? v + n : v, lo, hi);
    };
    int64_t b = st > 0 ? clampIndex((*starts)[k], 0, n) : clampIndex((*starts)[k], -1, n - 1);
    int64_t e = st > 0 ? clampIndex((*ends)[k], 0, n) : clampIndex((*ends)[k], -1, n - 1);
    begin[*d] = b;
    step[*d] = st;
    size[*d] = st > 0 ? std::max<int64_t>((e - b + st - 1) / st, 0)
                      : std::max<int64_t>((b - e - st - 1) / -st, 0);
  }
  if (llvm::any_of(size, [](int64_t n) { return n == 0; }))
    return ctx.emitError() << "the slice is empty ([" << size
                           << "]); the runtime does not support empty tensors";
  if (!data) {
    // An activation: a strided slice whose every index lies in the input.
    auto input = ctx.tensorInput(0, /*allowSpikes=*/true);
    if (failed(input))
      return failure();
    OpBuilder &b = ctx.builder();
    return ctx.setResult(createInferred<spike::SliceOp>(
        ctx, *input,
        {b.getNamedAttr("starts", b.getDenseI64ArrayAttr(begin)),
         b.getNamedAttr("sizes", b.getDenseI64ArrayAttr(size)),
         b.getNamedAttr("steps", b.getDenseI64ArrayAttr(step))}));
  }
  SmallVector<int64_t> inStrides = stridesOf(shape), outStrides = stridesOf(size);
  ctx.setConstantOutput(0, rearrange(data, size, [&](int64_t i) {
    int64_t source = 0;
    for (int64_t d = 0; d < rank; ++d)
      source += (begin[d] + (i / outStrides[d]) % size[d] * step[d]) * inStrides[d];
    return source;
  }));
  return success();
}

LogicalResult importTranspose(NodeContext &ctx) {
  auto shape = staticShape(ctx);
  auto perm = ctx.getInts("perm");
  if (failed(shape) || failed(perm))
    return failure();
  int64_t rank = shape->size();
  SmallVector<int64_t> permutation;
  if (*perm)
    permutation = **perm;
  else
    for (int64_t d = rank - 1; d >= 0; --d)
      permutation.push_back(d);
  if (DenseElementsAttr constant = ctx.constantInput(0)) {
    if (static_cast<int64_t>(permutation.size()) != rank ||
        !llvm::all_of(permutation, [&](int64_t p) { return p >= 0 && p < rank; }))
      return ctx.emitError() << "perm must be a permutation of [0, " << rank << ")";
    SmallVector<int64_t> result, inStrides = stridesOf(*shape);
    for (int64_t p : permutation)
      result.push_back((*shape)[p]);
    SmallVector<int64_t> outStrides = stridesOf(result);
    ctx.setConstantOutput(0, rearrange(constant, result, [&](int64_t i) {
      int64_t source = 0;
      for (int64_t d = 0; d < rank; ++d)
        source += (i / outStrides[d]) % result[d] * inStrides[permutation[d]];
      return source;
    }));
    return success();
  }
  auto input = ctx.tensorInput(0, /*allowSpikes=*/true);
  if (failed(input))
    return failure();
  OpBuilder &b = ctx.builder();
  return ctx.setResult(createInferred<spike::TransposeOp>(
      ctx, *input,
      b.getNamedAttr("permutation", b.getDenseI64ArrayAttr(permutation))));
}

LogicalResult importCast(NodeContext &ctx) {
  auto to = ctx.getInt("to");
  ctx.ignoreAttribute("saturate");
  if (failed(to))
    return failure();
  Type target = *to ? convertElementType(ctx.context(), static_cast<int32_t>(**to))
                    : Type();
  if (!target)
    return ctx.emitError() << "expected 'to' to name a supported type";
  DenseElementsAttr constant = ctx.constantInput(0);
  Type from = constant ? constant.getElementType()
                       : getElementTypeOrSelf(ctx.input(0).getType());
  if (from == target) {
    forwardInput(ctx);
    return success();
  }
  if (!constant)
    return ctx.emitError() << "only a Cast of a constant (or to the input's "
                              "own type) is supported";
  auto type = RankedTensorType::get(cast<ShapedType>(constant.getType()).getShape(), target);
  if (isa<IntegerType>(from) && target.isF32()) {
    SmallVector<float> values;
    for (int64_t v : constant.getValues<int64_t>())
      values.push_back(static_cast<float>(v));
    ctx.setConstantOutput(0, DenseElementsAttr::get(type, ArrayRef<float>(values)));
    return success();
  }
  if (from.isF32() && target.isInteger(64)) {
    SmallVector<int64_t> values;
    for (float v : constant.getValues<float>())
      values.push_back(static_cast<int64_t>(v));
    ctx.setConstantOutput(0, DenseElementsAttr::get(type, ArrayRef<int64_t>(values)));
    return success();
  }
  return ctx.emitError() << "a Cast of a constant from " << from << " to "
                         << target << " is not supported";
}

/// ReduceMean (`mean`) and ReduceSum. A mean over the spatial dimensions of
/// [N, C, H, W]: a global average pool (keepdims) or one followed by a
/// reshape to [N, C]. Otherwise: the reduced axes moved last (a transpose),
/// the tensor seen as [rows, K], a linear layer with weights 1 (the sum, in
/// ascending order) or 1/K (a sum of x/K, within rounding of the mean), and
/// the result reshaped to the reduced shape.
LogicalResult importReduction(NodeContext &ctx, bool mean) {
  auto input = ctx.tensorInput(0, /*allowSpikes=*/true);
  // The axes became an input in opset 18 for ReduceMean, 13 for ReduceSum.
  auto axes = axesOf(ctx, mean ? 18 : 13);
  auto keepdims = ctx.getInt("keepdims");
  auto noop = ctx.getInt("noop_with_empty_axes");
  if (failed(input) || failed(axes) || failed(keepdims) || failed(noop))
    return failure();
  RankedTensorType type = tensorType(*input);
  if (!type.hasStaticShape())
    return ctx.emitError() << "expected a static input, found " << type;
  int64_t rank = type.getRank();
  if (axes->empty()) {
    if (noop->value_or(0)) {
      forwardInput(ctx);
      return success();
    }
    for (int64_t d = 0; d < rank; ++d)
      axes->push_back(d);
  }
  SmallVector<bool> reduced(rank, false);
  for (int64_t axis : *axes) {
    FailureOr<int64_t> d = normalizeAxis(ctx, axis, rank);
    if (failed(d))
      return failure();
    reduced[*d] = true;
  }
  bool keep = keepdims->value_or(1) != 0;
  ArrayRef<int64_t> shape = type.getShape();
  SmallVector<int64_t> resultShape;
  for (int64_t d = 0; d < rank; ++d)
    if (!reduced[d] || keep)
      resultShape.push_back(reduced[d] ? 1 : shape[d]);
  OpBuilder &b = ctx.builder();
  if (mean && rank == 4 && !reduced[0] && !reduced[1] && reduced[2] &&
      reduced[3]) {
    auto pooled = createInferred<spike::GlobalAvgPoolOp>(ctx, *input);
    if (failed(pooled))
      return failure();
    ctx.setOutput(0, reshapedTo(ctx, *pooled, resultShape));
    return success();
  }
  SmallVector<int64_t> perm;
  int64_t rows = 1, k = 1;
  for (int64_t d = 0; d < rank; ++d)
    if (!reduced[d]) {
      perm.push_back(d);
      rows *= shape[d];
    }
  for (int64_t d = 0; d < rank; ++d)
    if (reduced[d]) {
      perm.push_back(d);
      k *= shape[d];
    }
  Value value = *input;
  if (!llvm::equal(perm, llvm::seq<int64_t>(0, rank))) {
    FailureOr<Value> moved = createInferred<spike::TransposeOp>(
        ctx, value,
        b.getNamedAttr("permutation", b.getDenseI64ArrayAttr(perm)));
    if (failed(moved))
      return failure();
    value = *moved;
  }
  value = reshapedTo(ctx, value, {rows, k});
  Value weight = reductionWeights(ctx, value, k, mean ? 1.0 / k : 1.0);
  FailureOr<Value> reduction =
      createInferred<spike::LinearOp>(ctx, ValueRange{value, weight});
  if (failed(reduction))
    return failure();
  ctx.setOutput(0, reshapedTo(ctx, *reduction, resultShape));
  return success();
}

LogicalResult importReduceMean(NodeContext &ctx) {
  return importReduction(ctx, /*mean=*/true);
}

LogicalResult importReduceSum(NodeContext &ctx) {
  return importReduction(ctx, /*mean=*/false);
}

//===----------------------------------------------------------------------===//
// Neurons (domain 'sparseflow')
//===----------------------------------------------------------------------===//

/// The neuron kinds of the sparseflow domain.
enum class NeuronKind { LIF, IF, CubaLIF };

/// Maps the attributes of sparseflow.LIF / IF / CubaLIF onto the canonical
/// form (docs/semantics.md, docs/onnx-spike-ops.md): an IF has leak = 0, a
/// CubaLIF the synaptic current `syn_leak`, `syn_gain` and only the
/// canonical membrane parameters. Inputs 1 and 2, when given, are the
/// recurrent weight [K, K] and bias [K] (docs/onnx-spike-ops.md).
LogicalResult importNeuron(NodeContext &ctx, NeuronKind kind) {
  const bool isIF = kind == NeuronKind::IF;
  const bool current = kind == NeuronKind::CubaLIF;
  auto input = ctx.tensorInput(0, /*allowSpikes=*/true);
  SmallVector<Value> operands;
  if (succeeded(input))
    operands.push_back(*input);
  for (unsigned i = 1; i <= 2 && succeeded(input); ++i) {
    if (!ctx.hasInput(i)) {
      if (i == 1 && ctx.hasInput(2))
        return ctx.emitError() << "a recurrent bias (input 2) needs a "
                                  "recurrent weight (input 1)";
      continue;
    }
    auto operand = ctx.tensorInput(i, /*allowSpikes=*/false);
    if (failed(operand))
      return failure();
    operands.push_back(*operand);
  }
  auto synLeak = ctx.getFloatList("syn_leak");
  auto synGain = ctx.getFloatList("syn_gain");
  if (failed(synLeak) || failed(synGain))
    return failure();
  if (current && !*synLeak)
    return ctx.emitError() << "a CubaLIF needs 'syn_leak'";
  if (!current && (*synLeak || *synGain))
    return ctx.emitError() << "'syn_leak' and 'syn_gain' belong to CubaLIF "
                              "(a current-based neuron)";
  auto tau = ctx.getFloatList("tau");
  auto decayInput = ctx.getInt("decay_input");
  auto leak = ctx.getFloatList("leak");
  auto gain = ctx.getFloatList("gain");
  auto vLeak = ctx.getFloatList("v_leak");
  auto vThreshold = ctx.getFloatList("v_threshold");
  auto vReset = ctx.getFloatList("v_reset");
  auto vInit = ctx.getFloatList("v_init");
  auto reset = ctx.getString("reset");
  auto fire = ctx.getString("fire");
  auto resetDelay = ctx.getInt("reset_delay");
  if (failed(input) || failed(tau) || failed(decayInput) || failed(leak) ||
      failed(gain) || failed(vLeak) || failed(vThreshold) || failed(vReset) ||
      failed(vInit) || failed(reset) || failed(fire) || failed(resetDelay))
    return failure();

  // Reset mode: explicit, or implied by the presence of v_reset.
  spike::ResetMode resetMode =
      *vReset ? spike::ResetMode::hard : spike::ResetMode::soft;
  if (*reset) {
    std::optional<spike::ResetMode> parsed = spike::symbolizeResetMode(**reset);
    if (!parsed)
      return ctx.emitError()
             << "reset must be 'hard', 'soft' or 'none', found '" << **reset
             << "'";
    resetMode = *parsed;
  }
  bool hard = resetMode == spike::ResetMode::hard;
  if (hard && !*vReset)
    return ctx.emitError() << "reset = hard needs 'v_reset'";
  if (!hard && *vReset)
    return ctx.emitError() << "'v_reset' is only meaningful with reset = hard";

  SmallVector<float> leakValues, gainValues;
  SmallVector<float> vLeakValues{0.0f}, vInitValues{0.0f};
  if (current && (*tau || *decayInput))
    return ctx.emitError() << "a CubaLIF takes the canonical 'leak' and "
                              "'gain', not 'tau' or 'decay_input'";
  if (isIF) {
    if (*tau || *decayInput ||
        (*leak && llvm::any_of(**leak, [](float v) { return v != 0.0f; })))
      return ctx.emitError() << "an IF neuron has no leak: 'tau', "
                             << "'decay_input' and a non-zero 'leak' are not "
                             << "allowed";
    leakValues = {0.0f};
    gainValues = gain->value_or(SmallVector<float>{1.0f});
  } else if (*tau) {
    // SpikingJelly's LIFNode parameterization.
    if (*leak || *gain)
      return ctx.emitError() << "give either 'tau' (with 'decay_input') or "
                             << "'leak' and 'gain', not both";
    for (float t : **tau) {
      if (!(t > 0.0f) || !std::isfinite(t))
        return ctx.emitError()
               << "tau must be positive and finite, found " << formatFloat(t);
      if (t < 1.0f)
        return ctx.emitError()
               << "tau = " << formatFloat(t) << " gives leak = 1/tau > 1, "
               << "which has no exact discrete form";
      leakValues.push_back(1.0f / t);
    }
    gainValues =
        decayInput->value_or(1) ? leakValues : SmallVector<float>{1.0f};
    if (hard) {
      vLeakValues = **vReset;
      vInitValues = **vReset;
    }
  } else if (*leak) {
    if (*decayInput)
      return ctx.emitError() << "'decay_input' applies to 'tau' only; with "
                             << "'leak' give 'gain'";
    leakValues = **leak;
    gainValues = gain->value_or(SmallVector<float>{1.0f});
  } else {
    return ctx.emitError() << "missing 'tau' or 'leak'";
  }
  if (*vLeak)
    vLeakValues = **vLeak;
  if (*vInit)
    vInitValues = **vInit;

  std::optional<spike::FireMode> fireMode =
      spike::symbolizeFireMode(fire->value_or("ge"));
  if (!fireMode)
    return ctx.emitError() << "fire must be 'ge' or 'gt', found '" << **fire
                           << "'";

  OpBuilder &b = ctx.builder();
  SmallVector<NamedAttribute> attrs{
      b.getNamedAttr("leak", b.getDenseF32ArrayAttr(leakValues)),
      b.getNamedAttr("gain", b.getDenseF32ArrayAttr(gainValues)),
      b.getNamedAttr("v_leak", b.getDenseF32ArrayAttr(vLeakValues)),
      b.getNamedAttr("v_threshold", b.getDenseF32ArrayAttr(vThreshold->value_or(
                                        SmallVector<float>{1.0f}))),
      b.getNamedAttr("v_init", b.getDenseF32ArrayAttr(vInitValues)),
      b.getNamedAttr("reset",
                     spike::ResetModeAttr::get(ctx.context(), resetMode)),
      b.getNamedAttr("fire",
                     spike::FireModeAttr::get(ctx.context(), *fireMode)),
      b.getNamedAttr("reset_delay",
                     b.getBoolAttr(resetDelay->value_or(0) != 0))};
  if (hard)
    attrs.push_back(
        b.getNamedAttr("v_reset", b.getDenseF32ArrayAttr(**vReset)));
  if (!current)
    return ctx.setResult(createInferred<spike::LIFOp>(ctx, operands, attrs));
  attrs.push_back(
      b.getNamedAttr("syn_leak", b.getDenseF32ArrayAttr(**synLeak)));
  attrs.push_back(b.getNamedAttr(
      "syn_gain",
      b.getDenseF32ArrayAttr(synGain->value_or(SmallVector<float>{1.0f}))));
  return ctx.setResult(createInferred<spike::CubaLIFOp>(ctx, operands, attrs));
}

LogicalResult importLIF(NodeContext &ctx) {
  return importNeuron(ctx, NeuronKind::LIF);
}
LogicalResult importIF(NodeContext &ctx) {
  return importNeuron(ctx, NeuronKind::IF);
}
LogicalResult importCubaLIF(NodeContext &ctx) {
  return importNeuron(ctx, NeuronKind::CubaLIF);
}

//===----------------------------------------------------------------------===//
// Table
//===----------------------------------------------------------------------===//

constexpr unsigned kVariadic = std::numeric_limits<unsigned>::max();

// Operator versions (since_version) with the semantics each handler
// implements; docs/onnx-support.md lists them.
constexpr int64_t kAddMulVersions[] = {7, 13, 14};
constexpr int64_t kAveragePoolVersions[] = {7, 10, 11};
constexpr int64_t kBatchNormVersions[] = {7, 9, 14, 15};
constexpr int64_t kConcatVersions[] = {4, 11, 13};
constexpr int64_t kConstantVersions[] = {9, 11, 12, 13};
constexpr int64_t kConvVersions[] = {1, 11};
constexpr int64_t kDropoutVersions[] = {7, 10, 12, 13};
constexpr int64_t kFlattenVersions[] = {1, 9, 11, 13};
constexpr int64_t kGemmVersions[] = {7, 9, 11, 13};
constexpr int64_t kGlobalAveragePoolVersions[] = {1};
constexpr int64_t kIdentityVersions[] = {1, 13, 14, 16};
constexpr int64_t kMatMulVersions[] = {1, 9, 13};
constexpr int64_t kMaxPoolVersions[] = {8, 10, 11, 12};
constexpr int64_t kPadVersions[] = {2, 11, 13, 18, 19, 21};
constexpr int64_t kReluVersions[] = {6, 13, 14};
constexpr int64_t kReshapeVersions[] = {5, 13, 14};
constexpr int64_t kSigmoidVersions[] = {6, 13};
constexpr int64_t kSumVersions[] = {8, 13};
constexpr int64_t kNeuronVersions[] = {1};

constexpr int64_t kCastVersions[] = {6, 9, 13, 19, 21};
constexpr int64_t kClipVersions[] = {6, 11, 12, 13};
constexpr int64_t kConstantOfShapeVersions[] = {9, 20, 21};
constexpr int64_t kConvTransposeVersions[] = {1, 11};
constexpr int64_t kLayerNormVersions[] = {17};
constexpr int64_t kLeakyReluVersions[] = {6, 16};
constexpr int64_t kSoftmaxVersions[] = {1, 11, 13};
constexpr int64_t kTanhVersions[] = {6, 13};
constexpr int64_t kSqrtVersions[] = {6, 13};
constexpr int64_t kGatherVersions[] = {1, 11, 13};
constexpr int64_t kReduceMeanVersions[] = {1, 11, 13, 18};
constexpr int64_t kReduceSumVersions[] = {1, 11, 13};
constexpr int64_t kShapeVersions[] = {1, 13, 15, 19, 21};
constexpr int64_t kSliceVersions[] = {1, 10, 11, 13};
constexpr int64_t kSqueezeVersions[] = {1, 11, 13, 21};
constexpr int64_t kTransposeVersions[] = {1, 13, 21};

const OpEntry kOpTable[] = {
    {"", "Add", kAddMulVersions, 2, 2, 1, importBinary<spike::AddOp>},
    {"", "AveragePool", kAveragePoolVersions, 1, 1, 1, importAveragePool},
    {"", "BatchNormalization", kBatchNormVersions, 5, 5, 3, importBatchNorm},
    {"", "Cast", kCastVersions, 1, 1, 1, importCast},
    {"", "Clip", kClipVersions, 1, 3, 1, importClip},
    {"", "Concat", kConcatVersions, 1, kVariadic, 1, importConcat},
    {"", "Constant", kConstantVersions, 0, 0, 1, importConstant},
    {"", "ConstantOfShape", kConstantOfShapeVersions, 1, 1, 1,
     importConstantOfShape},
    {"", "Conv", kConvVersions, 2, 3, 1, importConv},
    {"", "ConvTranspose", kConvTransposeVersions, 2, 3, 1, importConvTranspose},
    {"", "Div", kAddMulVersions, 2, 2, 1, importBinary<spike::DivOp>},
    {"", "Dropout", kDropoutVersions, 1, 3, 2, importDropout},
    {"", "Flatten", kFlattenVersions, 1, 1, 1, importFlatten},
    {"", "Gather", kGatherVersions, 2, 2, 1, importGather},
    {"", "Gemm", kGemmVersions, 2, 3, 1, importGemm},
    {"", "GlobalAveragePool", kGlobalAveragePoolVersions, 1, 1, 1,
     importGlobalAveragePool},
    {"", "Identity", kIdentityVersions, 1, 1, 1, importIdentity},
    {"", "LayerNormalization", kLayerNormVersions, 2, 3, 3, importLayerNorm},
    {"", "LeakyRelu", kLeakyReluVersions, 1, 1, 1, importLeakyRelu},
    {"", "LogSoftmax", kSoftmaxVersions, 1, 1, 1, importLogSoftmax},
    {"", "MatMul", kMatMulVersions, 2, 2, 1, importMatMul},
    {"", "MaxPool", kMaxPoolVersions, 1, 1, 2, importMaxPool},
    {"", "Mul", kAddMulVersions, 2, 2, 1, importBinary<spike::MulOp>},
    {"", "Pad", kPadVersions, 1, 4, 1, importPad},
    {"", "ReduceMean", kReduceMeanVersions, 1, 2, 1, importReduceMean},
    {"", "ReduceSum", kReduceSumVersions, 1, 2, 1, importReduceSum},
    {"", "Relu", kReluVersions, 1, 1, 1, importRelu},
    {"", "Reshape", kReshapeVersions, 2, 2, 1, importReshape},
    {"", "Shape", kShapeVersions, 1, 1, 1, importShape},
    {"", "Sigmoid", kSigmoidVersions, 1, 1, 1, importSigmoid},
    {"", "Slice", kSliceVersions, 1, 5, 1, importSlice},
    {"", "Softmax", kSoftmaxVersions, 1, 1, 1, importSoftmax},
    {"", "Sqrt", kSqrtVersions, 1, 1, 1, importSqrt},
    {"", "Squeeze", kSqueezeVersions, 1, 2, 1, importSqueeze},
    {"", "Sub", kAddMulVersions, 2, 2, 1, importBinary<spike::SubOp>},
    {"", "Sum", kSumVersions, 1, kVariadic, 1, importSum},
    {"", "Tanh", kTanhVersions, 1, 1, 1, importTanh},
    {"", "Transpose", kTransposeVersions, 1, 1, 1, importTranspose},
    {"", "Unsqueeze", kSqueezeVersions, 1, 2, 1, importUnsqueeze},
    {kSparseFlowDomain, "CubaLIF", kNeuronVersions, 1, 3, 1, importCubaLIF},
    {kSparseFlowDomain, "IF", kNeuronVersions, 1, 3, 1, importIF},
    {kSparseFlowDomain, "LIF", kNeuronVersions, 1, 3, 1, importLIF},
};

} // namespace

ArrayRef<OpEntry> onnx_import::getOpTable() { return kOpTable; }

std::vector<std::string> sparseflow::getSupportedONNXOps() {
  std::vector<std::string> ops;
  for (const OpEntry &entry : kOpTable) {
    std::string name = entry.domain.empty()
                           ? entry.opType.str()
                           : (entry.domain + "." + entry.opType).str();
    name +=
        " (" +
        llvm::join(llvm::map_range(entry.versions,
                                   [](int64_t v) { return std::to_string(v); }),
                   ", ") +
        ")";
    ops.push_back(std::move(name));
  }
  return ops;
}
