#!/usr/bin/env bash
# Installs dependencies, builds SparseFlow and runs it on the bundled example:
# a LeNet-style SNN defined in PyTorch, exported to ONNX, compiled by sfc for
# the host and the gpu (the report shows what runs where).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

"$root/scripts/setup.sh"
"$root/scripts/build.sh" >/dev/null

out="$root/build/examples"
mkdir -p "$out"
PYTHONPATH="$root/python" /usr/bin/python3 "$root/examples/lenet_snn.py" "$out/lenet_snn.onnx"
echo "== sfc compile $out/lenet_snn.onnx --targets=host,gpu --report"
"$root/build/bin/sfc" compile "$out/lenet_snn.onnx" --targets=host,gpu --report \
  --report-json="$out/lenet_snn.report.json" -o "$out/lenet_snn.mlir"
echo "== the partitioned spike IR, first lines (weights elided; all of it is in $out/lenet_snn.mlir):"
"$root/build/bin/sfc" compile "$out/lenet_snn.onnx" --targets=host,gpu \
  --mlir-elide-elementsattrs-if-larger=8 | head -n 20
