//===- sfc.cpp - the SparseFlow compiler driver ---------------------------===//
//
// Part of SparseFlow.
//
//   sfc compile model.onnx|model.nir [-o model.sfa] [--dt=SECONDS]
//       [--emit=spike|tagged|partitioned|spikecore|spikecore-json|asm|plan|
//               plan-json|artifact|dram|dram-map|dram-map-json]
//       [--targets=host,gpu,spikecore] [--block-size=auto|0|8|16]
//       [--placement=FILE.json] [--save-placement=FILE.json]
//       [--spikecore-config=FILE.json] [--per-channel]
//       [--calibration=INPUTS.npy] [--report] [--report-json=PATH]
//       [--timesteps=T] [--encoding=direct|rate|spikes]
//       [--readout=mean|sum|last|all] [--batch=N] [--split-input-file]
//       [--verify-diagnostics]
//   sfc import model.onnx ...        same as `compile --emit=spike`
//   sfc estimate model.onnx --accelerator=ACC.yaml
//       (--profile=PROFILE.json | --density=D) [--format=text|json]
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
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Support/ToolUtilities.h"
#include "sparseflow/Compiler/CostModel.h"
#include "sparseflow/Compiler/HardwareLayers.h"
#include "sparseflow/Compiler/PlacementReport.h"
#include "sparseflow/Compiler/SpikePipeline.h"
#include "sparseflow/Dialect/Plan/PlanDialect.h"
#include "sparseflow/Dialect/Spike/SpikeDialect.h"
#include "sparseflow/Dialect/SpikeCore/SpikeCoreDialect.h"
#include "sparseflow/Target/Artifact/ArtifactWriter.h"
#include "sparseflow/Target/NIR/NIRImporter.h"
#include "sparseflow/Target/ONNX/ONNXImporter.h"
#include "sparseflow/format/dram_image.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FormatVariadic.h"
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
enum class Emit {
  Spike,
  Tagged,
  Partitioned,
  SpikeCore,
  SpikeCoreJSON,
  Asm,
  Plan,
  PlanJSON,
  Artifact,
  Dram,
  DramMap,
  DramMapJSON
};

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
        clEnumValN(Emit::SpikeCoreJSON, "spikecore-json",
                   "the quantized, allocated SpikeCore layers as JSON"),
        clEnumValN(Emit::Asm, "asm",
                   "the SpikeCore program as text assembly (sf-asm reads "
                   "it)"),
        clEnumValN(Emit::Plan, "plan",
                   "the execution plan (plan dialect): kernels, weight "
                   "layouts, arena offsets"),
        clEnumValN(Emit::PlanJSON, "plan-json",
                   "the tables the artifact stores, as JSON"),
        clEnumValN(Emit::Artifact, "artifact",
                   "the .sfa artifact the runtime executes (default)"),
        clEnumValN(Emit::Dram, "dram",
                   "the DRAM spine image of the spike-consuming layers"),
        clEnumValN(Emit::DramMap, "dram-map",
                   "the DRAM image's memory map as text"),
        clEnumValN(Emit::DramMapJSON, "dram-map-json",
                   "the DRAM image's memory map as JSON")),
    cl::init(Emit::Artifact), cl::cat(sfcCategory));

/// `sfc estimate`: the cost model instead of an --emit.
bool estimateCommand = false;

/// The DRAM spine image an artifact embeds with --dram-image (and
/// --emit=plan-json describes), laid out from the spike layers.
std::vector<uint8_t> dramImage;

/// --emit=plan prints constants of more elements as
/// `dense_resource<__elided__>`.
constexpr int64_t kElideElementsOver = 16;

