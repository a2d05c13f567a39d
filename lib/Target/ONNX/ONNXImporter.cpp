//===- ONNXImporter.cpp - ONNX model to spike dialect ---------------------===//
//
// Part of SparseFlow.
//
// Model- and graph-level import: parsing (binary protobuf or text format),
// graph inputs, initializers, node dispatch, graph outputs and model
// metadata. The per-op handlers live in ONNXOpImporters.cpp.
//
//===----------------------------------------------------------------------===//

#include "sparseflow/Target/ONNX/ONNXImporter.h"

#include "ONNXGraphImporter.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Verifier.h"
#include "sparseflow/Dialect/Spike/SpikeDialect.h"
#include "sparseflow/Dialect/Spike/SpikeOps.h"
#include "sparseflow/Support/InputLimits.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/SourceMgr.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>
#include <google/protobuf/wire_format_lite.h>
#include <onnx/defs/schema.h>

#include <limits>
#include <queue>

using namespace mlir;
using namespace sparseflow;
using namespace sparseflow::onnx_import;

//===----------------------------------------------------------------------===//
// Types and tensors
//===----------------------------------------------------------------------===//

Type onnx_import::convertElementType(MLIRContext *context, int32_t dataType) {
  Builder b(context);
  switch (dataType) {
  case onnx::TensorProto::FLOAT:
    return b.getF32Type();
  case onnx::TensorProto::DOUBLE:
    return b.getF64Type();
  case onnx::TensorProto::FLOAT16:
    return b.getF16Type();
  case onnx::TensorProto::BFLOAT16:
    return b.getBF16Type();
  case onnx::TensorProto::BOOL:
    return b.getI1Type();
  case onnx::TensorProto::INT8:
    return b.getIntegerType(8);
  case onnx::TensorProto::INT16:
    return b.getIntegerType(16);
  case onnx::TensorProto::INT32:
    return b.getIntegerType(32);
  case onnx::TensorProto::INT64:
    return b.getIntegerType(64);
  case onnx::TensorProto::UINT8:
    return b.getIntegerType(8, /*isSigned=*/false);
  case onnx::TensorProto::UINT16:
    return b.getIntegerType(16, /*isSigned=*/false);
  case onnx::TensorProto::UINT32:
    return b.getIntegerType(32, /*isSigned=*/false);
  case onnx::TensorProto::UINT64:
    return b.getIntegerType(64, /*isSigned=*/false);
  default:
    return {};
  }
}

StringRef onnx_import::dataTypeName(int32_t dataType) {
  if (onnx::TensorProto::DataType_IsValid(dataType))
    return onnx::TensorProto::DataType_Name(
        static_cast<onnx::TensorProto::DataType>(dataType));
  return "<invalid>";
}

