//===- Isa.cpp - SpikeCore encoding, decoding, assembly text -------------===//
//
// Part of SparseFlow.
//
//===----------------------------------------------------------------------===//

#include "sparseflow/format/spikecore_isa.h"

#include "sparseflow/format/formatted.h"

#include <cctype>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>

using namespace sparseflow::spikecore;
using sparseflow::formatted;

namespace {

constexpr uint32_t kOpcodeShift = 28;
constexpr uint32_t kShiftMask = 0x1F;
// FIRE header fields.
constexpr uint32_t kResetMask = 0x3;
constexpr uint32_t kGreaterBit = 1u << 2;
constexpr uint32_t kGradedBit = 1u << 3;
constexpr uint32_t kGradedShiftPos = 4;


const char *mnemonic(Opcode opcode) {
  switch (opcode) {
  case Opcode::Nop: return "NOP";
  case Opcode::Acc: return "ACC";
  case Opcode::Leak: return "LEAK";
  case Opcode::Fire: return "FIRE";
  case Opcode::Bias: return "BIAS";
  case Opcode::Out: return "OUT";
  case Opcode::Halt: return "HALT";
  }
  return "?";
}

const char *resetName(Reset reset) {
  switch (reset) {
  case Reset::Hard: return "hard";
  case Reset::Soft: return "soft";
  case Reset::None: return "none";
  }
  return "?";
}

std::optional<Opcode> opcodeOf(uint32_t value) {
  switch (value) {
  case 0x0: return Opcode::Nop;
  case 0x1: return Opcode::Acc;
  case 0x2: return Opcode::Leak;
  case 0x3: return Opcode::Fire;
  case 0x4: return Opcode::Bias;
  case 0x5: return Opcode::Out;
  case 0xF: return Opcode::Halt;
  default: return std::nullopt;
  }
}

} // namespace

bool Instruction::operator==(const Instruction &o) const {
  return opcode == o.opcode && address == o.address && mul == o.mul &&
         shift == o.shift && vleak == o.vleak && threshold == o.threshold &&
         vreset == o.vreset && reset == o.reset && greater == o.greater &&
         graded == o.graded;
}

size_t sparseflow::spikecore::instructionWords(Opcode opcode) {
  switch (opcode) {
  case Opcode::Nop:
  case Opcode::Out:
  case Opcode::Halt:
    return 1;
  case Opcode::Acc:
  case Opcode::Bias:
    return 2;
  case Opcode::Leak:
  case Opcode::Fire:
    return 3;
  }
  return 1;
}

void sparseflow::spikecore::encode(const Instruction &inst,
                                   std::vector<uint32_t> &words) {
  uint32_t header = static_cast<uint32_t>(inst.opcode) << kOpcodeShift;
  switch (inst.opcode) {
  case Opcode::Nop:
  case Opcode::Out:
  case Opcode::Halt:
    words.push_back(header);
    return;
  case Opcode::Acc:
  case Opcode::Bias:
    words.push_back(header);
    words.push_back(inst.address);
    return;
  case Opcode::Leak:
    words.push_back(header | (inst.shift & kShiftMask));
    words.push_back(static_cast<uint32_t>(inst.mul));
    words.push_back(static_cast<uint32_t>(inst.vleak));
    return;
  case Opcode::Fire:
    if (inst.graded) {
      words.push_back(header | kGradedBit |
                      (inst.shift & kShiftMask) << kGradedShiftPos);
      words.push_back(static_cast<uint32_t>(inst.mul));
      words.push_back(0);
    } else {
      words.push_back(header | static_cast<uint32_t>(inst.reset) |
                      (inst.greater ? kGreaterBit : 0));
      words.push_back(static_cast<uint32_t>(inst.threshold));
      words.push_back(static_cast<uint32_t>(inst.vreset));
    }
    return;
  }
}

