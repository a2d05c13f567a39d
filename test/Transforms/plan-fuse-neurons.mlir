// RUN: sf-opt %s --split-input-file --plan-fuse-neurons | FileCheck %s

// A host sparse conv or linear whose only reader is a host LIF becomes one
// kernel with both ops' parameters; the others stay.
module attributes {spike.model = #spike.model<timesteps = 4, encoding = spikes, readout = mean>} {
  func.func @main(%s: !plan.tensor<1x2x4x4xspikes>, %x: !plan.tensor<1x8xspikes>, %w: !plan.tensor<2x3x3x2xf32>, %wt: !plan.tensor<8x3xf32>)
      -> (!plan.tensor<1x2x4x4xf32, temporal>, !plan.tensor<1x3xf32, temporal>, !plan.tensor<1x2x4x4xf32, temporal>) {
    // CHECK: %[[C:.*]] = plan.kernel "Conv2dLIF" "conv" on host sparse_binary(%arg0, %arg2) block 4 {{{.*}}groups = 1 : i64{{.*}}leak = array<f32: 5.000000e-01>{{.*}}strides = array<i64: 1, 1>{{.*}}} : (!plan.tensor<1x2x4x4xspikes>, !plan.tensor<2x3x3x2xf32>) -> !plan.tensor<1x2x4x4xspikes>
    %c = plan.kernel "Conv2d" "conv" on host sparse_binary(%s, %w) block 4 {dilations = array<i64: 1, 1>, groups = 1 : i64, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (!plan.tensor<1x2x4x4xspikes>, !plan.tensor<2x3x3x2xf32>) -> !plan.tensor<1x2x4x4xf32, temporal>
    %l = plan.kernel "LIF" "lif" on host dense(%c) {fire = #spike.fire<ge>, gain = array<f32: 1.0>, leak = array<f32: 0.5>, reset = #spike.reset<hard>, reset_delay = false, v_init = array<f32: 0.0>, v_leak = array<f32: 0.0>, v_reset = array<f32: 0.0>, v_threshold = array<f32: 1.0>} : (!plan.tensor<1x2x4x4xf32, temporal>) -> !plan.tensor<1x2x4x4xspikes>
    // CHECK: %[[L:.*]] = plan.kernel "LinearLIF" "fc" on host sparse_binary(%arg1, %arg3)
    %f = plan.kernel "Linear" "fc" on host sparse_binary(%x, %wt) : (!plan.tensor<1x8xspikes>, !plan.tensor<8x3xf32>) -> !plan.tensor<1x3xf32, temporal>
    %n = plan.kernel "LIF" "lif2" on host dense(%f) {fire = #spike.fire<gt>, gain = array<f32: 1.0>, leak = array<f32: 0.25>, reset = #spike.reset<soft>, reset_delay = false, v_init = array<f32: 0.0>, v_leak = array<f32: 0.0>, v_threshold = array<f32: 1.0>} : (!plan.tensor<1x3xf32, temporal>) -> !plan.tensor<1x3xspikes>
    // A conv read by its neuron and by another op stays apart, as does one on
    // the gpu.
    // CHECK: %[[C2:.*]] = plan.kernel "Conv2d" "conv2" on host
    // CHECK: plan.kernel "LIF" "lif3" on host dense(%[[C2]])
    %c2 = plan.kernel "Conv2d" "conv2" on host sparse_binary(%s, %w) {dilations = array<i64: 1, 1>, groups = 1 : i64, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (!plan.tensor<1x2x4x4xspikes>, !plan.tensor<2x3x3x2xf32>) -> !plan.tensor<1x2x4x4xf32, temporal>
    %l3 = plan.kernel "LIF" "lif3" on host dense(%c2) {fire = #spike.fire<ge>, gain = array<f32: 1.0>, leak = array<f32: 0.5>, reset = #spike.reset<hard>, reset_delay = false, v_init = array<f32: 0.0>, v_leak = array<f32: 0.0>, v_reset = array<f32: 0.0>, v_threshold = array<f32: 1.0>} : (!plan.tensor<1x2x4x4xf32, temporal>) -> !plan.tensor<1x2x4x4xspikes>
    // CHECK: %[[G:.*]] = plan.kernel "Conv2d" "gpu_conv" on gpu
    // CHECK: plan.kernel "LIF" "lif4" on host dense(%[[G]])
    %g = plan.kernel "Conv2d" "gpu_conv" on gpu sparse_binary(%s, %w) {dilations = array<i64: 1, 1>, groups = 1 : i64, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (!plan.tensor<1x2x4x4xspikes>, !plan.tensor<2x3x3x2xf32>) -> !plan.tensor<1x2x4x4xf32, temporal>
    %l4 = plan.kernel "LIF" "lif4" on host dense(%g) {fire = #spike.fire<ge>, gain = array<f32: 1.0>, leak = array<f32: 0.5>, reset = #spike.reset<hard>, reset_delay = false, v_init = array<f32: 0.0>, v_leak = array<f32: 0.0>, v_reset = array<f32: 0.0>, v_threshold = array<f32: 1.0>} : (!plan.tensor<1x2x4x4xf32, temporal>) -> !plan.tensor<1x2x4x4xspikes>
    %u = plan.kernel "Unpack" "u" on host dense(%l) : (!plan.tensor<1x2x4x4xspikes>) -> !plan.tensor<1x2x4x4xf32, temporal>
    %u2 = plan.kernel "Unpack" "u2" on host dense(%n) : (!plan.tensor<1x3xspikes>) -> !plan.tensor<1x3xf32, temporal>
    %sum = plan.kernel "Add" "add" on host dense(%c2, %u) : (!plan.tensor<1x2x4x4xf32, temporal>, !plan.tensor<1x2x4x4xf32, temporal>) -> !plan.tensor<1x2x4x4xf32, temporal>
    return %sum, %u2, %g : !plan.tensor<1x2x4x4xf32, temporal>, !plan.tensor<1x3xf32, temporal>, !plan.tensor<1x2x4x4xf32, temporal>
  }
}

// -----

// A residual block's end, LIF(add(conv, shortcut)): one kernel with the
// shortcut as its last input, read packed where it was unpacked spikes (the
// Unpack goes when nothing else reads it); a float shortcut is read as is.
module attributes {spike.model = #spike.model<timesteps = 4, encoding = spikes, readout = mean>} {
  func.func @block(%s: !plan.tensor<1x2x4x4xspikes>, %w: !plan.tensor<2x3x3x2xf32>, %f: !plan.tensor<1x2x4x4xf32, temporal>)
      -> (!plan.tensor<1x2x4x4xspikes>, !plan.tensor<1x2x4x4xspikes>) {
    // CHECK-LABEL: func.func @block
    // CHECK-NOT: "Unpack"
    // CHECK: plan.kernel "Conv2dLIF" "conv" on host sparse_binary(%arg0, %arg1, %arg0) {{{.*}}residual = true{{.*}}} : (!plan.tensor<1x2x4x4xspikes>, !plan.tensor<2x3x3x2xf32>, !plan.tensor<1x2x4x4xspikes>) -> !plan.tensor<1x2x4x4xspikes>
    // CHECK: plan.kernel "Conv2dLIF" "conv2" on host sparse_binary(%arg0, %arg1, %arg2) {{{.*}}residual = true
    %c = plan.kernel "Conv2d" "conv" on host sparse_binary(%s, %w) {dilations = array<i64: 1, 1>, groups = 1 : i64, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (!plan.tensor<1x2x4x4xspikes>, !plan.tensor<2x3x3x2xf32>) -> !plan.tensor<1x2x4x4xf32, temporal>
    %u = plan.kernel "Unpack" "s" on host dense(%s) : (!plan.tensor<1x2x4x4xspikes>) -> !plan.tensor<1x2x4x4xf32, temporal>
    %a = plan.kernel "Add" "add" on host dense(%c, %u) : (!plan.tensor<1x2x4x4xf32, temporal>, !plan.tensor<1x2x4x4xf32, temporal>) -> !plan.tensor<1x2x4x4xf32, temporal>
    %l = plan.kernel "LIF" "lif" on host dense(%a) {fire = #spike.fire<ge>, gain = array<f32: 1.0>, leak = array<f32: 0.5>, reset = #spike.reset<hard>, reset_delay = false, v_init = array<f32: 0.0>, v_leak = array<f32: 0.0>, v_reset = array<f32: 0.0>, v_threshold = array<f32: 1.0>} : (!plan.tensor<1x2x4x4xf32, temporal>) -> !plan.tensor<1x2x4x4xspikes>
    %c2 = plan.kernel "Conv2d" "conv2" on host sparse_binary(%s, %w) {dilations = array<i64: 1, 1>, groups = 1 : i64, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (!plan.tensor<1x2x4x4xspikes>, !plan.tensor<2x3x3x2xf32>) -> !plan.tensor<1x2x4x4xf32, temporal>
    %a2 = plan.kernel "Add" "add2" on host dense(%f, %c2) : (!plan.tensor<1x2x4x4xf32, temporal>, !plan.tensor<1x2x4x4xf32, temporal>) -> !plan.tensor<1x2x4x4xf32, temporal>
    %l2 = plan.kernel "LIF" "lif2" on host dense(%a2) {fire = #spike.fire<ge>, gain = array<f32: 1.0>, leak = array<f32: 0.5>, reset = #spike.reset<hard>, reset_delay = false, v_init = array<f32: 0.0>, v_leak = array<f32: 0.0>, v_reset = array<f32: 0.0>, v_threshold = array<f32: 1.0>} : (!plan.tensor<1x2x4x4xf32, temporal>) -> !plan.tensor<1x2x4x4xspikes>
    return %l, %l2 : !plan.tensor<1x2x4x4xspikes>, !plan.tensor<1x2x4x4xspikes>
  }
}

// -----

// A Conv1d (a height-1 conv2d reshaped back to [N, O, L]) fuses through the
// reshape, which keeps each element's channel: the fused kernel writes the
// conv's shape and the spikes are reshaped. A reshape that moves the
// channels (dimension 1) blocks the fusion.
module attributes {spike.model = #spike.model<timesteps = 4, encoding = spikes, readout = mean>} {
  func.func @conv1d(%s: !plan.tensor<1x2x1x4xspikes>, %w: !plan.tensor<2x1x1x3xf32>) -> (!plan.tensor<1x3x4xspikes>, !plan.tensor<3x4xspikes>) {
    // CHECK-LABEL: func.func @conv1d
    // CHECK: %[[F:.*]] = plan.kernel "Conv2dLIF" "proj" on host sparse_binary(%arg0, %arg1) {{.*}} -> !plan.tensor<1x3x1x4xspikes>
    // CHECK: %[[R:.*]] = plan.kernel "Reshape" "back" on host dense(%[[F]]) : (!plan.tensor<1x3x1x4xspikes>) -> !plan.tensor<1x3x4xspikes>
    // CHECK: %[[C:.*]] = plan.kernel "Conv2d" "proj2"
    // CHECK: %[[M:.*]] = plan.kernel "Reshape" "moved" on host dense(%[[C]])
    // CHECK: plan.kernel "LIF" "lif2" on host dense(%[[M]])
    // CHECK: return %[[R]]
    %c = plan.kernel "Conv2d" "proj" on host sparse_binary(%s, %w) {dilations = array<i64: 1, 1>, groups = 1 : i64, kernel_shape = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (!plan.tensor<1x2x1x4xspikes>, !plan.tensor<2x1x1x3xf32>) -> !plan.tensor<1x3x1x4xf32, temporal>
    %r = plan.kernel "Reshape" "back" on host dense(%c) : (!plan.tensor<1x3x1x4xf32, temporal>) -> !plan.tensor<1x3x4xf32, temporal>
    %l = plan.kernel "LIF" "lif" on host dense(%r) {fire = #spike.fire<ge>, gain = array<f32: 1.0>, leak = array<f32: 0.5>, reset = #spike.reset<soft>, reset_delay = false, v_init = array<f32: 0.0>, v_leak = array<f32: 0.0>, v_threshold = array<f32: 1.0>} : (!plan.tensor<1x3x4xf32, temporal>) -> !plan.tensor<1x3x4xspikes>
    %c2 = plan.kernel "Conv2d" "proj2" on host sparse_binary(%s, %w) {dilations = array<i64: 1, 1>, groups = 1 : i64, kernel_shape = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (!plan.tensor<1x2x1x4xspikes>, !plan.tensor<2x1x1x3xf32>) -> !plan.tensor<1x3x1x4xf32, temporal>
    %m = plan.kernel "Reshape" "moved" on host dense(%c2) : (!plan.tensor<1x3x1x4xf32, temporal>) -> !plan.tensor<3x4xf32, temporal>
    %l2 = plan.kernel "LIF" "lif2" on host dense(%m) {fire = #spike.fire<ge>, gain = array<f32: 1.0>, leak = array<f32: 0.5>, reset = #spike.reset<soft>, reset_delay = false, v_init = array<f32: 0.0>, v_leak = array<f32: 0.0>, v_threshold = array<f32: 1.0>} : (!plan.tensor<3x4xf32, temporal>) -> !plan.tensor<3x4xspikes>
    return %l, %l2 : !plan.tensor<1x3x4xspikes>, !plan.tensor<3x4xspikes>
  }
}
