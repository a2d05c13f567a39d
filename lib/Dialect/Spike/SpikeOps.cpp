//===- SpikeOps.cpp - spike dialect operations ----------------------------===//
//
// Part of SparseFlow.
//
// Result types are inferred from operands and attributes by each op's static
// `inferResultType`, which also carries every structural check (ranks, channel
// counts, window geometry). A client that builds ops from untrusted input (the
// ONNX importer) calls it with a location and gets one precise diagnostic
// instead of an invalid op; the verifiers call it too and compare with the
// written type. Checks that do not bear on the result type follow in `verify`.
//
//===----------------------------------------------------------------------===//

#include "sparseflow/Dialect/Spike/SpikeOps.h"
#include "sparseflow/format/window.h"

#include "sparseflow/Support/InputLimits.h"

#include "mlir/Dialect/Traits.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/CheckedArithmetic.h"
#include "llvm/Support/MathExtras.h"

#include <cmath>
#include <cstring>
#include <limits>

using namespace mlir;
using namespace sparseflow::spike;
namespace format = sparseflow::format;

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

namespace {

/// Emits "'<op>' op <message>" at `loc`, when a location is given, and
/// returns failure.
template <typename OpTy, typename... Args>
LogicalResult opError(std::optional<Location> loc, Args &&...args) {
  return emitOptionalError(loc, "'", OpTy::getOperationName(), "' op ",
                           std::forward<Args>(args)...);
}

/// Prints a dimension, with '?' for a dynamic one.
std::string dimToString(int64_t dim) {
  return ShapedType::isDynamic(dim) ? "?" : std::to_string(dim);
}

/// Whether two dimensions can describe the same extent.
bool dimsCompatible(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

/// The element type of an analog result computed from operands of the given
/// element types: the operands' floating-point type, or f32 when every operand
/// is a spike tensor. Fails when two floating-point types disagree.
template <typename OpTy>
FailureOr<Type> analogElementType(std::optional<Location> loc,
                                  ArrayRef<Type> elementTypes) {
  Type result;
  for (Type type : elementTypes) {
    if (!isa<FloatType>(type))
      continue;
    if (result && result != type)
      return opError<OpTy>(loc,
                           "operands have different floating-point "
                           "element types ",
                           result, " and ", type);
    result = type;
  }
  return result ? result : Float32Type::get(elementTypes.front().getContext());
}

template <typename OpTy>
LogicalResult expectRank(std::optional<Location> loc, StringRef what,
                         RankedTensorType type, int64_t rank,
                         StringRef layout) {
  if (type.getRank() == rank)
    return success();
  return opError<OpTy>(loc, "expected ", what, " of rank ", rank, " (", layout,
                       "), found rank ", type.getRank());
}

/// Geometry of a 2-D sliding window over an NCHW tensor.
struct Window2d {
  ArrayRef<int64_t> kernel;    // [KH, KW]
  ArrayRef<int64_t> strides;   // [SH, SW]
  ArrayRef<int64_t> pads;      // [top, left, bottom, right]
  ArrayRef<int64_t> dilations; // [DH, DW]
  bool ceilMode = false;
  /// Pooling windows may not lie entirely in padding.
  bool padsBelowKernel = false;
};

/// Computes the [OH, OW] extents of a sliding window over `input` ([N, C, H,
/// W]) and appends them to `shape`. Attribute arity and ranges are checked
/// here too, so the function is safe on ops that were never verified.
template <typename OpTy>
LogicalResult inferWindowExtents(std::optional<Location> loc,
                                 RankedTensorType input, const Window2d &window,
                                 SmallVectorImpl<int64_t> &shape) {
  if (window.kernel.size() != 2 || window.strides.size() != 2 ||
      window.dilations.size() != 2 || window.pads.size() != 4)
    return opError<OpTy>(loc, "expected 2 kernel extents, strides and "
                              "dilations and 4 pads");
  if (llvm::any_of(window.strides, [](int64_t s) { return s < 1; }) ||
      llvm::any_of(window.dilations, [](int64_t d) { return d < 1; }) ||
      llvm::any_of(window.kernel, [](int64_t k) { return k < 1; }) ||
      llvm::any_of(window.pads, [](int64_t p) { return p < 0; }))
    return opError<OpTy>(loc, "expected positive kernel extents, strides and "
                              "dilations and non-negative pads");

  static constexpr const char *axisNames[] = {"height", "width"};
  static constexpr const char *padNames[] = {"top", "left", "bottom", "right"};
  for (unsigned axis = 0; axis < 2; ++axis) {
    format::WindowAxis geometry{input.getDimSize(2 + axis),
                                window.kernel[axis],
                                window.strides[axis],
                                window.pads[axis],
                                window.pads[axis + 2],
                                window.dilations[axis],
                                window.ceilMode};
    int64_t span = 0;
    if (!format::windowSpan(geometry.kernel, geometry.dilation, span))
      return opError<OpTy>(loc, "the ", axisNames[axis],
                           " kernel extent (dilation ", geometry.dilation,
                           " x (kernel ", geometry.kernel,
                           " - 1) + 1) overflows int64");
    if (window.padsBelowKernel) {
      for (unsigned side : {axis, axis + 2})
        if (!format::poolPadFits(window.pads[side], geometry.kernel,
                                 geometry.dilation))
          return opError<OpTy>(loc, "pad ", window.pads[side], " on the ",
                               padNames[side],
                               " is not smaller than the kernel extent ", span);
    }
    if (ShapedType::isDynamic(geometry.input)) {
      shape.push_back(ShapedType::kDynamic);
      continue;
    }
    int64_t out = 0;
    switch (format::windowOutputSize(geometry, out)) {
    case format::WindowFault::None:
      shape.push_back(out);
      continue;
    case format::WindowFault::SpanOverflows: // checked above
    case format::WindowFault::PaddedOverflows:
      return opError<OpTy>(loc, "the padded ", axisNames[axis], " (",
                           geometry.input, " + pads ", geometry.padBegin,
                           " and ", geometry.padEnd, ") overflows int64");
    case format::WindowFault::SpanExceedsInput:
      return opError<OpTy>(
          loc, "kernel extent ", span, " exceeds the padded ", axisNames[axis],
          " ", geometry.input + geometry.padBegin + geometry.padEnd);
    }
  }
  return success();
}

/// Whether `attr` is a floating-point splat constant satisfying `pred`.
bool isFloatSplat(Attribute attr, function_ref<bool(const APFloat &)> pred) {
  auto dense = dyn_cast_if_present<DenseFPElementsAttr>(attr);
  return dense && dense.isSplat() && pred(dense.getSplatValue<APFloat>());
}

} // namespace

/// Verifies that an op's written result type is the one its operands and
/// attributes imply; `inferResultType` reports any structural problem.
template <typename OpTy> static LogicalResult verifyResultType(OpTy op) {
  FailureOr<RankedTensorType> expected =
      OpTy::inferResultType(op.getLoc(), typename OpTy::Adaptor(op));
  if (failed(expected))
    return failure();
  if (*expected != op.getType())
    return op.emitOpError("expected result type ")
           << *expected << " (implied by the operands and attributes), found "
           << op.getType();
  return success();
}

//===----------------------------------------------------------------------===//
// Conv2dOp
//===----------------------------------------------------------------------===//

FailureOr<RankedTensorType>
Conv2dOp::inferResultType(std::optional<Location> loc, Adaptor adaptor) {
  auto input = cast<RankedTensorType>(adaptor.getInput().getType());
  auto weight = cast<RankedTensorType>(adaptor.getWeight().getType());
  if (failed(expectRank<Conv2dOp>(loc, "input", input, 4, "N, C, H, W")) ||
      failed(expectRank<Conv2dOp>(loc, "weight", weight, 4,
                                  "O, C/groups, "
                                  "KH, KW")))
    return failure();

  Type elementType = weight.getElementType();
  if (!isSpikeTensor(input) && input.getElementType() != elementType)
    return opError<Conv2dOp>(loc, "expected input element type to be i1 or ",
                             elementType, " (the weight's), found ",
                             input.getElementType());

  int64_t groups = adaptor.getGroups();
  int64_t channels = input.getDimSize(1);
  int64_t outChannels = weight.getDimSize(0);
  if (groups < 1)
    return opError<Conv2dOp>(loc, "expected groups >= 1, found ", groups);
  // An overflowing product cannot equal the channel count.
  if (!ShapedType::isDynamic(channels) &&
      !ShapedType::isDynamic(weight.getDimSize(1)) &&
      llvm::checkedMul(weight.getDimSize(1), groups) != channels)
    return opError<Conv2dOp>(loc, "expected input channels (", channels,
                             ") to equal weight dim 1 (", weight.getDimSize(1),
                             ") times groups (", groups, ")");
  if (!ShapedType::isDynamic(outChannels) && outChannels % groups != 0)
    return opError<Conv2dOp>(loc, "expected output channels (", outChannels,
                             ") to be divisible by groups (", groups, ")");

  if (Value bias = adaptor.getBias()) {
    auto biasType = cast<RankedTensorType>(bias.getType());
    if (biasType.getRank() != 1 ||
        !dimsCompatible(biasType.getDimSize(0), outChannels) ||
        biasType.getElementType() != elementType)
      return opError<Conv2dOp>(
          loc, "expected bias of type ",
          RankedTensorType::get({outChannels}, elementType), ", found ",
          biasType);
  }

  Window2d window{weight.getShape().drop_front(2), adaptor.getStrides(),
                  adaptor.getPads(), adaptor.getDilations()};
  SmallVector<int64_t, 4> shape{input.getDimSize(0), outChannels};
  for (int64_t k : window.kernel)
    if (ShapedType::isDynamic(k))
      return opError<Conv2dOp>(loc, "expected a static kernel size, found ",
                               weight);
  if (failed(inferWindowExtents<Conv2dOp>(loc, input, window, shape)))
    return failure();
  return RankedTensorType::get(shape, elementType);
}

LogicalResult Conv2dOp::verify() { return verifyResultType(*this); }

//===----------------------------------------------------------------------===//
// LinearOp
//===----------------------------------------------------------------------===//

FailureOr<RankedTensorType>
LinearOp::inferResultType(std::optional<Location> loc, Adaptor adaptor) {
  auto input = cast<RankedTensorType>(adaptor.getInput().getType());
  auto weight = cast<RankedTensorType>(adaptor.getWeight().getType());
  if (failed(expectRank<LinearOp>(loc, "input", input, 2, "N, K")) ||
      failed(expectRank<LinearOp>(loc, "weight", weight, 2, "M, K")))
    return failure();

  Type elementType = weight.getElementType();
  if (!isSpikeTensor(input) && input.getElementType() != elementType)
    return opError<LinearOp>(loc, "expected input element type to be i1 or ",
                             elementType, " (the weight's), found ",
                             input.getElementType());
  if (!dimsCompatible(input.getDimSize(1), weight.getDimSize(1)))
    return opError<LinearOp>(loc, "expected input features (",
                             input.getDimSize(1), ") to equal weight dim 1 (",
                             weight.getDimSize(1), ")");
  int64_t outFeatures = weight.getDimSize(0);
  if (Value bias = adaptor.getBias()) {
    auto biasType = cast<RankedTensorType>(bias.getType());
    if (biasType.getRank() != 1 ||
        !dimsCompatible(biasType.getDimSize(0), outFeatures) ||
        biasType.getElementType() != elementType)
      return opError<LinearOp>(
          loc, "expected bias of type ",
          RankedTensorType::get({outFeatures}, elementType), ", found ",
          biasType);
  }
  return RankedTensorType::get({input.getDimSize(0), outFeatures}, elementType);
}

LogicalResult LinearOp::verify() { return verifyResultType(*this); }

//===----------------------------------------------------------------------===//
// BatchNormOp
//===----------------------------------------------------------------------===//

FailureOr<RankedTensorType>
BatchNormOp::inferResultType(std::optional<Location> loc, Adaptor adaptor) {
  auto input = cast<RankedTensorType>(adaptor.getInput().getType());
  if (input.getRank() < 2)
    return opError<BatchNormOp>(loc,
                                "expected input of rank >= 2 (N, C, "
                                "...), found rank ",
                                input.getRank());
  int64_t channels = input.getDimSize(1);
  // Of spikes, an affine map of 0 and 1 into f32.
  FailureOr<Type> element =
      analogElementType<BatchNormOp>(loc, input.getElementType());
  if (failed(element))
    return failure();
  std::pair<StringRef, Value> params[] = {{"scale", adaptor.getScale()},
                                          {"bias", adaptor.getBias()},
                                          {"mean", adaptor.getMean()},
                                          {"variance", adaptor.getVariance()}};
  for (auto [name, value] : params) {
    auto type = cast<RankedTensorType>(value.getType());
    if (type.getRank() != 1 || !dimsCompatible(type.getDimSize(0), channels) ||
        type.getElementType() != *element)
      return opError<BatchNormOp>(loc, "expected ", name, " of type ",
                                  RankedTensorType::get({channels}, *element),
                                  ", found ", type);
  }
  return input.clone(*element);
}

LogicalResult BatchNormOp::verify() {
  if (failed(verifyResultType(*this)))
    return failure();
  float epsilon = getEpsilon().convertToFloat();
  if (!(epsilon >= 0.0f) || !std::isfinite(epsilon))
    return emitOpError("expected a finite epsilon >= 0, found ") << epsilon;
  return success();
}

//===----------------------------------------------------------------------===//
// AddOp / MulOp
//===----------------------------------------------------------------------===//

template <typename OpTy>
static FailureOr<RankedTensorType>
inferBroadcastType(std::optional<Location> loc, Value lhs, Value rhs) {
  auto lhsType = cast<RankedTensorType>(lhs.getType());
  auto rhsType = cast<RankedTensorType>(rhs.getType());
  SmallVector<int64_t> shape;
  if (!OpTrait::util::getBroadcastedShape(lhsType.getShape(),
                                          rhsType.getShape(), shape))
    return opError<OpTy>(loc, "operand shapes ", lhsType, " and ", rhsType,
                         " are not broadcast-compatible");
  FailureOr<Type> elementType = analogElementType<OpTy>(
      loc, {lhsType.getElementType(), rhsType.getElementType()});
  if (failed(elementType))
    return failure();
  return RankedTensorType::get(shape, *elementType);
}

FailureOr<RankedTensorType> AddOp::inferResultType(std::optional<Location> loc,
                                                   Adaptor adaptor) {
  return inferBroadcastType<AddOp>(loc, adaptor.getLhs(), adaptor.getRhs());
}

LogicalResult AddOp::verify() { return verifyResultType(*this); }

OpFoldResult AddOp::fold(FoldAdaptor adaptor) {
  // x + 0 -> x. Commutative folding has moved any constant to the right. The
  // sign of a zero sum is not preserved, which no consumer observes.
  if (getLhs().getType() == getType() &&
      isFloatSplat(adaptor.getRhs(),
                   [](const APFloat &v) { return v.isZero(); }))
    return getLhs();
  return {};
}

namespace {

/// add(conv2d(x, w), c) -> conv2d(x, w, c') and likewise for linear, when the
/// layer has no bias and no other user and `c` is a constant that is uniform
/// or varies only along the channel dimension (1) of the layer's result. Exact:
/// a bias is added once to the finished sum, as the add did.
struct AbsorbBiasIntoLayer : OpRewritePattern<AddOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(AddOp add,
                                PatternRewriter &rewriter) const override {
    Operation *layer = add.getLhs().getDefiningOp();
    if (!isa_and_nonnull<Conv2dOp, LinearOp>(layer) || !layer->hasOneUse() ||
        layer->getNumOperands() != 2 || add.getLhs().getType() != add.getType())
      return rewriter.notifyMatchFailure(add, "lhs is not a bias-less layer");
    DenseElementsAttr constant;
    if (!matchPattern(add.getRhs(), m_Constant(&constant)))
      return rewriter.notifyMatchFailure(add, "rhs is not a constant");

    RankedTensorType result = add.getType();
    int64_t channels = result.getDimSize(1);
    auto biasType = RankedTensorType::get({channels}, result.getElementType());
    DenseElementsAttr bias;
    if (constant.isSplat()) {
      bias = DenseElementsAttr::get(biasType,
                                    constant.getSplatValue<Attribute>());
    } else {
      // Align the constant's shape to the right of the result's; only the
      // channel dimension may differ from 1.
      ArrayRef<int64_t> shape = constant.getType().getShape();
      int64_t offset = result.getRank() - static_cast<int64_t>(shape.size());
      for (auto [index, size] : llvm::enumerate(shape))
        if (size != 1 && static_cast<int64_t>(index) + offset != 1)
          return rewriter.notifyMatchFailure(add, "not a per-channel constant");
      bias = constant.reshape(biasType);
    }

    Value biasValue =
        rewriter.create<arith::ConstantOp>(add.getRhs().getLoc(), bias);
    Location loc = rewriter.getFusedLoc({layer->getLoc(), add.getLoc()});
    Operation *fused = rewriter.clone(*layer);
    fused->setLoc(loc);
    fused->insertOperands(2, biasValue);
    rewriter.replaceOp(add, fused->getResults());
    rewriter.eraseOp(layer);
    return success();
  }
};

} // namespace

void AddOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                        MLIRContext *context) {
  patterns.add<AbsorbBiasIntoLayer>(context);
}

FailureOr<RankedTensorType> SubOp::inferResultType(std::optional<Location> loc,
                                                   Adaptor adaptor) {
  return inferBroadcastType<SubOp>(loc, adaptor.getLhs(), adaptor.getRhs());
}

LogicalResult SubOp::verify() { return verifyResultType(*this); }

FailureOr<RankedTensorType> DivOp::inferResultType(std::optional<Location> loc,
                                                   Adaptor adaptor) {
  return inferBroadcastType<DivOp>(loc, adaptor.getLhs(), adaptor.getRhs());
}

LogicalResult DivOp::verify() { return verifyResultType(*this); }

FailureOr<RankedTensorType> MulOp::inferResultType(std::optional<Location> loc,
                                                   Adaptor adaptor) {
  return inferBroadcastType<MulOp>(loc, adaptor.getLhs(), adaptor.getRhs());
}

LogicalResult MulOp::verify() { return verifyResultType(*this); }

OpFoldResult MulOp::fold(FoldAdaptor adaptor) {
  // x * 1 -> x, exactly (NaN and signed zeros included).
  if (getLhs().getType() == getType() &&
      isFloatSplat(adaptor.getRhs(),
                   [](const APFloat &v) { return v.isExactlyValue(1.0); }))
    return getLhs();
  return {};
}

