/**
 * One PPO minibatch step with action masks, two ways: tfjs ops (the path tfjs-node-gpu and the plain
 * cpu backend run) and the fused cpu path (both MLPs forward and backward as onnxruntime graphs,
 * ppo-fused.ts, with the loss gradient below in JS and AdamW on Float32Arrays). Masked actions get
 * probability 0: the log-softmax runs over the allowed actions only, in the ratio, the entropy bonus
 * and the rollout alike. Both paths compute the same loss; test/unit/engines/ml/rlhf checks it
 * against finite differences.
 */
import * as tf from '../tf'
import type { AdamW } from '../optim'
import type { Mlp, PolicyValueNets } from '../policy-nets'
import { gradsByParam } from '../params'
import {
  mlpPairBackward,
  mlpPairForward,
  pairLayout,
  ppoLossGrad,
  type MlpArrays,
  type PackedParam
} from '../ppo-fused'

/** Additive logit for masked actions in the tfjs graph: exp underflows to exactly 0 in float32. */
const MASK_LOGIT = -1e9

export interface MaskedMinibatch {
  n: number
  obs: Float32Array
  /** [n * A] 1 = allowed */
  masks: Uint8Array
  actions: Int32Array
  oldLogProbs: Float32Array
  advantages: Float32Array
  returns: Float32Array
  oldValues: Float32Array
}

export interface PpoLossConfig {
  clipRange: number
  /** Value clipping range around the rollout's values (undefined: none). */
  clipRangeVf?: number
  vfCoef: number
  entCoef: number
}

export interface MinibatchStats {
  approxKl: number
  clipFraction: number
  policyLoss: number
  valueLoss: number
  entropy: number
}

/** loss = policy loss + vfCoef * value loss - entCoef * entropy, and its gradient w.r.t. logits and values. */
export function maskedPpoLossGrad(
  logits: Float32Array,
  values: Float32Array,
  mb: MaskedMinibatch,
  cfg: PpoLossConfig,
  A: number
): { loss: number; dLogits: Float32Array; dValues: Float32Array; stats: MinibatchStats } {
  const {
    dLogits,
    dValues,
    stats: s
  } = ppoLossGrad({
    n: mb.n,
    A,
    logits,
    values,
    actions: mb.actions,
    oldLogProbs: mb.oldLogProbs,
    advantages: mb.advantages,
    returns: mb.returns,
    oldValues: mb.oldValues,
    clipRange: cfg.clipRange,
    clipRangeVf: cfg.clipRangeVf,
    vfCoef: cfg.vfCoef,
    entCoef: cfg.entCoef,
    masks: mb.masks
  })
  const stats: MinibatchStats = {
    approxKl: s.kl,
    clipFraction: s.clip,
    policyLoss: s.pl,
    valueLoss: s.vl,
    entropy: s.ent
  }
  return {
    loss: stats.policyLoss + cfg.vfCoef * stats.valueLoss - cfg.entCoef * stats.entropy,
    dLogits,
    dValues,
    stats
  }
}

/** One MLP's tfjs variables as the fused path's arrays (copies). */
export function mlpArraysOf(mlp: Mlp): MlpArrays {
  const w: Float32Array[] = []
  const b: Float32Array[] = []
  for (let i = 0; i + 1 < mlp.sizes.length; i++) {
    w.push(Float32Array.from(mlp.vars.get(`net.${2 * i}.weight`)!.dataSync()))
    b.push(Float32Array.from(mlp.vars.get(`net.${2 * i}.bias`)!.dataSync()))
  }
  return { sizes: mlp.sizes, w, b }
}

/** Masked-PPO minibatch steps, fused on onnxruntime; weights stay in arrays until commit(). */
export class FusedMaskedPpo {
  readonly policy: MlpArrays
  readonly value: MlpArrays
  private readonly layout: PackedParam[]

  constructor(
    private readonly nets: PolicyValueNets,
    private readonly opt: AdamW
  ) {
    this.policy = mlpArraysOf(nets.policy)
    this.value = mlpArraysOf(nets.value)
    this.layout = pairLayout(nets.policy.sizes, nets.value.sizes)
  }

  forward(obs: Float32Array, n: number): { logits: Float32Array; values: Float32Array } {
    return mlpPairForward(this.policy, this.value, obs, n)
  }

  /** Returns null (nothing applied) when approx KL already exceeds `stopAboveKl`. */
  step(mb: MaskedMinibatch, cfg: PpoLossConfig, A: number, stopAboveKl?: number): MinibatchStats | null {
    const fwd = mlpPairForward(this.policy, this.value, mb.obs, mb.n)
    const { dLogits, dValues, stats } = maskedPpoLossGrad(fwd.logits, fwd.values, mb, cfg, A)
    if (stopAboveKl !== undefined && stats.approxKl > stopAboveKl) return null
    const g = mlpPairBackward(this.policy, this.value, mb.obs, mb.n, fwd, dLogits, dValues)
    const values: Float32Array[] = []
    const grads: Float32Array[] = []
    for (const [m, gm] of [
      [this.policy, g.p],
      [this.value, g.v]
    ] as const) {
      for (let i = 0; i < m.w.length; i++) {
        values.push(m.w[i]!, m.b[i]!)
        grads.push(gm.w[i]!, gm.b[i]!)
      }
    }
    this.opt.applyArrays(
      this.layout.map((l, i) => ({ name: l.name, shape: l.shape, value: values[i]!, grad: grads[i]! }))
    )
    return stats
  }

