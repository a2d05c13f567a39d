#!/usr/bin/env bash
# Installs every system and Python dependency SparseFlow needs on Debian 12.
# Idempotent: when everything is present it returns in well under a second.
set -euo pipefail

APT_PACKAGES=(
  cmake ninja-build g++ git
  llvm-19-dev llvm-19-tools libmlir-19-dev mlir-19-tools libzstd-dev
  libonnx-dev libonnx-testdata protobuf-compiler libprotobuf-dev
  python3-onnx python3-torch python3-numpy python3-pytest pybind11-dev python3-pybind11
  python3-matplotlib
  libgtest-dev libgmock-dev libbenchmark-dev nlohmann-json3-dev
  libflatbuffers-dev flatbuffers-compiler
  libhdf5-dev python3-h5py
  libdnnl-dev
  clang-19 libclang-rt-19-dev
)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done

if ((${#missing[@]})); then
  echo "setup: installing ${#missing[@]} Debian package(s): ${missing[*]}"
  SUDO=""
  [[ $(id -u) -eq 0 ]] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
