"""ONNX node conformance tests (libonnx-testdata) through SparseFlow's importer.

Selects every node test whose ops are all ones SparseFlow claims, imports it
with `sfc import`, and checks the outcome: tests inside the documented scope
must import; the listed out-of-scope tests must fail with an error naming the
unsupported feature. Run directly for a report:

    /usr/bin/python3 test/python/onnx_conformance.py
"""

import os
import pathlib
import re
import subprocess
import sys
import tempfile

import numpy as np
import onnx
import onnx.numpy_helper

NODE_TESTS = pathlib.Path("/usr/share/libonnx-testdata/data/node")

# Standard ops the importer claims (docs/onnx-support.md).
CLAIMED_OPS = {
    "Add", "AveragePool", "BatchNormalization", "Cast", "Clip", "Concat",
    "Constant", "ConstantOfShape", "Conv", "ConvTranspose", "Div", "Dropout", "Flatten", "Gather", "Gemm",
    "GlobalAveragePool", "Identity", "LayerNormalization", "LeakyRelu", "LogSoftmax", "MatMul",
    "MaxPool", "Mul", "Pad", "ReduceMean", "ReduceSum", "Relu", "Reshape", "Shape",
    "Sigmoid", "Slice", "Softmax", "Sqrt", "Squeeze", "Sub", "Sum", "Tanh",
    "Transpose", "Unsqueeze",
}

# Tests of claimed ops that exercise features outside SparseFlow's scope, and
# the error that must name the feature.
OUT_OF_SCOPE = {
    "test_add_uint8": "must be a floating-point tensor",
    "test_mul_uint8": "must be a floating-point tensor",
    "test_maxpool_2d_uint8": "must be a floating-point tensor",
    "test_averagepool_1d_default": "only 2-D windows",
    "test_averagepool_3d_default": "only 2-D windows",
    "test_maxpool_1d_default": "only 2-D windows",
    "test_maxpool_3d_default": "only 2-D windows",
    "test_maxpool_with_argmax_2d_precomputed_pads": "'Indices' output is not supported",
    "test_maxpool_with_argmax_2d_precomputed_strides": "'Indices' output is not supported",
    "test_batchnorm_epsilon_training_mode": "training mode",
    "test_batchnorm_example_training_mode": "training mode",
    "test_identity_opt": "is not a tensor",
    "test_identity_sequence": "is not a tensor",
}
OUT_OF_SCOPE.update({
    "test_slice_start_out_of_bounds": "the slice is empty",
    "test_convtranspose_1d": "only 2-D transposed convolution",
    "test_convtranspose_3d": "only 2-D transposed convolution",
    # An output_shape beyond the window's reach implies an output_padding.
    "test_convtranspose_output_shape": "exceeds what the window reaches",
})
OUT_OF_SCOPE.update({
    name: "must be a floating-point tensor"
    for name in ("test_edge_pad", "test_reflect_pad", "test_clip_default_int8_inbounds", "test_clip_default_int8_max",
                 "test_clip_default_int8_min", "test_div_uint8", "test_sub_uint8")
})
# Shape computations (Cast, Gather) are folded when their inputs are
# constants; on activations they are not supported.
OUT_OF_SCOPE.update({
    f"test_{prefix}_{suffix}": "only a Cast of a constant"
    for prefix in ("cast", "castlike")
    for suffix in ("BFLOAT16_to_FLOAT", "DOUBLE_to_FLOAT", "DOUBLE_to_FLOAT16",
                   "FLOAT16_to_DOUBLE", "FLOAT16_to_FLOAT", "FLOAT_to_BFLOAT16",
                   "FLOAT_to_DOUBLE", "FLOAT_to_FLOAT16")
})
OUT_OF_SCOPE = {name if not name.startswith("test_castlike") else name + "_expanded": message
                for name, message in OUT_OF_SCOPE.items()}
