// Input of spike-partition-boundary.mlir: a reshape between two SpikeCore
// layers.
module attributes {spike.model = #spike.model<timesteps = 4, encoding = rate, readout = mean>} {
  func.func @main(%x: tensor<1x16xi1>) -> tensor<1x3xi1> {
    %w = arith.constant dense<0.5> : tensor<4x16xf32>
    %w2 = arith.constant dense<0.5> : tensor<3x4xf32>
    %y = spike.linear %x, %w {spike.spike_input} : (tensor<1x16xi1>, tensor<4x16xf32>) -> tensor<1x4xf32> loc("fc1")
    %s = spike.lif %y {leak = array<f32: 0.5>, v_threshold = array<f32: 1.0>} : (tensor<1x4xf32>) -> tensor<1x4xi1> loc("lif1")
    %r = spike.reshape %s {spike.spike_input} : (tensor<1x4xi1>) -> tensor<1x4xi1> loc("mid")
    %z = spike.linear %r, %w2 {spike.spike_input} : (tensor<1x4xi1>, tensor<3x4xf32>) -> tensor<1x3xf32> loc("fc2")
    %t = spike.lif %z {leak = array<f32: 0.5>, v_threshold = array<f32: 1.0>} : (tensor<1x3xf32>) -> tensor<1x3xi1> loc("lif2")
    return %t : tensor<1x3xi1>
  }
}
