import { describe, it, expect } from 'vitest'
import { downsamplePeaks, minMaxBuckets } from '../../../src/shared/peaks'

describe('waveform envelope bucketing', () => {
  it('min and max per bucket of single values', () => {
    const v = [0.1, -0.5, 0.3, 0.9, -0.2, 0.0]
    expect(Array.from(minMaxBuckets(v.length, 3, (i) => v[i]!))).toEqual(
      [-0.5, 0.1, 0.3, 0.9, -0.2, 0].map(Math.fround)
    )
  })

  it('buckets beyond a short input are 0, 0 and every item still lands in a bucket', () => {
    const v = [0.5, -0.25]
    expect(Array.from(minMaxBuckets(v.length, 4, (i) => v[i]!))).toEqual([
      0.5, 0.5, 0.5, 0.5, -0.25, -0.25, -0.25, -0.25
    ])
    expect(Array.from(minMaxBuckets(0, 2, () => 1))).toEqual([0, 0, 0, 0])
  })

  it('strided reads stay inside the bucket and see its first item', () => {
    const n = 10_000
    let reads = 0
    const out = minMaxBuckets(
      n,
      2,
      (i) => {
        reads++
        return i < n / 2 ? 1 - i : i
      },
      undefined,
      100
    )
    expect(reads).toBeLessThanOrEqual(200)
    expect(out[1]).toBe(1) // bucket 0's first item is its maximum
    expect(out[2]).toBe(n / 2)
  })

  it('a stored envelope is reduced pair-wise, and returned as is when already small enough', () => {
    const stored = new Float32Array([-0.1, 0.2, -0.4, 0.1, -0.3, 0.5, -0.2, 0.3])
    expect(downsamplePeaks(stored, 2)).toEqual([-0.4, 0.2, -0.3, 0.5].map(Math.fround))
    expect(downsamplePeaks(stored, 4)).toEqual(Array.from(stored))
  })
})