bool sparseflow::spikecore::decode(const uint32_t *words, size_t count,
                                   size_t &pos, Instruction &inst,
                                   std::string &error) {
  const size_t at = pos;
  auto fail = [&](const std::string &what) {
    error = formatted("word %zu (byte offset %zu): ", at, at * 4) + what;
    return false;
  };
  if (pos >= count)
    return fail("past the end of the stream");
  const uint32_t header = words[pos];
  std::optional<Opcode> opcode = opcodeOf(header >> kOpcodeShift);
  if (!opcode)
    return fail(formatted("unknown opcode 0x%X in 0x%08" PRIX32,
                          header >> kOpcodeShift, header));
  const size_t length = instructionWords(*opcode);
  if (count - pos < length)
    return fail(formatted("%s needs %zu operand word(s), the stream has %zu",
                          mnemonic(*opcode), length - 1, count - pos - 1));
  const uint32_t fields = header & ((1u << kOpcodeShift) - 1);
  uint32_t allowed = 0;
  inst = Instruction{};
  inst.opcode = *opcode;
  switch (*opcode) {
  case Opcode::Nop:
  case Opcode::Out:
  case Opcode::Halt:
    break;
  case Opcode::Acc:
  case Opcode::Bias:
    inst.address = words[pos + 1];
    if (*opcode == Opcode::Bias && inst.address % 4)
      return fail(formatted("BIAS address 0x%" PRIX32
                            " is not a multiple of 4",
                            inst.address));
    break;
  case Opcode::Leak:
    allowed = kShiftMask;
    inst.shift = fields & kShiftMask;
    inst.mul = static_cast<int32_t>(words[pos + 1]);
    inst.vleak = static_cast<int32_t>(words[pos + 2]);
    break;
  case Opcode::Fire:
    if (fields & kGradedBit) {
      allowed = kGradedBit | kShiftMask << kGradedShiftPos;
      inst.graded = true;
      inst.shift = (fields >> kGradedShiftPos) & kShiftMask;
      inst.mul = static_cast<int32_t>(words[pos + 1]);
      if (words[pos + 2] != 0)
        return fail(formatted("graded FIRE's second operand word is "
                              "reserved and must be 0, found 0x%08" PRIX32,
                              words[pos + 2]));
    } else {
      allowed = kResetMask | kGreaterBit;
      if ((fields & kResetMask) == 3)
        return fail("FIRE reset mode 3 is not defined");
      inst.reset = static_cast<Reset>(fields & kResetMask);
      inst.greater = fields & kGreaterBit;
      inst.threshold = static_cast<int32_t>(words[pos + 1]);
      inst.vreset = static_cast<int32_t>(words[pos + 2]);
    }
    break;
  }
  if (fields & ~allowed)
    return fail(formatted("reserved bits set in %s header 0x%08" PRIX32
                          " (mask 0x%07" PRIX32 ")",
                          mnemonic(*opcode), header, fields & ~allowed));
  pos += length;
  return true;
}

std::string sparseflow::spikecore::format(const Instruction &inst) {
  switch (inst.opcode) {
  case Opcode::Nop:
  case Opcode::Out:
  case Opcode::Halt:
    return mnemonic(inst.opcode);
  case Opcode::Acc:
  case Opcode::Bias:
    return formatted("%s base=0x%" PRIX32, mnemonic(inst.opcode),
                     inst.address);
  case Opcode::Leak:
    return formatted("LEAK mul=%" PRId32 " shift=%u vleak=%" PRId32, inst.mul,
                     unsigned{inst.shift}, inst.vleak);
  case Opcode::Fire:
    if (inst.graded)
      return formatted("FIRE graded mul=%" PRId32 " shift=%u", inst.mul,
                       unsigned{inst.shift});
    return formatted("FIRE thr=%" PRId32 " vreset=%" PRId32
                     " reset=%s cmp=%s",
                     inst.threshold, inst.vreset, resetName(inst.reset),
                     inst.greater ? "gt" : "ge");
  }
  return "?";
}

