import { ACTION_ID } from '../../../shared/actions'
import type { EditSegment } from '../../../shared/domain'
import { validateActions } from './rules'
import { jumpTarget, prepare, type Bar, type Prepared } from './prepared-song'
import { DEFAULT_SPLICE_FADE_MS, type EdlOptions, type EditDecisionList, type SongStructure } from './types'

const { KEEP, CUT, LOOP, CROSSFADE, REORDER, LOOP_BAR, FADE_IN, FADE_OUT, JUMP } = ACTION_ID

type Gain = EditSegment['gain']

/** One beat's audio placed in the output. */
export interface Unit {
  beat: number
  action: number
  cause: number
  gain: Gain
}

/** Playback order of source beats after REORDER swaps (each beat once; CUT beats included). */
export function playOrder(p: Prepared, actions: ArrayLike<number>): number[] {
  const order: number[] = []
  let i = 0
  while (i < p.n) {
    if (actions[i] === REORDER) {
      const b = p.barOf[i] as number
      const bar = p.bars[b] as Bar
      const next = p.bars[b + 1] as Bar
      for (let k = next.first; k < next.first + next.length; k++) order.push(k)
      for (let k = bar.first; k < bar.first + bar.length; k++) order.push(k)
      i = next.first + next.length
    } else order.push(i++)
  }
  return order
}

/** Expands an already validated action array into output units. */
export function planUnits(p: Prepared, actions: ArrayLike<number>): Unit[] {
  const units: Unit[] = []
  for (const k of playOrder(p, actions)) {
    const a = actions[k] as number
    switch (a) {
      case CUT:
        break
      case KEEP:
      case CROSSFADE:
      case REORDER:
        units.push({ beat: k, action: a, cause: k, gain: 'flat' })
        break
      case LOOP:
        units.push({ beat: k, action: a, cause: k, gain: 'flat' }, { beat: k, action: a, cause: k, gain: 'flat' })
        break
      case FADE_IN:
        units.push({ beat: k, action: a, cause: k, gain: 'fade_in' })
        break
      case FADE_OUT:
        units.push({ beat: k, action: a, cause: k, gain: 'fade_out' })
        break
      case LOOP_BAR: {
        units.push({ beat: k, action: a, cause: k, gain: 'flat' })
        const bar = p.bars[p.barOf[k] as number] as Bar
        for (let m = bar.first; m <= k; m++) units.push({ beat: m, action: a, cause: k, gain: 'flat' })
        break
      }
      case JUMP: {
        units.push({ beat: k, action: a, cause: k, gain: 'flat' })
        const j = jumpTarget(p, k)
        for (let m = j + 1; m <= k; m++) units.push({ beat: m, action: a, cause: k, gain: 'flat' })
        break
      }
      default:
        throw new Error(`unreachable: action ${a}`)
    }
  }
  return units
}

const gainAtStart = (g: Gain): number => (g === 'fade_in' ? 0 : 1)
const gainAtEnd = (g: Gain): number => (g === 'fade_out' ? 0 : 1)

/**
 * Source spans of the units: each beat's musical span [onset, next onset); the first unit gets the
 * lead-in [0, t0) when it is beat 0, the last unit gets the tail up to the song's end when it is the
 * last beat.
 */
function unitSpans(p: Prepared, units: Unit[]): { srcStart: Float64Array; srcEnd: Float64Array } {
  const srcStart = new Float64Array(units.length)
  const srcEnd = new Float64Array(units.length)
  units.forEach((u, k) => {
    srcStart[k] = p.start[u.beat] as number
    srcEnd[k] = p.end[u.beat] as number
  })
  if (units.length > 0) {
    if ((units[0] as Unit).beat === 0) srcStart[0] = 0
    if ((units[units.length - 1] as Unit).beat === p.n - 1) srcEnd[units.length - 1] = p.durationS
  }
  return { srcStart, srcEnd }
}

