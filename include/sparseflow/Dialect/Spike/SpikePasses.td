//===- SpikePasses.td - spike dialect passes ---------------*- tablegen -*-===//
//
// Part of SparseFlow.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEFLOW_DIALECT_SPIKE_SPIKEPASSES_TD
#define SPARSEFLOW_DIALECT_SPIKE_SPIKEPASSES_TD

include "mlir/Pass/PassBase.td"

def SpikeFoldBatchNorm : Pass<"spike-fold-batchnorm"> {
  let summary = "Fold inference BatchNorm into the preceding conv2d or linear";
  let description = [{
    Rewrites `batch_norm(conv2d(x, W, b))` (and likewise `linear`) into one
    layer with `W'[o] = W[o] * s[o]` and `b'[o] = (b[o] - mean[o]) * s[o] +
    beta[o]`, where `s = gamma / sqrt(var + epsilon)`. Each folded value is
    computed in double precision and rounded to `f32` once. The layer must
    have constant `f32` weights, no other user, and its output channels must
    be the normalized dimension 1. A batch_norm that does not follow such a
    layer stays, and every target runs it.

    ```mlir
    %y = spike.conv2d %x, %w, %b : ...
    %z = spike.batch_norm %y, %gamma, %beta, %mean, %var : ...
    // becomes
    %z = spike.conv2d %x, %w_folded, %b_folded : ...
    ```
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def SpikeReassociateProducts : Pass<"spike-reassociate-products"> {
  let summary = "Multiply chains of spike matrices in their cheaper order";
  let description = [{
    Spikformer's attention `(Q·Kᵀ)·V` (optionally scaled in between) with
    Q, Kᵀ and V neurons' spike trains becomes `Q·(Kᵀ·V)` when that costs
    fewer multiply-adds: `[L, d]` heads with d < L never form the `[L, L]`
    score matrix, and both products read spikes (Kᵀ·V counts coincidences,
    Q selects rows of the result). Every sum is of whole numbers below 2^24,
    which `f32` holds exactly, so the result is equal bit for bit; the
    rewrite applies only where the bound holds. A scale between the products
    moves after them when it is a power of two (exact as well).

    ```mlir
    %s = spike.matmul %q, %kt : (tensor<1x64x32xi1>, tensor<1x32x64xi1>) -> tensor<1x64x64xf32>
    %a = spike.mul %s, %c0_125 : (tensor<1x64x64xf32>, tensor<f32>) -> tensor<1x64x64xf32>
    %y = spike.matmul %a, %v : (tensor<1x64x64xf32>, tensor<1x64x32xi1>) -> tensor<1x64x32xf32>
    // becomes
    %m = spike.matmul %kt, %v : (tensor<1x32x64xi1>, tensor<1x64x32xi1>) -> tensor<1x32x32xf32>
    %p = spike.matmul %q, %m : (tensor<1x64x32xi1>, tensor<1x32x32xf32>) -> tensor<1x64x32xf32>
    %y = spike.mul %p, %c0_125 : (tensor<1x64x32xf32>, tensor<f32>) -> tensor<1x64x32xf32>
    ```
  }];
}

def SpikeTagLIFSuccessors : Pass<"spike-tag-lif-successors", "::mlir::ModuleOp"> {
  let summary = "Mark every op that consumes a spike train";
  let description = [{
    Sets the unit attribute `spike.spike_input` on every spike op with an
    operand that carries spikes, and removes it from every other op. A value
    carries spikes when it is:

    - an `i1` tensor (the output of `spike.lif` and of spike-preserving ops
      applied to it), or
    - an argument of a public function of a module whose `#spike.model`
      encoding is `rate` or `spikes` (the encoded input is binary), or the
      result of a spike-preserving op (`max_pool2d`, `flatten`, `reshape`,
      `transpose`, and `concat` of spike trains only) applied to one.

    Value-changing ops (`avg_pool2d`, `global_avg_pool`, `add`, `mul`, ...) may
    consume spikes, and are tagged then, but their results are analog. With
    `direct` encoding the model input is analog, so the first layer is not a
    spike consumer.
  }];
}

def SpikeSelectBlockSize : Pass<"spike-select-block-size", "::mlir::ModuleOp"> {
  let summary = "Choose the zero-block size of each spike-consuming conv2d and linear";
  let description = [{
    Sets `spike.block_size` on every `spike.conv2d` and `spike.linear` tagged
    `spike.spike_input`. The sparse kernels skip all-zero blocks of the
    input spikes: for conv2d a block is a `B x B` spatial tile of one input
    channel, for linear a run of `B` consecutive input features. `0` selects
    the dense kernel.

    The rule, from the input feature-map height `H` of a conv2d:
    `H >= large-height` gets `large-block`, `medium-height <= H <
    large-height` gets `medium-block`, smaller maps are dense. A linear layer
    with `K` input features: `K >= linear-large-features` gets `large-block`,
    `linear-medium-features <= K` gets `medium-block`, smaller is dense.

    The size of an op comes from, in order: the first rule of the `placement`
    file that matches it and sets `block_size`; a `spike.block_size` already
    on the op (written in the IR); the `block-size` option when it is not
    `auto`; the rule.
  }];
  let options = [
    Option<"blockSize", "block-size", "std::string", "\"auto\"",
           "Block size for every tagged layer: auto (the rule), or 0 / a power of two up to 64">,
    Option<"largeHeight", "large-height", "int64_t", "56",
           "Smallest conv input height that gets large-block">,
    Option<"mediumHeight", "medium-height", "int64_t", "14",
           "Smallest conv input height that gets medium-block">,
    Option<"largeBlock", "large-block", "int64_t", "16",
           "Block size of large feature maps and wide linear layers">,
    Option<"mediumBlock", "medium-block", "int64_t", "8",
           "Block size of medium feature maps and linear layers">,
    Option<"linearLargeFeatures", "linear-large-features", "int64_t", "1024",
           "Smallest linear input width that gets large-block">,
    Option<"linearMediumFeatures", "linear-medium-features", "int64_t", "128",
           "Smallest linear input width that gets medium-block">,
    Option<"placementFile", "placement", "std::string", "",
           "Placement file (JSON) whose block_size rules override the rule">
  ];
}

def SpikePartition : Pass<"spike-partition", "::mlir::ModuleOp"> {
  let summary = "Assign each op a target and outline same-target regions";
  let description = [{
    Gives every spike op of each public function exactly one target from
    `targets` (`host`, `gpu`, `spikecore`), records it as `spike.target`,
    then outlines each maximal run of consecutive same-target ops into a
    private function `@<func>_p<i>_<target>` carrying that target, which the
    original function calls. Constants are cloned into every partition that
    uses them.

    A target can take an op when its capability table allows the op's kind,
    shapes, kernel, groups, element type and input (spike or analog), and,
    for `spikecore`, the size limits of the target description
    (`spikecore-config`). The target of an op is, in order:

    1. the first rule of the `placement` file that matches it and names a
       target; the target must be in `targets` and able to run the op, or
       the pass fails naming the node, the target and the unmet constraint;
    2. for an op tagged `spike.spike_input`, the first target after `host`
       in `targets` (in the order written) with a spike kernel for it;
    3. for a `spike.lif` fed by a `spikecore` op, `spikecore` when it can run
       the neuron (its membrane lives in the core);
    4. `host`, or the first target in `targets` that can run the op.

    A `spike.block_size` above 0 on an op whose target has no block-sparse
    kernel for it becomes 0 (the dense kernel) unless a placement rule asked
    for that size, which is an error. `spikecore` is event-driven and drops
    block sizes.
  }];
  let options = [
    ListOption<"targets", "targets", "std::string",
               "Targets to place ops on, in order of preference (default: host)">,
    Option<"placementFile", "placement", "std::string", "",
           "Placement file (JSON) with rules matching op kind and node name">,
    Option<"spikecoreConfig", "spikecore-config", "std::string", "",
           "SpikeCore target description (JSON); built-in defaults otherwise">
  ];
  let dependentDialects = ["::mlir::func::FuncDialect"];
}

def SpikeVerifyStage : Pass<"spike-verify-stage", "::mlir::ModuleOp"> {
  let summary = "Check the contract of a pipeline stage";
  let description = [{
    Fails with a diagnostic on the first op that breaks the contract of
    `stage`:

    - `tagged`: an op carries `spike.spike_input` exactly when it consumes a
      spike train, and every tagged conv2d/linear carries `spike.block_size`.
    - `partitioned`: every spike op carries one `spike.target` and lives in a
      private function with the same target; public functions hold only
      calls to partitions, constants and the return; a block size above 0
      only on ops whose target has a block-sparse kernel for them.
  }];
  let options = [
    Option<"stage", "stage", "std::string", "\"partitioned\"",
           "The stage whose contract to check: tagged | partitioned">,
    Option<"spikecoreConfig", "spikecore-config", "std::string", "",
           "SpikeCore target description used by the capability checks">
  ];
}

#endif // SPARSEFLOW_DIALECT_SPIKE_SPIKEPASSES_TD
