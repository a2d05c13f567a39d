// RUN: sf-opt %s --spike-partition | FileCheck %s --check-prefix=HOST
// RUN: sf-opt %s --spike-partition="targets=host,gpu" | FileCheck %s --check-prefix=GPU
// RUN: sf-opt %S/Inputs/partition-mlp.mlir --spike-partition="targets=host,spikecore" | FileCheck %s --check-prefix=SC
// RUN: sf-opt %S/Inputs/partition-mlp.mlir --spike-partition="targets=host,spikecore spikecore-config=%S/Inputs/tiny-spikecore.json" | FileCheck %s --check-prefix=SC-TINY
// RUN: sf-opt %S/Inputs/partition-mlp.mlir --spike-partition="targets=host,gpu,spikecore" | FileCheck %s --check-prefix=PREFER-GPU
// RUN: sf-opt %S/Inputs/partition-mlp.mlir --spike-partition="targets=host,spikecore,gpu" | FileCheck %s --check-prefix=SC

// A placement file moves a named node (fc3 back to the host).
// RUN: echo '{"version": 1, "rules": [{"op": "linear", "node": "fc3", "target": "host"}]}' > %t.move.json
// RUN: sf-opt %S/Inputs/partition-mlp.mlir --spike-partition="targets=host,spikecore placement=%t.move.json" | FileCheck %s --check-prefix=MOVED
// MOVED: func.func private @mlp_p1_spikecore
// MOVED: spike.lif {{.*}}#spike.target<spikecore>
// MOVED: func.func private @mlp_p2_host
// MOVED-NEXT: arith.constant
// MOVED-NEXT: spike.linear {{.*}}#spike.target<host>{{.*}}tensor<4x8xf32>

// Placements that cannot be honoured name the node, the target and the
// unmet constraint.
// RUN: echo '{"rules": [{"node": "fc2", "target": "gpu"}]}' > %t.disabled.json
// RUN: not sf-opt %S/Inputs/partition-mlp.mlir --spike-partition="targets=host,spikecore placement=%t.disabled.json" 2>&1 | FileCheck %s --check-prefix=DISABLED
// DISABLED: error: {{.*}}placement rule #0 puts node 'fc2' (spike.linear) on 'gpu', which is not among the enabled targets
// RUN: echo '{"rules": [{"op": "linear", "node": "fc1", "target": "spikecore"}]}' > %t.analog.json
// A model input may feed SpikeCore as graded events (spike-quantize gives it
// a scale); the neuron then follows its layer.
// RUN: sf-opt %S/Inputs/partition-mlp.mlir --spike-partition="targets=host,spikecore placement=%t.analog.json" 2>&1 | FileCheck %s --check-prefix=ANALOG
// ANALOG: func.func private @mlp_p0_spikecore(%arg0: tensor<1x32xf32>)
// ANALOG-NEXT: arith.constant
// ANALOG-NEXT: spike.linear %arg0{{.*}}#spike.target<spikecore>
// ANALOG-NEXT: spike.lif {{.*}}#spike.target<spikecore>
// RUN: echo '{"rules": [{"node": "fc2", "target": "spikecore"}]}' > %t.fit.json
// RUN: not sf-opt %S/Inputs/partition-mlp.mlir --spike-partition="targets=host,spikecore placement=%t.fit.json spikecore-config=%S/Inputs/tiny-spikecore.json" 2>&1 | FileCheck %s --check-prefix=FIT
// FIT: error: {{.*}}placement rule #0 puts node 'fc2' (spike.linear) on 'spikecore', which cannot run it: 16 inputs x 8 neurons need 128 B of weight memory; 2 cores x 32 B = 64 B available
// RUN: echo '{"rules": [{"node": "lif2", "target": "spikecore"}, {"node": "fc2", "target": "host"}]}' > %t.neuron.json
// RUN: not sf-opt %S/Inputs/partition-mlp.mlir --spike-partition="targets=host,spikecore placement=%t.neuron.json" 2>&1 | FileCheck %s --check-prefix=NEURON
// NEURON: error: {{.*}}node 'lif2' (spike.lif) is placed on 'spikecore' but its input is computed on 'host'; a spikecore neuron needs its spike.linear on spikecore
// RUN: echo '{"rules": [{"node": "dw", "target": "gpu", "block_size": 8}]}' > %t.kernel.json
// RUN: not sf-opt %s --spike-partition="targets=host,gpu placement=%t.kernel.json" 2>&1 | FileCheck %s --check-prefix=KERNEL
// KERNEL: error: {{.*}}placement rule #0 asks for block size 8 on node 'dw' (spike.conv2d), but 'gpu' has no block-sparse kernel for it: gpu block-sparse conv2d needs groups = 1, found 2
// RUN: echo '{"rules": [{"node": "dw", "target": "gpu", "block_size": 0}]}' > %t.dense.json
// RUN: sf-opt %s --spike-partition="targets=host,gpu placement=%t.dense.json" | FileCheck %s --check-prefix=DENSE
// DENSE: spike.conv2d {{.*}}spike.block_size = 0 : i64{{.*}}#spike.target<gpu>{{.*}}tensor<2x1x3x3xf32>

