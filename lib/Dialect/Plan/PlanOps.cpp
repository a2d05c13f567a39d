//===- PlanOps.cpp - execution-plan dialect -------------------------------===//
//
// Part of SparseFlow.
//
//===----------------------------------------------------------------------===//

#include "sparseflow/Dialect/Plan/PlanOps.h"

#include "sparseflow/Dialect/Plan/PlanSchema.h"

#include "sparseflow/Dialect/Spike/SpikeDialect.h"
#include "sparseflow/format/op_catalogue.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace sparseflow;
using namespace sparseflow::plan;

#include "sparseflow/Dialect/Plan/PlanDialect.cpp.inc"
#include "sparseflow/Dialect/Plan/PlanEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "sparseflow/Dialect/Plan/PlanAttributes.cpp.inc"

#define GET_TYPEDEF_CLASSES
#include "sparseflow/Dialect/Plan/PlanTypes.cpp.inc"

#define GET_OP_CLASSES
#include "sparseflow/Dialect/Plan/PlanOps.cpp.inc"

void PlanDialect::initialize() {
  registerAttributes();
  registerTypes();
  addOperations<
#define GET_OP_LIST
#include "sparseflow/Dialect/Plan/PlanOps.cpp.inc"
      >();
}

void PlanDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "sparseflow/Dialect/Plan/PlanAttributes.cpp.inc"
      >();
}

void PlanDialect::registerTypes() {
  addTypes<
#define GET_TYPEDEF_LIST
#include "sparseflow/Dialect/Plan/PlanTypes.cpp.inc"
      >();
}

//===----------------------------------------------------------------------===//
// PlanTensorType
//===----------------------------------------------------------------------===//

Type PlanTensorType::parse(AsmParser &parser) {
  SmallVector<int64_t> shape;
  StringRef storageName;
  if (parser.parseLess() ||
      parser.parseDimensionList(shape, /*allowDynamic=*/false,
                                /*withTrailingX=*/true))
    return {};
  SMLoc storageLoc = parser.getCurrentLocation();
  if (parser.parseKeyword(&storageName))
    return {};
  std::optional<Storage> storage = symbolizeStorage(storageName);
  if (!storage) {
    parser.emitError(storageLoc, "expected storage 'f32' or 'spikes'");
    return {};
  }
  bool temporal = *storage == Storage::spikes;
  if (succeeded(parser.parseOptionalComma())) {
    if (parser.parseKeyword("temporal"))
      return {};
    temporal = true;
  }
  if (parser.parseGreater())
    return {};
  return parser.getChecked<PlanTensorType>(parser.getContext(), shape, *storage,
                                           temporal);
}

void PlanTensorType::print(AsmPrinter &printer) const {
  printer << "<";
  for (int64_t dim : getShape())
    printer << dim << "x";
  printer << stringifyStorage(getStorage());
  if (getTemporal() && !isSpikes())
    printer << ", temporal";
  printer << ">";
}

LogicalResult
PlanTensorType::verify(function_ref<InFlightDiagnostic()> emitError,
                       ArrayRef<int64_t> shape, Storage storage,
                       bool temporal) {
  if (llvm::any_of(shape, [](int64_t d) { return d < 0; }))
    return emitError() << "plan tensor dimensions must be static and >= 0";
  if (storage == Storage::spikes && !temporal)
    return emitError() << "packed spikes are always temporal";
  return success();
}

int64_t PlanTensorType::getNumElements() const {
  return ShapedType::getNumElements(getShape());
}

uint64_t PlanTensorType::getByteSize(int64_t timesteps) const {
  uint64_t elements = getNumElements();
  if (isSpikes())
    return elements * sizeof(uint64_t);
  return elements * sizeof(float) * (getTemporal() ? timesteps : 1);
}

//===----------------------------------------------------------------------===//
// ConstantOp
//===----------------------------------------------------------------------===//

SmallVector<int64_t> plan::arrangedShape(ArrayRef<int64_t> shape, Layout layout,
                                         int64_t groups) {
  switch (layout) {
  case Layout::as_is:
    return SmallVector<int64_t>(shape);
  case Layout::transposed:
    return {shape[1], shape[0]};
  case Layout::chwo:
    return {shape[1] * groups, shape[2], shape[3], shape[0] / groups};
  }
  llvm_unreachable("unknown layout");
}

