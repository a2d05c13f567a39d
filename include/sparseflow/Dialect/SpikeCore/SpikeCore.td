//===- SpikeCore.td - spikecore dialect --------------------*- tablegen -*-===//
//
// Part of SparseFlow.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEFLOW_DIALECT_SPIKECORE_SPIKECORE_TD
#define SPARSEFLOW_DIALECT_SPIKECORE_SPIKECORE_TD

include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/DialectBase.td"
include "mlir/IR/EnumAttr.td"
include "mlir/IR/OpBase.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def SpikeCore_Dialect : Dialect {
  let name = "spikecore";
  let cppNamespace = "::sparseflow::spikecore";
  let summary = "Quantized layers and instructions of the SpikeCore target";
  let description = [{
    The `spikecore` dialect is the SpikeCore target's IR. `spike-quantize`
    turns each `spike.linear` placed on SpikeCore, with the `spike.lif` or
    `spike.relu` that follows it, into one `spikecore.layer`: int8 weights,
    int32 bias and the neuron's integer parameters, in units of the layer's
    membrane scale. `spikecore-codegen` allocates the layer's neurons to
    cores and fills its routine with the ISA's instructions (`spikecore.acc`,
    `spikecore.leak`, `spikecore.fire`, ...), one op per instruction of
    docs/spikecore-isa.md, ending with `spikecore.halt`.

    Values between layers keep the float model's meaning: a spiking layer
    yields `i1` spikes, a graded (ReLU) layer the dequantized values
    `q * output_scale` with `q` in 0..255, a readout layer its membrane
    `V * scale`.
  }];
  let useDefaultAttributePrinterParser = 1;
}

class SpikeCore_Op<string mnemonic, list<Trait> traits = []>
    : Op<SpikeCore_Dialect, mnemonic, traits>;

//===----------------------------------------------------------------------===//
// Enums
//===----------------------------------------------------------------------===//

def SpikeCore_OutputSpikes : I32EnumAttrCase<"spikes", 0>;
def SpikeCore_OutputGraded : I32EnumAttrCase<"graded", 1>;
def SpikeCore_OutputReadout : I32EnumAttrCase<"readout", 2>;
def SpikeCore_OutputKind : I32EnumAttr<"OutputKind",
    "what a SpikeCore layer emits",
    [SpikeCore_OutputSpikes, SpikeCore_OutputGraded, SpikeCore_OutputReadout]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::sparseflow::spikecore";
}
def SpikeCore_OutputKindAttr
    : EnumAttr<SpikeCore_Dialect, SpikeCore_OutputKind, "output">;

def SpikeCore_ResetHard : I32EnumAttrCase<"hard", 0>;
def SpikeCore_ResetSoft : I32EnumAttrCase<"soft", 1>;
def SpikeCore_ResetNone : I32EnumAttrCase<"none", 2>;
def SpikeCore_ResetKind : I32EnumAttr<"ResetKind", "FIRE's reset",
    [SpikeCore_ResetHard, SpikeCore_ResetSoft, SpikeCore_ResetNone]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::sparseflow::spikecore";
}
def SpikeCore_ResetKindAttr
    : EnumAttr<SpikeCore_Dialect, SpikeCore_ResetKind, "reset">;

//===----------------------------------------------------------------------===//
// Layers
//===----------------------------------------------------------------------===//

