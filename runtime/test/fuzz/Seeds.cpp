//===- Seeds.cpp - the runtime fuzzers' seed corpora and regressions ------===//
//
// Part of SparseFlow.
//
// `sf-fuzz-seeds DIR` writes DIR/<target>/ for each runtime fuzz target:
// valid inputs to mutate from, and the malformed inputs that once crashed,
// hung or exhausted memory (docs/trust-model.md), so that every fuzzing run
// starts by replaying them.
//
//===----------------------------------------------------------------------===//

#include "../TestArtifacts.h"

#include "sparseflow/format/dram_image.h"
#include "sparseflow/format/npy.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

using namespace sparseflow;
using namespace sparseflow::runtime::test;
namespace fs = std::filesystem;

namespace {

bool write(const fs::path &path, const std::string &bytes) {
  std::ofstream file(path, std::ios::binary);
  file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return static_cast<bool>(file);
}

bool write(const fs::path &path, const std::vector<uint8_t> &bytes) {
  return write(path, std::string(bytes.begin(), bytes.end()));
}

bool artifacts(const fs::path &dir) {
  int64_t huge = int64_t{1} << 40;
  PlanSpec arena, cores, gpu;
  arena.arenaSize = uint64_t{16} << 30;
  cores.spikecoreCores = 4000000000u;
  gpu.target = sparseflow::sfa::Target::Gpu;
  return write(dir / "linear_lif.sfa", buildArtifact()) &&
         write(dir / "linear_lif_gpu.sfa", buildArtifact(gpu)) &&
         write(dir / "maxpool.sfa", buildPoolArtifact(3, 1, 1, 4)) &&
         // Regressions: a window of 2^40 taps; d * (k - 1) overflowing; a
         // 16 GiB arena; 4e9 SpikeCore cores.
         write(dir / "regression_pool_window.sfa",
               buildPoolArtifact(huge, huge / 2 - 1, 1, 4)) &&
         write(dir / "regression_pool_dilation.sfa",
               buildPoolArtifact((int64_t{1} << 32) + 1, 0, int64_t{1} << 32,
                                 1)) &&
         write(dir / "regression_arena.sfa", buildArtifact(arena)) &&
         write(dir / "regression_cores.sfa", buildArtifact(cores));
}

bool npys(const fs::path &dir) {
  npy::Array array{{2, 3}, {1, 2, 3, 4, 5, 6}};
  std::string error;
  return npy::write((dir / "float32.npy").string(), array, error) &&
         write(dir / "uint8.npy",
               npyFile(npyHeader("'|u1'", "(4,)"), "\1\2\3\4")) &&
         // Regressions: counts that wrap, empty fields.
         write(dir / "regression_wrap.npy",
               npyFile(npyHeader("'<f4'", "(4611686018427387905, 4)"),
                       std::string(16, '\0'))) &&
         write(dir / "regression_zero.npy",
               npyFile(npyHeader("'<f4'", "(4611686018427387904, 4)"), "")) &&
         write(dir / "regression_empty_descr.npy",
               npyFile("{'descr':, 'fortran_order': False, 'shape': (1,), }",
                       "")) &&
         write(dir / "regression_empty_shape.npy",
               npyFile("{'descr': '<f4', 'fortran_order': False, 'shape':, }",
                       ""));
}

bool drams(const fs::path &dir) {
  DramLayers layers;
  std::vector<uint8_t> bytes;
  if (!dram::buildImage(layers.specs, 4, bytes).ok())
    return false;
  dram::Image image;
  if (!dram::Image::parse(bytes, image).ok())
    return false;
  std::vector<uint64_t> spikes(7, 0);
  spikes[1] = 0x5;
  spikes[6] = 0x8;
  if (!image.writeInputSpines(1, spikes.data(), spikes.size()).ok() ||
      !image.storeOutputSpine(1, dram::Spine{3, 0x2}).ok())
    return false;
  return write(dir / "conv_linear.dram", bytes) &&
         write(dir / "conv_linear_spines.dram", image.bytes());
}

bool assembly(const fs::path &dir) {
  // The first byte picks the fuzzer's mode: even for text.
  return write(dir / "lif.s", std::string("\0", 1) +
                                  "LEAK mul=3277 shift=15 vleak=0\n"
                                  "ACC base=0x0\nBIAS base=0x40\n"
                                  "FIRE thr=1200 vreset=0 reset=hard cmp=ge\n"
                                  "HALT\n") &&
         write(dir / "readout.s", std::string("\0", 1) +
                                      "ACC base=0x100 ; readout\n"
                                      "FIRE graded mul=77 shift=12\nOUT\n"
                                      "HALT\n");
}

} // namespace

int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: sf-fuzz-seeds DIR\n");
    return 2;
  }
  fs::path root = argv[1];
  struct Target {
    const char *name;
    bool (*write)(const fs::path &);
  };
  for (Target target : {Target{"artifact", artifacts},
                        {"npy", npys},
                        {"dram", drams},
                        {"spikecore-asm", assembly}}) {
    fs::path dir = root / target.name;
    std::error_code error;
    fs::create_directories(dir, error);
    if (error || !target.write(dir)) {
      std::fprintf(stderr, "error: cannot write the %s seeds in %s\n",
                   target.name, dir.c_str());
      return 1;
    }
  }
  return 0;
}
