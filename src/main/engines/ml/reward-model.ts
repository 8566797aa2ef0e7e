/**
 * Reward transformer in tfjs: per-beat features [B,T,125] + action ids [B,T] + mask [B,T] ->
 * reward [B] in [-10, 10].
 *
 *   x = Linear(125->d)(features) + ActionEmbedding(ids) + PositionEmbedding(0..T-1)
 *   N encoder layers (pre-LN by default: x += MHA(LN(x)); x += FF(LN(x)), GELU; post-LN optional)
 *   final LN (pre-LN only), masked mean pool over real beats, head Linear(d->d) GELU Linear(d->1),
 *   reward = 10 * tanh(raw / 10).
 *
 * Parameter names are the PyTorch state_dict keys of the reference module in
 * scripts/python/reward_model.py; matrices are stored here as [in, out] (PyTorch keeps [out, in]).
 */
import * as tf from './tf'
import { FEATURE_DIM, MAX_BEATS } from '../../../shared/features'
import { ACTION_COUNT } from '../../../shared/actions'
import { AppFailure } from '../../../shared/result'
import { Rng } from './rng'
import { layerNorm, linear, selfAttention, softClamp } from './ops'
import { AdamW, type AdamWConfig } from './optim'
import { addVariables, disposeVariables, gradsByParam, paramCount, readWeights, type ParamSpec } from './params'

export const REWARD_BOUND = 10
export const MASK_NEG = -1e9

export interface RewardModelConfig {
  dModel: number
  layers: number
  heads: number
  ffDim: number
  maxBeats: number
  /** 'pre' (default): LayerNorm before attention/FF plus a final LN; 'post': original Transformer. */
  norm?: 'pre' | 'post'
  featureDim?: number
  actionCount?: number
}

/**
 * The app's default reward transformer (2,598,401 parameters). Not the users' real v8, which has
 * 2,630,273 parameters and unknown weight names: that one is distilled, not warm-started.
 */
export const V8_REWARD_CONFIG: RewardModelConfig = {
  dModel: 256,
  layers: 3,
  heads: 4,
  ffDim: 1024,
  maxBeats: MAX_BEATS,
  norm: 'pre'
}

export function rewardParamSpecs(c: RewardModelConfig): ParamSpec[] {
  const F = c.featureDim ?? FEATURE_DIM
  const A = c.actionCount ?? ACTION_COUNT
  const d = c.dModel
  const lin = (name: string, out: number, inp: number): ParamSpec[] => [
    { name: `${name}.weight`, torchShape: [out, inp], kind: 'linear' },
    { name: `${name}.bias`, torchShape: [out], kind: 'vector' }
  ]
  const ln = (name: string): ParamSpec[] => [
    { name: `${name}.weight`, torchShape: [d], kind: 'vector' },
    { name: `${name}.bias`, torchShape: [d], kind: 'vector' }
  ]
  const specs: ParamSpec[] = [
    ...lin('input_proj', d, F),
    { name: 'action_embed.weight', torchShape: [A, d], kind: 'embedding' },
    { name: 'pos_embed.weight', torchShape: [c.maxBeats, d], kind: 'embedding' }
  ]
  for (let i = 0; i < c.layers; i++) {
    const p = `layers.${i}`
    specs.push(
      ...ln(`${p}.norm1`),
      ...lin(`${p}.attn.in_proj`, 3 * d, d),
      ...lin(`${p}.attn.out_proj`, d, d),
      ...ln(`${p}.norm2`),
      ...lin(`${p}.ff1`, c.ffDim, d),
      ...lin(`${p}.ff2`, d, c.ffDim)
    )
  }
  if ((c.norm ?? 'pre') === 'pre') specs.push(...ln('norm_f'))
  specs.push(...lin('head1', d, d), ...lin('head2', 1, d))
  return specs
}

export function validateRewardConfig(c: RewardModelConfig): void {
  for (const k of ['dModel', 'layers', 'heads', 'ffDim', 'maxBeats'] as const) {
    if (!Number.isInteger(c[k]) || c[k] <= 0)
      throw new AppFailure('validation', `reward model ${k} must be a positive integer`, k)
  }
  if (c.dModel % c.heads !== 0) {
    throw new AppFailure('validation', `dModel ${c.dModel} is not divisible by heads ${c.heads}`, 'heads')
  }
}

/** Initial weights in tfjs layout, deterministic in `seed`. */
export function initRewardWeights(c: RewardModelConfig, seed: number): Map<string, Float32Array> {
  const rng = new Rng(seed)
  const out = new Map<string, Float32Array>()
  for (const s of rewardParamSpecs(c)) {
    const n = s.torchShape.reduce((a, b) => a * b, 1)
    if (s.kind === 'linear') {
      out.set(s.name, rng.fillUniform(n, Math.sqrt(6 / (s.torchShape[0]! + s.torchShape[1]!))))
    } else if (s.kind === 'embedding') {
      // N(0, 1) as PyTorch's nn.Embedding (the reference module): with 0.02 the action ids, the very
      // thing a reward model must read, start buried under the projected features.
      out.set(s.name, rng.fillNormal(n, 1))
    } else {
      const isNormGain = /norm\d?\w*\.weight$/.test(s.name) || s.name === 'norm_f.weight'
      out.set(s.name, new Float32Array(n).fill(isNormGain ? 1 : 0))
    }
  }
  return out
}

