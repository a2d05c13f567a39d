# -*- Python -*-
# lit configuration for the SparseFlow regression tests.

import os

import lit.formats
from lit.llvm import llvm_config

config.name = "SparseFlow"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".textproto", ".s"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.sparseflow_obj_root, "test")
# Directories holding tests of other kinds (pytest, libFuzzer).
config.excludes = ["python", "fuzz-compiler", "lit.cfg.py", "lit.site.cfg.py", "Inputs"]

llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)

config.substitutions.append(("%python", config.python_executable))
# sf-asm is the runtime tree's (runtime/tools/sf-asm); every tool is built
# into the same bin/ directory.
llvm_config.add_tool_substitutions(
    ["sf-opt", "sfc", "sf-asm"], [config.sparseflow_tools_dir, config.llvm_tools_dir]
)
