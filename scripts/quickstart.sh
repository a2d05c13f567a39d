#!/usr/bin/env bash
# Installs dependencies, builds SparseFlow and runs it on the bundled example:
# a LeNet-style SNN defined in PyTorch, exported to ONNX, imported by sfc.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

"$root/scripts/setup.sh"
"$root/scripts/build.sh" >/dev/null

out="$root/build/examples"
mkdir -p "$out"
PYTHONPATH="$root/python" /usr/bin/python3 "$root/examples/lenet_snn.py" "$out/lenet_snn.onnx"
echo "== sfc import $out/lenet_snn.onnx (weights elided):"
"$root/build/bin/sfc" import "$out/lenet_snn.onnx" --mlir-elide-elementsattrs-if-larger=8
