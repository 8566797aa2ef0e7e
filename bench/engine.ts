/**
 * `editorbot bench engine`: timings of the ML engine with the users' model shapes, per training
 * backend available, next to the PyTorch peer (scripts/python/bench_engine_torch.py) when Debian's
 * python3-torch is installed. Prints lines through `log` and returns the figures.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join, resolve, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as tf from '../src/main/engines/ml/tf'
import { initComputeBackend, useTrainingBackend, availableTrainingBackends } from '../src/main/engines/ml/backend'
import {
  RewardModel,
  V8_REWARD_CONFIG,
  randomRewardInputs,
  rewardTrainStep,
  createRewardOptimizer,
  disposeInputs,
  rewardParamSpecs
} from '../src/main/engines/ml/reward-model'
import { paramCount } from '../src/main/engines/ml/params'
import { PolicyValueNets, OBS_DIM } from '../src/main/engines/ml/policy-nets'
import { ppoUpdate, createPpoOptimizer, randomPpoBatch } from '../src/main/engines/ml/ppo'
import { rewardOnnxBytes, mlpOnnxBytes } from '../src/main/engines/ml/onnx-export'
import { OrtSession, scoreRewardBatch, tensor, type RewardBatch } from '../src/main/engines/ml/onnx-runtime'
import { Rng } from '../src/main/engines/ml/rng'

/** Reference figures (issue 6): PyTorch 1.13 CPU on the 2-core reference machine. */
export const BENCH_REFERENCE = {
  rewardTrainMsPerSeq: 253,
  rewardInferSeqPerS: 16.8,
  ppoUpdateS: 7.3,
  policyForwardUs: 182,
  ortOnTorchExportSeqPerS: 37.9
}
export const BENCH_TARGETS = {
  rewardInferSeqPerS: 38,
  rewardTrainMsPerSeq: 253,
  rewardTrainMsPerSeqMax: 380,
  ppoUpdateS: 7.3,
  ppoUpdateSMax: 11
}

const PAIRS = 4
const BEATS = 500

type Log = (l: string) => void

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] ?? NaN
}

function fmt(x: number, digits = 1): string {
  return Number.isFinite(x) ? x.toFixed(digits) : 'n/a'
}

async function benchRewardTrain(steps: number): Promise<{ best: number; median: number }> {
  const model = RewardModel.create(V8_REWARD_CONFIG, 1)
  const opt = createRewardOptimizer()
  const batch = { chosen: randomRewardInputs(PAIRS, BEATS, 2), rejected: randomRewardInputs(PAIRS, BEATS, 3) }
  const times: number[] = []
  try {
    for (let i = 0; i <= steps; i++) {
      const t0 = performance.now()
      rewardTrainStep(model, opt, batch)
      if (i > 0) times.push((performance.now() - t0) / (2 * PAIRS))
      await new Promise<void>((r) => setImmediate(r))
    }
  } finally {
    disposeInputs(batch.chosen)
    disposeInputs(batch.rejected)
    model.dispose()
  }
  return { best: Math.min(...times), median: median(times) }
}

async function benchPpo(epochs: number): Promise<number> {
  const nets = PolicyValueNets.create(7)
  const opt = createPpoOptimizer()
  const batch = randomPpoBatch(2048, 11)
  try {
    // warm the kernels/sessions on one minibatch-sized update
    ppoUpdate(nets, createPpoOptimizer(), { ...randomPpoBatch(64, 1) }, { epochs: 1 })
    const t0 = performance.now()
    ppoUpdate(nets, opt, batch, { epochs, minibatch: 64, seed: 3 })
    return ((performance.now() - t0) / 1000) * (10 / epochs)
  } finally {
    nets.dispose()
  }
}

