#!/usr/bin/env bash
# Configures SparseFlow into build/ (once) and builds it incrementally.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

if [[ ! -f "$root/build/build.ninja" ]]; then
  cmake -G Ninja -S "$root" -B "$root/build" \
    -DCMAKE_BUILD_TYPE=Release \
    -DMLIR_DIR=/usr/lib/llvm-19/lib/cmake/mlir \
    -DSF_PYTHON_EXECUTABLE=/usr/bin/python3
fi
cmake --build "$root/build"
