//===- NIRImporter.cpp - NIR (HDF5) to spike dialect importer -------------===//
//
// Part of SparseFlow.
//
// Reads a NIR graph from HDF5 with the HDF5 C API (every call checked; the
// library's own error printing is switched off), flattens nested NIRGraph
// nodes, orders the nodes by their edges (listed in any order), and builds
// the spike ops of docs/nir.md. Errors name the NIR node and, where there is
// one, the dataset.
//
//===----------------------------------------------------------------------===//

#include "sparseflow/Target/NIR/NIRImporter.h"

#include "sparseflow/Dialect/Spike/SpikeDialect.h"
#include "sparseflow/Dialect/Spike/SpikeOps.h"
#include "sparseflow/Support/InputLimits.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/SourceMgr.h"

#include <hdf5.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

using namespace mlir;
using namespace sparseflow;

namespace {

/// The most elements one dataset may have (8 bytes each once read).
constexpr int64_t kMaxDatasetElements = int64_t(1) << 28;
/// The most dimensions of a dataset and the deepest nesting of NIRGraphs.
constexpr int kMaxDatasetRank = 8;
constexpr int kMaxGraphNesting = 32;
/// The most nodes a (flattened) graph may have.
constexpr size_t kMaxNodes = size_t(1) << 20;

//===----------------------------------------------------------------------===//
// HDF5 access
//===----------------------------------------------------------------------===//

/// Owns one HDF5 identifier and closes it with `close`.
class Handle {
public:
  Handle() = default;
  Handle(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  Handle(Handle &&other) noexcept : id_(other.id_), close_(other.close_) {
    other.id_ = H5I_INVALID_HID;
  }
  Handle &operator=(Handle &&other) noexcept {
    std::swap(id_, other.id_);
    std::swap(close_, other.close_);
    return *this;
  }
  Handle(const Handle &) = delete;
  Handle &operator=(const Handle &) = delete;
  ~Handle() {
    if (id_ >= 0 && close_)
      close_(id_);
  }
  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }

private:
  hid_t id_ = H5I_INVALID_HID;
  herr_t (*close_)(hid_t) = nullptr;
};

/// A numeric dataset, read as double (exact for the f32, f64 and integer
/// data NIR writes).
struct Array {
  SmallVector<int64_t> shape;
  std::vector<double> data;
};

/// One NIR node after flattening: `name` is its path ("sub.lif" inside the
/// subgraph "sub").
struct Node {
  std::string name;
  std::string type;
  std::map<std::string, Array> arrays;
  std::map<std::string, std::string> strings;
  /// Inside a nested graph, an Input or Output is a pass-through.
  bool nested = false;
};

struct RawEdge {
  std::string prefix, source, target;
};

/// A nested graph's boundary: its Input and Output node paths.
struct Boundary {
  std::vector<std::string> inputs, outputs;
};

class NIRReader {
public:
  NIRReader(MLIRContext *context, StringRef filename)
      : context_(context), filename_(filename.str()) {}

  LogicalResult read(StringRef image);

  std::vector<Node> nodes;
  llvm::StringMap<unsigned> index;
  llvm::StringMap<Boundary> boundaries;
  std::vector<RawEdge> edges;

  Location fileLoc() const {
    return FileLineColLoc::get(context_, filename_, 0, 0);
  }
  Location nodeLoc(StringRef name) const {
    return NameLoc::get(StringAttr::get(context_, name), fileLoc());
  }

private:
  InFlightDiagnostic error(StringRef path) {
    return emitError(fileLoc()) << "NIR '" << path << "': ";
  }
  LogicalResult readGraph(hid_t group, const std::string &prefix,
                          const std::string &path, int depth);
  LogicalResult readNode(hid_t group, const std::string &name,
                         const std::string &path, int depth);
  FailureOr<Handle> openObject(hid_t parent, const std::string &member,
                               const std::string &path, H5I_type_t kind);
  FailureOr<SmallVector<std::string>> listMembers(hid_t group,
                                                  const std::string &path);
  FailureOr<SmallVector<int64_t>> datasetShape(hid_t dataset,
                                               const std::string &path);
  FailureOr<Array> readArray(hid_t dataset, const std::string &path);
  FailureOr<std::vector<std::string>>
  readStrings(hid_t dataset, const std::string &path,
              SmallVectorImpl<int64_t> &shape);
  FailureOr<std::string> readString(hid_t dataset, const std::string &path);

  MLIRContext *context_;
  std::string filename_;
};

FailureOr<Handle> NIRReader::openObject(hid_t parent, const std::string &member,
                                        const std::string &path,
                                        H5I_type_t kind) {
  htri_t exists = H5Lexists(parent, member.c_str(), H5P_DEFAULT);
  if (exists <= 0) {
    error(path) << "missing";
    return failure();
  }
  Handle object(H5Oopen(parent, member.c_str(), H5P_DEFAULT), H5Oclose);
  if (!object.valid()) {
    error(path) << "cannot be opened";
    return failure();
  }
  if (H5Iget_type(object.get()) != kind) {
    error(path) << "must be " << (kind == H5I_GROUP ? "a group" : "a dataset");
    return failure();
  }
  return object;
}

FailureOr<SmallVector<std::string>>
NIRReader::listMembers(hid_t group, const std::string &path) {
  H5G_info_t info;
  if (H5Gget_info(group, &info) < 0) {
    error(path) << "cannot list the group";
    return failure();
  }
  if (info.nlinks > kMaxNodes) {
    error(path) << "has " << info.nlinks << " members, more than the limit of "
                << kMaxNodes;
    return failure();
  }
  SmallVector<std::string> names;
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    ssize_t size = H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, i,
                                      nullptr, 0, H5P_DEFAULT);
    if (size < 0) {
      error(path) << "cannot read the name of member #" << i;
      return failure();
    }
    std::string name(size_t(size) + 1, '\0');
    if (H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, i,
                           name.data(), name.size(), H5P_DEFAULT) < 0) {
      error(path) << "cannot read the name of member #" << i;
      return failure();
    }
    name.resize(size_t(size));
    names.push_back(std::move(name));
  }
  return names;
}

FailureOr<SmallVector<int64_t>>
NIRReader::datasetShape(hid_t dataset, const std::string &path) {
  Handle space(H5Dget_space(dataset), H5Sclose);
  if (!space.valid()) {
    error(path) << "has no readable dataspace";
    return failure();
  }
  int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 0 || rank > kMaxDatasetRank) {
    error(path) << "must be a simple dataset of rank at most "
                << kMaxDatasetRank;
    return failure();
  }
  hsize_t dims[kMaxDatasetRank];
  if (H5Sget_simple_extent_dims(space.get(), dims, nullptr) < 0) {
    error(path) << "has no readable dimensions";
    return failure();
  }
  SmallVector<int64_t> shape;
  int64_t elements = 1;
  for (int i = 0; i < rank; ++i) {
    if (dims[i] > hsize_t(kMaxDatasetElements) ||
        (elements *= int64_t(dims[i])) > kMaxDatasetElements) {
      error(path) << "has more than 2^28 elements (the limit for a dataset)";
      return failure();
    }
    shape.push_back(int64_t(dims[i]));
  }
  return shape;
}

