// A tagged MLP for spike-partition.mlir: fc1 reads the analog input, fc2 and
// fc3 read spikes.
module attributes {spike.model = #spike.model<timesteps = 2, encoding = direct, readout = mean>} {
  func.func @mlp(%x: tensor<1x32xf32>) -> tensor<1x4xf32> {
    %w1 = arith.constant dense<0.5> : tensor<16x32xf32>
    %w2 = arith.constant dense<0.25> : tensor<8x16xf32>
    %w3 = arith.constant dense<0.125> : tensor<4x8xf32>
    %h1 = spike.linear %x, %w1 : (tensor<1x32xf32>, tensor<16x32xf32>) -> tensor<1x16xf32> loc("fc1")
    %s1 = spike.lif %h1 {leak = array<f32: 0.5>, v_threshold = array<f32: 1.0>} : (tensor<1x16xf32>) -> tensor<1x16xi1> loc("lif1")
    %h2 = spike.linear %s1, %w2 {spike.spike_input, spike.block_size = 8 : i64} : (tensor<1x16xi1>, tensor<8x16xf32>) -> tensor<1x8xf32> loc("fc2")
    %s2 = spike.lif %h2 {leak = array<f32: 0.5>, v_threshold = array<f32: 1.0>} : (tensor<1x8xf32>) -> tensor<1x8xi1> loc("lif2")
    %h3 = spike.linear %s2, %w3 {spike.spike_input, spike.block_size = 0 : i64} : (tensor<1x8xi1>, tensor<4x8xf32>) -> tensor<1x4xf32> loc("fc3")
    return %h3 : tensor<1x4xf32>
  }
}
