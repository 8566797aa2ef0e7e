import { describe, it, expect } from 'vitest'
import { extremeMeans, median, medianInPlace, meanStd } from '../../../../src/main/engines/analysis/stats'

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

  it('extremeMeans averages the count smallest and largest values of a range, as sorting would', () => {
    let seed = 7
    const a = Float64Array.from({ length: 300 }, () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff
      return seed / 0x7fffffff
    })
    const small = new Float64Array(8)
    const large = new Float64Array(8)
    const result = new Float64Array(2)
    for (const [lo, hi, count] of [
      [0, 299, 6],
      [40, 90, 3],
      [10, 12, 8] // fewer values than count: the means of what there is
    ] as const) {
      extremeMeans(a, lo, hi, count, small, large, result)
      const sorted = Array.from(a.subarray(lo, hi + 1)).sort((x, y) => x - y)
      const n = Math.min(count, sorted.length)
      const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length
      expect(result[0]).toBeCloseTo(mean(sorted.slice(0, n)), 12)
      expect(result[1]).toBeCloseTo(mean(sorted.slice(-n)), 12)
    }
  })
})