FailureOr<DenseElementsAttr>
onnx_import::convertTensorProto(const onnx::TensorProto &tensor,
                                MLIRContext *context, Location loc) {
  auto fail = [&]() {
    return emitError(loc) << "tensor '" << tensor.name() << "': ";
  };
  if (tensor.data_location() == onnx::TensorProto::EXTERNAL)
    return fail() << "data stored outside the model file (data_location = "
                     "EXTERNAL) is not supported; export with the data "
                     "embedded";
  if (tensor.segment().begin() != 0 || tensor.segment().end() != 0)
    return fail() << "segmented tensors are not supported";

  SmallVector<int64_t> shape;
  int64_t count = 1;
  for (int64_t dim : tensor.dims()) {
    if (dim < 0)
      return fail() << "negative dimension " << dim;
    if (dim > 0 && count > std::numeric_limits<int32_t>::max() / dim)
      return fail() << "too many elements";
    shape.push_back(dim);
    count *= dim;
  }
  Type elementType = convertElementType(context, tensor.data_type());
  if (!elementType)
    return fail() << "unsupported data type "
                  << dataTypeName(tensor.data_type());
  auto type = RankedTensorType::get(shape, elementType);

  auto expectCount = [&](int64_t found) -> LogicalResult {
    if (found == count)
      return success();
    return fail() << "holds " << found << " values, but its shape needs "
                  << count;
  };

  unsigned bitWidth = elementType.getIntOrFloatBitWidth();
  if (tensor.has_raw_data()) {
    const std::string &raw = tensor.raw_data();
    size_t byteWidth = std::max(1u, bitWidth / 8);
    if (raw.size() % byteWidth != 0 ||
        failed(expectCount(static_cast<int64_t>(raw.size() / byteWidth))))
      return failure();
    if (elementType.isInteger(1)) {
      SmallVector<bool> values;
      for (char byte : raw)
        values.push_back(byte != 0);
      return DenseElementsAttr::get(type, values);
    }
    return DenseElementsAttr::getFromRawBuffer(
        type, ArrayRef<char>(raw.data(), raw.size()));
  }

  // Typed repeated fields hold exactly the element type's values.
  auto fromField = [&](const auto &field) -> FailureOr<DenseElementsAttr> {
    if (failed(expectCount(field.size())))
      return failure();
    return DenseElementsAttr::get(type, llvm::ArrayRef(field.data(), count));
  };
  switch (tensor.data_type()) {
  case onnx::TensorProto::FLOAT:
    return fromField(tensor.float_data());
  case onnx::TensorProto::DOUBLE:
    return fromField(tensor.double_data());
  case onnx::TensorProto::INT64:
    return fromField(tensor.int64_data());
  case onnx::TensorProto::UINT32:
  case onnx::TensorProto::UINT64: {
    if (failed(expectCount(tensor.uint64_data_size())))
      return failure();
    SmallVector<APInt> values;
    for (uint64_t v : tensor.uint64_data())
      values.emplace_back(bitWidth, v);
    return DenseElementsAttr::get(type, values);
  }
  case onnx::TensorProto::FLOAT16:
  case onnx::TensorProto::BFLOAT16: {
    // int32_data holds the 16-bit patterns.
    if (failed(expectCount(tensor.int32_data_size())))
      return failure();
    const llvm::fltSemantics &semantics =
        cast<FloatType>(elementType).getFloatSemantics();
    SmallVector<APFloat> values;
    for (int32_t bits : tensor.int32_data())
      values.emplace_back(semantics, APInt(16, static_cast<uint16_t>(bits)));
    return DenseElementsAttr::get(type, values);
  }
  default: {
    // BOOL and the narrow integer types live in int32_data.
    if (failed(expectCount(tensor.int32_data_size())))
      return failure();
    if (elementType.isInteger(1)) {
      SmallVector<bool> values;
      for (int32_t v : tensor.int32_data())
        values.push_back(v != 0);
      return DenseElementsAttr::get(type, values);
    }
    SmallVector<APInt> values;
    for (int32_t v : tensor.int32_data())
      values.push_back(APInt(64, static_cast<uint64_t>(v), /*isSigned=*/true)
                           .trunc(bitWidth));
    return DenseElementsAttr::get(type, values);
  }
  }
}

//===----------------------------------------------------------------------===//
// GraphImporter
//===----------------------------------------------------------------------===//

LogicalResult GraphImporter::define(StringRef name, Value value, Location loc) {
  if (isDefined(name))
    return emitError(loc) << "value '" << name << "' is defined more than once";
  values_[name] = value;
  return success();
}

LogicalResult GraphImporter::defineConstant(StringRef name,
                                            DenseElementsAttr value,
                                            Location loc) {
  if (isDefined(name))
    return emitError(loc) << "value '" << name << "' is defined more than once";
  constants_[name] = value;
  return success();
}

Value GraphImporter::lookup(StringRef name) {
  if (Value value = values_.lookup(name))
    return value;
  DenseElementsAttr constant = constants_.lookup(name);
  if (!constant)
    return {};
  // Materialize at the top of the function, after earlier constants, so the
  // value dominates every use and constants keep their first-use order.
  OpBuilder::InsertionGuard guard(builder_);
  if (lastConstant_)
    builder_.setInsertionPointAfter(lastConstant_);
  else
    builder_.setInsertionPointToStart(entryBlock_);
  auto op = builder_.create<arith::ConstantOp>(
      NameLoc::get(builder_.getStringAttr(name)), constant);
  lastConstant_ = op;
  values_[name] = op.getResult();
  return op.getResult();
}

//===----------------------------------------------------------------------===//
// NodeContext
//===----------------------------------------------------------------------===//

NodeContext::NodeContext(GraphImporter &graph, const onnx::NodeProto &node,
                         Location loc, int64_t version, std::string where)
    : graph_(graph), node_(node), loc_(loc), version_(version),
      where_(std::move(where)) {}

OpBuilder &NodeContext::builder() { return graph_.builder(); }

InFlightDiagnostic NodeContext::emitError() {
  InFlightDiagnostic diag = mlir::emitError(loc_);
  diag << node_.op_type() << " '" << node_.name() << "' (" << where_ << "): ";
  return diag;
}

bool NodeContext::hasInput(unsigned index) const {
  return index < static_cast<unsigned>(node_.input_size()) &&
         !node_.input(index).empty();
}