LogicalResult ConstantOp::verify() {
  auto elements = dyn_cast<DenseElementsAttr>(getValue());
  if (!elements || !elements.getElementType().isF32())
    return emitOpError("expects dense f32 elements, found ")
           << getValue().getType();
  PlanTensorType type = getResult().getType();
  if (type.isSpikes() || type.getTemporal())
    return emitOpError("result must be a non-temporal f32 tensor, found ")
           << type;
  if (elements.getType().getShape() != type.getShape())
    return emitOpError("value shape ")
           << elements.getType() << " differs from the result " << type;
  size_t rank = type.getShape().size();
  if ((getLayout() == Layout::transposed && rank != 2) ||
      (getLayout() == Layout::chwo && rank != 4))
    return emitOpError("layout '") << stringifyLayout(getLayout())
                                   << "' does not apply to rank " << rank;
  return success();
}

//===----------------------------------------------------------------------===//
// KernelOp
//===----------------------------------------------------------------------===//

ArrayRef<StringRef> KernelOp::getNonParameterAttrNames() {
  static const StringRef names[] = {"kind",   "name",       "target",
                                    "kernel", "block_size", "arena_offset"};
  return names;
}

std::optional<Layout> plan::requiredWeightLayout(KernelOp kernel) {
  StringRef kind = kernel.getKind();
  if (kind == "Conv2d" || kind == "Conv2dLIF")
    return kernel.isSparse() ? Layout::chwo : Layout::as_is;
  // A recurrent neuron adds the rows of W^T of the neurons that fired.
  if (kind == "Linear" || kind == "LinearLIF" || kind == "RecurrentLIF")
    return Layout::transposed;
  return std::nullopt;
}

const format::OpInfo *plan::lookupOpKind(StringRef kind) {
  for (const format::OpInfo &info : format::kOpCatalogue)
    if (kind == info.name)
      return &info;
  return nullptr;
}

LogicalResult KernelOp::verify() {
  // The op catalogue says what each kind takes and which kernels and
  // targets run it, as the runtime's loader checks it.
  StringRef kind = getKind();
  const format::OpInfo *info = lookupOpKind(kind);
  if (!info) {
    InFlightDiagnostic diag = emitOpError("unknown op kind '")
                              << kind << "' (expected one of: ";
    llvm::interleaveComma(format::kOpCatalogue, diag,
                          [&](const format::OpInfo &op) { diag << op.name; });
    return diag << ")";
  }
  unsigned operands = getInputs().size();
  if (operands < info->operandsMin() || operands > info->operandsMax())
    return emitOpError("a ")
           << kind << " takes " << info->operandsMin() << " to "
           << info->operandsMax() << " operands, found " << operands;
  if (!info->hasKernel(toSchema<sfa::Kernel>(getKernel())))
    return emitOpError("a ") << kind << " has no "
                             << stringifyKernelKind(getKernel()) << " kernel";
  if (!info->runsOn(toSchema<sfa::Target>(getTarget())))
    return emitOpError("target '") << spike::stringifyTarget(getTarget())
                                   << "' does not run a " << kind;
  if (isSparse()) {
    auto isSpikes = [](Value v) {
      return cast<PlanTensorType>(v.getType()).isSpikes();
    };
    using SparseInput = format::OpInfo::SparseInput;
    if (info->sparseInput() != SparseInput::Own && !isSpikes(getInputs()[0]))
      return emitOpError("a sparse_binary kernel reads packed spikes");
    if (info->sparseInput() != SparseInput::First && getBlockSize())
      return emitOpError("a ") << kind << " has no block size";
  } else if (getBlockSize()) {
    return emitOpError("only a sparse_binary kernel has a block size");
  }
  if (std::optional<int64_t> block = getBlockSize();
      block && !spike::SpikeDialect::isValidBlockSize(*block))
    return emitOpError("block size ")
           << *block << " is not 0 or a power of two from 2 to 64";
  if (std::optional<int64_t> offset = getArenaOffset(); offset && *offset < 0)
    return emitOpError("arena offset must be >= 0");
  return success();
}
