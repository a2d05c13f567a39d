#!/usr/bin/env bash
# `pip install .` in a fresh venv (over Debian's Python, for torch and onnx),
# then, from outside the checkout, the installed package and tools compile
# and run a model: sfc and sf-run on the venv's PATH, the extension inside
# the package, and sparseflow.compile finding sfc beside the interpreter.
# Usage: check.sh SOURCE_DIR WORK_DIR
set -euo pipefail
src=$1 work=$2
rm -rf "$work"
mkdir -p "$work"
/usr/bin/python3 -m venv --system-site-packages "$work/venv"
"$work/venv/bin/pip" install --quiet "$src"
cd "$work"
export PATH="$work/venv/bin:$PATH"
unset PYTHONPATH SPARSEFLOW_BIN_DIR
test "$(command -v sfc)" = "$work/venv/bin/sfc"
test "$(command -v sf-run)" = "$work/venv/bin/sf-run"
sfc --help > /dev/null
"$work/venv/bin/python" - "$src" <<'PY'
import pathlib, sys
import numpy as np
import torch

import sparseflow
from sparseflow import runtime

src = pathlib.Path(sys.argv[1]).resolve()
package = pathlib.Path(sparseflow.__file__).resolve().parent
assert pathlib.Path(sys.prefix).resolve() in package.parents, f"not the installed package: {package}"
assert package != src / "python" / "sparseflow"
assert pathlib.Path(runtime._sfc()).parent == pathlib.Path(sys.executable).parent, runtime._sfc()

torch.manual_seed(0)
model = torch.nn.Sequential(torch.nn.Linear(8, 6), sparseflow.nn.LIF(leak=0.5, v_threshold=0.5),
                            torch.nn.Linear(6, 3))
x = torch.rand(2, 8)
fast = sparseflow.optimize(model, x, timesteps=4, cache_dir="cache", check=True)
assert fast.check.ok, fast.check
# The sparse kernel sums a layer's spikes in another order than PyTorch.
assert torch.allclose(fast(x), sparseflow.nn.simulate(model, x, 4), rtol=1e-5, atol=1e-6)
print("pip install: sparseflow", sparseflow.__version__, "from", package, "with", runtime._sfc())
PY
sf-run --version
