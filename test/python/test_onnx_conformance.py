"""Every libonnx node test of a claimed op imports, or is rejected precisely."""

import onnx
import pytest

import onnx_conformance
from conftest import BIN_DIR

TESTS = onnx_conformance.claimed_tests()


def test_every_claimed_op_has_conformance_tests():
    covered = set()
    for name in TESTS:
        model = onnx.load(str(onnx_conformance.NODE_TESTS / name / "model.onnx"))
        covered |= {node.op_type for node in model.graph.node}
    assert covered == onnx_conformance.CLAIMED_OPS


@pytest.mark.parametrize("name", TESTS)
def test_node_test_imports(name, tmp_path):
    code, stderr = onnx_conformance.import_test(name, BIN_DIR / "sfc", tmp_path)
    expected = onnx_conformance.OUT_OF_SCOPE.get(name)
    if expected is None:
        assert code == 0, stderr
    else:
        assert code == 1 and expected in stderr, stderr


RUNNABLE = [name for name in TESTS if name not in onnx_conformance.OUT_OF_SCOPE]


@pytest.mark.parametrize("name", RUNNABLE)
def test_node_test_runs_on_host(name, tmp_path):
    """Compiled for the host (T = 1), every imported test reproduces the
    reference outputs within onnx_conformance.TOLERANCE, or is refused with
    the documented error."""
    failure = onnx_conformance.run_test(name, BIN_DIR / "sfc", tmp_path)
    expected = onnx_conformance.RUNTIME_OUT_OF_SCOPE.get(name)
    if expected is None:
        assert failure is None, failure
    else:
        assert failure is not None and expected in failure, failure
