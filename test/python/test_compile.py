"""`sfc compile` on the exported test networks: tagging, block sizes,
partitioning, reports and placement files."""

import json
import re

import numpy as np
import pytest
import torch

import sparseflow

from conftest import run_sfc
from test_export_import import NETWORKS


def export(tmp_path, name):
    factory, shape, _, _ = NETWORKS[name]
    torch.manual_seed(0)
    model = factory().eval()
    path = tmp_path / f"{name}.onnx"
    sparseflow.export_onnx(model, torch.rand(shape), str(path), timesteps=4)
    return model, path


def compile_report(tmp_path, path, *flags):
    report = tmp_path / "report.json"
    run_sfc("compile", path, "-o", tmp_path / "out.sfa", f"--report-json={report}", *flags)
    return json.loads(report.read_text())


def by_name(report):
    ops = {}
    for op in report["ops"]:
        ops.setdefault(op["name"], []).append(op)
    return ops


@pytest.mark.parametrize("name", NETWORKS)
def test_report_follows_the_schema_and_policy(tmp_path, name):
    _, path = export(tmp_path, name)
    report = compile_report(tmp_path, path, "--targets=host,gpu")
    assert report["timesteps"] == 4
    keys = {"name", "op", "target", "spike_input", "block_size", "input_shape", "output_shape"}
    for op in report["ops"]:
        assert set(op) == keys, op
        # Only spike-consuming layers get a block size and may leave the host
        # (the gpu has block-sparse kernels for linear and 1x1/3x3 conv).
        layer = op["spike_input"] and op["op"] in ("conv2d", "linear")
        assert (op["block_size"] is not None) == layer, op
        assert op["target"] == "host" or layer, op
        if op["op"] == "linear" and layer:
            assert op["target"] == "gpu", op
    # The partitions hold every op once, in order, each with its target.
    listed = [n for p in report["partitions"] for n in p["ops"]]
    assert listed == [op["name"] for op in report["ops"]]
    for partition in report["partitions"]:
        targets = {op["target"] for op in report["ops"] if op["name"] in partition["ops"]}
        assert targets == {partition["target"]}, partition
        assert partition["name"].endswith("_" + partition["target"])
    # Adjacent same-target ops are merged.
    for a, b in zip(report["partitions"], report["partitions"][1:]):
        assert a["target"] != b["target"]


def test_vgg_lif_successors_block_sizes_and_targets(tmp_path):
    _, path = export(tmp_path, "vgg56")
    report = compile_report(tmp_path, path, "--targets=host,gpu")
    ops = report["ops"]
    convs = [op for op in ops if op["op"] == "conv2d"]
    # The first conv reads the (direct-encoded) image; the others read spikes.
    assert [c["spike_input"] for c in convs] == [False, True, True, True, True]
    assert [c["input_shape"][2] for c in convs] == [56, 56, 28, 14, 7]
    assert [c["block_size"] for c in convs] == [None, 16, 8, 8, 0]
    assert [c["target"] for c in convs] == ["host", "gpu", "gpu", "gpu", "gpu"]
    # Every op right after a LIF consumes its spikes, through max-pool and
    # flatten; no LIF does (its input is the analog membrane current).
    for before, after in zip(ops, ops[1:]):
        if before["op"] in ("lif", "max_pool2d", "flatten"):
            assert after["spike_input"], after
    assert not any(op["spike_input"] for op in ops if op["op"] == "lif")
    linear = next(op for op in ops if op["op"] == "linear")
    assert linear == dict(linear, spike_input=True, block_size=16, target="gpu",
                          input_shape=[1, 3136], output_shape=[1, 10])


def test_report_table(tmp_path):
    _, path = export(tmp_path, "lenet_bn")
    result = run_sfc("compile", path, "-o", tmp_path / "out.sfa", "--report", "--targets=host,gpu")
    lines = result.stderr.splitlines()
    assert re.match(r"node\s+op\s+input\s+output\s+spikes\s+block\s+target$", lines[0])
    # A 5x5 conv reading spikes: the gpu's block-sparse kernel takes any
    # window with groups = 1, so it goes there.
    assert any(re.match(r"/\S*Conv\s+conv2d\s+1x6x14x14\s+1x16x10x10\s+yes\s+8\s+gpu$", l) for l in lines), lines
    assert "partitions:" in lines


def test_rate_encoding_makes_the_first_layer_a_spike_consumer(tmp_path):
    _, path = export(tmp_path, "mnist_mlp")
    direct = compile_report(tmp_path, path)
    rate = compile_report(tmp_path, path, "--encoding=rate")
    first = lambda r: next(op for op in r["ops"] if op["op"] == "linear")
    assert not first(direct)["spike_input"]
    assert first(rate)["spike_input"] and first(rate)["block_size"] == 8


