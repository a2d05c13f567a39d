// RUN: sf-opt %s --split-input-file --verify-diagnostics

// expected-error @+1 {{expected storage 'f32' or 'spikes'}}
func.func private @f(!plan.tensor<1x4xi8>)

// -----

func.func @f() {
  // expected-error @+1 {{'plan.constant' op expects dense f32 elements, found 'tensor<4xi32>'}}
  %c = plan.constant "c" as_is dense<1> : tensor<4xi32> : !plan.tensor<4xf32>
  return
}

// -----

func.func @f() {
  // expected-error @+1 {{'plan.constant' op value shape 'tensor<4xf32>' differs from the result '!plan.tensor<2x2xf32>'}}
  %c = plan.constant "c" as_is dense<1.0> : tensor<4xf32> : !plan.tensor<2x2xf32>
  return
}

// -----

func.func @f() {
  // expected-error @+1 {{'plan.constant' op layout 'chwo' does not apply to rank 2}}
  %c = plan.constant "c" chwo dense<1.0> : tensor<2x2xf32> : !plan.tensor<2x2xf32>
  return
}

// -----

func.func @f(%x: !plan.tensor<1x4xf32>) {
  // expected-error @+1 {{'plan.kernel' op unknown op kind 'Erf' (expected one of: Conv2d, Linear, BatchNorm, Add,}}
  %y = plan.kernel "Erf" "s" on host dense(%x) : (!plan.tensor<1x4xf32>) -> !plan.tensor<1x4xf32>
  return
}

// -----

func.func @f(%x: !plan.tensor<1x4xf32>, %w: !plan.tensor<4x4xf32>) {
  // expected-error @+1 {{'plan.kernel' op a sparse_binary kernel reads packed spikes}}
  %y = plan.kernel "Linear" "fc" on host sparse_binary(%x, %w) : (!plan.tensor<1x4xf32>, !plan.tensor<4x4xf32>) -> !plan.tensor<1x4xf32>
  return
}

// -----

// A product's sparse kernel reads its left operand packed (the right one
// packed or float), and has no zero blocks to skip.
func.func @f(%a: !plan.tensor<1x2x4xf32>, %b: !plan.tensor<1x4x2xspikes>) {
  // expected-error @+1 {{'plan.kernel' op a sparse_binary kernel reads packed spikes}}
  %y = plan.kernel "MatMul" "mm" on host sparse_binary(%a, %b) : (!plan.tensor<1x2x4xf32>, !plan.tensor<1x4x2xspikes>) -> !plan.tensor<1x2x2xf32, temporal>
  return
}

// -----

func.func @f(%a: !plan.tensor<1x2x4xspikes>, %b: !plan.tensor<1x4x2xf32>) {
  // expected-error @+1 {{'plan.kernel' op a MatMul has no block size}}
  %y = plan.kernel "MatMul" "mm" on host sparse_binary(%a, %b) block 8 : (!plan.tensor<1x2x4xspikes>, !plan.tensor<1x4x2xf32>) -> !plan.tensor<1x2x2xf32, temporal>
  return
}

// -----

// What each kind takes, and which kernels and targets run it, is the op
// catalogue's (formats/include/sparseflow/format/op_catalogue.def).
func.func @f(%x: !plan.tensor<1x4xf32>) {
  // expected-error @+1 {{'plan.kernel' op a Linear takes 2 to 3 operands, found 1}}
  %y = plan.kernel "Linear" "fc" on host dense(%x) : (!plan.tensor<1x4xf32>) -> !plan.tensor<1x4xf32>
  return
}

// -----

func.func @f(%x: !plan.tensor<1x4xspikes>) {
  // expected-error @+1 {{'plan.kernel' op a Relu has no sparse_binary kernel}}
  %y = plan.kernel "Relu" "r" on host sparse_binary(%x) : (!plan.tensor<1x4xspikes>) -> !plan.tensor<1x4xf32, temporal>
  return
}

// -----

func.func @f(%x: !plan.tensor<1x4xspikes>) {
  // expected-error @+1 {{'plan.kernel' op target 'host' does not run a SpikeCoreLayer}}
  %y = plan.kernel "SpikeCoreLayer" "l" on host dense(%x) : (!plan.tensor<1x4xspikes>) -> !plan.tensor<1x4xspikes>
  return
}

// -----

func.func @f(%x: !plan.tensor<1x4xf32>, %w: !plan.tensor<4x4xf32>) {
  // expected-error @+1 {{'plan.kernel' op only a sparse_binary kernel has a block size}}
  %y = plan.kernel "Linear" "fc" on host dense(%x, %w) block 8 : (!plan.tensor<1x4xf32>, !plan.tensor<4x4xf32>) -> !plan.tensor<1x4xf32>
  return
}

// -----

func.func @f(%x: !plan.tensor<1x4xspikes>, %w: !plan.tensor<4x4xf32>) {
  // expected-error @+1 {{'plan.kernel' op block size 3 is not 0 or a power of two from 2 to 64}}
  %y = plan.kernel "Linear" "fc" on host sparse_binary(%x, %w) block 3 : (!plan.tensor<1x4xspikes>, !plan.tensor<4x4xf32>) -> !plan.tensor<1x4xf32, temporal>
  return
}
