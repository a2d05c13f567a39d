//===- sparseflow/format/schema.h - the plan schema, checked ----*- C++ -*-===//
//
// Part of SparseFlow.
//
// The generated FlatBuffers header of formats/schema/sfa.fbs, tied to the
// shared enums of enums.h: every enumerator is static_asserted to have the
// same number in both, and each schema enum to have no enumerator enums.h
// lacks. Code that reads or writes a plan includes this header and converts
// with fromSchema / toSchema instead of casting.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEFLOW_FORMAT_SCHEMA_H
#define SPARSEFLOW_FORMAT_SCHEMA_H

#include "sparseflow/format/enums.h"
#include "sparseflow/format/sfa_generated.h"

#include <type_traits>

namespace sparseflow::format {

#define SF_SCHEMA_ENUM(Enum, Last, ...)                                        \
  static_assert(sfa::Enum::MIN == sfa::Enum(0) &&                              \
                    sfa::Enum::MAX == sfa::Enum::Last,                         \
                "sfa::" #Enum " has enumerators enums.h lacks");               \
  static_assert(std::is_same_v<std::underlying_type_t<sfa::Enum>,              \
                               std::underlying_type_t<Enum>>,                  \
                #Enum " is stored as one byte");                               \
  constexpr Enum fromSchema(sfa::Enum value) {                                 \
    return static_cast<Enum>(value);                                           \
  }                                                                            \
  constexpr sfa::Enum toSchema(Enum value) {                                   \
    return static_cast<sfa::Enum>(value);                                      \
  }                                                                            \
  /** Whether a stored byte names an enumerator (plans are untrusted). */      \
  constexpr bool isKnown(sfa::Enum value) { return value <= sfa::Enum::MAX; }
#define SF_SCHEMA_ENUMERATOR(Enum, Name)                                       \
  static_assert(static_cast<int>(Enum::Name) ==                                \
                    static_cast<int>(sfa::Enum::Name),                         \
                #Enum "::" #Name " differs between enums.h and sfa.fbs");

SF_SCHEMA_ENUM(Target, SpikeCore)
SF_SCHEMA_ENUMERATOR(Target, Host)
SF_SCHEMA_ENUMERATOR(Target, Gpu)
SF_SCHEMA_ENUMERATOR(Target, SpikeCore)

SF_SCHEMA_ENUM(Encoding, Spikes)
SF_SCHEMA_ENUMERATOR(Encoding, Direct)
SF_SCHEMA_ENUMERATOR(Encoding, Rate)
SF_SCHEMA_ENUMERATOR(Encoding, Spikes)

SF_SCHEMA_ENUM(Readout, All)
SF_SCHEMA_ENUMERATOR(Readout, Mean)
SF_SCHEMA_ENUMERATOR(Readout, Sum)
SF_SCHEMA_ENUMERATOR(Readout, Last)
SF_SCHEMA_ENUMERATOR(Readout, All)

SF_SCHEMA_ENUM(Storage, PackedSpikes)
SF_SCHEMA_ENUMERATOR(Storage, F32)
SF_SCHEMA_ENUMERATOR(Storage, PackedSpikes)

SF_SCHEMA_ENUM(Kernel, SparseBinary)
SF_SCHEMA_ENUMERATOR(Kernel, Dense)
SF_SCHEMA_ENUMERATOR(Kernel, SparseBinary)

SF_SCHEMA_ENUM(ResetMode, None)
SF_SCHEMA_ENUMERATOR(ResetMode, Hard)
SF_SCHEMA_ENUMERATOR(ResetMode, Soft)
SF_SCHEMA_ENUMERATOR(ResetMode, None)

SF_SCHEMA_ENUM(FireMode, Gt)
SF_SCHEMA_ENUMERATOR(FireMode, Ge)
SF_SCHEMA_ENUMERATOR(FireMode, Gt)

SF_SCHEMA_ENUM(PadMode, Edge)
SF_SCHEMA_ENUMERATOR(PadMode, Constant)
SF_SCHEMA_ENUMERATOR(PadMode, Reflect)
SF_SCHEMA_ENUMERATOR(PadMode, Edge)

SF_SCHEMA_ENUM(PointwiseFunction, Sqrt)
SF_SCHEMA_ENUMERATOR(PointwiseFunction, Tanh)
SF_SCHEMA_ENUMERATOR(PointwiseFunction, LeakyRelu)
SF_SCHEMA_ENUMERATOR(PointwiseFunction, Clip)
SF_SCHEMA_ENUMERATOR(PointwiseFunction, Sqrt)

SF_SCHEMA_ENUM(SpikeCoreOutput, Readout)
SF_SCHEMA_ENUMERATOR(SpikeCoreOutput, Spikes)
SF_SCHEMA_ENUMERATOR(SpikeCoreOutput, Graded)
SF_SCHEMA_ENUMERATOR(SpikeCoreOutput, Readout)

#undef SF_SCHEMA_ENUM
#undef SF_SCHEMA_ENUMERATOR

} // namespace sparseflow::format

#endif // SPARSEFLOW_FORMAT_SCHEMA_H
