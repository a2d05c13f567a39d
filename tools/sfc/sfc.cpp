//===- sfc.cpp - the SparseFlow compiler driver ---------------------------===//
//
// Part of SparseFlow.
//
//   sfc compile model.onnx [-o model.sfa]
//       [--emit=spike|tagged|partitioned|spikecore|asm|plan|artifact]
//       [--targets=host,gpu,spikecore] [--block-size=auto|0|8|16]
//       [--placement=FILE.json] [--save-placement=FILE.json]
//       [--spikecore-config=FILE.json] [--per-channel]
//       [--calibration=INPUTS.npy] [--report] [--report-json=PATH]
//       [--timesteps=T] [--encoding=direct|rate|spikes]
//       [--readout=mean|sum|last|all] [--batch=N] [--split-input-file]
//       [--verify-diagnostics]
//   sfc import model.onnx ...        same as `compile --emit=spike`
//
// A thin command line over the importer and pipeline libraries; every
// diagnostic goes through MLIR's source manager, so text models get
// file:line:col errors.
//
//===----------------------------------------------------------------------===//

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/ToolUtilities.h"
#include "sparseflow/Compiler/PlacementReport.h"
#include "sparseflow/Compiler/SpikePipeline.h"
#include "sparseflow/Dialect/Spike/SpikeDialect.h"
#include "sparseflow/Dialect/SpikeCore/SpikeCoreDialect.h"
#include "sparseflow/Target/Artifact/ArtifactWriter.h"
#include "sparseflow/Target/ONNX/ONNXImporter.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace sparseflow;
namespace cl = llvm::cl;

