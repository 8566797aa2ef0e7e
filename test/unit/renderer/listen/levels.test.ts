import { describe, expect, it } from 'vitest'
import { matchedLevels } from '../../../../src/renderer/src/lib/loudness-match'
import { MIN_WAVEFORM_FRACTION, waveformWidthFraction } from '../../../../src/renderer/src/lib/waveform-width'

describe('loudness matching', () => {
  it('brings the louder side down to the quieter one, never boosting', () => {
    const l = matchedLevels({ a: -14, b: -20 }, true)
    expect(l.b).toBe(1)
    expect(20 * Math.log10(l.a)).toBeCloseTo(-6, 6)
    expect(l.r).toBe(1)
  })

  it('matches the original on R too: a louder original comes down to the edits', () => {
    const l = matchedLevels({ a: -18, b: -18, r: -12 }, true)
    expect(l.a).toBe(1)
    expect(l.b).toBe(1)
    expect(20 * Math.log10(l.r)).toBeCloseTo(-6, 6)
  })

  it('plays as rendered when matching is off or a loudness is unknown', () => {
    expect(matchedLevels({ a: -14, b: -20 }, false)).toEqual({ a: 1, b: 1, r: 1 })
    expect(matchedLevels({ a: -14, b: null }, true)).toEqual({ a: 1, b: 1, r: 1 })
  })
})

describe('waveform widths of two sides', () => {
  it('share one time scale but the shorter never gets too narrow to use', () => {
    expect(waveformWidthFraction(30, 60)).toBe(0.5)
    expect(waveformWidthFraction(60, 60)).toBe(1)
    // 5 s beside 500 s would be 1 % wide: it gets the minimum.
    expect(waveformWidthFraction(5, 500)).toBe(MIN_WAVEFORM_FRACTION)
    expect(waveformWidthFraction(5, 0)).toBe(1)
  })
})