FailureOr<Array> NIRReader::readArray(hid_t dataset, const std::string &path) {
  Handle type(H5Dget_type(dataset), H5Tclose);
  H5T_class_t kind = type.valid() ? H5Tget_class(type.get()) : H5T_NO_CLASS;
  if (kind != H5T_FLOAT && kind != H5T_INTEGER) {
    error(path) << "must hold numbers";
    return failure();
  }
  FailureOr<SmallVector<int64_t>> shape = datasetShape(dataset, path);
  if (failed(shape))
    return failure();
  Array array;
  array.shape = *shape;
  int64_t elements = 1;
  for (int64_t dim : array.shape)
    elements *= dim;
  array.data.resize(size_t(elements));
  if (elements && H5Dread(dataset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL,
                          H5P_DEFAULT, array.data.data()) < 0) {
    error(path) << "cannot be read as numbers";
    return failure();
  }
  return array;
}

FailureOr<std::vector<std::string>>
NIRReader::readStrings(hid_t dataset, const std::string &path,
                       SmallVectorImpl<int64_t> &shape) {
  Handle type(H5Dget_type(dataset), H5Tclose);
  if (!type.valid() || H5Tget_class(type.get()) != H5T_STRING) {
    error(path) << "must hold strings";
    return failure();
  }
  FailureOr<SmallVector<int64_t>> dims = datasetShape(dataset, path);
  if (failed(dims))
    return failure();
  shape.assign(dims->begin(), dims->end());
  int64_t elements = 1;
  for (int64_t dim : *dims)
    elements *= dim;
  std::vector<std::string> strings;
  if (elements == 0)
    return strings;
  htri_t variable = H5Tis_variable_str(type.get());
  if (variable < 0) {
    error(path) << "has an unreadable string type";
    return failure();
  }
  // HDF5 converts no character sets: read in the file's (h5py writes UTF-8).
  Handle memType(H5Tcopy(H5T_C_S1), H5Tclose);
  H5T_cset_t cset = H5Tget_cset(type.get());
  if (!memType.valid() || cset < 0 || H5Tset_cset(memType.get(), cset) < 0) {
    error(path) << "has an unreadable string type";
    return failure();
  }
  if (variable) {
    Handle space(H5Dget_space(dataset), H5Sclose);
    std::vector<char *> pointers(size_t(elements), nullptr);
    if (!memType.valid() || !space.valid() ||
        H5Tset_size(memType.get(), H5T_VARIABLE) < 0 ||
        H5Dread(dataset, memType.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT,
                pointers.data()) < 0) {
      error(path) << "cannot be read as strings";
      return failure();
    }
    for (char *p : pointers)
      strings.emplace_back(p ? p : "");
    H5Dvlen_reclaim(memType.get(), space.get(), H5P_DEFAULT, pointers.data());
    return strings;
  }
  size_t size = H5Tget_size(type.get());
  if (size == 0 || size > 4096) {
    error(path) << "has fixed-length strings of " << size
                << " bytes (at most 4096 are read)";
    return failure();
  }
  std::vector<char> buffer(size * size_t(elements));
  if (!memType.valid() || H5Tset_size(memType.get(), size) < 0 ||
      H5Dread(dataset, memType.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT,
              buffer.data()) < 0) {
    error(path) << "cannot be read as strings";
    return failure();
  }
  for (int64_t i = 0; i < elements; ++i) {
    const char *begin = buffer.data() + size_t(i) * size;
    strings.emplace_back(begin, strnlen(begin, size));
  }
  return strings;
}

FailureOr<std::string> NIRReader::readString(hid_t dataset,
                                             const std::string &path) {
  SmallVector<int64_t> shape;
  FailureOr<std::vector<std::string>> strings =
      readStrings(dataset, path, shape);
  if (failed(strings))
    return failure();
  if (strings->size() != 1 || !shape.empty()) {
    error(path) << "must be one string";
    return failure();
  }
  return strings->front();
}

LogicalResult NIRReader::readNode(hid_t group, const std::string &name,
                                  const std::string &path, int depth) {
  FailureOr<Handle> typeSet =
      openObject(group, "type", path + "/type", H5I_DATASET);
  if (failed(typeSet))
    return failure();
  FailureOr<std::string> type = readString(typeSet->get(), path + "/type");
  if (failed(type))
    return failure();
  if (*type == "NIRGraph")
    return readGraph(group, name + ".", path, depth + 1);

  Node node;
  node.name = name;
  node.type = *type;
  FailureOr<SmallVector<std::string>> members = listMembers(group, path);
  if (failed(members))
    return failure();
  for (const std::string &member : *members) {
    if (member == "type" || member == "metadata")
      continue;
    std::string memberPath = path + "/" + member;
    Handle object(H5Oopen(group, member.c_str(), H5P_DEFAULT), H5Oclose);
    if (!object.valid())
      return error(memberPath) << "cannot be opened";
    H5I_type_t kind = H5Iget_type(object.get());
    if (kind == H5I_GROUP) {
      // NIR 1.x writes `input_type`/`output_type` as groups of shapes; only
      // an Input's own shape is read from them.
      if (member == "input_type" && node.type == "Input") {
        FailureOr<Handle> shape = openObject(
            object.get(), "input", memberPath + "/input", H5I_DATASET);
        if (failed(shape))
          return failure();
        FailureOr<Array> array = readArray(shape->get(), memberPath + "/input");
        if (failed(array))
          return failure();
        node.arrays.emplace("shape", std::move(*array));
      }
      continue;
    }
    if (kind != H5I_DATASET)
      return error(memberPath) << "must be a dataset or a group";
    Handle dtype(H5Dget_type(object.get()), H5Tclose);
    if (!dtype.valid())
      return error(memberPath) << "has no readable type";
    if (H5Tget_class(dtype.get()) == H5T_STRING) {
      FailureOr<std::string> value = readString(object.get(), memberPath);
      if (failed(value))
        return failure();
      node.strings.emplace(member, std::move(*value));
      continue;
    }
    FailureOr<Array> array = readArray(object.get(), memberPath);
    if (failed(array))
      return failure();
    node.arrays.emplace(member, std::move(*array));
  }
  if (nodes.size() >= kMaxNodes)
    return error(path) << "the graph has more than " << kMaxNodes << " nodes";
  if (!index.try_emplace(node.name, unsigned(nodes.size())).second)
    return error(path) << "the node name '" << node.name
                       << "' is used twice (after flattening subgraphs)";
  nodes.push_back(std::move(node));
  return success();
}

