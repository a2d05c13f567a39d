//===- OpDecode.h - plan attributes as kernel arguments ---------*- C++ -*-===//
//
// Part of SparseFlow.
//
// What the host and CUDA dispatchers both read off a plan op: window
// geometry, broadcast shapes, neuron parameters.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEFLOW_RUNTIME_CORE_OPDECODE_H
#define SPARSEFLOW_RUNTIME_CORE_OPDECODE_H

#include "backends/common/Neuron.h"
#include "backends/common/Pointwise.h"
#include "backends/common/Window2d.h"
#include "core/Model.h"

namespace sparseflow::runtime {

/// The Conv2d attributes of a Conv2d or a Conv2dLIF, or null.
const sfa::Conv2dAttrs *convAttrs(const sfa::Op &op);

/// The window of a Conv2d or Conv2dLIF (groups from its attributes) or a
/// pooling op (1).
Window2d windowOf(const sf_model_t &model, const OpDesc &op);

/// The float shape with its lead dimension, right-aligned to `rank` + 1.
void leadShape(const TensorDesc &t, size_t rank, int64_t *out);

/// The product of shape[begin, end).
int64_t product(const std::vector<int64_t> &shape, size_t begin, size_t end);

/// The geometry of a Pad or a Slice; a float tensor's T copies lead,
/// unpadded.
PadGeometry padOf(const sf_model_t &model, const OpDesc &op);

/// The geometry of a MatMul (its operands' and output's shapes).
MatMulGeometry matMulOf(const sf_model_t &model, const OpDesc &op);

/// MatMul operand `i` (0 or 1), its data at `data`: packed or float, and
/// its matrix count.
MatMulOperand matMulOperandOf(const sf_model_t &model, const OpDesc &op,
                              size_t i, const void *data);

/// A Pointwise op's function and parameters.
PointwiseParams pointwiseOf(const sfa::Op &op);

/// A LIF op's parameters, pointing into the plan.
LIFParams lifParams(const sfa::LIFAttrs &attrs);

/// A LIF op's input as [outer][channels][inner]: parameters are per
/// channel (dimension 1); rank < 2 has one channel.
void lifLayout(const TensorDesc &x, int64_t &outer, int64_t &channels,
               int64_t &inner);

} // namespace sparseflow::runtime

#endif // SPARSEFLOW_RUNTIME_CORE_OPDECODE_H
