#!/usr/bin/env bash
# The GPU checks, in two steps (docs/runtime.md, "CUDA backend"):
#
#   scripts/gpu-check.sh prepare [DIR]  here, after scripts/build.sh: compiles
#       the test networks into DIR (default build/gpu-check) with what a GPU
#       host without LLVM, flatc or GoogleTest needs to build the runtime: a
#       copy of runtime/ and formats/ (DIR/src), the generated schema header,
#       flatbuffers' headers and GoogleTest's sources (DIR/deps).
#   scripts/gpu-check.sh run [DIR]      on the GPU host, from the repository
#       root with DIR copied there: builds the runtime alone from DIR/src
#       (cmake -S DIR/src/runtime) with its CUDA backend, runs its GoogleTest
#       suite (the CUDA kernel tests run on the device), compares every
#       artifact on the cuda and auto backends with the host backend, then
#       runs the benchmark against cuDNN (bench/gpu_bench.py). Each step's
#       log, the device's description and the benchmark's tables go to
#       $OUT (default DIR/out), eight files, and a summary ends the output.
#       Sized for 6 minutes on an H100/H200: each step has a time limit, and
#       the benchmark stops early (writing what it measured) when its share
#       runs out; GPU_CHECK_BENCH=0 leaves it out (a quick re-check of
#       correctness).
#
# With the session's device tool, after `prepare`:
#   run(command="scripts/gpu-check.sh run", carry=["build/gpu-check"])
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
step=${1:?usage: gpu-check.sh prepare|run [DIR]}
dir=$(realpath -m "${2:-$root/build/gpu-check}")

# Runs step $1 with a limit of $2 seconds, its output in $out/$1.log;
# records "name status seconds" for the summary.
summary=()
failed=0
timed() {
  local name=$1 limit=$2 started=$SECONDS status=0
  shift 2
  echo "== $name (limit ${limit}s): $*"
  timeout --kill-after=10 "$limit" "$@" >"$out/$name.log" 2>&1 || status=$?
  local how=ok
  if ((status == 124 || status == 137)); then
    how="TIMED OUT after ${limit}s"
  elif ((status != 0)); then
    how="FAILED (exit $status)"
  fi
  ((status == 0)) || failed=1
  summary+=("$(printf '%-8s %-24s %4ds' "$name" "$how" $((SECONDS - started)))")
  tail -n 25 "$out/$name.log"
  return $status
}

case "$step" in
prepare)
  PYTHONPATH="$root/python" SPARSEFLOW_BIN_DIR="$root/build/bin" \
    /usr/bin/python3 "$root/scripts/gpu_check.py" prepare "$dir" --build "$root/build"
  ;;
run)
  python=${PYTHON:-python3}
  out=$(realpath -m "${OUT:-$dir/out}")
  mkdir -p "$out"
  build="$dir/runtime-build"
  {
    nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm \
      --format=csv || true
    nvcc --version | tail -n 2 || true
    "$python" -c 'import torch; print("torch", torch.__version__, "cuDNN",
      torch.backends.cudnn.version(), torch.cuda.get_device_name())' || true
  } >"$out/device.txt" 2>&1
  cat "$out/device.txt"
  jobs=$(nproc)
  if timed build 300 bash -c "
      cmake -S '$dir/src/runtime' -B '$build' -G Ninja \
        -DCMAKE_BUILD_TYPE=Release -DSF_ENABLE_CUDA=ON \
        -DCMAKE_CUDA_ARCHITECTURES='${SF_CUDA_ARCHITECTURES:-80;90}' \
        -DSF_SCHEMA_HEADER='$dir/deps/sfa_generated.h' \
        -DSF_FLATBUFFERS_INCLUDE_DIR='$dir/deps/include' \
        -DSF_GTEST_SOURCE_DIR='$dir/deps/googletest' &&
      cmake --build '$build' -j $jobs"; then
    timed gtest 120 "$build/bin/sparseflow-runtime-tests" --gtest_color=no || true
    # On a GPU host a skipped device test is a failed check, not a pass.
    if grep -q '^\[  SKIPPED \] CudaKernels/Device' "$out/gtest.log"; then
      summary+=("gtest    device tests SKIPPED: the GPU was not used")
      failed=1
    fi
    # Out-of-bounds and misaligned device accesses that happen not to
    # change a result: the device kernel tests and one network per kind of
    # placement under compute-sanitizer's memcheck.
    if command -v compute-sanitizer >/dev/null; then
      timed sanitizer 60 bash -c "
        set -e
        cs='compute-sanitizer --tool memcheck --error-exitcode 3 --print-limit 20'
        \$cs '$build/bin/sparseflow-runtime-tests' --gtest_color=no \\
          --gtest_filter='CudaKernels/Device.*:Loader.Cuda*'
        for a in '$dir'/artifacts/{lenet_bn,residual}.{sparse,gpu-placed}.sfa; do
          echo \"== \$a\"
          \$cs '$build/bin/sf-run' \"\$a\" --input \"\${a%.sfa}.npy\" --backend=cuda
        done" || true
    else
      summary+=("sanitizer not run: no compute-sanitizer on PATH")
    fi
    timed compare 90 "$python" "$root/scripts/gpu_check.py" compare "$dir" \
      --sf-run "$build/bin/sf-run" || true
    [[ ${GPU_CHECK_BENCH:-1} == 0 ]] ||
    timed bench 180 env PYTHONUNBUFFERED=1 "$python" "$root/bench/gpu_bench.py" \
      --lib "$build/lib/libsparseflow_cuda_kernels.so" \
      --out "$out/bench" --repeats 10 --budget-s 150 || true
  fi
  echo "== summary ($(head -n 2 "$out/device.txt" | tail -n 1))"
  printf '%s\n' "${summary[@]}"
  grep -E '^\[  (FAILED|SKIPPED) +\] [^ ]+$' "$out/gtest.log" 2>/dev/null | head -n 40 || true
  grep -E '^(FAIL|[0-9]+ mismatches)' "$out/compare.log" 2>/dev/null || true
  exit $failed
  ;;
*)
  echo "usage: gpu-check.sh prepare|run [DIR]" >&2
  exit 2
  ;;
esac
