"""SparseFlow: an ahead-of-time compiler for spiking neural networks.

This package holds the PyTorch reference semantics (`sparseflow.nn`) and the
exporter from PyTorch to SparseFlow's ONNX form (`sparseflow.export_onnx`).
"""

from sparseflow import nn
from sparseflow.export import ExportError, export_onnx, to_canonical

__version__ = "0.1.0"

__all__ = ["nn", "export_onnx", "to_canonical", "ExportError", "__version__"]
