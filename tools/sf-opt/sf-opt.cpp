//===- sf-opt.cpp - SparseFlow optimizer driver ---------------------------===//
//
// Part of SparseFlow.
//
// Parses spike-dialect IR, runs pass pipelines on it and prints the result.
// Registers only the dialects that SparseFlow IR contains, to keep the tool
// small and fast to build.
//
//===----------------------------------------------------------------------===//

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"
#include "sparseflow/Compiler/SpikePipeline.h"
#include "sparseflow/Dialect/Plan/PlanDialect.h"
#include "sparseflow/Dialect/Spike/SpikeDialect.h"
#include "sparseflow/Dialect/SpikeCore/SpikeCoreDialect.h"

int main(int argc, char **argv) {
  mlir::registerTransformsPasses();
  sparseflow::registerSpikePipelines();

  mlir::DialectRegistry registry;
  registry
      .insert<sparseflow::plan::PlanDialect, sparseflow::spike::SpikeDialect,
              sparseflow::spikecore::SpikeCoreDialect,
              mlir::arith::ArithDialect, mlir::func::FuncDialect>();

  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "SparseFlow optimizer driver\n", registry));
}
