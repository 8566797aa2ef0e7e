/**
 * DPO on judged pairs (docs/policy.md): chosen and rejected action arrays of the same song, scored by
 * their sequence log-probability under the masked policy (teacher-forced through the editing
 * environment, so observations and masks are exactly what the policy saw when acting), against a
 * frozen reference. TRL's sigmoid loss with label smoothing (cDPO), or IPO on per-beat log-probs;
 * logged under TRL's names: rewards/chosen, rewards/rejected, accuracies, margins, logps/*.
 */
import * as tf from '../tf'
import { ACTION_COUNT } from '../../../../shared/actions'
import { AppFailure } from '../../../../shared/result'
import { EditingEnv, OBSERVATION_DIM, checkObservationSizes, type EpisodeSong } from '../../policy'
import { AdamW } from '../optim'
import { gradsByParam } from '../params'
import { Mlp } from '../policy-nets'
import { Rng } from '../rng'
import { mixSeed } from './categorical'
import { arraysWithPrefix, optimizerArrays, optimizerFromArrays, type PackedState } from './training-state'
import { DEFAULT_DPO_TRAIN, type DpoTrainConfig, type PolicyWeights } from './train-config'
import type { Metrics } from './ppo-trainer'

const A = ACTION_COUNT
const D = OBSERVATION_DIM
const MASK_LOGIT = -1e9

export interface PreferencePair {
  song: EpisodeSong
  chosen: ArrayLike<number>
  rejected: ArrayLike<number>
}

/** Observations and masks an agent saw while taking `actions` (teacher forcing). */
export function replayEpisode(song: EpisodeSong, actions: ArrayLike<number>): { obs: Float32Array; masks: Uint8Array } {
  const env = new EditingEnv(song)
  const n = env.beatCount
  if (actions.length !== n)
    throw new AppFailure('validation', `${actions.length} actions for a song of ${n} beats`, 'actions')
  const obs = new Float32Array(n * D)
  const masks = new Uint8Array(n * A)
  for (let t = 0; t < n; t++) {
    env.writeObservation(obs, t * D)
    env.writeMask(masks, t * A)
    env.step(actions[t]!)
  }
  return { obs, masks }
}

interface SequenceBatch {
  obs: tf.Tensor2D
  bias: tf.Tensor2D
  onehot: tf.Tensor2D
  /** [sequences, rows] 0/1: which rows belong to which sequence. */
  segments: tf.Tensor2D
  lengths: Float32Array
}

function sequenceBatch(seqs: readonly { song: EpisodeSong; actions: ArrayLike<number> }[]): SequenceBatch {
  const replays = seqs.map((s) => replayEpisode(s.song, s.actions))
  const rows = replays.reduce((a, r) => a + r.obs.length / D, 0)
  const obs = new Float32Array(rows * D)
  const bias = new Float32Array(rows * A)
  const onehot = new Float32Array(rows * A)
  const segments = new Float32Array(seqs.length * rows)
  const lengths = new Float32Array(seqs.length)
  let row = 0
  replays.forEach((r, s) => {
    const n = r.obs.length / D
    obs.set(r.obs, row * D)
    for (let t = 0; t < n; t++) {
      for (let a = 0; a < A; a++) bias[(row + t) * A + a] = r.masks[t * A + a] === 1 ? 0 : MASK_LOGIT
      onehot[(row + t) * A + seqs[s]!.actions[t]!] = 1
      segments[s * rows + row + t] = 1
    }
    lengths[s] = n
    row += n
  })
  return {
    obs: tf.tensor2d(obs, [rows, D]),
    bias: tf.tensor2d(bias, [rows, A]),
    onehot: tf.tensor2d(onehot, [rows, A]),
    segments: tf.tensor2d(segments, [seqs.length, rows]),
    lengths
  }
}

/** log sigmoid(z) = -softplus(-z); tf.logSigmoid's custom gradient reads a tensor its scope already freed. */
function logSigmoid(z: tf.Tensor): tf.Tensor {
  return tf.neg(tf.softplus(tf.neg(z)))
}