//===----------------------------------------------------------------------===//
// ReluOp
//===----------------------------------------------------------------------===//

OpFoldResult ReluOp::fold(FoldAdaptor) {
  // relu(relu(x)) -> relu(x)
  if (getInput().getDefiningOp<ReluOp>())
    return getInput();
  return {};
}

//===----------------------------------------------------------------------===//
// SigmoidOp
//===----------------------------------------------------------------------===//

/// The result of an elementwise map to analog values: the input's shape,
/// f32 for spikes.
template <typename OpTy>
static FailureOr<RankedTensorType>
inferAnalogMap(std::optional<Location> loc, Value operand) {
  auto input = cast<RankedTensorType>(operand.getType());
  FailureOr<Type> elementType =
      analogElementType<OpTy>(loc, input.getElementType());
  if (failed(elementType))
    return failure();
  return input.clone(*elementType);
}

FailureOr<RankedTensorType>
SigmoidOp::inferResultType(std::optional<Location> loc, Adaptor adaptor) {
  return inferAnalogMap<SigmoidOp>(loc, adaptor.getInput());
}

LogicalResult SigmoidOp::verify() { return verifyResultType(*this); }

//===----------------------------------------------------------------------===//
// ConvTranspose2dOp
//===----------------------------------------------------------------------===//