Value NodeContext::input(unsigned index) {
  return hasInput(index) ? graph_.lookup(node_.input(index)) : Value();
}

FailureOr<Value> NodeContext::tensorInput(unsigned index, bool allowSpikes) {
  Value value = input(index);
  if (!value)
    return emitError() << "missing input #" << index;
  auto type = dyn_cast<RankedTensorType>(value.getType());
  Type elementType = type ? type.getElementType() : Type();
  if (type && (isa<FloatType>(elementType) ||
               (allowSpikes && elementType.isInteger(1))))
    return value;
  return emitError() << "input #" << index << " ('" << node_.input(index)
                     << "') must be a floating-point tensor"
                     << (allowSpikes ? " or spikes" : "") << ", found "
                     << value.getType();
}

DenseElementsAttr NodeContext::constantInput(unsigned index) {
  return hasInput(index) ? graph_.lookupConstant(node_.input(index))
                         : DenseElementsAttr();
}

bool NodeContext::hasOutput(unsigned index) const {
  return index < static_cast<unsigned>(node_.output_size()) &&
         !node_.output(index).empty();
}

// The dispatcher has checked that the node's outputs are new names, so these
// definitions cannot collide.
void NodeContext::setOutput(unsigned index, Value value) {
  if (hasOutput(index))
    (void)graph_.define(node_.output(index), value, loc_);
}

LogicalResult NodeContext::setResult(FailureOr<Value> result) {
  if (failed(result))
    return failure();
  setOutput(0, *result);
  return success();
}

void NodeContext::setConstantOutput(unsigned index, DenseElementsAttr value) {
  if (hasOutput(index))
    (void)graph_.defineConstant(node_.output(index), value, loc_);
}

const onnx::AttributeProto *NodeContext::attribute(StringRef name) {
  for (const onnx::AttributeProto &attr : node_.attribute())
    if (attr.name() == name) {
      used_.insert(name);
      return &attr;
    }
  return nullptr;
}

FailureOr<const onnx::AttributeProto *>
NodeContext::typedAttribute(StringRef name,
                            onnx::AttributeProto::AttributeType type) {
  const onnx::AttributeProto *attr = attribute(name);
  if (!attr || attr->type() == type)
    return attr;
  return emitError() << "attribute '" << name << "' must be of type "
                     << onnx::AttributeProto::AttributeType_Name(type)
                     << ", found "
                     << onnx::AttributeProto::AttributeType_Name(attr->type());
}

FailureOr<std::optional<int64_t>> NodeContext::getInt(StringRef name) {
  auto attr = typedAttribute(name, onnx::AttributeProto::INT);
  if (failed(attr))
    return failure();
  return *attr ? std::optional<int64_t>((*attr)->i()) : std::nullopt;
}

FailureOr<std::optional<float>> NodeContext::getFloat(StringRef name) {
  auto attr = typedAttribute(name, onnx::AttributeProto::FLOAT);
  if (failed(attr))
    return failure();
  return *attr ? std::optional<float>((*attr)->f()) : std::nullopt;
}

FailureOr<std::optional<std::string>> NodeContext::getString(StringRef name) {
  auto attr = typedAttribute(name, onnx::AttributeProto::STRING);
  if (failed(attr))
    return failure();
  return *attr ? std::optional<std::string>((*attr)->s()) : std::nullopt;
}

FailureOr<std::optional<SmallVector<int64_t>>>
NodeContext::getInts(StringRef name) {
  auto attr = typedAttribute(name, onnx::AttributeProto::INTS);
  if (failed(attr))
    return failure();
  if (!*attr)
    return std::optional<SmallVector<int64_t>>();
  return std::optional<SmallVector<int64_t>>(
      SmallVector<int64_t>((*attr)->ints().begin(), (*attr)->ints().end()));
}

FailureOr<std::optional<SmallVector<float>>>
NodeContext::getFloatList(StringRef name) {
  const onnx::AttributeProto *attr = attribute(name);
  if (!attr)
    return std::optional<SmallVector<float>>();
  if (attr->type() == onnx::AttributeProto::FLOAT)
    return std::optional<SmallVector<float>>(SmallVector<float>{attr->f()});
  if (attr->type() == onnx::AttributeProto::FLOATS)
    return std::optional<SmallVector<float>>(
        SmallVector<float>(attr->floats().begin(), attr->floats().end()));
  return emitError() << "attribute '" << name
                     << "' must be of type FLOAT or FLOATS, found "
                     << onnx::AttributeProto::AttributeType_Name(attr->type());
}

