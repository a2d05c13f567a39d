//===- SpikeCoreIsaTest.cpp - SpikeCore encoding and assembly text --------===//
//
// Part of SparseFlow.
//
// Every instruction form round-trips through encode/decode and through
// format/assemble; every malformed word and line is rejected with a message
// that names where it is.
//
//===----------------------------------------------------------------------===//

#include "sparseflow/format/spikecore_isa.h"

#include <gtest/gtest.h>

#include <iterator>
#include <random>

using namespace sparseflow::spikecore;

namespace {

Instruction randomInstruction(std::mt19937 &rng) {
  static const Opcode opcodes[] = {Opcode::Nop,  Opcode::Acc, Opcode::Leak,
                                   Opcode::Fire, Opcode::Bias, Opcode::Out,
                                   Opcode::Halt};
  std::uniform_int_distribution<int32_t> any(INT32_MIN, INT32_MAX);
  Instruction inst;
  inst.opcode = opcodes[rng() % std::size(opcodes)];
  switch (inst.opcode) {
  case Opcode::Nop:
  case Opcode::Out:
  case Opcode::Halt:
    break;
  case Opcode::Acc:
    inst.address = rng();
    break;
  case Opcode::Bias:
    inst.address = rng() & ~3u;
    break;
  case Opcode::Leak:
    inst.mul = any(rng);
    inst.shift = rng() % 32;
    inst.vleak = any(rng);
    break;
  case Opcode::Fire:
    inst.graded = rng() % 2;
    if (inst.graded) {
      inst.mul = any(rng);
      inst.shift = rng() % 32;
    } else {
      inst.threshold = any(rng);
      inst.vreset = any(rng);
      inst.reset = static_cast<Reset>(rng() % 3);
      inst.greater = rng() % 2;
    }
    break;
  }
  return inst;
}

std::string decodeError(std::vector<uint32_t> words) {
  size_t pos = 0;
  Instruction inst;
  std::string error;
  EXPECT_FALSE(decode(words.data(), words.size(), pos, inst, error));
  return error;
}

std::string assembleError(const char *text) {
  std::vector<uint32_t> words;
  std::string error;
  EXPECT_FALSE(assemble(text, words, error)) << text;
  return error;
}

} // namespace

TEST(SpikeCoreIsa, EncodeDecodeAndTextRoundTrip) {
  std::mt19937 rng(11);
  for (int i = 0; i < 2000; ++i) {
    Instruction inst = randomInstruction(rng);
    std::vector<uint32_t> words;
    encode(inst, words);
    ASSERT_EQ(words.size(), instructionWords(inst.opcode));
    size_t pos = 0;
    Instruction decoded;
    std::string error;
    ASSERT_TRUE(decode(words.data(), words.size(), pos, decoded, error))
        << error;
    EXPECT_EQ(pos, words.size());
    EXPECT_EQ(decoded, inst) << format(inst) << " vs " << format(decoded);

    std::vector<uint32_t> reassembled;
    ASSERT_TRUE(assemble(format(inst), reassembled, error)) << error;
    EXPECT_EQ(reassembled, words) << format(inst);
  }
}

TEST(SpikeCoreIsa, KnownEncodings) {
  std::vector<uint32_t> words;
  std::string error;
  ASSERT_TRUE(assemble("LEAK mul=3277 shift=15 vleak=-2\n"
                       "ACC base=0x40  ; weights of core 0\n"
                       "bias base=256\n"
                       "FIRE thr=1200, reset=soft, cmp=gt\n"
                       "FIRE graded mul=77 shift=12\n"
                       "\n"
                       "NOP\nHALT\n",
                       words, error))
      << error;
  std::vector<uint32_t> expected = {
      0x2000000F, 3277,       0xFFFFFFFE, // LEAK
      0x10000000, 0x40,                   // ACC
      0x40000000, 256,                    // BIAS
      0x30000005, 1200,       0,          // FIRE soft (1) | gt (4)
      0x300000C8, 77,         0,          // FIRE graded (8) | shift 12 << 4
      0x00000000, 0xF0000000};
  EXPECT_EQ(words, expected);
  std::string text;
  ASSERT_TRUE(disassemble(words.data(), words.size(), text, error)) << error;
  EXPECT_EQ(text, "LEAK mul=3277 shift=15 vleak=-2\n"
                  "ACC base=0x40\n"
                  "BIAS base=0x100\n"
                  "FIRE thr=1200 vreset=0 reset=soft cmp=gt\n"
                  "FIRE graded mul=77 shift=12\n"
                  "NOP\n"
                  "HALT\n");
}