export interface RewardInputs {
  /** [B, T, F] */
  features: tf.Tensor
  /** [B, T] int32 */
  actionIds: tf.Tensor
  /** [B, T] float32 1/0 */
  mask: tf.Tensor
}

let instanceCounter = 0

export class RewardModel {
  readonly config: RewardModelConfig
  readonly specs: ParamSpec[]
  readonly vars = new Map<string, tf.Variable>()

  constructor(config: RewardModelConfig, weights: Map<string, Float32Array>) {
    validateRewardConfig(config)
    this.config = config
    this.specs = rewardParamSpecs(config)
    addVariables(this.vars, this.specs, weights, `reward${instanceCounter++}`)
  }

  static create(config: RewardModelConfig, seed: number): RewardModel {
    return new RewardModel(config, initRewardWeights(config, seed))
  }

  get paramCount(): number {
    return paramCount(this.specs)
  }

  private v(name: string): tf.Variable {
    const x = this.vars.get(name)
    if (x === undefined) throw new AppFailure('internal', `missing parameter ${name}`)
    return x
  }

  private linear(x: tf.Tensor, name: string, activation: 'linear' | 'gelu' = 'linear'): tf.Tensor {
    return linear(x, this.v(`${name}.weight`), this.v(`${name}.bias`), activation)
  }

  private ln(x: tf.Tensor, name: string): tf.Tensor {
    return layerNorm(x, this.v(`${name}.weight`), this.v(`${name}.bias`))
  }

  /** Raw forward: reward [B] (already soft-clamped into [-10, 10]). */
  apply(inp: RewardInputs): tf.Tensor1D {
    const c = this.config
    const [B, T, F] = inp.features.shape as [number, number, number]
    if (T > c.maxBeats)
      throw new AppFailure(
        'validation',
        `sequence has ${T} beats, the model takes at most ${c.maxBeats}`,
        'beat_features'
      )
    const d = c.dModel
    const H = c.heads
    return tf.tidy(() => {
      const feat = tf.reshape(inp.features, [B * T, F])
      // tfjs's own fused matMul here: it skips the gradient w.r.t. the (constant) features.
      let x: tf.Tensor = tf.fused.matMul({
        a: feat as tf.Tensor2D,
        b: this.v('input_proj.weight') as tf.Tensor2D,
        bias: this.v('input_proj.bias')
      })
      // one-hot @ table instead of gather: its gradient is a matMul, not UnsortedSegmentSum.
      const ids = tf.reshape(tf.cast(inp.actionIds, 'int32'), [B * T])
      const A = this.v('action_embed.weight').shape[0]!
      x = tf.add(x, tf.matMul(tf.oneHot(ids, A, 1, 0, 'float32'), this.v('action_embed.weight')))
      const pos = tf.slice(this.v('pos_embed.weight'), [0, 0], [T, d])
      x = tf.reshape(tf.add(tf.reshape(x, [B, T, d]), pos), [B * T, d])
      const maskF = tf.cast(inp.mask, 'float32')
      const maskBias = tf.mul(tf.sub(1, maskF), MASK_NEG)
      const pre = (c.norm ?? 'pre') === 'pre'
      for (let i = 0; i < c.layers; i++) {
        const p = `layers.${i}`
        const a = pre ? this.ln(x, `${p}.norm1`) : x
        const ctx = selfAttention(this.linear(a, `${p}.attn.in_proj`), maskBias, B, T, H)
        x = tf.add(x, this.linear(ctx, `${p}.attn.out_proj`))
        if (!pre) x = this.ln(x, `${p}.norm1`)
        const f = pre ? this.ln(x, `${p}.norm2`) : x
        x = tf.add(x, this.linear(this.linear(f, `${p}.ff1`, 'gelu'), `${p}.ff2`))
        if (!pre) x = this.ln(x, `${p}.norm2`)
      }
      if (pre) x = this.ln(x, 'norm_f')
      const m3 = tf.reshape(maskF, [B, T, 1])
      const summed = tf.sum(tf.mul(tf.reshape(x, [B, T, d]), m3), 1)
      const count = tf.maximum(tf.sum(m3, 1), 1)
      const pooled = tf.div(summed, count)
      const h = this.linear(pooled, 'head1', 'gelu')
      const raw = tf.reshape(this.linear(h, 'head2'), [B])
      return softClamp(raw, REWARD_BOUND) as tf.Tensor1D
    })
  }

  /** Weights in tfjs layout (copies). */
  getWeights(): Map<string, Float32Array> {
    return readWeights(this.vars)
  }

  dispose(): void {
    disposeVariables(this.vars)
  }
}

export interface PairBatch {
  chosen: RewardInputs
  rejected: RewardInputs
  /** P(chosen preferred) per pair; 1 = hard label, 0.5 = tie. Default all 1. */
  target?: tf.Tensor1D
  /** Optional per-pair margin m in -log sigma(r+ - r- - m). */
  margin?: tf.Tensor1D
}

