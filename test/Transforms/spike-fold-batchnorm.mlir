// RUN: sf-opt %s --spike-fold-batchnorm --split-input-file | FileCheck %s

// Folded values are exact in binary floating point here:
//   s  = gamma / sqrt(var + eps)     = [3 / sqrt(3 + 1), 1 / sqrt(0 + 1)] = [1.5, 1]
//   W' = W * s                       = [2 * 1.5, -4 * 1]                  = [3, -4]
//   b' = (b - mean) * s + beta       = [(2 - 1) * 1.5 + 0.5, (0.5 - 0.5) * 1 - 1] = [2, -1]

// CHECK-LABEL: func.func @conv
// CHECK-SAME: (%[[X:.*]]: tensor<1x1x4x4xi1>)
// CHECK-DAG: %[[W:.*]] = arith.constant dense<{{\[\[\[\[}}3.000000e+00]]], {{\[\[\[}}-4.000000e+00]]]]> : tensor<2x1x1x1xf32>
// CHECK-DAG: %[[B:.*]] = arith.constant dense<[2.000000e+00, -1.000000e+00]> : tensor<2xf32>
// CHECK: %[[Y:.*]] = spike.conv2d %[[X]], %[[W]], %[[B]] : (tensor<1x1x4x4xi1>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
// CHECK-NOT: spike.batch_norm
// CHECK: return %[[Y]]
func.func @conv(%x: tensor<1x1x4x4xi1>) -> tensor<1x2x4x4xf32> {
  %w = arith.constant dense<[[[[2.0]]], [[[-4.0]]]]> : tensor<2x1x1x1xf32>
  %b = arith.constant dense<[2.0, 0.5]> : tensor<2xf32>
  %gamma = arith.constant dense<[3.0, 1.0]> : tensor<2xf32>
  %beta = arith.constant dense<[0.5, -1.0]> : tensor<2xf32>
  %mean = arith.constant dense<[1.0, 0.5]> : tensor<2xf32>
  %var = arith.constant dense<[3.0, 0.0]> : tensor<2xf32>
  %y = spike.conv2d %x, %w, %b : (tensor<1x1x4x4xi1>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %z = spike.batch_norm %y, %gamma, %beta, %mean, %var {epsilon = 1.0 : f32}
      : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %z : tensor<1x2x4x4xf32>
}

// -----

// A linear layer without bias gets one; each output feature (row of W) is
// scaled: s = [4 / sqrt(3 + 1), 1 / sqrt(0 + 1)] = [2, 1],
// b' = (0 - mean) * s + beta = [-2 + 0.25, 0 + 2] = [-1.75, 2].

// CHECK-LABEL: func.func @linear
// CHECK-DAG: %[[W:.*]] = arith.constant dense<{{\[\[}}2.000000e+00, 4.000000e+00, 6.000000e+00], [4.000000e+00, 5.000000e+00, 6.000000e+00]]> : tensor<2x3xf32>
// CHECK-DAG: %[[B:.*]] = arith.constant dense<[-1.750000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK: spike.linear %{{.*}}, %[[W]], %[[B]]
// CHECK-NOT: spike.batch_norm
func.func @linear(%x: tensor<4x3xi1>) -> tensor<4x2xf32> {
  %w = arith.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %gamma = arith.constant dense<[4.0, 1.0]> : tensor<2xf32>
  %beta = arith.constant dense<[0.25, 2.0]> : tensor<2xf32>
  %mean = arith.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %var = arith.constant dense<[3.0, 0.0]> : tensor<2xf32>
  %y = spike.linear %x, %w : (tensor<4x3xi1>, tensor<2x3xf32>) -> tensor<4x2xf32>
  %z = spike.batch_norm %y, %gamma, %beta, %mean, %var {epsilon = 1.0 : f32}
      : (tensor<4x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<4x2xf32>
  return %z : tensor<4x2xf32>
}

// -----

// Not folded: the conv result has a second user, which needs the unnormalized
// values.

// CHECK-LABEL: func.func @shared_layer
// CHECK: %[[Y:.*]] = spike.conv2d
// CHECK: spike.batch_norm %[[Y]]
// CHECK: spike.relu %[[Y]]
func.func @shared_layer(%x: tensor<1x1x4x4xi1>) -> (tensor<1x1x4x4xf32>, tensor<1x1x4x4xf32>) {
  %w = arith.constant dense<2.0> : tensor<1x1x1x1xf32>
  %p = arith.constant dense<1.0> : tensor<1xf32>
  %y = spike.conv2d %x, %w : (tensor<1x1x4x4xi1>, tensor<1x1x1x1xf32>) -> tensor<1x1x4x4xf32>
  %z = spike.batch_norm %y, %p, %p, %p, %p : (tensor<1x1x4x4xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x4x4xf32>
  %r = spike.relu %y : (tensor<1x1x4x4xf32>) -> tensor<1x1x4x4xf32>
  return %z, %r : tensor<1x1x4x4xf32>, tensor<1x1x4x4xf32>
}

// -----

// Not folded: the weight is not a constant, and the second batch_norm does not
// follow a layer.

// CHECK-LABEL: func.func @not_foldable
// CHECK: %[[Y:.*]] = spike.conv2d
// CHECK: %[[Z:.*]] = spike.batch_norm %[[Y]]
// CHECK: %[[S:.*]] = spike.add
// CHECK: spike.batch_norm %[[S]]
func.func @not_foldable(%x: tensor<1x1x4x4xi1>, %w: tensor<1x1x1x1xf32>) -> tensor<1x1x4x4xf32> {
  %p = arith.constant dense<1.0> : tensor<1xf32>
  %y = spike.conv2d %x, %w : (tensor<1x1x4x4xi1>, tensor<1x1x1x1xf32>) -> tensor<1x1x4x4xf32>
  %z = spike.batch_norm %y, %p, %p, %p, %p : (tensor<1x1x4x4xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x4x4xf32>
  %s = spike.add %z, %x : (tensor<1x1x4x4xf32>, tensor<1x1x4x4xi1>) -> tensor<1x1x4x4xf32>
  %n = spike.batch_norm %s, %p, %p, %p, %p : (tensor<1x1x4x4xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x4x4xf32>
  return %n : tensor<1x1x4x4xf32>
}
