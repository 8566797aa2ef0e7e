/**
 * Scores edits with a reward model file through onnxruntime (usable in a worker thread: no database,
 * no tfjs). One sequence = one song's per-beat features [beats x 125] plus the edit's action per beat.
 * Songs longer than MAX_BEATS are truncated to their first MAX_BEATS beats, as docs/onnx.md asks of
 * callers. The number returned is the raw model output (in [-10, 10]); normalisation is the caller's.
 */
import { FEATURE_DIM, MAX_BEATS } from '../../../shared/features'
import { AppFailure } from '../../../shared/result'
import { OrtSession, scoreRewardBatch, type OrtSessionOptions } from './onnx-runtime'

export interface ScoredSequence {
  /** beats * FEATURE_DIM row-major features. */
  features: Float32Array
  beats: number
  /** One action id per beat (at least `beats` entries). */
  actions: ArrayLike<number>
}

export interface RewardScorer {
  score(features: Float32Array, beats: number, actions: ArrayLike<number>): number
  /** One reward per sequence, same order; sequences of different lengths are padded and masked. */
  scoreBatch(items: readonly ScoredSequence[]): Float32Array
  dispose(): void
}

/** Sequences per onnxruntime run: bounds the padded batch's memory (B x 500 x 125 floats). */
const CHUNK = 16

function checkSequence(s: ScoredSequence, i: number, maxBeats: number): number {
  if (!Number.isInteger(s.beats) || s.beats <= 0)
    throw new AppFailure('validation', `sequence ${i}: beats must be a positive integer, got ${s.beats}`, 'beats')
  if (s.features.length !== s.beats * FEATURE_DIM)
    throw new AppFailure(
      'validation',
      `sequence ${i}: features has ${s.features.length} values, expected ${s.beats} x ${FEATURE_DIM} = ${s.beats * FEATURE_DIM}`,
      'features'
    )
  if (s.actions.length < s.beats)
    throw new AppFailure('validation', `sequence ${i}: ${s.actions.length} actions for ${s.beats} beats`, 'actions')
  return Math.min(s.beats, maxBeats)
}

/**
 * Scores sequences with an open session (padding to the longest in each chunk), each truncated to
 * `maxBeats` (the model's position table; MAX_BEATS unless the caller knows a smaller one).
 */
export function scoreSequences(
  session: OrtSession,
  items: readonly ScoredSequence[],
  maxBeats = MAX_BEATS
): Float32Array {
  const out = new Float32Array(items.length)
  for (let start = 0; start < items.length; start += CHUNK) {
    const chunk = items.slice(start, start + CHUNK)
    const lengths = chunk.map((s, j) => checkSequence(s, start + j, maxBeats))
    const T = Math.max(...lengths)
    const B = chunk.length
    const features = new Float32Array(B * T * FEATURE_DIM)
    const actionIds = new Int32Array(B * T)
    const mask = new Uint8Array(B * T)
    chunk.forEach((s, b) => {
      const n = lengths[b]!
      features.set(s.features.subarray(0, n * FEATURE_DIM), b * T * FEATURE_DIM)
      for (let t = 0; t < n; t++) {
        actionIds[b * T + t] = s.actions[t]!
        mask[b * T + t] = 1
      }
    })
    out.set(scoreRewardBatch(session, { features, actionIds, mask, batch: B, beats: T }), start)
  }
  return out
}

/** A scorer over one ONNX file with the documented reward signature. */
export function createRewardScorer(
  onnxPath: string,
  opts: OrtSessionOptions & { maxBeats?: number } = {}
): RewardScorer {
  const session = OrtSession.fromFile(onnxPath, opts)
  const maxBeats = opts.maxBeats ?? MAX_BEATS
  return {
    score: (features, beats, actions) => scoreSequences(session, [{ features, beats, actions }], maxBeats)[0]!,
    scoreBatch: (items) => scoreSequences(session, items, maxBeats),
    dispose: () => session.dispose()
  }
}

export interface EnsembleScores {
  /** Mean over members, per sequence. */
  mean: Float32Array
  /** Population standard deviation over members, per sequence (0 for a single member). */
  std: Float32Array
  /** members[k][i]: member k's reward for sequence i. */
  members: Float32Array[]
}

/** Several members of one ensemble version; their spread is the model's uncertainty. */
export interface EnsembleScorer {
  readonly size: number
  scoreBatch(items: readonly ScoredSequence[]): EnsembleScores
  dispose(): void
}

export function createEnsembleScorer(onnxPaths: readonly string[], opts: OrtSessionOptions = {}): EnsembleScorer {
  if (onnxPaths.length === 0) throw new AppFailure('validation', 'an ensemble needs at least one model file')
  const scorers: RewardScorer[] = []
  try {
    for (const p of onnxPaths) scorers.push(createRewardScorer(p, opts))
  } catch (e) {
    for (const s of scorers) s.dispose()
    throw e
  }
  return {
    size: scorers.length,
    scoreBatch(items) {
      const members = scorers.map((s) => s.scoreBatch(items))
      const K = members.length
      const mean = new Float32Array(items.length)
      const std = new Float32Array(items.length)
      for (let i = 0; i < items.length; i++) {
        let m = 0
        for (const r of members) m += r[i]!
        m /= K
        let v = 0
        for (const r of members) v += (r[i]! - m) ** 2
        mean[i] = m
        std[i] = Math.sqrt(v / K)
      }
      return { mean, std, members }
    },
    dispose: () => scorers.forEach((s) => s.dispose())
  }
}
