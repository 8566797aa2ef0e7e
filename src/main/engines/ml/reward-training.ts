/**
 * The reward-model training loop (pure: sequences and pairs in, weights out; no database, no files).
 *
 * Bradley-Terry on (chosen, rejected) pairs with soft targets (ties 0.5), an optional per-pair margin
 * (TRL's margin column; here from the verdict's strength) and TRL's reward-centering term; AdamW with
 * linear warm-up and cosine decay, global-norm clipping; early stopping on validation loss, keeping
 * the best epoch's weights; an optional ensemble of K members (member 0 on the training pairs, the
 * others on bootstrap resamples, Christiano 2017) whose spread is the model's uncertainty; optional
 * distillation of a parent the app cannot load as weights (regress its scores, then fine-tune).
 *
 * Deterministic in the seed: every random choice (initial weights, bootstrap, each epoch's order)
 * comes from a generator seeded by (seed, member, epoch), so a run resumed from a checkpoint taken
 * after any epoch ends with exactly the weights of an uninterrupted run.
 */
import * as tf from './tf'
import { FEATURE_DIM } from '../../../shared/features'
import { AppFailure } from '../../../shared/result'
import type { AdamW } from './optim'
import { Rng } from './rng'
import {
  RewardModel,
  createRewardOptimizer,
  disposeInputs,
  initRewardWeights,
  rewardTrainStep,
  type RewardInputs
} from './reward-model'
import { pairLogLoss } from './reward-metrics'
import {
  learningRateAt,
  mixSeed,
  type EpochReport,
  type PreferencePair,
  type RewardSequence,
  type RewardTrainConfig,
  type RewardTrainData,
  type TrainerCheckpoint
} from './reward-train-config'

// The run's configuration, reports and checkpoint, for callers of the trainer.
export * from './reward-train-config'

/** Sequences as one padded batch: features [B,T,F], ids [B,T], mask [B,T] (T = longest, capped). */
export function sequenceBatch(
  seqs: readonly RewardSequence[],
  idx: readonly number[],
  maxBeats: number,
  T?: number
): RewardInputs {
  const len = idx.map((i) => Math.min(seqs[i]!.beats, maxBeats))
  const beats = T ?? Math.max(1, ...len)
  const B = idx.length
  const features = new Float32Array(B * beats * FEATURE_DIM)
  const ids = new Int32Array(B * beats)
  const mask = new Float32Array(B * beats)
  idx.forEach((i, b) => {
    const s = seqs[i]!
    const n = len[b]!
    features.set(s.features.subarray(0, n * FEATURE_DIM), b * beats * FEATURE_DIM)
    for (let t = 0; t < n; t++) {
      ids[b * beats + t] = s.actions[t]!
      mask[b * beats + t] = 1
    }
  })
  return {
    features: tf.tensor(features, [B, beats, FEATURE_DIM], 'float32'),
    actionIds: tf.tensor(ids, [B, beats], 'int32'),
    mask: tf.tensor(mask, [B, beats], 'float32')
  }
}

/** Rewards of some sequences under a tfjs model (no gradients), in batches. */
export function scoreWithModel(
  model: RewardModel,
  seqs: readonly RewardSequence[],
  idx: readonly number[],
  batch = 16
): Float32Array {
  const out = new Float32Array(idx.length)
  for (let s = 0; s < idx.length; s += batch) {
    const part = idx.slice(s, s + batch)
    const inp = sequenceBatch(seqs, part, model.config.maxBeats)
    try {
      const r = model.apply(inp)
      out.set(r.dataSync(), s)
      r.dispose()
    } finally {
      disposeInputs(inp)
    }
  }
  return out
}

function copyWeights(w: ReadonlyMap<string, Float32Array>): Map<string, Float32Array> {
  return new Map([...w].map(([k, v]) => [k, Float32Array.from(v)]))
}

/** Runs before every optimiser step with the epoch's mean loss so far; throw in it to stop. */
export type StepHook = (step: number, stepsInEpoch: number, meanLoss: number | null) => void

