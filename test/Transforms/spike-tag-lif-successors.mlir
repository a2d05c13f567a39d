// RUN: sf-opt %s --spike-tag-lif-successors --split-input-file | FileCheck %s

// Direct encoding: the analog input does not make the first conv a spike
// consumer. Spikes flow from the LIF through max-pool and flatten (tagged,
// spike-preserving) into the linear layer; avg-pool consumes spikes but its
// result is analog, so the layer after it is not tagged.

// CHECK-LABEL: func.func @direct
module attributes {spike.model = #spike.model<timesteps = 4, encoding = direct, readout = mean>} {
  func.func @direct(%x: tensor<1x1x8x8xf32>) -> (tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x2x8x8xf32>) {
    %w = arith.constant dense<1.0> : tensor<2x1x3x3xf32>
    %fc = arith.constant dense<1.0> : tensor<4x32xf32>
    %fc2 = arith.constant dense<1.0> : tensor<4x2xf32>
    // CHECK: spike.conv2d
    // CHECK-NOT: spike.spike_input
    // CHECK-SAME: -> tensor<1x2x8x8xf32>
    %c = spike.conv2d %x, %w {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x1x8x8xf32>, tensor<2x1x3x3xf32>) -> tensor<1x2x8x8xf32>
    // CHECK: spike.lif
    // CHECK-NOT: spike.spike_input
    // CHECK-SAME: -> tensor<1x2x8x8xi1>
    %s = spike.lif %c {leak = array<f32: 0.5>, v_threshold = array<f32: 1.0>} : (tensor<1x2x8x8xf32>) -> tensor<1x2x8x8xi1>
    // CHECK: spike.max_pool2d {{.*}}spike.spike_input
    %p = spike.max_pool2d %s {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x2x8x8xi1>) -> tensor<1x2x4x4xi1>
    // CHECK: spike.flatten {{.*}}spike.spike_input
    %f = spike.flatten %p : (tensor<1x2x4x4xi1>) -> tensor<1x32xi1>
    // CHECK: spike.linear {{.*}}spike.spike_input
    %y = spike.linear %f, %fc : (tensor<1x32xi1>, tensor<4x32xf32>) -> tensor<1x4xf32>
    // CHECK: spike.global_avg_pool {{.*}}spike.spike_input
    %g = spike.global_avg_pool %s : (tensor<1x2x8x8xi1>) -> tensor<1x2x1x1xf32>
    // CHECK: spike.flatten
    // CHECK-NOT: spike.spike_input
    // CHECK-SAME: -> tensor<1x2xf32>
    %gf = spike.flatten %g : (tensor<1x2x1x1xf32>) -> tensor<1x2xf32>
    // CHECK: spike.linear
    // CHECK-NOT: spike.spike_input
    // CHECK-SAME: -> tensor<1x4xf32>
    %z = spike.linear %gf, %fc2 : (tensor<1x2xf32>, tensor<4x2xf32>) -> tensor<1x4xf32>
    // CHECK: spike.add {{.*}}spike.spike_input
    %r = spike.add %s, %c : (tensor<1x2x8x8xi1>, tensor<1x2x8x8xf32>) -> tensor<1x2x8x8xf32>
    return %y, %z, %r : tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x2x8x8xf32>
  }
}

// -----

// Rate (and spikes) encoding: the model input is a binary spike train even
// though it is typed f32, and stays one through max-pool, reshape, transpose
// and flatten; avg-pool and a concat with an analog value end it.

// CHECK-LABEL: func.func @rate
module attributes {spike.model = #spike.model<timesteps = 4, encoding = rate, readout = mean>} {
  func.func @rate(%x: tensor<1x1x8x8xf32>) -> (tensor<1x2x8x8xf32>, tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x2x8x8xf32>) {
    %w = arith.constant dense<1.0> : tensor<2x1x3x3xf32>
    %w2 = arith.constant dense<1.0> : tensor<2x3x3x3xf32>
    %fc = arith.constant dense<1.0> : tensor<4x16xf32>
    // CHECK: spike.conv2d {{.*}}spike.spike_input
    %c = spike.conv2d %x, %w {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x1x8x8xf32>, tensor<2x1x3x3xf32>) -> tensor<1x2x8x8xf32>
    // CHECK: spike.max_pool2d {{.*}}spike.spike_input
    %p = spike.max_pool2d %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x1x8x8xf32>) -> tensor<1x1x4x4xf32>
    // CHECK: spike.transpose {{.*}}spike.spike_input
    %t = spike.transpose %p {permutation = array<i64: 0, 1, 3, 2>} : (tensor<1x1x4x4xf32>) -> tensor<1x1x4x4xf32>
    // CHECK: spike.reshape {{.*}}spike.spike_input
    %r = spike.reshape %t : (tensor<1x1x4x4xf32>) -> tensor<1x16xf32>
    // CHECK: spike.linear {{.*}}spike.spike_input
    %y = spike.linear %r, %fc : (tensor<1x16xf32>, tensor<4x16xf32>) -> tensor<1x4xf32>
    // CHECK: spike.avg_pool2d {{.*}}spike.spike_input
    %q = spike.avg_pool2d %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x1x8x8xf32>) -> tensor<1x1x4x4xf32>
    // CHECK: spike.reshape
    // CHECK-NOT: spike.spike_input
    // CHECK-SAME: -> tensor<1x16xf32>
    %qr = spike.reshape %q : (tensor<1x1x4x4xf32>) -> tensor<1x16xf32>
    // CHECK: spike.linear
    // CHECK-NOT: spike.spike_input
    // CHECK-SAME: -> tensor<1x4xf32>
    %z = spike.linear %qr, %fc : (tensor<1x16xf32>, tensor<4x16xf32>) -> tensor<1x4xf32>
    // CHECK: spike.concat {{.*}}spike.spike_input
    %m = spike.concat %x, %c {axis = 1 : i64} : (tensor<1x1x8x8xf32>, tensor<1x2x8x8xf32>) -> tensor<1x3x8x8xf32>
    // CHECK: spike.conv2d
    // CHECK-NOT: spike.spike_input
    // CHECK-SAME: -> tensor<1x2x8x8xf32>
    %cx = spike.conv2d %m, %w2 {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x3x8x8xf32>, tensor<2x3x3x3xf32>) -> tensor<1x2x8x8xf32>
    return %c, %y, %z, %cx : tensor<1x2x8x8xf32>, tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x2x8x8xf32>
  }
}

// -----

// Re-tagging removes stale tags, and the block size that came with them.

// CHECK-LABEL: func.func @stale
// CHECK: spike.linear
// CHECK-NOT: spike.
// CHECK-SAME: -> tensor<1x4xf32>
module attributes {spike.model = #spike.model<timesteps = 1, encoding = direct, readout = mean>} {
  func.func @stale(%x: tensor<1x16xf32>) -> tensor<1x4xf32> {
    %fc = arith.constant dense<1.0> : tensor<4x16xf32>
    %y = spike.linear %x, %fc {spike.spike_input, spike.block_size = 8 : i64} : (tensor<1x16xf32>, tensor<4x16xf32>) -> tensor<1x4xf32>
    return %y : tensor<1x4xf32>
  }
}
