//===- sf-run.cpp - run a compiled SparseFlow artifact --------------------===//
//
// Part of SparseFlow.
//
//   sf-run model.sfa --input x.npy [--output y.npy]
//       [--backend=auto|host|cuda|spikecore] [--profile]
//       [--profile-json=PATH] [--spike-log=PATH] [--record-spines=DIR]
//       [--seed=N] [--threads=N] [--progress|--no-progress]
//   sf-run --version
//
// A thin command line over the C API (no LLVM). The input is [N, ...] (direct
// and rate encodings) or [T, N, ...] (spikes); a batch that is a multiple of
// the compiled N runs in chunks, with a progress line on a terminal. Without
// --output the result is printed, with the arg-max of each row (the
// prediction) for 2-D outputs.
//
//===----------------------------------------------------------------------===//

#include "sparseflow/format/npy.h"
#include "sparseflow/runtime/api.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

using namespace sparseflow;

namespace {

constexpr const char *kUsage =
    "usage: sf-run MODEL.sfa --input X.npy [--output Y.npy]\n"
    "              [--backend=auto|host|cuda|spikecore] [--profile]\n"
    "              [--profile-json=PATH] [--spike-log=PATH]\n"
    "              [--record-spines=DIR] [--seed=N] [--threads=N]\n"
    "              [--progress|--no-progress]\n"
    "       sf-run --version\n";

struct Options {
  std::string model, input, output, profileJSON, spikeLog, spineDir;
  sf_backend_t backend = SF_BACKEND_AUTO;
  bool profile = false;
  /// The progress line: forced on or off, or (unset) on a terminal.
  std::optional<bool> progress;
  uint64_t seed = 0;
  uint32_t threads = 0;
};

bool parseUnsigned(const char *text, uint64_t &value) {
  char *end = nullptr;
  value = std::strtoull(text, &end, 10);
  return end != text && *end == '\0';
}

/// The linked runtime's version and the formats it reads.
void printVersion() {
  const sf_runtime_version_t *v = sf_runtime_version();
  std::printf("sf-run (SparseFlow runtime %s)\n"
              "reads .sfa artifacts %u.0 to %u.%u and DRAM images %u.x\n",
              v->string, v->artifact_major, v->artifact_major,
              v->artifact_minor, v->dram_major);
}

bool parseArguments(int argc, char **argv, Options &options) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](const char *flag, std::string &out) {
      std::string prefix = std::string(flag) + "=";
      if (arg.rfind(prefix, 0) == 0) {
        out = arg.substr(prefix.size());
        return true;
      }
      if (arg == flag && i + 1 < argc) {
        out = argv[++i];
        return true;
      }
      return false;
    };
    std::string text;
    uint64_t number;
    if (value("--input", options.input) || value("--output", options.output) ||
        value("--profile-json", options.profileJSON) ||
        value("--spike-log", options.spikeLog) ||
        value("--record-spines", options.spineDir))
      continue;
    if (arg == "--profile") {
      options.profile = true;
    } else if (arg == "--progress" || arg == "--no-progress") {
      options.progress = arg == "--progress";
    } else if (value("--backend", text)) {
      if (text == "auto")
        options.backend = SF_BACKEND_AUTO;
      else if (text == "host")
        options.backend = SF_BACKEND_HOST;
      else if (text == "cuda")
        options.backend = SF_BACKEND_CUDA;
      else if (text == "spikecore")
        options.backend = SF_BACKEND_SPIKECORE;
      else {
        std::fprintf(stderr,
                     "error: unknown backend '%s' (auto, host, cuda, "
                     "spikecore)\n",
                     text.c_str());
        return false;
      }
    } else if (value("--seed", text)) {
      if (!parseUnsigned(text.c_str(), options.seed)) {
        std::fprintf(stderr, "error: --seed expects an unsigned integer\n");
        return false;
      }
    } else if (value("--threads", text)) {
      if (!parseUnsigned(text.c_str(), number) || number > 1024) {
        std::fprintf(stderr, "error: --threads expects 0 to 1024\n");
        return false;
      }
      options.threads = static_cast<uint32_t>(number);
    } else if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    } else if (arg == "--version") {
      printVersion();
      std::exit(0);
    } else if (!arg.empty() && arg[0] == '-') {
      std::fprintf(stderr, "error: unknown option '%s'\n%s", arg.c_str(),
                   kUsage);
      return false;
    } else if (options.model.empty()) {
      options.model = arg;
    } else {
      std::fprintf(stderr, "error: unexpected argument '%s'\n%s", arg.c_str(),
                   kUsage);
      return false;
    }
  }
  if (options.model.empty() || options.input.empty()) {
    std::fputs(kUsage, stderr);
    return false;
  }
  if (options.profileJSON.size())
    options.profile = true;
  return true;
}

