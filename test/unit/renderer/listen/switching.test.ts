import { describe, expect, it } from 'vitest'
import type { EditSegment } from '../../../../src/shared/domain'
import { ACTION_ID } from '../../../../src/shared/actions'
import {
  mapRegion,
  relativePosition,
  sourcePositionAt,
  switchTarget,
  type TimelineSide
} from '../../../../src/renderer/src/lib/switching'

const BEAT = 0.5

/** An edit playing the listed source beats (0.5 s each) in order, back to back. */
function side(beats: number[], action = ACTION_ID.KEEP): TimelineSide {
  const segments: EditSegment[] = beats.map((b, k) => ({
    srcStart: b * BEAT,
    srcEnd: (b + 1) * BEAT,
    outStart: k * BEAT,
    fadeIn: 0,
    gain: 'flat',
    beat: b,
    action,
    cause: b
  }))
  return { segments, durationS: beats.length * BEAT }
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i)

describe('A<->B switching keeps the source position', () => {
  const whole = side(range(0, 16)) // identity, 8 s
  const cutMiddle = side([...range(0, 4), ...range(8, 16)]) // beats 4..7 cut, 6 s

  it('maps output -> source -> output when the other edit plays that source beat', () => {
    // 5.2 s into the whole song is source 5.2 s; in the cut edit that is 5.2 - 2 = 3.2 s.
    const t = switchTarget(whole, cutMiddle, 5.2)
    expect(t.mode).toBe('source')
    expect(t.srcS).toBeCloseTo(5.2, 9)
    expect(t.outS).toBeCloseTo(3.2, 9)
    // And back: the round trip lands where it started.
    const back = switchTarget(cutMiddle, whole, t.outS)
    expect(back.mode).toBe('source')
    expect(back.outS).toBeCloseTo(5.2, 9)
  })

  it('keeps the same place inside the beat before a cut', () => {
    const t = switchTarget(whole, cutMiddle, 1.9)
    expect(t).toEqual({
      outS: expect.closeTo(1.9, 9) as number,
      mode: 'source',
      srcS: expect.closeTo(1.9, 9) as number
    })
  })

  it('falls back to the same relative position when the other edit cut that source beat', () => {
    // Source 3.0 s (beat 6) is cut in `cutMiddle`.
    const t = switchTarget(whole, cutMiddle, 3.0)
    expect(t.mode).toBe('relative')
    expect(t.outS).toBeCloseTo((3.0 / 8) * 6, 9)
    expect(relativePosition(whole, cutMiddle, 8)).toBeCloseTo(6, 9)
  })

  it('picks the occurrence nearest the relative position when the target plays a beat twice', () => {
    // Beat 2 looped: 0 1 2 2 3 -> source 1.2 s plays at 1.2 and at 1.7 in the output.
    const looped = side([0, 1, 2, 2, 3], ACTION_ID.LOOP)
    const plain = side([0, 1, 2, 3]) // 2 s
    const early = switchTarget(plain, looped, 1.2)
    expect(early.mode).toBe('source')
    // Relative position of 1.2/2 in 2.5 s is 1.5: the nearer occurrence is 1.7.
    expect(early.outS).toBeCloseTo(1.7, 9)
    // Switching from the second loop pass back maps to the single occurrence.
    expect(switchTarget(looped, plain, 1.7).outS).toBeCloseTo(1.2, 9)
  })

  it('follows reordered bars', () => {
    // Bars of 4 beats swapped: 4..7 first, then 0..3.
    const reordered = side([...range(4, 8), ...range(0, 4), ...range(8, 16)], ACTION_ID.REORDER)
    expect(switchTarget(whole, reordered, 0.25).outS).toBeCloseTo(2.25, 9)
    expect(switchTarget(reordered, whole, 0.25).outS).toBeCloseTo(2.25, 9)
    expect(sourcePositionAt(reordered, 2.1)).toBeCloseTo(0.1, 9)
  })

  it('never lands past the end of the target', () => {
    const short = side(range(0, 4))
    const t = switchTarget(whole, short, 7.99)
    expect(t.mode).toBe('relative')
    expect(t.outS).toBeLessThanOrEqual(short.durationS)
    expect(switchTarget(side([]), whole, 1).outS).toBe(0)
  })

  it('carries a loop region across by source position, or relatively when it cannot', () => {
    const r = mapRegion(whole, cutMiddle, { startS: 4, endS: 6 })
    expect(r.startS).toBeCloseTo(2, 3)
    expect(r.endS).toBeCloseTo(4, 3)
    // A region over the cut beats maps relatively.
    const cut = mapRegion(whole, cutMiddle, { startS: 2, endS: 4 })
    expect(cut.startS).toBeCloseTo(1.5, 9)
    expect(cut.endS).toBeCloseTo(3, 9)
  })
})