LogicalResult NIRReader::readGraph(hid_t group, const std::string &prefix,
                                   const std::string &path, int depth) {
  if (depth > kMaxGraphNesting)
    return error(path) << "NIRGraphs nest deeper than " << kMaxGraphNesting
                       << " levels";
  FailureOr<Handle> nodeGroup =
      openObject(group, "nodes", path + "/nodes", H5I_GROUP);
  if (failed(nodeGroup))
    return failure();
  FailureOr<SmallVector<std::string>> names =
      listMembers(nodeGroup->get(), path + "/nodes");
  if (failed(names))
    return failure();
  size_t first = nodes.size();
  for (const std::string &name : *names) {
    std::string nodePath = path + "/nodes/" + name;
    FailureOr<Handle> child =
        openObject(nodeGroup->get(), name, nodePath, H5I_GROUP);
    if (failed(child) ||
        failed(readNode(child->get(), prefix + name, nodePath, depth)))
      return failure();
  }
  if (!prefix.empty()) {
    // The subgraph's boundary, for edges that name the subgraph itself.
    Boundary boundary;
    for (size_t i = first; i < nodes.size(); ++i) {
      Node &node = nodes[i];
      StringRef local = StringRef(node.name).drop_front(prefix.size());
      if (local.contains('.'))
        continue; // a node of a deeper subgraph
      if (node.type == "Input" || node.type == "Output")
        node.nested = true;
      if (node.type == "Input")
        boundary.inputs.push_back(node.name);
      if (node.type == "Output")
        boundary.outputs.push_back(node.name);
    }
    boundaries[StringRef(prefix).drop_back()] = std::move(boundary);
  }

  FailureOr<Handle> edgeSet =
      openObject(group, "edges", path + "/edges", H5I_DATASET);
  if (failed(edgeSet))
    return failure();
  SmallVector<int64_t> shape;
  FailureOr<std::vector<std::string>> ends =
      readStrings(edgeSet->get(), path + "/edges", shape);
  if (failed(ends))
    return failure();
  if (ends->empty())
    return success();
  if (shape.size() != 2 || shape[1] != 2)
    return error(path + "/edges") << "must be an [E, 2] array of node names";
  for (size_t i = 0; i + 1 < ends->size(); i += 2)
    edges.push_back({prefix, (*ends)[i], (*ends)[i + 1]});
  return success();
}

LogicalResult NIRReader::read(StringRef image) {
  Handle fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
  if (!fapl.valid() || H5Pset_fapl_core(fapl.get(), 1 << 16, false) < 0 ||
      H5Pset_file_image(fapl.get(), const_cast<char *>(image.data()),
                        image.size()) < 0)
    return emitError(fileLoc()) << "cannot hand the NIR file to HDF5";
  // The core driver refuses a name that exists on disk; this one cannot
  // (/dev/null is no directory), and the image is all it reads.
  Handle file(
      H5Fopen("/dev/null/sparseflow-nir-image", H5F_ACC_RDONLY, fapl.get()),
      H5Fclose);
  if (!file.valid())
    return emitError(fileLoc()) << "not a readable HDF5 file";
  FailureOr<Handle> root = openObject(file.get(), "node", "node", H5I_GROUP);
  if (failed(root))
    return failure();
  if (H5Lexists(file.get(), "version", H5P_DEFAULT) > 0) {
    FailureOr<Handle> versionSet =
        openObject(file.get(), "version", "version", H5I_DATASET);
    if (failed(versionSet))
      return failure();
    FailureOr<std::string> version = readString(versionSet->get(), "version");
    if (failed(version))
      return failure();
    StringRef v = *version;
    if (!(v.starts_with("0.") || v.starts_with("1.")))
      return error("version")
             << "NIR " << v << " is not supported (0.2 through 1.x are)";
  }
  FailureOr<Handle> typeSet =
      openObject(root->get(), "type", "node/type", H5I_DATASET);
  if (failed(typeSet))
    return failure();
  FailureOr<std::string> type = readString(typeSet->get(), "node/type");
  if (failed(type))
    return failure();
  if (*type != "NIRGraph")
    return error("node/type")
           << "the root node must be a NIRGraph, found '" << *type << "'";
  return readGraph(root->get(), "", "node", 0);
}

/// Silences HDF5's default error printing for the import's duration.
class QuietHDF5 {
public:
  QuietHDF5() {
    H5Eget_auto2(H5E_DEFAULT, &func_, &data_);
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  }
  ~QuietHDF5() { H5Eset_auto2(H5E_DEFAULT, func_, data_); }

private:
  H5E_auto2_t func_ = nullptr;
  void *data_ = nullptr;
};

//===----------------------------------------------------------------------===//
// Building the spike ops
//===----------------------------------------------------------------------===//

std::string formatNumber(double value) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << llvm::format("%g", value);
  return text;
}

class GraphBuilder {
public:
  GraphBuilder(NIRReader &reader, MLIRContext *context,
               const NIRImportOptions &options)
      : reader_(reader), context_(context), options_(options),
        builder_(context) {}

  OwningOpRef<ModuleOp> build();

private:
  InFlightDiagnostic error(const Node &node) {
    return emitError(reader_.nodeLoc(node.name))
           << "NIR node '" << node.name << "' (" << node.type << "): ";
  }
  LogicalResult resolveEdges();
  /// Finds each neuron fed back its own output through one Linear, Affine
  /// or Scale node, and takes that edge out of the ordering.
  void findRecurrences();
  LogicalResult order(SmallVectorImpl<unsigned> &sorted);
  /// The recurrent weight [K, K] and bias of the node feeding `neuron` its
  /// own spikes, appended to `operands`.
  LogicalResult recurrentOperands(const Node &neuron, const Node &loop,
                                  RankedTensorType type,
                                  SmallVectorImpl<Value> &operands);
  FailureOr<Value> importNode(unsigned index, Value input);
  FailureOr<const Array *> array(const Node &node, StringRef name);
  const Array *optionalArray(const Node &node, StringRef name);
  /// A per-neuron parameter as a scalar or one value per channel.
  FailureOr<SmallVector<float>> neuronParam(const Node &node, StringRef name,
                                            RankedTensorType type);
  FailureOr<SmallVector<int64_t>> ints(const Node &node, StringRef name,
                                       size_t count, int64_t fallback);
  Value constant(ArrayRef<int64_t> shape, ArrayRef<double> data, Location loc);
  template <typename OpTy>
  FailureOr<Value> createInferred(const Node &node, ValueRange operands,
                                  ArrayRef<NamedAttribute> attrs = {});
  /// `dt/τ` and `scale·dt/τ` per neuron from the datasets `tauName` (none:
  /// 0 and `scale·dt`) and `scaleName`, collapsed like a parameter.
  LogicalResult decay(const Node &node, StringRef tauName, StringRef scaleName,
                      RankedTensorType type, SmallVectorImpl<float> &rate,
                      SmallVectorImpl<float> &gain);
  FailureOr<Value> neuron(const Node &node, Value input,
                          const Node *loop = nullptr);
  FailureOr<Value> linear(const Node &node, Value input, bool affine);
  FailureOr<Value> conv(const Node &node, Value input, int spatialDims);
  FailureOr<Value> pool(const Node &node, Value input, bool sum);
  FailureOr<Value> flatten(const Node &node, Value input);

