//===- PlanPasses.td - plan dialect passes -----------------*- tablegen -*-===//
//
// Part of SparseFlow.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEFLOW_DIALECT_PLAN_PLANPASSES_TD
#define SPARSEFLOW_DIALECT_PLAN_PLANPASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertSpikeToPlan : Pass<"convert-spike-to-plan", "::mlir::ModuleOp"> {
  let summary = "Lower partitioned spike and spikecore IR to an execution plan";
  let description = [{
    Inlines the partition functions back into the model function in order,
    each op keeping its target, then converts every op with the pattern set
    of its target (host, gpu, spikecore): a target runs an op exactly when
    its pattern for the op matches, and the pattern chooses the kernel. A
    host or gpu conv2d/linear whose input arrives as packed spikes gets the
    `sparse_binary` kernel where the target has one (and `spike.block_size`
    as its block); a dense kernel reading spikes gets them through an
    `Unpack`, made once per value. Ops that preserve spikes (max pooling,
    reshapes, transpose, concat of spikes) keep them packed. Constants become
    `plan.constant`s in f32, as imported (`as_is`).

    The model inputs are packed spikes under rate and spike encodings, and
    the outputs are float: a spike output is unpacked.
  }];
  let options = [
    Option<"sparseKernels", "sparse-kernels", "bool", /*default=*/"true",
           "Choose sparse kernels for spike inputs (false: dense only)">,
  ];
  let dependentDialects = ["::sparseflow::plan::PlanDialect"];
}

def PlanFuseNeurons : Pass<"plan-fuse-neurons", "::mlir::ModuleOp"> {
  let summary = "Run a sparse synaptic layer and the LIF neurons it feeds as one kernel";
  let description = [{
    Replaces a host `sparse_binary` `Conv2d` or `Linear` whose only reader is
    a host `LIF`, or a host `Add` of it and a residual of the same shape
    whose only reader is a host `LIF` (a residual block's end), by one
    `Conv2dLIF` / `LinearLIF` kernel with both ops' parameters (and the
    residual as its last input, `residual = true`; unpacked spikes are read
    packed), named after the layer (profiles, DRAM images and the cost
    model find it by that name): each output's sums of a step go
    straight into its neuron's step, and the result is packed spikes, with
    no float `[T, N, ...]` intermediate. The kernel adds the same floats in
    the same order as the two ops, so the spikes are equal. A host
    `Reshape` between the layer and the LIF that keeps dimensions 0 and 1
    (a Conv1d's `[N, O, 1, L]` back to `[N, O, L]`: every element keeps its
    channel) is moved after the fused kernel, onto the spikes.

    ```mlir
    %y = plan.kernel "Conv2d" "conv" on host sparse_binary(%s, %w) {...}
    %z = plan.kernel "LIF" "lif" on host dense(%y) {...}
    // becomes
    %z = plan.kernel "Conv2dLIF" "conv" on host sparse_binary(%s, %w) {...}
    ```
  }];
}

def PlanArrangeWeights : Pass<"plan-arrange-weights", "::mlir::ModuleOp"> {
  let summary = "Store each weight in the layout its kernel reads";
  let description = [{
    Rewrites the weight operand of every kernel into the layout the kernel
    expects (`plan::requiredWeightLayout`): a dense `Linear` reads `[K, O]`
    (`transposed`), a `sparse_binary` `Conv2d` reads `[C, KH, KW, O/groups]`
    (`chwo`, the outputs of one input tap contiguous for the scatter), and a
    dense `Conv2d` reads the weight `as_is`. A constant read in two layouts is
    stored twice.
  }];
}

def PlanAssignArena : Pass<"plan-assign-arena", "::mlir::ModuleOp"> {
  let summary = "Place every activation in the session's arena";
  let description = [{
    Gives each kernel result and model input an `arena_offset`: tensors whose
    live ranges (from the op that writes them to the last op that reads them;
    model inputs from the start, outputs to the end) overlap get disjoint
    64-byte aligned ranges. Greedy by decreasing size, each tensor at the
    lowest offset that fits between the tensors already placed that are live
    at the same time (the TFLite "greedy by size" planner). Sets the module's
    `plan.arena_size`.
  }];
}

def PlanVerify : Pass<"plan-verify", "::mlir::ModuleOp"> {
  let summary = "Check the contract of a finished execution plan";
  let description = [{
    The "plan" stage contract, which the artifact writer relies on: one
    public function of plan tensors; every op a `plan.constant` or a
    `plan.kernel` of a known kind with its parameters; sparse kernels read
    packed spikes; every weight in the layout of its kernel; every activation
    has an aligned arena offset inside `plan.arena_size`, and no two live at
    the same time overlap. Reports the first violation.
  }];
}

#endif // SPARSEFLOW_DIALECT_PLAN_PLANPASSES_TD
