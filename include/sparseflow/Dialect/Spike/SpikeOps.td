//===- SpikeOps.td - spike dialect operations --------------*- tablegen -*-===//
//
// Part of SparseFlow.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEFLOW_DIALECT_SPIKE_SPIKEOPS_TD
#define SPARSEFLOW_DIALECT_SPIKE_SPIKEOPS_TD

include "sparseflow/Dialect/Spike/SpikeDialect.td"
include "sparseflow/Dialect/Spike/SpikeAttributes.td"
include "sparseflow/Dialect/Spike/SpikeTypes.td"
include "mlir/IR/OpBase.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

class Spike_Op<string mnemonic, list<Trait> traits = []>
    : Op<Spike_Dialect, mnemonic, !listconcat(traits, [Pure])>;

// Ops whose result type follows from their operands and attributes. Each
// defines `inferResultType`, which also performs every structural check and
// reports the first inconsistency at the given location; the verifier calls it
// and compares with the written type. (Not InferTypeOpInterface: its trait
// verifier would append a generic second error to every precise one.)
defvar inferResultTypeDecl = [{
  /// The result type implied by the operands and attributes, or failure after
  /// a diagnostic at `loc` (when given) naming what is inconsistent.
  static ::mlir::FailureOr<::mlir::RankedTensorType>
  inferResultType(std::optional<::mlir::Location> loc, Adaptor adaptor);
}];

class Spike_InferredOp<string mnemonic, list<Trait> traits = []>
    : Spike_Op<mnemonic, traits> {
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let extraClassDeclaration = inferResultTypeDecl;
}

//===----------------------------------------------------------------------===//
// Attribute constraints
//===----------------------------------------------------------------------===//

def Spike_PositivePair : ConfinedAttr<DenseI64ArrayAttr,
    [DenseArrayCount<2>, DenseArrayStrictlyPositive<DenseI64ArrayAttr>]>;
def Spike_Pads : ConfinedAttr<DenseI64ArrayAttr,
    [DenseArrayCount<4>, DenseArrayNonNegative<DenseI64ArrayAttr>]>;

def Spike_StridesAttr : DefaultValuedAttr<Spike_PositivePair, "{1, 1}">;
def Spike_DilationsAttr : DefaultValuedAttr<Spike_PositivePair, "{1, 1}">;
def Spike_PadsAttr : DefaultValuedAttr<Spike_Pads, "{0, 0, 0, 0}">;
def Spike_AxisAttr : ConfinedAttr<I64Attr, [IntNonNegative]>;

// Shared by all ops with a 2-D sliding window. `pads` is [top, left, bottom,
// right], as ONNX's [x1_begin, x2_begin, x1_end, x2_end].
defvar windowDescription = [{

    Spatial attributes: `strides` and `dilations` are `[height, width]`,
    `pads` is `[top, left, bottom, right]` (ONNX order). The output extent
    along a spatial axis with input extent `in`, kernel `k`, stride `s`,
    dilation `d` and pads `p0`, `p1` is
    `floor((in + p0 + p1 - d * (k - 1) - 1) / s) + 1` (`ceil` with
    `ceil_mode`), and must be at least 1.
}];

//===----------------------------------------------------------------------===//
// Layers with weights
//===----------------------------------------------------------------------===//

def Spike_Conv2dOp : Spike_InferredOp<"conv2d"> {
  let summary = "2-D convolution (NCHW input, OIHW weight)";
  let description = [{
    Cross-correlation of `input` (`[N, C, H, W]`, spikes or analog values)
    with `weight` (`[O, C / groups, KH, KW]`) plus an optional `bias` (`[O]`).
    The result is `[N, O, OH, OW]` with the weight's element type; spike
    inputs count as 0.0 and 1.0. `C` and `O` must be divisible by `groups`.
  }] # windowDescription # [{

    ```mlir
    %y = spike.conv2d %x, %w, %b {pads = array<i64: 1, 1, 1, 1>}
        : (tensor<1x16x28x28xi1>, tensor<32x16x3x3xf32>, tensor<32xf32>) -> tensor<1x32x28x28xf32>
    ```
  }];
  let arguments = (ins
    Spike_Tensor:$input,
    Spike_FloatTensor:$weight,
    Optional<Spike_FloatTensor>:$bias,
    Spike_StridesAttr:$strides,
    Spike_PadsAttr:$pads,
    Spike_DilationsAttr:$dilations,
    DefaultValuedAttr<ConfinedAttr<I64Attr, [IntPositive]>, "1">:$groups
  );
  let results = (outs Spike_FloatTensor:$output);
}