FailureOr<RankedTensorType>
ConvTranspose2dOp::inferResultType(std::optional<Location> loc,
                                   Adaptor adaptor) {
  auto input = cast<RankedTensorType>(adaptor.getInput().getType());
  auto weight = cast<RankedTensorType>(adaptor.getWeight().getType());
  if (failed(expectRank<ConvTranspose2dOp>(loc, "input", input, 4,
                                           "N, C, H, W")) ||
      failed(expectRank<ConvTranspose2dOp>(loc, "weight", weight, 4,
                                           "C, O/groups, KH, KW")))
    return failure();
  if (!input.hasStaticShape() || !weight.hasStaticShape())
    return opError<ConvTranspose2dOp>(loc, "expected static shapes, found ",
                                      input, " and ", weight);
  Type elementType = weight.getElementType();
  if (!isSpikeTensor(input) && input.getElementType() != elementType)
    return opError<ConvTranspose2dOp>(
        loc, "expected input element type to be i1 or ", elementType,
        " (the weight's), found ", input.getElementType());
  int64_t groups = adaptor.getGroups();
  if (weight.getDimSize(0) != input.getDimSize(1) ||
      input.getDimSize(1) % groups)
    return opError<ConvTranspose2dOp>(
        loc, "expected weight dim 0 (", weight.getDimSize(0),
        ") to equal the input channels (", input.getDimSize(1),
        "), divisible by groups (", groups, ")");
  int64_t outChannels = weight.getDimSize(1) * groups;
  if (Value bias = adaptor.getBias()) {
    auto biasType = cast<RankedTensorType>(bias.getType());
    if (biasType.getShape() != ArrayRef<int64_t>{outChannels} ||
        biasType.getElementType() != elementType)
      return opError<ConvTranspose2dOp>(
          loc, "expected bias of type ",
          RankedTensorType::get({outChannels}, elementType), ", found ",
          biasType);
  }
  ArrayRef<int64_t> strides = adaptor.getStrides(), pads = adaptor.getPads(),
                    dilations = adaptor.getDilations(),
                    extra = adaptor.getOutputPadding();
  if (extra.size() != 2)
    return opError<ConvTranspose2dOp>(loc,
                                      "expected 2 output_padding "
                                      "values, found ",
                                      extra.size());
  SmallVector<int64_t, 4> shape{input.getDimSize(0), outChannels};
  for (int axis = 0; axis < 2; ++axis) {
    if (extra[axis] < 0 ||
        extra[axis] >= std::max(strides[axis], dilations[axis]))
      return opError<ConvTranspose2dOp>(
          loc, "expected output_padding in [0, max(stride, dilation)), found ",
          extra[axis]);
    int64_t size = (input.getDimSize(2 + axis) - 1) * strides[axis] -
                   pads[axis] - pads[axis + 2] +
                   dilations[axis] * (weight.getDimSize(2 + axis) - 1) + 1 +
                   extra[axis];
    if (size < 1)
      return opError<ConvTranspose2dOp>(loc,
                                        "the output would be empty along "
                                        "axis ",
                                        2 + axis);
    shape.push_back(size);
  }
  return RankedTensorType::get(shape, elementType);
}

LogicalResult ConvTranspose2dOp::verify() { return verifyResultType(*this); }

//===----------------------------------------------------------------------===//
// LayerNormOp
//===----------------------------------------------------------------------===//

FailureOr<RankedTensorType>
LayerNormOp::inferResultType(std::optional<Location> loc, Adaptor adaptor) {
  auto input = cast<RankedTensorType>(adaptor.getInput().getType());
  int64_t axis = adaptor.getAxis();
  if (axis >= input.getRank() || !input.hasStaticShape())
    return opError<LayerNormOp>(loc, "expected a static input with axis ", axis,
                                " among its dimensions, found ", input);
  int64_t k = ShapedType::getNumElements(input.getShape().drop_front(axis));
  FailureOr<Type> element =
      analogElementType<LayerNormOp>(loc, input.getElementType());
  if (failed(element))
    return failure();
  for (Value param : {adaptor.getScale(), adaptor.getBias()}) {
    if (!param)
      continue;
    auto type = cast<RankedTensorType>(param.getType());
    if (!type.hasStaticShape() || type.getNumElements() != k ||
        type.getElementType() != *element)
      return opError<LayerNormOp>(loc, "expected scale and bias of ", k, " ",
                                  *element,
                                  " values (the normalized "
                                  "shape), found ",
                                  type);
  }
  return input.clone(*element);
}

LogicalResult LayerNormOp::verify() {
  float epsilon = getEpsilon().convertToFloat();
  if (!(epsilon >= 0.0f) || !std::isfinite(epsilon))
    return emitOpError("expected a finite epsilon >= 0, found ") << epsilon;
  return verifyResultType(*this);
}

//===----------------------------------------------------------------------===//
// MatMulOp
//===----------------------------------------------------------------------===//

FailureOr<RankedTensorType>
MatMulOp::inferResultType(std::optional<Location> loc, Adaptor adaptor) {
  auto lhs = cast<RankedTensorType>(adaptor.getLhs().getType());
  auto rhs = cast<RankedTensorType>(adaptor.getRhs().getType());
  if (lhs.getRank() < 2 || rhs.getRank() < 2)
    return opError<MatMulOp>(loc, "expected operands of rank >= 2, found ", lhs,
                             " and ", rhs);
  ArrayRef<int64_t> a = lhs.getShape(), b = rhs.getShape();
  int64_t k = a.back(), kb = b[b.size() - 2];
  if (!ShapedType::isDynamic(k) && !ShapedType::isDynamic(kb) && k != kb)
    return opError<MatMulOp>(loc, "expected [.., M, K] x [.., K, N], found ",
                             lhs, " and ", rhs);
  SmallVector<int64_t> batch;
  if (!OpTrait::util::getBroadcastedShape(a.drop_back(2), b.drop_back(2),
                                          batch))
    return opError<MatMulOp>(loc, "batch dimensions of ", lhs, " and ", rhs,
                             " are not broadcast-compatible");
  FailureOr<Type> elementType = analogElementType<MatMulOp>(
      loc, {lhs.getElementType(), rhs.getElementType()});
  if (failed(elementType))
    return failure();
  batch.push_back(a[a.size() - 2]);
  batch.push_back(b.back());
  return RankedTensorType::get(batch, *elementType);
}

LogicalResult MatMulOp::verify() { return verifyResultType(*this); }

//===----------------------------------------------------------------------===//
// TanhOp, SqrtOp, LeakyReluOp, ClipOp, SoftmaxOp
//===----------------------------------------------------------------------===//

