/**
 * RLHF PPO on the editing environment (docs/policy.md): rollouts of whole songs, reward =
 * w * learned + (1 - w) * dense (+ optional duration term) minus a per-beat KL penalty to a frozen
 * reference policy, computed exactly over the 9 masked actions (fixed coefficient, or the adaptive
 * controller of Ziegler et al.), GAE, whitened advantages, clipped surrogate with optional value
 * clipping, entropy bonus, grad-norm clipping, minibatches and epochs, early stop on approx_kl.
 * Every random draw comes from a stream seeded by (seed, update counter), so the state to resume is
 * counters, weights, optimiser moments, KL coefficient and the song cursor (snapshot()).
 */
import * as tf from '../tf'
import { ACTION_COUNT, ACTIONS } from '../../../../shared/actions'
import { checkObservationSizes, type EpisodeSong } from '../../policy'
import { ORT_BACKEND } from '../onnx-kernels'
import { createPpoOptimizer, whiten } from '../ppo'
import { Mlp, PolicyValueNets } from '../policy-nets'
import { Rng } from '../rng'
import type { AdamW } from '../optim'
import { klDivergence, maskedLogSoftmax, mixSeed } from './categorical'
import { FusedMaskedPpo, tfjsMaskedPpoStep, type MaskedMinibatch, type MinibatchStats } from './masked-ppo'
import {
  mixWeights,
  runEpisodes,
  type EpisodeResult,
  type LearnedReward,
  type PolicyForward,
  type RewardMix,
  type Rollout
} from './rollout'
import { arraysWithPrefix, optimizerArrays, optimizerFromArrays, type PackedState } from './training-state'
import { DEFAULT_PPO_TRAIN, type PolicyWeights, type PpoTrainConfig } from './train-config'

const A = ACTION_COUNT

export type Metrics = Record<string, number>

export interface PpoTrainerInit {
  config: PpoTrainConfig
  trainSongs: readonly EpisodeSong[]
  learned: LearnedReward | null
  /** Starting policy (a parent); a fresh network of config.policyHidden when absent. */
  initialPolicy?: PolicyWeights | null
  /** Frozen reference; the starting policy when absent. */
  reference?: PolicyWeights | null
}

interface Cursor {
  order: number[]
  pos: number
  pass: number
}

function mlpFrom(p: PolicyWeights): Mlp {
  return new Mlp(p.sizes, p.weights)
}

export class PpoTrainer {
  readonly config: PpoTrainConfig
  readonly nets: PolicyValueNets
  readonly reference: Mlp
  private readonly opt: AdamW
  private readonly songs: readonly EpisodeSong[]
  private readonly learned: LearnedReward | null
  update = 0
  envSteps = 0
  klCoef: number
  private cursor: Cursor = { order: [], pos: 0, pass: 0 }

  private constructor(init: PpoTrainerInit, nets: PolicyValueNets, reference: Mlp) {
    this.config = { ...DEFAULT_PPO_TRAIN, ...init.config }
    this.songs = init.trainSongs
    this.learned = init.learned
    this.nets = nets
    this.reference = reference
    this.klCoef = this.config.klCoef
    this.opt = createPpoOptimizer(this.config.lr, this.config.maxGradNorm)
    for (const [what, sizes] of [
      ['the policy', nets.policy.sizes],
      ['the reference policy', reference.sizes]
    ] as const) {
      checkObservationSizes({ observationDim: sizes[0] }, what)
      if (sizes[sizes.length - 1] !== A)
        throw new Error(`${what} has ${sizes[sizes.length - 1]} outputs, expected ${A} action logits`)
    }
    if (this.songs.length === 0) throw new Error('PPO needs at least one training song')
  }

  static create(init: PpoTrainerInit): PpoTrainer {
    const cfg = { ...DEFAULT_PPO_TRAIN, ...init.config }
    const policy = init.initialPolicy
      ? mlpFrom(init.initialPolicy)
      : Mlp.create([cfg.observationDim, ...cfg.policyHidden, A], cfg.seed, 0.01)
    const value = Mlp.create([policy.sizes[0]!, ...cfg.valueHidden, 1], cfg.seed + 1, 1)
    const reference = init.reference ? mlpFrom(init.reference) : new Mlp(policy.sizes, policy.getWeights())
    return new PpoTrainer(init, new PolicyValueNets(policy, value), reference)
  }