def Spike_ConvTranspose2dOp : Spike_InferredOp<"conv_transpose2d"> {
  let summary = "2-D transposed convolution (ONNX ConvTranspose)";
  let description = [{
    The adjoint of `spike.conv2d`: each input element `(c, ih, iw)` adds
    `x * weight[c][o'][kh][kw]` to output `(o, ih * stride - pad_begin +
    kh * dilation, ...)`, with `input` `[N, C, H, W]` (spikes or analog),
    `weight` `[C, O / groups, KH, KW]` and an optional `bias` `[O]`. Along
    each axis the output is `(in - 1) * stride - pad_begin - pad_end +
    dilation * (kernel - 1) + 1 + output_padding`, `output_padding` below
    `max(stride, dilation)`. `pads` is `[top, left, bottom, right]`.

    ```mlir
    %y = spike.conv_transpose2d %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>,
                                        output_padding = array<i64: 1, 1>}
        : (tensor<1x8x7x7xf32>, tensor<8x4x3x3xf32>) -> tensor<1x4x14x14xf32>
    ```
  }];
  let arguments = (ins
    Spike_Tensor:$input,
    Spike_FloatTensor:$weight,
    Optional<Spike_FloatTensor>:$bias,
    Spike_StridesAttr:$strides,
    Spike_PadsAttr:$pads,
    Spike_DilationsAttr:$dilations,
    DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0}">:$output_padding,
    DefaultValuedAttr<ConfinedAttr<I64Attr, [IntPositive]>, "1">:$groups
  );
  let results = (outs Spike_FloatTensor:$output);
}

def Spike_LinearOp : Spike_InferredOp<"linear"> {
  let summary = "Fully connected layer: `input · weightᵀ + bias`";
  let description = [{
    `input` is `[N, K]` (spikes or analog values), `weight` is `[M, K]` (the
    PyTorch `nn.Linear` layout, ONNX `Gemm` with `transB = 1`), the optional
    `bias` is `[M]`; the result is `[N, M]` with the weight's element type.

    ```mlir
    %y = spike.linear %x, %w, %b
        : (tensor<1x784xi1>, tensor<10x784xf32>, tensor<10xf32>) -> tensor<1x10xf32>
    ```
  }];
  let arguments = (ins
    Spike_Tensor:$input,
    Spike_FloatTensor:$weight,
    Optional<Spike_FloatTensor>:$bias
  );
  let results = (outs Spike_FloatTensor:$output);
}