export class RewardTrainer {
  readonly config: RewardTrainConfig
  private readonly data: RewardTrainData
  private state: TrainerCheckpoint
  private model: RewardModel
  private opt: AdamW

  constructor(
    data: RewardTrainData,
    config: RewardTrainConfig,
    opts: { initial?: Map<string, Float32Array>; checkpoint?: TrainerCheckpoint } = {}
  ) {
    if (data.train.length === 0)
      throw new AppFailure('validation', 'no training pairs: judge some pairs first', 'verdicts')
    if (config.ensemble < 1 || !Number.isInteger(config.ensemble))
      throw new AppFailure('validation', 'ensemble must be a positive integer', 'ensemble')
    this.config = config
    this.data = data
    const distill = (data.distill?.indices.length ?? 0) > 0 && config.distillEpochs > 0
    this.state = opts.checkpoint ?? {
      phase: distill ? 'distill' : 'train',
      member: 0,
      epoch: 0,
      sinceBest: 0,
      bestValLoss: Infinity,
      history: [],
      optimizer: { step: 0, m: {}, v: {} },
      weights: opts.initial ? copyWeights(opts.initial) : initRewardWeights(config.model, mixSeed(config.seed, 0)),
      best: null,
      start: opts.initial ? copyWeights(opts.initial) : null,
      finished: []
    }
    this.model = new RewardModel(config.model, this.state.weights)
    this.opt = this.newOptimizer()
    this.opt.setState(this.state.optimizer)
  }

  private newOptimizer(): AdamW {
    const c = this.config
    return createRewardOptimizer({ lr: c.lr, weightDecay: c.weightDecay, maxGradNorm: c.maxGradNorm })
  }

  get done(): boolean {
    return this.state.member >= this.config.ensemble
  }

  get history(): readonly EpochReport[] {
    return this.state.history
  }

  /** Epochs in the whole run (for progress); early stopping can end it sooner. */
  get plannedEpochs(): number {
    const distills = (this.data.distill?.indices.length ?? 0) > 0 ? this.config.distillEpochs : 0
    return distills + this.config.epochs * this.config.ensemble
  }

  private memberPairs(): PreferencePair[] {
    const { train } = this.data
    if (this.state.member === 0) return [...train]
    const rng = new Rng(mixSeed(this.config.seed, this.state.member, 0xb007))
    return Array.from({ length: train.length }, () => train[Math.floor(rng.next() * train.length)]!)
  }

  private stepsPerEpoch(n: number): number {
    return Math.ceil(n / this.config.batchSize)
  }

  /**
   * Runs one epoch of the current phase and member. `beforeStep` runs before every optimiser step
   * (throw there to stop: the trainer is then only good for discarding; resume from the last checkpoint).
   */
  runEpoch(beforeStep: StepHook = () => {}): EpochReport {
    if (this.done) throw new AppFailure('conflict', 'training is already finished')
    const t0 = Date.now()
    const report = this.state.phase === 'distill' ? this.distillEpoch(beforeStep) : this.trainEpoch(beforeStep)
    report.seconds = (Date.now() - t0) / 1000
    this.state.history.push(report)
    this.afterEpoch(report)
    return report
  }

  private trainEpoch(beforeStep: StepHook): EpochReport {
    const c = this.config
    const pairs = this.memberPairs()
    const order = new Rng(mixSeed(c.seed, this.state.member, this.state.epoch + 1)).permutation(pairs.length)
    const steps = this.stepsPerEpoch(pairs.length)
    const total = steps * c.epochs
    let lossSum = 0
    let accSum = 0
    let lr = c.lr
    for (let s = 0; s < steps; s++) {
      beforeStep(s, steps, s > 0 ? lossSum / s : null)
      const batch = Array.from(order.subarray(s * c.batchSize, (s + 1) * c.batchSize), (i) => pairs[i]!)
      lr = learningRateAt(c, this.opt.step, total)
      this.opt.setLearningRate(lr)
      const r = this.pairStep(batch)
      lossSum += r.loss
      accSum += r.accuracy
    }
    const val = this.validate()
    return {
      phase: 'train',
      member: this.state.member,
      epoch: this.state.epoch + 1,
      steps,
      trainLoss: lossSum / steps,
      trainAccuracy: accSum / steps,
      valLoss: val?.loss ?? null,
      valAccuracy: val?.accuracy ?? null,
      lr,
      seconds: 0
    }
  }

