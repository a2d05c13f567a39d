// Violations of the "partitioned" contract, for spike-verify-stage.mlir.
module {
  func.func @main(%x: tensor<1x16xf32>) -> tensor<1x16xf32> {
    // expected-error @+1 {{stage 'partitioned': a public function may only call partition functions, found 'spike.relu'}}
    %y = spike.relu %x : (tensor<1x16xf32>) -> tensor<1x16xf32>
    return %y : tensor<1x16xf32>
  }
}

// -----

module {
  func.func @main(%x: tensor<1x16xf32>) -> tensor<1x16xf32> {
    %y = call @main_p0_gpu(%x) : (tensor<1x16xf32>) -> tensor<1x16xf32>
    return %y : tensor<1x16xf32>
  }
  func.func private @main_p0_gpu(%x: tensor<1x16xf32>) -> tensor<1x16xf32> attributes {spike.target = #spike.target<gpu>} {
    // expected-error @+1 {{stage 'partitioned': op has target 'host' but lives in a 'gpu' partition}}
    %y = spike.relu %x {spike.target = #spike.target<host>} : (tensor<1x16xf32>) -> tensor<1x16xf32>
    return %y : tensor<1x16xf32>
  }
}

// -----

module {
  // expected-error @+1 {{stage 'partitioned': a partition function must be private}}
  func.func @main_p0_host(%x: tensor<1x16xf32>) -> tensor<1x16xf32> attributes {spike.target = #spike.target<host>} {
    return %x : tensor<1x16xf32>
  }
}

// -----

module {
  func.func private @main_p0_spikecore(%x: tensor<1x16xf32>) -> tensor<1x16xf32> attributes {spike.target = #spike.target<spikecore>} {
    // expected-error @+1 {{stage 'partitioned': 'spikecore' cannot run this op: spikecore runs a relu only as the graded output of the [N, features] spike.linear that feeds it}}
    %y = spike.relu %x {spike.target = #spike.target<spikecore>} : (tensor<1x16xf32>) -> tensor<1x16xf32>
    return %y : tensor<1x16xf32>
  }
}

// -----

module {
  func.func private @main_p0_gpu(%s: tensor<1x2x8x8xi1>) -> tensor<1x2x8x8xf32> attributes {spike.target = #spike.target<gpu>} {
    %w = arith.constant dense<1.0> : tensor<2x1x5x5xf32>
    // expected-error @+1 {{stage 'partitioned': block size 8 on 'gpu', which has no block-sparse kernel for this op: gpu block-sparse conv2d needs groups = 1, found 2}}
    %y = spike.conv2d %s, %w {pads = array<i64: 2, 2, 2, 2>, groups = 2 : i64, spike.spike_input, spike.block_size = 8 : i64, spike.target = #spike.target<gpu>} : (tensor<1x2x8x8xi1>, tensor<2x1x5x5xf32>) -> tensor<1x2x8x8xf32>
    return %y : tensor<1x2x8x8xf32>
  }
}
