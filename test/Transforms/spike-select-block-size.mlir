// RUN: sf-opt %s --spike-select-block-size | FileCheck %s --check-prefixes=CHECK,AUTO
// RUN: sf-opt %s --spike-select-block-size="large-height=20 medium-height=8 large-block=32 linear-medium-features=64" | FileCheck %s --check-prefixes=CHECK,OPTS
// RUN: sf-opt %s --spike-select-block-size="block-size=0" | FileCheck %s --check-prefixes=CHECK,FORCED
// RUN: sf-opt %s --spike-select-block-size="placement=%S/Inputs/block-sizes.json" | FileCheck %s --check-prefixes=CHECK,PLACED
// RUN: not sf-opt %s --spike-select-block-size="block-size=12" 2>&1 | FileCheck %s --check-prefix=BAD-OPTION
// RUN: not sf-opt %s --spike-select-block-size="placement=%S/Inputs/block-size-on-analog.json" 2>&1 | FileCheck %s --check-prefix=ANALOG

// BAD-OPTION: error: spike-select-block-size: block-size must be auto, 0 or a power of two from 2 to 64, found '12'
// ANALOG: error: {{.*}}placement rule #0 sets block_size 8 on 'stem' (spike.conv2d), whose input is not a spike train; only block size 0 applies

// The rule: conv input height >= 56 -> 16, >= 14 -> 8, else dense; linear
// input features >= 1024 -> 16, >= 128 -> 8, else dense. Untagged layers get
// no block size; a size written in the IR is kept.

module attributes {spike.model = #spike.model<timesteps = 4, encoding = direct, readout = mean>} {
  // CHECK-LABEL: func.func @layers
  func.func @layers(%x: tensor<1x1x56x56xf32>, %s56: tensor<1x1x56x56xi1>, %s28: tensor<1x1x28x28xi1>,
                    %s7: tensor<1x1x7x7xi1>, %f2048: tensor<1x2048xi1>, %f784: tensor<1x784xi1>,
                    %f64: tensor<1x64xi1>) {
    %w = arith.constant dense<1.0> : tensor<1x1x3x3xf32>
    %w2048 = arith.constant dense<1.0> : tensor<4x2048xf32>
    %w784 = arith.constant dense<1.0> : tensor<4x784xf32>
    %w64 = arith.constant dense<1.0> : tensor<4x64xf32>
    // CHECK: spike.conv2d
    // CHECK-NOT: spike.block_size
    // CHECK-SAME: tensor<1x1x56x56xf32>
    %c0 = spike.conv2d %x, %w {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x1x56x56xf32>, tensor<1x1x3x3xf32>) -> tensor<1x1x56x56xf32> loc("stem")
    // AUTO: spike.conv2d {{.*}}spike.block_size = 16 : i64{{.*}}tensor<1x1x56x56xi1>
    // OPTS: spike.conv2d {{.*}}spike.block_size = 32 : i64{{.*}}tensor<1x1x56x56xi1>
    // FORCED: spike.conv2d {{.*}}spike.block_size = 0 : i64{{.*}}tensor<1x1x56x56xi1>
    // PLACED: spike.conv2d {{.*}}spike.block_size = 4 : i64{{.*}}tensor<1x1x56x56xi1>
    %c56 = spike.conv2d %s56, %w {pads = array<i64: 1, 1, 1, 1>, spike.spike_input} : (tensor<1x1x56x56xi1>, tensor<1x1x3x3xf32>) -> tensor<1x1x56x56xf32> loc("conv56")
    // AUTO: spike.conv2d {{.*}}spike.block_size = 8 : i64{{.*}}tensor<1x1x28x28xi1>
    // OPTS: spike.conv2d {{.*}}spike.block_size = 32 : i64{{.*}}tensor<1x1x28x28xi1>
    // FORCED: spike.conv2d {{.*}}spike.block_size = 0 : i64{{.*}}tensor<1x1x28x28xi1>
    // PLACED: spike.conv2d {{.*}}spike.block_size = 8 : i64{{.*}}tensor<1x1x28x28xi1>
    %c28 = spike.conv2d %s28, %w {pads = array<i64: 1, 1, 1, 1>, spike.spike_input} : (tensor<1x1x28x28xi1>, tensor<1x1x3x3xf32>) -> tensor<1x1x28x28xf32> loc("conv28")
    // AUTO: spike.conv2d {{.*}}spike.block_size = 0 : i64{{.*}}tensor<1x1x7x7xi1>
    // OPTS: spike.conv2d {{.*}}spike.block_size = 0 : i64{{.*}}tensor<1x1x7x7xi1>
    // FORCED: spike.conv2d {{.*}}spike.block_size = 0 : i64{{.*}}tensor<1x1x7x7xi1>
    // PLACED: spike.conv2d {{.*}}spike.block_size = 2 : i64{{.*}}tensor<1x1x7x7xi1>
    %c7 = spike.conv2d %s7, %w {pads = array<i64: 1, 1, 1, 1>, spike.spike_input} : (tensor<1x1x7x7xi1>, tensor<1x1x3x3xf32>) -> tensor<1x1x7x7xf32> loc("conv7")
    // AUTO: spike.linear {{.*}}spike.block_size = 16 : i64{{.*}}tensor<1x2048xi1>
    // OPTS: spike.linear {{.*}}spike.block_size = 32 : i64{{.*}}tensor<1x2048xi1>
    // FORCED: spike.linear {{.*}}spike.block_size = 0 : i64{{.*}}tensor<1x2048xi1>
    // PLACED: spike.linear {{.*}}spike.block_size = 16 : i64{{.*}}tensor<1x2048xi1>
    %l2048 = spike.linear %f2048, %w2048 {spike.spike_input} : (tensor<1x2048xi1>, tensor<4x2048xf32>) -> tensor<1x4xf32> loc("fc2048")
    // AUTO: spike.linear {{.*}}spike.block_size = 8 : i64{{.*}}tensor<1x784xi1>
    // OPTS: spike.linear {{.*}}spike.block_size = 8 : i64{{.*}}tensor<1x784xi1>
    // FORCED: spike.linear {{.*}}spike.block_size = 0 : i64{{.*}}tensor<1x784xi1>
    // PLACED: spike.linear {{.*}}spike.block_size = 0 : i64{{.*}}tensor<1x784xi1>
    %l784 = spike.linear %f784, %w784 {spike.spike_input} : (tensor<1x784xi1>, tensor<4x784xf32>) -> tensor<1x4xf32> loc("fc784")
    // AUTO: spike.linear {{.*}}spike.block_size = 0 : i64{{.*}}tensor<1x64xi1>
    // OPTS: spike.linear {{.*}}spike.block_size = 8 : i64{{.*}}tensor<1x64xi1>
    // FORCED: spike.linear {{.*}}spike.block_size = 0 : i64{{.*}}tensor<1x64xi1>
    // PLACED: spike.linear {{.*}}spike.block_size = 0 : i64{{.*}}tensor<1x64xi1>
    %l64 = spike.linear %f64, %w64 {spike.spike_input} : (tensor<1x64xi1>, tensor<4x64xf32>) -> tensor<1x4xf32> loc("fc64")
    // A size in the IR overrides the rule and the block-size option.
    // CHECK: spike.linear {{.*}}spike.block_size = 32 : i64{{.*}}tensor<1x64xi1>
    %kept = spike.linear %f64, %w64 {spike.spike_input, spike.block_size = 32 : i64} : (tensor<1x64xi1>, tensor<4x64xf32>) -> tensor<1x4xf32> loc("kept")
    return
  }
}
