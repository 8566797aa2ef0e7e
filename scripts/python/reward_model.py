"""Reference PyTorch modules matching the app's tfjs models (src/main/services/ml).

State-dict keys here are the ONNX initializer names the app reads for warm start
(docs/onnx.md). Export with do_constant_folding=False so those names survive.
"""
import math

import torch
from torch import nn
import torch.nn.functional as F

FEATURE_DIM = 125
ACTION_COUNT = 9
MASK_NEG = -1e9
REWARD_BOUND = 10.0


class SelfAttention(nn.Module):
    def __init__(self, d_model: int, heads: int):
        super().__init__()
        self.heads = heads
        self.in_proj = nn.Linear(d_model, 3 * d_model)
        self.out_proj = nn.Linear(d_model, d_model)

    def forward(self, x, mask_bias):
        B, T, d = x.shape
        H = self.heads
        dh = d // H
        qkv = self.in_proj(x).reshape(B, T, 3, H, dh).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        scores = (q @ k.transpose(-1, -2)) * (1.0 / math.sqrt(dh)) + mask_bias[:, None, None, :]
        probs = scores.softmax(-1)
        ctx = (probs @ v).transpose(1, 2).reshape(B, T, d)
        return self.out_proj(ctx)


class EncoderLayer(nn.Module):
    def __init__(self, d_model: int, heads: int, ff_dim: int, pre_norm: bool):
        super().__init__()
        self.pre_norm = pre_norm
        self.norm1 = nn.LayerNorm(d_model)
        self.attn = SelfAttention(d_model, heads)
        self.norm2 = nn.LayerNorm(d_model)
        self.ff1 = nn.Linear(d_model, ff_dim)
        self.ff2 = nn.Linear(ff_dim, d_model)

    def forward(self, x, mask_bias):
        if self.pre_norm:
            x = x + self.attn(self.norm1(x), mask_bias)
            return x + self.ff2(F.gelu(self.ff1(self.norm2(x))))
        x = self.norm1(x + self.attn(x, mask_bias))
        return self.norm2(x + self.ff2(F.gelu(self.ff1(x))))


class RewardTransformer(nn.Module):
    """beat_features [B,T,F] float, action_ids [B,T] int64, mask [B,T] bool -> reward [B]."""

    def __init__(self, d_model=256, layers=3, heads=4, ff_dim=1024, max_beats=500,
                 feature_dim=FEATURE_DIM, action_count=ACTION_COUNT, pre_norm=True):
        super().__init__()
        self.pre_norm = pre_norm
        self.input_proj = nn.Linear(feature_dim, d_model)
        self.action_embed = nn.Embedding(action_count, d_model)
        self.pos_embed = nn.Embedding(max_beats, d_model)
        self.layers = nn.ModuleList(
            [EncoderLayer(d_model, heads, ff_dim, pre_norm) for _ in range(layers)])
        if pre_norm:
            self.norm_f = nn.LayerNorm(d_model)
        self.head1 = nn.Linear(d_model, d_model)
        self.head2 = nn.Linear(d_model, 1)

    def forward(self, beat_features, action_ids, mask):
        T = beat_features.shape[1]
        x = self.input_proj(beat_features) + self.action_embed(action_ids) + self.pos_embed.weight[:T]
        mask_f = mask.to(beat_features.dtype)
        mask_bias = (1.0 - mask_f) * MASK_NEG
        for layer in self.layers:
            x = layer(x, mask_bias)
        if self.pre_norm:
            x = self.norm_f(x)
        m3 = mask_f.unsqueeze(-1)
        pooled = (x * m3).sum(1) / mask_f.sum(1, keepdim=True).clamp(min=1.0)
        raw = self.head2(F.gelu(self.head1(pooled))).reshape(-1)
        return torch.tanh(raw / REWARD_BOUND) * REWARD_BOUND


def mlp(sizes):
    mods = []
    for i in range(len(sizes) - 1):
        mods.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            mods.append(nn.Tanh())
    return nn.Sequential(*mods)


class MlpNet(nn.Module):
    """Same parameter names as the app's policy/value MLPs: net.0.weight, net.2.weight, ..."""

    def __init__(self, sizes):
        super().__init__()
        self.net = mlp(sizes)

    def forward(self, obs):
        return self.net(obs)


def export_reward_onnx(model, path, feature_dim=FEATURE_DIM, example_beats=8, opset=17):
    model.eval()
    B, T = 2, example_beats
    feats = torch.randn(B, T, feature_dim)
    ids = torch.randint(0, ACTION_COUNT, (B, T), dtype=torch.int64)
    mask = torch.ones(B, T, dtype=torch.bool)
    torch.onnx.export(
        model, (feats, ids, mask), path,
        input_names=['beat_features', 'action_ids', 'mask'],
        output_names=['reward'],
        dynamic_axes={'beat_features': {0: 'B', 1: 'T'}, 'action_ids': {0: 'B', 1: 'T'},
                      'mask': {0: 'B', 1: 'T'}, 'reward': {0: 'B'}},
        opset_version=opset,
        do_constant_folding=False,
    )
