// RUN: sf-opt %s --spike-partition="targets=gpu,host" --convert-spike-to-plan --plan-arrange-weights | FileCheck %s
// RUN: sf-opt %s --spike-partition="targets=gpu,host" --convert-spike-to-plan="sparse-kernels=false" | FileCheck %s --check-prefix=DENSE
// RUN: not sf-opt %s --spike-partition="targets=gpu" 2>&1 | FileCheck %s --check-prefix=GPU

// A recurrent neuron (a strongly connected neuron -> linear -> neuron
// region) runs only on the host, as a RecurrentLIF whose one kernel reads
// its own spikes sparsely (also with sparse kernels off), its weight
// transposed; the layers around it stay temporal-parallel.
module attributes {spike.model = #spike.model<timesteps = 4, encoding = direct, readout = all>} {
  func.func @main(%x: tensor<1x2xf32>) -> tensor<1x3xi1> {
    %w = arith.constant dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]> : tensor<3x2xf32>
    %r = arith.constant dense<[[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]]> : tensor<3x3xf32>
    %b = arith.constant dense<[0.5, 0.25, 0.125]> : tensor<3xf32>
    %y = spike.linear %x, %w : (tensor<1x2xf32>, tensor<3x2xf32>) -> tensor<1x3xf32> loc("fc")
    %s = spike.cuba_lif %y recurrent(%r, %b) {syn_leak = array<f32: 0.25>, leak = array<f32: 0.5>, v_threshold = array<f32: 1.0>} : (tensor<1x3xf32>, tensor<3x3xf32>, tensor<3xf32>) -> tensor<1x3xi1> loc("lif1")
    return %s : tensor<1x3xi1>
  }
}

// CHECK: %[[Y:.*]] = plan.kernel "Linear" "fc" on
// CHECK: %[[R:.*]] = plan.constant "const1" transposed dense<{{\[\[}}0.000000e+00, 3.000000e+00, 6.000000e+00], [1.000000e+00, 4.000000e+00, 7.000000e+00], [2.000000e+00, 5.000000e+00, 8.000000e+00]]> : tensor<3x3xf32>
// CHECK: plan.kernel "RecurrentLIF" "lif1" on host sparse_binary(%[[Y]], %[[R]], %{{.*}}) {{{.*}}syn_gain = array<f32: 1.000000e+00>, syn_leak = array<f32: 2.500000e-01>, {{.*}}} : (!plan.tensor<1x3xf32>, !plan.tensor<3x3xf32>, !plan.tensor<3xf32>) -> !plan.tensor<1x3xspikes>
// DENSE: plan.kernel "RecurrentLIF" "lif1" on host sparse_binary
// GPU: error: loc("lif1"): no enabled target can run node 'lif1' (spike.cuba_lif)
// GPU: note: loc("lif1"): gpu: gpu has no recurrent neurons (a neuron fed back its own spikes); they run on the host
