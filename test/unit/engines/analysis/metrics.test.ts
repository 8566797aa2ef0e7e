import { describe, expect, it } from 'vitest'
import {
  continuity,
  evaluateBeats,
  fMeasure,
  metricalLevel,
  tempoAccuracy,
  trimBeats
} from '../../../../src/main/engines/analysis/metrics.js'

const grid = (start: number, period: number, count: number): Float64Array =>
  Float64Array.from({ length: count }, (_, i) => start + i * period)

describe('beat metrics (mir_eval conventions)', () => {
  const reference = grid(0.5, 0.5, 60)

  it('scores a perfect estimate 1 everywhere', () => {
    expect(fMeasure(reference, reference)).toBe(1)
    expect(continuity(reference, reference)).toEqual({ cmlc: 1, cmlt: 1, amlc: 1, amlt: 1 })
  })

  it('uses a +-70 ms window', () => {
    expect(
      fMeasure(
        reference,
        reference.map((t) => t + 0.06)
      )
    ).toBe(1)
    expect(
      fMeasure(
        reference,
        reference.map((t) => t + 0.08)
      )
    ).toBe(0)
  })

  it('double tempo: F = 2/3, CMLt 0, AMLt 1', () => {
    const double = grid(0.5, 0.25, 119)
    expect(fMeasure(reference, double)).toBeCloseTo(2 / 3, 2)
    const c = continuity(reference, double)
    expect(c.cmlt).toBe(0)
    expect(c.amlt).toBeGreaterThan(0.98)
    expect(metricalLevel(reference, double)).toBe('double')
  })

  it('off-beat estimate: F 0, AMLt 1', () => {
    const offBeat = reference.map((t) => t + 0.25)
    expect(fMeasure(reference, offBeat)).toBe(0)
    expect(continuity(reference, offBeat).amlt).toBeGreaterThan(0.98)
  })

  it('evaluateBeats trims the first 5 s like mir_eval.beat.evaluate', () => {
    expect(trimBeats(reference)[0]).toBe(5)
    const wrongStart = Float64Array.from(reference, (t) => (t < 5 ? t + 0.2 : t))
    expect(evaluateBeats(reference, wrongStart).fMeasure).toBe(1)
  })

  it('tempo accuracy within 4 %, octave-tolerant variant', () => {
    expect(tempoAccuracy(120, 124)).toEqual({ acc1: true, acc2: true })
    expect(tempoAccuracy(120, 126)).toEqual({ acc1: false, acc2: false })
    expect(tempoAccuracy(120, 241)).toEqual({ acc1: false, acc2: true })
  })
})
