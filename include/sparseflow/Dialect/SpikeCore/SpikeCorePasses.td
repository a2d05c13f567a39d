//===- SpikeCorePasses.td - SpikeCore passes ---------------*- tablegen -*-===//
//
// Part of SparseFlow.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEFLOW_DIALECT_SPIKECORE_SPIKECOREPASSES_TD
#define SPARSEFLOW_DIALECT_SPIKECORE_SPIKECOREPASSES_TD

include "mlir/Pass/PassBase.td"

def SpikeQuantize : Pass<"spike-quantize", "::mlir::ModuleOp"> {
  let summary = "Quantize the SpikeCore partitions into spikecore.layer ops";
  let description = [{
    Runs on partitioned IR. In every function placed on `spikecore`, each
    `spike.linear`, with the `spike.lif` or `spike.relu` that consumes it,
    becomes one `spikecore.layer` with int8 weights (symmetric, per layer
    or with `per-channel` per output neuron), an int32 bias and int32
    membranes. docs/spikecore.md gives the arithmetic; in short:

    - The membrane is kept in units `u = gain * s_in * s_W` (`s_in` = 1 for
      spike input), in which every input event adds an integer.
    - Spiking layers choose `s_W` so that `v_threshold / u` is a whole
      number `θ`; threshold, soft reset and the compare are then exact.
      `v_reset` must be a whole number of units (it is 0 for the usual
      neurons). The leak factor becomes `mul / 2^24`.
    - Graded (ReLU) layers are quantized per layer; their output becomes an
      8-bit payload `q = round(relu(V) * u / s_out)`, with `s_out` =
      calibrated maximum / 255. A graded layer fed by a model input takes
      its input scale from the calibration data too.
    - A linear with no neuron after it is a readout layer: its membrane,
      times `u`, goes back to the host each step.

    `calibration` names a `.npy` file of model inputs (float32, batch
    first); graded layers need it. Each layer records its quantization
    error in `spikecore.error` (relative RMS and largest weight error, bias
    and leak error), which `sfc --report` prints.
  }];
  let options = [
    Option<"perChannel", "per-channel", "bool", /*default=*/"false",
           "One weight scale per output neuron instead of per layer">,
    Option<"calibration", "calibration", "std::string", /*default=*/"",
           "Model inputs (.npy, float32) that set graded layers' ranges">,
  ];
  let dependentDialects = ["::sparseflow::spikecore::SpikeCoreDialect"];
}

def SpikeCoreCodegen : Pass<"spikecore-codegen", "::mlir::ModuleOp"> {
  let summary = "Allocate SpikeCore layers to cores and write their routines";
  let description = [{
    Gives every `spikecore.layer` its cores and its timestep routine, after
    checking that the model fits the target description:

    - A core holds at most `neurons_per_core` neurons, and their weights
      (`fan-in` bytes per neuron, rows of `n` bytes per input axon) and
      biases (4 bytes per neuron) in `weight_memory_bytes_per_core`.
    - Each layer first gets the fewest cores that hold it; the remaining
      cores then go, one at a time, to the layer whose cores hold the most
      neurons. A core's neurons share its datapath (time-multiplexed): its
      instructions cost per neuron.
    - When the layers need more cores than the target has, or one neuron's
      weights exceed a core's memory, the error names the layer, the
      resource and the numbers.

    The routine of a spiking layer is `LEAK` (if it leaks), `ACC`, `BIAS`
    (if it has a bias), `FIRE`, `HALT`; a graded one ends with `FIRE
    graded`, a readout one with `OUT`. The target description is stored in
    the module as `spikecore.target` for the artifact writer.
  }];
  let options = [
    Option<"spikecoreConfig", "spikecore-config", "std::string",
           /*default=*/"", "SpikeCore target description (JSON)">,
  ];
}

#endif // SPARSEFLOW_DIALECT_SPIKECORE_SPIKECOREPASSES_TD