  NIRReader &reader_;
  MLIRContext *context_;
  const NIRImportOptions &options_;
  OpBuilder builder_;
  /// Predecessors of each node (by index), in edge order.
  std::vector<SmallVector<unsigned>> preds_;
  std::vector<SmallVector<unsigned>> succs_;
  /// Per neuron, the node that feeds its spikes back to it (-1: none); such
  /// a node is built as part of its neuron.
  std::vector<int> loopOf_;
  std::vector<bool> inLoop_;
};

LogicalResult GraphBuilder::resolveEdges() {
  preds_.assign(reader_.nodes.size(), {});
  succs_.assign(reader_.nodes.size(), {});
  auto resolve = [&](const RawEdge &edge, const std::string &end,
                     bool source) -> FailureOr<unsigned> {
    std::string full = edge.prefix + end;
    auto it = reader_.index.find(full);
    if (it != reader_.index.end())
      return it->second;
    auto sub = reader_.boundaries.find(full);
    if (sub != reader_.boundaries.end()) {
      const std::vector<std::string> &ends =
          source ? sub->second.outputs : sub->second.inputs;
      if (ends.size() == 1)
        return reader_.index.lookup(ends.front());
      emitError(reader_.nodeLoc(full))
          << "NIR edge " << edge.source << " -> " << edge.target
          << ": the subgraph '" << full << "' has " << ends.size() << " "
          << (source ? "Output" : "Input")
          << " nodes; name one as '<subgraph>.<node>'";
      return failure();
    }
    emitError(reader_.fileLoc())
        << "NIR edge " << edge.source << " -> " << edge.target
        << (edge.prefix.empty()
                ? ""
                : " (in subgraph '" +
                      edge.prefix.substr(0, edge.prefix.size() - 1) + "')")
        << ": no node is named '" << end << "'";
    return failure();
  };
  for (const RawEdge &edge : reader_.edges) {
    FailureOr<unsigned> from = resolve(edge, edge.source, true);
    FailureOr<unsigned> to = resolve(edge, edge.target, false);
    if (failed(from) || failed(to))
      return failure();
    const Node &target = reader_.nodes[*to];
    if (target.type == "Input" && !target.nested)
      return error(target) << "a graph Input cannot be the target of an edge";
    const Node &source = reader_.nodes[*from];
    if (source.type == "Output" && !source.nested)
      return error(source) << "a graph Output cannot be the source of an edge";
    preds_[*to].push_back(*from);
    succs_[*from].push_back(*to);
  }
  return success();
}

bool isSpikingNeuron(StringRef type) {
  return type == "LIF" || type == "IF" || type == "CubaLIF" ||
         type == "Threshold";
}

void GraphBuilder::findRecurrences() {
  loopOf_.assign(reader_.nodes.size(), -1);
  inLoop_.assign(reader_.nodes.size(), false);
  for (unsigned l = 0; l < reader_.nodes.size(); ++l) {
    StringRef type = reader_.nodes[l].type;
    if (type != "Linear" && type != "Affine" && type != "Scale")
      continue;
    if (preds_[l].size() != 1 || succs_[l].size() != 1 ||
        preds_[l][0] != succs_[l][0])
      continue;
    unsigned n = preds_[l][0];
    if (!isSpikingNeuron(reader_.nodes[n].type) || loopOf_[n] >= 0)
      continue;
    loopOf_[n] = int(l);
    inLoop_[l] = true;
    llvm::erase(preds_[n], l);
    succs_[l].clear();
  }
}

LogicalResult GraphBuilder::order(SmallVectorImpl<unsigned> &sorted) {
  size_t n = reader_.nodes.size();
  std::vector<size_t> pending(n);
  SmallVector<unsigned> ready;
  for (size_t i = 0; i < n; ++i)
    if (!(pending[i] = preds_[i].size()))
      ready.push_back(unsigned(i));
  // Kahn's algorithm in node (name) order, so the IR is deterministic.
  std::reverse(ready.begin(), ready.end());
  while (!ready.empty()) {
    unsigned next = ready.pop_back_val();
    sorted.push_back(next);
    for (unsigned succ : llvm::reverse(succs_[next]))
      if (--pending[succ] == 0)
        ready.push_back(succ);
  }
  if (sorted.size() == n)
    return success();
  // Walk back through unsorted predecessors until a node repeats: the walk
  // then lies on a cycle, which the message spells out.
  unsigned at = 0;
  while (!pending[at])
    ++at;
  std::vector<int> seen(n, -1);
  SmallVector<unsigned> walk;
  while (seen[at] < 0) {
    seen[at] = int(walk.size());
    walk.push_back(at);
    for (unsigned pred : preds_[at])
      if (pending[pred]) {
        at = pred;
        break;
      }
  }
  std::string cycle = reader_.nodes[at].name;
  for (unsigned i :
       llvm::reverse(ArrayRef<unsigned>(walk).drop_front(seen[at])))
    cycle += " -> " + reader_.nodes[i].name;
  return error(reader_.nodes[at])
         << "the graph has a cycle (" << cycle
         << ") that is not a neuron fed back its own spikes through one "
            "Linear, Affine or Scale node, the recurrent form SparseFlow "
            "runs (docs/nir.md)";
}

FailureOr<const Array *> GraphBuilder::array(const Node &node, StringRef name) {
  auto it = node.arrays.find(name.str());
  if (it == node.arrays.end()) {
    if (node.strings.count(name.str()))
      return error(node) << "'" << name << "' must hold numbers";
    return error(node) << "missing the dataset '" << name << "'";
  }
  for (double value : it->second.data)
    if (!std::isfinite(value))
      return error(node) << "'" << name << "' holds a non-finite value";
  return &it->second;
}

