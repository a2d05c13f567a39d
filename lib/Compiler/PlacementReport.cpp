//===- PlacementReport.cpp - what the compiler decided, per op ------------===//
//
// Part of SparseFlow.
//
//===----------------------------------------------------------------------===//

#include "sparseflow/Compiler/PlacementReport.h"

#include "sparseflow/Dialect/Spike/SpikeOps.h"
#include "sparseflow/Dialect/Spike/SpikePlacement.h"
#include "sparseflow/Dialect/Spike/SpikeTargets.h"
#include "sparseflow/Dialect/SpikeCore/SpikeCorePasses.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Regex.h"

using namespace mlir;
using namespace sparseflow;
using spike::SpikeDialect;

namespace {

SmallVector<int64_t> shapeOf(Type type) {
  if (auto shaped = dyn_cast<ShapedType>(type); shaped && shaped.hasRank())
    return SmallVector<int64_t>(shaped.getShape());
  return {};
}

OpPlacement describe(Operation *op) {
  OpPlacement entry;
  entry.name = spike::getNodeName(op->getLoc());
  entry.op = spike::getOpKind(op).str();
  if (std::optional<spike::Target> target = spike::getTarget(op))
    entry.target = spike::stringifyTarget(*target).str();
  entry.spikeInput = op->hasAttr(SpikeDialect::getSpikeInputAttrName());
  if (auto size =
          op->getAttrOfType<IntegerAttr>(SpikeDialect::getBlockSizeAttrName()))
    entry.blockSize = size.getInt();
  if (op->getNumOperands() > 0)
    entry.inputShape = shapeOf(op->getOperand(0).getType());
  if (op->getNumResults() > 0)
    entry.outputShape = shapeOf(op->getResult(0).getType());
  return entry;
}

std::string shapeString(ArrayRef<int64_t> shape) {
  return llvm::join(llvm::map_range(shape,
                                    [](int64_t d) {
                                      return ShapedType::isDynamic(d)
                                                 ? std::string("?")
                                                 : std::to_string(d);
                                    }),
                    "x");
}

} // namespace

void sparseflow::forEachSpikeOpInOrder(
    ModuleOp module, function_ref<void(Operation *, func::FuncOp)> fn) {
  SymbolTable symbols(module);
  for (auto func : module.getOps<func::FuncOp>()) {
    if (func.isExternal() || !func.isPublic())
      continue;
    for (Operation &op : func.getBody().getOps()) {
      if (isa<SpikeDialect>(op.getDialect())) {
        fn(&op, nullptr);
        continue;
      }
      auto call = dyn_cast<func::CallOp>(op);
      auto callee =
          call ? symbols.lookup<func::FuncOp>(call.getCallee()) : nullptr;
      if (!callee || !spike::getTarget(callee))
        continue;
      for (Operation &inner : callee.getBody().getOps())
        if (isa<SpikeDialect>(inner.getDialect()))
          fn(&inner, callee);
    }
  }
}

PlacementReport PlacementReport::collect(ModuleOp module) {
  PlacementReport report;
  if (auto model = module->getAttrOfType<spike::ModelAttr>(
          SpikeDialect::getModelAttrName()))
    report.timesteps = model.getTimesteps();

  // A call to a partition lists the partition with its ops.
  func::FuncOp current;
  forEachSpikeOpInOrder(module, [&](Operation *op, func::FuncOp partition) {
    report.ops.push_back(describe(op));
    if (!partition)
      return;
    if (partition != current) {
      current = partition;
      PartitionPlacement entry;
      entry.name = partition.getSymName().str();
      entry.target =
          spike::stringifyTarget(*spike::getTarget(partition)).str();
      report.partitions.push_back(std::move(entry));
    }
    report.partitions.back().ops.push_back(report.ops.back().name);
  });
  return report;
}

void PlacementReport::collectSpikeCore(ModuleOp module) {
  module.walk([&](spikecore::LayerOp layer) {
    SpikeCoreLayerReport entry;
    entry.name = layer.getName().str();
    if (auto func = layer->getParentOfType<func::FuncOp>())
      entry.partition = func.getSymName().str();
    entry.output = spikecore::stringifyOutputKind(layer.getOutput()).str();
    entry.firstCore = layer.getFirstCore().value_or(0);
    entry.cores = layer.getCores().value_or(0);
    entry.neuronsPerCore = layer.getNeuronsPerCore().value_or(0);
    if (auto error = layer->getAttrOfType<DictionaryAttr>(
            spikecore::kErrorAttrName))
      for (NamedAttribute value : error)
        if (auto number = dyn_cast<FloatAttr>(value.getValue()))
          entry.error.push_back(
              {value.getName().str(), number.getValueAsDouble()});
    spikecoreLayers.push_back(std::move(entry));
  });
}