FailureOr<RankedTensorType>
TanhOp::inferResultType(std::optional<Location> loc, Adaptor adaptor) {
  return inferAnalogMap<TanhOp>(loc, adaptor.getInput());
}

LogicalResult TanhOp::verify() { return verifyResultType(*this); }

FailureOr<RankedTensorType> SqrtOp::inferResultType(std::optional<Location> loc,
                                                    Adaptor adaptor) {
  return inferAnalogMap<SqrtOp>(loc, adaptor.getInput());
}

LogicalResult SqrtOp::verify() { return verifyResultType(*this); }

FailureOr<RankedTensorType>
LeakyReluOp::inferResultType(std::optional<Location> loc, Adaptor adaptor) {
  return inferAnalogMap<LeakyReluOp>(loc, adaptor.getInput());
}

LogicalResult LeakyReluOp::verify() {
  if (!std::isfinite(getAlpha().convertToFloat()))
    return emitOpError("expected a finite alpha");
  return verifyResultType(*this);
}

FailureOr<RankedTensorType>
ClipOp::inferResultType(std::optional<Location> loc, Adaptor adaptor) {
  return inferAnalogMap<ClipOp>(loc, adaptor.getInput());
}

LogicalResult ClipOp::verify() {
  for (std::optional<APFloat> bound : {getMin(), getMax()})
    if (bound && bound->isNaN())
      return emitOpError("expected bounds that are not NaN");
  return verifyResultType(*this);
}

FailureOr<RankedTensorType>
SoftmaxOp::inferResultType(std::optional<Location> loc, Adaptor adaptor) {
  if (cast<RankedTensorType>(adaptor.getInput().getType()).getRank() == 0)
    return opError<SoftmaxOp>(loc, "expected an input of rank >= 1");
  return inferAnalogMap<SoftmaxOp>(loc, adaptor.getInput());
}

LogicalResult SoftmaxOp::verify() { return verifyResultType(*this); }

//===----------------------------------------------------------------------===//
// MaxPool2dOp / AvgPool2dOp / GlobalAvgPoolOp
//===----------------------------------------------------------------------===//

template <typename OpTy>
static LogicalResult
inferPoolShape(std::optional<Location> loc, RankedTensorType input,
               const Window2d &window, SmallVectorImpl<int64_t> &shape) {
  if (failed(expectRank<OpTy>(loc, "input", input, 4, "N, C, H, W")))
    return failure();
  shape.assign({input.getDimSize(0), input.getDimSize(1)});
  return inferWindowExtents<OpTy>(loc, input, window, shape);
}

FailureOr<RankedTensorType>
MaxPool2dOp::inferResultType(std::optional<Location> loc, Adaptor adaptor) {
  auto input = cast<RankedTensorType>(adaptor.getInput().getType());
  Window2d window{adaptor.getKernelShape(), adaptor.getStrides(),
                  adaptor.getPads(),        adaptor.getDilations(),
                  adaptor.getCeilMode(),    /*padsBelowKernel=*/true};
  SmallVector<int64_t, 4> shape;
  if (failed(inferPoolShape<MaxPool2dOp>(loc, input, window, shape)))
    return failure();
  return input.clone(shape);
}

LogicalResult MaxPool2dOp::verify() { return verifyResultType(*this); }

OpFoldResult MaxPool2dOp::fold(FoldAdaptor) {
  // A 1x1 window with unit strides and no padding is the identity.
  auto isOne = [](int64_t v) { return v == 1; };
  if (llvm::all_of(getKernelShape(), isOne) &&
      llvm::all_of(getStrides(), isOne) &&
      llvm::all_of(getPads(), [](int64_t p) { return p == 0; }) &&
      getInput().getType() == getType())
    return getInput();
  return {};
}

FailureOr<RankedTensorType>
AvgPool2dOp::inferResultType(std::optional<Location> loc, Adaptor adaptor) {
  auto input = cast<RankedTensorType>(adaptor.getInput().getType());
  static constexpr int64_t unitDilations[] = {1, 1};
  Window2d window{adaptor.getKernelShape(), adaptor.getStrides(),
                  adaptor.getPads(),        unitDilations,
                  adaptor.getCeilMode(),    /*padsBelowKernel=*/true};
  SmallVector<int64_t, 4> shape;
  if (failed(inferPoolShape<AvgPool2dOp>(loc, input, window, shape)))
    return failure();
  FailureOr<Type> elementType =
      analogElementType<AvgPool2dOp>(loc, input.getElementType());
  if (failed(elementType))
    return failure();
  return RankedTensorType::get(shape, *elementType);
}

LogicalResult AvgPool2dOp::verify() { return verifyResultType(*this); }

FailureOr<RankedTensorType>
GlobalAvgPoolOp::inferResultType(std::optional<Location> loc, Adaptor adaptor) {
  auto input = cast<RankedTensorType>(adaptor.getInput().getType());
  if (input.getRank() < 3)
    return opError<GlobalAvgPoolOp>(loc,
                                    "expected input of rank >= 3 (N, C, "
                                    "D1, ...), found rank ",
                                    input.getRank());
  SmallVector<int64_t> shape(input.getRank(), 1);
  shape[0] = input.getDimSize(0);
  shape[1] = input.getDimSize(1);
  FailureOr<Type> elementType =
      analogElementType<GlobalAvgPoolOp>(loc, input.getElementType());
  if (failed(elementType))
    return failure();
  return RankedTensorType::get(shape, *elementType);
}

LogicalResult GlobalAvgPoolOp::verify() { return verifyResultType(*this); }

//===----------------------------------------------------------------------===//
// FlattenOp / ReshapeOp / ConcatOp
//===----------------------------------------------------------------------===//

FailureOr<RankedTensorType>
FlattenOp::inferResultType(std::optional<Location> loc, Adaptor adaptor) {
  auto input = cast<RankedTensorType>(adaptor.getInput().getType());
  int64_t axis = adaptor.getAxis();
  if (axis < 0 || axis > input.getRank())
    return opError<FlattenOp>(loc, "expected 0 <= axis <= ", input.getRank(),
                              " (the input rank), found ", axis);
  SmallVector<int64_t, 2> shape;
  ArrayRef<int64_t> dims = input.getShape();
  for (ArrayRef<int64_t> part :
       {dims.take_front(axis), dims.drop_front(axis)}) {
    if (llvm::any_of(part, ShapedType::isDynamic)) {
      shape.push_back(ShapedType::kDynamic);
      continue;
    }
    std::optional<int64_t> product = sparseflow::checkedProduct(part);
    if (!product)
      return opError<FlattenOp>(loc, "the product of the input dimensions [",
                                part, "] overflows int64");
    shape.push_back(*product);
  }
  return input.clone(shape);
}

LogicalResult FlattenOp::verify() { return verifyResultType(*this); }

