// RUN: sf-opt %s --spike-tag-lif-successors --spike-partition="targets=gpu,host" --convert-spike-to-plan | FileCheck %s
// RUN: sf-opt %s --spike-tag-lif-successors --spike-partition="targets=gpu,host" --convert-spike-to-plan="sparse-kernels=false" | FileCheck %s --check-prefix=DENSE

// Spiking self-attention's products: Q·Kᵀ of two spike trains is a
// sparse_binary MatMul reading both packed (AND + popcount); Kᵀ·S and Q·M
// read their spikes packed and the analog operand as floats; S·Q (floats
// times spikes, faster dense) and a product of two analog values stay dense
// (on the host: the partitioner prefers the gpu only where it has a spike
// kernel). With sparse kernels off, the spikes are unpacked.
module attributes {spike.model = #spike.model<timesteps = 4, encoding = direct, readout = all>} {
  func.func @main(%x: tensor<1x2x4xf32>) -> (tensor<1x2x2xf32>, tensor<1x2x4xf32>, tensor<1x2x2xf32>) {
    %q = spike.lif %x {leak = array<f32: 0.5>, v_threshold = array<f32: 0.5>} : (tensor<1x2x4xf32>) -> tensor<1x2x4xi1> loc("q")
    %k = spike.lif %x {leak = array<f32: 0.5>, v_threshold = array<f32: 0.25>} : (tensor<1x2x4xf32>) -> tensor<1x2x4xi1> loc("k")
    %kt = spike.transpose %k {permutation = array<i64: 0, 2, 1>} : (tensor<1x2x4xi1>) -> tensor<1x4x2xi1> loc("kt")
    %s = spike.matmul %q, %kt : (tensor<1x2x4xi1>, tensor<1x4x2xi1>) -> tensor<1x2x2xf32> loc("qk")
    %m = spike.matmul %kt, %s : (tensor<1x4x2xi1>, tensor<1x2x2xf32>) -> tensor<1x4x2xf32> loc("ks")
    %y = spike.matmul %q, %m : (tensor<1x2x4xi1>, tensor<1x4x2xf32>) -> tensor<1x2x2xf32> loc("qm")
    %v = spike.matmul %s, %q : (tensor<1x2x2xf32>, tensor<1x2x4xi1>) -> tensor<1x2x4xf32> loc("sq")
    %z = spike.matmul %s, %s : (tensor<1x2x2xf32>, tensor<1x2x2xf32>) -> tensor<1x2x2xf32> loc("ss")
    return %y, %v, %z : tensor<1x2x2xf32>, tensor<1x2x4xf32>, tensor<1x2x2xf32>
  }
}

// CHECK: %[[Q:.*]] = plan.kernel "LIF" "q"
// CHECK: %[[KT:.*]] = plan.kernel "Transpose" "kt" {{.*}} -> !plan.tensor<1x4x2xspikes>
// CHECK: %[[S:.*]] = plan.kernel "MatMul" "qk" on gpu sparse_binary(%[[Q]], %[[KT]]) : (!plan.tensor<1x2x4xspikes>, !plan.tensor<1x4x2xspikes>) -> !plan.tensor<1x2x2xf32, temporal>
// CHECK: %[[M:.*]] = plan.kernel "MatMul" "ks" on gpu sparse_binary(%[[KT]], %[[S]]) : (!plan.tensor<1x4x2xspikes>, !plan.tensor<1x2x2xf32, temporal>) -> !plan.tensor<1x4x2xf32, temporal>
// CHECK: plan.kernel "MatMul" "qm" on gpu sparse_binary(%[[Q]], %[[M]])
// CHECK: %[[QU:.*]] = plan.kernel "Unpack" "q"
// CHECK: plan.kernel "MatMul" "sq" on host dense(%[[S]], %[[QU]])
// CHECK: plan.kernel "MatMul" "ss" on host dense(%[[S]], %[[S]])

// DENSE: %[[QU:.*]] = plan.kernel "Unpack" "q"
// DENSE: %[[KU:.*]] = plan.kernel "Unpack" "kt"
// DENSE: plan.kernel "MatMul" "qk" on {{.*}} dense(%[[QU]], %[[KU]])