// Option and file errors.
// RUN: not sf-opt %s --spike-partition="targets=host,tpu" 2>&1 | FileCheck %s --check-prefix=TARGETS
// TARGETS: error: spike-partition: unknown target 'tpu' (expected host, gpu or spikecore)
// RUN: echo '{"rules": [{"node": "conv9", "target": "gpu"}]}' > %t.unused.json
// RUN: sf-opt %s --spike-partition="targets=host,gpu placement=%t.unused.json" 2>&1 >/dev/null | FileCheck %s --check-prefix=UNUSED
// UNUSED: warning: placement rule #0 with target 'gpu' matches no op
// RUN: echo '{"rules": [{"node": "x", "device": "gpu"}]}' > %t.key.json
// RUN: not sf-opt %s --spike-partition="placement=%t.key.json" 2>&1 | FileCheck %s --check-prefix=KEY
// KEY: error: placement file '{{.*}}key.json': rules[0]: unknown key 'device' (expected op, node, target, block_size)
// RUN: echo '{"rules": [{"op": "convolution", "target": "gpu"}]}' > %t.op.json
// RUN: not sf-opt %s --spike-partition="placement=%t.op.json" 2>&1 | FileCheck %s --check-prefix=OP
// OP: error: placement file '{{.*}}op.json': rules[0]: 'op' names no spike op: 'convolution'
// RUN: echo '{"rules": [{"node": "(", "target": "gpu"}]}' > %t.regex.json
// RUN: not sf-opt %s --spike-partition="placement=%t.regex.json" 2>&1 | FileCheck %s --check-prefix=REGEX
// REGEX: error: placement file '{{.*}}regex.json': rules[0]: 'node' is not a valid regular expression: {{.+}}
// RUN: echo '{"rules": [{"node": "a"' > %t.json.json
// RUN: not sf-opt %s --spike-partition="placement=%t.json.json" 2>&1 | FileCheck %s --check-prefix=JSON
// JSON: error: placement file '{{.*}}json.json': invalid JSON: {{.+}}
// RUN: not sf-opt %s --spike-partition="spikecore-config=%S/Inputs/partition-mlp.mlir" 2>&1 | FileCheck %s --check-prefix=CONFIG
// CONFIG: error: SpikeCore description '{{.*}}partition-mlp.mlir': invalid JSON
// RUN: echo '{"cores": 0}' > %t.cores.json
// RUN: not sf-opt %s --spike-partition="spikecore-config=%t.cores.json" 2>&1 | FileCheck %s --check-prefix=CORES
// CORES: error: SpikeCore description '{{.*}}cores.json': 'cores' must be an integer from 1 to 1048576

