import { describe, expect, it } from 'vitest'
import type { EditSegment } from '../../../../src/shared/domain'
import { ACTION_ID } from '../../../../src/shared/actions'
import {
  barAround,
  barStarts,
  editMapSpans,
  formatTime,
  outputBeats,
  splices,
  stepBar
} from '../../../../src/renderer/src/lib/timeline'
import { computePeaks } from '../../../../src/renderer/src/lib/peaks'
import { voicePosition } from '../../../../src/renderer/src/audio/voice-position'

const BEAT = 0.5
const grid = {
  times: Array.from({ length: 16 }, (_, i) => i * BEAT),
  barPosition: Array.from({ length: 16 }, (_, i) => i % 4)
}
function seg(b: number, k: number, action: number = ACTION_ID.KEEP, fadeIn = 0): EditSegment {
  return {
    srcStart: b * BEAT,
    srcEnd: (b + 1) * BEAT,
    outStart: k * BEAT,
    fadeIn,
    gain: 'flat',
    beat: b,
    action,
    cause: b
  }
}

describe('output timeline of an edit', () => {
  // Beats 0-3 kept, 4-7 cut, 8-11 kept, beat 11 looped once.
  const segments = [0, 1, 2, 3, 8, 9, 10, 11, 11].map((b, k) =>
    seg(b, k, b === 11 ? ACTION_ID.LOOP : ACTION_ID.KEEP, k === 4 || k === 8 ? 0.015 : 0)
  )

  it('places source beats and downbeats in output time', () => {
    const beats = outputBeats(segments, grid)
    expect(beats.map((b) => b.t)).toEqual([0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4])
    expect(beats.filter((b) => b.downbeat).map((b) => b.t)).toEqual([0, 2])
    expect(barStarts(beats)).toEqual([0, 2])
  })

  it('finds the bar around the playhead and steps by bars', () => {
    const starts = [0, 2, 4]
    expect(barAround(starts, 2.7, 6)).toEqual({ startS: 2, endS: 4 })
    expect(barAround(starts, 5, 6)).toEqual({ startS: 4, endS: 6 })
    expect(stepBar(starts, 2.7, 1, 6)).toBe(4)
    expect(stepBar(starts, 2.7, -1, 6)).toBe(2)
    expect(stepBar(starts, 2.1, -1, 6)).toBe(0) // within the grace period: previous bar
    expect(stepBar(starts, 0.1, -1, 6)).toBe(0)
    expect(stepBar(starts, 5, 1, 6)).toBeCloseTo(5.95, 9)
  })

  it('marks splices where the source jumps or a crossfade starts', () => {
    const s = splices(segments)
    expect(s.map((x) => x.t)).toEqual([2, 4])
    expect(s[0]).toMatchObject({ action: 'KEEP', crossfadeS: 0.015 })
    expect(s[1]).toMatchObject({ action: 'LOOP' })
  })

  it('merges per-beat actions into edit-map spans on the source timeline', () => {
    const actions = [0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 2, 0, 0, 0, 0]
    expect(editMapSpans(actions, grid.times, 8.2)).toEqual([
      { startS: 0, endS: 2, action: 0 },
      { startS: 2, endS: 4, action: 1 },
      { startS: 4, endS: 5.5, action: 0 },
      { startS: 5.5, endS: 6, action: 2 },
      { startS: 6, endS: 8.2, action: 0 }
    ])
    expect(formatTime(75.25)).toBe('1:15.3')
  })
})

describe('player arithmetic', () => {
  it('computes peaks as min/max per bucket over the channel mean', () => {
    const l = Float32Array.from([0, 1, -1, 0.5])
    const r = Float32Array.from([0, 1, 1, 0.5])
    expect(Array.from(computePeaks([l, r], 2))).toEqual([0, 1, 0, 0.5])
  })

  it('follows a loop when computing the playhead', () => {
    expect(voicePosition(1, 0.5, null)).toBe(1.5)
    expect(voicePosition(1, 1.5, { startS: 1, endS: 2 })).toBeCloseTo(1.5, 9)
    expect(voicePosition(0.5, 2, { startS: 1, endS: 2 })).toBeCloseTo(1.5, 9)
  })
})