const Array *GraphBuilder::optionalArray(const Node &node, StringRef name) {
  auto it = node.arrays.find(name.str());
  return it == node.arrays.end() ? nullptr : &it->second;
}

FailureOr<SmallVector<int64_t>> GraphBuilder::ints(const Node &node,
                                                   StringRef name, size_t count,
                                                   int64_t fallback) {
  const Array *value = optionalArray(node, name);
  if (!value)
    return SmallVector<int64_t>(count, fallback);
  if (value->data.size() != 1 && value->data.size() != count)
    return error(node) << "'" << name << "' must hold 1 or " << count
                       << " values, found " << value->data.size();
  SmallVector<int64_t> result;
  for (size_t i = 0; i < count; ++i) {
    double v = value->data.size() == 1 ? value->data[0] : value->data[i];
    if (!(v >= 0 && v <= double(1 << 20)) || v != std::floor(v))
      return error(node) << "'" << name
                         << "' must hold non-negative integers, found "
                         << formatNumber(v);
    result.push_back(int64_t(v));
  }
  return result;
}

Value GraphBuilder::constant(ArrayRef<int64_t> shape, ArrayRef<double> data,
                             Location loc) {
  auto type = RankedTensorType::get(shape, builder_.getF32Type());
  SmallVector<float> values(data.begin(), data.end());
  return builder_.create<arith::ConstantOp>(
      loc, DenseElementsAttr::get(type, ArrayRef<float>(values)));
}

template <typename OpTy>
FailureOr<Value> GraphBuilder::createInferred(const Node &node,
                                              ValueRange operands,
                                              ArrayRef<NamedAttribute> attrs) {
  Location loc = reader_.nodeLoc(node.name);
  auto op = builder_.create<OpTy>(loc, TypeRange{builder_.getNoneType()},
                                  operands, attrs);
  FailureOr<RankedTensorType> type =
      OpTy::inferResultType(loc, typename OpTy::Adaptor(op));
  if (failed(type)) {
    op->erase();
    return failure();
  }
  if (!isSupportedTensorSize(type->getShape())) {
    op->erase();
    return error(node) << "the result " << *type << " has more than 2^"
                       << kMaxTensorElementsLog2 << " elements";
  }
  op->getResult(0).setType(*type);
  if (failed(verify(op))) {
    op->erase();
    return failure();
  }
  return op->getResult(0);
}

FailureOr<SmallVector<float>> GraphBuilder::neuronParam(const Node &node,
                                                        StringRef name,
                                                        RankedTensorType type) {
  FailureOr<const Array *> value = array(node, name);
  if (failed(value))
    return failure();
  const std::vector<double> &data = (*value)->data;
  if (data.empty())
    return error(node) << "'" << name << "' is empty";
  // NIR shapes have no batch dimension.
  ArrayRef<int64_t> neurons = type.getShape().drop_front();
  int64_t count = 1;
  for (int64_t dim : neurons)
    count *= dim;
  if (llvm::all_of(data, [&](double v) { return v == data.front(); }))
    return SmallVector<float>{float(data.front())};
  if (int64_t(data.size()) != count)
    return error(node) << "'" << name << "' has " << data.size()
                       << " values for " << count << " neurons";
  // One value per channel (the first NIR dimension) is supported.
  int64_t channels = neurons.empty() ? 1 : neurons.front();
  int64_t perChannel = count / channels;
  SmallVector<float> result;
  for (int64_t c = 0; c < channels; ++c) {
    for (int64_t i = 1; i < perChannel; ++i)
      if (data[c * perChannel + i] != data[c * perChannel])
        return error(node)
               << "'" << name << "' differs between neurons of channel " << c
               << "; parameters must be uniform or one value per channel";
    result.push_back(float(data[c * perChannel]));
  }
  return result;
}

LogicalResult GraphBuilder::decay(const Node &node, StringRef tauName,
                                  StringRef scaleName, RankedTensorType type,
                                  SmallVectorImpl<float> &rate,
                                  SmallVectorImpl<float> &gain) {
  double dt = *options_.dt;
  FailureOr<const Array *> scale = array(node, scaleName);
  if (failed(scale))
    return failure();
  const Array *tau = nullptr;
  if (!tauName.empty()) {
    FailureOr<const Array *> t = array(node, tauName);
    if (failed(t))
      return failure();
    tau = *t;
    if (tau->data.size() != (*scale)->data.size())
      return error(node) << "'" << tauName << "' and '" << scaleName
                         << "' have " << tau->data.size() << " and "
                         << (*scale)->data.size() << " values";
  }
  // rate = dt / tau and gain = scale * dt / tau, each computed in double and
  // rounded once to f32, then collapsed like any parameter.
  Array rateArray, gainArray;
  rateArray.shape = gainArray.shape = (*scale)->shape;
  for (size_t i = 0; i < (*scale)->data.size(); ++i) {
    double step = dt;
    if (tau) {
      double t = tau->data[i];
      if (!(t > 0))
        return error(node) << "'" << tauName << "' must be positive, found "
                           << formatNumber(t);
      if (dt > t)
        return error(node) << "dt = " << formatNumber(dt) << " exceeds "
                           << tauName << " = " << formatNumber(t)
                           << "; forward Euler would need a leak above 1";
      step = dt / t;
    }
    rateArray.data.push_back(tau ? step : 0.0);
    gainArray.data.push_back((*scale)->data[i] * step);
  }
  Node derived;
  derived.name = node.name;
  derived.type = node.type;
  derived.arrays.emplace("rate", std::move(rateArray));
  derived.arrays.emplace("gain", std::move(gainArray));
  FailureOr<SmallVector<float>> r = neuronParam(derived, "rate", type);
  FailureOr<SmallVector<float>> g = neuronParam(derived, "gain", type);
  if (failed(r) || failed(g))
    return failure();
  rate.assign(r->begin(), r->end());
  gain.assign(g->begin(), g->end());
  return success();
}

