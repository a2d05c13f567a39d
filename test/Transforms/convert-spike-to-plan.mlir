// RUN: sf-opt %s --split-input-file --convert-spike-to-plan | FileCheck %s
// RUN: sf-opt %s --split-input-file --convert-spike-to-plan="sparse-kernels=false" | FileCheck %s --check-prefix=DENSE

// Kernel choice on the host: a conv reading packed spikes gets the sparse
// kernel (any window and groups, dilated included) with its block size;
// a global average pool has none and reads the spikes unpacked, through one
// Unpack that every dense reader of the value shares. Max pooling and
// flatten keep spikes packed; the spike output is unpacked for the caller.
module attributes {spike.model = #spike.model<timesteps = 4, encoding = direct, readout = mean>} {
  func.func @main(%x: tensor<1x2x8x8xf32>) -> (tensor<1x2x8x8xf32>, tensor<1x32xi1>, tensor<1x2x1x1xf32>) {
    %w = arith.constant dense<1.0> : tensor<2x2x3x3xf32>
    %wg = arith.constant dense<1.0> : tensor<2x1x3x3xf32>
    %c0 = spike.conv2d %x, %w {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x2x8x8xf32>, tensor<2x2x3x3xf32>) -> tensor<1x2x8x8xf32> loc("stem")
    %s = spike.lif %c0 {leak = array<f32: 0.5>, v_threshold = array<f32: 1.0>} : (tensor<1x2x8x8xf32>) -> tensor<1x2x8x8xi1> loc("lif")
    %c1 = spike.conv2d %s, %w {pads = array<i64: 2, 2, 2, 2>, dilations = array<i64: 2, 2>, spike.spike_input, spike.block_size = 8 : i64} : (tensor<1x2x8x8xi1>, tensor<2x2x3x3xf32>) -> tensor<1x2x8x8xf32> loc("dilated")
    %c2 = spike.conv2d %s, %wg {pads = array<i64: 1, 1, 1, 1>, groups = 2 : i64, spike.spike_input, spike.block_size = 0 : i64} : (tensor<1x2x8x8xi1>, tensor<2x1x3x3xf32>) -> tensor<1x2x8x8xf32> loc("grouped")
    %g = spike.global_avg_pool %s {spike.spike_input} : (tensor<1x2x8x8xi1>) -> tensor<1x2x1x1xf32> loc("gap")
    %a = spike.add %c1, %c2 : (tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>) -> tensor<1x2x8x8xf32> loc("add")
    %p = spike.max_pool2d %s {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, spike.spike_input} : (tensor<1x2x8x8xi1>) -> tensor<1x2x4x4xi1> loc("pool")
    %f = spike.flatten %p {spike.spike_input} : (tensor<1x2x4x4xi1>) -> tensor<1x32xi1> loc("flat")
    return %a, %f, %g : tensor<1x2x8x8xf32>, tensor<1x32xi1>, tensor<1x2x1x1xf32>
  }
}

