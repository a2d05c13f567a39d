//===- InputLimits.cpp - limits on what the compiler reads ----------------===//
//
// Part of SparseFlow.
//
//===----------------------------------------------------------------------===//

#include "sparseflow/Support/InputLimits.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/CheckedArithmetic.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/YAMLParser.h"

using namespace llvm;
using namespace sparseflow;

//===----------------------------------------------------------------------===//
// Nesting of JSON and YAML files
//===----------------------------------------------------------------------===//

std::optional<size_t> sparseflow::findJSONNestingExcess(StringRef json) {
  unsigned depth = 0;
  bool inString = false;
  for (size_t i = 0, e = json.size(); i < e; ++i) {
    char c = json[i];
    if (inString) {
      if (c == '\\')
        ++i; // The escaped character cannot end the string.
      else if (c == '"')
        inString = false;
      continue;
    }
    switch (c) {
    case '"':
      inString = true;
      break;
    case '[':
    case '{':
      if (++depth > kMaxInputNesting)
        return i;
      break;
    case ']':
    case '}':
      // Unbalanced closers are the parser's to report.
      if (depth > 0)
        --depth;
      break;
    default:
      break;
    }
  }
  return std::nullopt;
}

namespace {

/// A sequence or mapping being walked, with its position: the current entry
/// and, in a mapping, whether its key or its value comes next.
struct YAMLLevel {
  yaml::SequenceNode *sequence = nullptr;
  yaml::MappingNode *mapping = nullptr;
  yaml::SequenceNode::iterator item;
  yaml::MappingNode::iterator entry;
  bool started = false;
  bool valueNext = false;
};

/// The next child of `level` to walk, or nullptr when it has no more. The
/// collections' iterators parse lazily and skip the previous child, which has
/// been walked to its end by then, so nothing here recurses.
yaml::Node *nextChild(YAMLLevel &level) {
  if (level.sequence) {
    if (!level.started)
      level.item = level.sequence->begin();
    else
      ++level.item;
    level.started = true;
    return level.item == level.sequence->end() ? nullptr : &*level.item;
  }
  if (level.valueNext) {
    level.valueNext = false;
    return level.entry->getValue();
  }
  if (!level.started)
    level.entry = level.mapping->begin();
  else
    ++level.entry;
  level.started = true;
  if (level.entry == level.mapping->end())
    return nullptr;
  level.valueNext = true;
  return level.entry->getKey();
}

YAMLLevel levelOf(yaml::Node *node) {
  YAMLLevel level;
  level.sequence = dyn_cast_or_null<yaml::SequenceNode>(node);
  level.mapping = dyn_cast_or_null<yaml::MappingNode>(node);
  return level;
}

bool isCollection(yaml::Node *node) {
  return isa_and_nonnull<yaml::SequenceNode, yaml::MappingNode>(node);
}

} // namespace

std::optional<size_t> sparseflow::findYAMLNestingExcess(StringRef yaml) {
  SourceMgr sourceMgr;
  // Syntax errors are reported by the caller's own parse.
  sourceMgr.setDiagHandler([](const SMDiagnostic &, void *) {});
  yaml::Stream stream(MemoryBufferRef(yaml, ""), sourceMgr);
  // A flow collection's node starts after its bracket: report the bracket.
  // A node the parser built without a position in the text (after a syntax
  // error) is reported at its parent's.
  auto inText = [&](yaml::Node *node) -> std::optional<size_t> {
    auto at = reinterpret_cast<uintptr_t>(
        node->getSourceRange().Start.getPointer());
    auto begin = reinterpret_cast<uintptr_t>(yaml.data());
    if (at < begin || at - begin > yaml.size())
      return std::nullopt;
    return at - begin;
  };
  auto offsetOf = [&](yaml::Node *node, yaml::Node *parent) -> size_t {
    size_t start = inText(node).value_or(inText(parent).value_or(0));
    size_t bracket = yaml.find_last_not_of(" \t\r\n", start);
    if (bracket != StringRef::npos &&
        (yaml[bracket] == '[' || yaml[bracket] == '{'))
      return bracket;
    return start;
  };
  for (yaml::Document &document : stream) {
    yaml::Node *root = document.getRoot();
    if (!isCollection(root))
      continue;
    SmallVector<YAMLLevel> levels{levelOf(root)};
    while (!levels.empty()) {
      yaml::Node *child = nextChild(levels.back());
      if (!child) {
        levels.pop_back();
        continue;
      }
      if (!isCollection(child))
        continue;
      if (levels.size() == kMaxInputNesting) {
        YAMLLevel &parent = levels.back();
        return offsetOf(child, parent.sequence
                                   ? static_cast<yaml::Node *>(parent.sequence)
                                   : parent.mapping);
      }
      levels.push_back(levelOf(child));
    }
    if (stream.failed())
      break;
  }
  return std::nullopt;
}

std::string sparseflow::describeNestingExcess(size_t offset) {
  return formatv("nesting deeper than the limit of {0} levels at byte offset "
                 "{1}",
                 kMaxInputNesting, offset)
      .str();
}

Expected<json::Value> sparseflow::parseJSONInput(StringRef json) {
  if (std::optional<size_t> offset = findJSONNestingExcess(json))
    return createStringError(inconvertibleErrorCode(),
                             describeNestingExcess(*offset));
  Expected<json::Value> value = json::parse(json);
  if (!value)
    return createStringError(inconvertibleErrorCode(),
                             "invalid JSON: " + toString(value.takeError()));
  return value;
}

//===----------------------------------------------------------------------===//
// Tensor sizes
//===----------------------------------------------------------------------===//

std::optional<int64_t> sparseflow::checkedProduct(ArrayRef<int64_t> values) {
  int64_t product = 1;
  for (int64_t value : values) {
    std::optional<int64_t> next = checkedMul(product, value);
    if (!next)
      return std::nullopt;
    product = *next;
  }
  return product;
}

bool sparseflow::isSupportedTensorSize(ArrayRef<int64_t> shape) {
  int64_t elements = 1;
  for (int64_t dim : shape) {
    if (dim < 0)
      return false;
    if (dim == 0)
      continue;
    std::optional<int64_t> next = checkedMul(elements, dim);
    if (!next || *next > kMaxTensorElements)
      return false;
    elements = *next;
  }
  return true;
}
