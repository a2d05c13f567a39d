//===- sparseflow/format/spikecore_isa.h - the SpikeCore ISA ----*- C++ -*-===//
//
// Part of SparseFlow.
//
// The instructions of a SpikeCore neuron core, their binary encoding and
// their text form, shared by the compiler (code generation), the runtime
// (the simulator) and sf-asm. docs/spikecore-isa.md specifies them; this
// header and that document must agree.
//
// An instruction is a header word — opcode in bits 31..28, fields below —
// followed by 0 to 2 operand words; words are 32-bit little-endian. Bits a
// header does not define are reserved and must be zero.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEFLOW_FORMAT_SPIKECORE_ISA_H
#define SPARSEFLOW_FORMAT_SPIKECORE_ISA_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sparseflow::spikecore {

enum class Opcode : uint8_t {
  Nop = 0x0,  ///< nothing
  Acc = 0x1,  ///< per input event (a, p): V[i] += p * W[base + a*n + i]
  Leak = 0x2, ///< V[i] -= ((V[i] - vleak) * mul) >> shift
  Fire = 0x3, ///< threshold, emit, reset; or graded (ReLU) output
  Bias = 0x4, ///< V[i] += B[i], int32 at base + 4i
  Out = 0x5,  ///< read out V[i] (int32) to the host, then V[i] = 0
  Halt = 0xF, ///< end of the timestep's routine
};

enum class Reset : uint8_t { Hard = 0, Soft = 1, None = 2 };

/// A decoded instruction; the fields an opcode does not use are zero.
struct Instruction {
  Opcode opcode = Opcode::Nop;
  /// ACC, BIAS: byte address in the core's memory.
  uint32_t address = 0;
  /// LEAK, graded FIRE: fixed-point factor mul / 2^shift.
  int32_t mul = 0;
  uint8_t shift = 0;
  /// LEAK: the potential the membrane decays towards.
  int32_t vleak = 0;
  /// Spiking FIRE.
  int32_t threshold = 0;
  int32_t vreset = 0;
  Reset reset = Reset::Hard;
  bool greater = false; ///< fire on V > threshold instead of V >= threshold
  /// FIRE: graded (ReLU) output instead of spikes.
  bool graded = false;

  bool operator==(const Instruction &other) const;
  bool operator!=(const Instruction &other) const { return !(*this == other); }
};

/// Largest graded output value (an unsigned 8-bit payload).
constexpr int32_t kMaxPayload = 255;

/// Words `opcode` occupies, header included.
size_t instructionWords(Opcode opcode);

/// Appends the encoding of `inst` to `words`.
void encode(const Instruction &inst, std::vector<uint32_t> &words);

/// Decodes the instruction at words[pos] and advances pos past it. On a
/// malformed word (unknown opcode, reserved bits set, missing operand
/// words, out-of-range field) returns false with `error` naming the word.
bool decode(const uint32_t *words, size_t count, size_t &pos,
            Instruction &inst, std::string &error);

/// Text form, one instruction per line, e.g.
///   LEAK mul=3277 shift=15 vleak=0
///   ACC base=0x0
///   FIRE thr=1200 vreset=0 reset=hard cmp=ge
///   FIRE graded mul=77 shift=12
/// `;` starts a comment. On failure `error` gives the line, the column and
/// what is wrong.
bool assemble(std::string_view text, std::vector<uint32_t> &words,
              std::string &error);

/// The canonical text of one instruction (what assemble reads back).
std::string format(const Instruction &inst);

/// The canonical text of a whole stream; false with `error` on a malformed
/// stream.
bool disassemble(const uint32_t *words, size_t count, std::string &text,
                 std::string &error);

} // namespace sparseflow::spikecore

#endif // SPARSEFLOW_FORMAT_SPIKECORE_ISA_H
