//===- SpikePipeline.cpp - the SparseFlow compilation pipeline ------------===//
//
// Part of SparseFlow.
//
//===----------------------------------------------------------------------===//

#include "sparseflow/Compiler/SpikePipeline.h"

#include "sparseflow/Dialect/Plan/PlanPasses.h"
#include "sparseflow/Dialect/Spike/SpikePasses.h"
#include "sparseflow/Dialect/SpikeCore/SpikeCorePasses.h"

#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace sparseflow;

void sparseflow::buildSpikePipeline(OpPassManager &pm,
                                    const SpikePipelineOptions &options,
                                    PipelineStage last) {
  if (last == PipelineStage::Imported)
    return;

  pm.addPass(createCanonicalizerPass());
  pm.addPass(spike::createSpikeFoldBatchNorm());
  pm.addPass(spike::createSpikeReassociateProducts());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(spike::createSpikeTagLIFSuccessors());
  spike::SpikeSelectBlockSizeOptions blockOptions;
  blockOptions.blockSize = options.blockSize;
  blockOptions.placementFile = options.placement;
  pm.addPass(spike::createSpikeSelectBlockSize(blockOptions));
  pm.addPass(spike::createSpikeVerifyStage({/*stage=*/"tagged",
                                            /*spikecoreConfig=*/""}));
  if (last == PipelineStage::Tagged)
    return;

  spike::SpikePartitionOptions partitionOptions;
  partitionOptions.targets = options.targets;
  partitionOptions.placementFile = options.placement;
  partitionOptions.spikecoreConfig = options.spikecoreConfig;
  pm.addPass(spike::createSpikePartition(partitionOptions));
  pm.addPass(spike::createSpikeVerifyStage(
      {/*stage=*/"partitioned", /*spikecoreConfig=*/options.spikecoreConfig}));
  if (last == PipelineStage::Partitioned)
    return;
  buildSpikeCoreStage(pm, options);
  if (last == PipelineStage::SpikeCore)
    return;
  buildPlanStage(pm, options);
}

void sparseflow::buildSpikeCoreStage(OpPassManager &pm,
                                     const SpikePipelineOptions &options) {
  pm.addPass(spikecore::createSpikeQuantize(
      {/*perChannel=*/options.perChannel, /*calibration=*/options.calibration}));
  pm.addPass(spikecore::createSpikeCoreCodegen({options.spikecoreConfig}));
}

void sparseflow::buildPlanStage(OpPassManager &pm,
                                const SpikePipelineOptions &options) {
  pm.addPass(plan::createConvertSpikeToPlan({options.sparseKernels}));
  if (options.fuseNeurons)
    pm.addPass(plan::createPlanFuseNeurons());
  pm.addPass(plan::createPlanArrangeWeights());
  pm.addPass(plan::createPlanAssignArena());
  pm.addPass(plan::createPlanVerify());
}

void sparseflow::registerSpikePipelines() {
  spike::registerSpikePasses();
  spikecore::registerSpikeCorePasses();
  plan::registerPlanPasses();
  PassPipelineRegistration<SpikePipelineOptions>(
      "spike-default-pipeline",
      "Canonicalize, fold BatchNorm, tag spike consumers, choose block sizes, "
      "partition between targets, quantize and allocate SpikeCore layers",
      [](OpPassManager &pm, const SpikePipelineOptions &options) {
        buildSpikePipeline(pm, options, PipelineStage::SpikeCore);
      });
  PassPipelineRegistration<SpikePipelineOptions>(
      "spike-plan-pipeline",
      "Lower a module at the SpikeCore stage to a verified execution plan: "
      "choose kernels, arrange weights, plan the arena",
      [](OpPassManager &pm, const SpikePipelineOptions &options) {
        buildPlanStage(pm, options);
      });
}