bool sparseflow::spikecore::disassemble(const uint32_t *words, size_t count,
                                        std::string &text,
                                        std::string &error) {
  text.clear();
  for (size_t pos = 0; pos < count;) {
    Instruction inst;
    if (!decode(words, count, pos, inst, error))
      return false;
    text += format(inst);
    text += '\n';
  }
  return true;
}

// --- Assembler ------------------------------------------------------------------

namespace {

/// One line's tokens: `word` or `key=value`, separated by blanks or commas.
struct Token {
  std::string_view key, value; // value empty for a bare word
  size_t column;               // 1-based
};

std::vector<Token> tokenize(std::string_view line) {
  std::vector<Token> tokens;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (std::isspace(static_cast<unsigned char>(line[i])) ||
                               line[i] == ','))
      ++i;
    if (i == line.size())
      break;
    size_t start = i;
    while (i < line.size() && !std::isspace(static_cast<unsigned char>(line[i])) &&
           line[i] != ',')
      ++i;
    std::string_view word = line.substr(start, i - start);
    size_t eq = word.find('=');
    if (eq == std::string_view::npos)
      tokens.push_back({word, {}, start + 1});
    else
      tokens.push_back({word.substr(0, eq), word.substr(eq + 1), start + 1});
  }
  return tokens;
}

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size())
    return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::toupper(static_cast<unsigned char>(a[i])) !=
        std::toupper(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

/// A decimal (optionally signed) or 0x-hexadecimal integer.
std::optional<int64_t> parseInteger(std::string_view text) {
  if (text.empty() || text.size() > 24)
    return std::nullopt;
  std::string s(text);
  const char *begin = s.c_str();
  char *end = nullptr;
  errno = 0;
  long long value;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    unsigned long long u = std::strtoull(begin + 2, &end, 16);
    if (u > 0xFFFFFFFFull)
      return std::nullopt;
    value = static_cast<long long>(u);
  } else {
    value = std::strtoll(begin, &end, 10);
  }
  if (errno || end == begin || *end)
    return std::nullopt;
  return value;
}

/// Parses one instruction's operands against what its opcode takes.
class LineParser {
public:
  LineParser(size_t line, std::string &error) : line(line), error(error) {}

