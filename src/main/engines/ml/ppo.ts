/**
 * The PPO clipped update of the policy and value nets (Stable-Baselines3 semantics: per-minibatch
 * advantage whitening, optional value clipping, entropy bonus, global grad-norm clip, optional
 * target-KL early stop), through tfjs ops or the fused onnxruntime path of ppo-fused.ts.
 */
import * as tf from './tf'
import { ACTION_COUNT } from '../../../shared/actions'
import { AppFailure } from '../../../shared/result'
import { Rng } from './rng'
import { AdamW } from './optim'
import { gradsByParam } from './params'
import { ORT_BACKEND } from './onnx-kernels'
import { WasmAdamArena, wasmAdamAvailable } from './adam-wasm'
import { mlpPairForward, mlpPairBackward, pairLayout, ppoLossGrad, type MlpArrays, type PackedParam } from './ppo-fused'
import { OBS_DIM, type PolicyValueNets } from './policy-nets'

/** Rollout data for one PPO update; N samples. */
export interface PpoBatch {
  /** [N * obsDim] */
  obs: Float32Array
  /** [N] action ids */
  actions: Int32Array
  /** [N] log pi_old(a|s) */
  logProbs: Float32Array
  /** [N] (GAE) advantages */
  advantages: Float32Array
  /** [N] value targets */
  returns: Float32Array
  /** [N] V_old(s), needed only for value clipping */
  values?: Float32Array
}

export interface PpoConfig {
  epochs: number
  minibatch: number
  clipRange: number
  /** Value clipping range (undefined: no value clipping). */
  clipRangeVf?: number
  vfCoef: number
  entCoef: number
  maxGradNorm: number
  normalizeAdvantage: boolean
  /** Stop the update early when approx KL > 1.5 * targetKl (SB3). */
  targetKl?: number
  seed: number
  /**
   * 'auto' (default): the fused onnxruntime path (ppo-fused.ts) on the cpu-ort backend, tfjs ops
   * elsewhere. 'tfjs': always tfjs ops (the reference). 'fused': always the fused path.
   */
  impl?: 'auto' | 'tfjs' | 'fused'
}

export const DEFAULT_PPO: PpoConfig = {
  epochs: 10,
  minibatch: 64,
  clipRange: 0.2,
  vfCoef: 0.5,
  entCoef: 0.01,
  maxGradNorm: 0.5,
  normalizeAdvantage: true,
  seed: 0
}

export interface PpoStats {
  policyLoss: number
  valueLoss: number
  entropy: number
  approxKl: number
  clipFraction: number
  explainedVariance: number
  epochsRun: number
  minibatches: number
  earlyStopped: boolean
}

export function createPpoOptimizer(lr = 3e-4, maxGradNorm = DEFAULT_PPO.maxGradNorm): AdamW {
  return new AdamW({ lr, weightDecay: 0, eps: 1e-5, maxGradNorm })
}

function gatherRows(src: Float32Array, idx: Int32Array, start: number, n: number, width: number): Float32Array {
  const out = new Float32Array(n * width)
  for (let i = 0; i < n; i++) {
    const r = idx[start + i]!
    out.set(src.subarray(r * width, (r + 1) * width), i * width)
  }
  return out
}

function gather1(src: Float32Array, idx: Int32Array, start: number, n: number): Float32Array {
  const out = new Float32Array(n)
  for (let i = 0; i < n; i++) out[i] = src[idx[start + i]!]!
  return out
}

interface Minibatch {
  n: number
  obs: Float32Array
  actions: Int32Array
  oldLogProbs: Float32Array
  advantages: Float32Array
  returns: Float32Array
  oldValues: Float32Array | null
}

interface MinibatchStats {
  kl: number
  clip: number
  pl: number
  vl: number
  ent: number
}

/**
 * One minibatch's loss gradients through tfjs ops (the reference path). Returns null after an
 * early stop (stats.kl too high; nothing applied).
 */