function benchPolicyForwardTfjs(reps: number): number {
  const nets = PolicyValueNets.create(5)
  const x = tf.tensor2d(new Rng(1).fillNormal(OBS_DIM, 1), [1, OBS_DIM])
  const ts: number[] = []
  try {
    for (let i = 0; i < reps + 20; i++) {
      const t0 = performance.now()
      const y = nets.policy.apply(x)
      y.dataSync()
      y.dispose()
      if (i >= 20) ts.push((performance.now() - t0) * 1000)
    }
  } finally {
    x.dispose()
    nets.dispose()
  }
  return median(ts)
}

function benchPolicyForwardOrt(reps: number): number {
  const nets = PolicyValueNets.create(5)
  const s = OrtSession.fromBytes(mlpOnnxBytes('policy', nets.policy.sizes, nets.policy.getWeights()))
  nets.dispose()
  const x = new Rng(1).fillNormal(OBS_DIM, 1)
  const ts: number[] = []
  try {
    for (let i = 0; i < reps + 20; i++) {
      const t0 = performance.now()
      s.runSync({ obs: tensor('float32', x, [1, OBS_DIM]) })
      if (i >= 20) ts.push((performance.now() - t0) * 1000)
    }
  } finally {
    s.dispose()
  }
  return median(ts)
}

function inferBatch(B: number): RewardBatch {
  const rng = new Rng(9)
  const ids = new Int32Array(B * BEATS)
  for (let i = 0; i < ids.length; i++) ids[i] = Math.floor(rng.next() * 9)
  return {
    features: rng.fillNormal(B * BEATS * 125, 1),
    actionIds: ids,
    mask: new Uint8Array(B * BEATS).fill(1),
    batch: B,
    beats: BEATS
  }
}

/**
 * Sequences/s of onnxruntime on a reward model, batches of 8 x 500 beats: the best batch
 * (least disturbed by other load on the machine) and the median.
 */
function benchOrtInference(session: OrtSession, reps: number): { best: number; median: number } {
  const b = inferBatch(8)
  scoreRewardBatch(session, b)
  const rates: number[] = []
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now()
    scoreRewardBatch(session, b)
    rates.push(8 / ((performance.now() - t0) / 1000))
  }
  return { best: Math.max(...rates), median: median(rates) }
}

function findPeerScript(): string | null {
  const here = dirname(fileURLToPath(import.meta.url))
  for (const c of [
    resolve(here, '../scripts/python/bench_engine_torch.py'),
    resolve(process.cwd(), 'scripts/python/bench_engine_torch.py')
  ]) {
    if (existsSync(c)) return c
  }
  return null
}

interface TorchFigures {
  rewardTrainMsPerSeq?: number
  rewardInferSeqPerS?: number
  ppoUpdateS?: number
  policyForwardUs?: number
  torch?: string
  params?: number
}

function runTorchPeer(quick: boolean, exportPath: string, log: Log): { figures: TorchFigures | null; note: string } {
  const python = process.env.EDITORBOT_PYTHON ?? '/usr/bin/python3'
  if (!existsSync(python)) return { figures: null, note: `${python} not found` }
  const probe = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' })
  if (probe.status !== 0) return { figures: null, note: `${python} has no torch (apt-get install python3-torch)` }
  const script = findPeerScript()
  if (script === null) return { figures: null, note: 'scripts/python/bench_engine_torch.py not found' }
  log('running the PyTorch peer (same shapes)...')
  const threads = String(cpus().length)
  const res = spawnSync(python, [script, ...(quick ? ['--quick'] : []), '--export-onnx', exportPath], {
    encoding: 'utf8',
    env: {
      ...process.env,
      OMP_NUM_THREADS: threads,
      OPENBLAS_NUM_THREADS: threads,
      MKL_NUM_THREADS: threads,
      // spin-waiting BLAS/OpenMP threads collapse when the machine is shared; sleep instead
      OMP_WAIT_POLICY: process.env.OMP_WAIT_POLICY ?? 'PASSIVE'
    },
    maxBuffer: 16 * 1024 * 1024
  })
  if (res.status !== 0)
    return { figures: null, note: `PyTorch peer failed: ${(res.stderr ?? '').split('\n').slice(-3).join(' ')}` }
  const line = (res.stdout ?? '').trim().split('\n').pop() ?? ''
  try {
    return { figures: JSON.parse(line) as TorchFigures, note: '' }
  } catch {
    return { figures: null, note: `PyTorch peer printed no JSON: ${line.slice(0, 200)}` }
  }
}