  private pairStep(batch: readonly PreferencePair[]): { loss: number; accuracy: number } {
    const seqs = this.data.sequences
    const maxBeats = this.config.model.maxBeats
    const T = Math.max(
      1,
      ...batch.flatMap((p) => [p.chosen, p.rejected].map((i) => Math.min(seqs[i]!.beats, maxBeats)))
    )
    const chosen = sequenceBatch(
      seqs,
      batch.map((p) => p.chosen),
      maxBeats,
      T
    )
    const rejected = sequenceBatch(
      seqs,
      batch.map((p) => p.rejected),
      maxBeats,
      T
    )
    const target = tf.tensor1d(
      batch.map((p) => p.target),
      'float32'
    )
    const anyMargin = batch.some((p) => p.margin !== 0)
    const margin = anyMargin
      ? tf.tensor1d(
          batch.map((p) => p.margin),
          'float32'
        )
      : undefined
    try {
      const r = rewardTrainStep(
        this.model,
        this.opt,
        { chosen, rejected, target, ...(margin ? { margin } : {}) },
        { centerCoef: this.config.centerCoef }
      )
      return { loss: r.loss, accuracy: r.accuracy }
    } finally {
      disposeInputs(chosen)
      disposeInputs(rejected)
      target.dispose()
      margin?.dispose()
    }
  }

  private distillEpoch(beforeStep: StepHook): EpochReport {
    const c = this.config
    const d = this.data.distill!
    const order = new Rng(mixSeed(c.seed, 0xd157, this.state.epoch + 1)).permutation(d.indices.length)
    const steps = this.stepsPerEpoch(d.indices.length)
    const total = steps * c.distillEpochs
    let lossSum = 0
    let lr = c.lr
    for (let s = 0; s < steps; s++) {
      beforeStep(s, steps, s > 0 ? lossSum / s : null)
      const pick = Array.from(order.subarray(s * c.batchSize, (s + 1) * c.batchSize))
      lr = learningRateAt(c, this.opt.step, total)
      this.opt.setLearningRate(lr)
      lossSum += this.regressStep(
        pick.map((i) => d.indices[i]!),
        Float32Array.from(pick, (i) => d.targets[i]!)
      )
    }
    const fit = this.distillFit()
    return {
      phase: 'distill',
      member: 0,
      epoch: this.state.epoch + 1,
      steps,
      trainLoss: lossSum / steps,
      trainAccuracy: fit.correlation,
      valLoss: fit.rmse,
      valAccuracy: null,
      lr,
      seconds: 0
    }
  }

  /** One AdamW step on mean squared error to the parent's scores. */
  private regressStep(idx: number[], targets: Float32Array): number {
    const inp = sequenceBatch(this.data.sequences, idx, this.config.model.maxBeats)
    const y = tf.tensor1d(targets, 'float32')
    try {
      const { value, grads } = tf.variableGrads(
        () => tf.mean(tf.square(tf.sub(this.model.apply(inp), y))) as tf.Scalar,
        [...this.model.vars.values()]
      )
      const named: tf.NamedTensorMap = {}
      for (const [n, v] of this.model.vars) if (grads[v.name]) named[n] = grads[v.name]!
      const loss = value.dataSync()[0]!
      value.dispose()
      this.opt.apply(this.model.vars, named)
      return loss
    } finally {
      disposeInputs(inp)
      y.dispose()
    }
  }

  /** How closely the current weights reproduce the parent: Pearson correlation and RMSE over the distillation set. */
  distillFit(): { correlation: number; rmse: number } {
    const d = this.data.distill
    if (!d || d.indices.length === 0) return { correlation: NaN, rmse: NaN }
    const ours = scoreWithModel(this.model, this.data.sequences, d.indices)
    return fitOf(ours, d.targets)
  }