  bool parse(const std::vector<Token> &tokens, Instruction &inst) {
    const Token &head = tokens.front();
    static const Opcode all[] = {Opcode::Nop,  Opcode::Acc, Opcode::Leak,
                                 Opcode::Fire, Opcode::Bias, Opcode::Out,
                                 Opcode::Halt};
    bool known = false;
    for (Opcode opcode : all)
      if (!head.value.data() && equalsIgnoreCase(head.key, mnemonic(opcode))) {
        inst.opcode = opcode;
        known = true;
      }
    if (!known)
      return fail(head.column, "unknown mnemonic '" + std::string(head.key) +
                                   "' (expected NOP, ACC, LEAK, FIRE, BIAS, "
                                   "OUT or HALT)");
    for (size_t i = 1; i < tokens.size(); ++i) {
      if (const Token *earlier = find(tokens[i].key))
        return fail(earlier->column,
                    "operand " + std::string(tokens[i].key) + " repeated");
      operands.push_back(tokens[i]);
    }
    switch (inst.opcode) {
    case Opcode::Nop:
    case Opcode::Out:
    case Opcode::Halt:
      break;
    case Opcode::Acc:
    case Opcode::Bias: {
      int64_t address;
      const size_t column = has("base") ? columnOf("base") : 1;
      if (!take("base", 0, 0xFFFFFFFFll, address))
        return false;
      if (inst.opcode == Opcode::Bias && address % 4)
        return fail(column, "BIAS base must be a multiple of 4");
      inst.address = static_cast<uint32_t>(address);
      break;
    }
    case Opcode::Leak:
      if (!takeInt32("mul", inst.mul) || !takeShift(inst.shift) ||
          !takeInt32("vleak", inst.vleak))
        return false;
      break;
    case Opcode::Fire:
      inst.graded = takeFlag("graded");
      if (inst.graded) {
        if (!takeInt32("mul", inst.mul) || !takeShift(inst.shift))
          return false;
        break;
      }
      if (!takeInt32("thr", inst.threshold))
        return false;
      if (has("vreset") && !takeInt32("vreset", inst.vreset))
        return false;
      if (has("reset")) {
        std::string_view mode = valueOf("reset");
        if (mode == "hard")
          inst.reset = Reset::Hard;
        else if (mode == "soft")
          inst.reset = Reset::Soft;
        else if (mode == "none")
          inst.reset = Reset::None;
        else
          return fail(columnOf("reset"), "reset must be hard, soft or none");
        consume("reset");
      }
      if (has("cmp")) {
        std::string_view cmp = valueOf("cmp");
        if (cmp != "ge" && cmp != "gt")
          return fail(columnOf("cmp"), "cmp must be ge or gt");
        inst.greater = cmp == "gt";
        consume("cmp");
      }
      break;
    }
    if (!operands.empty())
      return fail(operands.front().column,
                  "unexpected operand '" + std::string(operands.front().key) +
                      "' for " + mnemonic(inst.opcode));
    return true;
  }

private:
  bool fail(size_t column, const std::string &what) {
    error = formatted("line %zu, column %zu: ", line, column) + what;
    return false;
  }
  const Token *find(std::string_view key) const {
    for (const Token &token : operands)
      if (token.key == key)
        return &token;
    return nullptr;
  }
  bool has(std::string_view key) const { return find(key); }
  std::string_view valueOf(std::string_view key) const {
    return find(key)->value;
  }
  size_t columnOf(std::string_view key) const { return find(key)->column; }
  void consume(std::string_view key) {
    for (size_t i = 0; i < operands.size(); ++i)
      if (operands[i].key == key) {
        operands.erase(operands.begin() + i);
        return;
      }
  }
  bool takeFlag(std::string_view key) {
    const Token *token = find(key);
    if (!token || token->value.data())
      return false;
    consume(key);
    return true;
  }
  bool take(std::string_view key, int64_t lo, int64_t hi, int64_t &out) {
    const Token *token = find(key);
    if (!token)
      return fail(operands.empty() ? 1 : operands.back().column,
                  std::string("missing operand ") + std::string(key) + "=");
    std::optional<int64_t> value = parseInteger(token->value);
    if (!value || *value < lo || *value > hi)
      return fail(token->column,
                  formatted("%.*s=%.*s is not an integer in [%" PRId64
                            ", %" PRId64 "]",
                            static_cast<int>(key.size()), key.data(),
                            static_cast<int>(token->value.size()),
                            token->value.data(), lo, hi));
    out = *value;
    consume(key);
    return true;
  }
  bool takeInt32(std::string_view key, int32_t &out) {
    int64_t value;
    if (!take(key, INT32_MIN, INT32_MAX, value))
      return false;
    out = static_cast<int32_t>(value);
    return true;
  }
  bool takeShift(uint8_t &out) {
    int64_t value;
    if (!take("shift", 0, kShiftMask, value))
      return false;
    out = static_cast<uint8_t>(value);
    return true;
  }

  size_t line;
  std::string &error;
  std::vector<Token> operands;
};

} // namespace

bool sparseflow::spikecore::assemble(std::string_view text,
                                     std::vector<uint32_t> &words,
                                     std::string &error) {
  size_t lineNumber = 0;
  while (!text.empty()) {
    ++lineNumber;
    size_t newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text = newline == std::string_view::npos ? std::string_view()
                                              : text.substr(newline + 1);
    line = line.substr(0, line.find(';'));
    std::vector<Token> tokens = tokenize(line);
    if (tokens.empty())
      continue;
    Instruction inst;
    if (!LineParser(lineNumber, error).parse(tokens, inst))
      return false;
    encode(inst, words);
  }
  return true;
}
