// RUN: sf-opt %s --convert-spike-to-plan | FileCheck %s

// The elementwise functions lower to one Pointwise kernel kind with the
// function and its parameters; Sub, Div, Softmax and MatMul (of two
// activations) to their own kinds.
// Spikes are unpacked for them (no spike kernels).
module attributes {spike.model = #spike.model<timesteps = 2, encoding = spikes, readout = mean>} {
  func.func @main(%s: tensor<1x4xi1>, %cs: tensor<4x4xf32>) -> (tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x4xf32>) {
    %t = spike.tanh %s : (tensor<1x4xi1>) -> tensor<1x4xf32> loc("tanh")
    %l = spike.leaky_relu %t {alpha = 0.5 : f32} : (tensor<1x4xf32>) -> tensor<1x4xf32> loc("leaky")
    %r = spike.sqrt %t : (tensor<1x4xf32>) -> tensor<1x4xf32> loc("sqrt")
    %k = spike.clip %l {min = -1.0 : f32} : (tensor<1x4xf32>) -> tensor<1x4xf32> loc("clip")
    %cst = arith.constant dense<2.0> : tensor<4xf32>
    %d = spike.div %k, %cst : (tensor<1x4xf32>, tensor<4xf32>) -> tensor<1x4xf32> loc("div")
    %b = spike.sub %d, %cst : (tensor<1x4xf32>, tensor<4xf32>) -> tensor<1x4xf32> loc("sub")
    %m = spike.softmax %b {log} : (tensor<1x4xf32>) -> tensor<1x4xf32> loc("logsm")
    %p = spike.matmul %s, %cs : (tensor<1x4xi1>, tensor<4x4xf32>) -> tensor<1x4xf32> loc("mm")
    return %t, %k, %b, %p : tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x4xf32>
  }
}

// CHECK: %[[U:.*]] = plan.kernel "Unpack"
// CHECK: %[[T:.*]] = plan.kernel "Pointwise" "tanh" on host dense(%[[U]]) {function = "tanh"}
// CHECK: %[[L:.*]] = plan.kernel "Pointwise" "leaky" on host dense(%[[T]]) {alpha = 5.000000e-01 : f32, function = "leaky_relu"}
// CHECK: plan.kernel "Pointwise" "sqrt" on host dense(%[[T]]) {function = "sqrt"}
// CHECK: %[[K:.*]] = plan.kernel "Pointwise" "clip" on host dense(%[[L]]) {function = "clip", min = -1.000000e+00 : f32}
// CHECK: %[[D:.*]] = plan.kernel "Div" "div" on host dense(%[[K]], %{{.*}})
// CHECK: %[[B:.*]] = plan.kernel "Sub" "sub" on host dense(%[[D]], %{{.*}})
// CHECK: plan.kernel "Softmax" "logsm" on host dense(%[[B]]) {log = true}
// CHECK: plan.kernel "MatMul" "mm" on host dense(%[[U]], %{{.*}}) : (!plan.tensor<1x4xf32, temporal>, !plan.tensor<4x4xf32, temporal>) -> !plan.tensor<1x4xf32, temporal>
