//===- sparseflow/format/enums.h - enums both halves share ------*- C++ -*-===//
//
// Part of SparseFlow.
//
// The enumerations that cross from the compiler to the runtime, defined once
// with the numbers the artifact stores (formats/schema/sfa.fbs). The
// compiler's dialect enums, the runtime's C API enums, the SpikeCore ISA and
// the kernels use these; schema.h static_asserts every enumerator against
// the generated FlatBuffers enum of the same name and converts between them.
// No dependency: the ISA and the kernels include it without FlatBuffers.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEFLOW_FORMAT_ENUMS_H
#define SPARSEFLOW_FORMAT_ENUMS_H

#include <cstdint>

namespace sparseflow::format {

/// Where the compiler placed an op.
enum class Target : uint8_t { Host = 0, Gpu = 1, SpikeCore = 2 };

/// How the runtime turns the caller's input into the first layer's input
/// (docs/semantics.md).
enum class Encoding : uint8_t { Direct = 0, Rate = 1, Spikes = 2 };

/// How the per-step outputs are reduced over the T steps.
enum class Readout : uint8_t { Mean = 0, Sum = 1, Last = 2, All = 3 };

/// How a tensor's elements are stored: float32, or spikes packed over time
/// (one uint64 per neuron, bit t = step t).
enum class Storage : uint8_t { F32 = 0, PackedSpikes = 1 };

/// The kernel that runs an op.
enum class Kernel : uint8_t { Dense = 0, SparseBinary = 1 };

/// What a neuron's membrane does after it fires: back to v_reset (hard),
/// minus the threshold (soft), or nothing. Also the SpikeCore FIRE field.
enum class ResetMode : uint8_t { Hard = 0, Soft = 1, None = 2 };

/// Whether a neuron fires at V >= threshold or at V > threshold.
enum class FireMode : uint8_t { Ge = 0, Gt = 1 };

/// How a Pad fills the new elements.
enum class PadMode : uint8_t { Constant = 0, Reflect = 1, Edge = 2 };

/// The function of a Pointwise op.
enum class PointwiseFunction : uint8_t {
  Tanh = 0,
  LeakyRelu = 1,
  Clip = 2,
  Sqrt = 3
};

/// What a SpikeCore layer emits: spikes, graded (ReLU) payloads, or the
/// membranes read out as floats.
enum class SpikeCoreOutput : uint8_t { Spikes = 0, Graded = 1, Readout = 2 };

} // namespace sparseflow::format

#endif // SPARSEFLOW_FORMAT_ENUMS_H
