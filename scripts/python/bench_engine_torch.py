"""PyTorch peer of `editorbot bench engine`: the same shapes, printed as one JSON line.

  /usr/bin/python3 scripts/python/bench_engine_torch.py [--quick] [--export-onnx PATH]

reward train step (ms/sequence): transformer 125->256, 3 layers, 4 heads, ff 1024, 500 beats,
  batch of 4 pairs (8 sequences), Bradley-Terry loss, AdamW
reward inference (sequences/s): batches of 8 x 500 beats, no grad
PPO update (s): 2048 samples x 10 epochs, minibatch 64, policy 889-256-256-9 tanh + value 889-256-256-1
policy forward (us): one observation, no grad
--export-onnx writes PyTorch's ONNX export of the same reward model (for onnxruntime-node timing).
"""
import argparse
import json
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reward_model import RewardTransformer, MlpNet, export_reward_onnx  # noqa: E402


def batch(B, T, g):
    feats = torch.randn(B, T, 125, generator=g)
    ids = torch.randint(0, 9, (B, T), generator=g)
    mask = torch.ones(B, T, dtype=torch.bool)
    return feats, ids, mask


def bench_train(model, steps, g):
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.01)
    c = batch(4, 500, g)
    r = batch(4, 500, g)
    feats = torch.cat([c[0], r[0]])
    ids = torch.cat([c[1], r[1]])
    mask = torch.cat([c[2], r[2]])
    times = []
    for i in range(steps + 1):
        t0 = time.perf_counter()
        out = model(feats, ids, mask)
        loss = F.softplus(-(out[:4] - out[4:])).mean()
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if i > 0:
            times.append(time.perf_counter() - t0)
    times.sort()
    return min(times) * 1000 / 8, sum(times) / len(times) * 1000 / 8, times[len(times) // 2] * 1000 / 8


def bench_infer(model, reps, g):
    feats, ids, mask = batch(8, 500, g)
    with torch.no_grad():
        model(feats, ids, mask)
        rates = []
        for _ in range(reps):
            t0 = time.perf_counter()
            model(feats, ids, mask)
            rates.append(8 / (time.perf_counter() - t0))
    rates.sort()
    # the median, as the app's side reports (like for like)
    return rates[len(rates) // 2]


def bench_ppo(epochs, g):
    pol = MlpNet([889, 256, 256, 9])
    val = MlpNet([889, 256, 256, 1])
    opt = torch.optim.Adam(list(pol.parameters()) + list(val.parameters()), lr=3e-4, eps=1e-5)
    N = 2048
    obs = torch.randn(N, 889, generator=g)
    act = torch.randint(0, 9, (N,), generator=g)
    old_lp = torch.full((N,), -2.1972)
    adv = torch.randn(N, generator=g)
    ret = torch.randn(N, generator=g)
    t0 = time.perf_counter()
    for _ in range(epochs):
        perm = torch.randperm(N, generator=g)
        for s in range(0, N, 64):
            idx = perm[s:s + 64]
            a = adv[idx]
            a = (a - a.mean()) / (a.std() + 1e-8)
            logp_all = torch.log_softmax(pol(obs[idx]), -1)
            logp = logp_all.gather(1, act[idx][:, None])[:, 0]
            ratio = torch.exp(logp - old_lp[idx])
            pl = -torch.min(ratio * a, ratio.clamp(0.8, 1.2) * a).mean()
            vl = ((ret[idx] - val(obs[idx])[:, 0]) ** 2).mean()
            ent = -(logp_all.exp() * logp_all).sum(-1).mean()
            loss = pl + 0.5 * vl - 0.01 * ent
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(list(pol.parameters()) + list(val.parameters()), 0.5)
            opt.step()
    return (time.perf_counter() - t0) * 10 / epochs


def bench_policy_forward(reps):
    pol = MlpNet([889, 256, 256, 9])
    x = torch.randn(1, 889)
    with torch.no_grad():
        for _ in range(50):
            pol(x)
        ts = []
        for _ in range(reps):
            t0 = time.perf_counter()
            pol(x)
            ts.append(time.perf_counter() - t0)
    ts.sort()
    return ts[len(ts) // 2] * 1e6


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--quick', action='store_true')
    ap.add_argument('--export-onnx')
    args = ap.parse_args()
    torch.set_num_threads(os.cpu_count() or 1)
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(0)
    model = RewardTransformer()
    res = {
        'torch': torch.__version__,
        'threads': torch.get_num_threads(),
        'params': sum(p.numel() for p in model.parameters()),
    }
    best, mean, med = bench_train(model, 2 if args.quick else 4, g)
    res['rewardTrainMsPerSeq'] = med
    res['rewardTrainMsPerSeqBest'] = best
    res['rewardTrainMsPerSeqMean'] = mean
    model.eval()
    res['rewardInferSeqPerS'] = bench_infer(model, 3 if args.quick else 8, g)
    res['ppoUpdateS'] = bench_ppo(2 if args.quick else 10, g)
    res['ppoEpochsMeasured'] = 2 if args.quick else 10
    res['policyForwardUs'] = bench_policy_forward(300 if args.quick else 2000)
    if args.export_onnx:
        export_reward_onnx(model, args.export_onnx)
        res['onnxExport'] = args.export_onnx
    print(json.dumps(res))


if __name__ == '__main__':
    main()