  /** Writes the arrays back into the tfjs variables. */
  commit(): void {
    for (const [mlp, arrays] of [
      [this.nets.policy, this.policy],
      [this.nets.value, this.value]
    ] as const) {
      for (let i = 0; i < arrays.w.length; i++) {
        for (const [name, data] of [
          [`net.${2 * i}.weight`, arrays.w[i]!],
          [`net.${2 * i}.bias`, arrays.b[i]!]
        ] as const) {
          const v = mlp.vars.get(name)!
          tf.tidy(() => v.assign(tf.tensor(data, v.shape, 'float32')))
        }
      }
    }
  }
}

/** The same minibatch step through tfjs ops; returns null (nothing applied) above `stopAboveKl`. */
export function tfjsMaskedPpoStep(
  nets: PolicyValueNets,
  opt: AdamW,
  mb: MaskedMinibatch,
  cfg: PpoLossConfig,
  A: number,
  stopAboveKl?: number
): MinibatchStats | null {
  const n = mb.n
  const D = nets.policy.sizes[0]!
  let stats: MinibatchStats = { approxKl: 0, clipFraction: 0, policyLoss: 0, valueLoss: 0, entropy: 0 }
  const bias = new Float32Array(n * A)
  for (let k = 0; k < bias.length; k++) bias[k] = mb.masks[k] === 1 ? 0 : MASK_LOGIT
  const keep = tf.tidy(() => {
    const allowed = tf.tensor2d(Float32Array.from(mb.masks), [n, A])
    return {
      obs: tf.tensor2d(mb.obs, [n, D]),
      allowed,
      bias: tf.tensor2d(bias, [n, A]),
      onehot: tf.oneHot(tf.tensor1d(mb.actions, 'int32'), A, 1, 0, 'float32'),
      oldLp: tf.tensor1d(mb.oldLogProbs),
      adv: tf.tensor1d(mb.advantages),
      ret: tf.tensor1d(mb.returns),
      oldV: tf.tensor1d(mb.oldValues)
    }
  })
  const { value, grads } = tf.variableGrads(() => {
    const logpAll = tf.logSoftmax(tf.add(nets.policy.apply(keep.obs), keep.bias))
    const logp = tf.sum(tf.mul(logpAll, keep.onehot), 1)
    const logRatio = tf.sub(logp, keep.oldLp)
    const ratio = tf.exp(logRatio)
    const s1 = tf.mul(ratio, keep.adv)
    const s2 = tf.mul(tf.clipByValue(ratio, 1 - cfg.clipRange, 1 + cfg.clipRange), keep.adv)
    const pl = tf.neg(tf.mean(tf.minimum(s1, s2)))
    const v = tf.reshape(nets.value.apply(keep.obs), [n])
    let vl: tf.Tensor
    if (cfg.clipRangeVf !== undefined) {
      const vc = tf.add(keep.oldV, tf.clipByValue(tf.sub(v, keep.oldV), -cfg.clipRangeVf, cfg.clipRangeVf))
      vl = tf.mean(tf.maximum(tf.square(tf.sub(keep.ret, v)), tf.square(tf.sub(keep.ret, vc))))
    } else {
      vl = tf.mean(tf.square(tf.sub(keep.ret, v)))
    }
    // masked entries: p = 0 exactly; multiplying by the mask keeps 0 * (-1e9) out of the sum
    const ent = tf.neg(tf.mean(tf.sum(tf.mul(tf.mul(tf.exp(logpAll), logpAll), keep.allowed), 1)))
    const loss = tf.add(tf.add(pl, tf.mul(cfg.vfCoef, vl)), tf.mul(-cfg.entCoef, ent))
    const kl = tf.mean(tf.sub(tf.sub(ratio, 1), logRatio))
    const cf = tf.mean(tf.cast(tf.greater(tf.abs(tf.sub(ratio, 1)), cfg.clipRange), 'float32'))
    const d = tf.stack([kl, cf, pl, vl, ent]).dataSync()
    stats = { approxKl: d[0]!, clipFraction: d[1]!, policyLoss: d[2]!, valueLoss: d[3]!, entropy: d[4]! }
    return loss as tf.Scalar
  }, [...nets.vars.values()])
  value.dispose()
  tf.dispose(Object.values(keep))
  if (stopAboveKl !== undefined && stats.approxKl > stopAboveKl) {
    tf.dispose(Object.values(grads))
    return null
  }
  opt.apply(nets.vars, gradsByParam(nets.vars, grads))
  return stats
}
