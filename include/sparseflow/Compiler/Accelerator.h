//===- Accelerator.h - accelerator descriptions for the cost model -*- C++
//-*-===//
//
// Part of SparseFlow.
//
// An accelerator in the vocabulary of ZigZag's accelerator files: memory
// levels (size, bandwidth, access energy, ports, the operands they hold and
// the PE-array dimensions one instance serves) and a PE array
// (docs/hardware-modelling.md).
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEFLOW_COMPILER_ACCELERATOR_H
#define SPARSEFLOW_COMPILER_ACCELERATOR_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sparseflow::hw {

/// ZigZag's operand names: I1 the input activations, I2 the weights, O the
/// outputs (partial sums, then the layer's result).
enum Operand { I1 = 0, I2 = 1, O = 2 };
constexpr size_t kOperands = 3;
llvm::StringRef operandName(Operand operand);
/// "inputs", "weights", "outputs".
llvm::StringRef operandMeaning(Operand operand);

/// One memory level. Every figure is one instance's, as in ZigZag: a level
/// whose instance serves fewer PE-array dimensions than the array has is
/// replicated `instances` times, each with this size, bandwidth and access
/// energy.
struct MemoryLevel {
  std::string name;
  int64_t instances = 1;
  /// Per array dimension: whether one instance spans it.
  std::vector<bool> serves;
  double sizeBits = 0;
  /// Bits per cycle.
  double readBandwidth = 0, writeBandwidth = 0;
  /// The smallest access (ZigZag's bandwidth_min); a smaller transfer costs
  /// this much of an access of the full bandwidth.
  double readGranularity = 0, writeGranularity = 0;
  /// pJ per access of readBandwidth / writeBandwidth bits.
  double readCost = 0, writeCost = 0;
  double latency = 0;
  /// Ports (ZigZag's r_port, w_port, rw_port counts).
  int64_t readPorts = 1, writePorts = 1, readWritePorts = 0;
  std::array<bool, kOperands> holds{};

  bool readable() const { return readPorts + readWritePorts > 0; }
  bool writable() const { return writePorts + readWritePorts > 0; }
  /// Reads and writes take turns on one read-write port.
  bool sharedPort() const { return readPorts == 0 && writePorts == 0; }
};

struct Accelerator {
  std::string name;
  /// Innermost first, as in ZigZag files.
  std::vector<MemoryLevel> levels;
  /// pJ per operation (an accumulate or a neuron update).
  double unitEnergy = 0;
  /// The PE array's dimensions, e.g. D1..D4, and their sizes.
  std::vector<std::string> dimensions;
  std::vector<int64_t> sizes;
  int64_t processingElements = 1;
  /// Bits of a weight (I2), of a partial sum (O) and of a graded input
  /// value (I1 that is not spikes). `operand_precision` sets them.
  double weightBits = 8, psumBits = 16, inputBits = 8;

  /// Parses an accelerator file; errors go to `errors` with the file, line
  /// and column of the offending key (`name` names the buffer). Warnings
  /// (a level listed below a smaller one) go there too and do not fail.
  static std::optional<Accelerator>
  parse(llvm::StringRef yaml, llvm::StringRef name, llvm::raw_ostream &errors);
  /// The levels holding `operand`, innermost first.
  std::vector<size_t> chain(Operand operand) const;
};

} // namespace sparseflow::hw

#endif // SPARSEFLOW_COMPILER_ACCELERATOR_H