LogicalResult NodeContext::checkAllAttributesUsed() {
  for (const onnx::AttributeProto &attr : node_.attribute())
    if (!used_.contains(attr.name()))
      return emitError() << "attribute '" << attr.name()
                         << "' is not supported";
  return success();
}

//===----------------------------------------------------------------------===//
// Model import
//===----------------------------------------------------------------------===//

namespace {

/// Where things are in the source: line/column positions when the model came
/// as text, names otherwise.
class SourceLocations {
public:
  SourceLocations(MLIRContext *context, StringRef filename)
      : context_(context), filename_(filename) {}

  /// Records positions from a text-format parse.
  void setParseInfo(const google::protobuf::TextFormat::ParseInfoTree *tree) {
    if (!tree)
      return;
    const google::protobuf::Descriptor *model = onnx::ModelProto::descriptor();
    modelTree_ = tree;
    // Singular fields are indexed -1 in a ParseInfoTree.
    graphTree_ = tree->GetTreeForNested(model->FindFieldByName("graph"), -1);
  }

  /// Records the byte offset of each graph node in a binary model, by
  /// walking the protobuf wire format (ModelProto.graph = 7, GraphProto.node
  /// = 1). Offsets are dropped if the walk fails.
  void setBinary(StringRef bytes) {
    using google::protobuf::internal::WireFormatLite;
    google::protobuf::io::CodedInputStream in(
        reinterpret_cast<const uint8_t *>(bytes.data()),
        static_cast<int>(bytes.size()));
    std::vector<int64_t> offsets;
    while (uint32_t tag = in.ReadTag()) {
      if (WireFormatLite::GetTagFieldNumber(tag) != 7 ||
          WireFormatLite::GetTagWireType(tag) !=
              WireFormatLite::WIRETYPE_LENGTH_DELIMITED) {
        if (!WireFormatLite::SkipField(&in, tag))
          return;
        continue;
      }
      uint32_t length;
      if (!in.ReadVarint32(&length))
        return;
      auto limit = in.PushLimit(static_cast<int>(length));
      for (;;) {
        int64_t position = in.CurrentPosition();
        uint32_t graphTag = in.ReadTag();
        if (!graphTag)
          break;
        if (WireFormatLite::GetTagFieldNumber(graphTag) == 1)
          offsets.push_back(position);
        if (!WireFormatLite::SkipField(&in, graphTag))
          return;
      }
      in.PopLimit(limit);
    }
    nodeOffsets_ = std::move(offsets);
  }

  /// "node #3", with the byte offset in a binary model: "node #3 at byte 96".
  std::string describeNode(int index) const {
    std::string text = "node #" + std::to_string(index);
    if (static_cast<size_t>(index) < nodeOffsets_.size())
      text += " at byte " + std::to_string(nodeOffsets_[index]);
    return text;
  }

  Location model() const { return fileLoc(modelTree_, "graph", 0); }
  Location metadata(int index) const {
    return fileLoc(modelTree_, "metadata_props", index);
  }
  Location node(const onnx::NodeProto &node, int index) const {
    return named(node.name().empty()
                     ? node.op_type() + "#" + std::to_string(index)
                     : node.name(),
                 "node", index);
  }
  Location input(StringRef name, int index) const {
    return named(name, "input", index);
  }
  Location output(StringRef name, int index) const {
    return named(name, "output", index);
  }
  Location initializer(StringRef name, int index) const {
    return named(name, "initializer", index);
  }

private:
  Location named(StringRef name, StringRef graphField, int index) const {
    Location file = fileLoc(graphTree_, graphField, index);
    return NameLoc::get(StringAttr::get(context_, name), file);
  }

  Location fileLoc(const google::protobuf::TextFormat::ParseInfoTree *tree,
                   StringRef field, int index) const {
    if (!tree)
      return FileLineColLoc::get(context_, filename_, 0, 0);
    const google::protobuf::Descriptor *descriptor =
        tree == modelTree_ ? onnx::ModelProto::descriptor()
                           : onnx::GraphProto::descriptor();
    const google::protobuf::FieldDescriptor *fieldDescriptor =
        descriptor->FindFieldByName(std::string(field));
    auto position = tree->GetLocation(
        fieldDescriptor, fieldDescriptor->is_repeated() ? index : -1);
    if (position.line < 0)
      return FileLineColLoc::get(context_, filename_, 0, 0);
    return FileLineColLoc::get(context_, filename_, position.line + 1,
                               position.column + 1);
  }