export function toSample(t: number, sampleRate: number): number {
  return Math.round(t * sampleRate)
}

/** Builds the EDL from prepared units (no validation). */
export function edlFromUnits(p: Prepared, units: Unit[], opts: EdlOptions = {}): EditDecisionList {
  const sr = p.s.sampleRate
  const spliceFade = Math.max(0, opts.spliceFadeMs ?? DEFAULT_SPLICE_FADE_MS) / 1000
  const { srcStart, srcEnd } = unitSpans(p, units)
  const segments: EditSegment[] = []
  let out = 0
  let prevEndSample = 0
  let prevDur = 0
  for (let k = 0; k < units.length; k++) {
    const u = units[k] as Unit
    const s0 = toSample(srcStart[k] as number, sr)
    const s1 = toSample(srcEnd[k] as number, sr)
    const dur = (s1 - s0) / sr
    let fadeIn = 0
    if (k > 0) {
      const prev = units[k - 1] as Unit
      const contiguous = s0 === prevEndSample && gainAtEnd(prev.gain) === gainAtStart(u.gain)
      if (!contiguous) {
        const wanted =
          prev.action === CROSSFADE && prev.cause === prev.beat
            ? (p.end[prev.beat] as number) - (p.start[prev.beat] as number)
            : spliceFade
        fadeIn = Math.min(wanted, prevDur, dur)
      }
    }
    segments.push({
      srcStart: srcStart[k] as number,
      srcEnd: srcEnd[k] as number,
      outStart: out / sr,
      fadeIn,
      gain: u.gain,
      beat: u.beat,
      action: u.action,
      cause: u.cause
    })
    out += s1 - s0
    prevEndSample = s1
    prevDur = dur
  }
  const first = segments[0]
  const last = segments[segments.length - 1]
  const startFade =
    first && toSample(first.srcStart, sr) > 0 && first.gain !== 'fade_in'
      ? Math.min(spliceFade, (first.srcEnd - first.srcStart) / 2)
      : 0
  const endFade =
    last && toSample(last.srcEnd, sr) < toSample(p.durationS, sr) && last.gain !== 'fade_out'
      ? Math.min(spliceFade, (last.srcEnd - last.srcStart) / 2)
      : 0
  return { sampleRate: sr, segments, outputSamples: out, outputDurationS: out / sr, startFade, endFade }
}

/**
 * The edit decision list of a valid action array: source segments in output order, exact output
 * length, and the crossfade at every splice. Deterministic given beats and features. Throws
 * AppFailure('validation') for invalid actions (validateActions).
 */
export function buildEditDecisionList(
  s: SongStructure,
  actions: ArrayLike<number>,
  opts: EdlOptions = {}
): EditDecisionList {
  validateActions(s, actions)
  const p = prepare(s)
  return edlFromUnits(p, planUnits(p, actions), opts)
}

/** Output length in samples of a valid action array (cheap: no segment objects). */
export function outputSamplesOf(p: Prepared, actions: ArrayLike<number>): number {
  const units = planUnits(p, actions)
  const { srcStart, srcEnd } = unitSpans(p, units)
  const sr = p.s.sampleRate
  let total = 0
  for (let k = 0; k < units.length; k++)
    total += toSample(srcEnd[k] as number, sr) - toSample(srcStart[k] as number, sr)
  return total
}

/** Seconds of output each beat's action produces (units it caused, lead-in and tail included); CUT beats give 0. */
export function contributions(p: Prepared, actions: ArrayLike<number>): Float64Array {
  const units = planUnits(p, actions)
  const { srcStart, srcEnd } = unitSpans(p, units)
  const sr = p.s.sampleRate
  const c = new Float64Array(p.n)
  units.forEach((u, k) => {
    c[u.cause] = (c[u.cause] as number) + (toSample(srcEnd[k] as number, sr) - toSample(srcStart[k] as number, sr)) / sr
  })
  return c
}
