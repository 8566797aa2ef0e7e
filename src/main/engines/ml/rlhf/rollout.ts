/**
 * Runs episodes of the editing environment for a batch of songs in lockstep (one batched policy
 * forward per beat across the songs still running), sampling from the masked policy or picking
 * greedily, and scores the finished edits: dense reward per beat, the learned reward of each whole
 * edit (normalised with the reward-model version's stats), the optional target-duration term.
 */
import { ACTION_COUNT } from '../../../../shared/actions'
import { EditingEnv, OBSERVATION_DIM, type DenseEpisode, type EpisodeSong } from '../../policy'
import type { Rng } from '../rng'
import { argmaxLogProbs, maskedLogSoftmax, sampleLogProbs } from './categorical'

const A = ACTION_COUNT
const D = OBSERVATION_DIM

/** The learned reward as the trainer sees it: raw scores of whole edits, and the version's stats. */
export interface LearnedReward {
  id: number
  name: string
  scoreBatch(items: readonly { features: Float32Array; beats: number; actions: ArrayLike<number> }[]): Float32Array
  mean: number
  std: number
}

export interface RewardMix {
  /** Weight of the learned reward (the dense reward gets 1 - weight). */
  weight: number
  learned: LearnedReward | null
  /** Weight of -|duration - target| / target (0: no duration term). */
  durationWeight: number
  /** Target as a fraction of each song's length (null: none). */
  targetFraction: number | null
}

export type PolicyForward = (obs: Float32Array, n: number) => { logits: Float32Array; values: Float32Array | null }

export interface EpisodeResult {
  song: EpisodeSong
  actions: Int32Array
  dense: DenseEpisode
  /** Normalised learned reward (0 without a reward model). */
  learned: number
  duration: number
  /** weight * learned + (1 - weight) * dense + duration term. */
  total: number
  /** Index of the episode's first beat in the rollout arrays. */
  offset: number
}

export interface Rollout {
  episodes: EpisodeResult[]
  steps: number
  obs: Float32Array
  masks: Uint8Array
  actions: Int32Array
  logProbs: Float32Array
  /** Full rollout-policy logits [steps * A] (for the exact KL to the reference). */
  logits: Float32Array
  values: Float32Array
}

/** Effective weights: without a reward model the dense reward is the whole task reward. */
export function mixWeights(mix: RewardMix): { learned: number; dense: number } {
  return mix.learned === null ? { learned: 0, dense: 1 } : { learned: mix.weight, dense: 1 - mix.weight }
}

export function runEpisodes(
  songs: readonly EpisodeSong[],
  forward: PolicyForward,
  mix: RewardMix,
  opts: { rng: Rng | null; store: boolean }
): Rollout {
  const envs = songs.map(
    (s) =>
      new EditingEnv(s, {
        targetS: mix.targetFraction === null ? undefined : mix.targetFraction * s.structure.durationS
      })
  )
  const offsets: number[] = []
  let steps = 0
  for (const e of envs) {
    offsets.push(steps)
    steps += e.beatCount
  }
  const size = opts.store ? steps : 0
  const r: Rollout = {
    episodes: [],
    steps,
    obs: new Float32Array(size * D),
    masks: new Uint8Array(size * A),
    actions: new Int32Array(size),
    logProbs: new Float32Array(size),
    logits: new Float32Array(size * A),
    values: new Float32Array(size)
  }
  const batchObs = new Float32Array(envs.length * D)
  const batchMask = new Uint8Array(envs.length * A)
  const lp = new Float64Array(A)
  let active = envs.map((_, i) => i)
  while (active.length > 0) {
    const k = active.length
    active.forEach((e, idx) => {
      envs[e]!.writeObservation(batchObs, idx * D)
      envs[e]!.writeMask(batchMask, idx * A)
    })
    const out = forward(batchObs.subarray(0, k * D), k)
    active.forEach((e, idx) => {
      const env = envs[e]!
      maskedLogSoftmax(out.logits, batchMask, idx, A, lp)
      const a = opts.rng === null ? argmaxLogProbs(lp) : sampleLogProbs(lp, opts.rng.next())
      if (opts.store) {
        const row = offsets[e]! + env.beat
        r.obs.set(batchObs.subarray(idx * D, (idx + 1) * D), row * D)
        r.masks.set(batchMask.subarray(idx * A, (idx + 1) * A), row * A)
        r.logits.set(out.logits.subarray(idx * A, (idx + 1) * A), row * A)
        r.actions[row] = a
        r.logProbs[row] = lp[a]!
        r.values[row] = out.values === null ? 0 : out.values[idx]!
      }
      env.step(a)
    })
    active = active.filter((e) => !envs[e]!.done)
  }
  const w = mixWeights(mix)
  const raw =
    mix.learned === null
      ? null
      : mix.learned.scoreBatch(
          envs.map((e) => ({ features: e.song.structure.features, beats: e.beatCount, actions: e.actions }))
        )
  envs.forEach((env, i) => {
    const dense = env.finish()
    const learned = raw === null ? 0 : (raw[i]! - mix.learned!.mean) / mix.learned!.std
    const duration =
      mix.durationWeight > 0 && mix.targetFraction !== null
        ? (-mix.durationWeight * Math.abs(dense.outputDurationS - env.targetS)) / env.targetS
        : 0
    r.episodes.push({
      song: env.song,
      actions: env.actions,
      dense,
      learned,
      duration,
      total: w.learned * learned + w.dense * dense.total + duration,
      offset: offsets[i]!
    })
  })
  return r
}
