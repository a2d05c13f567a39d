//===- sf-asm.cpp - SpikeCore assembler and disassembler -----------------===//
//
// Part of SparseFlow.
//
//   sf-asm program.s -o program.bin     text -> binary
//   sf-asm -d program.bin [-o out.s]    binary -> canonical text
//
// docs/spikecore-isa.md specifies both forms. Errors name the line and
// column (text) or the word and byte offset (binary); the exit status is 1.
//
//===----------------------------------------------------------------------===//

#include "sparseflow/format/spikecore_isa.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <unistd.h>

namespace sc = sparseflow::spikecore;

namespace {

int usage() {
  std::cerr << "usage: sf-asm INPUT.s -o OUTPUT.bin\n"
               "       sf-asm -d INPUT.bin [-o OUTPUT.s]\n";
  return 2;
}

bool readFile(const std::string &path, std::string &contents) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return false;
  contents.assign(std::istreambuf_iterator<char>(in),
                  std::istreambuf_iterator<char>());
  return true;
}

bool writeFile(const std::string &path, const std::string &contents) {
  if (path.empty() || path == "-") {
    std::cout << contents;
    return static_cast<bool>(std::cout);
  }
  std::ofstream out(path, std::ios::binary);
  out << contents;
  return static_cast<bool>(out);
}

} // namespace

int main(int argc, char **argv) {
  bool disassemble = false;
  std::string input, output;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "-d" || arg == "--disassemble")
      disassemble = true;
    else if (arg == "-o" && i + 1 < argc)
      output = argv[++i];
    else if (arg == "-h" || arg == "--help")
      return usage(), 0;
    else if (!arg.empty() && arg[0] == '-' && arg != "-")
      return std::cerr << "sf-asm: unknown option '" << arg << "'\n", usage();
    else if (input.empty())
      input = arg;
    else
      return usage();
  }
  if (input.empty())
    return usage();

  std::string contents;
  if (!readFile(input, contents)) {
    std::cerr << "sf-asm: cannot read '" << input << "': "
              << std::strerror(errno) << "\n";
    return 1;
  }
  std::string error;
  if (disassemble) {
    if (contents.size() % 4) {
      std::cerr << "sf-asm: " << input << ": " << contents.size()
                << " bytes is not a whole number of 32-bit words\n";
      return 1;
    }
    std::vector<uint32_t> words(contents.size() / 4);
    for (size_t i = 0; i < words.size(); ++i) {
      const unsigned char *b =
          reinterpret_cast<const unsigned char *>(contents.data()) + 4 * i;
      words[i] = b[0] | b[1] << 8 | b[2] << 16 | uint32_t{b[3]} << 24;
    }
    std::string text;
    if (!sc::disassemble(words.data(), words.size(), text, error)) {
      std::cerr << "sf-asm: " << input << ": " << error << "\n";
      return 1;
    }
    return writeFile(output, text) ? 0 : 1;
  }

  std::vector<uint32_t> words;
  if (!sc::assemble(contents, words, error)) {
    std::cerr << "sf-asm: " << input << ": " << error << "\n";
    return 1;
  }
  if ((output.empty() || output == "-") && isatty(STDOUT_FILENO)) {
    std::cerr << "sf-asm: refusing to write binary to a terminal; use -o\n";
    return 1;
  }
  std::string bytes;
  for (uint32_t word : words)
    for (int k = 0; k < 4; ++k)
      bytes.push_back(static_cast<char>(word >> (8 * k)));
  if (!writeFile(output, bytes)) {
    std::cerr << "sf-asm: cannot write '" << output << "'\n";
    return 1;
  }
  return 0;
}