void PlacementReport::printTable(raw_ostream &os) const {
  struct Column {
    StringRef title;
    std::function<std::string(const OpPlacement &)> cell;
  };
  const Column columns[] = {
      {"node", [](const OpPlacement &o) { return o.name.empty() ? "-" : o.name; }},
      {"op", [](const OpPlacement &o) { return o.op; }},
      {"input", [](const OpPlacement &o) { return shapeString(o.inputShape); }},
      {"output",
       [](const OpPlacement &o) { return shapeString(o.outputShape); }},
      {"spikes",
       [](const OpPlacement &o) { return std::string(o.spikeInput ? "yes" : "no"); }},
      {"block",
       [](const OpPlacement &o) {
         return o.blockSize ? std::to_string(*o.blockSize) : std::string("-");
       }},
      {"target",
       [](const OpPlacement &o) { return o.target.value_or("-"); }},
  };
  SmallVector<size_t> widths;
  for (const Column &column : columns) {
    size_t width = column.title.size();
    for (const OpPlacement &op : ops)
      width = std::max(width, column.cell(op).size());
    widths.push_back(width);
  }
  auto printRow = [&](auto cellOf) {
    for (auto [index, column] : llvm::enumerate(columns)) {
      std::string cell = cellOf(column);
      os << cell;
      if (index + 1 != std::size(columns))
        os.indent(widths[index] - cell.size() + 2);
    }
    os << "\n";
  };
  printRow([](const Column &c) { return c.title.str(); });
  for (const OpPlacement &op : ops)
    printRow([&](const Column &c) { return c.cell(op); });
  os << "timesteps: " << timesteps << "\n";
  if (partitions.empty())
    return;
  size_t nameWidth = 0;
  for (const PartitionPlacement &partition : partitions)
    nameWidth = std::max(nameWidth, partition.name.size());
  os << "partitions:\n";
  for (const PartitionPlacement &partition : partitions)
    os << "  " << llvm::left_justify(partition.name, nameWidth) << "  "
       << llvm::left_justify(partition.target, 9) << "  "
       << llvm::join(partition.ops, ", ") << "\n";
  if (spikecoreLayers.empty())
    return;
  os << "spikecore layers (cores, neurons per core, quantization error):\n";
  for (const SpikeCoreLayerReport &layer : spikecoreLayers) {
    os << "  " << layer.name << "  " << layer.output << "  cores "
       << layer.firstCore << "-" << layer.firstCore + layer.cores - 1 << "  "
       << layer.neuronsPerCore << "/core ";
    for (const auto &[key, value] : layer.error)
      os << " " << key << "=" << llvm::format("%.3g", value);
    os << "\n";
  }
}

void PlacementReport::printJSON(raw_ostream &os) const {
  // One op or partition per line: readable, and still plain JSON.
  auto printCompact = [&](function_ref<void(llvm::json::OStream &)> body) {
    llvm::json::OStream json(os);
    json.object([&] { body(json); });
  };
  auto printShape = [](llvm::json::OStream &json, StringRef key,
                       ArrayRef<int64_t> shape) {
    json.attributeArray(key, [&] {
      for (int64_t d : shape)
        ShapedType::isDynamic(d) ? json.value(nullptr) : json.value(d);
    });
  };
  os << "{\n  \"timesteps\": " << timesteps << ",\n  \"ops\": [";
  for (const OpPlacement &op : ops) {
    os << (&op == &ops.front() ? "\n    " : ",\n    ");
    printCompact([&](llvm::json::OStream &json) {
      json.attribute("name", op.name);
      json.attribute("op", op.op);
      json.attribute("target", op.target ? llvm::json::Value(*op.target)
                                         : llvm::json::Value(nullptr));
      json.attribute("spike_input", op.spikeInput);
      json.attribute("block_size", op.blockSize
                                       ? llvm::json::Value(*op.blockSize)
                                       : llvm::json::Value(nullptr));
      printShape(json, "input_shape", op.inputShape);
      printShape(json, "output_shape", op.outputShape);
    });
  }
  os << (ops.empty() ? "],\n" : "\n  ],\n") << "  \"partitions\": [";
  for (const PartitionPlacement &partition : partitions) {
    os << (&partition == &partitions.front() ? "\n    " : ",\n    ");
    printCompact([&](llvm::json::OStream &json) {
      json.attribute("name", partition.name);
      json.attribute("target", partition.target);
      json.attributeArray("ops", [&] {
        for (const std::string &name : partition.ops)
          json.value(name);
      });
    });
  }
  os << (partitions.empty() ? "]" : "\n  ]") << ",\n  \"spikecore_layers\": [";
  for (const SpikeCoreLayerReport &layer : spikecoreLayers) {
    os << (&layer == &spikecoreLayers.front() ? "\n    " : ",\n    ");
    printCompact([&](llvm::json::OStream &json) {
      json.attribute("name", layer.name);
      json.attribute("partition", layer.partition);
      json.attribute("output", layer.output);
      json.attribute("first_core", layer.firstCore);
      json.attribute("cores", layer.cores);
      json.attribute("neurons_per_core", layer.neuronsPerCore);
      json.attributeObject("error", [&] {
        for (const auto &[key, value] : layer.error)
          json.attribute(key, value);
      });
    });
  }
  os << (spikecoreLayers.empty() ? "]\n}\n" : "\n  ]\n}\n");
}

void PlacementReport::printPlacementFile(raw_ostream &os) const {
  llvm::json::Array rules;
  for (const OpPlacement &op : ops) {
    // A rule without a node name would match every op of the kind.
    if (op.name.empty())
      continue;
    llvm::json::Object rule{{"op", op.op},
                            {"node", llvm::Regex::escape(op.name)}};
    if (op.target)
      rule["target"] = *op.target;
    if (op.blockSize)
      rule["block_size"] = *op.blockSize;
    if (op.target || op.blockSize)
      rules.push_back(std::move(rule));
  }
  llvm::json::Value root =
      llvm::json::Object{{"version", 1}, {"rules", std::move(rules)}};
  os << llvm::formatv("{0:2}", root) << "\n";
}
