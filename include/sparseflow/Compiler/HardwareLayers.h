//===- HardwareLayers.h - the layers hardware models see --------*- C++ -*-===//
//
// Part of SparseFlow.
//
// The conv2d and linear layers of a partitioned module with the geometry
// accelerator models need: per-sample shapes, weights, multiply-accumulates
// and the weight tiles of the DRAM image. The DRAM image (docs/dram-format.md)
// and the cost model (docs/hardware-modelling.md) are both built from them.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEFLOW_COMPILER_HARDWARELAYERS_H
#define SPARSEFLOW_COMPILER_HARDWARELAYERS_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LogicalResult.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace sparseflow {

struct HardwareLayer {
  std::string name;
  mlir::Operation *op = nullptr;
  bool conv = false;
  /// Reads a spike train (the op is tagged spike_input).
  bool spikeInput = false;
  /// Its result feeds a LIF neuron, so what leaves the layer are spikes.
  bool spikingOutput = false;
  /// Per sample: the batch dimension is dropped.
  std::vector<int64_t> inputShape, outputShape;
  /// [O, I / groups, KH, KW]; linear [O, K, 1, 1].
  std::array<int64_t, 4> weightShape{};
  int64_t groups = 1;
  /// A conv's strides, [height, width].
  std::array<int64_t, 2> strides{1, 1};
  /// The zero-skip block size the compiler chose (0: none).
  int64_t blockSize = 0;
  /// Outputs and inputs per weight tile (see tileShape).
  std::array<int64_t, 2> tile{};
  int64_t inputNeurons = 0, outputNeurons = 0, weights = 0;
  /// Multiply-accumulates of one step for one sample, as a dense layer.
  int64_t macsPerStep = 0;
};

/// The conv2d and linear ops of `module` (tagged or partitioned stage) in
/// execution order. Reports ops whose shapes are not static.
mlir::FailureOr<std::vector<HardwareLayer>>
collectHardwareLayers(mlir::ModuleOp module);

/// The model's timesteps T.
int64_t getTimesteps(mlir::ModuleOp module);

/// Builds the DRAM spine image of the spike-consuming layers of `module`;
/// `image` is left empty when there are none. Reports non-constant weights
/// and T above 64 at the op or the module.
mlir::LogicalResult buildDramImage(mlir::ModuleOp module,
                                   std::vector<uint8_t> &image);

} // namespace sparseflow

#endif // SPARSEFLOW_COMPILER_HARDWARELAYERS_H
