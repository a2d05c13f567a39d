"""Serializes a protobuf text-format ONNX model into a binary .onnx file.

usage: textproto_to_onnx.py IN.textproto OUT.onnx [--truncate-to FRACTION]
"""

import argparse

import onnx
from google.protobuf import text_format

parser = argparse.ArgumentParser()
parser.add_argument("input")
parser.add_argument("output")
parser.add_argument("--truncate-to", type=float, default=1.0)
args = parser.parse_args()

model = text_format.Parse(open(args.input).read(), onnx.ModelProto())
data = model.SerializeToString()
open(args.output, "wb").write(data[: int(len(data) * args.truncate_to)])