LogicalResult
GraphBuilder::recurrentOperands(const Node &neuron, const Node &loop,
                                RankedTensorType type,
                                SmallVectorImpl<Value> &operands) {
  if (type.getRank() != 2)
    return error(neuron) << "a recurrent neuron (fed back through '"
                         << loop.name << "') takes a vector input, found shape "
                         << type.getShape().drop_front();
  int64_t K = type.getDimSize(1);
  Location loc = reader_.nodeLoc(loop.name);
  if (loop.type == "Scale") {
    // One-to-one feedback: a diagonal weight.
    FailureOr<const Array *> scale = array(loop, "scale");
    if (failed(scale))
      return failure();
    if ((*scale)->data.size() != size_t(K) && (*scale)->data.size() != 1)
      return error(loop) << "'scale' has " << (*scale)->data.size()
                         << " values for the " << K
                         << " neurons it feeds back to";
    std::vector<double> diagonal(K * K, 0.0);
    for (int64_t k = 0; k < K; ++k)
      diagonal[k * K + k] = (*scale)->data[(*scale)->data.size() == 1 ? 0 : k];
    operands.push_back(constant({K, K}, diagonal, loc));
    return success();
  }
  FailureOr<const Array *> weight = array(loop, "weight");
  if (failed(weight))
    return failure();
  if (ArrayRef<int64_t>((*weight)->shape) != ArrayRef<int64_t>{K, K})
    return error(loop) << "feeds the " << K << " neurons of '" << neuron.name
                       << "' back to themselves, so 'weight' must be [" << K
                       << ", " << K << "]";
  operands.push_back(constant({K, K}, (*weight)->data, loc));
  if (loop.type == "Affine") {
    FailureOr<const Array *> bias = array(loop, "bias");
    if (failed(bias))
      return failure();
    if ((*bias)->data.size() != size_t(K))
      return error(loop) << "'bias' has " << (*bias)->data.size()
                         << " values for " << K << " outputs";
    operands.push_back(constant({K}, (*bias)->data, loc));
  }
  return success();
}

FailureOr<Value> GraphBuilder::neuron(const Node &node, Value input,
                                      const Node *loop) {
  auto type = cast<RankedTensorType>(input.getType());
  StringRef kind = node.type;
  bool isIF = kind == "IF", isThreshold = kind == "Threshold";
  bool isLI = kind == "LI" || kind == "CubaLI";
  bool current = kind == "CubaLIF" || kind == "CubaLI";
  auto param = [&](StringRef name) { return neuronParam(node, name, type); };
  SmallVector<float> synLeak, synGain, leak, gain, vLeak{0.0f}, vReset{0.0f};
  FailureOr<SmallVector<float>> threshold = SmallVector<float>();
  if (!isLI) {
    threshold = param(isThreshold ? "threshold" : "v_threshold");
    if (failed(threshold))
      return failure();
    for (float t : *threshold)
      if (!(t > 0.0f))
        return error(node) << "the threshold must be positive, found "
                           << formatNumber(t);
  }
  if (isThreshold) {
    // leak = 1 forgets the membrane exactly: H = 0 + 1 * X.
    leak = {1.0f};
    gain = {1.0f};
  } else {
    // The synaptic current: syn_leak = dt / tau_syn, syn_gain = w_in * dt /
    // tau_syn; the membrane: leak = dt / tau(_mem), gain = r * dt / tau(_mem)
    // (IF: leak = 0, gain = r * dt).
    if (current &&
        failed(decay(node, "tau_syn", "w_in", type, synLeak, synGain)))
      return failure();
    if (failed(decay(node,
                     isIF      ? ""
                     : current ? "tau_mem"
                               : "tau",
                     "r", type, leak, gain)))
      return failure();
    if (!isIF) {
      FailureOr<SmallVector<float>> v = param("v_leak");
      if (failed(v))
        return failure();
      vLeak = *v;
    }
    if (!isLI && node.arrays.count("v_reset")) {
      FailureOr<SmallVector<float>> v = param("v_reset");
      if (failed(v))
        return failure();
      vReset = *v;
    }
  }
  auto f32s = [&](ArrayRef<float> values) {
    return builder_.getDenseF32ArrayAttr(values);
  };
  SmallVector<NamedAttribute> attrs{
      builder_.getNamedAttr("leak", f32s(leak)),
      builder_.getNamedAttr("gain", f32s(gain)),
      builder_.getNamedAttr("v_leak", f32s(vLeak))};
  if (current) {
    attrs.push_back(builder_.getNamedAttr("syn_leak", f32s(synLeak)));
    attrs.push_back(builder_.getNamedAttr("syn_gain", f32s(synGain)));
  }
  if (isLI)
    return createInferred<spike::LIOp>(node, input, attrs);
  MLIRContext *ctx = context_;
  attrs.push_back(builder_.getNamedAttr("v_threshold", f32s(*threshold)));
  attrs.push_back(builder_.getNamedAttr(
      "reset",
      spike::ResetModeAttr::get(ctx, isThreshold ? spike::ResetMode::none
                                                 : spike::ResetMode::hard)));
  attrs.push_back(builder_.getNamedAttr(
      "fire", spike::FireModeAttr::get(ctx, spike::FireMode::gt)));
  if (!isThreshold)
    attrs.push_back(builder_.getNamedAttr("v_reset", f32s(vReset)));
  SmallVector<Value> operands{input};
  if (loop && failed(recurrentOperands(node, *loop, type, operands)))
    return failure();
  if (current)
    return createInferred<spike::CubaLIFOp>(node, operands, attrs);
  return createInferred<spike::LIFOp>(node, operands, attrs);
}

FailureOr<Value> GraphBuilder::linear(const Node &node, Value input,
                                      bool affine) {
  Location loc = reader_.nodeLoc(node.name);
  auto type = cast<RankedTensorType>(input.getType());
  FailureOr<const Array *> weight = array(node, "weight");
  if (failed(weight))
    return failure();
  if ((*weight)->shape.size() != 2)
    return error(node) << "'weight' must be [out, in], found rank "
                       << (*weight)->shape.size();
  if (type.getRank() != 2)
    return error(node) << "expects a vector input, found shape "
                       << type.getShape().drop_front() << "; add a Flatten";
  Value w = constant((*weight)->shape, (*weight)->data, loc);
  SmallVector<Value> operands{input, w};
  if (affine) {
    FailureOr<const Array *> bias = array(node, "bias");
    if (failed(bias))
      return failure();
    if ((*bias)->data.size() != size_t((*weight)->shape[0]))
      return error(node) << "'bias' has " << (*bias)->data.size()
                         << " values for " << (*weight)->shape[0] << " outputs";
    operands.push_back(constant({(*weight)->shape[0]}, (*bias)->data, loc));
  }
  return createInferred<spike::LinearOp>(node, operands);
}

