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
  }];

  let useDefaultAttributePrinterParser = 1;
  let hasOperationAttrVerify = 1;

  let extraClassDeclaration = [{
    /// The name of the module attribute that holds the `#spike.model`.
    static constexpr ::llvm::StringLiteral getModelAttrName() {
      return ::llvm::StringLiteral("spike.model");
    }

  private:
    void registerAttributes();
  }];
}

#endif // SPARSEFLOW_DIALECT_SPIKE_SPIKEDIALECT_TD
