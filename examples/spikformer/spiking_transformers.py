"""Spiking transformers built from torch.nn and sparseflow.nn.LIF, in the
layout of their reference code: tokens as [N, C, L] (channels, then the L
tokens of the image's patch grid), the token projections 1x1 Conv1d layers
followed by BatchNorm1d (folded by the compiler) and a LIF neuron.

Three self-attention forms:

- ``SSA``, Spikformer (Zhou et al., ICLR 2023): spike Q, K, V per head,
  ``LIF((Q·Kᵀ · scale)·V)``, no softmax: products of spike matrices, which
  SparseFlow reorders to ``Q·(Kᵀ·V)`` (exact: whole numbers, a power-of-two
  scale) and runs as AND + popcount (Kᵀ·V) and selected rows (Q·(Kᵀ·V)).
- ``SDSA``, Spike-driven Transformer (Yao et al., NeurIPS 2023): the
  Hadamard product K ⊙ V summed over the tokens, a LIF, then a mask of Q;
  its blocks take a membrane shortcut (a LIF before every projection).
- ``QKTA``, QKFormer's Q-K token attention (Zhou et al., 2024): a LIF of the
  sum of Q over each head's channels masks K's tokens.

``Transformer`` stacks them behind a spiking patch splitting (SPS) stem for
CIFAR-shaped input: ``Transformer(dim=384, depth=4)`` is Spikformer-4-384.
"""

import torch
import torch.nn as tnn

import sparseflow


def lif(threshold=1.0):
    return sparseflow.nn.LIF(leak=0.5, v_threshold=threshold)


class Projection(tnn.Sequential):
    """A token projection: 1x1 Conv1d, BatchNorm1d and (optionally) a LIF."""

    def __init__(self, cin, cout, spiking=True):
        layers = [tnn.Conv1d(cin, cout, 1, bias=False), tnn.BatchNorm1d(cout)]
        super().__init__(*layers, *([lif()] if spiking else []))