def SpikeCore_LayerOp : SpikeCore_Op<"layer", [
    SingleBlock, IsolatedFromAbove, Pure]> {
  let summary = "A quantized layer of neurons and its timestep routine";
  let description = [{
    `M` neurons with `K = fan-in` int8 weights each (`weights`, `[M, K]`),
    an optional int32 `bias` (`[M]`), and int32 membranes. With
    `spike_input` the input is spikes (`i1`, or a model input under the
    `rate` or `spikes` encoding), each a `(axon, 1)` event; otherwise graded
    values (`f32`, quantized to `(axon, round(x / input_scale))` with
    payloads 0..255).

    `scale` is the float value of one membrane unit, per neuron (one value
    per output channel) or shared (one value): the weights' scale times
    `input_scale` times the neuron's `gain`. A spiking layer's `threshold`,
    `vreset` and the leak `leak_mul / 2^leak_shift` are in those units. A
    graded layer requantizes its ReLU output to payloads with
    `out_mul / 2^out_shift` (`output_scale` is then one payload's value). A
    readout layer returns `V * scale` each step.

    `spikecore-codegen` sets the allocation (`first_core`, `cores`,
    `neurons_per_core`: core `c` holds neurons `c * neurons_per_core` up to
    the next core's) and the routine every core of the layer runs, one
    instruction op per ISA instruction, ending with `spikecore.halt`. Before
    codegen the region is empty.
  }];
  let arguments = (ins
    AnyRankedTensor:$input,
    StrAttr:$name,
    UnitAttr:$spike_input,
    ElementsAttr:$weights,
    OptionalAttr<ElementsAttr>:$bias,
    F64Attr:$input_scale,
    DenseF64ArrayAttr:$scale,
    SpikeCore_OutputKindAttr:$output,
    // Spiking neurons.
    DefaultValuedAttr<SI32Attr, "0">:$leak_mul,
    DefaultValuedAttr<SI32Attr, "0">:$leak_shift,
    DefaultValuedAttr<SI32Attr, "0">:$threshold,
    DefaultValuedAttr<SI32Attr, "0">:$vreset,
    DefaultValuedAttr<SpikeCore_ResetKindAttr,
                      "::sparseflow::spikecore::ResetKind::hard">:$reset,
    UnitAttr:$greater,
    // Graded neurons.
    DefaultValuedAttr<SI32Attr, "0">:$out_mul,
    DefaultValuedAttr<SI32Attr, "0">:$out_shift,
    DefaultValuedAttr<F64Attr, "0.0">:$output_scale,
    // Allocation (spikecore-codegen).
    OptionalAttr<SI64Attr>:$first_core,
    OptionalAttr<SI64Attr>:$cores,
    OptionalAttr<SI64Attr>:$neurons_per_core
  );
  let results = (outs AnyRankedTensor:$result);
  let regions = (region AnyRegion:$routine);
  let assemblyFormat = [{
    $name $input attr-dict `:` type($input) `->` type($result) $routine
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    int64_t getFanIn();
    int64_t getNeuronCount();
    /// Whether codegen has allocated cores and written the routine.
    bool isAllocated() { return getFirstCore().has_value(); }
    /// Byte offset of the bias in each core's memory, after the weights.
    static int64_t biasOffset(int64_t fanIn, int64_t neuronsPerCore) {
      return (fanIn * neuronsPerCore + 3) / 4 * 4;
    }
    /// Bytes of core memory holding `n` neurons.
    int64_t memoryBytes(int64_t n) {
      return biasOffset(getFanIn(), n) + (getBias() ? 4 * n : 0);
    }
  }];
}

//===----------------------------------------------------------------------===//
// Instructions (docs/spikecore-isa.md)
//===----------------------------------------------------------------------===//

class SpikeCore_InstOp<string mnemonic, list<Trait> traits = []>
    : SpikeCore_Op<mnemonic, !listconcat(traits, [HasParent<"LayerOp">])> {
  let assemblyFormat = "attr-dict";
}

def SpikeCore_NopOp : SpikeCore_InstOp<"nop"> {
  let summary = "NOP: nothing";
}

def SpikeCore_AccOp : SpikeCore_InstOp<"acc"> {
  let summary = "ACC: add the weight row of every queued input event";
  let arguments = (ins SI64Attr:$base);
}

def SpikeCore_BiasOp : SpikeCore_InstOp<"bias"> {
  let summary = "BIAS: add each neuron's int32 bias";
  let arguments = (ins SI64Attr:$base);
}

def SpikeCore_LeakOp : SpikeCore_InstOp<"leak"> {
  let summary = "LEAK: decay toward vleak by mul / 2^shift";
  let arguments = (ins SI32Attr:$mul, SI32Attr:$shift, SI32Attr:$vleak);
}

def SpikeCore_FireOp : SpikeCore_InstOp<"fire"> {
  let summary = "FIRE: threshold compare, spike emission and reset";
  let arguments = (ins SI32Attr:$threshold, SI32Attr:$vreset,
                   SpikeCore_ResetKindAttr:$reset, UnitAttr:$greater);
}

def SpikeCore_FireGradedOp : SpikeCore_InstOp<"fire_graded"> {
  let summary = "FIRE graded: emit the requantized ReLU output, clear V";
  let arguments = (ins SI32Attr:$mul, SI32Attr:$shift);
}

def SpikeCore_OutOp : SpikeCore_InstOp<"out"> {
  let summary = "OUT: read the membranes out to the host, clear V";
}

def SpikeCore_HaltOp : SpikeCore_InstOp<"halt", [Terminator]> {
  let summary = "HALT: end of the timestep's routine";
}

#endif // SPARSEFLOW_DIALECT_SPIKECORE_SPIKECORE_TD
