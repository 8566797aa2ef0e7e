"""Write the tiny reward-model fixtures with PyTorch's own ONNX exporter.

  /usr/bin/python3 scripts/python/make_tiny_reward_onnx.py test/fixtures/models

Writes tiny_reward.onnx (documented signature, app architecture: warm-startable),
tiny_reward.expected.json (inputs and PyTorch's outputs) and tiny_reward_dim128.onnx
(beat_features last dim 128: must be rejected with a clear error).
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reward_model import RewardTransformer, export_reward_onnx  # noqa: E402

TINY = dict(d_model=16, layers=2, heads=2, ff_dim=32, max_beats=24)


def main(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    torch.manual_seed(1234)
    model = RewardTransformer(**TINY).eval()
    # make the head non-trivial so the scores spread
    with torch.no_grad():
        for p in model.parameters():
            p.add_(torch.randn_like(p) * 0.05)
    export_reward_onnx(model, os.path.join(out_dir, 'tiny_reward.onnx'))

    g = torch.Generator().manual_seed(99)
    B, T = 3, 10
    feats = torch.randn(B, T, 125, generator=g)
    ids = torch.randint(0, 9, (B, T), generator=g, dtype=torch.int64)
    mask = torch.ones(B, T, dtype=torch.bool)
    mask[1, 7:] = False
    mask[2, 4:] = False
    with torch.no_grad():
        reward = model(feats, ids, mask)
    with open(os.path.join(out_dir, 'tiny_reward.expected.json'), 'w') as f:
        json.dump({
            'config': {'dModel': 16, 'layers': 2, 'heads': 2, 'ffDim': 32, 'maxBeats': 24, 'norm': 'pre'},
            'batch': B, 'beats': T,
            'beat_features': [round(v, 6) for v in feats.reshape(-1).tolist()],
            'action_ids': ids.reshape(-1).tolist(),
            'mask': [int(v) for v in mask.reshape(-1).tolist()],
            'reward': reward.tolist(),
            'torch': torch.__version__,
        }, f)

    torch.manual_seed(5)
    wrong = RewardTransformer(feature_dim=128, **TINY).eval()
    export_reward_onnx(wrong, os.path.join(out_dir, 'tiny_reward_dim128.onnx'), feature_dim=128)


if __name__ == '__main__':
    main(sys.argv[1] if len(sys.argv) > 1 else 'test/fixtures/models')
