// RUN: sf-opt %s --split-input-file --verify-diagnostics --spike-verify-stage=stage=tagged
// RUN: sf-opt %S/Inputs/partitioned-violations.mlir --split-input-file --verify-diagnostics --spike-verify-stage=stage=partitioned
// RUN: not sf-opt %s --spike-verify-stage=stage=planned 2>&1 | FileCheck %s --check-prefix=STAGE
// STAGE: error: spike-verify-stage: unknown stage 'planned' (expected tagged or partitioned)

module attributes {spike.model = #spike.model<timesteps = 1, encoding = direct, readout = mean>} {
  func.func @untagged(%s: tensor<1x16xi1>) -> tensor<1x4xf32> {
    %w = arith.constant dense<1.0> : tensor<4x16xf32>
    // expected-error @+1 {{stage 'tagged': op consumes a spike train but is not tagged 'spike.spike_input'}}
    %y = spike.linear %s, %w : (tensor<1x16xi1>, tensor<4x16xf32>) -> tensor<1x4xf32>
    return %y : tensor<1x4xf32>
  }
}

// -----

module attributes {spike.model = #spike.model<timesteps = 1, encoding = direct, readout = mean>} {
  func.func @wrongly_tagged(%x: tensor<1x16xf32>) -> tensor<1x16xf32> {
    // expected-error @+1 {{stage 'tagged': op is tagged 'spike.spike_input' but none of its operands carries spikes}}
    %y = spike.relu %x {spike.spike_input} : (tensor<1x16xf32>) -> tensor<1x16xf32>
    return %y : tensor<1x16xf32>
  }
}

// -----

module attributes {spike.model = #spike.model<timesteps = 1, encoding = spikes, readout = mean>} {
  func.func @no_block_size(%x: tensor<1x16xf32>) -> tensor<1x4xf32> {
    %w = arith.constant dense<1.0> : tensor<4x16xf32>
    // expected-error @+1 {{stage 'tagged': spike-consuming op has no 'spike.block_size'}}
    %y = spike.linear %x, %w {spike.spike_input} : (tensor<1x16xf32>, tensor<4x16xf32>) -> tensor<1x4xf32>
    return %y : tensor<1x4xf32>
  }
}
