"""Write the tiny policy fixtures with PyTorch's own ONNX exporter, in a Stable-Baselines3 layout.

  /usr/bin/python3 scripts/python/make_tiny_policy_onnx.py test/fixtures/models

SB3 is not needed: the module below has the attribute names of SB3's ActorCriticPolicy
(mlp_extractor.policy_net, action_net; tanh activations, SB3's default), and the wrapper is the one
docs/policy.md shows for a real SB3 model. Writes
  tiny_policy_sb3.onnx     obs float32[B,889] -> logits float32[B,9] (hidden 16, 16)
  tiny_policy_sb3.expected.json   a probe batch and PyTorch's logits
  tiny_policy_obs4.onnx    obs float32[B,4]: the wrong signature, to be rejected
"""
import json
import os
import sys

import torch
from torch import nn

OBS_DIM = 889
ACTIONS = 9


class MlpExtractor(nn.Module):
    def __init__(self, obs_dim, hidden):
        super().__init__()
        layers, last = [], obs_dim
        for h in hidden:
            layers += [nn.Linear(last, h), nn.Tanh()]
            last = h
        self.policy_net = nn.Sequential(*layers)
        self.value_net = nn.Sequential(nn.Linear(obs_dim, hidden[0]), nn.Tanh())

    def forward_actor(self, obs):
        return self.policy_net(obs)


class SB3LikePolicy(nn.Module):
    """The parts of stable_baselines3.common.policies.ActorCriticPolicy the actor uses."""

    def __init__(self, obs_dim=OBS_DIM, hidden=(16, 16)):
        super().__init__()
        self.mlp_extractor = MlpExtractor(obs_dim, hidden)
        self.action_net = nn.Linear(hidden[-1], ACTIONS)


class OnnxablePolicy(nn.Module):
    """Exactly the wrapper for a real SB3 model: OnnxablePolicy(PPO.load(...).policy)."""

    def __init__(self, policy):
        super().__init__()
        self.policy = policy

    def forward(self, obs):
        return self.policy.action_net(self.policy.mlp_extractor.forward_actor(obs))


def export(module, path, obs_dim):
    torch.onnx.export(
        module.eval(), (torch.zeros(2, obs_dim),), path,
        input_names=['obs'], output_names=['logits'],
        dynamic_axes={'obs': {0: 'B'}, 'logits': {0: 'B'}},
        opset_version=17, do_constant_folding=False,
    )


def main(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    torch.manual_seed(4321)
    policy = OnnxablePolicy(SB3LikePolicy())
    with torch.no_grad():
        policy.policy.action_net.weight.mul_(3.0)  # spread the logits so actions differ
    export(policy, os.path.join(out_dir, 'tiny_policy_sb3.onnx'), OBS_DIM)
    g = torch.Generator().manual_seed(7)
    obs = torch.randn(3, OBS_DIM, generator=g)
    with torch.no_grad():
        logits = policy(obs)
    with open(os.path.join(out_dir, 'tiny_policy_sb3.expected.json'), 'w') as f:
        json.dump({
            'obs': [round(v, 6) for v in obs.reshape(-1).tolist()],
            'logits': logits.tolist(),
            'torch': torch.__version__,
        }, f)
    export(OnnxablePolicy(SB3LikePolicy(obs_dim=4)), os.path.join(out_dir, 'tiny_policy_obs4.onnx'), 4)


if __name__ == '__main__':
    main(sys.argv[1] if len(sys.argv) > 1 else 'test/fixtures/models')