function tfjsMinibatchStep(
  nets: PolicyValueNets,
  opt: AdamW,
  mb: Minibatch,
  cfg: PpoConfig,
  A: number
): { stats: MinibatchStats; stopped: boolean } {
  const n = mb.n
  const D = nets.policy.sizes[0]!
  const obsT = tf.tensor2d(mb.obs, [n, D])
  const actT = tf.tidy(() => tf.oneHot(tf.tensor1d(mb.actions, 'int32'), A, 1, 0, 'float32'))
  const oldLp = tf.tensor1d(mb.oldLogProbs)
  const advT = tf.tensor1d(mb.advantages)
  const retT = tf.tensor1d(mb.returns)
  const oldV = mb.oldValues === null ? null : tf.tensor1d(mb.oldValues)
  let stats: MinibatchStats = { kl: 0, clip: 0, pl: 0, vl: 0, ent: 0 }
  const { value, grads } = tf.variableGrads(() => {
    const logits = nets.policy.apply(obsT)
    const logpAll = tf.logSoftmax(logits)
    const logp = tf.sum(tf.mul(logpAll, actT), 1)
    const logRatio = tf.sub(logp, oldLp)
    const ratio = tf.exp(logRatio)
    const s1 = tf.mul(ratio, advT)
    const s2 = tf.mul(tf.clipByValue(ratio, 1 - cfg.clipRange, 1 + cfg.clipRange), advT)
    const pl = tf.neg(tf.mean(tf.minimum(s1, s2)))
    const v = tf.reshape(nets.value.apply(obsT), [n])
    let vl: tf.Tensor
    if (cfg.clipRangeVf !== undefined && oldV !== null) {
      const vc = tf.add(oldV, tf.clipByValue(tf.sub(v, oldV), -cfg.clipRangeVf, cfg.clipRangeVf))
      vl = tf.mean(tf.maximum(tf.square(tf.sub(retT, v)), tf.square(tf.sub(retT, vc))))
    } else {
      vl = tf.mean(tf.square(tf.sub(retT, v)))
    }
    const ent = tf.neg(tf.mean(tf.sum(tf.mul(tf.exp(logpAll), logpAll), 1)))
    const loss = tf.add(tf.add(pl, tf.mul(cfg.vfCoef, vl)), tf.mul(-cfg.entCoef, ent))
    // diagnostics (SB3): approx_kl = mean((r - 1) - log r), clip fraction |r - 1| > eps
    const kl = tf.mean(tf.sub(tf.sub(ratio, 1), logRatio))
    const cf = tf.mean(tf.cast(tf.greater(tf.abs(tf.sub(ratio, 1)), cfg.clipRange), 'float32'))
    const diag = tf.stack([kl, cf, pl, vl, ent]).dataSync()
    stats = { kl: diag[0]!, clip: diag[1]!, pl: diag[2]!, vl: diag[3]!, ent: diag[4]! }
    return loss as tf.Scalar
  }, [...nets.vars.values()])
  value.dispose()
  tf.dispose([obsT, actT, oldLp, advT, retT])
  if (oldV !== null) oldV.dispose()
  if (cfg.targetKl !== undefined && stats.kl > 1.5 * cfg.targetKl) {
    tf.dispose(Object.values(grads))
    return { stats, stopped: true }
  }
  opt.apply(nets.vars, gradsByParam(nets.vars, grads))
  return { stats, stopped: false }
}

/**
 * The fused path's state: both nets' weights as Float32Arrays (in the WebAssembly arena of
 * adam-wasm.ts when SIMD is available, with the optimizer's moments beside them). One minibatch
 * step = onnxruntime forward of both nets, JS loss gradient, onnxruntime backward of both nets,
 * AdamW. commit() writes the weights back to the tfjs variables and the moments to the optimizer.
 */
class FusedPpo {
  private readonly layout: PackedParam[]
  private readonly arena: WasmAdamArena | null
  private readonly values: Float32Array[]
  private readonly shrink: number[]
  private readonly p: MlpArrays
  private readonly v: MlpArrays

