"""Writes an ONNX model whose graph nests DEPTH subgraphs, each a node's
attribute: graph { node { attribute { g { node { ... } } } } }, 3 messages
per level below the graph. Written by hand (text or protobuf wire format),
since protobuf's own Python parser and serializer refuse such nesting.

usage: nested_model.py (--text | --binary) DEPTH OUT
"""

import argparse

parser = argparse.ArgumentParser()
group = parser.add_mutually_exclusive_group(required=True)
group.add_argument("--text", action="store_true")
group.add_argument("--binary", action="store_true")
parser.add_argument("depth", type=int)
parser.add_argument("output")
args = parser.parse_args()

if args.text:
    text = ("ir_version: 8\ngraph { " + "node { attribute { g { " * args.depth +
            "} } } " * args.depth + "}\n")
    open(args.output, "w").write(text)
else:

    def varint(n):
        out = bytearray()
        while True:
            byte, n = n & 0x7F, n >> 7
            out.append(byte | (0x80 if n else 0))
            if not n:
                return bytes(out)

    def field(number, payload):  # a length-delimited field
        return varint(number << 3 | 2) + varint(len(payload)) + payload

    # GraphProto.node = 1, NodeProto.attribute = 5, AttributeProto.g = 6,
    # ModelProto.ir_version = 1 (a varint), ModelProto.graph = 7.
    graph = b""
    for _ in range(args.depth):
        graph = field(1, field(5, field(6, graph)))
    open(args.output, "wb").write(varint(1 << 3) + varint(8) + field(7, graph))