// A conv net, tagged: the stem reads the analog input; conv3, conv5, dw and
// grouped read spikes, each with block size 8.
module attributes {spike.model = #spike.model<timesteps = 2, encoding = direct, readout = mean>} {
  func.func @net(%x: tensor<1x2x16x16xf32>) -> (tensor<1x2x16x16xf32>, tensor<1x4x16x16xf32>) {
    %w = arith.constant dense<1.0> : tensor<2x2x3x3xf32>
    %w5 = arith.constant dense<1.0> : tensor<4x2x5x5xf32>
    %wd = arith.constant dense<1.0> : tensor<2x1x3x3xf32>
    %wg = arith.constant dense<1.0> : tensor<4x1x1x1xf32>
    %c0 = spike.conv2d %x, %w {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x2x16x16xf32>, tensor<2x2x3x3xf32>) -> tensor<1x2x16x16xf32> loc("stem")
    %s0 = spike.lif %c0 {leak = array<f32: 0.5>, v_threshold = array<f32: 1.0>} : (tensor<1x2x16x16xf32>) -> tensor<1x2x16x16xi1> loc("lif")
    %c1 = spike.conv2d %s0, %w {pads = array<i64: 1, 1, 1, 1>, spike.spike_input, spike.block_size = 8 : i64} : (tensor<1x2x16x16xi1>, tensor<2x2x3x3xf32>) -> tensor<1x2x16x16xf32> loc("conv3")
    %c2 = spike.conv2d %s0, %w5 {pads = array<i64: 2, 2, 2, 2>, spike.spike_input, spike.block_size = 8 : i64} : (tensor<1x2x16x16xi1>, tensor<4x2x5x5xf32>) -> tensor<1x4x16x16xf32> loc("conv5")
    %c3 = spike.conv2d %s0, %wd {pads = array<i64: 1, 1, 1, 1>, groups = 2 : i64, spike.spike_input, spike.block_size = 8 : i64} : (tensor<1x2x16x16xi1>, tensor<2x1x3x3xf32>) -> tensor<1x2x16x16xf32> loc("dw")
    %c4 = spike.conv2d %s0, %wg {groups = 2 : i64, spike.spike_input, spike.block_size = 8 : i64} : (tensor<1x2x16x16xi1>, tensor<4x1x1x1xf32>) -> tensor<1x4x16x16xf32> loc("grouped")
    %a = spike.add %c1, %c3 : (tensor<1x2x16x16xf32>, tensor<1x2x16x16xf32>) -> tensor<1x2x16x16xf32> loc("add")
    %b = spike.add %c2, %c4 : (tensor<1x4x16x16xf32>, tensor<1x4x16x16xf32>) -> tensor<1x4x16x16xf32> loc("add2")
    return %a, %b : tensor<1x2x16x16xf32>, tensor<1x4x16x16xf32>
  }
}

// Only the host: one partition, block sizes kept where the host has a sparse
// kernel: any kxk and any groups (depthwise and grouped convs included).
// HOST-LABEL: func.func @net
// HOST-NEXT: %[[R:.*]]:2 = call @net_p0_host(%arg0)
// HOST-NEXT: return %[[R]]#0, %[[R]]#1
// HOST: func.func private @net_p0_host(%{{.*}}: tensor<1x2x16x16xf32>) -> (tensor<1x2x16x16xf32>, tensor<1x4x16x16xf32>) attributes {spike.target = #spike.target<host>}
// HOST: spike.conv2d {{.*}}spike.target = #spike.target<host>{{.*}}tensor<1x2x16x16xf32>, tensor<2x2x3x3xf32>
// HOST: spike.conv2d {{.*}}spike.block_size = 8 : i64{{.*}}#spike.target<host>{{.*}}tensor<2x2x3x3xf32>
// HOST: spike.conv2d {{.*}}spike.block_size = 8 : i64{{.*}}#spike.target<host>{{.*}}tensor<4x2x5x5xf32>
// HOST: spike.conv2d {{.*}}spike.block_size = 8 : i64{{.*}}#spike.target<host>{{.*}}tensor<2x1x3x3xf32>
// HOST: spike.conv2d {{.*}}spike.block_size = 8 : i64{{.*}}#spike.target<host>{{.*}}tensor<4x1x1x1xf32>

