//===- FuzzSpikeCoreAsm.cpp - libFuzzer target: SpikeCore assembly --------===//
//
// Part of SparseFlow.
//
// The input is assembly text (first byte even) or instruction words (odd).
// Whatever the assembler accepts must disassemble, and whatever the
// disassembler accepts must assemble back, to the same words: a mismatch
// aborts, so libFuzzer reports it like a crash.
//
//===----------------------------------------------------------------------===//

#include "sparseflow/format/spikecore_isa.h"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

using namespace sparseflow::spikecore;

namespace {

[[noreturn]] void mismatch(const char *what, const std::string &detail) {
  std::fprintf(stderr, "round trip broken: %s\n%s\n", what, detail.c_str());
  std::abort();
}

/// Disassembles `words`, which must succeed, and assembles the text back,
/// which must give `words` again.
void roundTrip(const std::vector<uint32_t> &words) {
  std::string text, error;
  if (!disassemble(words.data(), words.size(), text, error))
    mismatch("assembled words do not disassemble", error);
  std::vector<uint32_t> again;
  if (!assemble(text, again, error))
    mismatch("disassembled text does not assemble", error + "\n" + text);
  if (again != words)
    mismatch("the words differ after a round trip", text);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0)
    return 0;
  std::string error;
  if (data[0] % 2 == 0) {
    std::vector<uint32_t> words;
    if (assemble(std::string_view(reinterpret_cast<const char *>(data + 1),
                                  size - 1),
                 words, error))
      roundTrip(words);
    return 0;
  }
  std::vector<uint32_t> words((size - 1) / 4);
  if (!words.empty())
    std::memcpy(words.data(), data + 1, words.size() * 4);
  std::string text;
  if (disassemble(words.data(), words.size(), text, error)) {
    std::vector<uint32_t> again;
    if (!assemble(text, again, error))
      mismatch("disassembled text does not assemble", error + "\n" + text);
    if (again != words)
      mismatch("the words differ after a round trip", text);
  }
  return 0;
}
