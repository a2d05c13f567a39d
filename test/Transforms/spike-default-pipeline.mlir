// RUN: sf-opt %s --spike-default-pipeline="targets=host,gpu" | FileCheck %s
// RUN: sf-opt %s --spike-default-pipeline | FileCheck %s --check-prefix=HOST

// MatMul + Add as an exporter writes them (a transposed constant weight and a
// bias added afterwards) and a BatchNorm: the pipeline folds the transpose
// into the weight, absorbs the bias, folds the BatchNorm, tags the spike
// consumers with block sizes and partitions.

module attributes {spike.model = #spike.model<timesteps = 4, encoding = direct, readout = mean>} {
  func.func @main(%x: tensor<1x1x56x56xf32>) -> (tensor<1x16xf32>, tensor<1x4xf32>) {
    %w = arith.constant dense<1.0> : tensor<8x1x3x3xf32>
    %w2 = arith.constant dense<0.5> : tensor<8x8x3x3xf32>
    %gamma = arith.constant dense<2.0> : tensor<8xf32>
    %beta = arith.constant dense<0.5> : tensor<8xf32>
    %mean = arith.constant dense<0.0> : tensor<8xf32>
    %var = arith.constant dense<3.0> : tensor<8xf32>
    %kn = arith.constant dense<[[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0]]> : tensor<2x4xf32>
    %bias = arith.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
    %c0 = spike.conv2d %x, %w {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x1x56x56xf32>, tensor<8x1x3x3xf32>) -> tensor<1x8x56x56xf32>
    %s0 = spike.lif %c0 {leak = array<f32: 0.5>, v_threshold = array<f32: 1.0>} : (tensor<1x8x56x56xf32>) -> tensor<1x8x56x56xi1>
    %c1 = spike.conv2d %s0, %w2 {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x8x56x56xi1>, tensor<8x8x3x3xf32>) -> tensor<1x8x56x56xf32>
    %bn = spike.batch_norm %c1, %gamma, %beta, %mean, %var {epsilon = 1.0 : f32} : (tensor<1x8x56x56xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<1x8x56x56xf32>
    %s1 = spike.lif %bn {leak = array<f32: 0.5>, v_threshold = array<f32: 1.0>} : (tensor<1x8x56x56xf32>) -> tensor<1x8x56x56xi1>
    %p = spike.max_pool2d %s1 {kernel_shape = array<i64: 28, 28>, strides = array<i64: 28, 28>} : (tensor<1x8x56x56xi1>) -> tensor<1x8x2x2xi1>
    %g = spike.global_avg_pool %p : (tensor<1x8x2x2xi1>) -> tensor<1x8x1x1xf32>
    %f = spike.reshape %g : (tensor<1x8x1x1xf32>) -> tensor<4x2xf32>
    %t = spike.transpose %kn {permutation = array<i64: 1, 0>} : (tensor<2x4xf32>) -> tensor<4x2xf32>
    %y = spike.linear %f, %t : (tensor<4x2xf32>, tensor<4x2xf32>) -> tensor<4x4xf32>
    %z = spike.add %y, %bias : (tensor<4x4xf32>, tensor<4xf32>) -> tensor<4x4xf32>
    %r = spike.reshape %z : (tensor<4x4xf32>) -> tensor<1x16xf32>
    %o = spike.max_pool2d %p {kernel_shape = array<i64: 2, 2>} : (tensor<1x8x2x2xi1>) -> tensor<1x8x1x1xi1>
    %of = spike.flatten %o : (tensor<1x8x1x1xi1>) -> tensor<1x8xi1>
    %wo = arith.constant dense<1.0> : tensor<4x8xf32>
    %out = spike.linear %of, %wo : (tensor<1x8xi1>, tensor<4x8xf32>) -> tensor<1x4xf32>
    return %r, %out : tensor<1x16xf32>, tensor<1x4xf32>
  }
}

// CHECK-LABEL: func.func @main
// CHECK-NEXT: %[[S0:.*]] = call @main_p0_host(%arg0)
// CHECK-NEXT: %[[C1:.*]] = call @main_p1_gpu(%[[S0]])
// CHECK-NEXT: %[[P:.*]]:2 = call @main_p2_host(%[[C1]])
// CHECK-NEXT: %[[OUT:.*]] = call @main_p3_gpu(%[[P]]#1)
// CHECK-NEXT: return %[[P]]#0, %[[OUT]]

// The transpose of the constant MatMul weight is folded and the bias absorbed
// (main_p2_host below).
// The BatchNorm is folded: s = 2 / sqrt(3 + 1) = 1, so W' = W and b' = 0.5.
// CHECK: func.func private @main_p1_gpu
// CHECK-DAG: %[[W:.*]] = arith.constant dense<5.000000e-01> : tensor<8x8x3x3xf32>
// CHECK-DAG: %[[B:.*]] = arith.constant dense<5.000000e-01> : tensor<8xf32>
// CHECK: spike.conv2d %{{.*}}, %[[W]], %[[B]] {pads = array<i64: 1, 1, 1, 1>, spike.block_size = 16 : i64, spike.spike_input, spike.target = #spike.target<gpu>}
// CHECK-NOT: spike.batch_norm

// CHECK: func.func private @main_p2_host
// CHECK: spike.lif
// CHECK: spike.max_pool2d {{.*}}spike.spike_input
// CHECK: spike.global_avg_pool {{.*}}spike.spike_input
// CHECK-DAG: %[[KT:.*]] = arith.constant dense<{{\[\[}}1.000000e+00, 5.000000e+00], [2.000000e+00, 6.000000e+00], [3.000000e+00, 7.000000e+00], [4.000000e+00, 8.000000e+00]]> : tensor<4x2xf32>
// CHECK-DAG: %[[BIAS:.*]] = arith.constant dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00]> : tensor<4xf32>
// CHECK: spike.linear %{{.*}}, %[[KT]], %[[BIAS]] {spike.target = #spike.target<host>}
// CHECK-NOT: spike.add
// CHECK: spike.max_pool2d {{.*}}spike.spike_input
// CHECK: spike.flatten {{.*}}spike.spike_input
// CHECK: func.func private @main_p3_gpu
// CHECK: spike.linear {{.*}}spike.block_size = 0 : i64, spike.spike_input, spike.target = #spike.target<gpu>

// HOST-LABEL: func.func @main
// HOST-NEXT: %[[R:.*]]:2 = call @main_p0_host
// HOST-NEXT: return %[[R]]#0, %[[R]]#1
