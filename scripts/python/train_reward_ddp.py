"""Train the app's reward transformer on exported preferences with PyTorch, on one GPU or many.

  editorbot export --what preferences --out prefs/prefs.jsonl
  torchrun --nproc_per_node 8 scripts/python/train_reward_ddp.py --prefs prefs/prefs.jsonl --out reward.onnx
  editorbot import-reward-model reward.onnx

One process per device under torchrun (DistributedDataParallel: nccl on GPUs, gloo on CPU); a plain
`python3 train_reward_ddp.py ...` runs one process without torch.distributed. The loss is TRL's
Bradley-Terry loss with the exported margin, -log sigmoid(r_chosen - r_rejected - margin), plus TRL's
reward-centering term. Rank 0 writes the ONNX file through reward_model.export_reward_onnx (initializer
names = the app's warm-start names, docs/onnx.md) with the metadata the app's importer reads.
docs/scale.md describes the round trip.
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, Dataset, DistributedSampler

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reward_model import FEATURE_DIM, RewardTransformer, export_reward_onnx  # noqa: E402

# The app's presets (src/main/engines/ml/reward-training.ts, REWARD_TRAIN_PRESETS).
PRESETS = {
    'tiny': dict(model=dict(d_model=16, layers=1, heads=2, ff_dim=32, max_beats=500), epochs=8, lr=3e-3),
    'default': dict(model=dict(d_model=256, layers=3, heads=4, ff_dim=1024, max_beats=500), epochs=8, lr=2e-4),
}
WEIGHT_DECAY = 0.01
CENTER_COEF = 0.01
MAX_GRAD_NORM = 1.0


def read_preferences(prefs_path, max_beats):
    """Rows with a winner, each with its song's features (loaded once per song) truncated to max_beats."""
    base = os.path.dirname(os.path.abspath(prefs_path))
    features = {}
    examples = []
    feature_versions = set()
    with open(prefs_path, encoding='utf-8') as f:
        for line in f:
            if not line.strip():
                continue
            row = json.loads(line)
            if row.get('chosen') is None or row.get('rejected') is None:
                continue  # tie, both_bad, skip: no preference to learn from
            file = row['features_file']
            if file not in features:
                matrix = np.load(os.path.join(base, file))
                if matrix.ndim != 2 or matrix.shape[1] != FEATURE_DIM:
                    raise SystemExit(f'{file}: expected [beats, {FEATURE_DIM}] features, got {list(matrix.shape)}')
                features[file] = torch.from_numpy(np.ascontiguousarray(matrix[:max_beats], dtype=np.float32))
            beats = features[file].shape[0]
            chosen, rejected = row['chosen'][:max_beats], row['rejected'][:max_beats]
            if len(chosen) != beats or len(rejected) != beats:
                raise SystemExit(f"verdict {row['verdict_id']}: action arrays do not match {file}'s {beats} beats")
            if row.get('feature_version') is not None:
                feature_versions.add(row['feature_version'])
            examples.append(dict(
                features=features[file],
                chosen=torch.tensor(chosen, dtype=torch.int64),
                rejected=torch.tensor(rejected, dtype=torch.int64),
                margin=float(row.get('margin') or 0.0),
            ))
    return examples, feature_versions


class Preferences(Dataset):
    def __init__(self, examples):
        self.examples = examples

    def __len__(self):
        return len(self.examples)

    def __getitem__(self, i):
        return self.examples[i]


def collate(batch):
    """Chosen and rejected of each pair in one batch [2B, T]: one forward per step (what DDP expects)."""
    T = max(e['features'].shape[0] for e in batch)
    B = len(batch)
    feats = torch.zeros(2 * B, T, FEATURE_DIM)
    ids = torch.zeros(2 * B, T, dtype=torch.int64)
    mask = torch.zeros(2 * B, T, dtype=torch.bool)
    for i, e in enumerate(batch):
        n = e['features'].shape[0]
        for j, actions in ((i, e['chosen']), (B + i, e['rejected'])):
            feats[j, :n] = e['features']
            ids[j, :n] = actions
            mask[j, :n] = True
    margin = torch.tensor([e['margin'] for e in batch])
    return feats, ids, mask, margin


