#!/usr/bin/env bash
# Installs every system and Python dependency SparseFlow needs on Debian 12.
# Idempotent: when everything is present it returns in well under a second.
set -euo pipefail

APT_PACKAGES=(
  cmake ninja-build g++ git
  llvm-19-dev llvm-19-tools libmlir-19-dev mlir-19-tools libzstd-dev
  libonnx-dev libonnx-testdata protobuf-compiler libprotobuf-dev
  python3-onnx python3-torch python3-numpy python3-pytest pybind11-dev python3-pybind11
  python3-venv
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

# Reference frameworks the tests compare against, from PyPI, in a venv over
# Debian's Python (its torch 1.13, numpy, h5py): --no-deps keeps pip from
# pulling torch 2.x and its CUDA wheels.
PIP_PACKAGES=(snntorch==1.0.0 nir==1.0.8 nirtorch==2.6 sinabs==3.1.3 pbr==6.1.1
              spikingjelly==0.0.0.0.14 onnxruntime==1.20.1 tqdm==4.67.1)
root=$(cd "$(dirname "$0")/.." && pwd)
venv="$root/.venv"
if [[ ! -x "$venv/bin/python" ]]; then
  echo "setup: creating $venv"
  /usr/bin/python3 -m venv --system-site-packages "$venv"
fi
if ! "$venv/bin/python" - "${PIP_PACKAGES[@]}" <<'PY' 2>/dev/null; then
import sys
from importlib.metadata import version
sys.exit(any(version(n) != v for n, v in (p.split("==") for p in sys.argv[1:])))
PY
  echo "setup: installing ${PIP_PACKAGES[*]} into $venv"
  "$venv/bin/python" -m pip install -q --no-deps "${PIP_PACKAGES[@]}"
fi