/// Prints and frees a failure; returns whether `status` was OK.
bool check(sf_status_t status, const char *context = nullptr) {
  if (!status)
    return true;
  std::fprintf(stderr, "error: %s%s%s\n", context ? context : "",
               context ? ": " : "", sf_status_message(status));
  sf_status_free(status);
  return false;
}

std::string shapeString(const std::vector<int64_t> &shape) {
  std::string text = "[";
  for (size_t d = 0; d < shape.size(); ++d)
    text += (d ? ", " : "") + std::to_string(shape[d]);
  return text + "]";
}

void printProfile(const sf_session_t *session, uint32_t timesteps) {
  std::fprintf(stderr,
               "%-28s %-13s %-12s %5s %10s %8s %8s %8s  %s\n", "layer", "op",
               "kernel", "block", "time(ms)", "density", "active", "silent",
               "spikes/neuron over T: neurons");
  for (size_t i = 0; i < sf_session_profile_count(session); ++i) {
    const sf_layer_profile_t *p = sf_session_profile(session, i);
    double ms = p->runs ? 1e3 * p->seconds / p->runs : 0.0;
    std::fprintf(stderr, "%-28.28s %-13s %-12s %5" PRId64 " %10.3f", p->name,
                 p->op, p->kernel, p->block_size, ms);
    if (!p->has_spike_input) {
      std::fprintf(stderr, "\n");
      continue;
    }
    double neurons = static_cast<double>(p->input_neurons);
    std::fprintf(stderr, " %8.4f", p->spikes / (neurons * timesteps));
    if (p->blocks)
      std::fprintf(stderr, " %8.4f", double(p->active_blocks) / p->blocks);
    else
      std::fprintf(stderr, " %8s", "-");
    std::fprintf(stderr, " %8.4f ", p->silent_neurons / neurons);
    for (uint32_t k = 0; k <= timesteps; ++k)
      std::fprintf(stderr, " %u:%" PRIu64, k, p->spike_histogram[k]);
    std::fprintf(stderr, "\n");
  }
  // The SpikeCore simulator's counters, one line per layer.
  for (size_t i = 0; i < sf_session_profile_count(session); ++i) {
    const sf_layer_profile_t *p = sf_session_profile(session, i);
    if (!p->is_spikecore)
      continue;
    const sf_spikecore_profile_t &c = p->spikecore;
    std::fprintf(stderr,
                 "spikecore %s: cores %u-%u cycles=%" PRIu64
                 " instructions=%" PRIu64 " acc_events=%" PRIu64
                 " acc=%" PRIu64 " leak=%" PRIu64 " bias=%" PRIu64
                 " fire=%" PRIu64 " out=%" PRIu64 " spikes=%" PRIu64
                 " saturations=%" PRIu64 " input_clamps=%" PRIu64,
                 p->name, c.first_core, c.first_core + c.core_count - 1,
                 c.cycles, c.instructions, c.acc_events, c.acc_ops, c.leak_ops,
                 c.bias_ops, c.fire_ops, c.out_ops, c.spikes, c.saturations,
                 c.input_clamps);
    if (c.energy_pj >= 0)
      std::fprintf(stderr, " energy=%.6g pJ", c.energy_pj);
    std::fprintf(stderr, "\n  spikes per core:");
    for (uint32_t k = 0; k < c.core_count; ++k)
      std::fprintf(stderr, " %" PRIu64, c.core_spikes[k]);
    std::fprintf(stderr, "\n");
  }
}

void writeJSONString(FILE *file, const char *text) {
  std::fputc('"', file);
  for (const char *c = text; *c; ++c) {
    if (*c == '"' || *c == '\\')
      std::fprintf(file, "\\%c", *c);
    else if (static_cast<unsigned char>(*c) < 0x20)
      std::fprintf(file, "\\u%04x", *c);
    else
      std::fputc(*c, file);
  }
  std::fputc('"', file);
}

