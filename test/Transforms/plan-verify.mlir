// RUN: sf-opt %s --split-input-file --plan-verify --verify-diagnostics

// The plan stage contract, violation by violation.

// expected-error @+1 {{plan-verify: expected the 'spike.model' and 'plan.arena_size' module attributes}}
module attributes {spike.model = #spike.model<timesteps = 2, encoding = direct, readout = mean>} {
}

// -----

module attributes {plan.arena_size = 64 : i64, spike.model = #spike.model<timesteps = 2, encoding = direct, readout = mean>} {
  // expected-error @+1 {{plan-verify: an activation has no arena offset; run plan-assign-arena}}
  func.func @main(%x: !plan.tensor<1x4xf32>) -> !plan.tensor<1x4xf32> {
    return %x : !plan.tensor<1x4xf32>
  }
}

// -----

module attributes {plan.arena_size = 64 : i64, spike.model = #spike.model<timesteps = 2, encoding = direct, readout = mean>} {
  func.func @main(%x: !plan.tensor<1x4xf32> {plan.arena_offset = 0 : i64}) -> !plan.tensor<1x2xf32> {
    %w = plan.constant "w" as_is dense<1.0> : tensor<2x4xf32> : !plan.tensor<2x4xf32>
    // expected-error @+1 {{plan-verify: the dense Linear kernel reads a constant weight in 'transposed' layout; run plan-arrange-weights}}
    %y = plan.kernel "Linear" "fc" on host dense(%x, %w) at 0 : (!plan.tensor<1x4xf32>, !plan.tensor<2x4xf32>) -> !plan.tensor<1x2xf32>
    return %y : !plan.tensor<1x2xf32>
  }
}

// -----

module attributes {plan.arena_size = 128 : i64, spike.model = #spike.model<timesteps = 2, encoding = direct, readout = mean>} {
  func.func @main(%x: !plan.tensor<1x4xf32> {plan.arena_offset = 0 : i64}) -> !plan.tensor<1x4xf32> {
    // expected-error @+1 {{plan-verify: arena range [0, 16) overlaps [0, 16) of a tensor live at the same time}}
    %y = plan.kernel "Relu" "r" on host dense(%x) at 0 : (!plan.tensor<1x4xf32>) -> !plan.tensor<1x4xf32>
    return %y : !plan.tensor<1x4xf32>
  }
}

// -----

module attributes {plan.arena_size = 64 : i64, spike.model = #spike.model<timesteps = 2, encoding = direct, readout = mean>} {
  func.func @main(%x: !plan.tensor<1x4xf32> {plan.arena_offset = 0 : i64}) -> !plan.tensor<1x4xf32, temporal> {
    // expected-error @+1 {{plan-verify: arena range [64, 96) is not 64-byte aligned or exceeds the arena of 64 bytes}}
    %y = plan.kernel "Relu" "r" on host dense(%x) at 64 : (!plan.tensor<1x4xf32>) -> !plan.tensor<1x4xf32, temporal>
    return %y : !plan.tensor<1x4xf32, temporal>
  }
}

// -----

module attributes {plan.arena_size = 128 : i64, spike.model = #spike.model<timesteps = 2, encoding = direct, readout = mean>} {
  func.func @main(%x: !plan.tensor<1x4xspikes> {plan.arena_offset = 0 : i64}) -> !plan.tensor<1x4xspikes> {
    // expected-error @+1 {{plan-verify: model outputs are f32 plan tensors}}
    return %x : !plan.tensor<1x4xspikes>
  }
}