namespace {

cl::OptionCategory sfcCategory("sfc options");

cl::opt<std::string> inputFilename(cl::Positional, cl::Required,
                                   cl::desc("<model.onnx | model.textproto>"),
                                   cl::cat(sfcCategory));
cl::opt<std::string> outputFilename("o",
                                    cl::desc("Output file ('-' for "
                                             "stdout)"),
                                    cl::value_desc("filename"), cl::init("-"),
                                    cl::cat(sfcCategory));
/// What `sfc compile` writes: the IR after a pipeline stage, or the
/// serialized result.
enum class Emit { Spike, Tagged, Partitioned, SpikeCore, Asm, Plan, Artifact };

cl::opt<Emit> emit(
    "emit", cl::desc("The stage to stop after and print"),
    cl::values(
        clEnumValN(Emit::Spike, "spike", "the imported spike-dialect IR"),
        clEnumValN(Emit::Tagged, "tagged",
                   "canonicalized, BatchNorm folded, spike consumers tagged "
                   "with block sizes"),
        clEnumValN(Emit::Partitioned, "partitioned",
                   "every op placed on a target, outlined per target"),
        clEnumValN(Emit::SpikeCore, "spikecore",
                   "SpikeCore partitions quantized, allocated to cores, with "
                   "their instructions"),
        clEnumValN(Emit::Asm, "asm",
                   "the SpikeCore program as text assembly (sf-asm reads "
                   "it)"),
        clEnumValN(Emit::Plan, "plan",
                   "the runtime's execution plan as text: tensors, memory "
                   "plan, kernels"),
        clEnumValN(Emit::Artifact, "artifact",
                   "the .sfa artifact the runtime executes (default)")),
    cl::init(Emit::Artifact), cl::cat(sfcCategory));

PipelineStage lastStage() {
  switch (emit) {
  case Emit::Spike:
    return PipelineStage::Imported;
  case Emit::Tagged:
    return PipelineStage::Tagged;
  case Emit::Partitioned:
    return PipelineStage::Partitioned;
  default:
    return PipelineStage::SpikeCore;
  }
}
cl::list<std::string> targets(
    "targets", cl::desc("Targets in order of preference (default: host)"),
    cl::value_desc("host,gpu,spikecore"), cl::CommaSeparated,
    cl::cat(sfcCategory));
cl::opt<std::string> blockSize(
    "block-size",
    cl::desc("Zero-block size of spike-consuming layers: auto (by feature-map "
             "size), 0 (dense), or a power of two up to 64"),
    cl::value_desc("auto|0|8|16"), cl::init("auto"), cl::cat(sfcCategory));
cl::opt<std::string> placementFile(
    "placement",
    cl::desc("Placement file: rules matching op kind and node name that set "
             "the target and/or block size"),
    cl::value_desc("FILE.json"), cl::cat(sfcCategory));
cl::opt<std::string> savePlacement(
    "save-placement",
    cl::desc("Write the effective placement as an editable placement file"),
    cl::value_desc("FILE.json"), cl::cat(sfcCategory));
cl::opt<std::string> spikecoreConfig(
    "spikecore-config", cl::desc("SpikeCore target description"),
    cl::value_desc("FILE.json"), cl::cat(sfcCategory));
cl::opt<bool> perChannel(
    "per-channel",
    cl::desc("Quantize SpikeCore weights with one scale per output neuron "
             "(default: per layer)"),
    cl::init(false), cl::cat(sfcCategory));
cl::opt<std::string> calibration(
    "calibration",
    cl::desc("A batch of model inputs (.npy, float32) that sets the ranges of "
             "graded (ReLU) SpikeCore layers"),
    cl::value_desc("INPUTS.npy"), cl::cat(sfcCategory));
cl::opt<bool> report("report",
                     cl::desc("Print a table of the ops with their shapes, "
                              "spike input, block size and target (stderr)"),
                     cl::init(false), cl::cat(sfcCategory));
cl::opt<std::string> reportJSON("report-json",
                                cl::desc("Write the report as JSON"),
                                cl::value_desc("PATH"), cl::cat(sfcCategory));
cl::opt<bool> sparseKernels(
    "sparse-kernels",
    cl::desc("Read spike inputs with the binary-input sparse kernels "
             "(default); =false uses the dense kernels everywhere"),
    cl::init(true), cl::cat(sfcCategory));
cl::opt<int64_t> timesteps("timesteps",
                           cl::desc("Timesteps T (overrides the model's "
                                    "sparseflow.timesteps)"),
                           cl::cat(sfcCategory));
cl::opt<spike::Encoding> encoding(
    "encoding", cl::desc("Input encoding (overrides sparseflow.encoding)"),
    cl::values(clEnumValN(spike::Encoding::direct, "direct",
                          "the same analog input at every step"),
               clEnumValN(spike::Encoding::rate, "rate",
                          "Bernoulli spikes with the input as probability"),
               clEnumValN(spike::Encoding::spikes, "spikes",
                          "the caller passes [T, N, ...] spikes")),
    cl::cat(sfcCategory));
cl::opt<spike::Readout> readout(
    "readout", cl::desc("Output readout (overrides sparseflow.readout)"),
    cl::values(clEnumValN(spike::Readout::mean, "mean", "mean over time"),
               clEnumValN(spike::Readout::sum, "sum", "sum over time"),
               clEnumValN(spike::Readout::last, "last", "the last step"),
               clEnumValN(spike::Readout::all, "all",
                          "every step, as [T, N, ...]")),
    cl::cat(sfcCategory));
cl::opt<int64_t> batch("batch",
                       cl::desc("Size of a dynamic leading (batch) input "
                                "dimension"),
                       cl::init(1), cl::cat(sfcCategory));
cl::opt<ONNXInputFormat> inputFormat(
    "input-format", cl::desc("How the model is encoded"),
    cl::values(clEnumValN(ONNXInputFormat::Auto, "auto",
                          "text for .textproto/.pbtxt/.txtpb, else binary"),
               clEnumValN(ONNXInputFormat::Binary, "binary",
                          "a serialized ONNX ModelProto"),
               clEnumValN(ONNXInputFormat::Text, "text",
                          "the protobuf text format of ModelProto")),
    cl::init(ONNXInputFormat::Auto), cl::cat(sfcCategory));
cl::opt<bool> splitInputFile(
    "split-input-file",
    cl::desc("Split a text model at '# -----' lines and import each chunk "
             "separately"),
    cl::init(false), cl::cat(sfcCategory));
cl::opt<bool> verifyDiagnostics(
    "verify-diagnostics",
    cl::desc("Check emitted diagnostics against expected-* comments in the "
             "input (text models)"),
    cl::init(false), cl::cat(sfcCategory));

constexpr const char *kUsage = R"(sfc - the SparseFlow compiler

USAGE: sfc <command> <model> [options]

COMMANDS:
  compile   import an ONNX model and compile it (--emit selects the stage)
  import    import an ONNX model and print its spike IR (compile --emit=spike)

Run 'sfc <command> --help' for the options of a command.
)";