bool writeProfileJSON(const std::string &path, const sf_session_t *session,
                      uint32_t timesteps) {
  FILE *file = std::fopen(path.c_str(), "w");
  if (!file) {
    std::fprintf(stderr, "error: cannot write '%s'\n", path.c_str());
    return false;
  }
  std::fprintf(file, "{\"timesteps\": %u, \"layers\": [", timesteps);
  for (size_t i = 0; i < sf_session_profile_count(session); ++i) {
    const sf_layer_profile_t *p = sf_session_profile(session, i);
    std::fprintf(file, "%s\n  {\"name\": ", i ? "," : "");
    writeJSONString(file, p->name);
    std::fprintf(file,
                 ", \"op\": \"%s\", \"kernel\": \"%s\", \"target\": \"%s\", "
                 "\"block_size\": %" PRId64 ", \"runs\": %" PRIu64
                 ", \"seconds\": %.9g, \"spike_input\": %s",
                 p->op, p->kernel, p->target, p->block_size, p->runs,
                 p->seconds, p->has_spike_input ? "true" : "false");
    if (p->has_spike_input) {
      double neurons = static_cast<double>(p->input_neurons);
      std::fprintf(file,
                   ", \"input_neurons\": %" PRIu64 ", \"spikes\": %" PRIu64
                   ", \"silent_neurons\": %" PRIu64 ", \"blocks\": %" PRIu64
                   ", \"active_blocks\": %" PRIu64
                   ", \"spike_density\": %.9g, \"silent_neuron_fraction\": "
                   "%.9g, \"active_block_fraction\": %.9g, "
                   "\"spike_histogram\": [",
                   p->input_neurons, p->spikes, p->silent_neurons, p->blocks,
                   p->active_blocks, p->spikes / (neurons * timesteps),
                   p->silent_neurons / neurons,
                   p->blocks ? double(p->active_blocks) / p->blocks : 1.0);
      for (uint32_t k = 0; k <= timesteps; ++k)
        std::fprintf(file, "%s%" PRIu64, k ? ", " : "", p->spike_histogram[k]);
      std::fprintf(file, "]");
    }
    if (p->is_spikecore) {
      const sf_spikecore_profile_t &c = p->spikecore;
      std::fprintf(file,
                   ", \"spikecore\": {\"first_core\": %u, \"cycles\": %" PRIu64
                   ", \"instructions\": %" PRIu64 ", \"acc_events\": %" PRIu64
                   ", \"acc_ops\": %" PRIu64 ", \"leak_ops\": %" PRIu64
                   ", \"bias_ops\": %" PRIu64 ", \"fire_ops\": %" PRIu64
                   ", \"out_ops\": %" PRIu64 ", \"spikes\": %" PRIu64
                   ", \"saturations\": %" PRIu64 ", \"input_clamps\": %" PRIu64,
                   c.first_core, c.cycles, c.instructions, c.acc_events,
                   c.acc_ops, c.leak_ops, c.bias_ops, c.fire_ops, c.out_ops,
                   c.spikes, c.saturations, c.input_clamps);
      if (c.energy_pj >= 0)
        std::fprintf(file, ", \"energy_pj\": %.9g", c.energy_pj);
      std::fprintf(file, ", \"core_spikes\": [");
      for (uint32_t k = 0; k < c.core_count; ++k)
        std::fprintf(file, "%s%" PRIu64, k ? ", " : "", c.core_spikes[k]);
      std::fprintf(file, "]}");
    }
    std::fprintf(file, "}");
  }
  std::fprintf(file, "\n]}\n");
  bool ok = std::fclose(file) == 0;
  if (!ok)
    std::fprintf(stderr, "error: cannot write '%s'\n", path.c_str());
  return ok;
}

void printResult(const npy::Array &result) {
  std::printf("output %s\n", shapeString(result.shape).c_str());
  if (result.shape.size() == 2) {
    int64_t rows = result.shape[0], cols = result.shape[1];
    for (int64_t r = 0; r < std::min<int64_t>(rows, 20); ++r) {
      const float *row = result.data.data() + r * cols;
      int64_t best = std::max_element(row, row + cols) - row;
      std::printf("  [%" PRId64 "] prediction %" PRId64 ":", r, best);
      for (int64_t c = 0; c < std::min<int64_t>(cols, 16); ++c)
        std::printf(" %.4g", row[c]);
      std::printf(cols > 16 ? " ...\n" : "\n");
    }
    if (rows > 20)
      std::printf("  ... %" PRId64 " more rows\n", rows - 20);
    return;
  }
  size_t shown = std::min<size_t>(result.data.size(), 32);
  for (size_t i = 0; i < shown; ++i)
    std::printf("%s%.4g", i ? " " : "  ", result.data[i]);
  std::printf(result.data.size() > shown ? " ...\n" : "\n");
}