  MLIRContext *context_;
  std::string filename_;
  const google::protobuf::TextFormat::ParseInfoTree *modelTree_ = nullptr;
  const google::protobuf::TextFormat::ParseInfoTree *graphTree_ = nullptr;
  std::vector<int64_t> nodeOffsets_;
};

/// Forwards protobuf text-format parse errors to MLIR diagnostics.
class TextErrorCollector : public google::protobuf::io::ErrorCollector {
public:
  TextErrorCollector(MLIRContext *context, StringRef filename)
      : context_(context), filename_(filename) {}
  void AddError(int line, google::protobuf::io::ColumnNumber column,
                const std::string &message) override {
    emitError(FileLineColLoc::get(context_, filename_, line + 1, column + 1))
        << "invalid ONNX text format: " << message;
  }

private:
  MLIRContext *context_;
  std::string filename_;
};

class ModelImporter {
public:
  ModelImporter(MLIRContext *context, const ONNXImportOptions &options,
                SourceLocations &locs)
      : context_(context), options_(options), locs_(locs), builder_(context) {}

  OwningOpRef<ModuleOp> import(const onnx::ModelProto &model);

private:
  LogicalResult readOpsets(const onnx::ModelProto &model);
  FailureOr<spike::ModelAttr> readModelFacts(const onnx::ModelProto &model,
                                             bool hasNeurons);
  FailureOr<Type> convertInputType(const onnx::ValueInfoProto &info,
                                   Location loc);
  LogicalResult importNode(GraphImporter &graph, const onnx::NodeProto &node,
                           int index);
  LogicalResult checkOutputType(const onnx::ValueInfoProto &info, Value value,
                                Location loc);

