/**
 * Output time <-> source time for an edit's segments (docs/actions.md, "Time map"). Pure functions with
 * no Node imports: the main process and the browser A/B player share them. Segments are in output
 * order, each playing [srcStart, srcEnd) from outStart; crossfades are centred on segment starts, so
 * the map follows segment boundaries.
 */
import type { EditSegment } from './domain'

export interface SourcePosition {
  /** Source time in seconds. */
  srcS: number
  /** Index of the segment playing at that output time; -1 when the edit is empty. */
  segmentIndex: number
  /** Source beat of that segment; -1 when the edit is empty. */
  beat: number
}

function segmentLength(seg: EditSegment): number {
  return seg.srcEnd - seg.srcStart
}

/** Output duration implied by the segments (the last segment's end). */
export function outputDurationOf(segments: readonly EditSegment[]): number {
  const last = segments[segments.length - 1]
  return last ? last.outStart + segmentLength(last) : 0
}

/**
 * The source time heard at output time `outS` (clamped to the edit). Segment i covers
 * [outStart_i, outStart_{i+1}); the very end maps to the last segment's srcEnd.
 */
export function outputToSource(segments: readonly EditSegment[], outS: number): SourcePosition {
  const n = segments.length
  if (n === 0) return { srcS: 0, segmentIndex: -1, beat: -1 }
  const t = Number.isFinite(outS) ? Math.max(0, outS) : 0
  let lo = 0
  let hi = n - 1
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1
    if ((segments[mid] as EditSegment).outStart <= t) lo = mid
    else hi = mid - 1
  }
  const seg = segments[lo] as EditSegment
  const srcS = Math.min(seg.srcEnd, seg.srcStart + (t - seg.outStart))
  return { srcS, segmentIndex: lo, beat: seg.beat }
}

/**
 * The first output time at which source time `srcS` plays, or null if the edit never plays it
 * (cut). Segments are half-open [srcStart, srcEnd); the song's very last instant maps to the end of
 * a segment that ends there.
 */
export function sourceToOutput(segments: readonly EditSegment[], srcS: number): number | null {
  if (!Number.isFinite(srcS)) return null
  for (const seg of segments) if (seg.srcStart <= srcS && srcS < seg.srcEnd) return seg.outStart + (srcS - seg.srcStart)
  for (const seg of segments) if (srcS === seg.srcEnd) return seg.outStart + segmentLength(seg)
  return null
}

/** Every output time at which source time `srcS` plays (loops and repeats play it more than once). */
export function sourceToOutputAll(segments: readonly EditSegment[], srcS: number): number[] {
  const times: number[] = []
  for (const seg of segments)
    if (seg.srcStart <= srcS && srcS < seg.srcEnd) times.push(seg.outStart + (srcS - seg.srcStart))
  return times
}
