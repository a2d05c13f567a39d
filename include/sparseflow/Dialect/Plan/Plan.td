//===- Plan.td - the execution-plan dialect ----------------*- tablegen -*-===//
//
// Part of SparseFlow.
//
// The last IR before serialisation: what the artifact stores, as IR that
// passes can rewrite and lit can check (docs/passes.md, the plan stage).
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEFLOW_DIALECT_PLAN_PLAN_TD
#define SPARSEFLOW_DIALECT_PLAN_PLAN_TD

include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/DialectBase.td"
include "mlir/IR/EnumAttr.td"
include "mlir/IR/OpBase.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "sparseflow/Dialect/Plan/PlanEnums.td"
include "sparseflow/Dialect/Spike/SpikeAttributes.td"

def Plan_Dialect : Dialect {
  let name = "plan";
  let cppNamespace = "::sparseflow::plan";
  let summary = "The execution plan of a compiled model";
  let description = [{
    A model lowered to the runtime's vocabulary: tensors with a storage, kernel
    calls with the kernel, block size and target that run them, constants in
    the layout their kernel reads, and arena offsets. Every decision that the
    artifact records is an attribute of this IR, made by a pass and checked by
    `plan-verify`; the artifact writer only serialises it.

    ```mlir
    func.func @main(%x: !plan.tensor<1x4xf32> {plan.arena_offset = 0 : i64})
        -> !plan.tensor<1x2xf32, temporal> {
      %w = plan.constant "w1" transposed dense<...> : tensor<4x3xf32>
          : !plan.tensor<4x3xf32>
      %h = plan.kernel "Linear" "fc1" on host dense(%x, %w) at 64
          : (!plan.tensor<1x4xf32>, !plan.tensor<4x3xf32>) -> !plan.tensor<1x3xf32>
      ...
    }
    ```

    Op kinds are the artifact's (`Conv2d`, `Linear`, `LIF`, `Unpack`, ...);
    their parameters are the attributes of the spike op they come from.
  }];
  let useDefaultTypePrinterParser = 1;
  let useDefaultAttributePrinterParser = 1;
  let dependentDialects = ["::sparseflow::spike::SpikeDialect"];

  let extraClassDeclaration = [{
    /// The `i64` arena offset of a model input (a function argument
    /// attribute).
    static constexpr ::llvm::StringLiteral getArenaOffsetAttrName() {
      return ::llvm::StringLiteral("plan.arena_offset");
    }
    /// The `i64` size of the activation arena, on the module.
    static constexpr ::llvm::StringLiteral getArenaSizeAttrName() {
      return ::llvm::StringLiteral("plan.arena_size");
    }

  private:
    void registerAttributes();
    void registerTypes();
  }];
}

//===----------------------------------------------------------------------===//
// Enum attributes, printed as their bare keyword in op syntax
//===----------------------------------------------------------------------===//

class Plan_EnumAttr<EnumAttrInfo info, string name>
    : EnumAttr<Plan_Dialect, info, name> {
  let cppNamespace = "::sparseflow::plan";
  let assemblyFormat = "`` $value";
}
def Plan_TargetAttr : Plan_EnumAttr<Spike_Target, "target">;
def Plan_KernelKindAttr : Plan_EnumAttr<Plan_KernelKind, "kernel">;
def Plan_LayoutAttr : Plan_EnumAttr<Plan_Layout, "layout">;

//===----------------------------------------------------------------------===//
// Types
//===----------------------------------------------------------------------===//

def Plan_TensorType : TypeDef<Plan_Dialect, "PlanTensor"> {
  let mnemonic = "tensor";
  let summary = "A tensor of the execution plan";
  let description = [{
    The per-timestep shape, how the elements are stored, and whether the
    tensor varies over the timesteps:

    - `!plan.tensor<1x16xf32>`: float32, the same at every step (computed
      once);
    - `!plan.tensor<1x16xf32, temporal>`: T float32 copies, one per step;
    - `!plan.tensor<1x16xspikes>`: one 64-bit word per neuron, bit t set
      when it fires at step t (always temporal).
  }];
  let parameters = (ins ArrayRefParameter<"int64_t">:$shape,
                        "::sparseflow::plan::Storage":$storage,
                        "bool":$temporal);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    bool isSpikes() const { return getStorage() == Storage::spikes; }
    int64_t getNumElements() const;
    /// Bytes of all its copies, for `timesteps` steps.
    uint64_t getByteSize(int64_t timesteps) const;
  }];
}

def Plan_Tensor : Type<CPred<"::llvm::isa<::sparseflow::plan::PlanTensorType>($_self)">,
                       "plan tensor", "::sparseflow::plan::PlanTensorType">;

//===----------------------------------------------------------------------===//
// Ops
//===----------------------------------------------------------------------===//

class Plan_Op<string mnemonic, list<Trait> traits = []>
    : Op<Plan_Dialect, mnemonic, traits>;

def Plan_ConstantOp : Plan_Op<"constant", [Pure]> {
  let summary = "A constant tensor stored in the artifact's data section";
  let description = [{
    `value` holds the elements in `layout` order; the result's shape is the
    stored shape. `plan-arrange-weights` rewrites `as_is` weights into the
    layout of the kernel that reads them.
  }];
  let arguments = (ins StrAttr:$name, Plan_LayoutAttr:$layout,
                       ElementsAttr:$value);
  let results = (outs Plan_Tensor:$result);
  let assemblyFormat = "$name $layout $value attr-dict `:` qualified(type($result))";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    ::mlir::DenseElementsAttr getElements() {
      return ::llvm::cast<::mlir::DenseElementsAttr>(getValue());
    }
  }];
}

def Plan_KernelOp : Plan_Op<"kernel", [Pure]> {
  let summary = "One op of the artifact and the kernel that runs it";
  let description = [{
    `kind` is an op kind of the artifact (formats/schema/sfa.fbs); `name` the
    ONNX node(s) it comes from. `target` and `kernel` say what runs it; a
    `sparse_binary` kernel reads its first input as packed spikes and skips
    all-zero blocks of `block` (0 or absent: only silent neurons). The
    result is placed at `arena_offset` bytes into the session's arena (set by
    `plan-assign-arena`). The remaining attributes are the op's parameters.

    ```mlir
    %y = plan.kernel "Conv2d" "conv2" on host sparse_binary(%s, %w, %b) block 8 at 4096
        {dilations = array<i64: 1, 1>, groups = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>}
        : (!plan.tensor<1x16x8x8xspikes>, !plan.tensor<16x3x3x32xf32>, !plan.tensor<32xf32>)
        -> !plan.tensor<1x32x8x8xf32, temporal>
    ```
  }];
  let arguments = (ins StrAttr:$kind, StrAttr:$name, Plan_TargetAttr:$target,
                       Plan_KernelKindAttr:$kernel,
                       OptionalAttr<I64Attr>:$block_size,
                       OptionalAttr<I64Attr>:$arena_offset,
                       Variadic<Plan_Tensor>:$inputs);
  let results = (outs Plan_Tensor:$result);
  let assemblyFormat = [{
    $kind $name `on` $target $kernel `(` $inputs `)` (`block` $block_size^)?
    (`at` $arena_offset^)? attr-dict `:` functional-type($inputs, $result)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    bool isSparse() { return getKernel() == KernelKind::sparse_binary; }
    /// The names of the attributes that are not parameters of the op kind.
    static ::llvm::ArrayRef<::llvm::StringRef> getNonParameterAttrNames();
  }];
}

#endif // SPARSEFLOW_DIALECT_PLAN_PLAN_TD
