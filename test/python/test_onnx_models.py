"""Whole ONNX files as PyTorch and Keras-style exporters write them, compiled
for the host (T = 1, direct encoding, mean readout: the model itself) and
run against onnxruntime (PyPI, scripts/setup.sh) on the same file.
Tolerance: rtol 1e-4, atol 1e-5 — the host computes in float32 in its own
summation order, and its expf/tanhf may differ from onnxruntime's in the
last place."""

import numpy as np
import onnx
import onnxruntime
import pytest
import torch

import sparseflow

TOLERANCE = dict(rtol=1e-4, atol=1e-5)


def reference(path, x):
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, {session.get_inputs()[0].name: x})[0]


def compile_and_run(path, tmp_path, x):
    model = sparseflow.compile(path, tmp_path / "model.sfa", timesteps=1, batch=x.shape[0])
    return model.run(x, backend="host")


def export(module, x, path, opset):
    torch.onnx.export(module.eval(), (torch.from_numpy(x),), str(path), opset_version=opset,
                      input_names=["x"], output_names=["y"],
                      dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}})
    return path


class LeNetTanh(torch.nn.Module):
    """LeNet-5 as the textbooks write it: Tanh, a zero pad to 32x32, average
    pooling, and `x.view(x.size(0), -1)` before the classifier, with a
    LogSoftmax head."""

    def __init__(self):
        super().__init__()
        self.pad = torch.nn.ZeroPad2d(2)
        self.c1 = torch.nn.Conv2d(1, 6, 5)
        self.c2 = torch.nn.Conv2d(6, 16, 5)
        self.f1 = torch.nn.Linear(16 * 5 * 5, 120)
        self.f2 = torch.nn.Linear(120, 84)
        self.f3 = torch.nn.Linear(84, 10)

    def forward(self, x):
        x = torch.nn.functional.avg_pool2d(torch.tanh(self.c1(self.pad(x))), 2)
        x = torch.nn.functional.avg_pool2d(torch.tanh(self.c2(x)), 2)
        x = x.view(x.size(0), -1)
        x = torch.tanh(self.f2(torch.tanh(self.f1(x))))
        return torch.log_softmax(self.f3(x), dim=1)


class Normalized(torch.nn.Module):
    """Input normalization `(x - mean) / std`, ReLU6 (Clip), LeakyReLU, a
    spatial mean, squeeze/unsqueeze and transposes, a Softmax head."""

    def __init__(self):
        super().__init__()
        self.register_buffer("mean", torch.tensor([0.5, 0.25, 0.125]).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor([0.5, 2.0, 4.0]).view(1, 3, 1, 1))
        self.conv = torch.nn.Conv2d(3, 8, 3, padding=1)
        self.fc = torch.nn.Linear(8, 5)

    def forward(self, x):
        x = (x - self.mean) / self.std
        x = torch.nn.functional.relu6(self.conv(x))
        x = torch.nn.functional.leaky_relu(x, 0.2)
        x = x.mean(dim=(2, 3), keepdim=True)          # ReduceMean over H, W
        x = x.squeeze(3).squeeze(2).unsqueeze(0).squeeze(0)
        x = self.fc(x).transpose(0, 1).transpose(0, 1)
        return torch.softmax(x, dim=-1)


@pytest.mark.parametrize("opset", [9, 11, 13, 17])
def test_pytorch_lenet_with_tanh_pad_and_logsoftmax(tmp_path, opset):
    torch.manual_seed(0)
    x = np.random.default_rng(0).random((3, 1, 28, 28), dtype=np.float32)
    path = export(LeNetTanh(), x, tmp_path / "lenet.onnx", opset)
    ops = {node.op_type for node in onnx.load(str(path)).graph.node}
    assert {"Tanh", "Pad", "LogSoftmax"} <= ops and ({"Shape", "Gather"} <= ops or opset >= 13), ops
    np.testing.assert_allclose(compile_and_run(path, tmp_path, x), reference(path, x), **TOLERANCE)


@pytest.mark.parametrize("opset", [11, 13, 17])
def test_normalization_clip_leaky_relu_mean_softmax(tmp_path, opset):
    torch.manual_seed(1)
    x = np.random.default_rng(1).random((2, 3, 6, 6), dtype=np.float32)
    path = export(Normalized(), x, tmp_path / "norm.onnx", opset)
    ops = {node.op_type for node in onnx.load(str(path)).graph.node}
    assert {"Sub", "Div", "Clip", "LeakyRelu", "ReduceMean", "Softmax"} <= ops, ops
    np.testing.assert_allclose(compile_and_run(path, tmp_path, x), reference(path, x), **TOLERANCE)


