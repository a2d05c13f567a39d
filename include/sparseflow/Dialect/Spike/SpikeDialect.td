//===- SpikeDialect.td - spike dialect definition ----------*- tablegen -*-===//
//
// Part of SparseFlow.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEFLOW_DIALECT_SPIKE_SPIKEDIALECT_TD
#define SPARSEFLOW_DIALECT_SPIKE_SPIKEDIALECT_TD

include "mlir/IR/DialectBase.td"

def Spike_Dialect : Dialect {
  let name = "spike";
  let cppNamespace = "::sparseflow::spike";
  let summary = "Spiking neural networks with per-timestep tensor semantics";
  let description = [{
    The `spike` dialect describes one timestep of a spiking neural network on
    ranked tensors in NCHW layout. Stateless ops (convolution, linear layers,
    normalization, pooling, elementwise arithmetic, shape manipulation) compute
    on the tensors of a single timestep; the only stateful op is `spike.lif`,
    whose membrane potential persists from one timestep to the next and is
    reset at the first step. Evaluating the graph over `T` timesteps therefore
    equals stepping it `T` times, or running stateless ops once on a
    `[T*N, ...]` batch and scanning each `spike.lif` over time.

    Spike trains are typed: a tensor whose element type is `i1` carries binary
    spikes, and every op that produces spikes (`spike.lif`) or preserves them
    (`spike.max_pool2d`, `spike.flatten`, `spike.reshape`, `spike.concat`)
    says so in its result type. Arithmetic ops accept spike or floating-point
    operands and produce floating-point results.

    Model-level facts (number of timesteps, input encoding, readout) live in a
    single `spike.model` attribute on the enclosing `builtin.module`:

    ```mlir
    module attributes {spike.model = #spike.model<timesteps = 4, encoding = direct, readout = mean>} {
      func.func @main(%x: tensor<1x784xf32>) -> tensor<1x10xi1> { ... }
    }
    ```

    The compiler's passes record their decisions as discardable attributes,
    each checked by the dialect wherever it appears:

    - `spike.spike_input` (unit, on a spike op; `spike-tag-lif-successors`):
      at least one operand is a spike train.
    - `spike.block_size` (`i64`, on a tagged `spike.conv2d` or `spike.linear`;
      `spike-select-block-size`): the zero-block granularity of its sparse
      kernel; 0 selects the dense kernel.
    - `spike.target` (`#spike.target<...>`, on a spike op or a `func.func`;
      `spike-partition`): where it runs.
  }];

  let useDefaultAttributePrinterParser = 1;
  let hasOperationAttrVerify = 1;
  let hasConstantMaterializer = 1;
  let dependentDialects = ["::mlir::arith::ArithDialect"];

  let extraClassDeclaration = [{
    /// The name of the module attribute that holds the `#spike.model`.
    static constexpr ::llvm::StringLiteral getModelAttrName() {
      return ::llvm::StringLiteral("spike.model");
    }
    /// The unit attribute that marks an op consuming a spike train.
    static constexpr ::llvm::StringLiteral getSpikeInputAttrName() {
      return ::llvm::StringLiteral("spike.spike_input");
    }
    /// The `i64` zero-block granularity of a tagged conv2d or linear.
    static constexpr ::llvm::StringLiteral getBlockSizeAttrName() {
      return ::llvm::StringLiteral("spike.block_size");
    }
    /// The `#spike.target` of an op or an outlined partition function.
    static constexpr ::llvm::StringLiteral getTargetAttrName() {
      return ::llvm::StringLiteral("spike.target");
    }
    /// Whether `size` is a valid `spike.block_size`: 0 (dense) or a power of
    /// two from 2 to 64.
    static bool isValidBlockSize(int64_t size) {
      return size == 0 || (size >= 2 && size <= 64 && (size & (size - 1)) == 0);
    }

  private:
    void registerAttributes();
  }];
}

#endif // SPARSEFLOW_DIALECT_SPIKE_SPIKEDIALECT_TD