def Spike_BatchNormOp : Spike_InferredOp<"batch_norm"> {
  let summary = "Inference-mode batch normalization over channel dimension 1";
  let description = [{
    `y = scale * (x - mean) / sqrt(var + epsilon) + bias` per channel, with
    `input` of shape `[N, C, ...]` and each parameter of shape `[C]`. Of
    spikes (an affine map of 0 and 1: BatchNorm right after a neuron, as in
    spiking transformers) the result is `f32` and the parameters are `f32`.

    ```mlir
    %y = spike.batch_norm %x, %scale, %bias, %mean, %var {epsilon = 1.0e-05 : f32}
        : (tensor<1x16x28x28xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>)
        -> tensor<1x16x28x28xf32>
    ```
  }];
  let arguments = (ins
    Spike_Tensor:$input,
    Spike_FloatTensor:$scale,
    Spike_FloatTensor:$bias,
    Spike_FloatTensor:$mean,
    Spike_FloatTensor:$variance,
    DefaultValuedAttr<F32Attr, "1.0e-5f">:$epsilon
  );
  let results = (outs Spike_FloatTensor:$output);
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

class Spike_BinaryOp<string mnemonic, string formula,
                     list<Trait> traits = [Commutative]>
    : Spike_InferredOp<mnemonic, traits> {
  let summary = "Elementwise " # formula # " with NumPy broadcasting";
  let description = [{
    Elementwise `lhs }] # formula # [{ rhs` with multidirectional (NumPy/ONNX)
    broadcasting. Operands may be spikes or analog values; spikes count as 0.0
    and 1.0. The result is analog: its element type is that of the
    floating-point operand(s), which must agree, or `f32` when both operands
    are spikes.

    ```mlir
    %y = spike.}] # mnemonic # [{ %a, %b : (tensor<1x64x8x8xi1>, tensor<1x64x8x8xi1>) -> tensor<1x64x8x8xf32>
    ```
  }];
  let arguments = (ins Spike_Tensor:$lhs, Spike_Tensor:$rhs);
  let results = (outs Spike_FloatTensor:$output);
}

def Spike_AddOp : Spike_BinaryOp<"add", "+"> {
  let hasFolder = 1;
  // Absorbs a per-channel constant into a bias-less conv2d/linear.
  let hasCanonicalizer = 1;
}
def Spike_MulOp : Spike_BinaryOp<"mul", "*"> {
  let hasFolder = 1;
}
def Spike_SubOp : Spike_BinaryOp<"sub", "-", []>;
def Spike_DivOp : Spike_BinaryOp<"div", "/", []>;

def Spike_ReluOp : Spike_Op<"relu", [SameOperandsAndResultType]> {
  let summary = "Rectified linear unit: `max(x, 0)`";
  let description = [{
    ```mlir
    %y = spike.relu %x : (tensor<1x128xf32>) -> tensor<1x128xf32>
    ```
  }];
  let arguments = (ins Spike_FloatTensor:$input);
  let results = (outs Spike_FloatTensor:$output);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Spike_SigmoidOp : Spike_InferredOp<"sigmoid"> {
  let summary = "Logistic function: `1 / (1 + exp(-x))`";
  let description = [{
    Elementwise; the result is analog (`f32` for a spike input).

    ```mlir
    %y = spike.sigmoid %x : (tensor<1x128xf32>) -> tensor<1x128xf32>
    ```
  }];
  let arguments = (ins Spike_Tensor:$input);
  let results = (outs Spike_FloatTensor:$output);
}

def Spike_MatMulOp : Spike_InferredOp<"matmul"> {
  let summary = "Batched matrix product of two tensors";
  let description = [{
    `lhs` `[..., M, K]` times `rhs` `[..., K, N]` (ranks >= 2) gives
    `[..., M, N]`; the batch dimensions broadcast as NumPy's. Either operand
    may be spikes (0.0 and 1.0); the result is analog (`f32` when both are
    spikes). A product with a constant 2-D right operand is a
    `spike.linear` instead.

    ```mlir
    %y = spike.matmul %q, %k : (tensor<1x4x8x16xf32>, tensor<1x4x16x8xf32>) -> tensor<1x4x8x8xf32>
    ```
  }];
  let arguments = (ins Spike_Tensor:$lhs, Spike_Tensor:$rhs);
  let results = (outs Spike_FloatTensor:$output);
}

def Spike_LayerNormOp : Spike_InferredOp<"layer_norm"> {
  let summary = "Layer normalization over the trailing dimensions";
  let description = [{
    Over the dimensions from `axis` on (K elements):
    `y = (x - mean) / sqrt(var + epsilon) * scale + bias`, the variance
    biased (divided by K). `scale` and the optional `bias` hold K values (the
    normalized shape, or 1-D). The result is analog (`f32` for spikes).

    ```mlir
    %y = spike.layer_norm %x, %g, %b {axis = 2 : i64, epsilon = 1.0e-05 : f32}
        : (tensor<1x16x64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<1x16x64xf32>
    ```
  }];
  let arguments = (ins Spike_Tensor:$input, Spike_FloatTensor:$scale,
                   Optional<Spike_FloatTensor>:$bias, Spike_AxisAttr:$axis,
                   DefaultValuedAttr<F32Attr, "1.0e-5f">:$epsilon);
  let results = (outs Spike_FloatTensor:$output);
}

def Spike_TanhOp : Spike_InferredOp<"tanh"> {
  let summary = "Hyperbolic tangent";
  let description = [{
    Elementwise; the result is analog (`f32` for a spike input).

    ```mlir
    %y = spike.tanh %x : (tensor<1x128xf32>) -> tensor<1x128xf32>
    ```
  }];
  let arguments = (ins Spike_Tensor:$input);
  let results = (outs Spike_FloatTensor:$output);
}

def Spike_SqrtOp : Spike_InferredOp<"sqrt"> {
  let summary = "Square root";
  let description = [{
    Elementwise, correctly rounded (IEEE); NaN below 0. The result is analog
    (`f32` for a spike input).

    ```mlir
    %y = spike.sqrt %x : (tensor<1x128xf32>) -> tensor<1x128xf32>
    ```
  }];
  let arguments = (ins Spike_Tensor:$input);
  let results = (outs Spike_FloatTensor:$output);
}

def Spike_LeakyReluOp : Spike_InferredOp<"leaky_relu"> {
  let summary = "Leaky rectifier: `x` for `x >= 0`, else `alpha * x`";
  let description = [{
    Elementwise; the result is analog (`f32` for a spike input). `alpha` is
    finite.

    ```mlir
    %y = spike.leaky_relu %x {alpha = 0.01 : f32} : (tensor<1x128xf32>) -> tensor<1x128xf32>
    ```
  }];
  let arguments = (ins Spike_Tensor:$input,
                   DefaultValuedAttr<F32Attr, "0.01f">:$alpha);
  let results = (outs Spike_FloatTensor:$output);
}

def Spike_ClipOp : Spike_InferredOp<"clip"> {
  let summary = "Clamp: `min(max(x, min), max)`";
  let description = [{
    Elementwise; an absent bound does not clamp; bounds are not NaN. The
    result is analog (`f32` for a spike input).

    ```mlir
    %y = spike.clip %x {min = 0.0 : f32, max = 6.0 : f32} : (tensor<1x128xf32>) -> tensor<1x128xf32>
    ```
  }];
  let arguments = (ins Spike_Tensor:$input, OptionalAttr<F32Attr>:$min,
                   OptionalAttr<F32Attr>:$max);
  let results = (outs Spike_FloatTensor:$output);
}

def Spike_SoftmaxOp : Spike_InferredOp<"softmax"> {
  let summary = "Softmax (or its logarithm) over the last dimension";
  let description = [{
    Per row of the last dimension: `exp(x_i - m) / sum_j exp(x_j - m)` with
    `m` the row's maximum, or with `log` its logarithm
    `x_i - m - log(sum_j exp(x_j - m))`. The result is analog (`f32` for a
    spike input).

    ```mlir
    %y = spike.softmax %x {log} : (tensor<1x10xf32>) -> tensor<1x10xf32>
    ```
  }];
  let arguments = (ins Spike_Tensor:$input, UnitAttr:$log);
  let results = (outs Spike_FloatTensor:$output);
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

def Spike_MaxPool2dOp : Spike_InferredOp<"max_pool2d"> {
  let summary = "2-D max pooling (spike-preserving)";
  let description = [{
    Maximum over each `kernel_shape` window of `[N, C, H, W]`. Padding never
    wins the maximum, so every pad must be smaller than the dilated kernel
    extent along its axis. The result keeps the input's element type: the
    max-pool of spikes is a spike train.
  }] # windowDescription # [{

    ```mlir
    %y = spike.max_pool2d %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>}
        : (tensor<1x16x28x28xi1>) -> tensor<1x16x14x14xi1>
    ```
  }];
  let arguments = (ins
    Spike_Tensor:$input,
    Spike_PositivePair:$kernel_shape,
    Spike_StridesAttr:$strides,
    Spike_PadsAttr:$pads,
    Spike_DilationsAttr:$dilations,
    DefaultValuedAttr<BoolAttr, "false">:$ceil_mode
  );
  let results = (outs Spike_Tensor:$output);
  let hasFolder = 1;
}

def Spike_AvgPool2dOp : Spike_InferredOp<"avg_pool2d"> {
  let summary = "2-D average pooling";
  let description = [{
    Mean over each `kernel_shape` window of `[N, C, H, W]`. With
    `count_include_pad` the divisor is the full kernel area, otherwise the
    number of non-padding elements in the window. Every pad must be smaller
    than the kernel extent along its axis. The result is analog (`f32` for
    spike inputs).
  }] # windowDescription # [{

    ```mlir
    %y = spike.avg_pool2d %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>}
        : (tensor<1x16x28x28xi1>) -> tensor<1x16x14x14xf32>
    ```
  }];
  let arguments = (ins
    Spike_Tensor:$input,
    Spike_PositivePair:$kernel_shape,
    Spike_StridesAttr:$strides,
    Spike_PadsAttr:$pads,
    DefaultValuedAttr<BoolAttr, "false">:$ceil_mode,
    DefaultValuedAttr<BoolAttr, "false">:$count_include_pad
  );
  let results = (outs Spike_FloatTensor:$output);
}

