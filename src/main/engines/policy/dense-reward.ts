/**
 * The dense reward (docs/policy.md, "Dense reward"): every splice of an edit is scored on four
 * components in [0, 1], 25 % each; the episode earns the mean over its splices of 2 (score - 0.5), in
 * [-1, 1], so better-than-neutral splices gain and worse ones cost, an edit without splices earns 0, and
 * more splices do not earn more (it rewards how well an edit is made, not how much it edits; the scale
 * matches the normalised learned reward it is mixed with). Each splice's share goes to the beat whose
 * action made it. Starting or stopping mid-song without a fade costs 0.25 each.
 *
 * - tempo consistency: the beat lengths either side agree, and the bar count carries on across the join
 * - energy flow: the loudness (rel_rms) either side agrees
 * - phrase completeness: the join leaves and lands on phrase starts (1) or downbeats (0.5), not mid-bar (0)
 * - transition quality: what we hear next resembles what the song would have played there (feature
 *   distance across the join against the song's typical beat-to-beat step)
 */
import { ACTION_ID } from '../../../shared/actions'
import type { EditSegment } from '../../../shared/domain'
import { FEATURE_DIM } from '../../../shared/features'
import { buildEditDecisionList } from '../edits'
import { prepare, type Prepared } from '../edits/prepared-song'
import type { SongStructure } from '../edits/types'

/** rel_rms: beat mean RMS / song mean frame RMS (docs/features.md, index 106). */
export const REL_RMS_INDEX = 106
/** Neutral splice score: a splice scoring this earns nothing. */
export const SPLICE_NEUTRAL = 0.5
/** What an abrupt start or end (mid-song, no fade) costs. */
export const ABRUPT_BOUNDARY_COST = 0.25
/** How sharply a beat-length mismatch lowers tempo consistency (10 % longer -> ~0.62). */
const IBI_SHARPNESS = 5

export interface DenseComponents {
  tempo: number
  energy: number
  phrase: number
  transition: number
}

export interface SpliceScore extends DenseComponents {
  /** Last source beat before the join and first source beat after it. */
  from: number
  to: number
  /** Beat whose action made the splice (the step that earns its reward). */
  beat: number
  /** Mean of the four components, in [0, 1]. */
  score: number
}

export interface DenseEpisode {
  splices: SpliceScore[]
  /** Per-beat reward: the shares of the splices each beat's action made, plus the boundary costs. */
  perBeat: Float64Array
  /** Sum of perBeat. */
  total: number
  /** Mean component scores over the splices (1 each when there are none). */
  components: DenseComponents
  abruptStart: boolean
  abruptEnd: boolean
  outputDurationS: number
}

const stepCache = new WeakMap<Prepared, number>()

function featureDistance(p: Prepared, a: number, b: number): number {
  const f = p.s.features
  const oa = a * FEATURE_DIM
  const ob = b * FEATURE_DIM
  let s = 0
  for (let d = 0; d < FEATURE_DIM; d++) {
    const x = (f[oa + d] as number) - (f[ob + d] as number)
    if (Number.isFinite(x)) s += x * x
  }
  return Math.sqrt(s)
}

/** Median distance between consecutive beats: the song's natural step. */
function typicalStep(p: Prepared): number {
  const hit = stepCache.get(p)
  if (hit !== undefined) return hit
  const d: number[] = []
  for (let i = 0; i + 1 < p.n; i++) d.push(featureDistance(p, i, i + 1))
  d.sort((x, y) => x - y)
  const m = d.length === 0 ? 0 : (d[Math.floor(d.length / 2)] as number)
  stepCache.set(p, m)
  return m
}

const clamp01 = (x: number): number => (x < 0 ? 0 : x > 1 ? 1 : x)

/** 1 at a phrase start or the song's end, 0.5 at a downbeat, 0 mid-bar. */
function boundaryScore(p: Prepared, i: number): number {
  if (i >= p.n || i <= 0) return 1
  if (p.phraseFirst[i] === i) return 1
  return p.barPosition[i] === 0 ? 0.5 : 0
}

export function tempoConsistency(s: SongStructure, from: number, to: number): number {
  const p = prepare(s)
  const ia = (p.end[from] as number) - (p.start[from] as number)
  const ib = (p.end[to] as number) - (p.start[to] as number)
  const ibi = ia > 0 && ib > 0 ? Math.exp(-IBI_SHARPNESS * Math.abs(Math.log(ia / ib))) : 0
  const meter = p.barPosition[to] === ((p.barPosition[from] as number) + 1) % p.beatsPerBar ? 1 : 0
  return 0.5 * ibi + 0.5 * meter
}