// CHECK-LABEL: func.func @main
// CHECK-SAME: (%[[X:.*]]: !plan.tensor<1x2x8x8xf32>)
// CHECK-SAME: -> (!plan.tensor<1x2x8x8xf32, temporal>, !plan.tensor<1x32xf32, temporal>, !plan.tensor<1x2x1x1xf32, temporal>)
// CHECK: %[[W:.*]] = plan.constant "const0" as_is dense<1.000000e+00> : tensor<2x2x3x3xf32>
// CHECK: %[[WG:.*]] = plan.constant "const1" as_is
// The stem reads the analog input once: its result is not temporal.
// CHECK: %[[C0:.*]] = plan.kernel "Conv2d" "stem" on host dense(%[[X]], %[[W]]) {dilations = array<i64: 1, 1>, groups = 1 : i64, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (!plan.tensor<1x2x8x8xf32>, !plan.tensor<2x2x3x3xf32>) -> !plan.tensor<1x2x8x8xf32>
// CHECK: %[[S:.*]] = plan.kernel "LIF" "lif" on host dense(%[[C0]]) {{.*}} -> !plan.tensor<1x2x8x8xspikes>
// CHECK: %[[C1:.*]] = plan.kernel "Conv2d" "dilated" on host sparse_binary(%[[S]], %[[W]]) block 8 {dilations = array<i64: 2, 2>, {{.*}}} : {{.*}} -> !plan.tensor<1x2x8x8xf32, temporal>
// CHECK: %[[C2:.*]] = plan.kernel "Conv2d" "grouped" on host sparse_binary(%[[S]], %[[WG]]) {{{.*}}groups = 2 : i64
// CHECK: %[[U:.*]] = plan.kernel "Unpack" "lif" on host dense(%[[S]]) : (!plan.tensor<1x2x8x8xspikes>) -> !plan.tensor<1x2x8x8xf32, temporal>
// CHECK: %[[G:.*]] = plan.kernel "GlobalAvgPool" "gap" on host dense(%[[U]])
// CHECK: %[[A:.*]] = plan.kernel "Add" "add" on host dense(%[[C1]], %[[C2]])
// CHECK: %[[P:.*]] = plan.kernel "MaxPool2d" "pool" on host dense(%[[S]]) {{.*}} -> !plan.tensor<1x2x4x4xspikes>
// CHECK: %[[F:.*]] = plan.kernel "Reshape" "flat" on host dense(%[[P]]) : (!plan.tensor<1x2x4x4xspikes>) -> !plan.tensor<1x32xspikes>
// CHECK: %[[FU:.*]] = plan.kernel "Unpack" "flat" on host dense(%[[F]])
// CHECK: return %[[A]], %[[FU]], %[[G]]

// Without sparse kernels, every conv reads the unpacked spikes.
// DENSE-LABEL: func.func @main
// DENSE: %[[S:.*]] = plan.kernel "LIF"
// DENSE: %[[U:.*]] = plan.kernel "Unpack" "lif" on host dense(%[[S]])
// DENSE: plan.kernel "Conv2d" "dilated" on host dense(%[[U]],
// DENSE-NOT: sparse_binary

// -----

// Partitions are inlined in order and each op keeps its target; spike
// encodings make the input packed spikes.
module attributes {spike.model = #spike.model<timesteps = 2, encoding = rate, readout = mean>} {
  func.func @main(%x: tensor<1x8xf32>) -> tensor<1x4xf32> {
    %0 = call @main_p0_gpu(%x) : (tensor<1x8xf32>) -> tensor<1x4xf32>
    %1 = call @main_p1_host(%0) : (tensor<1x4xf32>) -> tensor<1x4xf32>
    return %1 : tensor<1x4xf32>
  }
  func.func private @main_p0_gpu(%x: tensor<1x8xf32>) -> tensor<1x4xf32> attributes {spike.target = #spike.target<gpu>} {
    %w = arith.constant dense<0.5> : tensor<4x8xf32>
    %y = spike.linear %x, %w {spike.spike_input, spike.block_size = 0 : i64} : (tensor<1x8xf32>, tensor<4x8xf32>) -> tensor<1x4xf32> loc("fc")
    return %y : tensor<1x4xf32>
  }
  func.func private @main_p1_host(%x: tensor<1x4xf32>) -> tensor<1x4xf32> attributes {spike.target = #spike.target<host>} {
    %y = spike.relu %x : (tensor<1x4xf32>) -> tensor<1x4xf32> loc("relu")
    return %y : tensor<1x4xf32>
  }
}

// CHECK-LABEL: func.func @main
// CHECK-SAME: (%[[X:.*]]: !plan.tensor<1x8xspikes>) -> !plan.tensor<1x4xf32, temporal>
// CHECK: %[[FC:.*]] = plan.kernel "Linear" "fc" on gpu sparse_binary(%[[X]], %{{.*}}) :
// CHECK: %[[R:.*]] = plan.kernel "Relu" "relu" on host dense(%[[FC]])
// CHECK: return %[[R]]
// CHECK-NOT: func.func private

// -----