export interface BtOptions {
  /** Reward-centering coefficient c in c * mean((r+ + r-)^2) (TRL recommends 0.01). */
  centerCoef?: number
}

/** Bradley-Terry pairwise loss: -[y log sigma(D) + (1-y) log sigma(-D)], D = r+ - r- - m. */
export function bradleyTerryLoss(
  rChosen: tf.Tensor1D,
  rRejected: tf.Tensor1D,
  opts: { target?: tf.Tensor1D; margin?: tf.Tensor1D; centerCoef?: number } = {}
): tf.Scalar {
  return tf.tidy(() => {
    let diff: tf.Tensor = tf.sub(rChosen, rRejected)
    if (opts.margin !== undefined) diff = tf.sub(diff, opts.margin)
    // -log sigma(z) = softplus(-z)
    let loss: tf.Tensor
    if (opts.target === undefined) {
      loss = tf.softplus(tf.neg(diff))
    } else {
      const y = opts.target
      loss = tf.add(tf.mul(y, tf.softplus(tf.neg(diff))), tf.mul(tf.sub(1, y), tf.softplus(diff)))
    }
    let total: tf.Tensor = tf.mean(loss)
    const c = opts.centerCoef ?? 0
    if (c > 0) total = tf.add(total, tf.mul(c, tf.mean(tf.square(tf.add(rChosen, rRejected)))))
    return total as tf.Scalar
  })
}

export interface RewardStepResult {
  loss: number
  /** Fraction of pairs with r+ > r- (strict). */
  accuracy: number
  gradNorm: number
  meanChosen: number
  meanRejected: number
}

export function createRewardOptimizer(cfg: Partial<AdamWConfig> = {}): AdamW {
  return new AdamW({
    lr: cfg.lr ?? 1e-4,
    weightDecay: cfg.weightDecay ?? 0.01,
    maxGradNorm: cfg.maxGradNorm ?? 1,
    ...cfg
  })
}

/** One Bradley-Terry + AdamW step; chosen and rejected run as one forward of 2P sequences. */
export function rewardTrainStep(
  model: RewardModel,
  opt: AdamW,
  batch: PairBatch,
  bt: BtOptions = {}
): RewardStepResult {
  const P = batch.chosen.features.shape[0]
  let rc: Float32Array = new Float32Array(0)
  let rr: Float32Array = new Float32Array(0)
  const { value, grads } = tf.variableGrads(() => {
    const inp: RewardInputs = {
      features: tf.concat([batch.chosen.features, batch.rejected.features], 0),
      actionIds: tf.concat([batch.chosen.actionIds, batch.rejected.actionIds], 0),
      mask: tf.concat([batch.chosen.mask, batch.rejected.mask], 0)
    }
    const r = model.apply(inp)
    const c = tf.slice(r, [0], [P])
    const j = tf.slice(r, [P], [P])
    rc = Float32Array.from(c.dataSync())
    rr = Float32Array.from(j.dataSync())
    const opts: { target?: tf.Tensor1D; margin?: tf.Tensor1D; centerCoef?: number } = {}
    if (batch.target !== undefined) opts.target = batch.target
    if (batch.margin !== undefined) opts.margin = batch.margin
    if (bt.centerCoef !== undefined) opts.centerCoef = bt.centerCoef
    return bradleyTerryLoss(c, j, opts)
  }, [...model.vars.values()])
  const named = gradsByParam(model.vars, grads)
  const loss = value.dataSync()[0] ?? NaN
  value.dispose()
  const { gradNorm } = opt.apply(model.vars, named)
  let acc = 0
  for (let i = 0; i < P; i++) if (rc[i]! > rr[i]!) acc++
  const mean = (a: Float32Array): number => a.reduce((x, y) => x + y, 0) / Math.max(1, a.length)
  return { loss, accuracy: acc / P, gradNorm, meanChosen: mean(rc), meanRejected: mean(rr) }
}

/** Random inputs of the right shapes (benchmarks and tests). */
export function randomRewardInputs(B: number, T: number, seed: number, featureDim = FEATURE_DIM): RewardInputs {
  const rng = new Rng(seed)
  const ids = new Int32Array(B * T)
  for (let i = 0; i < ids.length; i++) ids[i] = Math.floor(rng.next() * ACTION_COUNT)
  const mask = new Float32Array(B * T)
  for (let b = 0; b < B; b++) {
    const len = Math.max(1, T - Math.floor(rng.next() * (T / 4)))
    for (let t = 0; t < len; t++) mask[b * T + t] = 1
  }
  return {
    features: tf.tensor(rng.fillNormal(B * T * featureDim, 1), [B, T, featureDim], 'float32'),
    actionIds: tf.tensor(ids, [B, T], 'int32'),
    mask: tf.tensor(mask, [B, T], 'float32')
  }
}

export function disposeInputs(i: RewardInputs): void {
  i.features.dispose()
  i.actionIds.dispose()
  i.mask.dispose()
}
