#!/usr/bin/env bash
# Installs dependencies, builds SparseFlow and runs it on the bundled example:
# a spiking LeNet trained on MNIST (examples/mnist), exported to ONNX,
# compiled by sfc into a .sfa artifact and run by sf-run on 1000 held-out
# images, printing the placement report, the per-layer profile, the
# predictions and the accuracy next to the PyTorch reference's.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

"$root/scripts/setup.sh"
"$root/scripts/build.sh" >/dev/null

PYTHONPATH="$root/python" /usr/bin/python3 "$root/examples/mnist/demo.py" \
  "$root/build/bin" "$root/build/examples/mnist"
