// RUN: sf-opt %s --plan-arrange-weights | FileCheck %s

// Each weight is stored in the layout of the kernel that reads it: the dense
// Linear reads [K, O], the sparse Conv2d [C, KH, KW, O] (grouped:
// [C, KH, KW, O/groups], input channel c's row its group's outputs), the
// dense Conv2d the weight as imported. A constant read in two layouts is stored twice; the
// as-imported one goes when no kernel reads it any more.
module attributes {spike.model = #spike.model<timesteps = 2, encoding = spikes, readout = mean>} {
  func.func @main(%s: !plan.tensor<1x2x2x2xspikes>, %x: !plan.tensor<1x3xf32>) -> (!plan.tensor<1x2x2x2xf32, temporal>, !plan.tensor<1x2x2x2xf32, temporal>, !plan.tensor<1x2xf32>, !plan.tensor<1x4x2x2xf32, temporal>) {
    %wg = plan.constant "wg" as_is dense<[[[[1.0]]], [[[2.0]]], [[[3.0]]], [[[4.0]]]]> : tensor<4x1x1x1xf32> : !plan.tensor<4x1x1x1xf32>
    %w = plan.constant "w" as_is dense<[[[[1.0]], [[2.0]]], [[[3.0]], [[4.0]]]]> : tensor<2x2x1x1xf32> : !plan.tensor<2x2x1x1xf32>
    %fc = plan.constant "fc" as_is dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32> : !plan.tensor<2x3xf32>
    %u = plan.kernel "Unpack" "s" on host dense(%s) : (!plan.tensor<1x2x2x2xspikes>) -> !plan.tensor<1x2x2x2xf32, temporal>
    %a = plan.kernel "Conv2d" "sparse" on host sparse_binary(%s, %w) : (!plan.tensor<1x2x2x2xspikes>, !plan.tensor<2x2x1x1xf32>) -> !plan.tensor<1x2x2x2xf32, temporal>
    %b = plan.kernel "Conv2d" "dense" on host dense(%u, %w) : (!plan.tensor<1x2x2x2xf32, temporal>, !plan.tensor<2x2x1x1xf32>) -> !plan.tensor<1x2x2x2xf32, temporal>
    %c = plan.kernel "Linear" "linear" on host dense(%x, %fc) : (!plan.tensor<1x3xf32>, !plan.tensor<2x3xf32>) -> !plan.tensor<1x2xf32>
    %d = plan.kernel "Conv2d" "grouped" on host sparse_binary(%s, %wg) {groups = 2 : i64} : (!plan.tensor<1x2x2x2xspikes>, !plan.tensor<4x1x1x1xf32>) -> !plan.tensor<1x4x2x2xf32, temporal>
    return %a, %b, %c, %d : !plan.tensor<1x2x2x2xf32, temporal>, !plan.tensor<1x2x2x2xf32, temporal>, !plan.tensor<1x2xf32>, !plan.tensor<1x4x2x2xf32, temporal>
  }
}

// CHECK-LABEL: func.func @main
// CHECK-DAG: %[[W:.*]] = plan.constant "w" as_is dense<{{\[\[\[\[}}1.000000e+00]], {{\[\[}}2.000000e+00]]], {{\[\[\[}}3.000000e+00]], {{\[\[}}4.000000e+00]]]]> : tensor<2x2x1x1xf32>
// CHECK-DAG: %[[WS:.*]] = plan.constant "w" chwo dense<{{\[\[\[\[}}1.000000e+00, 3.000000e+00]]], {{\[\[\[}}2.000000e+00, 4.000000e+00]]]]> : tensor<2x1x1x2xf32> : !plan.tensor<2x1x1x2xf32>
// CHECK-DAG: %[[WG:.*]] = plan.constant "wg" chwo dense<{{\[\[\[\[}}1.000000e+00, 2.000000e+00]]], {{\[\[\[}}3.000000e+00, 4.000000e+00]]]]> : tensor<2x1x1x2xf32>
// CHECK-DAG: %[[FC:.*]] = plan.constant "fc" transposed dense<{{\[\[}}1.000000e+00, 4.000000e+00], [2.000000e+00, 5.000000e+00], [3.000000e+00, 6.000000e+00]]> : tensor<3x2xf32> : !plan.tensor<3x2xf32>
// CHECK-NOT: plan.constant "fc" as_is
// CHECK: plan.kernel "Conv2d" "sparse" on host sparse_binary(%{{.*}}, %[[WS]])
// CHECK: plan.kernel "Conv2d" "dense" on host dense(%{{.*}}, %[[W]])
// CHECK: plan.kernel "Linear" "linear" on host dense(%{{.*}}, %[[FC]])
// CHECK: plan.kernel "Conv2d" "grouped" on host sparse_binary(%{{.*}}, %[[WG]])
