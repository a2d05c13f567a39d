// RUN: sf-opt %s --split-input-file --verify-diagnostics

//===----------------------------------------------------------------------===//
// #spike.model and dialect attributes
//===----------------------------------------------------------------------===//

// expected-error @+1 {{timesteps must be at least 1, found 0}}
module attributes {spike.model = #spike.model<timesteps = 0, encoding = direct, readout = mean>} {}

// -----

// expected-error @+2 {{expected ::sparseflow::spike::Encoding to be one of: direct, rate, spikes}}
// expected-error @+1 {{failed to parse Spike_ModelAttr parameter 'encoding'}}
module attributes {spike.model = #spike.model<timesteps = 4, encoding = poisson, readout = mean>} {}

// -----

module {
  // expected-error @+1 {{'spike.model' is only valid on a builtin.module, found on 'func.func'}}
  func.func @f() attributes {spike.model = #spike.model<timesteps = 4, encoding = direct, readout = mean>} {
    return
  }
}

// -----

// expected-error @+1 {{expected 'spike.model' to be a #spike.model attribute, found 4 : i64}}
module attributes {spike.model = 4} {}

// -----

// expected-error @+1 {{unknown spike dialect attribute 'spike.timesteps'}}
module attributes {spike.timesteps = 4} {}

//===----------------------------------------------------------------------===//
// spike.conv2d
//===----------------------------------------------------------------------===//

// -----

func.func @conv_input_rank(%x: tensor<3x32x32xf32>, %w: tensor<16x3x3x3xf32>) {
  // expected-error @+1 {{'spike.conv2d' op expected input of rank 4 (N, C, H, W), found rank 3}}
  %0 = spike.conv2d %x, %w : (tensor<3x32x32xf32>, tensor<16x3x3x3xf32>) -> tensor<1x16x30x30xf32>
  return
}

// -----

func.func @conv_weight_rank(%x: tensor<1x3x32x32xf32>, %w: tensor<16x27xf32>) {
  // expected-error @+1 {{'spike.conv2d' op expected weight of rank 4 (O, C/groups, KH, KW), found rank 2}}
  %0 = spike.conv2d %x, %w : (tensor<1x3x32x32xf32>, tensor<16x27xf32>) -> tensor<1x16x30x30xf32>
  return
}

// -----

func.func @conv_element_type(%x: tensor<1x3x32x32xf16>, %w: tensor<16x3x3x3xf32>) {
  // expected-error @+1 {{'spike.conv2d' op expected input element type to be i1 or 'f32' (the weight's), found 'f16'}}
  %0 = spike.conv2d %x, %w : (tensor<1x3x32x32xf16>, tensor<16x3x3x3xf32>) -> tensor<1x16x30x30xf32>
  return
}

// -----

func.func @conv_channels(%x: tensor<1x4x32x32xf32>, %w: tensor<16x3x3x3xf32>) {
  // expected-error @+1 {{'spike.conv2d' op expected input channels (4) to equal weight dim 1 (3) times groups (1)}}
  %0 = spike.conv2d %x, %w : (tensor<1x4x32x32xf32>, tensor<16x3x3x3xf32>) -> tensor<1x16x30x30xf32>
  return
}

// -----

func.func @conv_groups_out(%x: tensor<1x4x32x32xf32>, %w: tensor<6x1x3x3xf32>) {
  // expected-error @+1 {{'spike.conv2d' op expected output channels (6) to be divisible by groups (4)}}
  %0 = spike.conv2d %x, %w {groups = 4 : i64} : (tensor<1x4x32x32xf32>, tensor<6x1x3x3xf32>) -> tensor<1x6x30x30xf32>
  return
}

// -----

func.func @conv_bias(%x: tensor<1x3x32x32xf32>, %w: tensor<16x3x3x3xf32>, %b: tensor<8xf32>) {
  // expected-error @+1 {{'spike.conv2d' op expected bias of type 'tensor<16xf32>', found 'tensor<8xf32>'}}
  %0 = spike.conv2d %x, %w, %b : (tensor<1x3x32x32xf32>, tensor<16x3x3x3xf32>, tensor<8xf32>) -> tensor<1x16x30x30xf32>
  return
}

// -----

func.func @conv_kernel_too_big(%x: tensor<1x3x4x4xf32>, %w: tensor<16x3x3x3xf32>) {
  // expected-error @+1 {{'spike.conv2d' op kernel extent 5 exceeds the padded height 4}}
  %0 = spike.conv2d %x, %w {dilations = array<i64: 2, 2>} : (tensor<1x3x4x4xf32>, tensor<16x3x3x3xf32>) -> tensor<1x16x1x1xf32>
  return
}

// -----

// Weight dim 1 x groups = 2^62 x 4 wraps to 0, the input's channel count.
func.func @conv_channels_overflow(%x: tensor<1x0x4x4xf32>, %w: tensor<4x4611686018427387904x1x1xf32>) {
  // expected-error @+1 {{'spike.conv2d' op expected input channels (0) to equal weight dim 1 (4611686018427387904) times groups (4)}}
  %0 = spike.conv2d %x, %w {groups = 4 : i64} : (tensor<1x0x4x4xf32>, tensor<4x4611686018427387904x1x1xf32>) -> tensor<1x4x4x4xf32>
  return
}

// -----

func.func @conv_kernel_extent_overflow(%x: tensor<1x3x4x4xf32>, %w: tensor<16x3x3x3xf32>) {
  // expected-error @+1 {{'spike.conv2d' op the width kernel extent (dilation 4611686018427387904 x (kernel 3 - 1) + 1) overflows int64}}
  %0 = spike.conv2d %x, %w {dilations = array<i64: 1, 4611686018427387904>} : (tensor<1x3x4x4xf32>, tensor<16x3x3x3xf32>) -> tensor<1x16x2x2xf32>
  return
}

// -----

func.func @conv_padded_overflow(%x: tensor<1x3x4x4xf32>, %w: tensor<16x3x3x3xf32>) {
  // expected-error @+1 {{'spike.conv2d' op the padded height (4 + pads 4611686018427387904 and 4611686018427387904) overflows int64}}
  %0 = spike.conv2d %x, %w {pads = array<i64: 4611686018427387904, 0, 4611686018427387904, 0>} : (tensor<1x3x4x4xf32>, tensor<16x3x3x3xf32>) -> tensor<1x16x2x2xf32>
  return
}

// -----

func.func @conv_result_shape(%x: tensor<1x3x32x32xf32>, %w: tensor<16x3x3x3xf32>) {
  // expected-error @+1 {{'spike.conv2d' op expected result type 'tensor<1x16x30x30xf32>' (implied by the operands and attributes), found 'tensor<1x16x32x32xf32>'}}
  %0 = spike.conv2d %x, %w : (tensor<1x3x32x32xf32>, tensor<16x3x3x3xf32>) -> tensor<1x16x32x32xf32>
  return
}

// -----

func.func @conv_strides_arity(%x: tensor<1x3x32x32xf32>, %w: tensor<16x3x3x3xf32>) {
  // expected-error @+1 {{'spike.conv2d' op attribute 'strides' failed to satisfy constraint: i64 dense array attribute with exactly 2 elements whose value is positive}}
  %0 = spike.conv2d %x, %w {strides = array<i64: 1, 1, 1>} : (tensor<1x3x32x32xf32>, tensor<16x3x3x3xf32>) -> tensor<1x16x30x30xf32>
  return
}

// -----

func.func @conv_stride_zero(%x: tensor<1x3x32x32xf32>, %w: tensor<16x3x3x3xf32>) {
  // expected-error @+1 {{'spike.conv2d' op attribute 'strides' failed to satisfy constraint: i64 dense array attribute with exactly 2 elements whose value is positive}}
  %0 = spike.conv2d %x, %w {strides = array<i64: 0, 1>} : (tensor<1x3x32x32xf32>, tensor<16x3x3x3xf32>) -> tensor<1x16x30x30xf32>
  return
}

// -----

func.func @conv_negative_pad(%x: tensor<1x3x32x32xf32>, %w: tensor<16x3x3x3xf32>) {
  // expected-error @+1 {{'spike.conv2d' op attribute 'pads' failed to satisfy constraint: i64 dense array attribute with exactly 4 elements whose value is non-negative}}
  %0 = spike.conv2d %x, %w {pads = array<i64: -1, 0, 0, 0>} : (tensor<1x3x32x32xf32>, tensor<16x3x3x3xf32>) -> tensor<1x16x30x30xf32>
  return
}

// -----

func.func @conv_groups_zero(%x: tensor<1x3x32x32xf32>, %w: tensor<16x3x3x3xf32>) {
  // expected-error @+1 {{'spike.conv2d' op attribute 'groups' failed to satisfy constraint: 64-bit signless integer attribute whose value is positive}}
  %0 = spike.conv2d %x, %w {groups = 0 : i64} : (tensor<1x3x32x32xf32>, tensor<16x3x3x3xf32>) -> tensor<1x16x30x30xf32>
  return
}

// -----

func.func @conv_integer_weight(%x: tensor<1x3x32x32xf32>, %w: tensor<16x3x3x3xi8>) {
  // expected-error @+1 {{'spike.conv2d' op operand #1 must be ranked tensor of floating-point values, but got 'tensor<16x3x3x3xi8>'}}
  %0 = spike.conv2d %x, %w : (tensor<1x3x32x32xf32>, tensor<16x3x3x3xi8>) -> tensor<1x16x30x30xf32>
  return
}

//===----------------------------------------------------------------------===//
// spike.linear
//===----------------------------------------------------------------------===//

// -----

func.func @linear_rank(%x: tensor<1x1x784xf32>, %w: tensor<10x784xf32>) {
  // expected-error @+1 {{'spike.linear' op expected input of rank 2 (N, K), found rank 3}}
  %0 = spike.linear %x, %w : (tensor<1x1x784xf32>, tensor<10x784xf32>) -> tensor<1x10xf32>
  return
}

// -----

func.func @linear_features(%x: tensor<1x780xi1>, %w: tensor<10x784xf32>) {
  // expected-error @+1 {{'spike.linear' op expected input features (780) to equal weight dim 1 (784)}}
  %0 = spike.linear %x, %w : (tensor<1x780xi1>, tensor<10x784xf32>) -> tensor<1x10xf32>
  return
}

// -----

func.func @linear_bias(%x: tensor<1x784xi1>, %w: tensor<10x784xf32>, %b: tensor<1x10xf32>) {
  // expected-error @+1 {{'spike.linear' op expected bias of type 'tensor<10xf32>', found 'tensor<1x10xf32>'}}
  %0 = spike.linear %x, %w, %b : (tensor<1x784xi1>, tensor<10x784xf32>, tensor<1x10xf32>) -> tensor<1x10xf32>
  return
}

// -----

func.func @linear_element_type(%x: tensor<1x784xf16>, %w: tensor<10x784xf32>) {
  // expected-error @+1 {{'spike.linear' op expected input element type to be i1 or 'f32' (the weight's), found 'f16'}}
  %0 = spike.linear %x, %w : (tensor<1x784xf16>, tensor<10x784xf32>) -> tensor<1x10xf32>
  return
}

//===----------------------------------------------------------------------===//
// spike.batch_norm
//===----------------------------------------------------------------------===//

// -----

func.func @batch_norm_rank(%x: tensor<8xf32>, %p: tensor<8xf32>) {
  // expected-error @+1 {{'spike.batch_norm' op expected input of rank >= 2 (N, C, ...), found rank 1}}
  %0 = spike.batch_norm %x, %p, %p, %p, %p : (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  return
}

// -----

func.func @batch_norm_param(%x: tensor<1x8x4x4xf32>, %p: tensor<8xf32>, %q: tensor<4xf32>) {
  // expected-error @+1 {{'spike.batch_norm' op expected variance of type 'tensor<8xf32>', found 'tensor<4xf32>'}}
  %0 = spike.batch_norm %x, %p, %p, %p, %q : (tensor<1x8x4x4xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<4xf32>) -> tensor<1x8x4x4xf32>
  return
}

// -----

func.func @batch_norm_epsilon(%x: tensor<1x8x4x4xf32>, %p: tensor<8xf32>) {
  // expected-error @+1 {{'spike.batch_norm' op expected a finite epsilon >= 0, found -1.000000e-05}}
  %0 = spike.batch_norm %x, %p, %p, %p, %p {epsilon = -1.0e-5 : f32} : (tensor<1x8x4x4xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<1x8x4x4xf32>
  return
}

//===----------------------------------------------------------------------===//
// spike.add / spike.mul / spike.relu
//===----------------------------------------------------------------------===//

// -----

func.func @add_broadcast(%a: tensor<1x8x4x4xf32>, %b: tensor<1x4x4x4xf32>) {
  // expected-error @+1 {{'spike.add' op operand shapes 'tensor<1x8x4x4xf32>' and 'tensor<1x4x4x4xf32>' are not broadcast-compatible}}
  %0 = spike.add %a, %b : (tensor<1x8x4x4xf32>, tensor<1x4x4x4xf32>) -> tensor<1x8x4x4xf32>
  return
}

// -----

func.func @mul_float_types(%a: tensor<4xf32>, %b: tensor<4xf16>) {
  // expected-error @+1 {{'spike.mul' op operands have different floating-point element types 'f32' and 'f16'}}
  %0 = spike.mul %a, %b : (tensor<4xf32>, tensor<4xf16>) -> tensor<4xf32>
  return
}

// -----

func.func @add_spike_result(%a: tensor<4xi1>, %b: tensor<4xi1>) {
  // expected-error @+1 {{'spike.add' op result #0 must be ranked tensor of floating-point values, but got 'tensor<4xi1>'}}
  %0 = spike.add %a, %b : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  return
}

// -----

func.func @relu_spikes(%a: tensor<4xi1>) {
  // expected-error @+1 {{'spike.relu' op operand #0 must be ranked tensor of floating-point values, but got 'tensor<4xi1>'}}
  %0 = spike.relu %a : (tensor<4xi1>) -> tensor<4xi1>
  return
}

// -----

func.func @relu_unranked(%a: tensor<*xf32>) {
  // expected-error @+1 {{'spike.relu' op operand #0 must be ranked tensor of floating-point values, but got 'tensor<*xf32>'}}
  %0 = spike.relu %a : (tensor<*xf32>) -> tensor<*xf32>
  return
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

// -----

func.func @max_pool_pad(%x: tensor<1x4x8x8xi1>) {
  // expected-error @+1 {{'spike.max_pool2d' op pad 2 on the left is not smaller than the kernel extent 2}}
  %0 = spike.max_pool2d %x {kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 2, 0, 0>} : (tensor<1x4x8x8xi1>) -> tensor<1x4x7x9xi1>
  return
}

// -----

func.func @max_pool_rank(%x: tensor<4x8x8xi1>) {
  // expected-error @+1 {{'spike.max_pool2d' op expected input of rank 4 (N, C, H, W), found rank 3}}
  %0 = spike.max_pool2d %x {kernel_shape = array<i64: 2, 2>} : (tensor<4x8x8xi1>) -> tensor<4x7x7xi1>
  return
}

// -----

func.func @max_pool_kernel(%x: tensor<1x4x8x8xi1>) {
  // expected-error @+1 {{'spike.max_pool2d' op requires attribute 'kernel_shape'}}
  %0 = spike.max_pool2d %x : (tensor<1x4x8x8xi1>) -> tensor<1x4x8x8xi1>
  return
}

// -----

func.func @max_pool_changes_type(%x: tensor<1x4x8x8xi1>) {
  // expected-error @+1 {{'spike.max_pool2d' op expected result type 'tensor<1x4x4x4xi1>' (implied by the operands and attributes), found 'tensor<1x4x4x4xf32>'}}
  %0 = spike.max_pool2d %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x4x8x8xi1>) -> tensor<1x4x4x4xf32>
  return
}

// -----

func.func @avg_pool_spike_result(%x: tensor<1x4x8x8xi1>) {
  // expected-error @+1 {{'spike.avg_pool2d' op result #0 must be ranked tensor of floating-point values, but got 'tensor<1x4x4x4xi1>'}}
  %0 = spike.avg_pool2d %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x4x8x8xi1>) -> tensor<1x4x4x4xi1>
  return
}

// -----

func.func @avg_pool_pad(%x: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{'spike.avg_pool2d' op pad 3 on the bottom is not smaller than the kernel extent 3}}
  %0 = spike.avg_pool2d %x {kernel_shape = array<i64: 3, 3>, pads = array<i64: 0, 0, 3, 0>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x9x6xf32>
  return
}

// -----

func.func @global_avg_pool_rank(%x: tensor<1x4xf32>) {
  // expected-error @+1 {{'spike.global_avg_pool' op expected input of rank >= 3 (N, C, D1, ...), found rank 2}}
  %0 = spike.global_avg_pool %x : (tensor<1x4xf32>) -> tensor<1x4xf32>
  return
}

//===----------------------------------------------------------------------===//
// Shape manipulation
//===----------------------------------------------------------------------===//

// -----

func.func @flatten_axis(%x: tensor<1x4x8x8xi1>) {
  // expected-error @+1 {{'spike.flatten' op expected 0 <= axis <= 4 (the input rank), found 5}}
  %0 = spike.flatten %x {axis = 5 : i64} : (tensor<1x4x8x8xi1>) -> tensor<256x1xi1>
  return
}

// -----

func.func @flatten_negative_axis(%x: tensor<1x4x8x8xi1>) {
  // expected-error @+1 {{'spike.flatten' op attribute 'axis' failed to satisfy constraint: 64-bit signless integer attribute whose value is non-negative}}
  %0 = spike.flatten %x {axis = -1 : i64} : (tensor<1x4x8x8xi1>) -> tensor<32x8xi1>
  return
}

// -----

// 16 x (2^60 + 4) x 4 = 2^66 + 256 elements, which wrap to 256.
func.func @flatten_overflow(%x: tensor<1x16x1152921504606846980x4xi1>) {
  // expected-error @+1 {{'spike.flatten' op the product of the input dimensions [16, 1152921504606846980, 4] overflows int64}}
  %0 = spike.flatten %x {axis = 1 : i64} : (tensor<1x16x1152921504606846980x4xi1>) -> tensor<1x256xi1>
  return
}

// -----

func.func @reshape_count(%x: tensor<1x4x8x8xi1>) {
  // expected-error @+1 {{'spike.reshape' op expected the result to have 256 elements (the input's), found 255}}
  %0 = spike.reshape %x : (tensor<1x4x8x8xi1>) -> tensor<1x255xi1>
  return
}

// -----

func.func @reshape_element_type(%x: tensor<1x4x8x8xi1>) {
  // expected-error @+1 {{'spike.reshape' op expected the result element type to be 'i1' (the input's), found 'f32'}}
  %0 = spike.reshape %x : (tensor<1x4x8x8xi1>) -> tensor<1x256xf32>
  return
}

// -----

func.func @reshape_overflow(%x: tensor<1x16x1152921504606846980x4xi1>) {
  // expected-error @+1 {{'spike.reshape' op the element count of 'tensor<1x16x1152921504606846980x4xi1>' overflows int64}}
  %0 = spike.reshape %x : (tensor<1x16x1152921504606846980x4xi1>) -> tensor<1x256xi1>
  return
}

// -----

func.func @reshape_dynamic(%x: tensor<?x4x8x8xi1>) {
  // expected-error @+1 {{'spike.reshape' op expected static shapes, found 'tensor<?x4x8x8xi1>' -> 'tensor<1x256xi1>'}}
  %0 = spike.reshape %x : (tensor<?x4x8x8xi1>) -> tensor<1x256xi1>
  return
}

// -----

func.func @concat_element_type(%a: tensor<1x4xi1>, %b: tensor<1x4xf32>) {
  // expected-error @+1 {{'spike.concat' op expected input #1 to have rank 2 and element type 'i1', found 'tensor<1x4xf32>'}}
  %0 = spike.concat %a, %b {axis = 1 : i64} : (tensor<1x4xi1>, tensor<1x4xf32>) -> tensor<1x8xi1>
  return
}

// -----

func.func @concat_dims(%a: tensor<1x4x2xi1>, %b: tensor<1x4x3xi1>) {
  // expected-error @+1 {{'spike.concat' op expected input #1 to match input #0 in dim 2 (2), found 'tensor<1x4x3xi1>'}}
  %0 = spike.concat %a, %b {axis = 1 : i64} : (tensor<1x4x2xi1>, tensor<1x4x3xi1>) -> tensor<1x8x2xi1>
  return
}

// -----

// 2^62 + 2^62 wraps to -2^63, the dynamic-size marker.
func.func @concat_overflow(%a: tensor<1x4611686018427387904xi1>) {
  // expected-error @+1 {{'spike.concat' op the sum of the inputs' dim 1 overflows int64 at input #1}}
  %0 = spike.concat %a, %a {axis = 1 : i64} : (tensor<1x4611686018427387904xi1>, tensor<1x4611686018427387904xi1>) -> tensor<1x?xi1>
  return
}

// -----

func.func @concat_axis(%a: tensor<1x4xi1>) {
  // expected-error @+1 {{'spike.concat' op expected 0 <= axis < 2 (the input rank), found 2}}
  %0 = spike.concat %a {axis = 2 : i64} : (tensor<1x4xi1>) -> tensor<1x4xi1>
  return
}

// -----

func.func @concat_empty() {
  // expected-error @+1 {{'spike.concat' op expected at least one input}}
  %0 = spike.concat {axis = 0 : i64} : () -> tensor<1x4xi1>
  return
}

//===----------------------------------------------------------------------===//
// spike.lif
//===----------------------------------------------------------------------===//

// -----

func.func @lif_leak_range(%x: tensor<1x4xf32>) {
  // expected-error @+1 {{'spike.lif' op expected 'leak' to be in [0, 1], found 2.000000e+00}}
  %0 = spike.lif %x {leak = array<f32: 2.0>, v_threshold = array<f32: 1.0>} : (tensor<1x4xf32>) -> tensor<1x4xi1>
  return
}

// -----

func.func @lif_per_channel_leak(%x: tensor<1x4x2x2xf32>) {
  // expected-error @+1 {{'spike.lif' op expected 'leak' to be in [0, 1], found -5.000000e-01 for channel 2}}
  %0 = spike.lif %x {leak = array<f32: 0.5, 0.5, -0.5, 0.5>, v_threshold = array<f32: 1.0>} : (tensor<1x4x2x2xf32>) -> tensor<1x4x2x2xi1>
  return
}

// -----

func.func @lif_param_count(%x: tensor<1x4x2x2xf32>) {
  // expected-error @+1 {{'spike.lif' op expected 'v_threshold' to hold 1 value or one per channel (4), found 3}}
  %0 = spike.lif %x {leak = array<f32: 0.5>, v_threshold = array<f32: 1.0, 1.0, 1.0>} : (tensor<1x4x2x2xf32>) -> tensor<1x4x2x2xi1>
  return
}

// -----

func.func @lif_empty_param(%x: tensor<1x4xf32>) {
  // expected-error @+1 {{'spike.lif' op expected 'gain' to hold 1 value or one per channel (4), found 0}}
  %0 = spike.lif %x {leak = array<f32: 0.5>, gain = array<f32>, v_threshold = array<f32: 1.0>} : (tensor<1x4xf32>) -> tensor<1x4xi1>
  return
}

// -----

func.func @lif_threshold(%x: tensor<1x4xf32>) {
  // expected-error @+1 {{'spike.lif' op expected 'v_threshold' to be positive, found 0.000000e+00}}
  %0 = spike.lif %x {leak = array<f32: 0.5>, v_threshold = array<f32: 0.0>} : (tensor<1x4xf32>) -> tensor<1x4xi1>
  return
}

// -----

func.func @lif_not_finite(%x: tensor<1x4xf32>) {
  // expected-error @+1 {{'spike.lif' op expected 'v_leak' to be finite, found INF}}
  %0 = spike.lif %x {leak = array<f32: 0.5>, v_leak = array<f32: 0x7F800000>, v_threshold = array<f32: 1.0>} : (tensor<1x4xf32>) -> tensor<1x4xi1>
  return
}

// -----

func.func @lif_hard_without_v_reset(%x: tensor<1x4xf32>) {
  // expected-error @+1 {{'spike.lif' op expected 'v_reset' with reset = hard}}
  %0 = spike.lif %x {leak = array<f32: 0.5>, v_threshold = array<f32: 1.0>, reset = #spike.reset<hard>} : (tensor<1x4xf32>) -> tensor<1x4xi1>
  return
}

// -----

func.func @lif_soft_with_v_reset(%x: tensor<1x4xf32>) {
  // expected-error @+1 {{'spike.lif' op expected no 'v_reset' with reset = soft (it applies to hard resets only)}}
  %0 = spike.lif %x {leak = array<f32: 0.5>, v_threshold = array<f32: 1.0>, v_reset = array<f32: 0.0>} : (tensor<1x4xf32>) -> tensor<1x4xi1>
  return
}

// -----

func.func @lif_missing_threshold(%x: tensor<1x4xf32>) {
  // expected-error @+1 {{'spike.lif' op requires attribute 'v_threshold'}}
  %0 = spike.lif %x {leak = array<f32: 0.5>} : (tensor<1x4xf32>) -> tensor<1x4xi1>
  return
}

// -----

func.func @lif_analog_result(%x: tensor<1x4xf32>) {
  // expected-error @+1 {{'spike.lif' op result #0 must be spike tensor (ranked tensor of i1), but got 'tensor<1x4xf32>'}}
  %0 = spike.lif %x {leak = array<f32: 0.5>, v_threshold = array<f32: 1.0>} : (tensor<1x4xf32>) -> tensor<1x4xf32>
  return
}

// -----

func.func @lif_shape(%x: tensor<1x4xf32>) {
  // expected-error @+1 {{'spike.lif' op expected result type 'tensor<1x4xi1>' (implied by the operands and attributes), found 'tensor<4xi1>'}}
  %0 = spike.lif %x {leak = array<f32: 0.5>, v_threshold = array<f32: 1.0>} : (tensor<1x4xf32>) -> tensor<4xi1>
  return
}

//===----------------------------------------------------------------------===//
// spike.transpose
//===----------------------------------------------------------------------===//

// -----

func.func @transpose_not_permutation(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'spike.transpose' op expected a permutation of [0, 2), found [0, 0]}}
  %0 = spike.transpose %x {permutation = array<i64: 0, 0>} : (tensor<2x3xf32>) -> tensor<2x2xf32>
  return
}

// -----

func.func @transpose_rank(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'spike.transpose' op expected a permutation of [0, 2), found [1, 0, 2]}}
  %0 = spike.transpose %x {permutation = array<i64: 1, 0, 2>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  return
}

// -----

func.func @block_size_on_relu(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'spike.block_size' is only valid on spike.conv2d and spike.linear, found on 'spike.relu'}}
  %y = spike.relu %x {spike.block_size = 8 : i64} : (tensor<4xf32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

func.func @block_size_value(%x: tensor<1x4xi1>, %w: tensor<2x4xf32>) -> tensor<1x2xf32> {
  // expected-error @+1 {{expected 'spike.block_size' to be an i64 of 0 or a power of two from 2 to 64, found 12 : i64}}
  %y = spike.linear %x, %w {spike.spike_input, spike.block_size = 12 : i64} : (tensor<1x4xi1>, tensor<2x4xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

func.func @block_size_untagged(%x: tensor<1x4xf32>, %w: tensor<2x4xf32>) -> tensor<1x2xf32> {
  // expected-error @+1 {{'spike.block_size' requires 'spike.spike_input': only an op that consumes spikes has a block size}}
  %y = spike.linear %x, %w {spike.block_size = 8 : i64} : (tensor<1x4xf32>, tensor<2x4xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

func.func @spike_input_value(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{expected 'spike.spike_input' to be a unit attribute, found true}}
  %y = spike.relu %x {spike.spike_input = true} : (tensor<4xf32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

func.func @spike_input_on_constant() -> tensor<4xf32> {
  // expected-error @+1 {{'spike.spike_input' is only valid on a spike op, found on 'arith.constant'}}
  %c = arith.constant {spike.spike_input} dense<1.0> : tensor<4xf32>
  return %c : tensor<4xf32>
}

// -----

func.func @target_value(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{expected 'spike.target' to be a #spike.target attribute, found "gpu"}}
  %y = spike.relu %x {spike.target = "gpu"} : (tensor<4xf32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

// expected-error @+2 {{expected ::sparseflow::spike::Target to be one of: host, gpu, spikecore}}
// expected-error @+1 {{failed to parse Spike_TargetAttr parameter 'value'}}
func.func private @target_name() attributes {spike.target = #spike.target<tpu>}

// -----

func.func @pad_count(%x: tensor<1x4xf32>) -> tensor<1x6xf32> {
  // expected-error @+1 {{'spike.pad' op expected 2 x rank = 4 pads (begins, then ends), found 2}}
  %y = spike.pad %x {pads = array<i64: 1, 1>} : (tensor<1x4xf32>) -> tensor<1x6xf32>
  return %y : tensor<1x6xf32>
}

// -----

func.func @pad_negative(%x: tensor<1x4xf32>) -> tensor<1x3xf32> {
  // expected-error @+1 {{'spike.pad' op expected pads >= 0, found [0, -1, 0, 0]}}
  %y = spike.pad %x {pads = array<i64: 0, -1, 0, 0>} : (tensor<1x4xf32>) -> tensor<1x3xf32>
  return %y : tensor<1x3xf32>
}

// -----

func.func @pad_spikes_value(%x: tensor<1x4xi1>) -> tensor<1x6xi1> {
  // expected-error @+1 {{'spike.pad' op expected result type 'tensor<1x6xf32>' (implied by the operands and attributes), found 'tensor<1x6xi1>'}}
  %y = spike.pad %x {pads = array<i64: 0, 1, 0, 1>, value = 1.0 : f32} : (tensor<1x4xi1>) -> tensor<1x6xi1>
  return %y : tensor<1x6xi1>
}

// -----

func.func @cuba_lif_syn_leak_above_one(%x: tensor<1x4xf32>) {
  // expected-error @+1 {{'spike.cuba_lif' op expected 'syn_leak' to be in [0, 1], found 1.5}}
  %0 = spike.cuba_lif %x {syn_leak = array<f32: 1.5>, leak = array<f32: 0.5>, v_threshold = array<f32: 1.0>} : (tensor<1x4xf32>) -> tensor<1x4xi1>
  return
}

// -----

func.func @cuba_lif_hard_without_v_reset(%x: tensor<1x4xf32>) {
  // expected-error @+1 {{'spike.cuba_lif' op expected 'v_reset' with reset = hard}}
  %0 = spike.cuba_lif %x {syn_leak = array<f32: 0.5>, leak = array<f32: 0.5>, v_threshold = array<f32: 1.0>, reset = #spike.reset<hard>} : (tensor<1x4xf32>) -> tensor<1x4xi1>
  return
}

// -----

func.func @li_half_a_synapse(%x: tensor<1x4xf32>) {
  // expected-error @+1 {{'spike.li' op expected both 'syn_leak' and 'syn_gain' (a current-based integrator) or neither}}
  %0 = spike.li %x {syn_leak = array<f32: 0.5>, leak = array<f32: 0.5>} : (tensor<1x4xf32>) -> tensor<1x4xf32>
  return
}

// -----

func.func @li_per_channel_mismatch(%x: tensor<1x4xf32>) {
  // expected-error @+1 {{'spike.li' op expected 'gain' to hold 1 value or one per channel (4), found 2}}
  %0 = spike.li %x {leak = array<f32: 0.5>, gain = array<f32: 1.0, 2.0>} : (tensor<1x4xf32>) -> tensor<1x4xf32>
  return
}

// -----

func.func @li_spike_result(%x: tensor<1x4xi1>) {
  // expected-error @+1 {{'spike.li' op result #0 must be ranked tensor of floating-point values, but got 'tensor<1x4xi1>'}}
  %0 = spike.li %x {leak = array<f32: 0.5>} : (tensor<1x4xi1>) -> tensor<1x4xi1>
  return
}

// -----

func.func @recurrent_weight_shape(%x: tensor<2x3xf32>, %w: tensor<3x4xf32>) -> tensor<2x3xi1> {
  // expected-error @+1 {{'spike.lif' op expected the recurrent weight to be [3, 3] ([out, in]), found 'tensor<3x4xf32>'}}
  %0 = spike.lif %x recurrent(%w) {leak = array<f32: 0.5>, v_threshold = array<f32: 1.0>}
      : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x3xi1>
  return %0 : tensor<2x3xi1>
}

// -----

func.func @recurrent_bias_shape(%x: tensor<2x3xf32>, %w: tensor<3x3xf32>, %b: tensor<2xf32>) -> tensor<2x3xi1> {
  // expected-error @+1 {{'spike.cuba_lif' op expected the recurrent bias to be [3], found 'tensor<2xf32>'}}
  %0 = spike.cuba_lif %x recurrent(%w, %b) {syn_leak = array<f32: 0.5>, leak = array<f32: 0.5>, v_threshold = array<f32: 1.0>}
      : (tensor<2x3xf32>, tensor<3x3xf32>, tensor<2xf32>) -> tensor<2x3xi1>
  return %0 : tensor<2x3xi1>
}

// -----

func.func @recurrent_conv_neurons(%x: tensor<1x2x3x3xf32>, %w: tensor<2x2xf32>) -> tensor<1x2x3x3xi1> {
  // expected-error @+1 {{'spike.lif' op recurrent neurons take a vector input [N, K], found 'tensor<1x2x3x3xf32>'}}
  %0 = spike.lif %x recurrent(%w) {leak = array<f32: 0.5>, v_threshold = array<f32: 1.0>}
      : (tensor<1x2x3x3xf32>, tensor<2x2xf32>) -> tensor<1x2x3x3xi1>
  return %0 : tensor<1x2x3x3xi1>
}

// -----

func.func @recurrent_too_many(%x: tensor<2x3xf32>, %w: tensor<3x3xf32>, %b: tensor<3xf32>) -> tensor<2x3xi1> {
  // expected-error @+1 {{'spike.lif' op expected 'recurrent' to hold a weight and at most a bias, found 3 operands}}
  %0 = spike.lif %x recurrent(%w, %b, %b) {leak = array<f32: 0.5>, v_threshold = array<f32: 1.0>}
      : (tensor<2x3xf32>, tensor<3x3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  return %0 : tensor<2x3xi1>
}

// -----

func.func @leaky_relu_alpha(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'spike.leaky_relu' op expected a finite alpha}}
  %0 = spike.leaky_relu %x {alpha = 0x7F800000 : f32} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @clip_nan(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'spike.clip' op expected bounds that are not NaN}}
  %0 = spike.clip %x {min = 0x7FC00000 : f32} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @softmax_scalar(%x: tensor<f32>) -> tensor<f32> {
  // expected-error @+1 {{'spike.softmax' op expected an input of rank >= 1}}
  %0 = spike.softmax %x : (tensor<f32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @sub_shapes(%x: tensor<2x3xf32>, %y: tensor<2xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'spike.sub' op operand shapes 'tensor<2x3xf32>' and 'tensor<2xf32>' are not broadcast-compatible}}
  %0 = spike.sub %x, %y : (tensor<2x3xf32>, tensor<2xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @reflect_too_far(%x: tensor<1x3xf32>) -> tensor<1x7xf32> {
  // expected-error @+1 {{'spike.pad' op expected reflect pads of dimension 1 below its size 3, found [0, 3, 0, 1]}}
  %0 = spike.pad %x {pads = array<i64: 0, 3, 0, 1>, mode = #spike.pad_mode<reflect>} : (tensor<1x3xf32>) -> tensor<1x7xf32>
  return %0 : tensor<1x7xf32>
}

// -----

func.func @slice_out_of_bounds(%x: tensor<1x8xf32>) -> tensor<1x5xf32> {
  // expected-error @+1 {{'spike.slice' op slice of dimension 1 (size 8) from 2 by 2 for 5 elements leaves the input}}
  %0 = spike.slice %x {starts = array<i64: 0, 2>, sizes = array<i64: 1, 5>, steps = array<i64: 1, 2>} : (tensor<1x8xf32>) -> tensor<1x5xf32>
  return %0 : tensor<1x5xf32>
}

// -----

func.func @matmul_inner(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) -> tensor<2x5xf32> {
  // expected-error @+1 {{'spike.matmul' op expected [.., M, K] x [.., K, N], found 'tensor<2x3xf32>' and 'tensor<4x5xf32>'}}
  %0 = spike.matmul %a, %b : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

func.func @matmul_batch(%a: tensor<2x2x3xf32>, %b: tensor<3x3x5xf32>) -> tensor<2x2x5xf32> {
  // expected-error @+1 {{'spike.matmul' op batch dimensions of 'tensor<2x2x3xf32>' and 'tensor<3x3x5xf32>' are not broadcast-compatible}}
  %0 = spike.matmul %a, %b : (tensor<2x2x3xf32>, tensor<3x3x5xf32>) -> tensor<2x2x5xf32>
  return %0 : tensor<2x2x5xf32>
}

// -----

func.func @conv_transpose_output_padding(%x: tensor<1x2x3x3xf32>, %w: tensor<2x2x3x3xf32>) -> tensor<1x2x7x7xf32> {
  // expected-error @+1 {{'spike.conv_transpose2d' op expected output_padding in [0, max(stride, dilation)), found 2}}
  %0 = spike.conv_transpose2d %x, %w {strides = array<i64: 2, 2>, output_padding = array<i64: 2, 0>}
      : (tensor<1x2x3x3xf32>, tensor<2x2x3x3xf32>) -> tensor<1x2x7x7xf32>
  return %0 : tensor<1x2x7x7xf32>
}

// -----

func.func @conv_transpose_channels(%x: tensor<1x3x3x3xf32>, %w: tensor<2x2x3x3xf32>) -> tensor<1x2x5x5xf32> {
  // expected-error @+1 {{'spike.conv_transpose2d' op expected weight dim 0 (2) to equal the input channels (3), divisible by groups (1)}}
  %0 = spike.conv_transpose2d %x, %w : (tensor<1x3x3x3xf32>, tensor<2x2x3x3xf32>) -> tensor<1x2x5x5xf32>
  return %0 : tensor<1x2x5x5xf32>
}

// -----

func.func @layer_norm_scale(%x: tensor<2x3x4xf32>, %g: tensor<3xf32>) -> tensor<2x3x4xf32> {
  // expected-error @+1 {{'spike.layer_norm' op expected scale and bias of 4 'f32' values (the normalized shape), found 'tensor<3xf32>'}}
  %0 = spike.layer_norm %x, %g {axis = 2 : i64} : (tensor<2x3x4xf32>, tensor<3xf32>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}
