/**
 * A simulated annotator (Christiano 2017's synthetic oracle, with B-Pref's noisy-teacher knobs), so
 * the whole feedback loop can be exercised without a person. Its hidden preference over edits is
 * documented in docs/reward-models.md; in short, an edit scores in [0, 1] as
 *
 *   0.35 length    1 - |output share of the song - 0.7| / 0.35, floored at 0
 *   0.30 splices   per splice: 0.7 if it leaves at a bar end and lands on a downbeat, + 0.3 if it
 *                  lands on a phrase start; mean over splices (1 without splices)
 *   0.20 energy    share of splices whose loudness (rel_rms) step is at most 0.5
 *   0.15 fades     1 - (FADE_IN/FADE_OUT beats more than 4 beats inside the song) / 4, floored at 0
 *
 * The judge prefers the higher score; with probability `noise` it answers a or b uniformly at
 * random (Christiano's 10 % error model); scores within `tieMargin` are called a tie; a share
 * `skipRate` of pairs is skipped; a gap over `strongMargin` is "much better" (strength 2).
 */
import { ACTION_ID } from '../../../shared/actions'
import { FEATURE_DIM } from '../../../shared/features'
import type { EditSegment, VerdictChoice } from '../../../shared/domain'
import { buildEditDecisionList } from './edl'
import type { SongStructure } from './types'

export const HIDDEN_TARGET_SHARE = 0.7
const REL_RMS = 106
const JARRING_RMS_STEP = 0.5
const FADE_EDGE_BEATS = 4
export const HIDDEN_WEIGHTS = { length: 0.35, splices: 0.3, energy: 0.2, fades: 0.15 } as const

export interface HiddenPreference {
  score: number
  length: number
  splices: number
  energy: number
  fades: number
}

export function hiddenPreference(s: SongStructure, actions: ArrayLike<number>): HiddenPreference {
  const n = s.beatTimes.length
  const edl = buildEditDecisionList(s, actions)
  const share = s.durationS > 0 ? edl.outputDurationS / s.durationS : 0
  const length = Math.max(0, 1 - Math.abs(share - HIDDEN_TARGET_SHARE) / 0.35)
  let spliceSum = 0
  let smooth = 0
  let splices = 0
  const segs = edl.segments
  for (let k = 1; k < segs.length; k++) {
    const a = segs[k - 1] as EditSegment
    const b = segs[k] as EditSegment
    if (!(b.fadeIn > 0)) continue
    splices++
    const leavesBarEnd = a.beat + 1 >= n || s.barPosition[a.beat + 1] === 0
    const landsDownbeat = s.barPosition[b.beat] === 0
    spliceSum += (leavesBarEnd && landsDownbeat ? 0.7 : 0) + (s.phraseStart[b.beat] === 1 ? 0.3 : 0)
    const step = Math.abs(
      (s.features[a.beat * FEATURE_DIM + REL_RMS] as number) - (s.features[b.beat * FEATURE_DIM + REL_RMS] as number)
    )
    if (step <= JARRING_RMS_STEP) smooth++
  }
  let midFades = 0
  for (let i = FADE_EDGE_BEATS; i < n - FADE_EDGE_BEATS; i++) {
    const a = actions[i]
    if (a === ACTION_ID.FADE_IN || a === ACTION_ID.FADE_OUT) midFades++
  }
  const parts = {
    length,
    splices: splices === 0 ? 1 : spliceSum / splices,
    energy: splices === 0 ? 1 : smooth / splices,
    fades: Math.max(0, 1 - midFades / 4)
  }
  const w = HIDDEN_WEIGHTS
  const score = w.length * parts.length + w.splices * parts.splices + w.energy * parts.energy + w.fades * parts.fades
  return { score, ...parts }
}

export interface SimulatedJudgeOptions {
  /** Probability of a uniformly random a/b answer (default 0.1). */
  noise?: number
  /** Score gap below which the verdict is a tie (default 0.01). */
  tieMargin?: number
  /** Share of pairs skipped (default 0). */
  skipRate?: number
  /** Score gap above which the verdict is strength 2 (default 0.15). */
  strongMargin?: number
}

export interface SimulatedVerdict {
  verdict: VerdictChoice
  strength: 1 | 2 | null
  /** Hidden scores of the two sides as shown. */
  scoreA: number
  scoreB: number
  /** True when the noise model answered instead of the preference. */
  noisy: boolean
}

/** One verdict on (A, B) as shown; `random` is a uniform [0, 1) source (seeded by the caller). */
export function simulatedVerdict(
  scoreA: number,
  scoreB: number,
  random: () => number,
  opts: SimulatedJudgeOptions = {}
): SimulatedVerdict {
  const noise = opts.noise ?? 0.1
  const tieMargin = opts.tieMargin ?? 0.01
  const skipRate = opts.skipRate ?? 0
  const strongMargin = opts.strongMargin ?? 0.15
  const base = { scoreA, scoreB }
  if (random() < skipRate) return { ...base, verdict: 'skip', strength: null, noisy: false }
  if (random() < noise) return { ...base, verdict: random() < 0.5 ? 'a' : 'b', strength: 1, noisy: true }
  const d = scoreA - scoreB
  if (Math.abs(d) < tieMargin) return { ...base, verdict: 'tie', strength: null, noisy: false }
  return { ...base, verdict: d > 0 ? 'a' : 'b', strength: Math.abs(d) > strongMargin ? 2 : 1, noisy: false }
}
