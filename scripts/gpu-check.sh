#!/usr/bin/env bash
# The GPU checks, in two steps (docs/runtime.md, "CUDA backend"):
#
#   scripts/gpu-check.sh prepare [DIR]  here, after scripts/build.sh: compiles
#       the test networks into DIR (default build/gpu-check) with what a GPU
#       host without LLVM, flatc or GoogleTest needs to build the runtime.
#   scripts/gpu-check.sh run [DIR]      on the GPU host, from the repository
#       root with DIR copied there: builds the runtime alone (cmake -S
#       runtime) with its CUDA backend, runs its GoogleTest suite (the CUDA
#       kernel tests run on the device), compares every artifact on the cuda
#       backend with the host backend, then runs the benchmark against cuDNN
#       (bench/gpu_bench.py), writing DIR/bench.md and DIR/bench.json.
#
# With the session's device tool, after `prepare`:
#   run(command="scripts/gpu-check.sh run", carry=["build/gpu-check"])
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
step=${1:?usage: gpu-check.sh prepare|run [DIR]}
dir=$(realpath -m "${2:-$root/build/gpu-check}")

case "$step" in
prepare)
  PYTHONPATH="$root/python" SPARSEFLOW_BIN_DIR="$root/build/bin" \
    /usr/bin/python3 "$root/scripts/gpu_check.py" prepare "$dir" --build "$root/build"
  ;;
run)
  python=${PYTHON:-python3}
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv || true
  cmake -S "$root/runtime" -B "$dir/runtime-build" -G Ninja \
    -DCMAKE_BUILD_TYPE=Release -DSF_ENABLE_CUDA=ON \
    -DSF_SCHEMA_HEADER="$dir/deps/sfa_generated.h" \
    -DSF_FLATBUFFERS_INCLUDE_DIR="$dir/deps/include" \
    -DSF_GTEST_SOURCE_DIR="$dir/deps/googletest"
  cmake --build "$dir/runtime-build"
  status=0
  "$dir/runtime-build/bin/sparseflow-runtime-tests" || status=1
  "$python" "$root/scripts/gpu_check.py" compare "$dir" \
    --sf-run "$dir/runtime-build/bin/sf-run" || status=1
  "$python" "$root/bench/gpu_bench.py" \
    --lib "$dir/runtime-build/lib/libsparseflow_cuda_kernels.so" \
    --out "$dir/bench" || status=1
  exit $status
  ;;
*)
  echo "usage: gpu-check.sh prepare|run [DIR]" >&2
  exit 2
  ;;
esac
