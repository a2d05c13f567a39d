// RUN: sf-opt %s | sf-opt | FileCheck %s

// The plan dialect round-trips: tensor types with their storage, constants
// with their layout, kernels with target, kernel, block and arena offset.

// CHECK-LABEL: func.func @main
// CHECK-SAME: (%[[X:.*]]: !plan.tensor<1x2x4x4xspikes> {plan.arena_offset = 0 : i64})
// CHECK-SAME: -> !plan.tensor<1x3x4x4xf32, temporal>
// CHECK: %[[W:.*]] = plan.constant "w" chwo dense<1.000000e+00> : tensor<2x3x3x3xf32> : !plan.tensor<2x3x3x3xf32>
// CHECK: %[[Y:.*]] = plan.kernel "Conv2d" "conv" on gpu sparse_binary(%[[X]], %[[W]]) block 4 at 256 {groups = 1 : i64, pads = array<i64: 1, 1, 1, 1>}
// CHECK-SAME: : (!plan.tensor<1x2x4x4xspikes>, !plan.tensor<2x3x3x3xf32>) -> !plan.tensor<1x3x4x4xf32, temporal>
// CHECK: %[[U:.*]] = plan.kernel "Unpack" "x" on host dense(%[[X]]) : (!plan.tensor<1x2x4x4xspikes>) -> !plan.tensor<1x2x4x4xf32, temporal>
// CHECK: return %[[Y]]
module attributes {plan.arena_size = 1024 : i64, spike.model = #spike.model<timesteps = 4, encoding = spikes, readout = mean>} {
  func.func @main(%x: !plan.tensor<1x2x4x4xspikes> {plan.arena_offset = 0 : i64}) -> !plan.tensor<1x3x4x4xf32, temporal> {
    %w = plan.constant "w" chwo dense<1.0> : tensor<2x3x3x3xf32> : !plan.tensor<2x3x3x3xf32>
    %y = plan.kernel "Conv2d" "conv" on gpu sparse_binary(%x, %w) block 4 at 256 {groups = 1 : i64, pads = array<i64: 1, 1, 1, 1>} : (!plan.tensor<1x2x4x4xspikes>, !plan.tensor<2x3x3x3xf32>) -> !plan.tensor<1x3x4x4xf32, temporal>
    %u = plan.kernel "Unpack" "x" on host dense(%x) : (!plan.tensor<1x2x4x4xspikes>) -> !plan.tensor<1x2x4x4xf32, temporal>
    return %y : !plan.tensor<1x3x4x4xf32, temporal>
  }
}
