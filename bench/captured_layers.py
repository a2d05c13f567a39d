"""Per layer on captured spikes: every conv of the spiking VGG-11, ResNet-19
and ResNet-34 (bench/networks.py, thresholds calibrated as in
bench/end_to_end.py) that reads spikes, run alone on the exact spikes it
reads in the network, compiled by sfc as a one-layer model (sparse kernel)
against oneDNN (torch.mkldnn_convolution, PyTorch's oneDNN path, on the
[T*N, ...] float spikes) with the same thread count, best of --repeats.

Columns: d, the input's spikes per neuron and step; "goal" is issue 19's
0.6/d over oneDNN; "oneDNN x d" is the work lower bound, oneDNN's time
scaled by the fraction of its multiply-adds whose input spiked.

    PYTHONPATH=python /usr/bin/python3 bench/captured_layers.py
        [--networks vgg11,resnet19,resnet34] [--batch 1] [--threads 1]
        [--density 0.15] [--repeats 5] [--only TEXT]
"""

import argparse
import pathlib
import sys
import tempfile

import numpy as np
import torch
from onnx import helper

sys.path.insert(0, str(pathlib.Path(__file__).parent))

import networks  # noqa: E402
import sparseflow  # noqa: E402
from bench import op_seconds, save_spike_layer, torch_seconds  # noqa: E402
from end_to_end import T, temporal_parallel  # noqa: E402


def captured_inputs(model, x, batch):
    """(name, conv, input) for every Conv2d of `model` whose input, in the
    temporal-parallel run on `x`, is spikes ([T*N, C, H, W] of 0 and 1)."""
    captured = []
    run = temporal_parallel(model, batch)
    convs = {}

    def hook(module, inputs):
        (spikes,) = inputs
        if spikes.shape[0] == T * batch and bool(((spikes == 0) | (spikes == 1)).all()):
            captured.append((convs[module], module, spikes.clone()))

    handles = []
    for name, module in run.model.named_modules():
        if isinstance(module, torch.nn.Conv2d):
            convs[module] = name
            handles.append(module.register_forward_pre_hook(hook))
    with torch.no_grad():
        run(x)
    for handle in handles:
        handle.remove()
    return captured


def conv_model(conv, x_shape, path):
    """A one-layer ONNX model of `conv` reading spikes of shape x_shape."""
    w = conv.weight.detach().numpy()
    b = (conv.bias.detach().numpy() if conv.bias is not None
         else np.zeros(w.shape[0], np.float32))
    node = helper.make_node(
        "Conv", ["x", "w", "b"], ["y"], name="layer", kernel_shape=list(w.shape[2:]),
        strides=list(conv.stride), pads=[conv.padding[0], conv.padding[1]] * 2,
        dilations=list(conv.dilation), group=conv.groups)
    save_spike_layer(node, x_shape, w, b, path)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--networks", default="vgg11,resnet19,resnet34")
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--density", type=float, default=0.15)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--only", help="layers whose name contains this text")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}; T = {T}; N = {args.batch}; {args.threads} thread(s); "
          f"thresholds calibrated to {args.density:.0%} firing; best of {args.repeats}")
    print("| network | layer | C→O, H×W, k/s | d | SparseFlow (ms) | oneDNN (ms) "
          "| vs oneDNN | goal 0.6/d | oneDNN × d (ms) |")
    print("|---|---|---|---:|---:|---:|---:|---:|---:|")
    ratios = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        for name in args.networks.split(","):
            factory, shape = networks.NETWORKS[name]
            torch.manual_seed(0)
            model = factory().eval()
            x = torch.rand((args.batch,) + shape[1:])
            sparseflow.nn.calibrate_thresholds(model, x, T, args.density)
            for layer, conv, spikes in captured_inputs(model, x, args.batch):
                if args.only and args.only not in layer:
                    continue
                _, c, h, w = spikes.shape
                path = tmp / "layer.onnx"
                conv_model(conv, [args.batch, c, h, w], path)
                sparseflow.compile(path, tmp / "layer.sfa")
                session = sparseflow.load(tmp / "layer.sfa", threads=args.threads).session(
                    profile=True)
                ours = op_seconds(session, np.ascontiguousarray(
                    spikes.numpy().reshape(T, args.batch, c, h, w)), args.repeats)
                weight = conv.weight.detach()
                bias = conv.bias.detach() if conv.bias is not None else None
                with torch.no_grad():
                    theirs = torch_seconds(lambda: torch.mkldnn_convolution(
                        spikes, weight, bias, conv.padding, conv.stride, conv.dilation,
                        conv.groups), args.repeats)
                d = float(spikes.mean())
                ratios.append(theirs / ours)
                print(f"| {name} | {layer} | {c}→{conv.out_channels}, {h}×{w}, "
                      f"{conv.kernel_size[0]}/{conv.stride[0]} | {d:.3f} | {ours * 1e3:.3f} "
                      f"| {theirs * 1e3:.3f} | {theirs / ours:.2f}x | {0.6 / d:.1f}x "
                      f"| {theirs * d * 1e3:.3f} |", flush=True)
    print(f"\n{len(ratios)} layers: vs oneDNN min {min(ratios):.2f}x, geometric mean "
          f"{np.exp(np.mean(np.log(ratios))):.2f}x, max {max(ratios):.2f}x")


if __name__ == "__main__":
    main()