FailureOr<Value> GraphBuilder::conv(const Node &node, Value input,
                                    int spatialDims) {
  Location loc = reader_.nodeLoc(node.name);
  auto type = cast<RankedTensorType>(input.getType());
  if (type.getRank() != 2 + spatialDims)
    return error(node) << "expects an input of rank " << 1 + spatialDims
                       << " ([C" << (spatialDims == 2 ? ", H, W" : ", L")
                       << "]), found shape " << type.getShape().drop_front();
  FailureOr<const Array *> weight = array(node, "weight");
  if (failed(weight))
    return failure();
  if (int64_t((*weight)->shape.size()) != 2 + spatialDims)
    return error(node) << "'weight' must have rank " << 2 + spatialDims;
  if (node.strings.count("padding"))
    return error(node) << "string padding '" << node.strings.at("padding")
                       << "' is not supported; give explicit pads";
  FailureOr<SmallVector<int64_t>> stride = ints(node, "stride", spatialDims, 1);
  FailureOr<SmallVector<int64_t>> padding =
      ints(node, "padding", spatialDims, 0);
  FailureOr<SmallVector<int64_t>> dilation =
      ints(node, "dilation", spatialDims, 1);
  FailureOr<SmallVector<int64_t>> groups = ints(node, "groups", 1, 1);
  if (failed(stride) || failed(padding) || failed(dilation) || failed(groups))
    return failure();
  for (int64_t s : *stride)
    if (s < 1)
      return error(node) << "'stride' must be positive";
  for (int64_t d : *dilation)
    if (d < 1)
      return error(node) << "'dilation' must be positive";
  if ((*groups)[0] < 1)
    return error(node) << "'groups' must be positive";
  SmallVector<int64_t> wShape((*weight)->shape);
  Value x = input;
  if (spatialDims == 1) {
    // Conv1d as a Conv2d of height 1.
    wShape.insert(wShape.begin() + 2, 1);
    stride->insert(stride->begin(), 1);
    padding->insert(padding->begin(), 0);
    dilation->insert(dilation->begin(), 1);
    SmallVector<int64_t> shape(type.getShape());
    shape.insert(shape.begin() + 2, 1);
    x = builder_.create<spike::ReshapeOp>(
        loc, RankedTensorType::get(shape, type.getElementType()), input);
  }
  SmallVector<Value> operands{x, constant(wShape, (*weight)->data, loc)};
  if (const Array *bias = optionalArray(node, "bias")) {
    if (bias->data.size() != size_t(wShape[0]))
      return error(node) << "'bias' has " << bias->data.size() << " values for "
                         << wShape[0] << " channels";
    operands.push_back(constant({wShape[0]}, bias->data, loc));
  }
  SmallVector<int64_t> pads{(*padding)[0], (*padding)[1], (*padding)[0],
                            (*padding)[1]};
  FailureOr<Value> result = createInferred<spike::Conv2dOp>(
      node, operands,
      {builder_.getNamedAttr("strides", builder_.getDenseI64ArrayAttr(*stride)),
       builder_.getNamedAttr("pads", builder_.getDenseI64ArrayAttr(pads)),
       builder_.getNamedAttr("dilations",
                             builder_.getDenseI64ArrayAttr(*dilation)),
       builder_.getNamedAttr("groups",
                             builder_.getI64IntegerAttr((*groups)[0]))});
  if (failed(result) || spatialDims == 2)
    return result;
  auto out = cast<RankedTensorType>(result->getType());
  SmallVector<int64_t> shape(out.getShape());
  shape.erase(shape.begin() + 2);
  return Value(builder_.create<spike::ReshapeOp>(
      loc, RankedTensorType::get(shape, out.getElementType()), *result));
}

FailureOr<Value> GraphBuilder::pool(const Node &node, Value input, bool sum) {
  Location loc = reader_.nodeLoc(node.name);
  auto type = cast<RankedTensorType>(input.getType());
  if (type.getRank() != 4)
    return error(node) << "expects a [C, H, W] input, found shape "
                       << type.getShape().drop_front();
  FailureOr<SmallVector<int64_t>> kernel = ints(node, "kernel_size", 2, 0);
  FailureOr<SmallVector<int64_t>> stride = ints(node, "stride", 2, 0);
  FailureOr<SmallVector<int64_t>> padding = ints(node, "padding", 2, 0);
  if (failed(kernel) || failed(stride) || failed(padding))
    return failure();
  if (!node.arrays.count("kernel_size"))
    return error(node) << "missing the dataset 'kernel_size'";
  if (!node.arrays.count("stride"))
    *stride = *kernel;
  for (int64_t v : llvm::concat<int64_t>(*kernel, *stride))
    if (v < 1)
      return error(node) << "'kernel_size' and 'stride' must be positive";
  SmallVector<int64_t> pads{(*padding)[0], (*padding)[1], (*padding)[0],
                            (*padding)[1]};
  if (sum) {
    // A sum pool is a depthwise convolution with a kernel of ones: exact,
    // unlike an average scaled back up.
    int64_t channels = type.getShape()[1];
    std::vector<double> ones(size_t(channels * (*kernel)[0] * (*kernel)[1]),
                             1.0);
    Value w = constant({channels, 1, (*kernel)[0], (*kernel)[1]}, ones, loc);
    return createInferred<spike::Conv2dOp>(
        node, ValueRange{input, w},
        {builder_.getNamedAttr("strides",
                               builder_.getDenseI64ArrayAttr(*stride)),
         builder_.getNamedAttr("pads", builder_.getDenseI64ArrayAttr(pads)),
         builder_.getNamedAttr("groups",
                               builder_.getI64IntegerAttr(channels))});
  }
  return createInferred<spike::AvgPool2dOp>(
      node, input,
      {builder_.getNamedAttr("kernel_shape",
                             builder_.getDenseI64ArrayAttr(*kernel)),
       builder_.getNamedAttr("strides", builder_.getDenseI64ArrayAttr(*stride)),
       builder_.getNamedAttr("pads", builder_.getDenseI64ArrayAttr(pads)),
       builder_.getNamedAttr("count_include_pad", builder_.getBoolAttr(true))});
}

FailureOr<Value> GraphBuilder::flatten(const Node &node, Value input) {
  auto type = cast<RankedTensorType>(input.getType());
  // NIR counts dimensions without the batch; negative ones from the end.
  int64_t rank = type.getRank() - 1;
  auto dim = [&](StringRef name, int64_t fallback) -> FailureOr<int64_t> {
    const Array *value = optionalArray(node, name);
    if (!value)
      return fallback;
    if (value->data.size() != 1 || value->data[0] != std::floor(value->data[0]))
      return error(node) << "'" << name << "' must be one integer";
    int64_t d = int64_t(value->data[0]);
    if (d < 0)
      d += rank;
    if (d < 0 || d >= rank)
      return error(node) << "'" << name << "' = " << int64_t(value->data[0])
                         << " is out of range for shape "
                         << type.getShape().drop_front();
    return d;
  };
  FailureOr<int64_t> start = dim("start_dim", 0),
                     end = dim("end_dim", rank - 1);
  if (failed(start) || failed(end))
    return failure();
  if (*start > *end)
    return error(node) << "'start_dim' is after 'end_dim'";
  SmallVector<int64_t> shape{type.getShape()[0]};
  int64_t folded = 1;
  for (int64_t i = 0; i < rank; ++i) {
    int64_t d = type.getShape()[i + 1];
    if (i < *start || i > *end)
      shape.push_back(d);
    else if ((folded *= d), i == *end)
      shape.push_back(folded);
  }
  return Value(builder_.create<spike::ReshapeOp>(
      reader_.nodeLoc(node.name),
      RankedTensorType::get(shape, type.getElementType()), input));
}