  constructor(
    private readonly nets: PolicyValueNets,
    private readonly opt: AdamW
  ) {
    this.layout = pairLayout(nets.policy.sizes, nets.value.sizes)
    this.arena = wasmAdamAvailable() ? new WasmAdamArena(this.layout.map((l) => l.size)) : null
    this.values = this.layout.map((l, i) => {
      const v = nets.vars.get(l.name)
      if (v === undefined) throw new AppFailure('internal', `missing parameter ${l.name}`)
      const data = v.dataSync() as Float32Array
      if (this.arena === null) return Float32Array.from(data)
      this.arena.w[i]!.set(data)
      return this.arena.w[i]!
    })
    this.shrink = this.layout.map((l) => 1 - opt.cfg.lr * opt.decayOf(l.name, l.shape))
    if (this.arena !== null) {
      const { m, v } = opt.packMoments(this.layout)
      let o = 0
      this.layout.forEach((l, i) => {
        this.arena!.m[i]!.set(m.subarray(o, o + l.size))
        this.arena!.v[i]!.set(v.subarray(o, o + l.size))
        o += l.size
      })
    }
    const Lp = nets.policy.sizes.length - 1
    const half = (from: number, L: number, sizes: readonly number[]): MlpArrays => {
      const w: Float32Array[] = []
      const b: Float32Array[] = []
      for (let i = 0; i < L; i++) {
        w.push(this.values[from + 2 * i]!)
        b.push(this.values[from + 2 * i + 1]!)
      }
      return { sizes, w, b }
    }
    this.p = half(0, Lp, nets.policy.sizes)
    this.v = half(2 * Lp, nets.value.sizes.length - 1, nets.value.sizes)
  }

  step(mb: Minibatch, cfg: PpoConfig, A: number): { stats: MinibatchStats; stopped: boolean } {
    const fwd = mlpPairForward(this.p, this.v, mb.obs, mb.n)
    const { dLogits, dValues, stats } = ppoLossGrad({
      n: mb.n,
      A,
      logits: fwd.logits,
      values: fwd.values,
      actions: mb.actions,
      oldLogProbs: mb.oldLogProbs,
      advantages: mb.advantages,
      returns: mb.returns,
      oldValues: mb.oldValues,
      clipRange: cfg.clipRange,
      clipRangeVf: cfg.clipRangeVf,
      vfCoef: cfg.vfCoef,
      entCoef: cfg.entCoef
    })
    if (cfg.targetKl !== undefined && stats.kl > 1.5 * cfg.targetKl) return { stats, stopped: true }
    const g = mlpPairBackward(this.p, this.v, mb.obs, mb.n, fwd, dLogits, dValues)
    const grads: Float32Array[] = []
    for (const half of [g.p, g.v]) for (let i = 0; i < half.w.length; i++) grads.push(half.w[i]!, half.b[i]!)
    if (this.arena === null) {
      this.opt.applyArrays(
        this.layout.map((l, i) => ({ name: l.name, shape: l.shape, value: this.values[i]!, grad: grads[i]! }))
      )
    } else {
      grads.forEach((gr, i) => this.arena!.g[i]!.set(gr))
      const { stepSize, invBc2 } = this.opt.beginExternalStep()
      const c = this.opt.cfg
      const norm = Math.sqrt(g.sumSq)
      const clip = c.maxGradNorm > 0 && norm > c.maxGradNorm ? c.maxGradNorm / (norm + 1e-6) : 1
      this.arena.step({ clip, beta1: c.beta1, beta2: c.beta2, eps: c.eps, stepSize, invBc2 }, this.shrink)
    }
    return { stats, stopped: false }
  }

  /** Write the weights back into the tfjs variables (and the arena's moments into the optimizer). */
  commit(): void {
    this.layout.forEach((l, i) => {
      const v = this.nets.vars.get(l.name)!
      const data = this.values[i]!
      tf.tidy(() => v.assign(tf.tensor(data, v.shape, 'float32')))
    })
    if (this.arena !== null) {
      const total = this.layout.reduce((a, l) => a + l.size, 0)
      const m = new Float32Array(total)
      const v = new Float32Array(total)
      let o = 0
      this.layout.forEach((l, i) => {
        m.set(this.arena!.m[i]!, o)
        v.set(this.arena!.v[i]!, o)
        o += l.size
      })
      this.opt.unpackMoments(this.layout, m, v)
    }
  }
}

function useFused(cfg: PpoConfig): boolean {
  const impl = cfg.impl ?? 'auto'
  if (impl === 'auto') return tf.getBackend() === ORT_BACKEND
  return impl === 'fused'
}