/** Sequence log-probs [sequences] of the batch's actions under `mlp` (a tensor, inside a tidy/grad scope). */
function sequenceLogps(mlp: Mlp, b: SequenceBatch): tf.Tensor1D {
  const logp = tf.sum(tf.mul(tf.logSoftmax(tf.add(mlp.apply(b.obs), b.bias)), b.onehot), 1)
  return tf.reshape(tf.matMul(b.segments, tf.reshape(logp, [-1, 1])), [-1]) as tf.Tensor1D
}

export class DpoTrainer {
  readonly config: DpoTrainConfig
  readonly policy: Mlp
  readonly reference: Mlp
  private readonly opt: AdamW
  private readonly pairs: readonly PreferencePair[]
  update = 0
  private cursor = { order: [] as number[], pos: 0, pass: 0 }

  private constructor(config: DpoTrainConfig, pairs: readonly PreferencePair[], policy: Mlp, reference: Mlp) {
    this.config = { ...DEFAULT_DPO_TRAIN, ...config }
    this.pairs = pairs
    this.policy = policy
    this.reference = reference
    checkObservationSizes({ observationDim: policy.sizes[0] }, 'the policy')
    if (pairs.length === 0) throw new AppFailure('validation', 'DPO needs at least one judged pair with a winner')
    this.opt = new AdamW({ lr: this.config.lr, weightDecay: 0, maxGradNorm: this.config.maxGradNorm })
  }

  static create(init: {
    config: DpoTrainConfig
    pairs: readonly PreferencePair[]
    initialPolicy?: PolicyWeights | null
    reference?: PolicyWeights | null
  }): DpoTrainer {
    const cfg = { ...DEFAULT_DPO_TRAIN, ...init.config }
    const policy = init.initialPolicy
      ? new Mlp(init.initialPolicy.sizes, init.initialPolicy.weights)
      : Mlp.create([cfg.observationDim, ...cfg.policyHidden, A], cfg.seed, 0.01)
    const ref = init.reference ?? { sizes: policy.sizes, weights: policy.getWeights() }
    return new DpoTrainer(cfg, init.pairs, policy, new Mlp(ref.sizes, ref.weights))
  }

  static restore(init: { config: DpoTrainConfig; pairs: readonly PreferencePair[] }, state: PackedState): DpoTrainer {
    const m = state.meta as { update: number; cursor: DpoTrainer['cursor']; optStep: number; policySizes: number[] }
    const t = new DpoTrainer(
      init.config,
      init.pairs,
      new Mlp(m.policySizes, arraysWithPrefix(state.arrays, 'policy.')),
      new Mlp(m.policySizes, arraysWithPrefix(state.arrays, 'ref.'))
    )
    t.update = m.update
    t.cursor = { order: [...m.cursor.order], pos: m.cursor.pos, pass: m.cursor.pass }
    t.opt.setState(optimizerFromArrays(m.optStep, state.arrays))
    return t
  }

  snapshot(extra: Record<string, unknown> = {}): PackedState {
    const arrays = new Map<string, Float32Array>()
    for (const [k, a] of this.policy.getWeights()) arrays.set(`policy.${k}`, a)
    for (const [k, a] of this.reference.getWeights()) arrays.set(`ref.${k}`, a)
    const optStep = optimizerArrays(this.opt.getState(), arrays)
    return {
      meta: {
        ...extra,
        algorithm: 'dpo',
        config: this.config,
        update: this.update,
        cursor: this.cursor,
        optStep,
        policySizes: this.policy.sizes
      },
      arrays
    }
  }

  policyWeights(): PolicyWeights {
    return { sizes: this.policy.sizes, weights: this.policy.getWeights() }
  }

  private nextPairs(): PreferencePair[] {
    const out: PreferencePair[] = []
    const c = this.cursor
    for (let k = 0; k < Math.min(this.config.batchPairs, this.pairs.length); k++) {
      if (c.pos >= c.order.length) {
        c.order = Array.from(new Rng(mixSeed(this.config.seed, c.pass, 11)).permutation(this.pairs.length))
        c.pos = 0
        c.pass++
      }
      out.push(this.pairs[c.order[c.pos++]!]!)
    }
    return out
  }

