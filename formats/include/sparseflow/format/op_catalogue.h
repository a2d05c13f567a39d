//===- sparseflow/format/op_catalogue.h - the op catalogue ------*- C++ -*-===//
//
// Part of SparseFlow.
//
// op_catalogue.def as a constexpr table indexed by sfa::OpKind, checked
// against the generated schema: one row per enumerator, in order, with the
// enumerator's number. The loader, the backends' kernel tables and the
// compiler's serialiser read it; SF_OP_IF helps expanding the .def into a
// table whose entries exist only where a column says 1.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEFLOW_FORMAT_OP_CATALOGUE_H
#define SPARSEFLOW_FORMAT_OP_CATALOGUE_H

#include "sparseflow/format/schema.h"

#include <cstddef>
#include <cstdint>
#include <iterator>

namespace sparseflow::format {

/// One row of op_catalogue.def.
struct OpInfo {
  sfa::OpKind kind;
  const char *name;
  /// Data inputs, then the constant operands that follow them.
  uint32_t inputsMin, inputsMax, constantsMin, constantsMax;
  /// The attributes the op carries (sfa::OpAttrs::NONE: none).
  sfa::OpAttrs attrs;
  bool dense, sparse;
  bool host, gpu, spikecore;

  constexpr uint32_t operandsMin() const { return inputsMin + constantsMin; }
  constexpr uint32_t operandsMax() const { return inputsMax + constantsMax; }
  constexpr bool hasKernel(sfa::Kernel kernel) const {
    return kernel == sfa::Kernel::Dense          ? dense
           : kernel == sfa::Kernel::SparseBinary ? sparse
                                                 : false;
  }
  /// Which inputs a SparseBinary kernel of this kind reads as packed spikes.
  enum class SparseInput {
    /// Input 0 (a conv or linear layer, plain or fused); the kernel needs
    /// the per-position spike lists of sparseScratchBytes.
    First,
    /// Input 0, and input 1 when it is packed too (a MatMul: spikes times
    /// spikes or times floats); its scratch is matMulSparseScratchBytes.
    Product,
    /// None: RecurrentLIF's sparse input is its own spikes of the previous
    /// step, kept per row by the kernel.
    Own,
  };
  constexpr SparseInput sparseInput() const {
    return kind == sfa::OpKind::MatMul         ? SparseInput::Product
           : kind == sfa::OpKind::RecurrentLIF ? SparseInput::Own
                                               : SparseInput::First;
  }
  constexpr bool runsOn(sfa::Target target) const {
    return target == sfa::Target::Host        ? host
           : target == sfa::Target::Gpu       ? gpu
           : target == sfa::Target::SpikeCore ? spikecore
                                              : false;
  }
};

inline constexpr OpInfo kOpCatalogue[] = {
#define SF_OP(Name, Value, InputsMin, InputsMax, ConstantsMin, ConstantsMax,   \
              Attrs, Dense, Sparse, Host, Gpu, SpikeCore)                      \
  {sfa::OpKind::Name,   #Name,        InputsMin,                               \
   InputsMax,           ConstantsMin, ConstantsMax,                            \
   sfa::OpAttrs::Attrs, Dense != 0,   Sparse != 0,                             \
   Host != 0,           Gpu != 0,     SpikeCore != 0},
#include "sparseflow/format/op_catalogue.def"
};

/// The number of op kinds; a table indexed by op kind has this many entries.
inline constexpr size_t kOpKindCount = std::size(kOpCatalogue);

static_assert(kOpKindCount == static_cast<size_t>(sfa::OpKind::MAX) + 1,
              "op_catalogue.def needs one row per sfa::OpKind");
#define SF_OP(Name, Value, ...)                                                \
  static_assert(static_cast<int>(sfa::OpKind::Name) == Value,                  \
                "op_catalogue.def: " #Name " has another number in sfa.fbs");  \
  static_assert(kOpCatalogue[Value].kind == sfa::OpKind::Name,                 \
                "op_catalogue.def: rows are in sfa::OpKind order");
#include "sparseflow/format/op_catalogue.def"

/// The row of `kind`, or null for a byte that names no op kind (plans are
/// untrusted).
constexpr const OpInfo *opInfo(sfa::OpKind kind) {
  size_t index = static_cast<size_t>(kind);
  return index < kOpKindCount ? &kOpCatalogue[index] : nullptr;
}

} // namespace sparseflow::format

/// `Yes` when `Flag` (a 0/1 column of op_catalogue.def) is 1, else `No`:
/// e.g. a backend's kernel table is
///   #define SF_OP(Name, V, I0, I1, C0, C1, A, D, S, Host, G, SC)
///     SF_OP_IF(Host, &run##Name, nullptr),
/// so the table names run<Op> exactly for the ops the catalogue says it has.
#define SF_OP_IF(Flag, Yes, No) SF_OP_IF_##Flag(Yes, No)
#define SF_OP_IF_1(Yes, No) Yes
#define SF_OP_IF_0(Yes, No) No

#endif // SPARSEFLOW_FORMAT_OP_CATALOGUE_H