def test_saved_placement_reproduces_and_a_rule_moves_a_node(tmp_path):
    _, path = export(tmp_path, "vgg56")
    saved = tmp_path / "placement.json"
    first = compile_report(tmp_path, path, "--targets=host,gpu", f"--save-placement={saved}")
    again = compile_report(tmp_path, path, "--targets=host,gpu", f"--placement={saved}")
    assert again == first

    # Edit the file as a user would: move the 28x28 conv back to the host.
    placement = json.loads(saved.read_text())
    conv28 = next(op for op in first["ops"] if op["op"] == "conv2d" and op["input_shape"][2] == 28)
    rule = next(r for r in placement["rules"] if re.fullmatch(r["node"], conv28["name"]) and r["op"] == "conv2d")
    rule["target"] = "host"
    saved.write_text(json.dumps(placement))
    moved = compile_report(tmp_path, path, "--targets=host,gpu", f"--placement={saved}")
    changed = [(a["name"], a["target"], b["target"])
               for a, b in zip(first["ops"], moved["ops"]) if a != b]
    assert changed == [(conv28["name"], "gpu", "host")]


def test_impossible_placement_names_node_target_and_constraint(tmp_path):
    _, path = export(tmp_path, "vgg56")
    report = compile_report(tmp_path, path)
    pool = next(op["name"] for op in report["ops"] if op["op"] == "max_pool2d")
    placement = tmp_path / "p.json"
    placement.write_text(json.dumps({"rules": [{"node": re.escape(pool), "target": "spikecore"}]}))
    result = run_sfc("compile", path, "--targets=host,spikecore", f"--placement={placement}",
                     "-o", tmp_path / "out.sfa", check=False)
    assert result.returncode == 1
    assert (f"error: placement rule #0 puts node '{pool}' (spike.max_pool2d) on 'spikecore', "
            "which cannot run it: spikecore runs only spike.linear, spike.lif and "
            "spike.relu, not spike.max_pool2d") in result.stderr, result.stderr


def test_spikecore_fit_failure_states_the_shortfall(tmp_path):
    _, path = export(tmp_path, "mnist_mlp")
    report = compile_report(tmp_path, path)
    fc2 = [op["name"] for op in report["ops"] if op["op"] == "linear"][1]
    placement = tmp_path / "p.json"
    placement.write_text(json.dumps({"rules": [{"node": re.escape(fc2), "target": "spikecore"}]}))
    config = tmp_path / "sc.json"
    config.write_text(json.dumps({"cores": 4, "weight_memory_bytes_per_core": 256}))
    result = run_sfc("compile", path, "--targets=host,spikecore", f"--placement={placement}",
                     f"--spikecore-config={config}", "-o", tmp_path / "out.sfa", check=False)
    assert result.returncode == 1
    assert ("128 inputs x 10 neurons need 1280 B of weight memory; "
            "4 cores x 256 B = 1024 B available") in result.stderr, result.stderr


def dense_constant(ir, name):
    """The values of the arith.constant `%name` in printed IR (hex or list)."""
    match = re.search(rf"%{re.escape(name)} = arith.constant dense<(.*?)> : tensor<([\dx]+)xf32>", ir)
    data, shape = match.group(1), [int(d) for d in match.group(2).split("x")]
    if data.startswith('"0x'):
        return np.frombuffer(bytes.fromhex(data[3:-1]), dtype="<f4").reshape(shape)
    return np.array(json.loads(data), dtype=np.float32).reshape(shape)


def test_batchnorm_folds_into_linear_exactly(tmp_path):
    """lenet_bn keeps a BatchNorm1d after a Linear in its ONNX export;
    the folded weights must be the double-precision fold rounded once to f32
    (tolerance: 0 ulp), and compute what Linear+BatchNorm1d computes (within
    1e-5 relative)."""
    model, path = export(tmp_path, "lenet_bn")
    ir = run_sfc("compile", path, "--emit=tagged",
                 "--mlir-print-elementsattrs-with-hex-if-larger=0").stdout
    assert "spike.batch_norm" not in ir
    m = re.search(r"spike\.linear %\w+, %(\w+), %(\w+) .*: \(tensor<1x400xi1>", ir)
    weight, bias = dense_constant(ir, m.group(1)), dense_constant(ir, m.group(2))

    linear, bn = model[9], model[10]
    w = linear.weight.detach().double().numpy()
    b = linear.bias.detach().double().numpy()
    eps = float(np.float32(bn.eps))
    scale = bn.weight.detach().double().numpy() / np.sqrt(bn.running_var.double().numpy() + eps)
    expected_w = (w * scale[:, None]).astype(np.float32)
    expected_b = ((b - bn.running_mean.double().numpy()) * scale
                  + bn.bias.detach().double().numpy()).astype(np.float32)
    np.testing.assert_array_equal(weight, expected_w)
    np.testing.assert_array_equal(bias, expected_b)

    spikes = (torch.rand(32, 400) < 0.2).float()
    with torch.no_grad():
        reference = bn(linear(spikes)).numpy()
    folded = spikes.numpy() @ weight.T + bias
    np.testing.assert_allclose(folded, reference, rtol=1e-5, atol=1e-5)