  /** One optimiser step on the next batch of pairs. */
  step(): Metrics {
    const t0 = performance.now()
    const batch = this.nextPairs()
    const P = batch.length
    const seqs = [
      ...batch.map((p) => ({ song: p.song, actions: p.chosen })),
      ...batch.map((p) => ({ song: p.song, actions: p.rejected }))
    ]
    const b = sequenceBatch(seqs)
    const { beta, labelSmoothing: eps } = this.config
    const ipo = this.config.loss === 'ipo'
    const lengths = tf.tensor1d(b.lengths)
    const refLogps = tf.tidy(() => sequenceLogps(this.reference, b))
    let diag: Float32Array = new Float32Array(0)
    const { value, grads } = tf.variableGrads(() => {
      let logps = sequenceLogps(this.policy, b)
      let ref = refLogps as tf.Tensor1D
      const rawLogps = logps
      if (ipo) {
        logps = tf.div(logps, lengths)
        ref = tf.div(ref, lengths)
      }
      const ratio = tf.sub(logps, ref)
      const chosen = tf.slice(ratio, [0], [P])
      const rejected = tf.slice(ratio, [P], [P])
      const h = tf.sub(chosen, rejected)
      const loss = ipo
        ? tf.mean(tf.square(tf.sub(h, 1 / (2 * beta))))
        : tf.mean(tf.sub(tf.mul(-(1 - eps), logSigmoid(tf.mul(beta, h))), tf.mul(eps, logSigmoid(tf.mul(-beta, h)))))
      const rc = tf.mul(beta, chosen)
      const rr = tf.mul(beta, rejected)
      diag = tf
        .concat([
          tf.stack([
            loss as tf.Scalar,
            tf.mean(rc),
            tf.mean(rr),
            tf.mean(tf.cast(tf.greater(rc, rr), 'float32')),
            tf.mean(tf.sub(rc, rr)),
            tf.mean(tf.slice(rawLogps, [0], [P])),
            tf.mean(tf.slice(rawLogps, [P], [P]))
          ])
        ])
        .dataSync() as Float32Array<ArrayBufferLike>
      return loss as tf.Scalar
    }, [...this.policy.vars.values()])
    value.dispose()
    const info = this.opt.apply(this.policy.vars, gradsByParam(this.policy.vars, grads))
    tf.dispose([b.obs, b.bias, b.onehot, b.segments, lengths, refLogps])
    this.update++
    return {
      update: this.update,
      pairs_seen: this.update * P,
      loss: diag[0]!,
      'rewards/chosen': diag[1]!,
      'rewards/rejected': diag[2]!,
      accuracies: diag[3]!,
      margins: diag[4]!,
      'logps/chosen': diag[5]!,
      'logps/rejected': diag[6]!,
      grad_norm: info.gradNorm,
      pairs_per_s: P / ((performance.now() - t0) / 1000)
    }
  }

  /**
   * On held-out pairs: the implicit-reward accuracy (TRL's rewards/accuracies) and how often the
   * policy itself gives the chosen edit the higher log-probability.
   */
  evaluate(pairs: readonly PreferencePair[]): Metrics {
    if (pairs.length === 0) return {}
    let acc = 0
    let prefer = 0
    let margin = 0
    for (let s = 0; s < pairs.length; s += 16) {
      const chunk = pairs.slice(s, s + 16)
      const P = chunk.length
      const b = sequenceBatch([
        ...chunk.map((p) => ({ song: p.song, actions: p.chosen })),
        ...chunk.map((p) => ({ song: p.song, actions: p.rejected }))
      ])
      const pol = tf.tidy(() => sequenceLogps(this.policy, b).dataSync())
      const ref = tf.tidy(() => sequenceLogps(this.reference, b).dataSync())
      tf.dispose([b.obs, b.bias, b.onehot, b.segments])
      for (let i = 0; i < P; i++) {
        const rc = this.config.beta * (pol[i]! - ref[i]!)
        const rr = this.config.beta * (pol[P + i]! - ref[P + i]!)
        if (rc > rr) acc++
        margin += rc - rr
        if (pol[i]! > pol[P + i]!) prefer++
      }
    }
    return {
      eval_accuracies: acc / pairs.length,
      eval_margins: margin / pairs.length,
      eval_policy_accuracy: prefer / pairs.length
    }
  }

  dispose(): void {
    this.policy.dispose()
    this.reference.dispose()
  }
}
