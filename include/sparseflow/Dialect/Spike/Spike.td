//===- Spike.td - spike dialect umbrella -------------------*- tablegen -*-===//
//
// Part of SparseFlow.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEFLOW_DIALECT_SPIKE_SPIKE_TD
#define SPARSEFLOW_DIALECT_SPIKE_SPIKE_TD

include "sparseflow/Dialect/Spike/SpikeDialect.td"
include "sparseflow/Dialect/Spike/SpikeAttributes.td"
include "sparseflow/Dialect/Spike/SpikeTypes.td"
include "sparseflow/Dialect/Spike/SpikeOps.td"

#endif // SPARSEFLOW_DIALECT_SPIKE_SPIKE_TD