def test_mlp_with_logsoftmax_written_unsorted(tmp_path):
    # keras2onnx writes nodes in no particular order (onnxruntime sorts
    # them): the same MLP with its nodes reversed must give the same result.
    torch.manual_seed(2)
    mlp = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 64), torch.nn.ReLU(),
                              torch.nn.Linear(64, 10), torch.nn.LogSoftmax(dim=1))
    x = np.random.default_rng(2).random((4, 1, 28, 28), dtype=np.float32)
    path = export(mlp, x, tmp_path / "mlp.onnx", 13)
    model = onnx.load(str(path))
    nodes = list(model.graph.node)[::-1]
    del model.graph.node[:]
    model.graph.node.extend(nodes)
    unsorted = tmp_path / "unsorted.onnx"
    onnx.save(model, str(unsorted))
    with pytest.raises(onnx.checker.ValidationError):
        onnx.checker.check_model(model)  # the file really is out of order
    np.testing.assert_allclose(compile_and_run(unsorted, tmp_path, x), reference(path, x),
                               **TOLERANCE)


def test_keras_style_nhwc_model_with_transposes(tmp_path):
    # A Keras-converted CNN: NHWC input transposed to NCHW for the conv, a
    # channels-last flatten, Softmax; built with onnx.helper as tf2onnx /
    # keras2onnx lay it out (nodes unsorted, initializers after use).
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(3)
    w = rng.normal(size=(4, 1, 3, 3)).astype(np.float32)
    b = rng.normal(size=4).astype(np.float32)
    d = rng.normal(size=(4 * 26 * 26, 10)).astype(np.float32) * 0.05
    nodes = [
        helper.make_node("Softmax", ["logits"], ["probs"], axis=-1, name="dense/Softmax"),
        helper.make_node("MatMul", ["flat", "dense_w"], ["logits"], name="dense/MatMul"),
        helper.make_node("Reshape", ["nhwc", "flat_shape"], ["flat"], name="flatten/Reshape"),
        helper.make_node("Concat", ["batch", "minus_one"], ["flat_shape"], axis=0, name="flatten/Concat"),
        helper.make_node("Slice", ["shape", "zero", "one"], ["batch"], name="flatten/Slice"),
        helper.make_node("Shape", ["nhwc"], ["shape"], name="flatten/Shape"),
        helper.make_node("Transpose", ["relu"], ["nhwc"], perm=[0, 2, 3, 1], name="conv/to_nhwc"),
        helper.make_node("Relu", ["conv"], ["relu"], name="conv/Relu"),
        helper.make_node("Conv", ["nchw", "conv_w", "conv_b"], ["conv"], name="conv/Conv"),
        helper.make_node("Transpose", ["input"], ["nchw"], perm=[0, 3, 1, 2], name="conv/to_nchw"),
    ]
    graph = helper.make_graph(
        nodes, "keras_cnn",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [2, 28, 28, 1])],
        [helper.make_tensor_value_info("probs", TensorProto.FLOAT, [2, 10])],
        initializer=[numpy_helper.from_array(w, "conv_w"), numpy_helper.from_array(b, "conv_b"),
                     numpy_helper.from_array(d, "dense_w"),
                     numpy_helper.from_array(np.array([0], np.int64), "zero"),
                     numpy_helper.from_array(np.array([1], np.int64), "one"),
                     numpy_helper.from_array(np.array([-1], np.int64), "minus_one")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)],
                              producer_name="keras2onnx")
    path = tmp_path / "keras.onnx"
    onnx.save(model, str(path))
    x = rng.random((2, 28, 28, 1), dtype=np.float32)
    np.testing.assert_allclose(compile_and_run(path, tmp_path, x), reference(path, x), **TOLERANCE)


class PadsAndSlices(torch.nn.Module):
    """Reflect and replicate (edge) padding, a crop (negative pad), and
    strided slices of activations, including a reversed one."""

    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(2, 3, 3)

    def forward(self, x):
        x = torch.nn.functional.pad(x, (2, 1, 1, 2), mode="reflect")
        x = torch.nn.functional.pad(x, (1, 0, 0, 3), mode="replicate")
        x = torch.nn.functional.pad(self.conv(x), (-1, 0, 0, -2))
        return x[:, 1:, 1::2, :5].flip(-1) * 1.0


@pytest.mark.parametrize("opset", [11, 13])
def test_reflect_edge_pads_crops_and_slices(tmp_path, opset):
    torch.manual_seed(4)
    x = np.random.default_rng(4).random((2, 2, 7, 6), dtype=np.float32)
    path = export(PadsAndSlices(), x, tmp_path / "pads.onnx", opset)
    model = onnx.load(str(path))
    ops = [node.op_type for node in model.graph.node]
    modes = {a.s.decode() for n in model.graph.node if n.op_type == "Pad"
             for a in n.attribute if a.name == "mode"}
    assert {"reflect", "edge"} <= modes and "Slice" in ops, (ops, modes)
    np.testing.assert_allclose(compile_and_run(path, tmp_path, x), reference(path, x), **TOLERANCE)