export async function benchEngine(opts: {
  log: (l: string) => void
  quick?: boolean
}): Promise<Record<string, unknown>> {
  const { log } = opts
  const quick = opts.quick ?? false
  const info = await initComputeBackend({ log })
  const initial = tf.getBackend()
  const result: Record<string, unknown> = {
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', node: process.version },
    backend: info,
    shapes: {
      reward: `125->${V8_REWARD_CONFIG.dModel}, ${V8_REWARD_CONFIG.layers} layers, ${V8_REWARD_CONFIG.heads} heads, ff ${V8_REWARD_CONFIG.ffDim}, ${BEATS} beats, batch ${PAIRS} pairs, AdamW`,
      ppo: '2048 samples x 10 epochs, minibatch 64, policy 889-256-256-9 tanh, value 889-256-256-1',
      rewardParams: paramCount(rewardParamSpecs(V8_REWARD_CONFIG))
    },
    reference: BENCH_REFERENCE,
    targets: BENCH_TARGETS
  }
  log(`ML engine benchmark (${quick ? 'quick' : 'full'}); training backend ${info.training}; ${info.inference}`)
  const perBackend: Record<string, Record<string, unknown>> = {}
  for (const name of availableTrainingBackends()) {
    if (!(await useTrainingBackend(name))) continue
    const r: Record<string, unknown> = {}
    log(`-- ${name}`)
    if (name === 'cpu') {
      // tfjs's JS matmul runs ~0.24 GFLOP/s: a v8 train step would take minutes. Forward only.
      r.rewardTrainMsPerSeq = 'skipped: plain JS kernels (~0.24 GFLOP/s) need minutes per step'
      r.ppoUpdateS = 'skipped: plain JS kernels'
    } else {
      const t = await benchRewardTrain(quick ? 2 : 4)
      r.rewardTrainMsPerSeq = t.median
      r.rewardTrainMsPerSeqBest = t.best
      log(`reward train step: median ${fmt(t.median)} ms/seq (best ${fmt(t.best)})`)
      const p = await benchPpo(quick ? 2 : 10)
      r.ppoUpdateS = p
      log(`PPO update: ${fmt(p, 2)} s${quick ? ' (2 epochs measured, scaled to 10)' : ''}`)
    }
    const f = benchPolicyForwardTfjs(quick ? 200 : 1000)
    r.policyForwardUs = f
    log(`policy forward (tfjs): ${fmt(f)} us`)
    perBackend[name] = r
  }
  await tf.setBackend(initial)
  result.tfjs = perBackend

  // inference: onnxruntime-node on our export of the v8 reward model
  const model = RewardModel.create(V8_REWARD_CONFIG, 1)
  const ours = OrtSession.fromBytes(rewardOnnxBytes(V8_REWARD_CONFIG, model.getWeights()))
  model.dispose()
  const inferStats = benchOrtInference(ours, quick ? 3 : 8)
  // Medians on both sides: the PyTorch peer reports its median too (compare like with like).
  const inferOurs = inferStats.median
  ours.dispose()
  const fwdOrt = benchPolicyForwardOrt(quick ? 500 : 3000)
  result.onnxruntime = {
    rewardInferSeqPerS: inferOurs,
    rewardInferSeqPerSBest: inferStats.best,
    policyForwardUs: fwdOrt
  }
  log(`reward inference (onnxruntime-node, our export): median ${fmt(inferOurs)} seq/s (best ${fmt(inferStats.best)})`)
  log(`policy forward (onnxruntime-node): ${fmt(fwdOrt)} us`)

  // PyTorch peer, same run
  const dir = mkdtempSync(join(tmpdir(), 'editorbot-bench-'))
  try {
    const torchOnnx = join(dir, 'torch_reward.onnx')
    const peer = runTorchPeer(quick, torchOnnx, log)
    if (peer.figures === null) {
      log(`PyTorch peer skipped: ${peer.note}`)
      result.torch = { skipped: peer.note }
    } else {
      const t = peer.figures
      const torchRes: Record<string, unknown> = { ...t }
      if (existsSync(torchOnnx)) {
        const s = OrtSession.fromFile(torchOnnx)
        const st = benchOrtInference(s, quick ? 3 : 8)
        torchRes.ortOnTorchExportSeqPerS = st.median
        torchRes.ortOnTorchExportSeqPerSBest = st.best
        s.dispose()
      }
      result.torch = torchRes
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }

  // side-by-side summary
  const main = perBackend[info.training] ?? perBackend['cpu+onnxruntime'] ?? {}
  const torch = (result.torch ?? {}) as TorchFigures & { ortOnTorchExportSeqPerS?: number }
  const num = (v: unknown): number => (typeof v === 'number' ? v : NaN)
  // [label, ours, pytorch, target text, higher is better, target value (NaN: none)]
  const rows: [string, number, number, string, boolean, number][] = [
    [
      'reward train ms/seq, median (lower better)',
      num(main.rewardTrainMsPerSeq),
      num(torch.rewardTrainMsPerSeq),
      `<= ${BENCH_TARGETS.rewardTrainMsPerSeq} (max ${BENCH_TARGETS.rewardTrainMsPerSeqMax})`,
      false,
      BENCH_TARGETS.rewardTrainMsPerSeq
    ],
    [
      'reward inference seq/s, median (higher better)',
      inferOurs,
      num(torch.rewardInferSeqPerS),
      `>= ${BENCH_TARGETS.rewardInferSeqPerS}`,
      true,
      BENCH_TARGETS.rewardInferSeqPerS
    ],
    [
      'PPO update s (lower better)',
      num(main.ppoUpdateS),
      num(torch.ppoUpdateS),
      `<= ${BENCH_TARGETS.ppoUpdateS} (max ${BENCH_TARGETS.ppoUpdateSMax})`,
      false,
      BENCH_TARGETS.ppoUpdateS
    ],
    [
      'policy forward us, tfjs, median (lower better)',
      num(main.policyForwardUs),
      num(torch.policyForwardUs),
      '',
      false,
      NaN
    ],
    ['policy forward us, onnxruntime, median (lower better)', fwdOrt, num(torch.policyForwardUs), '', false, NaN]
  ]
  const summary: Record<string, unknown> = {}
  log('')
  log(`${'metric'.padEnd(54)} ${'editorbot'.padStart(10)} ${'pytorch'.padStart(10)} ${'speedup'.padStart(8)}  target`)
  const misses: string[] = []
  for (const [label, ours2, theirs, target, higher, goal] of rows) {
    const speedup = higher ? ours2 / theirs : theirs / ours2
    // Every figure with a target is flagged when it misses it (or could not be measured).
    const missed = !Number.isNaN(goal) && !(higher ? ours2 >= goal : ours2 <= goal)
    if (missed) misses.push(label)
    summary[label] = { editorbot: ours2, pytorch: theirs, speedup, target, missed }
    log(
      `${label.padEnd(54)} ${fmt(ours2).padStart(10)} ${fmt(theirs).padStart(10)} ${(Number.isFinite(speedup) ? `${fmt(speedup, 2)}x` : 'n/a').padStart(8)}  ${target}${missed ? '  MISSED' : ''}`
    )
  }
  log(misses.length === 0 ? 'every target met' : `MISSED ${misses.length} target(s): ${misses.join('; ')}`)
  result.misses = misses
  if (torch.ortOnTorchExportSeqPerS !== undefined) {
    log(`onnxruntime-node on PyTorch's export: ${fmt(torch.ortOnTorchExportSeqPerS)} seq/s (ours ${fmt(inferOurs)})`)
  }
  result.summary = summary
  return result
}
