// RUN: sf-opt %s --spike-reassociate-products --split-input-file | FileCheck %s

// Spikformer's attention, scaled between the products: Q·(Kᵀ·V) is
// cheaper for d = 2 < L = 4 (2·4·2 + 4·2·2 = 32 multiply-adds against 64),
// and the power-of-two scale moves after it.
// CHECK-LABEL: func.func @ssa
// CHECK-SAME: (%[[Q:.*]]: tensor<3x4x2xi1>, %[[KT:.*]]: tensor<3x2x4xi1>, %[[V:.*]]: tensor<3x4x2xi1>)
// CHECK: %[[S:.*]] = arith.constant dense<1.250000e-01> : tensor<f32>
// CHECK: %[[M:.*]] = spike.matmul %[[KT]], %[[V]] : (tensor<3x2x4xi1>, tensor<3x4x2xi1>) -> tensor<3x2x2xf32>
// CHECK: %[[P:.*]] = spike.matmul %[[Q]], %[[M]] : (tensor<3x4x2xi1>, tensor<3x2x2xf32>) -> tensor<3x4x2xf32>
// CHECK: %[[Y:.*]] = spike.mul %[[P]], %[[S]] : (tensor<3x4x2xf32>, tensor<f32>) -> tensor<3x4x2xf32>
// CHECK: return %[[Y]]
func.func @ssa(%q: tensor<3x4x2xi1>, %kt: tensor<3x2x4xi1>, %v: tensor<3x4x2xi1>) -> tensor<3x4x2xf32> {
  %c = arith.constant dense<0.125> : tensor<f32>
  %s = spike.matmul %q, %kt : (tensor<3x4x2xi1>, tensor<3x2x4xi1>) -> tensor<3x4x4xf32> loc("qk")
  %a = spike.mul %s, %c : (tensor<3x4x4xf32>, tensor<f32>) -> tensor<3x4x4xf32> loc("scale")
  %y = spike.matmul %a, %v : (tensor<3x4x4xf32>, tensor<3x4x2xi1>) -> tensor<3x4x2xf32>
  return %y : tensor<3x4x2xf32>
}

// -----

// Left alone: a wide head (d = 8 > L = 2: the given order is cheaper), a
// scale that is not a power of two (moving it would round differently), an
// analog operand, and scores used twice.
// CHECK-LABEL: func.func @kept
// CHECK-COUNT-8: spike.matmul
// CHECK-NOT: spike.matmul
func.func @kept(%q: tensor<2x8xi1>, %kt: tensor<8x2xi1>, %v: tensor<2x8xi1>, %x: tensor<2x8xf32>,
                %q2: tensor<4x2xi1>, %k2: tensor<2x4xi1>, %v2: tensor<4x2xi1>)
    -> (tensor<2x8xf32>, tensor<4x2xf32>, tensor<2x8xf32>, tensor<4x2xf32>, tensor<4x4xf32>) {
  %s = spike.matmul %q, %kt : (tensor<2x8xi1>, tensor<8x2xi1>) -> tensor<2x2xf32>
  %y = spike.matmul %s, %v : (tensor<2x2xf32>, tensor<2x8xi1>) -> tensor<2x8xf32>
  %c = arith.constant dense<0.1> : tensor<f32>
  %s2 = spike.matmul %q2, %k2 : (tensor<4x2xi1>, tensor<2x4xi1>) -> tensor<4x4xf32>
  %a2 = spike.mul %s2, %c : (tensor<4x4xf32>, tensor<f32>) -> tensor<4x4xf32>
  %y2 = spike.matmul %a2, %v2 : (tensor<4x4xf32>, tensor<4x2xi1>) -> tensor<4x2xf32>
  %s3 = spike.matmul %q, %kt : (tensor<2x8xi1>, tensor<8x2xi1>) -> tensor<2x2xf32>
  %y3 = spike.matmul %s3, %x : (tensor<2x2xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  %s4 = spike.matmul %q2, %k2 : (tensor<4x2xi1>, tensor<2x4xi1>) -> tensor<4x4xf32>
  %y4 = spike.matmul %s4, %v2 : (tensor<4x4xf32>, tensor<4x2xi1>) -> tensor<4x2xf32>
  return %y, %y2, %y3, %y4, %s4 : tensor<2x8xf32>, tensor<4x2xf32>, tensor<2x8xf32>, tensor<4x2xf32>, tensor<4x4xf32>
}