/// Writes `print`'s output to `path`, reporting failures.
LogicalResult writeFile(StringRef path,
                        function_ref<void(raw_ostream &)> print) {
  std::string errorMessage;
  auto file = openOutputFile(path, &errorMessage);
  if (!file) {
    llvm::errs() << "error: " << errorMessage << "\n";
    return failure();
  }
  print(file->os());
  file->keep();
  return success();
}

/// Runs the pipeline up to the requested stage and writes the reports.
LogicalResult compile(ModuleOp module) {
  SpikePipelineOptions pipelineOptions;
  pipelineOptions.targets = SmallVector<std::string>(targets.begin(), targets.end());
  pipelineOptions.blockSize = blockSize.getValue();
  pipelineOptions.placement = placementFile.getValue();
  pipelineOptions.spikecoreConfig = spikecoreConfig.getValue();
  pipelineOptions.perChannel = perChannel.getValue();
  pipelineOptions.calibration = calibration.getValue();
  // The placement report describes the spike ops, so it is collected at
  // the partitioned stage, before SpikeCore layers replace them.
  PipelineStage last = lastStage();
  bool spikecoreStage = last == PipelineStage::SpikeCore;
  PassManager pm(module->getName());
  if (failed(applyPassManagerCLOptions(pm)))
    return failure();
  buildSpikePipeline(pm, pipelineOptions,
                     spikecoreStage ? PipelineStage::Partitioned : last);
  if (failed(pm.run(module)))
    return failure();
  bool wantReport = report || !reportJSON.empty() || !savePlacement.empty();
  std::optional<PlacementReport> placement;
  if (wantReport)
    placement = PlacementReport::collect(module);
  if (spikecoreStage) {
    PassManager spikecorePm(module->getName());
    if (failed(applyPassManagerCLOptions(spikecorePm)))
      return failure();
    buildSpikeCoreStage(spikecorePm, pipelineOptions);
    if (failed(spikecorePm.run(module)))
      return failure();
    if (placement)
      placement->collectSpikeCore(module);
  }

  if (!placement)
    return success();
  if (report)
    placement->printTable(llvm::errs());
  if (!reportJSON.empty() &&
      failed(writeFile(reportJSON,
                       [&](raw_ostream &os) { placement->printJSON(os); })))
    return failure();
  if (!savePlacement.empty() &&
      failed(writeFile(savePlacement, [&](raw_ostream &os) {
        placement->printPlacementFile(os);
      })))
    return failure();
  return success();
}

/// Writes the compiled module in the form --emit asks for.
LogicalResult emitOutput(ModuleOp module, raw_ostream &os) {
  ArtifactOptions artifactOptions;
  artifactOptions.sparseKernels = sparseKernels;
  if (emit == Emit::Artifact)
    return writeArtifact(module, os, artifactOptions);
  if (emit == Emit::Plan)
    return printExecutionPlan(module, os, artifactOptions);
  if (emit == Emit::Asm)
    return spikecore::printAssembly(module, os);
  module->print(os);
  os << "\n";
  return success();
}

/// Imports one model buffer, compiles it and prints the result to `os`.
LogicalResult processBuffer(std::unique_ptr<llvm::MemoryBuffer> buffer,
                            raw_ostream &os, const ONNXImportOptions &options) {
  DialectRegistry registry;
  registry.insert<spike::SpikeDialect, spikecore::SpikeCoreDialect,
                  func::FuncDialect, arith::ArithDialect>();
  MLIRContext context(registry);
  // Diagnostics point at the ONNX node; printing the half-built op adds noise.
  context.printOpOnDiagnostic(false);

  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(buffer), llvm::SMLoc());
  if (verifyDiagnostics) {
    SourceMgrDiagnosticVerifierHandler handler(sourceMgr, &context);
    if (OwningOpRef<ModuleOp> module =
            importONNXModel(sourceMgr, &context, options))
      if (succeeded(compile(*module)))
        (void)emitOutput(*module, llvm::nulls());
    return handler.verify();
  }
  SourceMgrDiagnosticHandler handler(sourceMgr, &context);
  OwningOpRef<ModuleOp> module = importONNXModel(sourceMgr, &context, options);
  if (!module || failed(compile(*module)))
    return failure();
  return emitOutput(*module, os);
}

