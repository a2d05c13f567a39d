"""Spiking VGG-11, ResNet-19 and ResNet-34 built from torch.nn and
sparseflow.nn.LIF: the networks of the end-to-end benchmarks (issue 19);
and Spikformer-4-384 (examples/spikformer, issue 22).

Every conv is followed by BatchNorm (folded by the compiler) and a LIF
neuron; residual blocks add the shortcut before the block's last neuron.
"""

import pathlib
import sys

import torch
import torch.nn as tnn

import sparseflow

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "examples" / "spikformer"))
import spiking_transformers  # noqa: E402


def lif():
    return sparseflow.nn.LIF(leak=0.5, v_threshold=1.0)


def conv_bn(cin, cout, kernel=3, stride=1):
    return [tnn.Conv2d(cin, cout, kernel, stride, kernel // 2, bias=False),
            tnn.BatchNorm2d(cout)]


class BasicBlock(tnn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.body = tnn.Sequential(*conv_bn(cin, cout, 3, stride), lif(),
                                   *conv_bn(cout, cout, 3))
        self.shortcut = (tnn.Sequential(*conv_bn(cin, cout, 1, stride))
                         if stride != 1 or cin != cout else tnn.Identity())
        self.out = lif()

    def forward(self, x):
        return self.out(self.body(x) + self.shortcut(x))


def resnet(stem, cin, stages, classes, pool):
    layers = list(stem)
    for cout, blocks, stride in stages:
        for b in range(blocks):
            layers.append(BasicBlock(cin, cout, stride if b == 0 else 1))
            cin = cout
    layers += [pool, tnn.Flatten(), tnn.Linear(cin, classes)]
    return tnn.Sequential(*layers)


def resnet19():
    """ResNet-19 for CIFAR (Zheng et al., 2021): a 128-channel stem and
    stages of 3, 3 and 2 blocks at 128, 256 and 512 channels."""
    return resnet([*conv_bn(3, 128), lif()], 128,
                  [(128, 3, 1), (256, 3, 2), (512, 2, 2)], 10,
                  tnn.AdaptiveAvgPool2d(1))


def resnet34():
    """ResNet-34 at 224 x 224: a 7x7/2 stem, max pooling, stages of 3, 4, 6
    and 3 blocks."""
    return resnet([*conv_bn(3, 64, 7, 2), lif(), tnn.MaxPool2d(3, 2, 1)], 64,
                  [(64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)], 1000,
                  tnn.AdaptiveAvgPool2d(1))


def vgg11():
    """VGG-11 for CIFAR, with BatchNorm and LIF after every conv."""
    layers, cin = [], 3
    for v in [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"]:
        if v == "M":
            layers.append(tnn.MaxPool2d(2))
        else:
            layers += [*conv_bn(cin, v), lif()]
            cin = v
    return tnn.Sequential(*layers, tnn.Flatten(), tnn.Linear(512, 10))


NETWORKS = {
    "vgg11": (vgg11, (1, 3, 32, 32)),
    "resnet19": (resnet19, (1, 3, 32, 32)),
    "resnet34": (resnet34, (1, 3, 224, 224)),
    "spikformer": (spiking_transformers.spikformer, (1, 3, 32, 32)),
    # The same size with the Spike-driven Transformer's attention and
    # membrane shortcuts, and with QKFormer's token attention.
    "sdt": (lambda: spiking_transformers.Transformer(attention="sdsa"), (1, 3, 32, 32)),
    "qkformer": (lambda: spiking_transformers.Transformer(attention="qkta"), (1, 3, 32, 32)),
}


def export(name, path, timesteps=4, seed=0):
    factory, shape = NETWORKS[name]
    torch.manual_seed(seed)
    model = factory().eval()
    sparseflow.export_onnx(model, torch.rand(shape), str(path), timesteps=timesteps)
    return model