OUT_OF_SCOPE.update({
    "test_cast_FLOAT_to_STRING": "expected 'to' to name a supported type",
    "test_cast_STRING_to_FLOAT": "unsupported element type STRING",
    "test_castlike_FLOAT_to_STRING_expanded": "unsupported element type STRING",
    "test_castlike_STRING_to_FLOAT_expanded": "unsupported element type STRING",
})
OUT_OF_SCOPE.update({
    name: "only a Gather of constants"
    for name in ("test_gather_0", "test_gather_1", "test_gather_2d_indices",
                 "test_gather_negative_indices")
})
OUT_OF_SCOPE.update({
    name: "training mode is not supported"
    for name in ("test_training_dropout", "test_training_dropout_default",
                 "test_training_dropout_default_mask", "test_training_dropout_mask",
                 "test_training_dropout_zero_ratio", "test_training_dropout_zero_ratio_mask")
})


def claimed_tests():
    """Names of the node tests whose every op is claimed."""
    names = []
    for test in sorted(NODE_TESTS.iterdir()):
        model = onnx.load(str(test / "model.onnx"))
        ops = {node.op_type for node in model.graph.node}
        domains = {node.domain for node in model.graph.node}
        if ops and ops <= CLAIMED_OPS and domains <= {"", "ai.onnx"}:
            names.append(test.name)
    return names


# Float operands that act as attributes: frozen like integer inputs.
ATTRIBUTE_OPERANDS = {"Pad": {2}, "Clip": {1, 2}}

# Operands the runtime takes as compile-time constants (weights).
WEIGHT_OPERANDS = {"Conv": {1, 2}, "ConvTranspose": {1, 2}, "LayerNormalization": {1, 2}, "Gemm": {1, 2}, "MatMul": {1},
                   "BatchNormalization": {1, 2, 3, 4}}

# Tests that import but that the runtime does not run, and the error.
RUNTIME_OUT_OF_SCOPE = {
    "test_dropout_default_mask": "constant operand of type 'tensor<3x4x5xi1>' is not supported",
    "test_dropout_default_mask_ratio": "constant operand of type 'tensor<3x4x5xi1>' is not supported",
    "test_reshape_allowzero_reordered": "the runtime does not support empty tensors",
}
# An integer constant (a Shape's result, an int32 ConstantOfShape) cannot be
# an artifact's output: the runtime returns float tensors.
RUNTIME_OUT_OF_SCOPE.update({
    name: "is not supported by the runtime (expected dense floating-point"
    for name in ("test_constantofshape_int_shape_zero", "test_constantofshape_int_zeros")
})
# A Shape's result is an int64 constant, which an artifact cannot return.
RUNTIME_OUT_OF_SCOPE.update({
    f"test_shape{suffix}": "is not supported by the runtime (expected dense floating-point"
    for suffix in ("", "_clip_end", "_clip_start", "_end_1", "_end_negative_1", "_example",
                   "_start_1", "_start_1_end_2", "_start_1_end_negative_1",
                   "_start_negative_1")
})


def frozen_model(name, directory, freeze_weights=False):
    """The test's model with integer and boolean inputs (compile-time operands
    such as a Reshape shape or Dropout's training_mode) frozen into
    initializers from its test data; with `freeze_weights`, also the inputs
    that are weights (WEIGHT_OPERANDS), which an AOT artifact holds as
    constants."""
    test = NODE_TESTS / name
    model = onnx.load(str(test / "model.onnx"))
    initializers = {t.name for t in model.graph.initializer}
    inputs = [i for i in model.graph.input if i.name not in initializers]
    def operands(table):
        return {operand for node in model.graph.node
                for position, operand in enumerate(node.input)
                if position in table.get(node.op_type, ())}
    weights, attributes = operands(WEIGHT_OPERANDS), operands(ATTRIBUTE_OPERANDS)
    frozen = []
    for index, info in enumerate(inputs):
        if info.type.tensor_type.elem_type in (onnx.TensorProto.INT64, onnx.TensorProto.INT32,
                                               onnx.TensorProto.BOOL) or (
                                                   info.name in attributes) or (
                                                   freeze_weights and info.name in weights):
            tensor = onnx.TensorProto()
            tensor.ParseFromString((test / "test_data_set_0" / f"input_{index}.pb").read_bytes())
            tensor.name = info.name
            model.graph.initializer.append(tensor)
            frozen.append(info)
    for info in frozen:
        model.graph.input.remove(info)
    path = pathlib.Path(directory) / f"{name}.onnx"
    onnx.save(model, str(path))
    return path