// With a gpu: the spike-consuming 3x3 and 5x5 convs go there (its
// block-sparse kernel takes any window with groups = 1), the depthwise and
// grouped convs (the gpu has no block-sparse kernel for them; the host has)
// stay on host; the lif
// and the adds are not spike consumers. Each run of same-target ops becomes
// one partition, called in order, with the constants it needs.
// GPU-LABEL: func.func @net
// GPU-NEXT: %[[P0:.*]] = call @net_p0_host(%arg0) : (tensor<1x2x16x16xf32>) -> tensor<1x2x16x16xi1>
// GPU-NEXT: %[[P1:.*]]:2 = call @net_p1_gpu(%[[P0]])
// GPU-NEXT: %[[P2:.*]]:2 = call @net_p2_host(%[[P0]], %[[P1]]#0, %[[P1]]#1)
// GPU-NEXT: return %[[P2]]#0, %[[P2]]#1
// GPU: func.func private @net_p0_host
// GPU: func.func private @net_p1_gpu(%[[A:.*]]: tensor<1x2x16x16xi1>) -> (tensor<1x2x16x16xf32>, tensor<1x4x16x16xf32>) attributes {spike.target = #spike.target<gpu>}
// GPU-NEXT: %[[W:.*]] = arith.constant dense<1.000000e+00> : tensor<2x2x3x3xf32>
// GPU-NEXT: %[[C:.*]] = spike.conv2d %[[A]], %[[W]] {{.*}}spike.block_size = 8 : i64{{.*}}#spike.target<gpu>
// GPU: spike.conv2d {{.*}}spike.block_size = 8 : i64{{.*}}#spike.target<gpu>{{.*}}tensor<4x2x5x5xf32>
// GPU: func.func private @net_p2_host({{.*}}attributes {spike.target = #spike.target<host>}
// GPU: spike.conv2d {{.*}}spike.block_size = 8 : i64{{.*}}#spike.target<host>{{.*}}tensor<2x1x3x3xf32>
// GPU: spike.conv2d {{.*}}spike.block_size = 8 : i64{{.*}}#spike.target<host>{{.*}}tensor<4x1x1x1xf32>
// GPU-COUNT-2: spike.add

// SpikeCore takes the spike-consuming linear layers that fit, and the neuron
// that follows its layer there; it is event-driven, so block sizes go.
// SC-LABEL: func.func @mlp
// SC-NEXT: call @mlp_p0_host
// SC-NEXT: call @mlp_p1_spikecore
// SC: func.func private @mlp_p0_host
// SC: spike.linear {{.*}}#spike.target<host>
// SC: spike.lif {{.*}}#spike.target<host>
// SC: func.func private @mlp_p1_spikecore
// SC-NEXT: arith.constant
// SC-NEXT: spike.linear %{{.*}} {spike.spike_input, spike.target = #spike.target<spikecore>}
// SC-NEXT: spike.lif {{.*}}#spike.target<spikecore>
// SC-NEXT: arith.constant
// SC-NEXT: spike.linear %{{.*}} {spike.spike_input, spike.target = #spike.target<spikecore>}

// With 2 cores x 32 B, fc2 (16 x 8 = 128 B) no longer fits; fc3 (32 B) does.
// SC-TINY: func.func private @mlp_p0_host
// SC-TINY: spike.linear {{.*}}spike.block_size = 8 : i64{{.*}}#spike.target<host>{{.*}}tensor<8x16xf32>
// SC-TINY: spike.lif {{.*}}#spike.target<host>
// SC-TINY: func.func private @mlp_p1_spikecore
// SC-TINY: spike.linear {{.*}}#spike.target<spikecore>{{.*}}tensor<4x8xf32>

// The first faster target in `targets` wins.
// PREFER-GPU: func.func private @mlp_p1_gpu
// PREFER-GPU: spike.linear {{.*}}#spike.target<gpu>{{.*}}tensor<8x16xf32>
// PREFER-GPU: func.func private @mlp_p2_host
// PREFER-GPU: spike.lif
// PREFER-GPU: func.func private @mlp_p3_gpu