// A zero pad keeps spikes packed (silent neurons), so the conv after it
// still reads them with the sparse kernel; a pad with another value, and a
// sigmoid, read them unpacked.
module attributes {spike.model = #spike.model<timesteps = 2, encoding = spikes, readout = mean>} {
  func.func @main(%s: tensor<1x2x4x4xf32>) -> (tensor<1x2x4x4xf32>, tensor<1x2x6x6xf32>, tensor<1x2x4x4xf32>) {
    %w = arith.constant dense<1.0> : tensor<2x2x3x3xf32>
    %z = spike.pad %s {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>, spike.spike_input} : (tensor<1x2x4x4xf32>) -> tensor<1x2x6x6xf32> loc("zero")
    %c = spike.conv2d %z, %w {spike.spike_input, spike.block_size = 0 : i64} : (tensor<1x2x6x6xf32>, tensor<2x2x3x3xf32>) -> tensor<1x2x4x4xf32> loc("conv")
    %h = spike.pad %s {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>, value = 0.5 : f32, spike.spike_input} : (tensor<1x2x4x4xf32>) -> tensor<1x2x6x6xf32> loc("half")
    %g = spike.sigmoid %s {spike.spike_input} : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> loc("sig")
    return %c, %h, %g : tensor<1x2x4x4xf32>, tensor<1x2x6x6xf32>, tensor<1x2x4x4xf32>
  }
}

// CHECK-LABEL: func.func @main
// CHECK-SAME: (%[[S:.*]]: !plan.tensor<1x2x4x4xspikes>)
// CHECK: %[[Z:.*]] = plan.kernel "Pad" "zero" on host dense(%[[S]]) {mode = #spike.pad_mode<constant>, pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>, value = 0.000000e+00 : f32} : (!plan.tensor<1x2x4x4xspikes>) -> !plan.tensor<1x2x6x6xspikes>
// CHECK: plan.kernel "Conv2d" "conv" on host sparse_binary(%[[Z]],
// CHECK: %[[U:.*]] = plan.kernel "Unpack" "input" on host dense(%[[S]])
// CHECK: plan.kernel "Pad" "half" on host dense(%[[U]]) {mode = #spike.pad_mode<constant>, pads = {{.*}}, value = 5.000000e-01 : f32} : (!plan.tensor<1x2x4x4xf32, temporal>) -> !plan.tensor<1x2x6x6xf32, temporal>
// CHECK: plan.kernel "Sigmoid" "sig" on host dense(%[[U]]) : (!plan.tensor<1x2x4x4xf32, temporal>) -> !plan.tensor<1x2x4x4xf32, temporal>

// -----

// Current-based neurons and leaky integrators: a CubaLIF's spikes come out
// packed; an LI's membrane is a temporal float tensor even under direct
// encoding (its state varies over the steps).
module attributes {spike.model = #spike.model<timesteps = 4, encoding = direct, readout = all>} {
  func.func @main(%x: tensor<1x3xf32>) -> (tensor<1x3xi1>, tensor<1x3xf32>) {
    %s = spike.cuba_lif %x {syn_leak = array<f32: 0.25>, syn_gain = array<f32: 2.0>, leak = array<f32: 0.5>,
                            v_threshold = array<f32: 1.0>} : (tensor<1x3xf32>) -> tensor<1x3xi1> loc("cuba")
    %v = spike.li %x {syn_leak = array<f32: 0.5>, syn_gain = array<f32: 1.0>, leak = array<f32: 0.1>}
        : (tensor<1x3xf32>) -> tensor<1x3xf32> loc("li")
    return %s, %v : tensor<1x3xi1>, tensor<1x3xf32>
  }
}
// CHECK-LABEL: func.func @main
// CHECK: plan.kernel "CubaLIF" "cuba" on host dense(%{{.*}}) {{{.*}}syn_gain = array<f32: 2.000000e+00>, syn_leak = array<f32: 2.500000e-01>{{.*}}} : (!plan.tensor<1x3xf32>) -> !plan.tensor<1x3xspikes>
// CHECK: plan.kernel "LI" "li" on host dense(%{{.*}}) {{{.*}}syn_leak = array<f32: 5.000000e-01>{{.*}}} : (!plan.tensor<1x3xf32>) -> !plan.tensor<1x3xf32, temporal>