/// Writes the spines each DRAM layer read for the `batch` samples of the
/// last run to DIR/sample_<first + s>.dram.
bool saveSpines(const sf_session_t *session, const std::string &dir,
                int64_t first, int64_t batch) {
  for (int64_t s = 0; s < batch; ++s) {
    sf_dram_t *dram = nullptr;
    char name[40]; // "/sample_", an int64_t (20 characters at most), ".dram"
    std::snprintf(name, sizeof name, "/sample_%05" PRId64 ".dram", first + s);
    std::string path = dir + name;
    bool ok = check(sf_session_recorded_spines(session, s, nullptr, &dram),
                    "--record-spines") &&
              check(sf_dram_save(dram, path.c_str()), "--record-spines");
    sf_dram_release(dram);
    if (!ok)
      return false;
  }
  return true;
}

/// "sf-run: batch 3/10 (30%), 1.2 s, ~2.8 s left" on stderr, redrawn in
/// place at most every 100 ms, finished with a newline.
class ProgressLine {
public:
  ProgressLine(int64_t total, bool enabled)
      : total(total), enabled(enabled),
        start(std::chrono::steady_clock::now()) {}
  ~ProgressLine() {
    if (drawn)
      std::fputc('\n', stderr);
  }

  void update(int64_t done) {
    if (!enabled)
      return;
    auto now = std::chrono::steady_clock::now();
    if (done < total && drawn && now - last < std::chrono::milliseconds(100))
      return;
    last = now;
    drawn = true;
    double elapsed = std::chrono::duration<double>(now - start).count();
    double left = done ? elapsed * (total - done) / done : 0.0;
    std::fprintf(stderr,
                 "\rsf-run: batch %lld/%lld (%d%%), %.1f s, ~%.1f s left ",
                 (long long)done, (long long)total,
                 static_cast<int>(100 * done / total), elapsed, left);
    std::fflush(stderr);
  }

private:
  int64_t total;
  bool enabled, drawn = false;
  std::chrono::steady_clock::time_point start, last;
};

/// Runs every compiled batch `input` holds, in chunks of the compiled batch
/// along its batch axis, into `result`; appends the SpikeCore events to
/// `spikeLog` (when given) as rows of (op, sample, step, neuron, payload),
/// the sample counted over the whole input.
bool runAll(sf_model_t *model, sf_session_t *session, const npy::Array &input,
            npy::Array &result, npy::Array *spikeLog,
            const std::string &spineDir, std::optional<bool> progress) {
  if (sf_model_input_count(model) != 1 || sf_model_output_count(model) != 1) {
    std::fprintf(stderr,
                 "error: sf-run handles models with one input and one output; "
                 "this one has %zu and %zu (use the C or Python API)\n",
                 sf_model_input_count(model), sf_model_output_count(model));
    return false;
  }
  int64_t inShape[SF_MAX_RANK], outShape[SF_MAX_RANK];
  size_t inRank = 0, outRank = 0;
  if (!check(sf_model_input_shape(model, 0, &inRank, inShape)) ||
      !check(sf_model_output_shape(model, 0, &outRank, outShape)))
    return false;
  std::vector<int64_t> expected(inShape, inShape + inRank);
  std::vector<int64_t> outExpected(outShape, outShape + outRank);
  size_t inAxis = sf_model_encoding(model) == SF_ENCODING_SPIKES ? 1 : 0;
  size_t outAxis = sf_model_readout(model) == SF_READOUT_ALL ? 1 : 0;

  // How many compiled batches the input holds.
  int64_t chunks = 1;
  if (input.shape.size() == expected.size() && inAxis < expected.size() &&
      expected[inAxis] > 0 && input.shape[inAxis] % expected[inAxis] == 0) {
    chunks = input.shape[inAxis] / expected[inAxis];
    std::vector<int64_t> one = input.shape;
    one[inAxis] = expected[inAxis];
    if (one != expected)
      chunks = 1;
  }
  if (chunks == 1 && input.shape != expected) {
    std::fprintf(stderr,
                 "error: the input has shape %s; the model takes %s (or a "
                 "multiple of its batch along axis %zu)\n",
                 shapeString(input.shape).c_str(),
                 shapeString(expected).c_str(), inAxis);
    return false;
  }

  sf_tensor_t *in = nullptr, *out = nullptr;
  if (!check(
          sf_tensor_create(expected.data(), expected.size(), nullptr, &in)) ||
      !check(sf_tensor_create(outExpected.data(), outExpected.size(), nullptr,
                              &out))) {
    sf_tensor_release(in);
    return false;
  }
  result.shape = outExpected;
  result.shape[outAxis] *= chunks;
  result.data.assign(static_cast<size_t>(sf_tensor_element_count(out)) * chunks,
                     0.0f);

  // Rows before the chunked axis, and the contiguous run one chunk holds.
  auto outer = [](const std::vector<int64_t> &s, size_t axis) {
    int64_t n = 1;
    for (size_t d = 0; d < axis; ++d)
      n *= s[d];
    return n;
  };
  int64_t inOuter = outer(expected, inAxis);
  int64_t inRun = sf_tensor_element_count(in) / inOuter;
  int64_t outOuter = outer(outExpected, outAxis);
  int64_t outRun = sf_tensor_element_count(out) / outOuter;
  bool ok = true;
  ProgressLine line(chunks,
                    progress.value_or(chunks > 1 && isatty(STDERR_FILENO)));
  for (int64_t c = 0; c < chunks && ok; ++c) {
    line.update(c);
    for (int64_t o = 0; o < inOuter; ++o)
      std::memcpy(sf_tensor_data(in) + o * inRun,
                  input.data.data() + (o * chunks + c) * inRun,
                  inRun * sizeof(float));
    ok = check(sf_session_run(session, &in, 1, &out, 1), "run") &&
         (spineDir.empty() ||
          saveSpines(session, spineDir, c * expected[inAxis],
                     expected[inAxis]));
    const sf_spike_event_t *events = nullptr;
    size_t count = spikeLog ? sf_session_spike_log(session, &events) : 0;
    for (size_t e = 0; e < count; ++e)
      for (uint32_t field : {events[e].op,
                             uint32_t(events[e].sample + c * expected[inAxis]),
                             events[e].step, events[e].neuron,
                             events[e].payload})
        spikeLog->data.push_back(static_cast<float>(field));
    for (int64_t o = 0; ok && o < outOuter; ++o)
      std::memcpy(result.data.data() + (o * chunks + c) * outRun,
                  sf_tensor_data(out) + o * outRun, outRun * sizeof(float));
  }
  if (ok)
    line.update(chunks);
  sf_tensor_release(in);
  sf_tensor_release(out);
  return ok;
}

} // namespace

