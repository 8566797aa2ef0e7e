import { describe, it, expect } from 'vitest'
import { median, medianInPlace, meanStd } from '../../../../src/main/engines/analysis/stats'

describe('analysis statistics', () => {
  it('median is the upper middle of the sorted values, 0 for none', () => {
    expect(median([3, 1, 2])).toBe(2)
    expect(median([4, 1, 3, 2])).toBe(3)
    expect(median([])).toBe(0)
    expect(median([10, -1, 2, 100, 3])).toBe(3)
  })

  it('medianInPlace agrees with median on a prefix and leaves it sorted', () => {
    const buf = new Float64Array([5, 9, 1, 7, 3, 42, 42])
    expect(medianInPlace(buf, 5)).toBe(median([5, 9, 1, 7, 3]))
    expect(Array.from(buf.subarray(0, 5))).toEqual([1, 3, 5, 7, 9])
    expect(buf[5]).toBe(42)
  })

  it('meanStd reads one strided column over a frame range', () => {
    // two columns interleaved: column 1 is 2, 4, 6, 8 over frames 0..3
    const values = new Float32Array([0, 2, 0, 4, 0, 6, 0, 8])
    const [mean, std] = meanStd(values, 2, 1, 0, 4)
    expect(mean).toBe(5)
    expect(std).toBeCloseTo(Math.sqrt(5), 12)
    expect(meanStd(values, 2, 1, 1, 3)).toEqual([5, 1])
  })
})