  /** Rebuilds a trainer from snapshot(): same weights, moments, counters, KL coefficient and cursor. */
  static restore(init: Omit<PpoTrainerInit, 'initialPolicy' | 'reference'>, state: PackedState): PpoTrainer {
    const m = state.meta as {
      update: number
      envSteps: number
      klCoef: number
      cursor: Cursor
      optStep: number
      policySizes: number[]
      valueSizes: number[]
    }
    const policy = new Mlp(m.policySizes, arraysWithPrefix(state.arrays, 'policy.'))
    const value = new Mlp(m.valueSizes, arraysWithPrefix(state.arrays, 'value.'))
    const reference = new Mlp(m.policySizes, arraysWithPrefix(state.arrays, 'ref.'))
    const t = new PpoTrainer(init, new PolicyValueNets(policy, value), reference)
    t.update = m.update
    t.envSteps = m.envSteps
    t.klCoef = m.klCoef
    t.cursor = { order: [...m.cursor.order], pos: m.cursor.pos, pass: m.cursor.pass }
    t.opt.setState(optimizerFromArrays(m.optStep, state.arrays))
    return t
  }

  snapshot(extra: Record<string, unknown> = {}): PackedState {
    const arrays = new Map<string, Float32Array>()
    for (const [prefix, mlp] of [
      ['policy.', this.nets.policy],
      ['value.', this.nets.value],
      ['ref.', this.reference]
    ] as const)
      for (const [k, a] of mlp.getWeights()) arrays.set(prefix + k, a)
    const optStep = optimizerArrays(this.opt.getState(), arrays)
    return {
      meta: {
        ...extra,
        algorithm: 'ppo',
        config: this.config,
        update: this.update,
        envSteps: this.envSteps,
        klCoef: this.klCoef,
        cursor: this.cursor,
        optStep,
        policySizes: this.nets.policy.sizes,
        valueSizes: this.nets.value.sizes,
        rewardModelId: this.learned?.id ?? null
      },
      arrays
    }
  }

  policyWeights(): PolicyWeights {
    return { sizes: this.nets.policy.sizes, weights: this.nets.policy.getWeights() }
  }

  private useFused(): boolean {
    const impl = this.config.impl
    return impl === 'fused' || (impl === 'auto' && tf.getBackend() === ORT_BACKEND)
  }

  private mix(): RewardMix {
    return {
      weight: this.config.rewardWeight,
      learned: this.learned,
      durationWeight: this.config.durationWeight,
      targetFraction: this.config.targetDurationFraction
    }
  }

  private tfjsForward(withValues: boolean): PolicyForward {
    return (obs, n) => {
      const x = tf.tensor2d(obs, [n, this.nets.policy.sizes[0]!])
      try {
        const logits = tf.tidy(() => this.nets.policy.apply(x))
        const values = withValues ? tf.tidy(() => this.nets.value.apply(x)) : null
        const out = {
          logits: Float32Array.from(logits.dataSync()),
          values: values === null ? null : Float32Array.from(values.dataSync())
        }
        tf.dispose(values === null ? [logits] : [logits, values])
        return out
      } finally {
        x.dispose()
      }
    }
  }

  private nextSongs(): EpisodeSong[] {
    const out: EpisodeSong[] = []
    for (let k = 0; k < this.config.episodesPerUpdate; k++) {
      const c = this.cursor
      if (c.pos >= c.order.length) {
        c.order = Array.from(new Rng(mixSeed(this.config.seed, c.pass, 7)).permutation(this.songs.length))
        c.pos = 0
        c.pass++
      }
      out.push(this.songs[c.order[c.pos++]!]!)
    }
    return out
  }

  /** Per-step reference log-probs for the rollout's observations (one batched forward). */
  private referenceKl(r: Rollout): Float64Array {
    const kl = new Float64Array(r.steps)
    const D = this.reference.sizes[0]!
    const lp = new Float64Array(A)
    const lq = new Float64Array(A)
    const chunk = 4096
    for (let s = 0; s < r.steps; s += chunk) {
      const n = Math.min(chunk, r.steps - s)
      const ref = tf.tidy(() =>
        Float32Array.from(this.reference.apply(tf.tensor2d(r.obs.subarray(s * D, (s + n) * D), [n, D])).dataSync())
      )
      for (let i = 0; i < n; i++) {
        maskedLogSoftmax(r.logits, r.masks, s + i, A, lp)
        maskedLogSoftmax(ref, r.masks.subarray(s * A), i, A, lq)
        kl[s + i] = klDivergence(lp, lq)
      }
    }
    return kl
  }

