//===- PlanSchema.h - the plan's enums as the artifact's ---------*- C++
//-*-===//
//
// Part of SparseFlow.
//
// The enums a plan carries into the artifact (the spike dialect's target,
// encoding, readout, reset and fire modes; the plan's storage and kernel; the
// SpikeCore output kind) are the shared enums of
// formats/include/sparseflow/format/enums.h, value for value, which
// format/schema.h ties to the FlatBuffers schema. Checked here once;
// `toSchema` converts through them.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEFLOW_DIALECT_PLAN_PLANSCHEMA_H
#define SPARSEFLOW_DIALECT_PLAN_PLANSCHEMA_H

#include "sparseflow/Dialect/Plan/PlanOps.h"
#include "sparseflow/Dialect/Spike/SpikeAttributes.h"
#include "sparseflow/Dialect/SpikeCore/SpikeCoreDialect.h"
#include "sparseflow/format/schema.h"

namespace sparseflow::plan {

#define SF_SAME_ENUM(IR, SCHEMA)                                               \
  static_assert(static_cast<int>(IR) == static_cast<int>(SCHEMA),              \
                #IR " must equal " #SCHEMA)
SF_SAME_ENUM(spike::Target::host, format::Target::Host);
SF_SAME_ENUM(spike::Target::gpu, format::Target::Gpu);
SF_SAME_ENUM(spike::Target::spikecore, format::Target::SpikeCore);
SF_SAME_ENUM(spike::Encoding::direct, format::Encoding::Direct);
SF_SAME_ENUM(spike::Encoding::rate, format::Encoding::Rate);
SF_SAME_ENUM(spike::Encoding::spikes, format::Encoding::Spikes);
SF_SAME_ENUM(spike::Readout::mean, format::Readout::Mean);
SF_SAME_ENUM(spike::Readout::sum, format::Readout::Sum);
SF_SAME_ENUM(spike::Readout::last, format::Readout::Last);
SF_SAME_ENUM(spike::Readout::all, format::Readout::All);
SF_SAME_ENUM(spike::ResetMode::hard, format::ResetMode::Hard);
SF_SAME_ENUM(spike::ResetMode::soft, format::ResetMode::Soft);
SF_SAME_ENUM(spike::ResetMode::none, format::ResetMode::None);
SF_SAME_ENUM(spike::FireMode::ge, format::FireMode::Ge);
SF_SAME_ENUM(spike::FireMode::gt, format::FireMode::Gt);
SF_SAME_ENUM(spike::PadMode::constant, format::PadMode::Constant);
SF_SAME_ENUM(spike::PadMode::reflect, format::PadMode::Reflect);
SF_SAME_ENUM(spike::PadMode::edge, format::PadMode::Edge);
SF_SAME_ENUM(plan::Storage::f32, format::Storage::F32);
SF_SAME_ENUM(plan::Storage::spikes, format::Storage::PackedSpikes);
SF_SAME_ENUM(plan::KernelKind::dense, format::Kernel::Dense);
SF_SAME_ENUM(plan::KernelKind::sparse_binary, format::Kernel::SparseBinary);
SF_SAME_ENUM(spikecore::OutputKind::spikes, format::SpikeCoreOutput::Spikes);
SF_SAME_ENUM(spikecore::OutputKind::graded, format::SpikeCoreOutput::Graded);
SF_SAME_ENUM(spikecore::OutputKind::readout, format::SpikeCoreOutput::Readout);
#undef SF_SAME_ENUM

/// An IR enum value as the schema's `E` (through the shared enum of the same
/// name, which the assertions above tie to the IR's).
template <typename E, typename IR> E toSchema(IR value) {
  using Shared = decltype(format::fromSchema(E{}));
  return format::toSchema(static_cast<Shared>(value));
}

} // namespace sparseflow::plan

#endif // SPARSEFLOW_DIALECT_PLAN_PLANSCHEMA_H