int run() {
  if (timesteps.getNumOccurrences() && timesteps < 1) {
    llvm::errs() << "error: --timesteps must be at least 1, found " << timesteps
                 << "\n";
    return 1;
  }
  if (batch < 1) {
    llvm::errs() << "error: --batch must be at least 1, found " << batch
                 << "\n";
    return 1;
  }
  if (splitInputFile && (!reportJSON.empty() || !savePlacement.empty())) {
    llvm::errs() << "error: --report-json and --save-placement write one "
                    "file and cannot be combined with --split-input-file\n";
    return 1;
  }
  bool binaryOutput = emit == Emit::Artifact && !verifyDiagnostics;
  if (binaryOutput && splitInputFile) {
    llvm::errs() << "error: an artifact is one binary file and cannot be "
                    "combined with --split-input-file; choose a text --emit\n";
    return 1;
  }
  if (binaryOutput && outputFilename == "-" &&
      llvm::sys::Process::StandardOutIsDisplayed()) {
    llvm::errs() << "error: refusing to write a binary artifact to the "
                    "terminal; use -o model.sfa or a text --emit\n";
    return 1;
  }
  ONNXImportOptions options;
  options.batch = batch;
  // Decide from the real file name: split chunks are renamed.
  options.format = inputFormat;
  if (options.format == ONNXInputFormat::Auto)
    options.format = isONNXTextFilename(inputFilename)
                         ? ONNXInputFormat::Text
                         : ONNXInputFormat::Binary;
  if (timesteps.getNumOccurrences())
    options.timesteps = timesteps;
  if (encoding.getNumOccurrences())
    options.encoding = encoding;
  if (readout.getNumOccurrences())
    options.readout = readout;

  std::string errorMessage;
  auto input = openInputFile(inputFilename, &errorMessage);
  if (!input) {
    llvm::errs() << "error: " << errorMessage << "\n";
    return 1;
  }
  auto output = openOutputFile(outputFilename, &errorMessage);
  if (!output) {
    llvm::errs() << "error: " << errorMessage << "\n";
    return 1;
  }
  auto process = [&](std::unique_ptr<llvm::MemoryBuffer> buffer,
                     raw_ostream &os) {
    return processBuffer(std::move(buffer), os, options);
  };
  LogicalResult result =
      splitInputFile
          ? splitAndProcessBuffer(std::move(input), process, output->os(),
                                  "# -----", "// -----")
          : process(std::move(input), output->os());
  if (failed(result))
    return 1;
  output->keep();
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM initLLVM(argc, argv);
  if (argc < 2 || StringRef(argv[1]).starts_with("-")) {
    StringRef arg = argc < 2 ? "" : argv[1];
    bool help = arg == "--help" || arg == "-help" || arg == "-h";
    (help ? llvm::outs() : llvm::errs()) << kUsage;
    return help ? 0 : 1;
  }
  StringRef command = argv[1];
  if (command != "compile" && command != "import") {
    llvm::errs() << "error: unknown command '" << command << "'\n\n" << kUsage;
    return 1;
  }

  registerAsmPrinterCLOptions();
  registerMLIRContextCLOptions();
  registerPassManagerCLOptions();
  // LLVM's own global options are irrelevant here; --help-hidden lists them
  // and MLIR's printing options (e.g. --mlir-elide-elementsattrs-if-larger).
  cl::HideUnrelatedOptions(sfcCategory);
  // Drop the command word so the options parse as `sfc-<command> ...`.
  std::string program = ("sfc " + command).str();
  SmallVector<const char *> args{program.c_str()};
  args.append(argv + 2, argv + argc);
  cl::ParseCommandLineOptions(
      static_cast<int>(args.size()), args.data(),
      command == "import"
          ? "sfc import: import an ONNX model and print its spike IR\n"
          : "sfc compile: compile an ONNX spiking neural network\n");
  if (command == "import") {
    if (emit.getNumOccurrences()) {
      llvm::errs() << "error: 'sfc import' always emits the imported IR; "
                      "use 'sfc compile --emit=...' to choose a stage\n";
      return 1;
    }
    emit = Emit::Spike;
  }
  return run();
}