  MLIRContext *context_;
  const ONNXImportOptions &options_;
  SourceLocations &locs_;
  OpBuilder builder_;
  llvm::StringMap<int64_t> opsets_;
};

/// The ONNX standard domain has two spellings.
StringRef canonicalDomain(StringRef domain) {
  return domain == "ai.onnx" ? "" : domain;
}

LogicalResult ModelImporter::readOpsets(const onnx::ModelProto &model) {
  for (const onnx::OperatorSetIdProto &opset : model.opset_import())
    opsets_[canonicalDomain(opset.domain())] = opset.version();
  return success();
}

std::string supportedOpsList() {
  return llvm::join(getSupportedONNXOps(), ", ");
}

LogicalResult ModelImporter::importNode(GraphImporter &graph,
                                        const onnx::NodeProto &node,
                                        int index) {
  StringRef domain = canonicalDomain(node.domain());
  StringRef opType = node.op_type();
  StringRef domainName = domain.empty() ? "ai.onnx" : domain;
  auto opsetIt = opsets_.find(domain);
  int64_t opset = opsetIt == opsets_.end() ? 0 : opsetIt->second;

  // The operator version in effect is the schema's since_version for the
  // model's opset; SparseFlow's own domain is versioned by its opset alone.
  int64_t version = opset;
  if (domain.empty()) {
    if (const onnx::OpSchema *schema = onnx::OpSchemaRegistry::Schema(
            std::string(opType), static_cast<int>(opset), ""))
      version = schema->SinceVersion();
  }
  NodeContext ctx(graph, node, locs_.node(node, index), version,
                  locs_.describeNode(index));

  if (opsetIt == opsets_.end())
    return ctx.emitError() << "domain '" << domainName
                           << "' is not imported by the model (opset_import)";
  ArrayRef<OpEntry> table = getOpTable();
  const OpEntry *entry = llvm::find_if(table, [&](const OpEntry &e) {
    return e.domain == domain && e.opType == opType;
  });
  if (entry == table.end())
    return ctx.emitError() << "unsupported op (domain '" << domainName
                           << "', opset " << opset
                           << "); supported ops: " << supportedOpsList();
  if (!llvm::is_contained(entry->versions, version))
    return ctx.emitError() << "unsupported version " << version
                           << " of the op (domain '" << domainName
                           << "', opset " << opset << "); supported versions: "
                           << llvm::join(
                                  llvm::map_range(entry->versions,
                                                  [](int64_t v) {
                                                    return std::to_string(v);
                                                  }),
                                  ", ");

  unsigned numInputs = node.input_size();
  if (numInputs < entry->minInputs || numInputs > entry->maxInputs) {
    InFlightDiagnostic diag = ctx.emitError();
    diag << "expected ";
    if (entry->minInputs == entry->maxInputs)
      diag << entry->minInputs;
    else if (entry->maxInputs == std::numeric_limits<unsigned>::max())
      diag << "at least " << entry->minInputs;
    else
      diag << entry->minInputs << " to " << entry->maxInputs;
    return diag << (entry->maxInputs == 1 ? " input" : " inputs") << ", found "
                << numInputs;
  }
  if (static_cast<unsigned>(node.output_size()) > entry->maxOutputs)
    return ctx.emitError() << "expected at most " << entry->maxOutputs
                           << " outputs, found " << node.output_size();
  llvm::StringSet<> outputs;
  for (const std::string &output : node.output())
    if (!output.empty() &&
        (graph.isDefined(output) || !outputs.insert(output).second))
      return ctx.emitError() << "output '" << output
                             << "' is already defined (SSA form requires "
                             << "each value to be defined once)";
  for (const std::string &input : node.input())
    if (!input.empty() && !graph.isDefined(input))
      return ctx.emitError() << "input '" << input
                             << "' is not a graph input, an initializer or "
                             << "the output of a node (or it is on a cycle)";

  if (failed(entry->handler(ctx)) || failed(ctx.checkAllAttributesUsed()))
    return failure();
  for (const std::string &output : node.output())
    if (!output.empty() && !graph.isDefined(output))
      return ctx.emitError()
             << "internal error: output '" << output << "' was not produced";
  return success();
}

/// The nodes in an order where each reads only values defined before it:
/// the file's order where that works (a stable topological sort; keras2onnx
/// and others write graphs unsorted, which onnxruntime accepts). A node
/// whose input nothing defines, or on a cycle, keeps its place after the
/// rest, where importing it reports the missing value.
static SmallVector<unsigned> topologicalOrder(const onnx::GraphProto &graph,
                                              const GraphImporter &values) {
  unsigned n = graph.node_size();
  llvm::StringMap<unsigned> producer;
  for (unsigned i = 0; i < n; ++i)
    for (const std::string &output : graph.node(i).output())
      if (!output.empty())
        producer.try_emplace(output, i);
  std::vector<SmallVector<unsigned>> users(n);
  std::vector<unsigned> pending(n, 0);
  for (unsigned i = 0; i < n; ++i)
    for (const std::string &input : graph.node(i).input()) {
      auto it = producer.find(input);
      if (input.empty() || values.isDefined(input) || it == producer.end() ||
          it->second == i)
        continue;
      users[it->second].push_back(i);
      ++pending[i];
    }
  // Ready nodes by index, so that a sorted graph keeps its order.
  std::priority_queue<unsigned, std::vector<unsigned>, std::greater<>> ready;
  for (unsigned i = 0; i < n; ++i)
    if (!pending[i])
      ready.push(i);
  SmallVector<unsigned> order;
  std::vector<bool> placed(n, false);
  while (!ready.empty()) {
    unsigned next = ready.top();
    ready.pop();
    order.push_back(next);
    placed[next] = true;
    for (unsigned user : users[next])
      if (--pending[user] == 0)
        ready.push(user);
  }
  for (unsigned i = 0; i < n; ++i)
    if (!placed[i])
      order.push_back(i);
  return order;
}

FailureOr<Type>
ModelImporter::convertInputType(const onnx::ValueInfoProto &info,
                                Location loc) {
  if (!info.type().has_tensor_type())
    return emitError(loc) << "graph input '" << info.name()
                          << "' is not a tensor; only tensor inputs are "
                          << "supported";
  const onnx::TypeProto::Tensor &tensor = info.type().tensor_type();
  Type elementType = convertElementType(context_, tensor.elem_type());
  if (!elementType)
    return emitError(loc) << "graph input '" << info.name()
                          << "' has unsupported element type "
                          << dataTypeName(tensor.elem_type());
  if (!tensor.has_shape())
    return emitError(loc) << "graph input '" << info.name()
                          << "' has no shape; SparseFlow needs ranked inputs";
  SmallVector<int64_t> shape;
  for (auto [index, dim] : llvm::enumerate(tensor.shape().dim())) {
    if (dim.has_dim_value() && dim.dim_value() >= 0) {
      shape.push_back(dim.dim_value());
      continue;
    }
    if (index == 0) {
      shape.push_back(options_.batch);
      continue;
    }
    return emitError(loc) << "graph input '" << info.name()
                          << "' has dynamic dimension " << index
                          << (dim.has_dim_param()
                                  ? " ('" + dim.dim_param() + "')"
                                  : std::string())
                          << "; only the leading (batch) dimension may be "
                          << "dynamic (it is set by --batch)";
  }
  if (!isSupportedTensorSize(shape))
    return emitError(loc) << "graph input '" << info.name() << "' of shape ["
                          << shape << "] has more than 2^"
                          << kMaxTensorElementsLog2
                          << " elements (the limit for a tensor)";
  return RankedTensorType::get(shape, elementType);
}

LogicalResult ModelImporter::checkOutputType(const onnx::ValueInfoProto &info,
                                             Value value, Location loc) {
  auto type = cast<RankedTensorType>(value.getType());
  if (!info.type().has_tensor_type())
    return success();
  const onnx::TypeProto::Tensor &declared = info.type().tensor_type();
  Type declaredElement = convertElementType(context_, declared.elem_type());
  // Spikes are i1 here and 0.0/1.0 floats in ONNX.
  bool spikeAsFloat = type.getElementType().isInteger(1) && declaredElement &&
                      isa<FloatType>(declaredElement);
  if (declared.elem_type() != onnx::TensorProto::UNDEFINED &&
      declaredElement != type.getElementType() && !spikeAsFloat)
    return emitError(loc) << "graph output '" << info.name()
                          << "' is declared with element type "
                          << dataTypeName(declared.elem_type())
                          << ", but computes " << type;
  if (!declared.has_shape())
    return success();
  bool mismatch = declared.shape().dim_size() != type.getRank();
  for (auto [index, dim] : llvm::enumerate(declared.shape().dim()))
    if (!mismatch && dim.has_dim_value() && index > 0 &&
        dim.dim_value() != type.getDimSize(index))
      mismatch = true;
  if (!mismatch)
    return success();
  std::string dims;
  for (const auto &dim : declared.shape().dim())
    dims += (dims.empty() ? "" : "x") + (dim.has_dim_value()
                                             ? std::to_string(dim.dim_value())
                                             : std::string("?"));
  return emitError(loc) << "graph output '" << info.name()
                        << "' is declared with shape [" << dims
                        << "], but the graph computes " << type;
}

FailureOr<spike::ModelAttr>
ModelImporter::readModelFacts(const onnx::ModelProto &model, bool hasNeurons) {
  std::optional<int64_t> timesteps;
  spike::Encoding encoding = spike::Encoding::direct;
  spike::Readout readout = spike::Readout::mean;
  for (auto [index, prop] : llvm::enumerate(model.metadata_props())) {
    Location loc = locs_.metadata(index);
    StringRef key = prop.key(), value = prop.value();
    if (key == "sparseflow.timesteps") {
      int64_t parsed;
      if (value.getAsInteger(10, parsed) || parsed < 1)
        return emitError(loc) << "metadata 'sparseflow.timesteps' must be a "
                              << "positive integer, found '" << value << "'";
      timesteps = parsed;
    } else if (key == "sparseflow.encoding") {
      std::optional<spike::Encoding> parsed = spike::symbolizeEncoding(value);
      if (!parsed)
        return emitError(loc)
               << "metadata 'sparseflow.encoding' must be "
               << "direct, rate or spikes, found '" << value << "'";
      encoding = *parsed;
    } else if (key == "sparseflow.readout") {
      std::optional<spike::Readout> parsed = spike::symbolizeReadout(value);
      if (!parsed)
        return emitError(loc) << "metadata 'sparseflow.readout' must be mean, "
                              << "sum, last or all, found '" << value << "'";
      readout = *parsed;
    }
  }
  if (options_.timesteps)
    timesteps = options_.timesteps;
  if (options_.encoding)
    encoding = *options_.encoding;
  if (options_.readout)
    readout = *options_.readout;
  if (!timesteps) {
    if (hasNeurons)
      return emitError(locs_.model())
             << "the model has spiking neurons but no 'sparseflow.timesteps' "
             << "metadata; pass --timesteps=T";
    timesteps = 1;
  }
  if (*timesteps < 1)
    return emitError(locs_.model())
           << "timesteps must be at least 1, found " << *timesteps;
  return spike::ModelAttr::get(context_, *timesteps, encoding, readout);
}

OwningOpRef<ModuleOp> ModelImporter::import(const onnx::ModelProto &model) {
  if (!model.has_graph()) {
    emitError(locs_.model()) << "the model has no graph";
    return nullptr;
  }
  const onnx::GraphProto &graph = model.graph();
  if (failed(readOpsets(model)))
    return nullptr;

  Location moduleLoc = locs_.model();
  OwningOpRef<ModuleOp> module = ModuleOp::create(moduleLoc);
  builder_.setInsertionPointToEnd(module->getBody());
  auto func = builder_.create<func::FuncOp>(moduleLoc, "main",
                                            builder_.getFunctionType({}, {}));
  Block *entry = func.addEntryBlock();
  builder_.setInsertionPointToEnd(entry);
  GraphImporter values(builder_, entry);

  // Initializers first: older IR versions also list them as graph inputs.
  llvm::StringSet<> initializerNames;
  for (auto [index, tensor] : llvm::enumerate(graph.initializer())) {
    Location loc = locs_.initializer(tensor.name(), index);
    FailureOr<DenseElementsAttr> value =
        convertTensorProto(tensor, context_, loc);
    if (failed(value) ||
        failed(values.defineConstant(tensor.name(), *value, loc)))
      return nullptr;
    initializerNames.insert(tensor.name());
  }

  SmallVector<Type> inputTypes;
  for (auto [index, info] : llvm::enumerate(graph.input())) {
    if (initializerNames.contains(info.name()))
      continue;
    Location loc = locs_.input(info.name(), index);
    FailureOr<Type> type = convertInputType(info, loc);
    if (failed(type))
      return nullptr;
    inputTypes.push_back(*type);
    if (failed(values.define(info.name(), entry->addArgument(*type, loc), loc)))
      return nullptr;
  }

  bool hasNeurons = false;
  for (unsigned index : topologicalOrder(graph, values)) {
    const onnx::NodeProto &node = graph.node(index);
    hasNeurons |= canonicalDomain(node.domain()) == kSparseFlowDomain;
    if (failed(importNode(values, node, index)))
      return nullptr;
  }

  SmallVector<Value> results;
  for (auto [index, info] : llvm::enumerate(graph.output())) {
    Location loc = locs_.output(info.name(), index);
    Value value = values.lookup(info.name());
    if (!value) {
      emitError(loc) << "graph output '" << info.name()
                     << "' is not produced by any node";
      return nullptr;
    }
    if (failed(checkOutputType(info, value, loc)))
      return nullptr;
    results.push_back(value);
  }
  if (results.empty()) {
    emitError(moduleLoc) << "the graph has no outputs";
    return nullptr;
  }
  builder_.setInsertionPointToEnd(entry);
  builder_.create<func::ReturnOp>(moduleLoc, results);
  func.setFunctionType(
      builder_.getFunctionType(inputTypes, ValueRange(results).getTypes()));

  FailureOr<spike::ModelAttr> facts = readModelFacts(model, hasNeurons);
  if (failed(facts))
    return nullptr;
  (*module)->setAttr(spike::SpikeDialect::getModelAttrName(), *facts);

  if (failed(verify(*module)))
    return nullptr;
  return module;
}

} // namespace