PipelineStage lastStage() {
  if (estimateCommand)
    return PipelineStage::Partitioned;
  switch (emit) {
  case Emit::Spike:
    return PipelineStage::Imported;
  case Emit::Tagged:
    return PipelineStage::Tagged;
  case Emit::Partitioned:
    return PipelineStage::Partitioned;
  case Emit::SpikeCore:
  case Emit::SpikeCoreJSON:
  case Emit::Asm:
  case Emit::Dram:
  case Emit::DramMap:
  case Emit::DramMapJSON:
    return PipelineStage::SpikeCore;
  case Emit::Plan:
  case Emit::PlanJSON:
  case Emit::Artifact:
    return PipelineStage::Plan;
  }
  llvm_unreachable("unknown --emit");
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
cl::opt<bool> fuseNeurons(
    "fuse-neurons",
    cl::desc("Run each host sparse conv2d/linear and the LIF neurons it "
             "feeds as one kernel (default); =false keeps them apart"),
    cl::init(true), cl::cat(sfcCategory));
cl::opt<bool> dramImageOption(
    "dram-image",
    cl::desc("Embed the DRAM spine image of the spike-consuming layers "
             "(docs/dram-format.md) in the artifact, for Model.dram() and "
             "spine recording; it copies every weight tile"),
    cl::init(false), cl::cat(sfcCategory));
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
cl::opt<double> dt("dt",
                   cl::desc("Timestep in seconds for NIR models, which are "
                            "continuous-time (docs/nir.md); required for "
                            "them, refused for ONNX"),
                   cl::cat(sfcCategory));
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
cl::OptionCategory estimateCategory("sfc estimate options");
cl::opt<std::string> acceleratorFile(
    "accelerator",
    cl::desc("Accelerator description (ZigZag-style YAML; presets in "
             "hardware/)"),
    cl::value_desc("ACC.yaml"), cl::cat(estimateCategory));
cl::opt<std::string> profileFile(
    "profile", cl::desc("Spike activity measured by sf-run --profile-json"),
    cl::value_desc("PROFILE.json"), cl::cat(estimateCategory));
cl::opt<double> density(
    "density",
    cl::desc("Spikes per neuron and step of every spike input, when no "
             "profile is given"),
    cl::value_desc("D"), cl::cat(estimateCategory));
enum class EstimateFormat { Text, JSON };
cl::opt<EstimateFormat> estimateFormat(
    "format", cl::desc("How the estimate is printed"),
    cl::values(clEnumValN(EstimateFormat::Text, "text", "tables (default)"),
               clEnumValN(EstimateFormat::JSON, "json",
                          "per layer, level and operand")),
    cl::init(EstimateFormat::Text), cl::cat(estimateCategory));
cl::opt<hw::Objective> optimize(
    "optimize", cl::desc("What the mapping search minimises per layer"),
    cl::values(clEnumValN(hw::Objective::Energy, "energy", "energy (default)"),
               clEnumValN(hw::Objective::Latency, "latency", "cycles"),
               clEnumValN(hw::Objective::EnergyDelay, "edp",
                          "energy-delay product")),
    cl::init(hw::Objective::Energy), cl::cat(estimateCategory));
cl::opt<double> mappingDensity(
    "mapping-density",
    cl::desc("Choose each layer's mapping for this spike density (1: the "
             "dense layer) instead of the activity being estimated"),
    cl::value_desc("D"), cl::cat(estimateCategory));

cl::opt<bool> verifyDiagnostics(
    "verify-diagnostics",
    cl::desc("Check emitted diagnostics against expected-* comments in the "
             "input (text models)"),
    cl::init(false), cl::cat(sfcCategory));

constexpr const char *kUsage = R"(sfc - the SparseFlow compiler

USAGE: sfc <command> <model> [options]

COMMANDS:
  compile   import an ONNX or NIR model and compile it (--emit selects the
            stage; NIR models need --dt=SECONDS)
  import    import a model and print its spike IR (compile --emit=spike)
  estimate  energy and latency of the model on an accelerator description

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
  pipelineOptions.sparseKernels = sparseKernels.getValue();
  pipelineOptions.fuseNeurons = fuseNeurons.getValue();
  PipelineStage last = lastStage();
  bool spikecoreStage =
      last == PipelineStage::SpikeCore || last == PipelineStage::Plan;
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
  if (last == PipelineStage::Plan) {
    // The DRAM image describes the spike layers, so it is laid out from
    // them, once the plan (which checks the model's limits first) is made.
    OwningOpRef<ModuleOp> spikeLayers = module.clone();
    PassManager planPm(module->getName());
    if (failed(applyPassManagerCLOptions(planPm)))
      return failure();
    buildPlanStage(planPm, pipelineOptions);
    if (failed(planPm.run(module)))
      return failure();
    if (dramImageOption && (emit == Emit::Artifact || emit == Emit::PlanJSON) &&
        failed(buildDramImage(*spikeLayers, dramImage)))
      return failure();
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

/// Reads `path` or reports why it cannot.
std::unique_ptr<llvm::MemoryBuffer> readFile(StringRef path) {
  std::string errorMessage;
  std::unique_ptr<llvm::MemoryBuffer> file =
      openInputFile(path, &errorMessage);
  if (!file)
    llvm::errs() << "error: " << errorMessage << "\n";
  return file;
}

/// `sfc estimate`: the cost model on the partitioned module.
LogicalResult printEstimate(ModuleOp module, raw_ostream &os) {
  auto accFile = readFile(acceleratorFile);
  if (!accFile)
    return failure();
  std::optional<hw::Accelerator> accelerator = hw::Accelerator::parse(
      accFile->getBuffer(), acceleratorFile, llvm::errs());
  if (!accelerator)
    return failure();
  hw::EstimateOptions activity;
  activity.objective = optimize;
  if (mappingDensity.getNumOccurrences())
    activity.mappingDensity = mappingDensity;
  std::optional<hw::Profile> profile;
  if (!profileFile.empty()) {
    auto file = readFile(profileFile);
    if (!file)
      return failure();
    profile = hw::Profile::parse(file->getBuffer(), profileFile, llvm::errs());
    if (!profile)
      return failure();
    activity.profile = &*profile;
    activity.source = "measured (" + profileFile + ")";
  } else {
    activity.density = density;
    activity.source = llvm::formatv("stated density {0}", density.getValue());
  }
  FailureOr<std::vector<HardwareLayer>> layers = collectHardwareLayers(module);
  if (failed(layers))
    return failure();
  std::optional<hw::Estimate> estimate = hw::estimate(
      *layers, getTimesteps(module), *accelerator, activity, llvm::errs());
  if (!estimate)
    return failure();
  if (estimateFormat == EstimateFormat::JSON)
    estimate->printJSON(os);
  else
    estimate->printText(os);
  return success();
}

/// --emit=dram, dram-map, dram-map-json.
LogicalResult emitDram(ModuleOp module, raw_ostream &os) {
  std::vector<uint8_t> bytes;
  if (failed(buildDramImage(module, bytes)))
    return failure();
  if (bytes.empty())
    return module.emitError("the model has no spike-consuming conv2d or "
                            "linear layer, so no DRAM image");
  if (emit == Emit::Dram) {
    os.write(reinterpret_cast<const char *>(bytes.data()), bytes.size());
    return success();
  }
  dram::Image image;
  if (dram::Result parsed = dram::Image::parse(std::move(bytes), image);
      !parsed.ok())
    return module.emitError("internal error: the DRAM image does not "
                            "validate: ")
           << parsed.message;
  os << (emit == Emit::DramMap ? image.mapText() : image.mapJSON());
  return success();
}

/// Writes the compiled module in the form --emit asks for.
LogicalResult emitOutput(ModuleOp module, raw_ostream &os) {
  if (estimateCommand)
    return printEstimate(module, os);
  if (emit == Emit::Dram || emit == Emit::DramMap ||
      emit == Emit::DramMapJSON)
    return emitDram(module, os);
  if (emit == Emit::Artifact)
    return writeArtifact(module, dramImage, os);
  if (emit == Emit::PlanJSON)
    return printPlanJSON(module, dramImage, os);
  if (emit == Emit::Asm)
    return spikecore::printAssembly(module, os);
  if (emit == Emit::SpikeCoreJSON)
    return spikecore::printLayersJSON(module, os);
  OpPrintingFlags flags;
  if (emit == Emit::Plan)
    flags.elideLargeElementsAttrs(kElideElementsOver);
  module->print(os, flags);
  os << "\n";
  return success();
}

/// Imports one model buffer, compiles it and prints the result to `os`.
LogicalResult processBuffer(std::unique_ptr<llvm::MemoryBuffer> buffer,
                            raw_ostream &os, const ONNXImportOptions &options) {
  // NIR files are HDF5, recognised by their signature whatever their name.
  bool nir = isHDF5Buffer(buffer->getBuffer());
  DialectRegistry registry;
  registry.insert<plan::PlanDialect, spike::SpikeDialect,
                  spikecore::SpikeCoreDialect, func::FuncDialect,
                  arith::ArithDialect>();
  MLIRContext context(registry);
  // Diagnostics point at the ONNX node; printing the half-built op adds noise.
  context.printOpOnDiagnostic(false);

  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(buffer), llvm::SMLoc());
  auto importModel = [&]() -> OwningOpRef<ModuleOp> {
    if (!nir) {
      if (dt.getNumOccurrences()) {
        emitError(UnknownLoc::get(&context))
            << "--dt applies to NIR models; an ONNX model's neurons are "
               "already discrete";
        return nullptr;
      }
      return importONNXModel(sourceMgr, &context, options);
    }
    NIRImportOptions nirOptions;
    if (dt.getNumOccurrences())
      nirOptions.dt = dt;
    nirOptions.batch = options.batch;
    nirOptions.timesteps = options.timesteps;
    nirOptions.encoding = options.encoding;
    nirOptions.readout = options.readout;
    return importNIRModel(sourceMgr, &context, nirOptions);
  };
  if (verifyDiagnostics) {
    SourceMgrDiagnosticVerifierHandler handler(sourceMgr, &context);
    if (OwningOpRef<ModuleOp> module = importModel())
      if (succeeded(compile(*module)))
        (void)emitOutput(*module, llvm::nulls());
    return handler.verify();
  }
  SourceMgrDiagnosticHandler handler(sourceMgr, &context);
  OwningOpRef<ModuleOp> module = importModel();
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
  if (estimateCommand) {
    if (acceleratorFile.empty()) {
      llvm::errs() << "error: 'sfc estimate' needs --accelerator=ACC.yaml\n";
      return 1;
    }
    if (profileFile.empty() == !density.getNumOccurrences()) {
      llvm::errs() << "error: 'sfc estimate' needs the spike activity: "
                      "--profile=PROFILE.json (measured by sf-run "
                      "--profile-json) or --density=D, not both\n";
      return 1;
    }
    for (cl::opt<double> *option : {&density, &mappingDensity})
      if (option->getNumOccurrences() &&
          !(option->getValue() > 0 && option->getValue() <= 1)) {
        llvm::errs() << llvm::formatv("error: --{0} must be in (0, 1], found "
                                      "{1}\n",
                                      option->ArgStr, option->getValue());
        return 1;
      }
  }
  bool binaryOutput =
      (emit == Emit::Artifact || emit == Emit::Dram) && !verifyDiagnostics &&
      !estimateCommand;
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
  if (command != "compile" && command != "import" && command != "estimate") {
    llvm::errs() << "error: unknown command '" << command << "'\n\n" << kUsage;
    return 1;
  }

  registerAsmPrinterCLOptions();
  registerMLIRContextCLOptions();
  registerPassManagerCLOptions();
  // LLVM's own global options are irrelevant here; --help-hidden lists them
  // and MLIR's printing options (e.g. --mlir-elide-elementsattrs-if-larger).
  estimateCommand = command == "estimate";
  if (estimateCommand)
    cl::HideUnrelatedOptions({&sfcCategory, &estimateCategory});
  else
    cl::HideUnrelatedOptions(sfcCategory);
  // Drop the command word so the options parse as `sfc-<command> ...`.
  std::string program = ("sfc " + command).str();
  SmallVector<const char *> args{program.c_str()};
  args.append(argv + 2, argv + argc);
  cl::ParseCommandLineOptions(
      static_cast<int>(args.size()), args.data(),
      command == "import"
          ? "sfc import: import an ONNX model and print its spike IR\n"
      : estimateCommand
          ? "sfc estimate: energy and latency of an ONNX spiking neural "
            "network on an accelerator (docs/hardware-modelling.md)\n"
          : "sfc compile: compile an ONNX spiking neural network\n");
  if (estimateCommand && emit.getNumOccurrences()) {
    llvm::errs() << "error: 'sfc estimate' prints an estimate; --emit "
                    "belongs to 'sfc compile'\n";
    return 1;
  }
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
