#!/usr/bin/env python3
"""PyTorch peer of `editorbot bench reward`: trains the same reward transformer on the same pairs
(written by bench/reward.ts), with the same loss (Bradley-Terry with tie targets, margins and the
0.01 reward-centering term), AdamW (no decay on biases and norms), linear warm-up then cosine decay,
gradient-norm clipping 1.0, the same batch size and epochs, padding each batch to its longest
sequence. Prints one JSON line: seconds per epoch (median), held-out accuracy per epoch, peak RSS.

usage: /usr/bin/python3 scripts/python/bench_reward_torch.py DIR   (DIR holds data.json + features.bin)
"""
import json
import math
import os
import resource
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reward_model import RewardTransformer  # noqa: E402


def main():
    d = sys.argv[1]
    spec = json.load(open(os.path.join(d, 'data.json')))
    feats = np.fromfile(os.path.join(d, 'features.bin'), dtype='<f4')
    cfg = spec['config']
    torch.set_num_threads(os.cpu_count() or 1)
    torch.manual_seed(cfg['seed'])
    F_DIM = 125
    songs = [torch.from_numpy(feats[s['offset']:s['offset'] + s['beats'] * F_DIM].reshape(s['beats'], F_DIM).copy())
             for s in spec['songs']]
    max_beats = cfg['maxBeats']
    seqs = [(songs[q['song']][:max_beats], torch.tensor(q['actions'][:max_beats], dtype=torch.long)) for q in spec['sequences']]

    def batch(idx):
        T = max(seqs[i][0].shape[0] for i in idx)
        x = torch.zeros(len(idx), T, F_DIM)
        a = torch.zeros(len(idx), T, dtype=torch.long)
        m = torch.zeros(len(idx), T, dtype=torch.bool)
        for b, i in enumerate(idx):
            n = seqs[i][0].shape[0]
            x[b, :n] = seqs[i][0]
            a[b, :n] = seqs[i][1]
            m[b, :n] = True
        return x, a, m

    model = RewardTransformer(d_model=cfg['dModel'], layers=cfg['layers'], heads=cfg['heads'],
                              ff_dim=cfg['ffDim'], max_beats=max_beats)
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{'params': decay, 'weight_decay': cfg['weightDecay']},
                             {'params': no_decay, 'weight_decay': 0.0}], lr=cfg['lr'])
    train, val = spec['train'], spec['val']
    bs = cfg['batchSize']
    steps_per_epoch = math.ceil(len(train) / bs)
    total = steps_per_epoch * cfg['epochs']
    warm = max(1, round(cfg['warmupFraction'] * total))

    def lr_at(step):
        if step < warm:
            return cfg['lr'] * (step + 1) / warm
        p = min(1.0, (step - warm) / max(1, total - warm))
        return cfg['lr'] * (cfg['minLrFraction'] + (1 - cfg['minLrFraction']) * 0.5 * (1 + math.cos(math.pi * p)))

    def validate():
        model.eval()
        idx = sorted({i for p in val for i in (p[0], p[1])})
        scores = {}
        with torch.no_grad():
            for s in range(0, len(idx), 16):
                part = idx[s:s + 16]
                r = model(*batch(part))
                for i, v in zip(part, r.tolist()):
                    scores[i] = v
        model.train()
        decisive = [p for p in val if p[2] != 0.5]
        correct = sum(1 for p in decisive if scores[p[0]] > scores[p[1]])
        return correct / max(1, len(decisive))

    g = torch.Generator().manual_seed(cfg['seed'])
    step = 0
    epoch_s, acc = [], []
    model.train()
    for _ in range(cfg['epochs']):
        t0 = time.perf_counter()
        order = torch.randperm(len(train), generator=g).tolist()
        for s in range(steps_per_epoch):
            pb = [train[i] for i in order[s * bs:(s + 1) * bs]]
            idx = [p[0] for p in pb] + [p[1] for p in pb]
            x, a, m = batch(idx)
            for group in opt.param_groups:
                group['lr'] = lr_at(step)
            r = model(x, a, m)
            P = len(pb)
            rc, rr = r[:P], r[P:]
            y = torch.tensor([p[2] for p in pb])
            margin = torch.tensor([p[3] for p in pb])
            diff = rc - rr - margin
            loss = (y * F.softplus(-diff) + (1 - y) * F.softplus(diff)).mean()
            loss = loss + cfg['centerCoef'] * ((rc + rr) ** 2).mean()
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), cfg['maxGradNorm'])
            opt.step()
            step += 1
        acc.append(validate())
        epoch_s.append(time.perf_counter() - t0)
    srt = sorted(epoch_s)
    # Debian's torch uses whatever libblas.so.3 points at: the reference BLAS unless OpenBLAS is installed.
    blas_info = 'generic' if 'BLAS_INFO=generic' in torch.__config__.show() else 'bundled'
    libblas = os.path.realpath('/usr/lib/x86_64-linux-gnu/libblas.so.3')
    print(json.dumps({
        'blas': f'{blas_info} ({libblas})' if blas_info == 'generic' else blas_info,
        'torch': torch.__version__,
        'threads': torch.get_num_threads(),
        'epochSeconds': epoch_s,
        'medianEpochSeconds': srt[len(srt) // 2],
        'valAccuracy': acc,
        'peakRssMb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


if __name__ == '__main__':
    main()
