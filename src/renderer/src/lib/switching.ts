/**
 * Where playback lands when the listener switches A<->B: the same *source* position when the other
 * edit plays that source time (via the edits' output->source time maps), otherwise the same relative
 * position. Pure: no DOM, no audio, tested in Node.
 */
import type { EditSegment } from '../../../shared/domain'
import { outputToSource, sourceToOutputAll } from '../../../shared/timemap'

export interface TimelineSide {
  segments: readonly EditSegment[]
  durationS: number
}

export interface SwitchTarget {
  /** Output time in the target edit, seconds. */
  outS: number
  /** 'source': same source position; 'relative': same fraction of the edit (source not in the target). */
  mode: 'source' | 'relative'
  /** Source time heard in the edit being left. */
  srcS: number
}

const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x))

/** Same fraction of the target's length as `outS` is of the source side's length. */
export function relativePosition(from: TimelineSide, to: TimelineSide, outS: number): number {
  if (from.durationS <= 0) return 0
  return clamp((outS / from.durationS) * to.durationS, 0, Math.max(0, to.durationS))
}

/**
 * The target position for a switch at output time `outS` of `from`. When the target plays the source
 * time more than once (loops, repeats), the occurrence nearest the relative position wins, so the
 * listener stays in the same part of the edit.
 */
export function switchTarget(from: TimelineSide, to: TimelineSide, outS: number): SwitchTarget {
  const { srcS, segmentIndex } = outputToSource(from.segments, outS)
  const relative = relativePosition(from, to, outS)
  if (segmentIndex >= 0) {
    const candidates = sourceToOutputAll(to.segments, srcS).filter((t) => t >= 0 && t < to.durationS)
    if (candidates.length > 0) {
      let best = candidates[0] as number
      for (const c of candidates) if (Math.abs(c - relative) < Math.abs(best - relative)) best = c
      return { outS: best, mode: 'source', srcS }
    }
  }
  return { outS: relative, mode: 'relative', srcS }
}

export interface Region {
  startS: number
  endS: number
}

/** Shortest loop the player accepts (webMUSHRA uses 0.5 s; a beat at 240 bpm is 0.25 s). */
export const MIN_LOOP_S = 0.25

/**
 * Carries a loop region across a switch: both ends by source position when both map into the target
 * in order, else the same relative region.
 */
export function mapRegion(from: TimelineSide, to: TimelineSide, region: Region): Region {
  const s = switchTarget(from, to, region.startS)
  // The end is exclusive: map the instant just before it so a region ending on a splice stays in its segment.
  const e = switchTarget(from, to, Math.max(region.startS, region.endS - 1e-4))
  if (s.mode === 'source' && e.mode === 'source' && e.outS - s.outS >= MIN_LOOP_S - 1e-3)
    return { startS: s.outS, endS: Math.min(to.durationS, e.outS + 1e-4) }
  return {
    startS: relativePosition(from, to, region.startS),
    endS: relativePosition(from, to, region.endS)
  }
}

/** The source position heard at output time `outS` (for the edit map playhead and tests). */
export function sourcePositionAt(side: TimelineSide, outS: number): number {
  return outputToSource(side.segments, outS).srcS
}