export function energyFlow(s: SongStructure, from: number, to: number): number {
  const f = s.features
  const ra = Math.max(0, (f[from * FEATURE_DIM + REL_RMS_INDEX] as number) || 0)
  const rb = Math.max(0, (f[to * FEATURE_DIM + REL_RMS_INDEX] as number) || 0)
  return Math.exp(-Math.abs(Math.log((ra + 0.05) / (rb + 0.05))))
}

export function phraseCompleteness(s: SongStructure, from: number, to: number): number {
  const p = prepare(s)
  return (boundaryScore(p, from + 1) + boundaryScore(p, to)) / 2
}

export function transitionQuality(s: SongStructure, from: number, to: number): number {
  const p = prepare(s)
  const m = typicalStep(p)
  let sum = 0
  let k = 0
  // after `from` we hear `to` where the song played from+1; and `to` is heard after `from` instead of to-1
  if (from + 1 < p.n) {
    sum += featureDistance(p, from + 1, to)
    k++
  }
  if (to - 1 >= 0) {
    sum += featureDistance(p, from, to - 1)
    k++
  }
  if (k === 0) return 1
  const mean = sum / k
  if (m <= 0) return mean <= 0 ? 1 : 0
  return clamp01(Math.exp(-Math.max(0, mean / m - 1)))
}

export function scoreSplice(s: SongStructure, from: number, to: number, beat: number): SpliceScore {
  const c: DenseComponents = {
    tempo: tempoConsistency(s, from, to),
    energy: energyFlow(s, from, to),
    phrase: phraseCompleteness(s, from, to),
    transition: transitionQuality(s, from, to)
  }
  return { from, to, beat, ...c, score: (c.tempo + c.energy + c.phrase + c.transition) / 4 }
}

const { CUT, LOOP } = ACTION_ID

/** The beat whose action made the splice between segments a and b. */
function responsibleBeat(a: EditSegment, b: EditSegment, actions: ArrayLike<number>): number {
  if (b.cause !== b.beat) return b.cause // the repeat that LOOP_BAR / JUMP inserted
  if (a.beat === b.beat && a.action === LOOP) return a.beat
  if (b.beat > a.beat + 1 && actions[a.beat + 1] === CUT) return a.beat + 1 // a run of CUTs
  return Math.max(a.cause, b.cause)
}

/** Scores a finished edit: its splices, where each reward belongs, and the episode boundaries. */
export function denseEpisodeReward(s: SongStructure, actions: ArrayLike<number>): DenseEpisode {
  const p = prepare(s)
  const edl = buildEditDecisionList(s, actions)
  const segs = edl.segments
  const perBeat = new Float64Array(p.n)
  const splices: SpliceScore[] = []
  const sums: DenseComponents = { tempo: 0, energy: 0, phrase: 0, transition: 0 }
  for (let k = 1; k < segs.length; k++) {
    const a = segs[k - 1] as EditSegment
    const b = segs[k] as EditSegment
    if (!(b.fadeIn > 0)) continue
    const sp = scoreSplice(s, a.beat, b.beat, responsibleBeat(a, b, actions))
    splices.push(sp)
    sums.tempo += sp.tempo
    sums.energy += sp.energy
    sums.phrase += sp.phrase
    sums.transition += sp.transition
  }
  for (const sp of splices)
    perBeat[sp.beat] = (perBeat[sp.beat] as number) + (2 * (sp.score - SPLICE_NEUTRAL)) / splices.length
  const first = segs[0]
  const last = segs[segs.length - 1]
  const abruptStart = first !== undefined && first.beat > 0 && first.gain !== 'fade_in'
  const abruptEnd = last !== undefined && last.beat < p.n - 1 && last.gain !== 'fade_out'
  if (abruptStart && first) perBeat[first.cause] = (perBeat[first.cause] as number) - ABRUPT_BOUNDARY_COST
  // the early ending is settled by the last beat's decision
  if (abruptEnd) perBeat[p.n - 1] = (perBeat[p.n - 1] as number) - ABRUPT_BOUNDARY_COST
  let total = 0
  for (const r of perBeat) total += r
  const n = splices.length
  const components: DenseComponents =
    n === 0
      ? { tempo: 1, energy: 1, phrase: 1, transition: 1 }
      : { tempo: sums.tempo / n, energy: sums.energy / n, phrase: sums.phrase / n, transition: sums.transition / n }
  return { splices, perBeat, total, components, abruptStart, abruptEnd, outputDurationS: edl.outputDurationS }
}