  /** One PPO iteration: rollouts on the next songs, rewards, GAE, the clipped update. */
  step(): Metrics {
    const cfg = this.config
    const t0 = performance.now()
    const fused = this.useFused() ? new FusedMaskedPpo(this.nets, this.opt) : null
    try {
      const forward: PolicyForward = fused ? (obs, n) => fused.forward(obs, n) : this.tfjsForward(true)
      const rng = new Rng(mixSeed(cfg.seed, this.update, 1))
      const r = runEpisodes(this.nextSongs(), forward, this.mix(), { rng, store: true })
      const kl = this.referenceKl(r)
      const w = mixWeights(this.mix())
      const rewards = new Float64Array(r.steps)
      const adv = new Float32Array(r.steps)
      const returns = new Float32Array(r.steps)
      let klSum = 0
      for (const ep of r.episodes) {
        const n = ep.actions.length
        for (let t = 0; t < n; t++) {
          const row = ep.offset + t
          rewards[row] = w.dense * ep.dense.perBeat[t]! - this.klCoef * kl[row]!
          klSum += kl[row]!
        }
        rewards[ep.offset + n - 1]! += w.learned * ep.learned + ep.duration
        let gae = 0
        for (let t = n - 1; t >= 0; t--) {
          const row = ep.offset + t
          const next = t === n - 1 ? 0 : r.values[row + 1]!
          const delta = rewards[row]! + cfg.gamma * next - r.values[row]!
          gae = delta + cfg.gamma * cfg.gaeLambda * gae
          adv[row] = gae
          returns[row] = gae + r.values[row]!
        }
      }
      const advUsed = cfg.whitenAdvantages ? whiten(adv) : adv
      const upd = this.optimise(r, advUsed, returns, fused)
      const meanKl = klSum / r.steps
      const klCoefUsed = this.klCoef
      if (cfg.klTarget !== null) {
        const err = Math.min(Math.max(meanKl / cfg.klTarget - 1, -0.2), 0.2)
        this.klCoef *= 1 + (err * r.steps) / cfg.klHorizon
      }
      this.update++
      this.envSteps += r.steps
      const seconds = (performance.now() - t0) / 1000
      const eps = r.episodes
      const mean = (f: (e: (typeof eps)[number]) => number): number => eps.reduce((a, e) => a + f(e), 0) / eps.length
      const hist = new Float64Array(A)
      for (let i = 0; i < r.steps; i++) hist[r.actions[i]!]! += 1 / r.steps
      const metrics: Metrics = {
        update: this.update,
        env_steps: this.envSteps,
        episodes: eps.length,
        reward_total: mean((e) => e.total),
        reward_dense: mean((e) => e.dense.total),
        reward_duration: mean((e) => e.duration),
        kl: meanKl,
        kl_coef: klCoefUsed,
        non_score_reward: -klCoefUsed * (klSum / eps.length),
        ...upd,
        explained_variance: explainedVariance(returns, r.values),
        env_steps_per_s: r.steps / seconds
      }
      if (this.learned !== null) metrics.reward_learned = mean((e) => e.learned)
      ACTIONS.forEach((name, a) => (metrics[`actions/${name}`] = hist[a]!))
      return metrics
    } finally {
      fused?.commit()
    }
  }

