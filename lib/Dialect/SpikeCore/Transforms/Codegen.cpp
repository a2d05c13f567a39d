//===- Codegen.cpp - core allocation and routines for SpikeCore layers ----===//
//
// Part of SparseFlow.
//
//===----------------------------------------------------------------------===//

#include "sparseflow/Dialect/SpikeCore/SpikeCorePasses.h"

#include "sparseflow/Dialect/Spike/SpikeTargets.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringExtras.h"

namespace sparseflow::spikecore {
#define GEN_PASS_DEF_SPIKECORECODEGEN
#include "sparseflow/Dialect/SpikeCore/SpikeCorePasses.h.inc"
} // namespace sparseflow::spikecore

using namespace mlir;
using namespace sparseflow;
using namespace sparseflow::spikecore;
using sparseflow::spike::SpikeCoreDescription;

namespace {

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

class SpikeCoreCodegenPass
    : public spikecore::impl::SpikeCoreCodegenBase<SpikeCoreCodegenPass> {
public:
  using SpikeCoreCodegenBase::SpikeCoreCodegenBase;
  void runOnOperation() override;

private:
  /// The most neurons of `layer` one core holds, or failure after naming
  /// the resource that cannot hold even one.
  FailureOr<int64_t> neuronsPerCoreLimit(LayerOp layer);
  void writeRoutine(LayerOp layer);

  SpikeCoreDescription target;
};

FailureOr<int64_t> SpikeCoreCodegenPass::neuronsPerCoreLimit(LayerOp layer) {
  const int64_t k = layer.getFanIn(), m = layer.getNeuronCount();
  const int64_t memory = target.weightMemoryBytesPerCore;
  auto error = [&]() {
    return layer.emitError() << "layer " << layer.getName() << ": ";
  };
  if (k > target.maxFanIn)
    return error() << k << " inputs exceed the fan-in limit of "
                   << target.maxFanIn << " per neuron";
  int64_t need = ceilDiv(k * m * target.weightBits, 8);
  if (need > target.cores * memory)
    return error() << k << " inputs x " << m << " neurons need " << need
                   << " B of weight memory; " << target.cores << " cores x "
                   << memory << " B = " << target.cores * memory
                   << " B available";
  if (layer.memoryBytes(1) > memory)
    return error() << "one neuron needs " << layer.memoryBytes(1)
                   << " B of core memory (" << k << " int8 weights"
                   << (layer.getBias() ? " + a 4 B bias" : "")
                   << "); a core has " << memory << " B";
  int64_t n = std::min({target.neuronsPerCore, m, memory / (k + 4)});
  while (n < target.neuronsPerCore && n < m && layer.memoryBytes(n + 1) <= memory)
    ++n;
  return std::max<int64_t>(n, 1);
}

void SpikeCoreCodegenPass::writeRoutine(LayerOp layer) {
  Region &routine = layer.getRoutine();
  routine.getBlocks().clear();
  OpBuilder builder = OpBuilder::atBlockBegin(&routine.emplaceBlock());
  Location loc = layer.getLoc();
  int64_t n = *layer.getNeuronsPerCore();
  if (layer.getOutput() == OutputKind::spikes && layer.getLeakMul() != 0)
    builder.create<LeakOp>(loc, layer.getLeakMul(), layer.getLeakShift(), 0);
  builder.create<AccOp>(loc, int64_t(0));
  if (layer.getBias())
    builder.create<BiasOp>(loc, LayerOp::biasOffset(layer.getFanIn(), n));
  switch (layer.getOutput()) {
  case OutputKind::spikes:
    builder.create<FireOp>(loc, layer.getThreshold(), layer.getVreset(),
                           layer.getReset(), layer.getGreater());
    break;
  case OutputKind::graded:
    builder.create<FireGradedOp>(loc, layer.getOutMul(), layer.getOutShift());
    break;
  case OutputKind::readout:
    builder.create<OutOp>(loc);
    break;
  }
  builder.create<HaltOp>(loc);
}

void SpikeCoreCodegenPass::runOnOperation() {
  ModuleOp module = getOperation();
  std::string error;
  std::optional<SpikeCoreDescription> loaded =
      SpikeCoreDescription::load(spikecoreConfig, error);
  if (!loaded) {
    module.emitError() << error;
    return signalPassFailure();
  }
  target = *loaded;

  SmallVector<LayerOp> layers;
  module.walk([&](LayerOp layer) { layers.push_back(layer); });
  if (layers.empty())
    return;

  // The fewest cores that hold each layer.
  SmallVector<int64_t> cores;
  for (LayerOp layer : layers) {
    FailureOr<int64_t> n = neuronsPerCoreLimit(layer);
    if (failed(n))
      return signalPassFailure();
    cores.push_back(ceilDiv(layer.getNeuronCount(), *n));
  }
  int64_t used = 0;
  for (int64_t c : cores)
    used += c;
  if (used > target.cores) {
    std::string list;
    for (auto [layer, c] : llvm::zip(layers, cores))
      list += (list.empty() ? "" : ", ") + layer.getName().str() + ": " +
              std::to_string(c);
    module.emitError() << "the SpikeCore layers need " << used
                       << " cores (" << list << ") but the target has "
                       << target.cores;
    return signalPassFailure();
  }
  // Spread the rest: a core's neurons share its datapath, so the layer with
  // the most neurons per core gets the next core.
  auto perCore = [&](size_t i) {
    return ceilDiv(layers[i].getNeuronCount(), cores[i]);
  };
  for (; used < target.cores; ++used) {
    size_t best = 0;
    for (size_t i = 1; i < layers.size(); ++i)
      if (perCore(i) > perCore(best))
        best = i;
    if (perCore(best) <= 1)
      break;
    ++cores[best];
  }

  int64_t next = 0;
  Builder builder(&getContext());
  for (auto [i, layer] : llvm::enumerate(layers)) {
    int64_t n = perCore(i);
    int64_t count = ceilDiv(layer.getNeuronCount(), n);
    layer.setFirstCore(next);
    layer.setCores(count);
    layer.setNeuronsPerCore(n);
    next += count;
    writeRoutine(layer);
  }
  module->setAttr(kTargetAttrName, builder.getStringAttr(target.toJSON()));
}

} // namespace
