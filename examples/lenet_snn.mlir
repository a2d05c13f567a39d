// A LeNet-style spiking network for 28x28 MNIST digits, T = 4, in the spike
// dialect: conv -> LIF -> max-pool, twice, then two fully connected layers.
// Weights are function arguments here; the ONNX importer makes them constants.
module attributes {spike.model = #spike.model<timesteps = 4, encoding = direct, readout = mean>} {
  func.func @main(%image: tensor<1x1x28x28xf32>,
                  %w1: tensor<8x1x5x5xf32>, %b1: tensor<8xf32>,
                  %w2: tensor<16x8x5x5xf32>, %b2: tensor<16xf32>,
                  %w3: tensor<64x256xf32>, %w4: tensor<10x64xf32>) -> tensor<1x10xi1> {
    %c1 = spike.conv2d %image, %w1, %b1 : (tensor<1x1x28x28xf32>, tensor<8x1x5x5xf32>, tensor<8xf32>) -> tensor<1x8x24x24xf32>
    %s1 = spike.lif %c1 {leak = array<f32: 0.5>, gain = array<f32: 0.5>, v_threshold = array<f32: 1.0>,
                         v_reset = array<f32: 0.0>, v_leak = array<f32: 0.0>, reset = #spike.reset<hard>}
        : (tensor<1x8x24x24xf32>) -> tensor<1x8x24x24xi1>
    %p1 = spike.max_pool2d %s1 {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x8x24x24xi1>) -> tensor<1x8x12x12xi1>
    %c2 = spike.conv2d %p1, %w2, %b2 : (tensor<1x8x12x12xi1>, tensor<16x8x5x5xf32>, tensor<16xf32>) -> tensor<1x16x8x8xf32>
    %s2 = spike.lif %c2 {leak = array<f32: 0.5>, gain = array<f32: 0.5>, v_threshold = array<f32: 1.0>,
                         v_reset = array<f32: 0.0>, reset = #spike.reset<hard>}
        : (tensor<1x16x8x8xf32>) -> tensor<1x16x8x8xi1>
    %p2 = spike.max_pool2d %s2 {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x16x8x8xi1>) -> tensor<1x16x4x4xi1>
    %f = spike.flatten %p2 : (tensor<1x16x4x4xi1>) -> tensor<1x256xi1>
    %r = spike.reshape %f : (tensor<1x256xi1>) -> tensor<1x256xi1>
    %l3 = spike.linear %r, %w3 : (tensor<1x256xi1>, tensor<64x256xf32>) -> tensor<1x64xf32>
    %s3 = spike.lif %l3 {leak = array<f32: 0.5>, gain = array<f32: 0.5>, v_threshold = array<f32: 1.0>,
                         v_reset = array<f32: 0.0>, reset = #spike.reset<hard>}
        : (tensor<1x64xf32>) -> tensor<1x64xi1>
    %l4 = spike.linear %s3, %w4 : (tensor<1x64xi1>, tensor<10x64xf32>) -> tensor<1x10xf32>
    %s4 = spike.lif %l4 {leak = array<f32: 0.5>, gain = array<f32: 0.5>, v_threshold = array<f32: 1.0>,
                         v_reset = array<f32: 0.0>, reset = #spike.reset<hard>}
        : (tensor<1x10xf32>) -> tensor<1x10xi1>
    return %s4 : tensor<1x10xi1>
  }
}
