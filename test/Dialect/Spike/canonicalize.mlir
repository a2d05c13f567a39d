// RUN: sf-opt %s --canonicalize --split-input-file | FileCheck %s

// CHECK-LABEL: func.func @relu_relu
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-NEXT: %[[R:.*]] = spike.relu %[[X]]
// CHECK-NEXT: return %[[R]]
func.func @relu_relu(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = spike.relu %x : (tensor<4xf32>) -> tensor<4xf32>
  %1 = spike.relu %0 : (tensor<4xf32>) -> tensor<4xf32>
  %2 = spike.relu %1 : (tensor<4xf32>) -> tensor<4xf32>
  return %2 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @reshape_chain
// CHECK-SAME: (%[[X:.*]]: tensor<2x16x4x4xi1>)
// CHECK-NEXT: %[[R:.*]] = spike.reshape %[[X]] : (tensor<2x16x4x4xi1>) -> tensor<512xi1>
// CHECK-NEXT: return %[[R]]
func.func @reshape_chain(%x: tensor<2x16x4x4xi1>) -> tensor<512xi1> {
  %0 = spike.reshape %x : (tensor<2x16x4x4xi1>) -> tensor<32x16xi1>
  %1 = spike.reshape %0 : (tensor<32x16xi1>) -> tensor<2x256xi1>
  %2 = spike.reshape %1 : (tensor<2x256xi1>) -> tensor<512xi1>
  return %2 : tensor<512xi1>
}

// -----

// CHECK-LABEL: func.func @reshape_of_flatten
// CHECK-SAME: (%[[X:.*]]: tensor<2x16x4x4xi1>)
// CHECK-NEXT: %[[R:.*]] = spike.reshape %[[X]] : (tensor<2x16x4x4xi1>) -> tensor<512xi1>
// CHECK-NEXT: return %[[R]]
func.func @reshape_of_flatten(%x: tensor<2x16x4x4xi1>) -> tensor<512xi1> {
  %0 = spike.flatten %x : (tensor<2x16x4x4xi1>) -> tensor<2x256xi1>
  %1 = spike.reshape %0 : (tensor<2x256xi1>) -> tensor<512xi1>
  return %1 : tensor<512xi1>
}

// -----

// Reshapes and flattens to the same type, and a lone concat, are identities.
// CHECK-LABEL: func.func @identities
// CHECK-SAME: (%[[X:.*]]: tensor<2x16xi1>)
// CHECK-NEXT: return %[[X]], %[[X]], %[[X]]
func.func @identities(%x: tensor<2x16xi1>) -> (tensor<2x16xi1>, tensor<2x16xi1>, tensor<2x16xi1>) {
  %0 = spike.reshape %x : (tensor<2x16xi1>) -> tensor<2x16xi1>
  %1 = spike.flatten %x : (tensor<2x16xi1>) -> tensor<2x16xi1>
  %2 = spike.concat %x {axis = 1 : i64} : (tensor<2x16xi1>) -> tensor<2x16xi1>
  return %0, %1, %2 : tensor<2x16xi1>, tensor<2x16xi1>, tensor<2x16xi1>
}

// -----

// A flatten that changes the shape stays.
// CHECK-LABEL: func.func @flatten_kept
// CHECK: spike.flatten
func.func @flatten_kept(%x: tensor<2x4x4xi1>) -> tensor<2x16xi1> {
  %0 = spike.flatten %x : (tensor<2x4x4xi1>) -> tensor<2x16xi1>
  return %0 : tensor<2x16xi1>
}

// -----

// CHECK-LABEL: func.func @add_zero
// CHECK-SAME: (%[[X:.*]]: tensor<1x4x2x2xf32>, %[[S:.*]]: tensor<1x4x2x2xi1>)
// CHECK-DAG: %[[Z:.*]] = arith.constant dense<0.000000e+00> : tensor<1xf32>
// Spikes plus zero change type (i1 -> f32), so that add stays.
// CHECK-DAG: %[[A:.*]] = spike.add %[[S]], %[[Z]]
// CHECK: return %[[X]], %[[X]], %[[A]]
func.func @add_zero(%x: tensor<1x4x2x2xf32>, %s: tensor<1x4x2x2xi1>)
    -> (tensor<1x4x2x2xf32>, tensor<1x4x2x2xf32>, tensor<1x4x2x2xf32>) {
  %zero = arith.constant dense<0.0> : tensor<1xf32>
  %negzero = arith.constant dense<-0.0> : tensor<1x4x2x2xf32>
  // The constant is on the left: commutativity moves it right first.
  %0 = spike.add %zero, %x : (tensor<1xf32>, tensor<1x4x2x2xf32>) -> tensor<1x4x2x2xf32>
  %1 = spike.add %x, %negzero : (tensor<1x4x2x2xf32>, tensor<1x4x2x2xf32>) -> tensor<1x4x2x2xf32>
  %2 = spike.add %s, %zero : (tensor<1x4x2x2xi1>, tensor<1xf32>) -> tensor<1x4x2x2xf32>
  return %0, %1, %2 : tensor<1x4x2x2xf32>, tensor<1x4x2x2xf32>, tensor<1x4x2x2xf32>
}

// -----

// CHECK-LABEL: func.func @mul_one
// CHECK-SAME: (%[[X:.*]]: tensor<1x4xf32>)
// CHECK: %[[M:.*]] = spike.mul %[[X]], %{{.*}} : (tensor<1x4xf32>, tensor<4xf32>)
// CHECK: return %[[X]], %[[M]]
func.func @mul_one(%x: tensor<1x4xf32>) -> (tensor<1x4xf32>, tensor<1x4xf32>) {
  %one = arith.constant dense<1.0> : tensor<4xf32>
  %two = arith.constant dense<2.0> : tensor<4xf32>
  %0 = spike.mul %x, %one : (tensor<1x4xf32>, tensor<4xf32>) -> tensor<1x4xf32>
  %1 = spike.mul %x, %two : (tensor<1x4xf32>, tensor<4xf32>) -> tensor<1x4xf32>
  return %0, %1 : tensor<1x4xf32>, tensor<1x4xf32>
}

// -----

// Broadcasting a scalar one to a larger shape is not the identity.
// CHECK-LABEL: func.func @mul_one_broadcasts
// CHECK: spike.mul
func.func @mul_one_broadcasts(%x: tensor<4xf32>) -> tensor<2x4xf32> {
  %one = arith.constant dense<1.0> : tensor<2x4xf32>
  %0 = spike.mul %x, %one : (tensor<4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// CHECK-LABEL: func.func @max_pool_unit
// CHECK-SAME: (%[[X:.*]]: tensor<1x4x8x8xi1>)
// CHECK: %[[P:.*]] = spike.max_pool2d %[[X]] {kernel_shape = array<i64: 2, 2>}
// CHECK: return %[[X]], %[[P]]
func.func @max_pool_unit(%x: tensor<1x4x8x8xi1>) -> (tensor<1x4x8x8xi1>, tensor<1x4x7x7xi1>) {
  %0 = spike.max_pool2d %x {kernel_shape = array<i64: 1, 1>} : (tensor<1x4x8x8xi1>) -> tensor<1x4x8x8xi1>
  %1 = spike.max_pool2d %x {kernel_shape = array<i64: 2, 2>} : (tensor<1x4x8x8xi1>) -> tensor<1x4x7x7xi1>
  return %0, %1 : tensor<1x4x8x8xi1>, tensor<1x4x7x7xi1>
}

// -----

// Ops without uses are pure and disappear.
// CHECK-LABEL: func.func @dead
// CHECK-NEXT: return
func.func @dead(%x: tensor<1x4xf32>) {
  %0 = spike.lif %x {leak = array<f32: 0.5>, v_threshold = array<f32: 1.0>} : (tensor<1x4xf32>) -> tensor<1x4xi1>
  return
}

// -----

// CHECK-LABEL: func.func @transposes
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xi1>)
// CHECK-NEXT: %[[T:.*]] = spike.transpose %[[X]] {permutation = array<i64: 2, 0, 1>} : (tensor<2x3x4xi1>) -> tensor<4x2x3xi1>
// CHECK-NEXT: return %[[X]], %[[T]]
func.func @transposes(%x: tensor<2x3x4xi1>) -> (tensor<2x3x4xi1>, tensor<4x2x3xi1>) {
  %0 = spike.transpose %x {permutation = array<i64: 0, 1, 2>} : (tensor<2x3x4xi1>) -> tensor<2x3x4xi1>
  %1 = spike.transpose %x {permutation = array<i64: 1, 2, 0>} : (tensor<2x3x4xi1>) -> tensor<3x4x2xi1>
  %2 = spike.transpose %1 {permutation = array<i64: 1, 2, 0>} : (tensor<3x4x2xi1>) -> tensor<4x2x3xi1>
  return %0, %2 : tensor<2x3x4xi1>, tensor<4x2x3xi1>
}

// -----

// A per-channel constant added to a bias-less layer becomes its bias.
// CHECK-LABEL: func.func @absorb_bias
// CHECK-DAG: %[[B:.*]] = arith.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK-DAG: %[[S:.*]] = arith.constant dense<3.000000e+00> : tensor<2xf32>
// CHECK: %[[C:.*]] = spike.conv2d %{{.*}}, %{{.*}}, %[[B]]
// CHECK: %[[L:.*]] = spike.linear %{{.*}}, %{{.*}}, %[[S]]
// CHECK: return %[[C]], %[[L]]
func.func @absorb_bias(%x: tensor<1x1x4x4xi1>, %v: tensor<3x5xi1>) -> (tensor<1x2x4x4xf32>, tensor<3x2xf32>) {
  %w = arith.constant dense<1.0> : tensor<2x1x1x1xf32>
  %b = arith.constant dense<[[[1.0]], [[2.0]]]> : tensor<2x1x1xf32>
  %fc = arith.constant dense<1.0> : tensor<2x5xf32>
  %s = arith.constant dense<3.0> : tensor<1x1xf32>
  %y = spike.conv2d %x, %w : (tensor<1x1x4x4xi1>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32>
  %z = spike.add %y, %b : (tensor<1x2x4x4xf32>, tensor<2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %l = spike.linear %v, %fc : (tensor<3x5xi1>, tensor<2x5xf32>) -> tensor<3x2xf32>
  %m = spike.add %s, %l : (tensor<1x1xf32>, tensor<3x2xf32>) -> tensor<3x2xf32>
  return %z, %m : tensor<1x2x4x4xf32>, tensor<3x2xf32>
}

// -----

// Not absorbed: the constant varies along a spatial dimension, the layer
// already has a bias (re-associating would change rounding), or the layer
// has another user.
// CHECK-LABEL: func.func @keep_add
// CHECK-COUNT-3: spike.add
func.func @keep_add(%x: tensor<1x1x2x2xi1>, %v: tensor<3x5xi1>) -> (tensor<1x1x2x2xf32>, tensor<3x2xf32>, tensor<3x2xf32>, tensor<3x2xf32>) {
  %w = arith.constant dense<1.0> : tensor<1x1x1x1xf32>
  %spatial = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %y = spike.conv2d %x, %w : (tensor<1x1x2x2xi1>, tensor<1x1x1x1xf32>) -> tensor<1x1x2x2xf32>
  %z = spike.add %y, %spatial : (tensor<1x1x2x2xf32>, tensor<2x2xf32>) -> tensor<1x1x2x2xf32>
  %fc = arith.constant dense<1.0> : tensor<2x5xf32>
  %b = arith.constant dense<1.0> : tensor<2xf32>
  %l = spike.linear %v, %fc, %b : (tensor<3x5xi1>, tensor<2x5xf32>, tensor<2xf32>) -> tensor<3x2xf32>
  %m = spike.add %l, %b : (tensor<3x2xf32>, tensor<2xf32>) -> tensor<3x2xf32>
  %l2 = spike.linear %v, %fc : (tensor<3x5xi1>, tensor<2x5xf32>) -> tensor<3x2xf32>
  %n = spike.add %l2, %b : (tensor<3x2xf32>, tensor<2xf32>) -> tensor<3x2xf32>
  return %z, %m, %n, %l2 : tensor<1x1x2x2xf32>, tensor<3x2xf32>, tensor<3x2xf32>, tensor<3x2xf32>
}

// -----

// Shape ops on constants fold to constants.
// CHECK-LABEL: func.func @constant_shapes
// CHECK-DAG: arith.constant dense<{{\[\[\[}}0.000000e+00, 3.000000e+00], [1.000000e+00, 4.000000e+00], [2.000000e+00, 5.000000e+00]]]> : tensor<1x3x2xf32>
// CHECK-DAG: arith.constant dense<[0.000000e+00, 1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00, 5.000000e+00]> : tensor<6xf32>
// CHECK-DAG: arith.constant dense<{{\[\[}}0.000000e+00, 1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00, 5.000000e+00]]> : tensor<1x6xf32>
// CHECK-NOT: spike.
func.func @constant_shapes() -> (tensor<1x3x2xf32>, tensor<6xf32>, tensor<1x6xf32>) {
  %c = arith.constant dense<[[[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]]> : tensor<1x2x3xf32>
  %t = spike.transpose %c {permutation = array<i64: 0, 2, 1>} : (tensor<1x2x3xf32>) -> tensor<1x3x2xf32>
  %r = spike.reshape %c : (tensor<1x2x3xf32>) -> tensor<6xf32>
  %f = spike.flatten %c : (tensor<1x2x3xf32>) -> tensor<1x6xf32>
  return %t, %r, %f : tensor<1x3x2xf32>, tensor<6xf32>, tensor<1x6xf32>
}

// -----

// A zero pad of H and W folds into the conv's pads and into an average pool
// that counts padding; the fused op keeps both names.
// CHECK-LABEL: func.func @pad_into_window
// CHECK-SAME: (%[[X:.*]]: tensor<1x2x4x4xi1>
// CHECK: %[[C:.*]] = spike.conv2d %[[X]], %{{.*}} {pads = array<i64: 2, 1, 2, 1>} : (tensor<1x2x4x4xi1>, tensor<2x2x3x3xf32>) -> tensor<1x2x6x4xf32>
// CHECK: %[[A:.*]] = spike.avg_pool2d %[[X]] {count_include_pad = true, kernel_shape = array<i64: 2, 2>, pads = array<i64: 1, 0, 1, 0>} : (tensor<1x2x4x4xi1>) -> tensor<1x2x5x3xf32>
// CHECK: %[[B:.*]] = spike.avg_pool2d %[[X]] {count_include_pad = true, kernel_shape = array<i64: 3, 3>, pads = array<i64: 2, 1, 2, 1>} : (tensor<1x2x4x4xi1>) -> tensor<1x2x6x4xf32>
// CHECK-NOT: spike.pad
func.func @pad_into_window(%x: tensor<1x2x4x4xi1>, %w: tensor<2x2x3x3xf32>) -> (tensor<1x2x6x4xf32>, tensor<1x2x5x3xf32>, tensor<1x2x6x4xf32>) {
  %p = spike.pad %x {pads = array<i64: 0, 0, 1, 0, 0, 0, 1, 0>} : (tensor<1x2x4x4xi1>) -> tensor<1x2x6x4xi1>
  %c = spike.conv2d %p, %w {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x2x6x4xi1>, tensor<2x2x3x3xf32>) -> tensor<1x2x6x4xf32>
  %a = spike.avg_pool2d %p {kernel_shape = array<i64: 2, 2>} : (tensor<1x2x6x4xi1>) -> tensor<1x2x5x3xf32>
  %b = spike.avg_pool2d %p {kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, count_include_pad = true} : (tensor<1x2x6x4xi1>) -> tensor<1x2x6x4xf32>
  return %c, %a, %b : tensor<1x2x6x4xf32>, tensor<1x2x5x3xf32>, tensor<1x2x6x4xf32>
}

// -----

// Pads that would change the result, or make an invalid pool, stay: of the
// channels, with a non-zero value, before a pool that uses ceil_mode, does
// not count its own padding, or whose pads would reach its kernel. A pad of
// nothing folds away.
// CHECK-LABEL: func.func @pad_stays
// CHECK-COUNT-5: spike.pad
// CHECK-NOT: spike.pad
func.func @pad_stays(%x: tensor<1x2x4x4xf32>, %w: tensor<2x2x3x3xf32>, %w3: tensor<2x3x3x3xf32>) -> (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x5x3xf32>, tensor<1x2x6x3xf32>, tensor<1x2x7x3xf32>, tensor<1x2x4x4xf32>) {
  %pc = spike.pad %x {pads = array<i64: 0, 1, 0, 0, 0, 0, 0, 0>} : (tensor<1x2x4x4xf32>) -> tensor<1x3x4x4xf32>
  %c0 = spike.conv2d %pc, %w3 {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x3x4x4xf32>, tensor<2x3x3x3xf32>) -> tensor<1x2x4x4xf32>
  %pv = spike.pad %x {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>, value = 1.0 : f32} : (tensor<1x2x4x4xf32>) -> tensor<1x2x6x6xf32>
  %c1 = spike.conv2d %pv, %w : (tensor<1x2x6x6xf32>, tensor<2x2x3x3xf32>) -> tensor<1x2x4x4xf32>
  %p = spike.pad %x {pads = array<i64: 0, 0, 1, 0, 0, 0, 1, 0>} : (tensor<1x2x4x4xf32>) -> tensor<1x2x6x4xf32>
  %a = spike.avg_pool2d %p {kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, ceil_mode = true} : (tensor<1x2x6x4xf32>) -> tensor<1x2x5x3xf32>
  %p2 = spike.pad %x {pads = array<i64: 0, 0, 1, 0, 0, 0, 1, 0>} : (tensor<1x2x4x4xf32>) -> tensor<1x2x6x4xf32>
  %b = spike.avg_pool2d %p2 {kernel_shape = array<i64: 3, 2>, pads = array<i64: 1, 0, 1, 0>} : (tensor<1x2x6x4xf32>) -> tensor<1x2x6x3xf32>
  %p3 = spike.pad %x {pads = array<i64: 0, 0, 1, 0, 0, 0, 1, 0>} : (tensor<1x2x4x4xf32>) -> tensor<1x2x6x4xf32>
  %d = spike.avg_pool2d %p3 {kernel_shape = array<i64: 2, 2>, pads = array<i64: 1, 0, 1, 0>, count_include_pad = true} : (tensor<1x2x6x4xf32>) -> tensor<1x2x7x3xf32>
  %none = spike.pad %x {pads = array<i64: 0, 0, 0, 0, 0, 0, 0, 0>} : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  return %c0, %c1, %a, %b, %d, %none : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x5x3xf32>, tensor<1x2x6x3xf32>, tensor<1x2x7x3xf32>, tensor<1x2x4x4xf32>
}
