/**
 * Musical grid of an edit's *output*: where the source beats and downbeats land after the edit, for
 * bar navigation, the L loop and the splice markers. Pure.
 */
import type { BeatGrid, EditSegment } from '../../../shared/domain'
import { ACTIONS } from '../../../shared/actions'

export interface OutputBeat {
  t: number
  downbeat: boolean
}

/** Output times of the source beat onsets each segment plays, in output order. */
export function outputBeats(
  segments: readonly EditSegment[],
  grid: Pick<BeatGrid, 'times' | 'barPosition'>
): OutputBeat[] {
  const beats: OutputBeat[] = []
  for (const seg of segments) {
    const onset = grid.times[seg.beat]
    if (onset === undefined || onset < seg.srcStart || onset >= seg.srcEnd) continue
    const t = seg.outStart + (onset - seg.srcStart)
    const last = beats[beats.length - 1]
    if (last && t <= last.t + 1e-6) continue
    beats.push({ t, downbeat: grid.barPosition[seg.beat] === 0 })
  }
  return beats
}

/** Output times of the downbeats (bar starts), always starting with 0. */
export function barStarts(beats: readonly OutputBeat[]): number[] {
  const starts = beats.filter((b) => b.downbeat).map((b) => b.t)
  if (starts.length === 0 || (starts[0] as number) > 1e-3) starts.unshift(0)
  return starts
}

/** The bar [start, end) containing `pos`; the last bar ends at the edit's end. */
export function barAround(starts: readonly number[], pos: number, durationS: number): { startS: number; endS: number } {
  let i = 0
  while (i + 1 < starts.length && (starts[i + 1] as number) <= pos) i++
  const startS = starts[i] ?? 0
  const endS = starts[i + 1] ?? durationS
  return { startS, endS: Math.max(endS, Math.min(durationS, startS + 0.25)) }
}

/**
 * Where ±1 bar goes from `pos`: forward to the next bar start; back to the start of the current bar,
 * or of the previous one when the playhead is within `graceS` of the current bar's start.
 */
export function stepBar(
  starts: readonly number[],
  pos: number,
  delta: -1 | 1,
  durationS: number,
  graceS = 0.3
): number {
  if (delta === 1) {
    const next = starts.find((s) => s > pos + 1e-3)
    return next === undefined ? Math.max(0, durationS - 0.05) : next
  }
  let i = 0
  while (i + 1 < starts.length && (starts[i + 1] as number) <= pos) i++
  if (pos - (starts[i] ?? 0) < graceS && i > 0) i--
  return starts[i] ?? 0
}

export interface Splice {
  /** Output time of the splice. */
  t: number
  /** Name of the action that caused the discontinuity (LOOP, CUT-neighbour KEEP, REORDER, ...). */
  action: string
  crossfadeS: number
}

/** Output times where the edit jumps in the source (or changes gain): the places to listen for seams. */
export function splices(segments: readonly EditSegment[]): Splice[] {
  const out: Splice[] = []
  for (let i = 1; i < segments.length; i++) {
    const prev = segments[i - 1] as EditSegment
    const seg = segments[i] as EditSegment
    const jump = Math.abs(seg.srcStart - prev.srcEnd) > 1e-4
    if (jump || seg.fadeIn > 0)
      out.push({ t: seg.outStart, action: ACTIONS[seg.action] ?? String(seg.action), crossfadeS: seg.fadeIn })
  }
  return out
}

export interface MapSpan {
  /** Source range, seconds. */
  startS: number
  endS: number
  action: number
}

/**
 * What an edit did to each stretch of the source, from its per-beat actions: consecutive beats with
 * the same action are merged. Beat i spans [times[i], times[i+1]); the first span starts at 0, the
 * last ends at the song's end.
 */
export function editMapSpans(actions: readonly number[], times: readonly number[], songDurationS: number): MapSpan[] {
  const spans: MapSpan[] = []
  const n = Math.min(actions.length, times.length)
  for (let i = 0; i < n; i++) {
    const startS = i === 0 ? 0 : (times[i] as number)
    const endS = i + 1 < n ? (times[i + 1] as number) : songDurationS
    const action = actions[i] as number
    const last = spans[spans.length - 1]
    if (last && last.action === action && Math.abs(last.endS - startS) < 1e-6) last.endS = endS
    else spans.push({ startS, endS, action })
  }
  return spans
}

/** mm:ss.s */
export function formatTime(s: number): string {
  const t = Math.max(0, s)
  const m = Math.floor(t / 60)
  const sec = t - m * 60
  return `${m}:${sec < 10 ? '0' : ''}${sec.toFixed(1)}`
}