int main(int argc, char **argv) {
  Options options;
  if (!parseArguments(argc, argv, options))
    return 1;
  npy::Array input;
  std::string error;
  if (!npy::read(options.input, input, error)) {
    std::fprintf(stderr, "error: %s\n", error.c_str());
    return 1;
  }

  sf_instance_options_t instanceOptions;
  sf_instance_options_initialize(&instanceOptions);
  instanceOptions.num_threads = options.threads;
  sf_instance_t *instance = nullptr;
  sf_model_t *model = nullptr;
  sf_session_t *session = nullptr;
  int rc = 1;
  sf_session_options_t sessionOptions;
  sf_session_options_initialize(&sessionOptions);
  sessionOptions.backend = options.backend;
  sessionOptions.seed = options.seed;
  sessionOptions.profile = options.profile;
  sessionOptions.spike_log = !options.spikeLog.empty();
  sessionOptions.record_spines = !options.spineDir.empty();
  if (!options.spineDir.empty() && ::mkdir(options.spineDir.c_str(), 0777) &&
      errno != EEXIST) {
    std::fprintf(stderr, "error: cannot create '%s': %s\n",
                 options.spineDir.c_str(), std::strerror(errno));
    return 1;
  }
  npy::Array result, spikeLog;
  if (check(sf_instance_create(&instanceOptions, nullptr, &instance)) &&
      check(sf_model_create_from_file(instance, options.model.c_str(), nullptr,
                                      &model)) &&
      check(sf_session_create(model, &sessionOptions, nullptr, &session),
            "cannot create a session") &&
      runAll(model, session, input, result,
             options.spikeLog.empty() ? nullptr : &spikeLog, options.spineDir,
             options.progress)) {
    rc = 0;
    if (!options.spikeLog.empty()) {
      spikeLog.shape = {static_cast<int64_t>(spikeLog.data.size() / 5), 5};
      if (!npy::write(options.spikeLog, spikeLog, error)) {
        std::fprintf(stderr, "error: %s\n", error.c_str());
        rc = 1;
      }
    }
    if (!options.output.empty()) {
      if (!npy::write(options.output, result, error)) {
        std::fprintf(stderr, "error: %s\n", error.c_str());
        rc = 1;
      }
    } else {
      printResult(result);
    }
    if (options.profile) {
      std::fflush(stdout);
      printProfile(session, sf_model_timesteps(model));
      if (!options.profileJSON.empty() &&
          !writeProfileJSON(options.profileJSON, session,
                            sf_model_timesteps(model)))
        rc = 1;
    }
  }
  sf_session_release(session);
  sf_model_release(model);
  sf_instance_release(instance);
  return rc;
}
