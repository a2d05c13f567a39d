// RUN: sf-opt %s --split-input-file --convert-spike-to-plan --verify-diagnostics

// Each refusal says why, once (and names the ONNX node where the op has one:
// test/sfc).

module attributes {spike.model = #spike.model<timesteps = 2, encoding = direct, readout = mean>} {
  func.func @main(%x: tensor<1x8xf32>, %w: tensor<4x8xf32>) -> tensor<1x4xf32> {
    // expected-error @+1 {{expected a constant weight operand; weights computed at run time are not supported by the runtime}}
    %y = spike.linear %x, %w : (tensor<1x8xf32>, tensor<4x8xf32>) -> tensor<1x4xf32>
    return %y : tensor<1x4xf32>
  }
}

// -----

module attributes {spike.model = #spike.model<timesteps = 2, encoding = direct, readout = mean>} {
  func.func @main(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
    // expected-error @+1 {{constant operand of type 'tensor<4xi32>' is not supported by the runtime (expected dense floating-point elements)}}
    %b = arith.constant dense<1> : tensor<4xi32>
    %c = arith.sitofp %b : tensor<4xi32> to tensor<4xf32>
    %y = spike.add %x, %c : (tensor<1x4xf32>, tensor<4xf32>) -> tensor<1x4xf32>
    return %y : tensor<1x4xf32>
  }
}

// -----

// The spikecore pattern set lowers only allocated spikecore.layer ops: a spike
// op placed there is refused, naming the target.
module attributes {spike.model = #spike.model<timesteps = 2, encoding = direct, readout = mean>} {
  func.func @main(%x: tensor<1x4xf32>, %y: tensor<1x4xf32>) -> tensor<1x4xf32> {
    // expected-error @+1 {{target 'spikecore' has no kernel for the op; spikecore runs spikecore.layer ops, made by spike-quantize and spikecore-codegen}}
    %z = spike.add %x, %y {spike.target = #spike.target<spikecore>} : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
    return %z : tensor<1x4xf32>
  }
}

// -----

// expected-error @+1 {{timesteps 65 exceed the runtime's limit of 64 (a neuron's spikes over time are packed into one 64-bit word)}}
module attributes {spike.model = #spike.model<timesteps = 65, encoding = direct, readout = mean>} {
  func.func @main(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
    return %x : tensor<1x4xf32>
  }
}

// -----

module attributes {spike.model = #spike.model<timesteps = 2, encoding = direct, readout = mean>} {
  // expected-error @+1 {{model input #0 is empty ('tensor<0x4xf32>'); the runtime does not support empty tensors}}
  func.func @main(%x: tensor<0x4xf32>) -> tensor<0x4xf32> {
    return %x : tensor<0x4xf32>
  }
}
