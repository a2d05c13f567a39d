// RUN: sf-opt %s --spike-partition="targets=spikecore" | FileCheck %s
// RUN: not sf-opt %S/Inputs/partition-inner-reshape.mlir --spike-partition="targets=spikecore" 2>&1 | FileCheck %s --check-prefix=INNER

// A layout op at the model's boundary (x.view(-1, 16) before a SpikeCore
// MLP) has no SpikeCore kernel: it goes to the host, which applies it
// whatever targets are enabled; the layers stay on SpikeCore.
module attributes {spike.model = #spike.model<timesteps = 4, encoding = rate, readout = mean>} {
  func.func @main(%x: tensor<1x1x4x4xi1>) -> tensor<1x3xi1> {
    %w = arith.constant dense<0.5> : tensor<3x16xf32>
    %f = spike.reshape %x {spike.spike_input} : (tensor<1x1x4x4xi1>) -> tensor<1x16xi1> loc("view")
    %y = spike.linear %f, %w {spike.spike_input} : (tensor<1x16xi1>, tensor<3x16xf32>) -> tensor<1x3xf32> loc("fc")
    %s = spike.lif %y {leak = array<f32: 0.5>, v_threshold = array<f32: 1.0>} : (tensor<1x3xf32>) -> tensor<1x3xi1> loc("lif")
    return %s : tensor<1x3xi1>
  }
}

// CHECK-LABEL: func.func private @main_p0_host
// CHECK: spike.reshape
// CHECK-LABEL: func.func private @main_p1_spikecore
// CHECK: spike.linear
// CHECK: spike.lif

// Between two SpikeCore layers a reshape is not at the boundary: still an
// error naming it.
// INNER: error: loc("mid"): no enabled target can run node 'mid' (spike.reshape)
// INNER: note: loc("mid"): spikecore: spikecore runs only spike.linear, spike.lif and spike.relu, not spike.reshape
