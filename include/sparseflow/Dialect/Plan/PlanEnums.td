//===- PlanEnums.td - plan dialect enums -------------------*- tablegen -*-===//
//
// Part of SparseFlow.
//
// Apart from Plan.td, which also includes the spike dialect's enums (the op
// target), so that the enum generator emits the plan's alone.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEFLOW_DIALECT_PLAN_PLANENUMS_TD
#define SPARSEFLOW_DIALECT_PLAN_PLANENUMS_TD

include "mlir/IR/EnumAttr.td"

//===----------------------------------------------------------------------===//
// Enums
//===----------------------------------------------------------------------===//

// The values are the artifact schema's (formats/schema/sfa.fbs), checked by
// static_asserts in the artifact writer.
def Plan_Storage : I32EnumAttr<"Storage", "how a tensor's elements are stored", [
    I32EnumAttrCase<"f32", 0>,
    I32EnumAttrCase<"spikes", 1>
  ]> {
  let cppNamespace = "::sparseflow::plan";
  let genSpecializedAttr = 0;
}

def Plan_KernelKind : I32EnumAttr<"KernelKind", "the kernel that runs an op", [
    I32EnumAttrCase<"dense", 0>,
    I32EnumAttrCase<"sparse_binary", 1>
  ]> {
  let cppNamespace = "::sparseflow::plan";
  let genSpecializedAttr = 0;
}

def Plan_Layout : I32EnumAttr<"Layout", "how a constant's elements are ordered", [
    // As imported: row-major in the logical shape.
    I32EnumAttrCase<"as_is", 0>,
    // A 2-D [O, K] weight stored [K, O].
    I32EnumAttrCase<"transposed", 1>,
    // A conv weight [O, C/g, KH, KW] of g groups stored [C, KH, KW, O/g]
    // (input channel c's row: its group's outputs).
    I32EnumAttrCase<"chwo", 2>
  ]> {
  let cppNamespace = "::sparseflow::plan";
  let genSpecializedAttr = 0;
}

#endif // SPARSEFLOW_DIALECT_PLAN_PLANENUMS_TD
