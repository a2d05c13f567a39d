// RUN: sf-opt %s --plan-assign-arena | FileCheck %s

// A chain x -> a -> b -> c -> d of 64, 1024 (4 copies), 512, 256 and 128
// bytes: the largest are placed first, each at the lowest 64-aligned offset
// free of the tensors live with it (a tensor lives from the kernel that
// writes it to the last that reads it; the output d to the end). a takes
// [0, 1024); b, live with a, [1024, 1536); c, live with b only, reuses a's
// bytes at 0; d, live with c only, goes after c at 256; x, live with a only,
// reuses b's bytes at 1024.
module attributes {spike.model = #spike.model<timesteps = 4, encoding = direct, readout = mean>} {
  func.func @main(%x: !plan.tensor<1x16xf32>) -> !plan.tensor<1x8xf32, temporal> {
    %a = plan.kernel "Relu" "a" on host dense(%x) : (!plan.tensor<1x16xf32>) -> !plan.tensor<1x64xf32, temporal>
    %b = plan.kernel "Relu" "b" on host dense(%a) : (!plan.tensor<1x64xf32, temporal>) -> !plan.tensor<1x32xf32, temporal>
    %c = plan.kernel "Relu" "c" on host dense(%b) : (!plan.tensor<1x32xf32, temporal>) -> !plan.tensor<1x16xf32, temporal>
    %d = plan.kernel "Relu" "d" on host dense(%c) : (!plan.tensor<1x16xf32, temporal>) -> !plan.tensor<1x8xf32, temporal>
    return %d : !plan.tensor<1x8xf32, temporal>
  }
}

// CHECK: module attributes {plan.arena_size = 1536 : i64
// CHECK: func.func @main(%{{.*}}: !plan.tensor<1x16xf32> {plan.arena_offset = 1024 : i64})
// CHECK: plan.kernel "Relu" "a" {{.*}} at 0 :
// CHECK: plan.kernel "Relu" "b" {{.*}} at 1024 :
// CHECK: plan.kernel "Relu" "c" {{.*}} at 0 :
// CHECK: plan.kernel "Relu" "d" {{.*}} at 256 :
