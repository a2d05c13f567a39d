//===- ONNXGraphImporter.h - ONNX importer internals ------------*- C++ -*-===//
//
// Part of SparseFlow.
//
// Private to lib/Target/ONNX: the state of one graph import and the per-node
// view that op handlers (ONNXOpImporters.cpp) work through.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEFLOW_LIB_TARGET_ONNX_ONNXGRAPHIMPORTER_H
#define SPARSEFLOW_LIB_TARGET_ONNX_ONNXGRAPHIMPORTER_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

#include <onnx/onnx_pb.h>

#include <optional>

namespace sparseflow::onnx_import {

class GraphImporter;

/// The element type an ONNX TensorProto data type maps to, or null.
mlir::Type convertElementType(mlir::MLIRContext *context, int32_t dataType);

/// The name of an ONNX data type, e.g. "FLOAT" or "UINT8".
llvm::StringRef dataTypeName(int32_t dataType);

/// Converts an ONNX tensor (an initializer or a Constant's value) into a
/// dense elements attribute, checking that its data matches its shape.
mlir::FailureOr<mlir::DenseElementsAttr>
convertTensorProto(const onnx::TensorProto &tensor, mlir::MLIRContext *context,
                   mlir::Location loc);

/// What one op handler sees of the node it imports.
class NodeContext {
public:
  /// `where` identifies the node in messages, e.g. "node #3, byte 120".
  NodeContext(GraphImporter &graph, const onnx::NodeProto &node,
              mlir::Location loc, int64_t version, std::string where);

  const onnx::NodeProto &node() const { return node_; }
  mlir::Location loc() const { return loc_; }
  mlir::OpBuilder &builder();
  mlir::MLIRContext *context() { return builder().getContext(); }
  /// The operator version in effect (the schema's since_version).
  int64_t version() const { return version_; }

  /// An error at the node, prefixed with "<OpType> '<name>' (<where>): ".
  mlir::InFlightDiagnostic emitError();

  //===--------------------------------------------------------------------===//
  // Inputs and outputs
  //===--------------------------------------------------------------------===//

  /// Whether input `index` is present (ONNX marks an omitted optional input
  /// with an empty name).
  bool hasInput(unsigned index) const;
  unsigned numInputs() const { return node_.input_size(); }
  /// Input `index` as an SSA value (constants are materialized on first use).
  mlir::Value input(unsigned index);
  /// Input `index` as a ranked tensor whose element type is floating-point,
  /// or a spike tensor when `allowSpikes`; errors name the input otherwise.
  mlir::FailureOr<mlir::Value> tensorInput(unsigned index, bool allowSpikes);
  /// The value of input `index` when it is known at import time.
  mlir::DenseElementsAttr constantInput(unsigned index);

  /// Whether output `index` is consumed (present with a non-empty name).
  bool hasOutput(unsigned index) const;
  void setOutput(unsigned index, mlir::Value value);
  /// Sets output 0 from a built value, or forwards the failure to build it.
  mlir::LogicalResult setResult(mlir::FailureOr<mlir::Value> result);
  void setConstantOutput(unsigned index, mlir::DenseElementsAttr value);

  //===--------------------------------------------------------------------===//
  // Attributes. Every attribute a node carries must be read or explicitly
  // ignored by its handler: an unknown attribute is an error, never silently
  // dropped semantics.
  //===--------------------------------------------------------------------===//

  const onnx::AttributeProto *attribute(llvm::StringRef name);
  mlir::FailureOr<std::optional<int64_t>> getInt(llvm::StringRef name);
  mlir::FailureOr<std::optional<float>> getFloat(llvm::StringRef name);
  mlir::FailureOr<std::optional<std::string>> getString(llvm::StringRef name);
  mlir::FailureOr<std::optional<llvm::SmallVector<int64_t>>>
  getInts(llvm::StringRef name);
  /// A FLOAT or FLOATS attribute, as a list.
  mlir::FailureOr<std::optional<llvm::SmallVector<float>>>
  getFloatList(llvm::StringRef name);
  /// Marks an attribute as understood and deliberately not used.
  void ignoreAttribute(llvm::StringRef name) { used_.insert(name); }
  /// Fails on the first attribute no accessor has read.
  mlir::LogicalResult checkAllAttributesUsed();

  GraphImporter &graph() { return graph_; }

private:
  mlir::FailureOr<const onnx::AttributeProto *>
  typedAttribute(llvm::StringRef name, onnx::AttributeProto::AttributeType);

  GraphImporter &graph_;
  const onnx::NodeProto &node_;
  mlir::Location loc_;
  int64_t version_;
  std::string where_;
  llvm::StringSet<> used_;
};

/// Imports one op. Returns failure after emitting a diagnostic.
using OpHandler = mlir::LogicalResult (*)(NodeContext &);

struct OpEntry {
  llvm::StringRef domain; ///< "" for the standard ONNX domain
  llvm::StringRef opType;
  /// The operator versions (schema since_version) the handler implements.
  llvm::ArrayRef<int64_t> versions;
  unsigned minInputs, maxInputs;
  unsigned maxOutputs;
  OpHandler handler;
};

/// The dispatch table, sorted by domain then op type.
llvm::ArrayRef<OpEntry> getOpTable();

/// The custom domain of SparseFlow's neuron ops.
inline constexpr llvm::StringLiteral kSparseFlowDomain = "sparseflow";

/// State of one graph import: the SSA name table and constants.
class GraphImporter {
public:
  GraphImporter(mlir::OpBuilder &builder, mlir::Block *entryBlock)
      : builder_(builder), entryBlock_(entryBlock) {}

  mlir::OpBuilder &builder() { return builder_; }

  /// Binds an ONNX value name; fails when it is already defined.
  mlir::LogicalResult define(llvm::StringRef name, mlir::Value value,
                             mlir::Location loc);
  mlir::LogicalResult defineConstant(llvm::StringRef name,
                                     mlir::DenseElementsAttr value,
                                     mlir::Location loc);
  bool isDefined(llvm::StringRef name) const {
    return values_.count(name) || constants_.count(name);
  }
  /// The SSA value for `name`, materializing a constant at the function
  /// entry when needed; null when `name` is undefined.
  mlir::Value lookup(llvm::StringRef name);
  mlir::DenseElementsAttr lookupConstant(llvm::StringRef name) const {
    return constants_.lookup(name);
  }

private:
  mlir::OpBuilder &builder_;
  mlir::Block *entryBlock_;
  mlir::Operation *lastConstant_ = nullptr;
  llvm::StringMap<mlir::Value> values_;
  llvm::StringMap<mlir::DenseElementsAttr> constants_;
};

} // namespace sparseflow::onnx_import

#endif // SPARSEFLOW_LIB_TARGET_ONNX_ONNXGRAPHIMPORTER_H