class Attention(torch.nn.Module):
    """Single-head self-attention: Q·Kᵀ and the weighted sum are products
    of two activations (batched MatMul), with Softmax and a transpose."""

    def __init__(self, dim=8):
        super().__init__()
        self.q, self.k, self.v = (torch.nn.Linear(dim, dim) for _ in range(3))
        self.scale = dim ** -0.5

    def forward(self, x):  # [N, tokens, dim]
        scores = self.q(x) @ self.k(x).transpose(1, 2) * self.scale
        return torch.softmax(scores, dim=-1) @ self.v(x)


def test_attention_products_of_activations(tmp_path):
    torch.manual_seed(5)
    x = np.random.default_rng(5).random((2, 6, 8), dtype=np.float32)
    path = export(Attention(), x, tmp_path / "attention.onnx", 13)
    matmuls = [n for n in onnx.load(str(path)).graph.node if n.op_type == "MatMul"]
    assert len(matmuls) >= 2
    np.testing.assert_allclose(compile_and_run(path, tmp_path, x), reference(path, x), **TOLERANCE)


@pytest.mark.parametrize("groups", [1, 2])
def test_conv1d_token_projections(tmp_path, groups):
    # Spikformer's 1x1 (and wider) Conv1d over tokens, BatchNorm1d after.
    torch.manual_seed(6)
    model = torch.nn.Sequential(torch.nn.Conv1d(4, 6, 3, padding=2, stride=2, dilation=2,
                                                groups=groups),
                                torch.nn.BatchNorm1d(6), torch.nn.Conv1d(6, 6, 1)).eval()
    x = np.random.default_rng(6).random((2, 4, 9), dtype=np.float32)
    path = export(model, x, tmp_path / "conv1d.onnx", 13)
    np.testing.assert_allclose(compile_and_run(path, tmp_path, x), reference(path, x), **TOLERANCE)


class Decoder(torch.nn.Module):
    """A segmentation-style decoder: transposed convolutions with strides,
    padding, output_padding, dilation and groups."""

    def __init__(self):
        super().__init__()
        self.up1 = torch.nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1)
        self.up2 = torch.nn.ConvTranspose2d(6, 4, 3, stride=1, padding=2, dilation=2, groups=2)
        self.up3 = torch.nn.ConvTranspose2d(4, 2, 2, stride=2, bias=False)

    def forward(self, x):
        return self.up3(torch.relu(self.up2(torch.relu(self.up1(x)))))


@pytest.mark.parametrize("opset", [11, 13])
def test_conv_transpose_decoder(tmp_path, opset):
    torch.manual_seed(7)
    x = np.random.default_rng(7).random((2, 4, 5, 4), dtype=np.float32)
    path = export(Decoder(), x, tmp_path / "decoder.onnx", opset)
    assert [n.op_type for n in onnx.load(str(path)).graph.node].count("ConvTranspose") == 3
    np.testing.assert_allclose(compile_and_run(path, tmp_path, x), reference(path, x), **TOLERANCE)


class TransformerBlock(torch.nn.Module):
    """A pre-norm transformer block: LayerNorm, attention, a residual, an MLP
    (opset 17 exports LayerNorm as LayerNormalization)."""

    def __init__(self, dim=8):
        super().__init__()
        self.norm1, self.norm2 = torch.nn.LayerNorm(dim), torch.nn.LayerNorm(dim)
        self.attention = Attention(dim)
        self.mlp = torch.nn.Sequential(torch.nn.Linear(dim, 16), torch.nn.ReLU(),
                                       torch.nn.Linear(16, dim))

    def forward(self, x):
        x = x + self.attention(self.norm1(x))
        return x + self.mlp(self.norm2(x))


def test_transformer_block_with_layer_norm(tmp_path):
    torch.manual_seed(8)
    model = TransformerBlock()
    with torch.no_grad():
        for norm in (model.norm1, model.norm2):
            norm.weight.uniform_(0.5, 1.5)
            norm.bias.uniform_(-0.5, 0.5)
    x = np.random.default_rng(8).random((2, 6, 8), dtype=np.float32)
    path = export(model, x, tmp_path / "block.onnx", 17)
    assert "LayerNormalization" in {n.op_type for n in onnx.load(str(path)).graph.node}
    np.testing.assert_allclose(compile_and_run(path, tmp_path, x), reference(path, x), **TOLERANCE)
