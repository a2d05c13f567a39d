// RUN: sf-opt %s | sf-opt | FileCheck %s
// RUN: sf-opt %s --mlir-print-op-generic | sf-opt | FileCheck %s

// CHECK: module attributes {spike.model = #spike.model<timesteps = 4, encoding = direct, readout = mean>}
module attributes {spike.model = #spike.model<timesteps = 4, encoding = direct, readout = mean>} {

// CHECK-LABEL: func.func @conv2d
func.func @conv2d(%x: tensor<1x3x32x32xf32>, %s: tensor<1x16x32x32xi1>,
                  %w: tensor<16x3x3x3xf32>, %w2: tensor<32x16x3x3xf32>,
                  %dw: tensor<16x1x3x3xf32>, %b: tensor<32xf32>)
    -> (tensor<1x16x32x32xf32>, tensor<1x32x16x16xf32>, tensor<1x16x28x28xf32>, tensor<1x16x32x32xf32>) {
  // CHECK: spike.conv2d %{{.*}}, %{{.*}} {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x3x32x32xf32>, tensor<16x3x3x3xf32>) -> tensor<1x16x32x32xf32>
  %0 = spike.conv2d %x, %w {pads = array<i64: 1, 1, 1, 1>}
      : (tensor<1x3x32x32xf32>, tensor<16x3x3x3xf32>) -> tensor<1x16x32x32xf32>
  // Spike input, bias, stride 2: floor((32 + 2 - 3) / 2) + 1 = 16.
  // CHECK: spike.conv2d %{{.*}}, %{{.*}}, %{{.*}} {pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x16x32x32xi1>, tensor<32x16x3x3xf32>, tensor<32xf32>) -> tensor<1x32x16x16xf32>
  %1 = spike.conv2d %s, %w2, %b {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>}
      : (tensor<1x16x32x32xi1>, tensor<32x16x3x3xf32>, tensor<32xf32>) -> tensor<1x32x16x16xf32>
  // Dilation 2 without padding: 32 - 2 * 2 = 28.
  // CHECK: spike.conv2d %{{.*}}, %{{.*}} {dilations = array<i64: 2, 2>, groups = 16 : i64}
  %2 = spike.conv2d %s, %dw {dilations = array<i64: 2, 2>, groups = 16 : i64}
      : (tensor<1x16x32x32xi1>, tensor<16x1x3x3xf32>) -> tensor<1x16x28x28xf32>
  // Asymmetric padding [top, left, bottom, right].
  // CHECK: spike.conv2d %{{.*}}, %{{.*}} {groups = 16 : i64, pads = array<i64: 0, 0, 2, 2>}
  %3 = spike.conv2d %s, %dw {groups = 16 : i64, pads = array<i64: 0, 0, 2, 2>}
      : (tensor<1x16x32x32xi1>, tensor<16x1x3x3xf32>) -> tensor<1x16x32x32xf32>
  return %0, %1, %2, %3 : tensor<1x16x32x32xf32>, tensor<1x32x16x16xf32>, tensor<1x16x28x28xf32>, tensor<1x16x32x32xf32>
}

// CHECK-LABEL: func.func @linear
func.func @linear(%x: tensor<4x784xi1>, %w: tensor<10x784xf32>, %b: tensor<10xf32>,
                  %y: tensor<4x784xf32>) -> (tensor<4x10xf32>, tensor<4x10xf32>) {
  // CHECK: spike.linear %{{.*}}, %{{.*}}, %{{.*}} : (tensor<4x784xi1>, tensor<10x784xf32>, tensor<10xf32>) -> tensor<4x10xf32>
  %0 = spike.linear %x, %w, %b : (tensor<4x784xi1>, tensor<10x784xf32>, tensor<10xf32>) -> tensor<4x10xf32>
  // CHECK: spike.linear %{{.*}}, %{{.*}} : (tensor<4x784xf32>, tensor<10x784xf32>) -> tensor<4x10xf32>
  %1 = spike.linear %y, %w : (tensor<4x784xf32>, tensor<10x784xf32>) -> tensor<4x10xf32>
  return %0, %1 : tensor<4x10xf32>, tensor<4x10xf32>
}

// CHECK-LABEL: func.func @batch_norm
func.func @batch_norm(%x: tensor<2x8x5x5xf32>, %p: tensor<8xf32>) -> (tensor<2x8x5x5xf32>, tensor<2x8x5x5xf32>) {
  // CHECK: spike.batch_norm %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : (tensor<2x8x5x5xf32>,
  %0 = spike.batch_norm %x, %p, %p, %p, %p
      : (tensor<2x8x5x5xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<2x8x5x5xf32>
  // CHECK: spike.batch_norm {{.*}} {epsilon = 1.000000e-03 : f32}
  %1 = spike.batch_norm %x, %p, %p, %p, %p {epsilon = 1.0e-3 : f32}
      : (tensor<2x8x5x5xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<2x8x5x5xf32>
  return %0, %1 : tensor<2x8x5x5xf32>, tensor<2x8x5x5xf32>
}

// CHECK-LABEL: func.func @elementwise
func.func @elementwise(%a: tensor<1x64x8x8xi1>, %b: tensor<1x64x8x8xi1>, %c: tensor<1x64x8x8xf32>,
                       %s: tensor<64x1x1xf32>, %h: tensor<1x64x8x8xf16>)
    -> (tensor<1x64x8x8xf32>, tensor<1x64x8x8xf32>, tensor<1x64x8x8xf32>, tensor<1x64x8x8xf16>, tensor<1x64x8x8xf32>) {
  // Two spike trains add to an f32 count.
  // CHECK: spike.add %{{.*}}, %{{.*}} : (tensor<1x64x8x8xi1>, tensor<1x64x8x8xi1>) -> tensor<1x64x8x8xf32>
  %0 = spike.add %a, %b : (tensor<1x64x8x8xi1>, tensor<1x64x8x8xi1>) -> tensor<1x64x8x8xf32>
  // CHECK: spike.add %{{.*}}, %{{.*}} : (tensor<1x64x8x8xf32>, tensor<1x64x8x8xi1>) -> tensor<1x64x8x8xf32>
  %1 = spike.add %c, %a : (tensor<1x64x8x8xf32>, tensor<1x64x8x8xi1>) -> tensor<1x64x8x8xf32>
  // NumPy broadcasting of a per-channel scale.
  // CHECK: spike.mul %{{.*}}, %{{.*}} : (tensor<1x64x8x8xi1>, tensor<64x1x1xf32>) -> tensor<1x64x8x8xf32>
  %2 = spike.mul %a, %s : (tensor<1x64x8x8xi1>, tensor<64x1x1xf32>) -> tensor<1x64x8x8xf32>
  // The floating-point operand decides the result type.
  // CHECK: spike.mul %{{.*}}, %{{.*}} : (tensor<1x64x8x8xf16>, tensor<1x64x8x8xi1>) -> tensor<1x64x8x8xf16>
  %3 = spike.mul %h, %a : (tensor<1x64x8x8xf16>, tensor<1x64x8x8xi1>) -> tensor<1x64x8x8xf16>
  // CHECK: spike.relu %{{.*}} : (tensor<1x64x8x8xf32>) -> tensor<1x64x8x8xf32>
  %4 = spike.relu %c : (tensor<1x64x8x8xf32>) -> tensor<1x64x8x8xf32>
  return %0, %1, %2, %3, %4 : tensor<1x64x8x8xf32>, tensor<1x64x8x8xf32>, tensor<1x64x8x8xf32>, tensor<1x64x8x8xf16>, tensor<1x64x8x8xf32>
}

// CHECK-LABEL: func.func @pooling
func.func @pooling(%s: tensor<1x16x28x28xi1>, %x: tensor<1x16x7x7xf32>)
    -> (tensor<1x16x14x14xi1>, tensor<1x16x14x14xi1>, tensor<1x16x14x14xf32>, tensor<1x16x4x4xf32>, tensor<1x16x1x1xf32>, tensor<1x16x1x1xf32>) {
  // Max-pooling keeps spikes spikes.
  // CHECK: spike.max_pool2d %{{.*}} {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x16x28x28xi1>) -> tensor<1x16x14x14xi1>
  %0 = spike.max_pool2d %s {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>}
      : (tensor<1x16x28x28xi1>) -> tensor<1x16x14x14xi1>
  // floor((28 + 2 - 3) / 2) + 1 = 14.
  // CHECK: spike.max_pool2d %{{.*}} {kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}
  %1 = spike.max_pool2d %s {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>}
      : (tensor<1x16x28x28xi1>) -> tensor<1x16x14x14xi1>
  // Average pooling of spikes is analog.
  // CHECK: spike.avg_pool2d %{{.*}} {count_include_pad = true, kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x16x28x28xi1>) -> tensor<1x16x14x14xf32>
  %2 = spike.avg_pool2d %s {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, count_include_pad = true}
      : (tensor<1x16x28x28xi1>) -> tensor<1x16x14x14xf32>
  // ceil_mode: ceil((7 - 2) / 2) + 1 = 4.
  // CHECK: spike.avg_pool2d %{{.*}} {ceil_mode = true, kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x16x7x7xf32>) -> tensor<1x16x4x4xf32>
  %3 = spike.avg_pool2d %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, ceil_mode = true}
      : (tensor<1x16x7x7xf32>) -> tensor<1x16x4x4xf32>
  // CHECK: spike.global_avg_pool %{{.*}} : (tensor<1x16x28x28xi1>) -> tensor<1x16x1x1xf32>
  %4 = spike.global_avg_pool %s : (tensor<1x16x28x28xi1>) -> tensor<1x16x1x1xf32>
  // CHECK: spike.global_avg_pool %{{.*}} : (tensor<1x16x7x7xf32>) -> tensor<1x16x1x1xf32>
  %5 = spike.global_avg_pool %x : (tensor<1x16x7x7xf32>) -> tensor<1x16x1x1xf32>
  return %0, %1, %2, %3, %4, %5 : tensor<1x16x14x14xi1>, tensor<1x16x14x14xi1>, tensor<1x16x14x14xf32>, tensor<1x16x4x4xf32>, tensor<1x16x1x1xf32>, tensor<1x16x1x1xf32>
}

// CHECK-LABEL: func.func @shapes
func.func @shapes(%s: tensor<2x16x4x4xi1>, %t: tensor<2x8x4x4xi1>)
    -> (tensor<2x256xi1>, tensor<1x512xi1>, tensor<32x16xi1>, tensor<2x24x4x4xi1>, tensor<2x16x4x4xi1>) {
  // CHECK: spike.flatten %{{.*}} : (tensor<2x16x4x4xi1>) -> tensor<2x256xi1>
  %0 = spike.flatten %s : (tensor<2x16x4x4xi1>) -> tensor<2x256xi1>
  // CHECK: spike.flatten %{{.*}} {axis = 0 : i64} : (tensor<2x16x4x4xi1>) -> tensor<1x512xi1>
  %1 = spike.flatten %s {axis = 0 : i64} : (tensor<2x16x4x4xi1>) -> tensor<1x512xi1>
  // CHECK: spike.reshape %{{.*}} : (tensor<2x16x4x4xi1>) -> tensor<32x16xi1>
  %2 = spike.reshape %s : (tensor<2x16x4x4xi1>) -> tensor<32x16xi1>
  // CHECK: spike.concat %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<2x16x4x4xi1>, tensor<2x8x4x4xi1>) -> tensor<2x24x4x4xi1>
  %3 = spike.concat %s, %t {axis = 1 : i64} : (tensor<2x16x4x4xi1>, tensor<2x8x4x4xi1>) -> tensor<2x24x4x4xi1>
  // CHECK: spike.concat %{{.*}} {axis = 3 : i64} : (tensor<2x16x4x4xi1>) -> tensor<2x16x4x4xi1>
  %4 = spike.concat %s {axis = 3 : i64} : (tensor<2x16x4x4xi1>) -> tensor<2x16x4x4xi1>
  // CHECK: spike.transpose %{{.*}} {permutation = array<i64: 0, 2, 3, 1>} : (tensor<2x16x4x4xi1>) -> tensor<2x4x4x16xi1>
  %5 = spike.transpose %s {permutation = array<i64: 0, 2, 3, 1>} : (tensor<2x16x4x4xi1>) -> tensor<2x4x4x16xi1>
  return %0, %1, %2, %3, %4 : tensor<2x256xi1>, tensor<1x512xi1>, tensor<32x16xi1>, tensor<2x24x4x4xi1>, tensor<2x16x4x4xi1>
}

// CHECK-LABEL: func.func @neurons
func.func @neurons(%x: tensor<1x4x8x8xf32>, %y: tensor<3x10xf32>, %s: tensor<1x4x8x8xi1>)
    -> (tensor<1x4x8x8xi1>, tensor<1x4x8x8xi1>, tensor<3x10xi1>, tensor<1x4x8x8xi1>) {
  // SpikingJelly LIFNode(tau=2, v_reset=0): leak = gain = 1/tau, hard reset.
  // CHECK: spike.lif %{{.*}} {gain = array<f32: 5.000000e-01>, leak = array<f32: 5.000000e-01>, reset = #spike.reset<hard>, v_reset = array<f32: 0.000000e+00>, v_threshold = array<f32: 1.000000e+00>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xi1>
  %0 = spike.lif %x {leak = array<f32: 0.5>, gain = array<f32: 0.5>, v_threshold = array<f32: 1.0>,
                     v_reset = array<f32: 0.0>, reset = #spike.reset<hard>}
      : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xi1>
  // snnTorch Leaky(beta=0.9): leak = 0.1, fire = gt, reset_delay, per-channel threshold.
  // CHECK: spike.lif %{{.*}} {fire = #spike.fire<gt>, leak = array<f32: 1.000000e-01>, reset_delay = true, v_threshold = array<f32: 1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00>}
  %1 = spike.lif %x {leak = array<f32: 0.1>, v_threshold = array<f32: 1.0, 2.0, 3.0, 4.0>,
                     fire = #spike.fire<gt>, reset_delay = true}
      : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xi1>
  // IF neuron on a 2-D tensor: leak = 0, no reset, explicit defaults are elided.
  // CHECK: spike.lif %{{.*}} {leak = array<f32: 0.000000e+00>, reset = #spike.reset<none>, v_init = array<f32: 2.500000e-01>, v_threshold = array<f32: 1.000000e+00>} : (tensor<3x10xf32>) -> tensor<3x10xi1>
  %2 = spike.lif %y {leak = array<f32: 0.0>, v_threshold = array<f32: 1.0>, reset = #spike.reset<none>,
                     v_init = array<f32: 0.25>, gain = array<f32: 1.0>, fire = #spike.fire<ge>}
      : (tensor<3x10xf32>) -> tensor<3x10xi1>
  // Spikes can drive neurons directly.
  // CHECK: spike.lif %{{.*}} {{.*}} : (tensor<1x4x8x8xi1>) -> tensor<1x4x8x8xi1>
  %3 = spike.lif %s {leak = array<f32: 0.25>, v_threshold = array<f32: 0.5>}
      : (tensor<1x4x8x8xi1>) -> tensor<1x4x8x8xi1>
  return %0, %1, %2, %3 : tensor<1x4x8x8xi1>, tensor<1x4x8x8xi1>, tensor<3x10xi1>, tensor<1x4x8x8xi1>
}

}

// CHECK-LABEL: func.func @current_based_neurons
func.func @current_based_neurons(%x: tensor<2x3xf32>, %s: tensor<2x3xi1>)
    -> (tensor<2x3xi1>, tensor<2x3xf32>, tensor<2x3xf32>) {
  // NIR CubaLIF: a synaptic current feeding a hard-reset LIF.
  // CHECK: spike.cuba_lif %{{.*}} {fire = #spike.fire<gt>, leak = array<f32: 1.000000e-01>, reset = #spike.reset<hard>, syn_leak = array<f32: 2.500000e-01, 5.000000e-01, 1.000000e+00>, v_reset = array<f32: 0.000000e+00>, v_threshold = array<f32: 1.000000e+00>} : (tensor<2x3xf32>) -> tensor<2x3xi1>
  %0 = spike.cuba_lif %x {syn_leak = array<f32: 0.25, 0.5, 1.0>, leak = array<f32: 0.1>,
                          v_threshold = array<f32: 1.0>, v_reset = array<f32: 0.0>,
                          reset = #spike.reset<hard>, fire = #spike.fire<gt>}
      : (tensor<2x3xf32>) -> tensor<2x3xi1>
  // A leaky integrator reading spikes: its membrane is f32.
  // CHECK: spike.li %{{.*}} {leak = array<f32: 5.000000e-01>, v_leak = array<f32: 2.500000e-01>} : (tensor<2x3xi1>) -> tensor<2x3xf32>
  %1 = spike.li %s {leak = array<f32: 0.5>, v_leak = array<f32: 0.25>} : (tensor<2x3xi1>) -> tensor<2x3xf32>
  // CubaLI: LI with a synapse.
  // CHECK: spike.li %{{.*}} {gain = array<f32: 2.000000e+00>, leak = array<f32: 5.000000e-01>, syn_gain = array<f32: 3.000000e+00>, syn_leak = array<f32: 2.000000e-01>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %2 = spike.li %x {syn_leak = array<f32: 0.2>, syn_gain = array<f32: 3.0>, leak = array<f32: 0.5>,
                    gain = array<f32: 2.0>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0, %1, %2 : tensor<2x3xi1>, tensor<2x3xf32>, tensor<2x3xf32>
}

// CHECK-LABEL: func.func @recurrent_neurons
func.func @recurrent_neurons(%x: tensor<2x3xf32>, %w: tensor<3x3xf32>, %b: tensor<3xf32>)
    -> (tensor<2x3xi1>, tensor<2x3xi1>) {
  // A neuron fed back its own spikes through a weight and a bias.
  // CHECK: spike.lif %{{.*}} recurrent(%{{.*}}, %{{.*}}) {leak = array<f32: 5.000000e-01>, v_threshold = array<f32: 1.000000e+00>} : (tensor<2x3xf32>, tensor<3x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  %0 = spike.lif %x recurrent(%w, %b) {leak = array<f32: 0.5>, v_threshold = array<f32: 1.0>}
      : (tensor<2x3xf32>, tensor<3x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  // CHECK: spike.cuba_lif %{{.*}} recurrent(%{{.*}}) {leak
  %1 = spike.cuba_lif %x recurrent(%w) {syn_leak = array<f32: 0.25>, leak = array<f32: 0.1>,
                                        v_threshold = array<f32: 1.0>}
      : (tensor<2x3xf32>, tensor<3x3xf32>) -> tensor<2x3xi1>
  return %0, %1 : tensor<2x3xi1>, tensor<2x3xi1>
}

// CHECK-LABEL: func.func @analog_maps
func.func @analog_maps(%x: tensor<2x3xf32>, %s: tensor<2x3xi1>, %c: tensor<3xf32>)
    -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) {
  // CHECK: spike.tanh %{{.*}} : (tensor<2x3xi1>) -> tensor<2x3xf32>
  %0 = spike.tanh %s : (tensor<2x3xi1>) -> tensor<2x3xf32>
  // CHECK: spike.leaky_relu %{{.*}} {alpha = 2.500000e-01 : f32}
  %1 = spike.leaky_relu %x {alpha = 0.25 : f32} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK: spike.clip %{{.*}} {max = 6.000000e+00 : f32} :
  %2 = spike.clip %x {max = 6.0 : f32} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK: spike.softmax %{{.*}} {log} :
  %3 = spike.softmax %x {log} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK: spike.sub %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %4 = spike.sub %x, %c : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: spike.div %{{.*}}, %{{.*}} : (tensor<2x3xi1>, tensor<3xf32>) -> tensor<2x3xf32>
  %5 = spike.div %s, %c : (tensor<2x3xi1>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: spike.sqrt %{{.*}} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %6 = spike.sqrt %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0, %1, %2, %3, %4, %5, %6 : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>
}

// CHECK-LABEL: func.func @pad_modes_and_slices
func.func @pad_modes_and_slices(%s: tensor<1x2x4x4xi1>) -> (tensor<1x2x6x6xi1>, tensor<1x2x4x5xi1>, tensor<1x1x2x4xi1>) {
  // Reflect and edge copy spikes: the result stays spikes.
  // CHECK: spike.pad %{{.*}} {mode = #spike.pad_mode<reflect>, pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>} : (tensor<1x2x4x4xi1>) -> tensor<1x2x6x6xi1>
  %0 = spike.pad %s {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>, mode = #spike.pad_mode<reflect>} : (tensor<1x2x4x4xi1>) -> tensor<1x2x6x6xi1>
  // CHECK: spike.pad %{{.*}} {mode = #spike.pad_mode<edge>, pads
  %1 = spike.pad %s {pads = array<i64: 0, 0, 0, 0, 0, 0, 0, 1>, mode = #spike.pad_mode<edge>} : (tensor<1x2x4x4xi1>) -> tensor<1x2x4x5xi1>
  // CHECK: spike.slice %{{.*}} {sizes = array<i64: 1, 1, 2, 4>, starts = array<i64: 0, 1, 3, 3>, steps = array<i64: 1, 1, -2, -1>}
  %2 = spike.slice %s {starts = array<i64: 0, 1, 3, 3>, sizes = array<i64: 1, 1, 2, 4>, steps = array<i64: 1, 1, -2, -1>} : (tensor<1x2x4x4xi1>) -> tensor<1x1x2x4xi1>
  return %0, %1, %2 : tensor<1x2x6x6xi1>, tensor<1x2x4x5xi1>, tensor<1x1x2x4xi1>
}

// CHECK-LABEL: func.func @matmuls
func.func @matmuls(%q: tensor<2x4x3xi1>, %k: tensor<2x3x4xi1>, %v: tensor<1x4x5xf32>) -> tensor<2x4x5xf32> {
  // Spikes times spikes is analog; the batch broadcasts.
  // CHECK: spike.matmul %{{.*}}, %{{.*}} : (tensor<2x4x3xi1>, tensor<2x3x4xi1>) -> tensor<2x4x4xf32>
  %s = spike.matmul %q, %k : (tensor<2x4x3xi1>, tensor<2x3x4xi1>) -> tensor<2x4x4xf32>
  // CHECK: spike.matmul %{{.*}}, %{{.*}} : (tensor<2x4x4xf32>, tensor<1x4x5xf32>) -> tensor<2x4x5xf32>
  %o = spike.matmul %s, %v : (tensor<2x4x4xf32>, tensor<1x4x5xf32>) -> tensor<2x4x5xf32>
  return %o : tensor<2x4x5xf32>
}

// CHECK-LABEL: func.func @batch_norm_of_spikes
func.func @batch_norm_of_spikes(%s: tensor<1x2x3x3xi1>, %p: tensor<2xf32>) -> tensor<1x2x3x3xf32> {
  // CHECK: spike.batch_norm %{{.*}} : (tensor<1x2x3x3xi1>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  %0 = spike.batch_norm %s, %p, %p, %p, %p : (tensor<1x2x3x3xi1>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  return %0 : tensor<1x2x3x3xf32>
}

// CHECK-LABEL: func.func @conv_transpose
func.func @conv_transpose(%x: tensor<1x8x7x7xi1>, %w: tensor<8x2x3x3xf32>, %b: tensor<4xf32>) -> tensor<1x4x14x14xf32> {
  // Spikes in, analog out; [C, O/g, KH, KW] with groups 2: O = 4.
  // CHECK: spike.conv_transpose2d %{{.*}}, %{{.*}}, %{{.*}} {groups = 2 : i64, output_padding = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}
  %0 = spike.conv_transpose2d %x, %w, %b {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>,
                                          output_padding = array<i64: 1, 1>, groups = 2}
      : (tensor<1x8x7x7xi1>, tensor<8x2x3x3xf32>, tensor<4xf32>) -> tensor<1x4x14x14xf32>
  return %0 : tensor<1x4x14x14xf32>
}

// CHECK-LABEL: func.func @layer_norm
func.func @layer_norm(%x: tensor<2x3x4xf32>, %g: tensor<3x4xf32>, %b: tensor<12xf32>) -> tensor<2x3x4xf32> {
  // Over the last two dimensions: 12 values, in the normalized shape or 1-D.
  // CHECK: spike.layer_norm %{{.*}}, %{{.*}}, %{{.*}} {axis = 1 : i64, epsilon = 1.000000e-03 : f32}
  %0 = spike.layer_norm %x, %g, %b {axis = 1 : i64, epsilon = 1.0e-3 : f32}
      : (tensor<2x3x4xf32>, tensor<3x4xf32>, tensor<12xf32>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}
