//===- InputLimits.h - limits on what the compiler reads --------*- C++ -*-===//
//
// Part of SparseFlow.
//
// Models and configuration files come from users, so their structure and
// sizes are checked before anything relies on them: JSON and YAML files
// before LLVM's recursive parsers see them, tensor shapes before their sizes
// are computed. Every limit is defined here.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEFLOW_SUPPORT_INPUTLIMITS_H
#define SPARSEFLOW_SUPPORT_INPUTLIMITS_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace sparseflow {

//===----------------------------------------------------------------------===//
// Nesting of JSON and YAML files
//===----------------------------------------------------------------------===//

/// How deeply the JSON and YAML files the compiler reads (placement files,
/// SpikeCore descriptions, profiles, accelerator files) may nest arrays and
/// objects. Real files nest fewer than 10 levels; LLVM's JSON parser and
/// YAML node skipping recurse once per level, so without a limit a file of
/// deeply nested brackets overflows the stack.
constexpr unsigned kMaxInputNesting = 64;

/// The byte offset of the `[` or `{` of `json` that opens level
/// kMaxInputNesting + 1, if any. The scan is iterative and skips strings
/// (with their backslash escapes); the text need not be valid JSON.
std::optional<size_t> findJSONNestingExcess(llvm::StringRef json);

/// The byte offset of the start of the first collection (sequence or
/// mapping, block or flow) of `yaml` at level kMaxInputNesting + 1, if any.
/// Walks the documents with an explicit stack; syntax errors end the walk and
/// are left to the caller's parse.
std::optional<size_t> findYAMLNestingExcess(llvm::StringRef yaml);

/// "nesting deeper than the limit of 64 levels at byte offset N".
std::string describeNestingExcess(size_t offset);

/// llvm::json::parse after the nesting check. The error reads "invalid JSON:
/// <the parser's message>" or describeNestingExcess's message.
llvm::Expected<llvm::json::Value> parseJSONInput(llvm::StringRef json);

/// How deeply a text-format ONNX model may nest messages. A model nests
/// about 6 levels plus about 4 per subgraph; protobuf's text parser recurses
/// once per level and has no limit of its own. (Binary models are held to
/// protobuf's default limit, also 100.)
constexpr int kMaxONNXTextNesting = 100;

//===----------------------------------------------------------------------===//
// Tensor sizes
//===----------------------------------------------------------------------===//

/// The most elements a tensor of a model may have: 2^48. Its byte size over
/// every timestep (4 bytes an element for each of at most 64 timesteps, or 8
/// bytes packing them all: at most 2^56 bytes) then fits int64_t with room
/// for the memory plan's sums.
constexpr unsigned kMaxTensorElementsLog2 = 48;
constexpr int64_t kMaxTensorElements = int64_t(1) << kMaxTensorElementsLog2;

/// The product of `values`, or std::nullopt when it overflows int64_t.
std::optional<int64_t> checkedProduct(llvm::ArrayRef<int64_t> values);

/// Whether `shape` is static and the product of its non-zero dimensions is at
/// most kMaxTensorElements, so that no product of its dimensions overflows.
bool isSupportedTensorSize(llvm::ArrayRef<int64_t> shape);

} // namespace sparseflow

#endif // SPARSEFLOW_SUPPORT_INPUTLIMITS_H
