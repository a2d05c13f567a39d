#!/usr/bin/env bash
# Installs dependencies, builds, and runs every test suite (lit, GoogleTest,
# pytest, the standalone runtime build) through ctest.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

"$root/scripts/setup.sh"
"$root/scripts/build.sh"
cd "$root/build"
ctest --output-on-failure -j "$(nproc)"