/** PPO clipped update over `epochs` passes of shuffled minibatches. Deterministic in cfg.seed. */
export function ppoUpdate(
  nets: PolicyValueNets,
  opt: AdamW,
  batch: PpoBatch,
  config: Partial<PpoConfig> = {}
): PpoStats {
  const cfg: PpoConfig = { ...DEFAULT_PPO, ...config }
  const N = batch.actions.length
  const D = nets.policy.sizes[0]!
  const A = nets.policy.sizes[nets.policy.sizes.length - 1]!
  if (batch.obs.length !== N * D)
    throw new AppFailure('validation', `obs has ${batch.obs.length} values, expected ${N}x${D}`, 'obs')
  const rng = new Rng(cfg.seed)
  const sums = { pl: 0, vl: 0, ent: 0, kl: 0, clip: 0, n: 0 }
  let epochsRun = 0
  let earlyStopped = false
  const fused = useFused(cfg) ? new FusedPpo(nets, opt) : null
  try {
    for (let epoch = 0; epoch < cfg.epochs && !earlyStopped; epoch++) {
      const perm = rng.permutation(N)
      for (let start = 0; start < N; start += cfg.minibatch) {
        const n = Math.min(cfg.minibatch, N - start)
        const gathered = gather1(batch.advantages, perm, start, n)
        const adv = cfg.normalizeAdvantage ? whiten(gathered) : gathered
        const actions = new Int32Array(n)
        for (let i = 0; i < n; i++) actions[i] = batch.actions[perm[start + i]!]!
        const mb: Minibatch = {
          n,
          obs: gatherRows(batch.obs, perm, start, n, D),
          actions,
          oldLogProbs: gather1(batch.logProbs, perm, start, n),
          advantages: adv,
          returns: gather1(batch.returns, perm, start, n),
          oldValues: batch.values === undefined ? null : gather1(batch.values, perm, start, n)
        }
        const { stats, stopped } = fused === null ? tfjsMinibatchStep(nets, opt, mb, cfg, A) : fused.step(mb, cfg, A)
        if (stopped) {
          earlyStopped = true
          break
        }
        sums.pl += stats.pl
        sums.vl += stats.vl
        sums.ent += stats.ent
        sums.kl += stats.kl
        sums.clip += stats.clip
        sums.n++
      }
      epochsRun++
    }
  } finally {
    fused?.commit()
  }
  const k = Math.max(1, sums.n)
  return {
    policyLoss: sums.pl / k,
    valueLoss: sums.vl / k,
    entropy: sums.ent / k,
    approxKl: sums.kl / k,
    clipFraction: sums.clip / k,
    explainedVariance: explainedVariance(batch),
    epochsRun,
    minibatches: sums.n,
    earlyStopped
  }
}

/** 1 - Var(returns - V_old) / Var(returns), on the rollout's values (as SB3 reports it). */
function explainedVariance(batch: PpoBatch): number {
  const y = batch.returns
  const pred = batch.values
  if (pred === undefined) return NaN
  let my = 0
  for (const v of y) my += v
  my /= y.length
  let vy = 0
  let vr = 0
  let mr = 0
  for (let i = 0; i < y.length; i++) mr += y[i]! - pred[i]!
  mr /= y.length
  for (let i = 0; i < y.length; i++) {
    vy += (y[i]! - my) ** 2
    vr += (y[i]! - pred[i]! - mr) ** 2
  }
  return vy === 0 ? NaN : 1 - vr / vy
}

/** Synthetic rollout of the bench/test shape. */
export function randomPpoBatch(n: number, seed: number, obsDim = OBS_DIM): PpoBatch {
  const rng = new Rng(seed)
  const actions = new Int32Array(n)
  for (let i = 0; i < n; i++) actions[i] = Math.floor(rng.next() * ACTION_COUNT)
  const logProbs = new Float32Array(n).fill(Math.log(1 / ACTION_COUNT))
  return {
    obs: rng.fillNormal(n * obsDim, 1),
    actions,
    logProbs,
    advantages: rng.fillNormal(n, 1),
    returns: rng.fillNormal(n, 1),
    values: rng.fillNormal(n, 0.5)
  }
}

/** (x - mean) / (sample sd + 1e-8), as SB3 normalises a minibatch's advantages; fewer than 2 values pass through. */
export function whiten(x: Float32Array): Float32Array {
  const n = x.length
  if (n < 2) return x
  let m = 0
  for (const v of x) m += v
  m /= n
  let s = 0
  for (const v of x) s += (v - m) * (v - m)
  const sd = Math.sqrt(s / (n - 1))
  return x.map((v) => (v - m) / (sd + 1e-8))
}
