//===- SpikeTypes.td - spike dialect type constraints ------*- tablegen -*-===//
//
// Part of SparseFlow.
//
// The dialect defines no types of its own: spike trains are ranked tensors of
// `i1`, so that upstream tensor machinery applies to them unchanged, while the
// element type keeps them distinguishable from analog tensors.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEFLOW_DIALECT_SPIKE_SPIKETYPES_TD
#define SPARSEFLOW_DIALECT_SPIKE_SPIKETYPES_TD

include "mlir/IR/CommonTypeConstraints.td"

def Spike_SpikeTensor : AnyTypeOf<[RankedTensorOf<[I1]>],
    "spike tensor (ranked tensor of i1)", "::mlir::RankedTensorType">;

def Spike_FloatTensor : AnyTypeOf<[RankedTensorOf<[AnyFloat]>],
    "ranked tensor of floating-point values", "::mlir::RankedTensorType">;

def Spike_Tensor : AnyTypeOf<[RankedTensorOf<[I1, AnyFloat]>],
    "spike (i1) or floating-point ranked tensor", "::mlir::RankedTensorType">;

#endif // SPARSEFLOW_DIALECT_SPIKE_SPIKETYPES_TD