TEST(SpikeCoreIsa, MalformedWordsAreRejected) {
  EXPECT_EQ(decodeError({0x70000000}),
            "word 0 (byte offset 0): unknown opcode 0x7 in 0x70000000");
  EXPECT_EQ(decodeError({0x10000000}),
            "word 0 (byte offset 0): ACC needs 1 operand word(s), the "
            "stream has 0");
  EXPECT_EQ(decodeError({0x00000001}),
            "word 0 (byte offset 0): reserved bits set in NOP header "
            "0x00000001 (mask 0x0000001)");
  EXPECT_EQ(decodeError({0x20000020, 1, 0}),
            "word 0 (byte offset 0): reserved bits set in LEAK header "
            "0x20000020 (mask 0x0000020)");
  EXPECT_EQ(decodeError({0x30000003, 1, 0}),
            "word 0 (byte offset 0): FIRE reset mode 3 is not defined");
  EXPECT_EQ(decodeError({0x30000008, 1, 5}),
            "word 0 (byte offset 0): graded FIRE's second operand word is "
            "reserved and must be 0, found 0x00000005");
  EXPECT_EQ(decodeError({0x40000000, 6}),
            "word 0 (byte offset 0): BIAS address 0x6 is not a multiple of 4");

  // The position names the bad word, not the stream's start.
  std::vector<uint32_t> words = {0x00000000, 0x10000000, 8, 0xE0000000};
  std::string text, error;
  EXPECT_FALSE(disassemble(words.data(), words.size(), text, error));
  EXPECT_EQ(error, "word 3 (byte offset 12): unknown opcode 0xE in 0xE0000000");
}

TEST(SpikeCoreIsa, MalformedTextIsRejected) {
  EXPECT_EQ(assembleError("NOP\n  ACCX base=0\n"),
            "line 2, column 3: unknown mnemonic 'ACCX' (expected NOP, ACC, "
            "LEAK, FIRE, BIAS, OUT or HALT)");
  EXPECT_EQ(assembleError("ACC\n"), "line 1, column 1: missing operand base=");
  EXPECT_EQ(assembleError("LEAK mul=1 shift=32 vleak=0"),
            "line 1, column 12: shift=32 is not an integer in [0, 31]");
  EXPECT_EQ(assembleError("FIRE thr=2147483648"),
            "line 1, column 6: thr=2147483648 is not an integer in "
            "[-2147483648, 2147483647]");
  EXPECT_EQ(assembleError("FIRE thr=1 reset=sometimes"),
            "line 1, column 12: reset must be hard, soft or none");
  EXPECT_EQ(assembleError("FIRE thr=1 cmp=lt"),
            "line 1, column 12: cmp must be ge or gt");
  EXPECT_EQ(assembleError("HALT now"),
            "line 1, column 6: unexpected operand 'now' for HALT");
  EXPECT_EQ(assembleError("ACC base=1 base=2"),
            "line 1, column 5: operand base repeated");
  EXPECT_EQ(assembleError("FIRE thr=1 reset=hard reset=soft"),
            "line 1, column 12: operand reset repeated");
  EXPECT_EQ(assembleError("BIAS base=2"),
            "line 1, column 6: BIAS base must be a multiple of 4");
  EXPECT_EQ(assembleError("ACC base=0x1G"),
            "line 1, column 5: base=0x1G is not an integer in [0, "
            "4294967295]");
}