def heads(x, count):
    """[N, C, L] -> [N, heads, L, C / heads]."""
    n, c, length = x.shape
    return x.reshape(n, count, c // count, length).transpose(2, 3)


def merge(x):
    """[N, heads, L, d] -> [N, heads * d, L]."""
    n, h, length, d = x.shape
    return x.transpose(2, 3).reshape(n, h * d, length)


class SSA(tnn.Module):
    """Spikformer's spiking self-attention."""

    def __init__(self, dim, num_heads, scale=0.125):
        super().__init__()
        self.num_heads, self.scale = num_heads, scale
        self.q, self.k, self.v = (Projection(dim, dim) for _ in range(3))
        self.attn_lif = lif(0.5)
        self.proj = Projection(dim, dim)

    def forward(self, x):
        q, k, v = (heads(p(x), self.num_heads) for p in (self.q, self.k, self.v))
        attn = (q @ k.transpose(-2, -1)) * self.scale
        return self.proj(self.attn_lif(merge(attn @ v)))


class SDSA(tnn.Module):
    """The Spike-driven Transformer's self-attention (SDSA-3): Q masked by a
    LIF of the column sums of K ⊙ V, behind the block's shortcut LIF."""

    def __init__(self, dim, num_heads):
        super().__init__()
        self.num_heads = num_heads
        self.shortcut_lif = lif()
        self.q, self.k, self.v = (Projection(dim, dim) for _ in range(3))
        self.kv_lif = lif(0.5)
        self.proj = Projection(dim, dim, spiking=False)

    def forward(self, x):
        x = self.shortcut_lif(x)
        q, k, v = (heads(p(x), self.num_heads) for p in (self.q, self.k, self.v))
        kv = self.kv_lif((k * v).sum(dim=-2, keepdim=True))  # [N, h, 1, d]
        return self.proj(merge(q * kv))


class QKTA(tnn.Module):
    """QKFormer's Q-K token attention: a LIF of each token's sum of Q over
    the head's channels masks K."""

    def __init__(self, dim, num_heads):
        super().__init__()
        self.num_heads = num_heads
        self.q, self.k = Projection(dim, dim), Projection(dim, dim)
        self.token_lif = lif(0.5)
        self.proj = Projection(dim, dim)

    def forward(self, x):
        q, k = heads(self.q(x), self.num_heads), heads(self.k(x), self.num_heads)
        mask = self.token_lif(q.sum(dim=-1, keepdim=True))  # [N, h, L, 1]
        return self.proj(merge(mask * k))


class MLP(tnn.Module):
    def __init__(self, dim, hidden, shortcut_lif):
        super().__init__()
        self.shortcut_lif = lif() if shortcut_lif else tnn.Identity()
        self.fc1 = Projection(dim, hidden)
        self.fc2 = Projection(hidden, dim, spiking=not shortcut_lif)

    def forward(self, x):
        return self.fc2(self.fc1(self.shortcut_lif(x)))


ATTENTION = {"ssa": SSA, "sdsa": SDSA, "qkta": QKTA}


class Block(tnn.Module):
    def __init__(self, dim, num_heads, attention, mlp_ratio):
        super().__init__()
        self.attn = ATTENTION[attention](dim, num_heads)
        # The Spike-driven Transformer's membrane shortcut: LIFs open each
        # branch, which ends in analog values.
        self.mlp = MLP(dim, dim * mlp_ratio, shortcut_lif=attention == "sdsa")

    def forward(self, x):
        x = x + self.attn(x)
        return x + self.mlp(x)


class SPS(tnn.Module):
    """Spiking patch splitting: four conv-BN-LIF stages (the last two
    max-pooled) and a relative position embedding, 32 x 32 -> 8 x 8 tokens."""

    def __init__(self, dim, channels=3):
        super().__init__()
        widths = [channels, dim // 8, dim // 4, dim // 2, dim]
        stages = []
        for i in range(4):
            stages += [tnn.Conv2d(widths[i], widths[i + 1], 3, padding=1, bias=False),
                       tnn.BatchNorm2d(widths[i + 1]), lif()]
            if i >= 2:
                stages.append(tnn.MaxPool2d(2))
        self.stages = tnn.Sequential(*stages)
        self.rpe = tnn.Sequential(tnn.Conv2d(dim, dim, 3, padding=1, bias=False),
                                  tnn.BatchNorm2d(dim), lif())

    def forward(self, x):
        x = self.stages(x)
        return (x + self.rpe(x)).flatten(2)  # [N, dim, L]


class Transformer(tnn.Module):
    """A spiking vision transformer for 32 x 32 images: Spikformer with
    ``attention="ssa"``, the Spike-driven Transformer's blocks with
    ``"sdsa"``, QKFormer's token attention with ``"qkta"``."""

    def __init__(self, dim=384, depth=4, num_heads=12, attention="ssa",
                 mlp_ratio=4, classes=10):
        super().__init__()
        self.sps = SPS(dim)
        self.blocks = tnn.Sequential(*(Block(dim, num_heads, attention, mlp_ratio)
                                       for _ in range(depth)))
        self.head = tnn.Linear(dim, classes)

    def forward(self, x):
        return self.head(self.blocks(self.sps(x)).mean(dim=-1))


def spikformer(dim=384, depth=4, **kwargs):
    """Spikformer-depth-dim (default: Spikformer-4-384, CIFAR)."""
    return Transformer(dim, depth, attention="ssa", **kwargs)


def randomize_batch_norms(model, seed=0):
    """Gives every BatchNorm statistics and affine parameters of a trained
    network (fresh ones are the identity), so that the fold is exercised."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (tnn.BatchNorm1d, tnn.BatchNorm2d)):
                size = m.num_features
                m.running_mean.copy_(torch.rand(size, generator=generator) * 0.2 - 0.1)
                m.running_var.copy_(torch.rand(size, generator=generator) * 0.5 + 0.75)
                m.weight.copy_(torch.rand(size, generator=generator) + 0.5)
                m.bias.copy_(torch.rand(size, generator=generator) * 0.4)
    return model