  private optimise(r: Rollout, adv: Float32Array, returns: Float32Array, fused: FusedMaskedPpo | null): Metrics {
    const cfg = this.config
    const D = this.nets.policy.sizes[0]!
    const rng = new Rng(mixSeed(cfg.seed, this.update, 2))
    const lossCfg = {
      clipRange: cfg.clipRange,
      clipRangeVf: cfg.clipRangeVf ?? undefined,
      vfCoef: cfg.vfCoef,
      entCoef: cfg.entCoef
    }
    const stopAbove = cfg.targetKl === null ? undefined : 1.5 * cfg.targetKl
    const sums = { approxKl: 0, clipFraction: 0, policyLoss: 0, valueLoss: 0, entropy: 0 }
    let count = 0
    let epochs = 0
    let stopped = false
    for (let epoch = 0; epoch < cfg.epochs && !stopped; epoch++) {
      const perm = rng.permutation(r.steps)
      for (let start = 0; start < r.steps; start += cfg.minibatch) {
        const n = Math.min(cfg.minibatch, r.steps - start)
        const mb = gatherMinibatch(r, adv, returns, perm, start, n, D)
        const stats: MinibatchStats | null = fused
          ? fused.step(mb, lossCfg, A, stopAbove)
          : tfjsMaskedPpoStep(this.nets, this.opt, mb, lossCfg, A, stopAbove)
        if (stats === null) {
          stopped = true
          break
        }
        for (const k of Object.keys(sums) as (keyof typeof sums)[]) sums[k] += stats[k]
        count++
      }
      epochs++
    }
    const k = Math.max(1, count)
    return {
      approx_kl: sums.approxKl / k,
      clip_fraction: sums.clipFraction / k,
      policy_loss: sums.policyLoss / k,
      value_loss: sums.valueLoss / k,
      entropy: sums.entropy / k,
      epochs_run: epochs,
      early_stopped: stopped ? 1 : 0
    }
  }

  /**
   * The policy's edits of `songs`, scored: sampled with `seed`, or greedy (the most probable allowed
   * action at every beat) without one. No state changes.
   */
  policyEpisodes(songs: readonly EpisodeSong[], seed?: number): EpisodeResult[] {
    const fused = this.useFused() ? new FusedMaskedPpo(this.nets, this.opt) : null
    const forward: PolicyForward = fused ? (obs, n) => fused.forward(obs, n) : this.tfjsForward(false)
    const rng = seed === undefined ? null : new Rng(seed)
    return runEpisodes(songs, forward, this.mix(), { rng, store: false }).episodes
  }

  /** Held-out evaluation: mean task, dense and learned reward of the greedy edits. */
  evaluate(songs: readonly EpisodeSong[]): Metrics {
    if (songs.length === 0) return {}
    const eps = this.policyEpisodes(songs)
    const mean = (f: (e: EpisodeResult) => number): number => eps.reduce((a, e) => a + f(e), 0) / eps.length
    const out: Metrics = { eval_reward_total: mean((e) => e.total), eval_reward_dense: mean((e) => e.dense.total) }
    if (this.learned !== null) out.eval_reward_learned = mean((e) => e.learned)
    return out
  }

  dispose(): void {
    this.nets.dispose()
    this.reference.dispose()
  }
}

function gatherMinibatch(
  r: Rollout,
  adv: Float32Array,
  returns: Float32Array,
  perm: Int32Array,
  start: number,
  n: number,
  D: number
): MaskedMinibatch {
  const mb: MaskedMinibatch = {
    n,
    obs: new Float32Array(n * D),
    masks: new Uint8Array(n * A),
    actions: new Int32Array(n),
    oldLogProbs: new Float32Array(n),
    advantages: new Float32Array(n),
    returns: new Float32Array(n),
    oldValues: new Float32Array(n)
  }
  for (let i = 0; i < n; i++) {
    const row = perm[start + i]!
    mb.obs.set(r.obs.subarray(row * D, (row + 1) * D), i * D)
    mb.masks.set(r.masks.subarray(row * A, (row + 1) * A), i * A)
    mb.actions[i] = r.actions[row]!
    mb.oldLogProbs[i] = r.logProbs[row]!
    mb.advantages[i] = adv[row]!
    mb.returns[i] = returns[row]!
    mb.oldValues[i] = r.values[row]!
  }
  return mb
}

/** 1 - Var(returns - values) / Var(returns) on the rollout (SB3's explained_variance). */
export function explainedVariance(y: Float32Array, pred: Float32Array): number {
  const n = y.length
  let my = 0
  let mr = 0
  for (let i = 0; i < n; i++) {
    my += y[i]!
    mr += y[i]! - pred[i]!
  }
  my /= n
  mr /= n
  let vy = 0
  let vr = 0
  for (let i = 0; i < n; i++) {
    vy += (y[i]! - my) ** 2
    vr += (y[i]! - pred[i]! - mr) ** 2
  }
  return vy === 0 ? 0 : 1 - vr / vy
}