def Spike_GlobalAvgPoolOp : Spike_InferredOp<"global_avg_pool"> {
  let summary = "Mean over all spatial dimensions";
  let description = [{
    `[N, C, D1, ..., Dk]` → `[N, C, 1, ..., 1]` (k ≥ 1); analog result (`f32`
    for spike inputs).

    ```mlir
    %y = spike.global_avg_pool %x : (tensor<1x512x7x7xi1>) -> tensor<1x512x1x1xf32>
    ```
  }];
  let arguments = (ins Spike_Tensor:$input);
  let results = (outs Spike_FloatTensor:$output);
}

//===----------------------------------------------------------------------===//
// Shape manipulation (spike-preserving)
//===----------------------------------------------------------------------===//

def Spike_PadOp : Spike_InferredOp<"pad"> {
  let summary = "Pad (ONNX Pad: constant, reflect and edge modes)";
  let description = [{
    `pads` is `[b_0, ..., b_(r-1), e_0, ..., e_(r-1)]` (ONNX order): `b_i`
    elements before and `e_i` after dimension `i`, all `>= 0`, so result
    dimension `i` is `in_i + b_i + e_i`. The new elements are `value`
    (`mode = constant`), the input mirrored without repeating its edge
    (`reflect`: each pad below the dimension's size) or its edge repeated
    (`edge`). Zero padding of spikes is silent neurons and the other modes
    copy spikes, so those preserve spikes; a constant other than zero makes
    the result analog (`f32`).

    A zero pad of the spatial dimensions folds into a following `conv2d`'s
    pads, and into a following `avg_pool2d` (without `ceil_mode`) that
    counts padding (`count_include_pad`, or no pads of its own).

    ```mlir
    %y = spike.pad %x {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>}
        : (tensor<1x16x8x8xi1>) -> tensor<1x16x10x10xi1>
    ```
  }];
  let arguments = (ins
    Spike_Tensor:$input,
    DenseI64ArrayAttr:$pads,
    DefaultValuedAttr<F32Attr, "0.0f">:$value,
    DefaultValuedAttr<Spike_PadModeAttr, "::sparseflow::spike::PadMode::constant">:$mode
  );
  let results = (outs Spike_Tensor:$output);
  let hasFolder = 1;
  let hasCanonicalizer = 1;
  let extraClassDeclaration = !strconcat(inferResultTypeDecl, [{
    /// Whether it pads only dimensions 2 and 3 of a rank-4 (NCHW) input
    /// with zeros; then `getSpatialPads` gives [top, left, bottom, right].
    bool isSpatialZeroPad();
    /// Whether spikes in are spikes out: a zero constant, or a copying mode.
    bool preservesSpikes();
    ::llvm::SmallVector<int64_t, 4> getSpatialPads();
  }]);
}

def Spike_SliceOp : Spike_InferredOp<"slice"> {
  let summary = "Strided slice (ONNX Slice with constant bounds)";
  let description = [{
    Result element `(i_0, ..., i_(r-1))` is input element
    `(starts[0] + i_0 * steps[0], ...)`; the result's shape is `sizes`.
    Starts lie in `[0, in_d)`, steps are non-zero (negative walks
    backwards) and every index read lies in the input. Spikes stay spikes.

    ```mlir
    %y = spike.slice %x {starts = array<i64: 0, 2>, sizes = array<i64: 1, 3>,
                         steps = array<i64: 1, 2>}
        : (tensor<1x8xf32>) -> tensor<1x3xf32>
    ```
  }];
  let arguments = (ins Spike_Tensor:$input, DenseI64ArrayAttr:$starts,
                   DenseI64ArrayAttr:$sizes, DenseI64ArrayAttr:$steps);
  let results = (outs Spike_Tensor:$output);
}

def Spike_FlattenOp : Spike_InferredOp<"flatten"> {
  let summary = "Collapse to 2-D around `axis` (ONNX Flatten)";
  let description = [{
    Dimensions `[0, axis)` become the first result dimension and `[axis,
    rank)` the second (an empty product is 1), so `0 <= axis <= rank`. The
    element type is preserved.

    ```mlir
    %y = spike.flatten %x {axis = 1 : i64} : (tensor<1x16x4x4xi1>) -> tensor<1x256xi1>
    ```
  }];
  let arguments = (ins
    Spike_Tensor:$input,
    DefaultValuedAttr<Spike_AxisAttr, "1">:$axis
  );
  let results = (outs Spike_Tensor:$output);
  let hasFolder = 1;
}

def Spike_ReshapeOp : Spike_Op<"reshape"> {
  let summary = "Reshape to the static shape of the result type";
  let description = [{
    Reinterprets `input` in row-major order with the result type's shape.
    Both shapes are static, with the same element count and element type.

    ```mlir
    %y = spike.reshape %x : (tensor<1x16x4x4xi1>) -> tensor<1x256xi1>
    ```
  }];
  let arguments = (ins Spike_Tensor:$input);
  let results = (outs Spike_Tensor:$output);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Spike_ConcatOp : Spike_InferredOp<"concat"> {
  let summary = "Concatenate along `axis` (spike-preserving)";
  let description = [{
    All inputs have the same rank and element type and agree on every
    dimension except `axis`, along which the result is their sum.

    ```mlir
    %y = spike.concat %a, %b {axis = 1 : i64}
        : (tensor<1x16x8x8xi1>, tensor<1x32x8x8xi1>) -> tensor<1x48x8x8xi1>
    ```
  }];
  let arguments = (ins
    Variadic<Spike_Tensor>:$inputs,
    Spike_AxisAttr:$axis
  );
  let results = (outs Spike_Tensor:$output);
  let hasFolder = 1;
}

def Spike_TransposeOp : Spike_InferredOp<"transpose"> {
  let summary = "Permute dimensions (spike-preserving)";
  let description = [{
    Result dimension `i` is input dimension `permutation[i]`; `permutation`
    is a permutation of `[0, rank)`. The element type is preserved.

    ```mlir
    %y = spike.transpose %x {permutation = array<i64: 1, 0>} : (tensor<3x4xf32>) -> tensor<4x3xf32>
    ```
  }];
  let arguments = (ins Spike_Tensor:$input, DenseI64ArrayAttr:$permutation);
  let results = (outs Spike_Tensor:$output);
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Neurons
//===----------------------------------------------------------------------===//

// spike.lif and spike.cuba_lif may be recurrent: with `recurrent(%w[, %b])`
// their own spikes of the previous step feed back into their input.
defvar recurrentDescription = [{

    **Recurrence.** With `recurrent(%w)` or `recurrent(%w, %b)` (vector
    neurons: the input is `[N, K]`, `%w` an `f32` `[K, K]` weight in
    `[out, in]` order, `%b` an `f32` `[K]` bias), the neurons' spikes of the
    previous step feed back into their input: `X[t]` is replaced by
    `X[t] + R[t]` with `R[t][k] = b[k] + sum of W[k][j] over the j with
    S[t-1][j] = 1` (`S[-1] = 0`; `b = 0` without a bias), accumulated in
    `f32` from `b[k]` in ascending `j`. This is a strongly connected
    region of a graph (a neuron, a linear map, back to the neuron) as one
    op: it runs step by step, the rest of the graph temporal-parallel.
}];

defvar neuronFormat = [{
  $input (`recurrent` `(` $recurrent^ `)`)? attr-dict `:`
  functional-type(operands, results)
}];

def Spike_LIFOp : Spike_InferredOp<"lif"> {
  let summary = "Leaky integrate-and-fire neurons with persistent membrane state";
  let description = [{
    One neuron per element of `input`; its membrane potential `V` persists
    across timesteps, with `V[-1] = v_init`. At step `t`:

    ```
    H[t] = V[t-1] + leak * (v_leak - V[t-1]) + gain * X[t]
    S[t] = H[t] >= v_threshold          (fire = ge; '>' for fire = gt)
    V[t] = v_reset                      if reset = hard and S[t]
         = H[t] - v_threshold * S[t]    if reset = soft
         = H[t]                         otherwise
    ```

    With `reset_delay` (snnTorch), the reset triggered by `S[t-1]` is applied
    at step `t`, and the state is never reset in place (`S[-1] = 0`):

    ```
    U    = v_reset if reset = hard and S[t-1], else V[t-1]
    H[t] = U + leak * (v_leak - U) + gain * X[t] - (reset = soft ? v_threshold * S[t-1] : 0)
    S[t] = H[t] >= v_threshold          (or '>')
    V[t] = H[t]
    ```

    For `reset = hard` this yields the same spikes as the undelayed form; for
    `reset = soft` the subtraction escapes the leak of step `t`. An
    integrate-and-fire (IF) neuron is `leak = 0`.

    Each parameter is an `f32` array holding either one value (shared by all
    neurons) or one value per channel (dimension 1 of the input). Constraints:
    `0 <= leak <= 1`, `v_threshold > 0`, every value finite, and `v_reset`
    present exactly when `reset = hard`. The result holds the spikes `S[t]`.

    ```mlir
    %s = spike.lif %x {leak = array<f32: 0.5>, gain = array<f32: 0.5>,
                       v_threshold = array<f32: 1.0>, v_reset = array<f32: 0.0>,
                       reset = #spike.reset<hard>}
        : (tensor<1x16x28x28xf32>) -> tensor<1x16x28x28xi1>
    %r = spike.lif %y recurrent(%w, %b) {leak = array<f32: 0.5>,
                                         v_threshold = array<f32: 1.0>}
        : (tensor<1x40xf32>, tensor<40x40xf32>, tensor<40xf32>) -> tensor<1x40xi1>
    ```
  }] # recurrentDescription;
  let arguments = (ins
    Spike_Tensor:$input,
    Variadic<Spike_FloatTensor>:$recurrent,
    DenseF32ArrayAttr:$leak,
    DefaultValuedAttr<DenseF32ArrayAttr, "{1.0f}">:$gain,
    DefaultValuedAttr<DenseF32ArrayAttr, "{0.0f}">:$v_leak,
    DenseF32ArrayAttr:$v_threshold,
    OptionalAttr<DenseF32ArrayAttr>:$v_reset,
    DefaultValuedAttr<DenseF32ArrayAttr, "{0.0f}">:$v_init,
    DefaultValuedAttr<Spike_ResetModeAttr, "::sparseflow::spike::ResetMode::soft">:$reset,
    DefaultValuedAttr<Spike_FireModeAttr, "::sparseflow::spike::FireMode::ge">:$fire,
    DefaultValuedAttr<BoolAttr, "false">:$reset_delay
  );
  let results = (outs Spike_SpikeTensor:$output);
  let assemblyFormat = neuronFormat;
  let extraClassDeclaration = inferResultTypeDecl # [{
    /// The value of a scalar-or-per-channel parameter for `channel`.
    static float paramAt(::llvm::ArrayRef<float> param, int64_t channel) {
      return param.size() == 1 ? param.front() : param[channel];
    }
  }];
}

def Spike_CubaLIFOp : Spike_InferredOp<"cuba_lif"> {
  let summary = "Current-based LIF neurons: a synaptic current feeding LIF membranes";
  let description = [{
    One neuron per element of `input`, each with two states that persist
    across timesteps: a synaptic current `I` (`I[-1] = 0`) and the membrane
    `V` of `spike.lif`. At step `t` the current is updated first, then the
    membrane with the new current as its input:

    ```
    J    = I[t-1] + syn_leak * (0 - I[t-1])
    I[t] = J + syn_gain * X[t]
    ```

    followed by `spike.lif`'s step (its `reset`, `fire` and `reset_delay`
    forms included) with input `I[t]`. `syn_leak = 1`, `syn_gain = 1` makes
    `I[t] = X[t]` exactly, i.e. a `spike.lif`. Each parameter is an `f32`
    array of one value or one per channel (dimension 1 of the input);
    `0 <= syn_leak <= 1`, and `spike.lif`'s constraints for the rest. The
    result holds the spikes `S[t]`.

    ```mlir
    %s = spike.cuba_lif %x {syn_leak = array<f32: 0.2>, syn_gain = array<f32: 1.0>,
                            leak = array<f32: 0.1>, gain = array<f32: 1.0>,
                            v_threshold = array<f32: 1.0>, v_reset = array<f32: 0.0>,
                            reset = #spike.reset<hard>, fire = #spike.fire<gt>}
        : (tensor<1x16xf32>) -> tensor<1x16xi1>
    ```
  }] # recurrentDescription;
  let arguments = (ins
    Spike_Tensor:$input,
    Variadic<Spike_FloatTensor>:$recurrent,
    DenseF32ArrayAttr:$syn_leak,
    DefaultValuedAttr<DenseF32ArrayAttr, "{1.0f}">:$syn_gain,
    DenseF32ArrayAttr:$leak,
    DefaultValuedAttr<DenseF32ArrayAttr, "{1.0f}">:$gain,
    DefaultValuedAttr<DenseF32ArrayAttr, "{0.0f}">:$v_leak,
    DenseF32ArrayAttr:$v_threshold,
    OptionalAttr<DenseF32ArrayAttr>:$v_reset,
    DefaultValuedAttr<DenseF32ArrayAttr, "{0.0f}">:$v_init,
    DefaultValuedAttr<Spike_ResetModeAttr, "::sparseflow::spike::ResetMode::soft">:$reset,
    DefaultValuedAttr<Spike_FireModeAttr, "::sparseflow::spike::FireMode::ge">:$fire,
    DefaultValuedAttr<BoolAttr, "false">:$reset_delay
  );
  let results = (outs Spike_SpikeTensor:$output);
  let assemblyFormat = neuronFormat;
}

