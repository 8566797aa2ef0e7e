import { describe, it, expect } from 'vitest'
import { calibration, pairLogLoss, rewardMetrics, sigmoid } from '../../../../src/main/engines/ml/reward-metrics'

describe('reward-model metrics', () => {
  it('counts ties apart from accuracy and scores them as 0.5 targets in the log loss', () => {
    const m = rewardMetrics([
      { rChosen: 2, rRejected: 0, target: 1 }, // right
      { rChosen: 0, rRejected: 1, target: 1 }, // wrong
      { rChosen: 3, rRejected: 1, target: 1 }, // right
      { rChosen: 0.5, rRejected: 0, target: 0.5 } // tie
    ])
    expect(m).toMatchObject({ pairs: 4, decisive: 3, ties: 1 })
    expect(m.accuracy).toBeCloseTo(2 / 3, 12)
    const expected =
      (Math.log1p(Math.exp(-2)) +
        Math.log1p(Math.exp(1)) +
        Math.log1p(Math.exp(-2)) +
        (0.5 * Math.log1p(Math.exp(-0.5)) + 0.5 * Math.log1p(Math.exp(0.5)))) /
      4
    expect(m.logLoss).toBeCloseTo(expected, 12)
    expect(m.tieDeviation).toBeCloseTo(sigmoid(0.5) - 0.5, 12)
  })

  it('is perfectly calibrated when outcomes match the predicted probabilities, and not when overconfident', () => {
    // P = sigma(d) for d = ln(7/3) is 0.7: seven right and three wrong is exactly calibrated.
    const d = Math.log(7 / 3)
    const calibrated = [
      ...Array.from({ length: 7 }, () => ({ rChosen: d, rRejected: 0, target: 1 })),
      ...Array.from({ length: 3 }, () => ({ rChosen: 0, rRejected: d, target: 1 }))
    ]
    const c = calibration(calibrated)
    expect(c.bins).toHaveLength(1)
    expect(c.bins[0]).toMatchObject({ count: 10 })
    expect(c.bins[0]!.predicted).toBeCloseTo(0.7, 12)
    expect(c.ece).toBeCloseTo(0, 12)
    // Very confident (P ~ 1) but right only half the time: ECE near 0.5.
    const over = calibration([
      { rChosen: 9, rRejected: 0, target: 1 },
      { rChosen: 0, rRejected: 9, target: 1 }
    ])
    expect(over.ece).toBeGreaterThan(0.49)
  })

  it('dense agreement leaves out pairs the dense reward calls even', () => {
    const m = rewardMetrics([
      { rChosen: 1, rRejected: 0, target: 1, denseChosen: 0.4, denseRejected: 0.1 }, // agrees
      { rChosen: 1, rRejected: 0, target: 1, denseChosen: 0.1, denseRejected: 0.4 }, // disagrees
      { rChosen: 1, rRejected: 0, target: 1, denseChosen: 0, denseRejected: 0 } // even: not counted
    ])
    expect(m.denseAgreement).toBe(0.5)
  })

  it('computes the pairwise log loss stably for large margins', () => {
    expect(pairLogLoss(100, 1)).toBeCloseTo(0, 12)
    expect(pairLogLoss(-100, 1)).toBeCloseTo(100, 9)
    expect(pairLogLoss(0, 0.5)).toBeCloseTo(Math.log(2), 12)
  })
})
