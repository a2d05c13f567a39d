// What spike-quantize and spikecore-codegen cannot do exactly is an error
// naming the layer and the reason.
// RUN: not sf-opt %s --split-input-file --spike-tag-lif-successors --spike-partition="targets=spikecore" --spike-quantize --spikecore-codegen="spikecore-config=%S/Inputs/tiny-spikecore.json" 2>&1 | FileCheck %s

module attributes {spike.model = #spike.model<timesteps = 1, encoding = direct, readout = mean>} {
  func.func @mlp(%x: tensor<1x4xf32>) -> tensor<1x2xf32> {
    %w = arith.constant dense<0.5> : tensor<2x4xf32>
    // CHECK: error: {{.*}}spikecore layer 'fc1+relu1': its graded input is model input #0, whose range only calibration data can give; pass --calibration=inputs.npy (a batch of model inputs)
    %h = spike.linear %x, %w : (tensor<1x4xf32>, tensor<2x4xf32>) -> tensor<1x2xf32> loc("fc1")
    %y = spike.relu %h : (tensor<1x2xf32>) -> tensor<1x2xf32> loc("relu1")
    return %y : tensor<1x2xf32>
  }
}

// -----

module attributes {spike.model = #spike.model<timesteps = 2, encoding = spikes, readout = mean>} {
  func.func @snn(%x: tensor<1x4xf32>) -> tensor<1x2xi1> {
    %w = arith.constant dense<0.5> : tensor<2x4xf32>
    // CHECK: error: {{.*}}spikecore layer 'fc1+lif1': per-layer quantization needs one v_threshold / gain for all neurons (the threshold must be a whole number of one shared unit); quantize per channel instead
    %h = spike.linear %x, %w : (tensor<1x4xf32>, tensor<2x4xf32>) -> tensor<1x2xf32> loc("fc1")
    %s = spike.lif %h {leak = array<f32: 0.0>, v_threshold = array<f32: 1.0, 2.0>} : (tensor<1x2xf32>) -> tensor<1x2xi1> loc("lif1")
    return %s : tensor<1x2xi1>
  }
}

// -----

module attributes {spike.model = #spike.model<timesteps = 2, encoding = spikes, readout = mean>} {
  func.func @snn(%x: tensor<1x4xf32>) -> tensor<1x2xi1> {
    %w = arith.constant dense<0.5> : tensor<2x4xf32>
    // CHECK: error: {{.*}}spikecore layer 'fc1+lif1': v_reset = 0.3 is not the same whole number of membrane units for every neuron (unit = v_threshold / 254); SpikeCore's FIRE resets to one integer
    %h = spike.linear %x, %w : (tensor<1x4xf32>, tensor<2x4xf32>) -> tensor<1x2xf32> loc("fc1")
    %s = spike.lif %h {leak = array<f32: 0.0>, v_threshold = array<f32: 1.0>, v_reset = array<f32: 0.3>, reset = #spike.reset<hard>} : (tensor<1x2xf32>) -> tensor<1x2xi1> loc("lif1")
    return %s : tensor<1x2xi1>
  }
}

// -----

// 100 int8 weights per neuron do not fit a 64-byte core.
module attributes {spike.model = #spike.model<timesteps = 2, encoding = spikes, readout = mean>} {
  func.func @snn(%x: tensor<1x100xf32>) -> tensor<1x2xf32> {
    %w = arith.constant dense<0.5> : tensor<2x100xf32>
    // CHECK: error: {{.*}}layer fc1: one neuron needs 100 B of core memory (100 int8 weights); a core has 64 B
    %h = spike.linear %x, %w : (tensor<1x100xf32>, tensor<2x100xf32>) -> tensor<1x2xf32> loc("fc1")
    return %h : tensor<1x2xf32>
  }
}

// -----

// Each neuron fits a core, but the layer does not fit all of them.
module attributes {spike.model = #spike.model<timesteps = 2, encoding = spikes, readout = mean>} {
  func.func @snn(%x: tensor<1x30xf32>) -> tensor<1x10xf32> {
    %w = arith.constant dense<0.5> : tensor<10x30xf32>
    // CHECK: error: {{.*}}layer fc1: 30 inputs x 10 neurons need 300 B of weight memory; 4 cores x 64 B = 256 B available
    %h = spike.linear %x, %w : (tensor<1x30xf32>, tensor<10x30xf32>) -> tensor<1x10xf32> loc("fc1")
    return %h : tensor<1x10xf32>
  }
}
