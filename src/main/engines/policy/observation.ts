/**
 * The policy's observation at one beat (docs/policy.md): the features of the current beat and of the
 * 3 beats before and after it (7 x 125, zero rows past the song's edges) followed by 14 context values.
 * 889 numbers, the input of the users' existing policies.
 */
import { ACTION_COUNT } from '../../../shared/actions'
import { FEATURE_DIM } from '../../../shared/features'
import { AppFailure } from '../../../shared/result'

export const OBS_WINDOW = 3
export const OBS_BEATS = 2 * OBS_WINDOW + 1
export const OBS_CONTEXT = 14
export const OBSERVATION_DIM = OBS_BEATS * FEATURE_DIM + OBS_CONTEXT
/** Decay per beat of the recent-actions histogram (context 5..13). */
export const RECENT_ACTION_DECAY = 0.5

/** Offsets of the context values inside the observation. */
export const CONTEXT = {
  songPosition: OBS_BEATS * FEATURE_DIM,
  barPosition: OBS_BEATS * FEATURE_DIM + 1,
  phrasePosition: OBS_BEATS * FEATURE_DIM + 2,
  lengthVsTarget: OBS_BEATS * FEATURE_DIM + 3,
  projectedVsTarget: OBS_BEATS * FEATURE_DIM + 4,
  recentActions: OBS_BEATS * FEATURE_DIM + 5
} as const

/** Stops at once when a model's or song's sizes disagree with the observation layout, naming both. */
export function checkObservationSizes(sizes: { observationDim?: number; featureDim?: number }, what: string): void {
  if (sizes.featureDim !== undefined && sizes.featureDim !== FEATURE_DIM)
    throw new AppFailure(
      'validation',
      `${what} has ${sizes.featureDim} features per beat, but observations are built from ${FEATURE_DIM} (docs/features.md)`,
      'featureDim'
    )
  if (sizes.observationDim !== undefined && sizes.observationDim !== OBSERVATION_DIM)
    throw new AppFailure(
      'validation',
      `${what} expects ${sizes.observationDim}-dim observations, but the editing environment makes ${OBSERVATION_DIM} (${OBS_BEATS} x ${FEATURE_DIM} + ${OBS_CONTEXT})`,
      'observationDim'
    )
}

/** What the context values are computed from; kept up to date by the environment. */
export interface ObservationContext {
  beat: number
  beatCount: number
  barPosition: number
  beatsPerBar: number
  /** Beats since the phrase started, and the phrase's length in beats. */
  phraseOffset: number
  phraseLength: number
  /** Output seconds produced by the actions so far. */
  outputSoFarS: number
  /** Output length if every remaining beat were kept. */
  projectedS: number
  /** Duration the edit should reach (the song's duration when no target is set). */
  targetS: number
  /** Exponentially decayed counts of the previous actions (ACTION_COUNT values). */
  recentActions: Float32Array
}

/** Writes one observation into `out` at `offset` (OBSERVATION_DIM values). */
export function writeObservation(features: Float32Array, ctx: ObservationContext, out: Float32Array, offset = 0): void {
  if (features.length !== ctx.beatCount * FEATURE_DIM)
    checkObservationSizes({ featureDim: ctx.beatCount > 0 ? features.length / ctx.beatCount : 0 }, 'the song')
  if (out.length < offset + OBSERVATION_DIM)
    throw new AppFailure(
      'validation',
      `observation buffer has ${out.length - offset} values, expected ${OBSERVATION_DIM}`,
      'observationDim'
    )
  for (let k = -OBS_WINDOW; k <= OBS_WINDOW; k++) {
    const b = ctx.beat + k
    const dst = offset + (k + OBS_WINDOW) * FEATURE_DIM
    if (b < 0 || b >= ctx.beatCount) out.fill(0, dst, dst + FEATURE_DIM)
    else out.set(features.subarray(b * FEATURE_DIM, (b + 1) * FEATURE_DIM), dst)
  }
  const o = offset
  out[o + CONTEXT.songPosition] = ctx.beatCount > 1 ? ctx.beat / (ctx.beatCount - 1) : 0
  out[o + CONTEXT.barPosition] = ctx.beatsPerBar > 1 ? ctx.barPosition / (ctx.beatsPerBar - 1) : 0
  out[o + CONTEXT.phrasePosition] = ctx.phraseLength > 1 ? ctx.phraseOffset / (ctx.phraseLength - 1) : 0
  out[o + CONTEXT.lengthVsTarget] = ctx.targetS > 0 ? ctx.outputSoFarS / ctx.targetS : 0
  out[o + CONTEXT.projectedVsTarget] = ctx.targetS > 0 ? (ctx.projectedS - ctx.targetS) / ctx.targetS : 0
  for (let a = 0; a < ACTION_COUNT; a++) out[o + CONTEXT.recentActions + a] = ctx.recentActions[a]!
}
