#!/usr/bin/env bash
# Installs dependencies, builds SparseFlow and runs it on the bundled example.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

"$root/scripts/setup.sh"
"$root/scripts/build.sh" >/dev/null

example="$root/examples/lenet_snn.mlir"
echo "== $example, verified and canonicalized by sf-opt:"
"$root/build/bin/sf-opt" --canonicalize "$example"
