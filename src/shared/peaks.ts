/**
 * Waveform envelopes, one bucketing for every place that draws or stores one: the analysis (samples
 * to the stored envelope), the API (a stored envelope reduced for display) and the renderer (decoded
 * audio to the drawn envelope).
 */

/**
 * Min/max of `items` values in `buckets` equal buckets, interleaved [min0, max0, min1, max1, ...].
 * `low(i)` is item i's value (or its minimum, with `high(i)` its maximum, for an envelope of min/max
 * pairs). Long buckets read at most `maxReadsPerBucket` items, evenly strided (drawing needs the
 * envelope, not every sample). A bucket with no items is 0, 0.
 */
export function minMaxBuckets(
  items: number,
  buckets: number,
  low: (i: number) => number,
  high?: (i: number) => number,
  maxReadsPerBucket = Infinity
): Float32Array {
  const count = Math.max(0, Math.floor(buckets))
  const out = new Float32Array(2 * count)
  for (let b = 0; b < count; b++) {
    const from = Math.floor((b * items) / count)
    const to = Math.min(items, Math.max(from + 1, Math.floor(((b + 1) * items) / count)))
    const step = Math.max(1, Math.floor((to - from) / maxReadsPerBucket))
    let lo = Infinity
    let hi = -Infinity
    for (let i = from; i < to; i += step) {
      const l = low(i)
      const h = high === undefined ? l : high(i)
      if (l < lo) lo = l
      if (h > hi) hi = h
    }
    out[2 * b] = lo === Infinity ? 0 : lo
    out[2 * b + 1] = hi === -Infinity ? 0 : hi
  }
  return out
}

/** A stored envelope (interleaved min/max pairs) reduced to at most `buckets` pairs for display. */
export function downsamplePeaks(stored: ArrayLike<number>, buckets: number): number[] {
  const pairs = Math.floor(stored.length / 2)
  if (pairs <= buckets) return Array.from(stored)
  return Array.from(
    minMaxBuckets(
      pairs,
      buckets,
      (i) => stored[2 * i]!,
      (i) => stored[2 * i + 1]!
    )
  )
}