  /** Validation loss and accuracy (decisive pairs) of the current weights; null without validation pairs. */
  private validate(): { loss: number; accuracy: number | null } | null {
    const val = this.data.val
    if (val.length === 0) return null
    const idx = [...new Set(val.flatMap((p) => [p.chosen, p.rejected]))]
    const scores = scoreWithModel(this.model, this.data.sequences, idx)
    const at = new Map(idx.map((s, i) => [s, scores[i]!]))
    let loss = 0
    let correct = 0
    let decisive = 0
    for (const p of val) {
      const d = at.get(p.chosen)! - at.get(p.rejected)!
      loss += pairLogLoss(d - p.margin, p.target)
      if (p.target !== 0.5) {
        decisive++
        if (d > 0) correct++
      }
    }
    return { loss: loss / val.length, accuracy: decisive === 0 ? null : correct / decisive }
  }

  private afterEpoch(r: EpochReport): void {
    const s = this.state
    s.epoch++
    if (s.phase === 'distill') {
      if (s.epoch >= this.config.distillEpochs) {
        s.start = this.model.getWeights()
        this.beginMember(0, 'train')
      } else this.snapshot()
      return
    }
    const valLoss = r.valLoss ?? r.trainLoss
    if (valLoss < s.bestValLoss - 1e-9) {
      s.bestValLoss = valLoss
      s.best = this.model.getWeights()
      s.sinceBest = 0
    } else s.sinceBest++
    const stop = s.epoch >= this.config.epochs || s.sinceBest >= this.config.patience
    if (stop) {
      s.finished.push(s.best ?? this.model.getWeights())
      this.beginMember(s.member + 1, 'train')
    } else this.snapshot()
  }

  private snapshot(): void {
    this.state.weights = this.model.getWeights()
    this.state.optimizer = this.opt.getState()
  }

  private beginMember(member: number, phase: 'train'): void {
    const s = this.state
    s.phase = phase
    s.member = member
    s.epoch = 0
    s.sinceBest = 0
    s.bestValLoss = Infinity
    s.best = null
    this.model.dispose()
    this.opt.dispose()
    this.opt = this.newOptimizer()
    s.optimizer = this.opt.getState()
    if (member >= this.config.ensemble) {
      s.weights = new Map()
      this.model = new RewardModel(this.config.model, s.finished[0]!)
      return
    }
    s.weights = s.start ? copyWeights(s.start) : initRewardWeights(this.config.model, mixSeed(this.config.seed, member))
    this.model = new RewardModel(this.config.model, s.weights)
  }

  /** The state after the last completed epoch (weights are copies). */
  checkpoint(): TrainerCheckpoint {
    return { ...this.state, history: [...this.state.history], finished: [...this.state.finished] }
  }

  /** Final weights of every member (member 0 first); only when done. */
  members(): Map<string, Float32Array>[] {
    if (!this.done) throw new AppFailure('conflict', 'training has not finished')
    return this.state.finished
  }

  /** The current tfjs model (member 0's final model once done). */
  get currentModel(): RewardModel {
    return this.model
  }

  dispose(): void {
    this.model.dispose()
    this.opt.dispose()
  }
}

export function fitOf(ours: ArrayLike<number>, theirs: ArrayLike<number>): { correlation: number; rmse: number } {
  const n = ours.length
  let ma = 0
  let mb = 0
  for (let i = 0; i < n; i++) {
    ma += ours[i]!
    mb += theirs[i]!
  }
  ma /= n
  mb /= n
  let sab = 0
  let saa = 0
  let sbb = 0
  let se = 0
  for (let i = 0; i < n; i++) {
    const a = ours[i]! - ma
    const b = theirs[i]! - mb
    sab += a * b
    saa += a * a
    sbb += b * b
    se += (ours[i]! - theirs[i]!) ** 2
  }
  return { correlation: saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : 0, rmse: Math.sqrt(se / n) }
}
