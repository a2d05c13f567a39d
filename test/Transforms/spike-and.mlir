// RUN: sf-opt %s --spike-tag-lif-successors --spike-partition --convert-spike-to-plan | FileCheck %s

// The product of two spike trains (the Spike-driven Transformer's K ⊙ V, a
// mask of Q) is a spike train: a Mul of the packed words (their AND) whose
// packed result the next layer reads with its spike kernel. A product with
// an analog value stays a float Mul of unpacked spikes.
module attributes {spike.model = #spike.model<timesteps = 4, encoding = direct, readout = all>} {
  func.func @main(%x: tensor<2x4xf32>) -> (tensor<2x1xf32>, tensor<2x4xf32>) {
    %w = arith.constant dense<1.0> : tensor<1x4xf32>
    %q = spike.lif %x {leak = array<f32: 0.5>, v_threshold = array<f32: 0.5>} : (tensor<2x4xf32>) -> tensor<2x4xi1> loc("q")
    %k = spike.lif %x {leak = array<f32: 0.5>, v_threshold = array<f32: 0.25>} : (tensor<2x4xf32>) -> tensor<2x4xi1> loc("k")
    %m = spike.mul %q, %k : (tensor<2x4xi1>, tensor<2x4xi1>) -> tensor<2x4xf32> loc("qk")
    %s = spike.linear %m, %w : (tensor<2x4xf32>, tensor<1x4xf32>) -> tensor<2x1xf32> loc("sum")
    %a = spike.mul %q, %x : (tensor<2x4xi1>, tensor<2x4xf32>) -> tensor<2x4xf32> loc("qx")
    return %s, %a : tensor<2x1xf32>, tensor<2x4xf32>
  }
}

// CHECK: %[[Q:.*]] = plan.kernel "LIF" "q"
// CHECK: %[[K:.*]] = plan.kernel "LIF" "k"
// CHECK: %[[M:.*]] = plan.kernel "Mul" "qk" on host dense(%[[Q]], %[[K]]) : (!plan.tensor<2x4xspikes>, !plan.tensor<2x4xspikes>) -> !plan.tensor<2x4xspikes>
// CHECK: plan.kernel "Linear" "sum" on host sparse_binary(%[[M]], %{{.*}})
// CHECK: %[[QU:.*]] = plan.kernel "Unpack" "q"
// CHECK: plan.kernel "Mul" "qx" on host dense(%[[QU]], %{{.*}}) : (!plan.tensor<2x4xf32, temporal>, !plan.tensor<2x4xf32>) -> !plan.tensor<2x4xf32, temporal>
