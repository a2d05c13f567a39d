//===- SpikePipeline.h - the SparseFlow compilation pipeline ----*- C++ -*-===//
//
// Part of SparseFlow.
//
// The pipeline from imported spike IR to partitioned IR, shared by `sfc
// compile` and `sf-opt --spike-default-pipeline`. docs/passes.md describes
// the stages and their contracts.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEFLOW_COMPILER_SPIKEPIPELINE_H
#define SPARSEFLOW_COMPILER_SPIKEPIPELINE_H

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

#include <string>

namespace sparseflow {

/// The stages a compilation can stop after.
enum class PipelineStage {
  /// The importer's output, unchanged.
  Imported,
  /// Canonicalized, BatchNorm folded, spike consumers tagged with their
  /// block sizes.
  Tagged,
  /// Every op placed on a target and outlined into per-target functions.
  Partitioned,
  /// SpikeCore partitions quantized into spikecore.layer ops, allocated to
  /// cores, with their routines.
  SpikeCore,
  /// The execution plan (plan dialect): kernels chosen, weights arranged,
  /// the arena planned and verified.
  Plan,
};

struct SpikePipelineOptions
    : public mlir::PassPipelineOptions<SpikePipelineOptions> {
  ListOption<std::string> targets{
      *this, "targets",
      llvm::cl::desc("Targets in order of preference: host, gpu, spikecore "
                     "(default: host)")};
  Option<std::string> blockSize{
      *this, "block-size",
      llvm::cl::desc("auto (by feature-map size), or 0 / a power of two up "
                     "to 64 for every spike-consuming layer"),
      llvm::cl::init("auto")};
  Option<std::string> placement{
      *this, "placement",
      llvm::cl::desc("Placement file (JSON) overriding targets and block "
                     "sizes per op")};
  Option<std::string> spikecoreConfig{
      *this, "spikecore-config",
      llvm::cl::desc("SpikeCore target description (JSON)")};
  Option<bool> perChannel{
      *this, "per-channel",
      llvm::cl::desc("Quantize SpikeCore weights per output neuron"),
      llvm::cl::init(false)};
  Option<std::string> calibration{
      *this, "calibration",
      llvm::cl::desc("Model inputs (.npy) that calibrate graded SpikeCore "
                     "layers")};
  Option<bool> fuseNeurons{
      *this, "fuse-neurons",
      llvm::cl::desc("Run each host sparse conv2d/linear and the LIF neurons "
                     "it feeds as one kernel"),
      llvm::cl::init(true)};
  Option<bool> sparseKernels{
      *this, "sparse-kernels",
      llvm::cl::desc("Read spike inputs with the sparse kernels where the "
                     "target has one (false: dense kernels only)"),
      llvm::cl::init(true)};
};

/// Adds the passes that take imported spike IR to `last`, checking the
/// contract of every stage it reaches.
void buildSpikePipeline(mlir::OpPassManager &pm,
                        const SpikePipelineOptions &options,
                        PipelineStage last = PipelineStage::Plan);

/// Adds the SpikeCore stage alone (spike-quantize, spikecore-codegen), for
/// a module at the partitioned stage.
void buildSpikeCoreStage(mlir::OpPassManager &pm,
                         const SpikePipelineOptions &options);

/// Adds the plan stage alone (convert-spike-to-plan, plan-fuse-neurons,
/// plan-arrange-weights, plan-assign-arena, plan-verify), for a module at the
/// SpikeCore stage.
void buildPlanStage(mlir::OpPassManager &pm,
                    const SpikePipelineOptions &options);

/// Registers `spike-default-pipeline` (up to the SpikeCore stage),
/// `spike-plan-pipeline` (the plan stage) and the spike, spikecore and plan
/// passes for mlir-opt style tools.
void registerSpikePipelines();

} // namespace sparseflow

#endif // SPARSEFLOW_COMPILER_SPIKEPIPELINE_H