OpFoldResult FlattenOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  if (auto input = dyn_cast_if_present<DenseElementsAttr>(adaptor.getInput()))
    return input.reshape(getType());
  return {};
}

LogicalResult ReshapeOp::verify() {
  RankedTensorType input = getInput().getType();
  RankedTensorType output = getType();
  if (!input.hasStaticShape() || !output.hasStaticShape())
    return emitOpError("expected static shapes, found ")
           << input << " -> " << output;
  if (input.getElementType() != output.getElementType())
    return emitOpError("expected the result element type to be ")
           << input.getElementType() << " (the input's), found "
           << output.getElementType();
  for (RankedTensorType type : {input, output})
    if (!sparseflow::checkedProduct(type.getShape()))
      return emitOpError("the element count of ") << type << " overflows int64";
  if (input.getNumElements() != output.getNumElements())
    return emitOpError("expected the result to have ")
           << input.getNumElements() << " elements (the input's), found "
           << output.getNumElements();
  return success();
}

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  if (auto input = dyn_cast_if_present<DenseElementsAttr>(adaptor.getInput()))
    return input.reshape(getType());
  // reshape(reshape(x)) and reshape(flatten(x)) -> reshape(x)
  Operation *producer = getInput().getDefiningOp();
  if (isa_and_nonnull<ReshapeOp, FlattenOp>(producer)) {
    getInputMutable().assign(producer->getOperand(0));
    return getResult();
  }
  return {};
}

FailureOr<RankedTensorType>
ConcatOp::inferResultType(std::optional<Location> loc, Adaptor adaptor) {
  ValueRange inputs = adaptor.getInputs();
  if (inputs.empty())
    return opError<ConcatOp>(loc, "expected at least one input");
  auto first = cast<RankedTensorType>(inputs.front().getType());
  int64_t axis = adaptor.getAxis();
  if (axis < 0 || axis >= first.getRank())
    return opError<ConcatOp>(loc, "expected 0 <= axis < ", first.getRank(),
                             " (the input rank), found ", axis);
  SmallVector<int64_t> shape(first.getShape());
  for (auto [index, value] : llvm::enumerate(inputs.drop_front())) {
    auto type = cast<RankedTensorType>(value.getType());
    if (type.getRank() != first.getRank() ||
        type.getElementType() != first.getElementType())
      return opError<ConcatOp>(
          loc, "expected input #", index + 1, " to have rank ", first.getRank(),
          " and element type ", first.getElementType(), ", found ", type);
    for (int64_t dim = 0; dim < type.getRank(); ++dim) {
      int64_t size = type.getDimSize(dim);
      if (dim == axis) {
        if (ShapedType::isDynamic(shape[dim]) || ShapedType::isDynamic(size)) {
          shape[dim] = ShapedType::kDynamic;
          continue;
        }
        std::optional<int64_t> sum = llvm::checkedAdd(shape[dim], size);
        if (!sum)
          return opError<ConcatOp>(loc, "the sum of the inputs' dim ", axis,
                                   " overflows int64 at input #", index + 1);
        shape[dim] = *sum;
      } else if (!dimsCompatible(shape[dim], size)) {
        return opError<ConcatOp>(loc, "expected input #", index + 1,
                                 " to match input #0 in dim ", dim, " (",
                                 dimToString(shape[dim]), "), found ", type);
      }
    }
  }
  return first.clone(shape);
}

LogicalResult ConcatOp::verify() { return verifyResultType(*this); }

OpFoldResult ConcatOp::fold(FoldAdaptor) {
  if (getInputs().size() == 1 && getInputs().front().getType() == getType())
    return getInputs().front();
  return {};
}

//===----------------------------------------------------------------------===//
// PadOp
//===----------------------------------------------------------------------===//

FailureOr<RankedTensorType> PadOp::inferResultType(std::optional<Location> loc,
                                                   Adaptor adaptor) {
  auto input = cast<RankedTensorType>(adaptor.getInput().getType());
  ArrayRef<int64_t> pads = adaptor.getPads();
  int64_t rank = input.getRank();
  if (static_cast<int64_t>(pads.size()) != 2 * rank)
    return opError<PadOp>(loc, "expected 2 x rank = ", 2 * rank,
                          " pads (begins, then ends), found ", pads.size());
  if (llvm::any_of(pads, [](int64_t p) { return p < 0; }))
    return opError<PadOp>(loc, "expected pads >= 0, found [", pads, "]");
  SmallVector<int64_t> shape;
  for (int64_t i = 0; i < rank; ++i) {
    int64_t dim = input.getDimSize(i);
    shape.push_back(
        ShapedType::isDynamic(dim) ? dim : dim + pads[i] + pads[rank + i]);
  }
  if (adaptor.getMode() == PadMode::reflect)
    for (int64_t i = 0; i < rank; ++i) {
      int64_t dim = input.getDimSize(i);
      if (!ShapedType::isDynamic(dim) && (pads[i] || pads[rank + i]) &&
          (pads[i] >= dim || pads[rank + i] >= dim))
        return opError<PadOp>(loc, "expected reflect pads of dimension ", i,
                              " below its size ", dim, ", found [", pads, "]");
    }
  // Zero padding of spikes is silent neurons, and the other modes copy
  // spikes; any other constant is analog.
  Type elementType = input.getElementType();
  if (isSpikeTensor(input) && adaptor.getMode() == PadMode::constant &&
      !adaptor.getValue().isZero())
    elementType = Float32Type::get(input.getContext());
  return RankedTensorType::get(shape, elementType);
}

LogicalResult PadOp::verify() { return verifyResultType(*this); }

//===----------------------------------------------------------------------===//
// SliceOp
//===----------------------------------------------------------------------===//

FailureOr<RankedTensorType>
SliceOp::inferResultType(std::optional<Location> loc, Adaptor adaptor) {
  auto input = cast<RankedTensorType>(adaptor.getInput().getType());
  ArrayRef<int64_t> starts = adaptor.getStarts(), sizes = adaptor.getSizes(),
                    steps = adaptor.getSteps();
  int64_t rank = input.getRank();
  if (static_cast<int64_t>(starts.size()) != rank ||
      static_cast<int64_t>(sizes.size()) != rank ||
      static_cast<int64_t>(steps.size()) != rank)
    return opError<SliceOp>(loc,
                            "expected one start, size and step per "
                            "dimension (rank ",
                            rank, ")");
  for (int64_t d = 0; d < rank; ++d) {
    int64_t n = input.getDimSize(d);
    if (ShapedType::isDynamic(n))
      return opError<SliceOp>(loc, "expected a static input, found ", input);
    int64_t last = starts[d] + (sizes[d] - 1) * steps[d];
    if (steps[d] == 0 || sizes[d] < 1 || starts[d] < 0 || starts[d] >= n ||
        last < 0 || last >= n)
      return opError<SliceOp>(loc, "slice of dimension ", d, " (size ", n,
                              ") from ", starts[d], " by ", steps[d], " for ",
                              sizes[d], " elements leaves the input");
  }
  return input.clone(sizes);
}