FailureOr<Value> GraphBuilder::importNode(unsigned index, Value input) {
  const Node &node = reader_.nodes[index];
  StringRef type = node.type;
  if (type == "Input" || type == "Output")
    return input; // nested boundaries pass their value through
  if (type == "Linear" || type == "Affine")
    return linear(node, input, type == "Affine");
  if (type == "Scale") {
    FailureOr<const Array *> scale = array(node, "scale");
    if (failed(scale))
      return failure();
    SmallVector<int64_t> shape{1};
    shape.append((*scale)->shape.begin(), (*scale)->shape.end());
    return createInferred<spike::MulOp>(
        node, ValueRange{input, constant(shape, (*scale)->data,
                                         reader_.nodeLoc(node.name))});
  }
  if (type == "Conv1d" || type == "Conv2d")
    return conv(node, input, type == "Conv1d" ? 1 : 2);
  if (type == "SumPool2d" || type == "AvgPool2d")
    return pool(node, input, type == "SumPool2d");
  if (type == "Flatten")
    return flatten(node, input);
  if (isSpikingNeuron(type) || type == "LI" || type == "CubaLI")
    return neuron(node, input,
                  loopOf_[index] >= 0 ? &reader_.nodes[loopOf_[index]]
                                      : nullptr);
  return error(node) << "unsupported node type (docs/nir.md lists the "
                        "supported ones)";
}

OwningOpRef<ModuleOp> GraphBuilder::build() {
  Location fileLoc = reader_.fileLoc();
  if (!options_.dt) {
    emitError(fileLoc) << "NIR files store no timestep; pass --dt=SECONDS "
                          "(docs/nir.md)";
    return nullptr;
  }
  if (!(*options_.dt > 0) || !std::isfinite(*options_.dt)) {
    emitError(fileLoc) << "dt must be positive and finite, found "
                       << formatNumber(*options_.dt);
    return nullptr;
  }
  if (!options_.timesteps) {
    emitError(fileLoc) << "NIR files store no number of timesteps; pass "
                          "--timesteps=T";
    return nullptr;
  }
  if (failed(resolveEdges()))
    return nullptr;
  findRecurrences();
  SmallVector<unsigned> sorted;
  if (failed(order(sorted)))
    return nullptr;

  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  builder_.setInsertionPointToEnd(module->getBody());
  auto func = builder_.create<func::FuncOp>(fileLoc, "main",
                                            builder_.getFunctionType({}, {}));
  Block *entry = func.addEntryBlock();
  builder_.setInsertionPointToEnd(entry);

  std::vector<Value> values(reader_.nodes.size());
  SmallVector<Type> inputTypes;
  SmallVector<Value> results;
  for (unsigned i : sorted) {
    const Node &node = reader_.nodes[i];
    Location loc = reader_.nodeLoc(node.name);
    if (node.type == "Input" && !node.nested) {
      FailureOr<const Array *> shape = array(node, "shape");
      if (failed(shape))
        return nullptr;
      SmallVector<int64_t> dims{options_.batch};
      for (double d : (*shape)->data) {
        if (!(d >= 1) || d != std::floor(d) || d > double(kMaxTensorElements)) {
          error(node) << "'shape' must hold positive integers";
          return nullptr;
        }
        dims.push_back(int64_t(d));
      }
      // Rockpool and NIR 0.2 give a shape of [1] for one neuron; an empty
      // shape is one neuron as well.
      if (dims.size() == 1)
        dims.push_back(1);
      if (!isSupportedTensorSize(dims)) {
        error(node) << "the input has more than 2^" << kMaxTensorElementsLog2
                    << " elements";
        return nullptr;
      }
      auto type = RankedTensorType::get(dims, builder_.getF32Type());
      inputTypes.push_back(type);
      values[i] = entry->addArgument(type, loc);
      continue;
    }
    // A neuron's feedback is built with the neuron.
    if (inLoop_[i])
      continue;
    if (preds_[i].empty()) {
      error(node) << "no edge leads into this node";
      return nullptr;
    }
    // Several incoming edges add up.
    Value input = values[preds_[i].front()];
    for (unsigned pred : ArrayRef<unsigned>(preds_[i]).drop_front()) {
      FailureOr<Value> sum =
          createInferred<spike::AddOp>(node, ValueRange{input, values[pred]});
      if (failed(sum))
        return nullptr;
      input = *sum;
    }
    if (node.type == "Output" && !node.nested) {
      results.push_back(input);
      continue;
    }
    FailureOr<Value> value = importNode(i, input);
    if (failed(value))
      return nullptr;
    values[i] = *value;
  }
  if (inputTypes.empty() || results.empty()) {
    emitError(fileLoc) << "the NIR graph needs an Input and an Output node";
    return nullptr;
  }
  builder_.create<func::ReturnOp>(fileLoc, results);
  func.setFunctionType(
      builder_.getFunctionType(inputTypes, ValueRange(results).getTypes()));
  (*module)->setAttr(
      spike::SpikeDialect::getModelAttrName(),
      spike::ModelAttr::get(context_, *options_.timesteps,
                            options_.encoding.value_or(spike::Encoding::spikes),
                            options_.readout.value_or(spike::Readout::all)));
  if (failed(verify(*module)))
    return nullptr;
  return module;
}

} // namespace

bool sparseflow::isHDF5Buffer(StringRef buffer) {
  return buffer.starts_with(StringRef("\x89HDF\r\n\x1a\n", 8));
}

OwningOpRef<ModuleOp>
sparseflow::importNIRModel(const llvm::SourceMgr &sourceMgr,
                           MLIRContext *context,
                           const NIRImportOptions &options) {
  context->loadDialect<spike::SpikeDialect, func::FuncDialect,
                       arith::ArithDialect>();
  const llvm::MemoryBuffer *buffer =
      sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID());
  StringRef name = buffer->getBufferIdentifier();
  NIRReader reader(context, name.empty() ? "<nir>" : name);
  {
    QuietHDF5 quiet;
    if (failed(reader.read(buffer->getBuffer())))
      return nullptr;
  }
  GraphBuilder builder(reader, context, options);
  return builder.build();
}