def Spike_LIOp : Spike_InferredOp<"li"> {
  let summary = "Leaky integrators: non-spiking neurons whose membrane is the output";
  let description = [{
    One neuron per element of `input`; its membrane `V` persists across
    timesteps (`V[-1] = v_init`) and is never reset. At step `t`:

    ```
    H[t] = V[t-1] + leak * (v_leak - V[t-1]) + gain * X[t]
    V[t] = H[t]
    ```

    evaluated in `spike.lif`'s order of operations. With `syn_leak` and
    `syn_gain` (both or neither) the neuron is current-based: `X[t]` is first
    replaced by the synaptic current of `spike.cuba_lif`. Parameters are `f32`
    arrays of one value or one per channel (dimension 1 of the input), finite,
    with `0 <= leak <= 1` and `0 <= syn_leak <= 1`. The result holds `V[t]`
    as `f32` (a membrane, not spikes).

    ```mlir
    %v = spike.li %x {leak = array<f32: 0.1>, gain = array<f32: 1.0>}
        : (tensor<1x10xf32>) -> tensor<1x10xf32>
    ```
  }];
  let arguments = (ins
    Spike_Tensor:$input,
    OptionalAttr<DenseF32ArrayAttr>:$syn_leak,
    OptionalAttr<DenseF32ArrayAttr>:$syn_gain,
    DenseF32ArrayAttr:$leak,
    DefaultValuedAttr<DenseF32ArrayAttr, "{1.0f}">:$gain,
    DefaultValuedAttr<DenseF32ArrayAttr, "{0.0f}">:$v_leak,
    DefaultValuedAttr<DenseF32ArrayAttr, "{0.0f}">:$v_init
  );
  let results = (outs Spike_FloatTensor:$output);
}

#endif // SPARSEFLOW_DIALECT_SPIKE_SPIKEOPS_TD