LogicalResult SliceOp::verify() { return verifyResultType(*this); }

OpFoldResult PadOp::fold(FoldAdaptor) {
  if (llvm::all_of(getPads(), [](int64_t p) { return p == 0; }) &&
      getInput().getType() == getType())
    return getInput();
  return {};
}

bool PadOp::preservesSpikes() {
  return getMode() != PadMode::constant || getValue().isZero();
}

bool PadOp::isSpatialZeroPad() {
  ArrayRef<int64_t> pads = getPads();
  return getMode() == PadMode::constant && getValue().isZero() &&
         getType().getRank() == 4 && pads[0] == 0 && pads[1] == 0 &&
         pads[4] == 0 && pads[5] == 0;
}

SmallVector<int64_t, 4> PadOp::getSpatialPads() {
  ArrayRef<int64_t> pads = getPads();
  return {pads[2], pads[3], pads[6], pads[7]};
}

namespace {

/// conv2d(pad(x, 0), w) -> conv2d(x, w) with the pad added to the conv's own
/// pads, when the pad is spatial: the same zeros enter the same windows.
/// avg_pool2d likewise when every padded zero is counted (count_include_pad,
/// or no pads of its own, which then become counted ones), without
/// ceil_mode, whose extra windows count only real padding, and when the
/// summed pads stay below the kernel (a pool's pads must).
template <typename OpTy> struct FoldPadIntoWindow : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    auto pad = op.getInput().template getDefiningOp<PadOp>();
    if (!pad || !pad.isSpatialZeroPad())
      return rewriter.notifyMatchFailure(op, "input is not a zero pad of H, W");
    ArrayRef<int64_t> own = op.getPads();
    if constexpr (std::is_same_v<OpTy, AvgPool2dOp>) {
      bool ownPads = llvm::any_of(own, [](int64_t p) { return p != 0; });
      if (op.getCeilMode() || (ownPads && !op.getCountIncludePad()))
        return rewriter.notifyMatchFailure(op, "padding is not counted");
    }
    SmallVector<int64_t, 4> pads = pad.getSpatialPads();
    for (auto [total, p] : llvm::zip(pads, own))
      total += p;
    if constexpr (std::is_same_v<OpTy, AvgPool2dOp>) {
      ArrayRef<int64_t> kernel = op.getKernelShape();
      if (pads[0] >= kernel[0] || pads[2] >= kernel[0] ||
          pads[1] >= kernel[1] || pads[3] >= kernel[1])
        return rewriter.notifyMatchFailure(op, "pads would reach the kernel");
    }
    rewriter.modifyOpInPlace(op, [&] {
      op.getInputMutable().assign(pad.getInput());
      op.setPads(pads);
      if constexpr (std::is_same_v<OpTy, AvgPool2dOp>)
        op.setCountIncludePad(true);
      op->setLoc(rewriter.getFusedLoc({pad.getLoc(), op.getLoc()}));
    });
    return success();
  }
};

} // namespace

void PadOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                        MLIRContext *context) {
  patterns.add<FoldPadIntoWindow<Conv2dOp>, FoldPadIntoWindow<AvgPool2dOp>>(
      context);
}

//===----------------------------------------------------------------------===//
// TransposeOp
//===----------------------------------------------------------------------===//

FailureOr<RankedTensorType>
TransposeOp::inferResultType(std::optional<Location> loc, Adaptor adaptor) {
  auto input = cast<RankedTensorType>(adaptor.getInput().getType());
  ArrayRef<int64_t> permutation = adaptor.getPermutation();
  SmallVector<bool> seen(input.getRank(), false);
  bool valid = static_cast<int64_t>(permutation.size()) == input.getRank();
  for (int64_t dim : permutation) {
    valid = valid && dim >= 0 && dim < input.getRank() && !seen[dim];
    if (valid)
      seen[dim] = true;
  }
  if (!valid)
    return opError<TransposeOp>(loc, "expected a permutation of [0, ",
                                input.getRank(), "), found [", permutation,
                                "]");
  SmallVector<int64_t> shape;
  for (int64_t dim : permutation)
    shape.push_back(input.getDimSize(dim));
  return input.clone(shape);
}

LogicalResult TransposeOp::verify() { return verifyResultType(*this); }

/// Permutes the elements of a constant whose elements are whole bytes wide.
static DenseElementsAttr transposeConstant(DenseElementsAttr input,
                                           ArrayRef<int64_t> permutation,
                                           RankedTensorType resultType) {
  if (input.isSplat())
    return input.resizeSplat(resultType);
  unsigned bits = input.getElementType().getIntOrFloatBitWidth();
  if (bits % 8 != 0 || !resultType.hasStaticShape())
    return {};
  size_t width = bits / 8;
  ArrayRef<int64_t> inShape = input.getType().getShape();
  int64_t rank = inShape.size();
  SmallVector<int64_t> inStrides(rank, 1);
  for (int64_t dim = rank - 2; dim >= 0; --dim)
    inStrides[dim] = inStrides[dim + 1] * inShape[dim + 1];
  ArrayRef<char> in = input.getRawData();
  std::vector<char> out(in.size());
  SmallVector<int64_t> index(rank, 0); // index into the result
  ArrayRef<int64_t> outShape = resultType.getShape();
  for (int64_t linear = 0, e = resultType.getNumElements(); linear < e;
       ++linear) {
    int64_t source = 0;
    for (int64_t dim = 0; dim < rank; ++dim)
      source += index[dim] * inStrides[permutation[dim]];
    std::memcpy(out.data() + linear * width, in.data() + source * width,
                width);
    for (int64_t dim = rank - 1; dim >= 0; --dim) {
      if (++index[dim] < outShape[dim])
        break;
      index[dim] = 0;
    }
  }
  return DenseElementsAttr::getFromRawBuffer(resultType, out);
}

OpFoldResult TransposeOp::fold(FoldAdaptor adaptor) {
  ArrayRef<int64_t> permutation = getPermutation();
  if (llvm::equal(permutation, llvm::seq<int64_t>(0, permutation.size())))
    return getInput();
  if (auto input = dyn_cast_if_present<DenseElementsAttr>(adaptor.getInput()))
    if (DenseElementsAttr folded =
            transposeConstant(input, permutation, getType()))
      return folded;
  // transpose(transpose(x, p), q) -> transpose(x, p o q)
  if (auto inner = getInput().getDefiningOp<TransposeOp>()) {
    SmallVector<int64_t> composed;
    for (int64_t dim : permutation)
      composed.push_back(inner.getPermutation()[dim]);
    getInputMutable().assign(inner.getInput());
    setPermutation(composed);
    return getResult();
  }
  return {};
}

