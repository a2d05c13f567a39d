"""Writes the seed corpora of the compiler's fuzz targets into DIR.

onnx-import/: every ONNX conformance model of libonnx-testdata (binary,
prefixed with byte 1) and every text-format model of the lit tests
(prefixed with 0). config/: the lit tests' SpikeCore descriptions (0),
placement files (1) and profiles (2), and the accelerator presets (3).
Both get the hardening issue's reproducers of deep nesting.
"""

import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
CONFORMANCE = pathlib.Path("/usr/share/libonnx-testdata/data/node")


def main() -> int:
    out = pathlib.Path(sys.argv[1])
    written = 0

    def seed(target: str, prefix: int, source: pathlib.Path) -> None:
        nonlocal written
        directory = out / target
        directory.mkdir(parents=True, exist_ok=True)
        name = "_".join(source.relative_to(source.parents[1]).parts)
        (directory / name).write_bytes(bytes([prefix]) + source.read_bytes())
        written += 1

    for model in sorted(CONFORMANCE.glob("*/model.onnx")):
        seed("onnx-import", 1, model)
    for model in sorted(ROOT.glob("test/**/*.textproto")):
        seed("onnx-import", 0, model)
    for config in sorted(ROOT.glob("test/**/Inputs/*.json")):
        text = config.read_text()
        kind = 2 if "profile" in config.name else 1 if '"rules"' in text else 0
        seed("config", kind, config)
    for accelerator in sorted(ROOT.glob("hardware/*.yaml")):
        seed("config", 3, accelerator)

    # The hardening issue's reproducers: nesting that overflowed the stack
    # of LLVM's JSON and YAML parsers and of protobuf's text parser.
    def reproducer(target: str, prefix: int, name: str, text: str) -> None:
        nonlocal written
        (out / target / name).write_bytes(bytes([prefix]) + text.encode())
        written += 1

    for prefix, reader in enumerate(["spikecore", "placement", "profile"]):
        reproducer("config", prefix, f"regression_deep_{reader}.json", "[" * 100000)
    reproducer("config", 3, "regression_deep_flow.yaml",
               "memories: " + "[" * 100000 + "]" * 100000 + "\n")
    reproducer("config", 3, "regression_deep_block.yaml",
               "".join(" " * i + "- \n" for i in range(2000)))
    reproducer("onnx-import", 0, "regression_deep_text.textproto",
               "ir_version: 8\ngraph { " + "node { attribute { g { " * 10000 +
               "} } } " * 10000 + "}\n")
    if not (out / "onnx-import").is_dir() or not (out / "config").is_dir():
        print("error: no seeds found", file=sys.stderr)
        return 1
    print(f"{written} seeds in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