def import_test(name, sfc, directory):
    """Runs `sfc import` on a test; returns (returncode, stderr)."""
    path = frozen_model(name, directory)
    result = subprocess.run([str(sfc), "import", str(path)], capture_output=True, text=True)
    return result.returncode, result.stderr


# Tolerances per element type: the host computes in float32, in its own
# summation order.
TOLERANCE = {np.dtype(np.float32): dict(rtol=1e-4, atol=1e-5),
             np.dtype(np.float64): dict(rtol=1e-4, atol=1e-5),
             np.dtype(np.float16): dict(rtol=2e-3, atol=2e-3)}


def run_test(name, sfc, directory):
    """Compiles a test for the host (T = 1) and runs it on its data; returns
    None when every output matches, else what differs."""
    import sparseflow  # needs the built runtime extension

    path = frozen_model(name, directory, freeze_weights=True)
    artifact = pathlib.Path(directory) / f"{name}.sfa"
    result = subprocess.run([str(sfc), "compile", str(path), "--timesteps=1", "-o", str(artifact)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        return f"sfc compile failed: {result.stderr.strip()}"
    model = onnx.load(str(path))
    initializers = {t.name for t in model.graph.initializer}
    data = NODE_TESTS / name / "test_data_set_0"
    original = onnx.load(str(NODE_TESTS / name / "model.onnx"))
    names = [i.name for i in original.graph.input if i.name not in initializers]
    remaining = {i.name for i in model.graph.input}
    inputs = []
    for index, input_name in enumerate(names):
        if input_name in remaining:
            tensor = onnx.TensorProto()
            tensor.ParseFromString((data / f"input_{index}.pb").read_bytes())
            inputs.append(onnx.numpy_helper.to_array(tensor).astype(np.float32))
    try:
        outputs = sparseflow.load(artifact).session(backend="host").run(inputs)
    except sparseflow.RuntimeError as error:
        return f"runtime error: {error.args[0]}"
    for index, got in enumerate(outputs):
        tensor = onnx.TensorProto()
        tensor.ParseFromString((data / f"output_{index}.pb").read_bytes())
        expected = onnx.numpy_helper.to_array(tensor)
        tolerance = TOLERANCE.get(expected.dtype, TOLERANCE[np.dtype(np.float32)])
        if got.shape != expected.shape or not np.allclose(got, expected.astype(np.float32),
                                                          equal_nan=True, **tolerance):
            error = np.abs(got - expected.astype(np.float32)).max() if got.shape == expected.shape else "-"
            return f"output {index}: shape {got.shape} vs {expected.shape}, max error {error}"
    return None


def main():
    repo = pathlib.Path(__file__).resolve().parents[2]
    sfc = pathlib.Path(os.environ.get("SPARSEFLOW_BIN_DIR", repo / "build" / "bin")) / "sfc"
    tally = {}
    with tempfile.TemporaryDirectory() as directory:
        for name in claimed_tests():
            code, stderr = import_test(name, sfc, directory)
            op = onnx.load(str(NODE_TESTS / name / "model.onnx")).graph.node[0].op_type
            expected = OUT_OF_SCOPE.get(name)
            if code == 0 and expected is None:
                failure = run_test(name, sfc, directory)
                scope = RUNTIME_OUT_OF_SCOPE.get(name)
                if failure is None:
                    outcome = "passed" if scope is None else "UNEXPECTEDLY PASSED"
                elif scope and scope in failure:
                    outcome = "out of scope"
                else:
                    outcome = f"RUN FAILED: {failure}"
            elif code == 0:
                outcome = "UNEXPECTEDLY IMPORTED"
            elif expected and re.search(re.escape(expected), stderr):
                outcome = "out of scope"
            else:
                outcome = "FAILED: " + stderr.strip().splitlines()[0] if stderr else "FAILED"
            tally.setdefault(op, []).append((name, outcome))
    print(f"{'op':20} {'tests':>5} {'pass on host':>12} {'out of scope':>12}")
    bad = 0
    for op, results in sorted(tally.items()):
        passed = sum(o == "passed" for _, o in results)
        scoped = sum(o == "out of scope" for _, o in results)
        print(f"{op:20} {len(results):5} {passed:12} {scoped:12}")
        for name, outcome in results:
            if outcome not in ("passed", "out of scope"):
                bad += 1
                print(f"  {name}: {outcome}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
