//===- sfc.cpp - the SparseFlow compiler driver ---------------------------===//
//
// Part of SparseFlow.
//
//   sfc compile model.onnx --emit=spike [-o out.mlir] [--timesteps=T]
//       [--encoding=direct|rate|spikes] [--readout=mean|sum|last|all]
//       [--batch=N] [--split-input-file] [--verify-diagnostics]
//   sfc import model.onnx ...        same as `compile --emit=spike`
//
// A thin command line over the importer library; every diagnostic goes
// through MLIR's source manager, so text models get file:line:col errors.
//
//===----------------------------------------------------------------------===//

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Support/ToolUtilities.h"
#include "sparseflow/Dialect/Spike/SpikeDialect.h"
#include "sparseflow/Target/ONNX/ONNXImporter.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace sparseflow;
namespace cl = llvm::cl;

namespace {

enum class EmitStage { Spike };

cl::OptionCategory sfcCategory("sfc options");

cl::opt<std::string> inputFilename(cl::Positional, cl::Required,
                                   cl::desc("<model.onnx | model.textproto>"),
                                   cl::cat(sfcCategory));
cl::opt<std::string> outputFilename("o",
                                    cl::desc("Output file ('-' for "
                                             "stdout)"),
                                    cl::value_desc("filename"), cl::init("-"),
                                    cl::cat(sfcCategory));
cl::opt<EmitStage>
    emitStage("emit", cl::desc("The stage to stop after and print"),
              cl::values(clEnumValN(EmitStage::Spike, "spike",
                                    "the imported spike-dialect IR")),
              cl::init(EmitStage::Spike), cl::cat(sfcCategory));
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

/// Imports one model buffer and prints the result to `os`.
LogicalResult processBuffer(std::unique_ptr<llvm::MemoryBuffer> buffer,
                            raw_ostream &os, const ONNXImportOptions &options) {
  DialectRegistry registry;
  registry
      .insert<spike::SpikeDialect, func::FuncDialect, arith::ArithDialect>();
  MLIRContext context(registry);
  // Diagnostics point at the ONNX node; printing the half-built op adds noise.
  context.printOpOnDiagnostic(false);

  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(buffer), llvm::SMLoc());
  if (verifyDiagnostics) {
    SourceMgrDiagnosticVerifierHandler handler(sourceMgr, &context);
    (void)importONNXModel(sourceMgr, &context, options);
    return handler.verify();
  }
  SourceMgrDiagnosticHandler handler(sourceMgr, &context);
  OwningOpRef<ModuleOp> module = importONNXModel(sourceMgr, &context, options);
  if (!module)
    return failure();
  module->print(os);
  os << "\n";
  return success();
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
  return run();
}
