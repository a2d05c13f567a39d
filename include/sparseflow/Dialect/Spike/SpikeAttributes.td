//===- SpikeAttributes.td - spike dialect attributes -------*- tablegen -*-===//
//
// Part of SparseFlow.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEFLOW_DIALECT_SPIKE_SPIKEATTRIBUTES_TD
#define SPARSEFLOW_DIALECT_SPIKE_SPIKEATTRIBUTES_TD

include "sparseflow/Dialect/Spike/SpikeDialect.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

//===----------------------------------------------------------------------===//
// Enums
//===----------------------------------------------------------------------===//

def Spike_Encoding : I32EnumAttr<"Encoding", "how the analog model input becomes per-timestep input", [
    I32EnumAttrCase<"direct", 0>,
    I32EnumAttrCase<"rate", 1>,
    I32EnumAttrCase<"spikes", 2>
  ]> {
  let cppNamespace = "::sparseflow::spike";
  let genSpecializedAttr = 0;
}

def Spike_Readout : I32EnumAttr<"Readout", "how per-timestep outputs become the model output", [
    I32EnumAttrCase<"mean", 0>,
    I32EnumAttrCase<"sum", 1>,
    I32EnumAttrCase<"last", 2>,
    I32EnumAttrCase<"all", 3>
  ]> {
  let cppNamespace = "::sparseflow::spike";
  let genSpecializedAttr = 0;
}

def Spike_ResetMode : I32EnumAttr<"ResetMode", "membrane reset after a spike", [
    I32EnumAttrCase<"hard", 0>,
    I32EnumAttrCase<"soft", 1>,
    I32EnumAttrCase<"none", 2>
  ]> {
  let cppNamespace = "::sparseflow::spike";
  let genSpecializedAttr = 0;
}

def Spike_FireMode : I32EnumAttr<"FireMode", "threshold comparison that emits a spike", [
    I32EnumAttrCase<"ge", 0>,
    I32EnumAttrCase<"gt", 1>
  ]> {
  let cppNamespace = "::sparseflow::spike";
  let genSpecializedAttr = 0;
}

def Spike_PadMode : I32EnumAttr<"PadMode", "how a pad fills the new elements", [
    I32EnumAttrCase<"constant", 0>,
    I32EnumAttrCase<"reflect", 1>,
    I32EnumAttrCase<"edge", 2>
  ]> {
  let cppNamespace = "::sparseflow::spike";
  let genSpecializedAttr = 0;
}

def Spike_Target : I32EnumAttr<"Target", "where an op runs", [
    I32EnumAttrCase<"host", 0>,
    I32EnumAttrCase<"gpu", 1>,
    I32EnumAttrCase<"spikecore", 2>
  ]> {
  let cppNamespace = "::sparseflow::spike";
  let genSpecializedAttr = 0;
}

def Spike_ResetModeAttr : EnumAttr<Spike_Dialect, Spike_ResetMode, "reset"> {
  let assemblyFormat = "`<` $value `>`";
}

def Spike_FireModeAttr : EnumAttr<Spike_Dialect, Spike_FireMode, "fire"> {
  let assemblyFormat = "`<` $value `>`";
}

def Spike_PadModeAttr : EnumAttr<Spike_Dialect, Spike_PadMode, "pad_mode"> {
  let assemblyFormat = "`<` $value `>`";
}

def Spike_TargetAttr : EnumAttr<Spike_Dialect, Spike_Target, "target"> {
  let summary = "The target an op or an outlined partition runs on";
  let description = [{
    Set by `spike-partition` under the name `spike.target`, on every spike op
    and on each function it outlines: `host` (the CPU runtime), `gpu` (CUDA
    block-sparse kernels) or `spikecore` (the simulated neuromorphic core).

    ```mlir
    func.func private @main_p1_gpu(...) attributes {spike.target = #spike.target<gpu>}
    ```
  }];
  let assemblyFormat = "`<` $value `>`";
}

//===----------------------------------------------------------------------===//
// Model attribute
//===----------------------------------------------------------------------===//

def Spike_ModelAttr : AttrDef<Spike_Dialect, "Model"> {
  let mnemonic = "model";
  let summary = "Model-level execution facts: timesteps, encoding, readout";
  let description = [{
    Attached to the `builtin.module` under the name `spike.model`. It says
    over how many timesteps the per-timestep graph is evaluated, how the
    model input is presented at each step, and how the per-step outputs are
    reduced to the model output:

    - `encoding = direct`: the same analog input at every step;
      `rate`: Bernoulli spikes drawn with the input as probability;
      `spikes`: the caller passes `[T, N, ...]` spikes.
    - `readout = mean | sum | last`: reduce the `T` outputs;
      `all`: return them as `[T, N, ...]`.

    ```mlir
    module attributes {spike.model = #spike.model<timesteps = 4, encoding = direct, readout = mean>} {}
    ```
  }];
  let parameters = (ins
    "int64_t":$timesteps,
    EnumParameter<Spike_Encoding>:$encoding,
    EnumParameter<Spike_Readout>:$readout
  );
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

#endif // SPARSEFLOW_DIALECT_SPIKE_SPIKEATTRIBUTES_TD