bool sparseflow::isONNXTextFilename(StringRef filename) {
  return filename.ends_with(".textproto") || filename.ends_with(".pbtxt") ||
         filename.ends_with(".txtpb");
}

OwningOpRef<ModuleOp>
sparseflow::importONNXModel(const llvm::SourceMgr &sourceMgr,
                            MLIRContext *context,
                            const ONNXImportOptions &options) {
  context->loadDialect<spike::SpikeDialect, func::FuncDialect,
                       arith::ArithDialect>();
  const llvm::MemoryBuffer *buffer =
      sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID());
  StringRef filename = buffer->getBufferIdentifier();
  StringRef bytes = buffer->getBuffer();
  Location fileLoc = FileLineColLoc::get(context, filename, 0, 0);

  onnx::ModelProto model;
  SourceLocations locs(context, filename);
  google::protobuf::TextFormat::ParseInfoTree parseInfo;
  bool text =
      options.format == ONNXInputFormat::Text ||
      (options.format == ONNXInputFormat::Auto && isONNXTextFilename(filename));
  if (text) {
    google::protobuf::TextFormat::Parser parser;
    TextErrorCollector errors(context, filename);
    parser.RecordErrorsTo(&errors);
    parser.WriteLocationsTo(&parseInfo);
    // Deeper nesting is reported through `errors` at its line and column.
    parser.SetRecursionLimit(kMaxONNXTextNesting);
    if (!parser.ParseFromString(std::string(bytes), &model))
      return nullptr;
    locs.setParseInfo(&parseInfo);
  } else {
    if (bytes.empty()) {
      emitError(fileLoc) << "'" << filename << "' is empty, not an ONNX model";
      return nullptr;
    }
    if (bytes.size() > static_cast<size_t>(std::numeric_limits<int>::max()) ||
        !model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
      emitError(fileLoc)
          << "'" << filename << "' is not a valid ONNX model: "
          << "the protobuf is truncated, corrupt or nested "
          << "deeper than "
          << google::protobuf::io::CodedInputStream::GetDefaultRecursionLimit()
          << " messages (" << bytes.size() << " bytes)";
      return nullptr;
    }
    locs.setBinary(bytes);
  }
  ModelImporter importer(context, options, locs);
  return importer.import(model);
}
