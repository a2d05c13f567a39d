// spike-quantize turns each SpikeCore linear (+ lif | relu) into one
// spikecore.layer; spikecore-codegen allocates cores and writes routines.
// RUN: sf-opt %s --spike-tag-lif-successors --spike-partition="targets=spikecore" --spike-quantize | FileCheck %s
// RUN: sf-opt %s --spike-tag-lif-successors --spike-partition="targets=spikecore" --spike-quantize --spikecore-codegen | FileCheck %s --check-prefix=CODEGEN
// RUN: sf-opt %s --spike-tag-lif-successors --spike-partition="targets=spikecore" --spike-quantize="per-channel=true" | FileCheck %s --check-prefix=CHANNEL
// RUN: not sf-opt %s --spike-tag-lif-successors --spike-partition="targets=spikecore" --spike-quantize --spikecore-codegen="spikecore-config=%S/Inputs/two-cores.json" 2>&1 | FileCheck %s --check-prefix=FIT

module attributes {spike.model = #spike.model<timesteps = 4, encoding = spikes, readout = mean>} {
  func.func @snn(%x: tensor<1x4xf32>) -> tensor<1x2xf32> {
    // Row maxima 0.5 and 0.25: per layer s0 = 0.5/127, θ = floor(1 / s0) = 254.
    %w1 = arith.constant dense<[[0.5, -0.25, 0.125, 0.0], [0.25, 0.25, -0.25, 0.0], [0.1, 0.2, 0.3, 0.4]]> : tensor<3x4xf32>
    %b1 = arith.constant dense<[0.1, 0.0, -0.2]> : tensor<3xf32>
    %h1 = spike.linear %x, %w1, %b1 : (tensor<1x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<1x3xf32> loc("fc1")
    %s1 = spike.lif %h1 {leak = array<f32: 0.25>, v_threshold = array<f32: 1.0>, v_reset = array<f32: 0.0>, reset = #spike.reset<hard>} : (tensor<1x3xf32>) -> tensor<1x3xi1> loc("lif1")
    %w2 = arith.constant dense<[[1.0, -1.0, 0.5], [0.5, 0.5, 0.5]]> : tensor<2x3xf32>
    %h2 = spike.linear %s1, %w2 : (tensor<1x3xi1>, tensor<2x3xf32>) -> tensor<1x2xf32> loc("fc2")
    return %h2 : tensor<1x2xf32>
  }
}

// CHECK-LABEL: func.func private @snn_p0_spikecore
// CHECK:      %[[L1:.*]] = spikecore.layer "fc1+lif1" %arg0
// CHECK-SAME:   bias = dense<[25, 0, -51]> : tensor<3xi32>
// CHECK-SAME:   input_scale = 1.000000e+00
// CHECK-SAME:   leak_mul = 4194304 : si32, leak_shift = 24 : si32
// CHECK-SAME:   output = #spikecore<output spikes>
// CHECK-SAME:   scale = array<f64: 0.003937007874015748>
// CHECK-SAME:   spike_input
// CHECK-SAME:   spikecore.error = {bias_max_abs = {{.*}}, leak_abs = 0.000000e+00 : f64, weight_max_abs = {{.*}}, weight_rel_rms = {{[^}]*}}}
// CHECK-SAME:   threshold = 254 : si32
// CHECK-SAME{LITERAL}: weights = dense<[[127, -64, 32, 0], [64, 64, -64, 0], [25, 51, 76, 102]]> : tensor<3x4xi8>
// CHECK-SAME:   : tensor<1x4xf32> -> tensor<1x3xi1>
// CHECK:      %[[L2:.*]] = spikecore.layer "fc2" %[[L1]]
// CHECK-SAME:   output = #spikecore<output readout>
// CHECK-SAME:   : tensor<1x3xi1> -> tensor<1x2xf32>
// CHECK:      return %[[L2]]

// Per channel: a readout row gets its own scale. A spiking layer shares one
// θ (one FIRE per routine), so with one v_threshold its rows share the
// scale v_threshold / θ; θ = min_j floor(1 / s0_j) = 254 keeps row 0 in range.
// CHANNEL: spikecore.layer "fc1+lif1"
// CHANNEL-SAME: scale = array<f64: 0.003937007874015748, 0.003937007874015748, 0.003937007874015748>
// CHANNEL-SAME: threshold = 254
// CHANNEL: spikecore.layer "fc2"
// CHANNEL-SAME: scale = array<f64: 0.0078740157480314959, 0.003937007874015748>

// The target description travels in the module for the artifact writer.
// CODEGEN: spikecore.target = "{\22accumulator_bits\22:32,{{.*}}\22cores\22:128
// CODEGEN:      spikecore.layer "fc1+lif1" {{.*}}cores = 3 : si64{{.*}}first_core = 0 : si64{{.*}}neurons_per_core = 1 : si64
// CODEGEN:        spikecore.leak {mul = 4194304 : si32, shift = 24 : si32, vleak = 0 : si32}
// CODEGEN-NEXT:   spikecore.acc {base = 0 : si64}
// CODEGEN-NEXT:   spikecore.bias {base = 4 : si64}
// CODEGEN-NEXT:   spikecore.fire {reset = #spikecore<reset hard>, threshold = 254 : si32, vreset = 0 : si32}
// CODEGEN-NEXT:   spikecore.halt
// CODEGEN:      spikecore.layer "fc2" {{.*}}cores = 2 : si64{{.*}}first_core = 3 : si64
// CODEGEN:        spikecore.acc {base = 0 : si64}
// CODEGEN-NEXT:   spikecore.out
// CODEGEN-NEXT:   spikecore.halt

// FIT: error: the SpikeCore layers need 3 cores (fc1+lif1: 2, fc2: 1) but the target has 2