def bradley_terry(rewards, margin, use_margin):
    B = margin.shape[0]
    chosen, rejected = rewards[:B], rewards[B:]
    diff = chosen - rejected - (margin if use_margin else 0.0)
    loss = -F.logsigmoid(diff).mean() + CENTER_COEF * ((chosen + rejected) ** 2).mean()
    return loss, (chosen > rejected).float().sum()


def setup_distributed(backend):
    """(rank, world, device); torch.distributed only when started by torchrun (WORLD_SIZE set)."""
    world = int(os.environ.get('WORLD_SIZE', '1'))
    rank = int(os.environ.get('RANK', '0'))
    local = int(os.environ.get('LOCAL_RANK', '0'))
    cuda = torch.cuda.is_available() and backend != 'gloo'
    device = torch.device('cuda', local) if cuda else torch.device('cpu')
    if cuda:
        torch.cuda.set_device(device)
    if 'WORLD_SIZE' in os.environ:
        dist.init_process_group(backend=backend if backend != 'auto' else ('nccl' if cuda else 'gloo'))
    return rank, world, device


def all_sum(values, device):
    t = torch.tensor(values, dtype=torch.float64, device=device)
    if dist.is_initialized():
        dist.all_reduce(t)
    return t.tolist()


def probe_batch(examples, count=4):
    """Chosen sequences from different songs (so padding is included) for comparing forwards across runtimes."""
    picked, songs = [], set()
    for e in examples:
        if id(e['features']) not in songs and len(picked) < count:
            songs.add(id(e['features']))
            picked.append(e)
    picked += [e for e in examples if all(e is not p for p in picked)][:count - len(picked)]
    feats, ids, mask, _ = collate(picked)
    B = len(picked)
    return feats[:B], ids[:B], mask[:B]


