"""Every importer error ends the import with exit status 1.

`--verify-diagnostics` in test/Target/ONNX/errors.textproto checks each
message; this checks that a plain `sfc import` of each chunk fails too (an
error that is printed while the import carries on would pass the former).
"""


import pytest

from conftest import REPO, run_sfc

ERRORS = REPO / "test" / "Target" / "ONNX" / "errors.textproto"
CHUNKS = ERRORS.read_text().split("\n# -----\n")


@pytest.mark.parametrize("index", range(len(CHUNKS)))
def test_error_chunk_fails(index, tmp_path):
    path = tmp_path / "chunk.textproto"
    path.write_text(CHUNKS[index])
    result = run_sfc("import", path, check=False)
    assert result.returncode == 1, result.stdout
    assert "error: " in result.stderr
    assert "Stack dump" not in result.stderr
