"""SparseFlow: an ahead-of-time compiler for spiking neural networks.

This package holds the PyTorch reference semantics (`sparseflow.nn`), the
exporter from PyTorch to SparseFlow's ONNX form (`sparseflow.export_onnx`),
the one-line `sparseflow.optimize(model, example_input)`,
and the compiler and runtime bindings (`sparseflow.compile`,
`sparseflow.load`; they need the built `sparseflow._runtime` extension and are
imported on first use).
"""

from sparseflow import nn
from sparseflow.export import ExportError, export_onnx, to_canonical
from sparseflow.optimize import optimize

__version__ = "0.1.0"

_RUNTIME_NAMES = ("compile", "load", "Model", "CompileError", "RuntimeError", "has_backend",
                  "runtime_version", "estimate", "Dram", "load_dram")

__all__ = ["nn", "export_onnx", "to_canonical", "ExportError", "optimize", "__version__",
           *_RUNTIME_NAMES]


def __getattr__(name):
    # The runtime names come from the compiled extension, loaded lazily so
    # the reference semantics and the exporter work without a build.
    if name in _RUNTIME_NAMES:
        from sparseflow import runtime
        return getattr(runtime, name)
    raise AttributeError(f"module 'sparseflow' has no attribute {name!r}")