def add_metadata(path, config, feature_versions):
    try:
        import onnx
    except ImportError:
        print('onnx is not installed: the file has no editorbot.* metadata (the importer then tries head counts)',
              file=sys.stderr)
        return
    m = onnx.load(path)
    meta = {
        'editorbot.family': 'reward-transformer',
        'editorbot.d_model': config['d_model'], 'editorbot.layers': config['layers'],
        'editorbot.heads': config['heads'], 'editorbot.ff_dim': config['ff_dim'],
        'editorbot.max_beats': config['max_beats'], 'editorbot.norm': 'pre',
        'editorbot.producer': 'scripts/python/train_reward_ddp.py',
    }
    if len(feature_versions) == 1:
        meta['editorbot.feature_version'] = next(iter(feature_versions))
    for key, value in meta.items():
        entry = m.metadata_props.add()
        entry.key, entry.value = key, str(value)
    onnx.save(m, path)


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--prefs', required=True, help='preferences JSONL from `editorbot export --what preferences`')
    p.add_argument('--out', required=True, help='ONNX file to write (rank 0)')
    p.add_argument('--config', choices=sorted(PRESETS), default='default')
    p.add_argument('--epochs', type=int)
    p.add_argument('--lr', type=float)
    p.add_argument('--batch-size', type=int, default=16, help='pairs per process and step')
    p.add_argument('--seed', type=int, default=1)
    p.add_argument('--no-margin', action='store_true', help='ignore the exported margin column')
    p.add_argument('--backend', choices=['auto', 'nccl', 'gloo'], default='auto')
    p.add_argument('--report', help='JSON file with per-epoch metrics, replica check and a probe forward (rank 0)')
    args = p.parse_args()

    preset = PRESETS[args.config]
    config = preset['model']
    epochs = args.epochs or preset['epochs']
    lr = args.lr or preset['lr']
    rank, world, device = setup_distributed(args.backend)
    torch.manual_seed(args.seed)  # same initial weights everywhere; DDP also broadcasts rank 0's

    examples, feature_versions = read_preferences(args.prefs, config['max_beats'])
    if not examples:
        raise SystemExit(f'{args.prefs}: no verdicts with a winner to train on')
    sampler = DistributedSampler(Preferences(examples), num_replicas=world, rank=rank, shuffle=True,
                                 seed=args.seed) if world > 1 else None
    loader = DataLoader(Preferences(examples), batch_size=args.batch_size, sampler=sampler,
                        shuffle=sampler is None, collate_fn=collate,
                        generator=torch.Generator().manual_seed(args.seed))

    model = RewardTransformer(**config).to(device)
    net = DistributedDataParallel(model, device_ids=[device.index] if device.type == 'cuda' else None) \
        if dist.is_initialized() else model
    optim = torch.optim.AdamW(net.parameters(), lr=lr, weight_decay=WEIGHT_DECAY)
    total_steps = max(1, epochs * len(loader))
    warmup = max(1, int(0.1 * total_steps))

    def lr_at(step):  # linear warmup, cosine decay to 10%, as the app's trainer
        if step < warmup:
            return (step + 1) / warmup
        t = (step - warmup) / max(1, total_steps - warmup)
        return 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * t))

    sched = torch.optim.lr_scheduler.LambdaLR(optim, lr_at)
    history = []
    for epoch in range(epochs):
        if sampler is not None:
            sampler.set_epoch(epoch)
        net.train()
        started = time.time()
        loss_sum, correct, pairs = 0.0, 0.0, 0
        for feats, ids, mask, margin in loader:
            feats, ids, mask, margin = feats.to(device), ids.to(device), mask.to(device), margin.to(device)
            loss, right = bradley_terry(net(feats, ids, mask), margin, not args.no_margin)
            optim.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(net.parameters(), MAX_GRAD_NORM)
            optim.step()
            sched.step()
            loss_sum += loss.item() * margin.shape[0]
            correct += right.item()
            pairs += margin.shape[0]
        loss_sum, correct, pairs = all_sum([loss_sum, correct, pairs], device)
        entry = dict(epoch=epoch + 1, loss=loss_sum / pairs, accuracy=correct / pairs, pairs=int(pairs),
                     seconds=round(time.time() - started, 3))
        history.append(entry)
        if rank == 0:
            print(json.dumps(entry), flush=True)

    # DDP keeps replicas identical; check it rather than assume it.
    checksum = torch.tensor([sum(p.detach().double().sum().item() for p in model.parameters())],
                            dtype=torch.float64, device=device)
    sums = [torch.zeros_like(checksum) for _ in range(world)]
    if dist.is_initialized():
        dist.all_gather(sums, checksum)
    else:
        sums = [checksum]
    in_sync = max(abs(s.item() - sums[0].item()) for s in sums) == 0.0

    if rank == 0:
        cpu_model = model.to('cpu').eval()
        export_reward_onnx(cpu_model, args.out)
        add_metadata(args.out, config, feature_versions)
        if args.report:
            feats, ids, mask = probe_batch(examples)
            with torch.no_grad():
                reward = cpu_model(feats, ids, mask)
            with open(args.report, 'w') as f:
                json.dump(dict(
                    world_size=world, backend=dist.get_backend() if dist.is_initialized() else None,
                    device=device.type, config=config, epochs=history, replicas_in_sync=in_sync,
                    param_count=sum(p.numel() for p in model.parameters()),
                    examples=len(examples), torch=torch.__version__,
                    probe=dict(batch=int(feats.shape[0]), beats=int(feats.shape[1]),
                               beat_features=feats.reshape(-1).tolist(), action_ids=ids.reshape(-1).tolist(),
                               mask=[int(v) for v in mask.reshape(-1).tolist()], reward=reward.tolist()),
                ), f)
        print(f'wrote {args.out} ({sum(p.numel() for p in model.parameters())} parameters, '
              f'{world} process(es), replicas in sync: {in_sync})', flush=True)
    if dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()
    if not in_sync:
        raise SystemExit('replicas diverged: their weights differ after training')


if __name__ == '__main__':
    main()