//===----------------------------------------------------------------------===//
// Neurons: LIFOp, CubaLIFOp, LIOp
//===----------------------------------------------------------------------===//

namespace {

/// Checks the scalar-or-per-channel parameters of a neuron op on `input`.
class NeuronParamChecker {
public:
  NeuronParamChecker(Operation *op, RankedTensorType input)
      : op(op), input(input),
        channels(input.getRank() >= 2 ? input.getDimSize(1) : 1) {}

  LogicalResult check(StringRef name, ArrayRef<float> values,
                      function_ref<bool(float)> inRange = {},
                      StringRef rangeText = "finite") {
    size_t count = values.size();
    bool perChannel = count > 1;
    if (count == 0 || (perChannel && (input.getRank() < 2 ||
                                      ShapedType::isDynamic(channels) ||
                                      static_cast<int64_t>(count) != channels)))
      return op->emitOpError()
             << "expected '" << name << "' to hold 1 value or one per channel ("
             << dimToString(channels) << "), found " << count;
    for (auto [index, value] : llvm::enumerate(values))
      if (!std::isfinite(value) || (inRange && !inRange(value)))
        return op->emitOpError()
               << "expected '" << name << "' to be " << rangeText << ", found "
               << value
               << (perChannel ? " for channel " + std::to_string(index)
                              : std::string());
    return success();
  }
  LogicalResult checkRate(StringRef name, ArrayRef<float> values) {
    return check(
        name, values, [](float v) { return v >= 0.0f && v <= 1.0f; },
        "in [0, 1]");
  }

private:
  Operation *op;
  RankedTensorType input;
  int64_t channels;
};

/// A recurrent neuron's operands: vector input [N, K], weight [K, K] and
/// an optional bias [K].
template <typename OpTy> LogicalResult verifyRecurrence(OpTy op) {
  ValueRange recurrent = op.getRecurrent();
  if (recurrent.empty())
    return success();
  if (recurrent.size() > 2)
    return op.emitOpError("expected 'recurrent' to hold a weight and at "
                          "most a bias, found ")
           << recurrent.size() << " operands";
  auto input = cast<RankedTensorType>(op.getInput().getType());
  if (input.getRank() != 2 || input.isDynamicDim(1))
    return op.emitOpError("recurrent neurons take a vector input [N, K], "
                          "found ")
           << input;
  int64_t K = input.getDimSize(1);
  auto weight = cast<RankedTensorType>(recurrent[0].getType());
  if (weight.getShape() != ArrayRef<int64_t>{K, K})
    return op.emitOpError("expected the recurrent weight to be [")
           << K << ", " << K << "] ([out, in]), found " << weight;
  if (recurrent.size() == 2) {
    auto bias = cast<RankedTensorType>(recurrent[1].getType());
    if (bias.getShape() != ArrayRef<int64_t>{K})
      return op.emitOpError("expected the recurrent bias to be [")
             << K << "], found " << bias;
  }
  return success();
}

/// The parameters and reset mode shared by spike.lif and spike.cuba_lif.
template <typename OpTy>
LogicalResult verifySpikingNeuron(OpTy op, NeuronParamChecker &params) {
  if (failed(verifyRecurrence(op)))
    return failure();
  if (failed(params.checkRate("leak", op.getLeak())) ||
      failed(params.check("gain", op.getGain())) ||
      failed(params.check("v_leak", op.getVLeak())) ||
      failed(params.check(
          "v_threshold", op.getVThreshold(), [](float v) { return v > 0.0f; },
          "positive")) ||
      failed(params.check("v_init", op.getVInit())))
    return failure();

  std::optional<ArrayRef<float>> vReset = op.getVReset();
  bool hard = op.getReset() == ResetMode::hard;
  if (hard && !vReset)
    return op.emitOpError("expected 'v_reset' with reset = hard");
  if (!hard && vReset)
    return op.emitOpError("expected no 'v_reset' with reset = ")
           << stringifyResetMode(op.getReset())
           << " (it applies to hard resets only)";
  if (vReset && failed(params.check("v_reset", *vReset)))
    return failure();
  return success();
}

} // namespace

FailureOr<RankedTensorType> LIFOp::inferResultType(std::optional<Location> loc,
                                                   Adaptor adaptor) {
  auto input = cast<RankedTensorType>(adaptor.getInput().getType());
  return input.clone(IntegerType::get(input.getContext(), 1));
}

LogicalResult LIFOp::verify() {
  if (failed(verifyResultType(*this)))
    return failure();
  NeuronParamChecker params(*this, getInput().getType());
  return verifySpikingNeuron(*this, params);
}

FailureOr<RankedTensorType>
CubaLIFOp::inferResultType(std::optional<Location> loc, Adaptor adaptor) {
  auto input = cast<RankedTensorType>(adaptor.getInput().getType());
  return input.clone(IntegerType::get(input.getContext(), 1));
}

LogicalResult CubaLIFOp::verify() {
  if (failed(verifyResultType(*this)))
    return failure();
  NeuronParamChecker params(*this, getInput().getType());
  if (failed(params.checkRate("syn_leak", getSynLeak())) ||
      failed(params.check("syn_gain", getSynGain())))
    return failure();
  return verifySpikingNeuron(*this, params);
}

FailureOr<RankedTensorType> LIOp::inferResultType(std::optional<Location> loc,
                                                  Adaptor adaptor) {
  auto input = cast<RankedTensorType>(adaptor.getInput().getType());
  // A membrane: float, f32 when the input is spikes.
  if (isa<FloatType>(input.getElementType()))
    return input;
  return input.clone(Float32Type::get(input.getContext()));
}

LogicalResult LIOp::verify() {
  if (failed(verifyResultType(*this)))
    return failure();
  NeuronParamChecker params(*this, getInput().getType());
  if (getSynLeak().has_value() != getSynGain().has_value())
    return emitOpError("expected both 'syn_leak' and 'syn_gain' (a "
                       "current-based integrator) or neither");
  if (getSynLeak() && (failed(params.checkRate("syn_leak", *getSynLeak())) ||
                       failed(params.check("syn_gain", *getSynGain()))))
    return failure();
  if (failed(params.checkRate("leak", getLeak())) ||
      failed(params.check("gain", getGain())) ||
      failed(params.check("v_leak", getVLeak())) ||
      failed(params.check("v_init", getVInit())))
    return failure();
  return success();
}

#define GET_OP_CLASSES
#include "sparseflow/Dialect/Spike/SpikeOps.cpp.inc"
