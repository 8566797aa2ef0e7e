/** Min/max peaks of decoded audio for drawing, interleaved [min0, max0, min1, max1, ...] over a mono downmix. */
export function computePeaks(channels: readonly Float32Array[], buckets: number): Float32Array {
  const out = new Float32Array(buckets * 2)
  const first = channels[0]
  if (!first || first.length === 0 || buckets <= 0) return out
  const n = first.length
  const k = channels.length
  for (let b = 0; b < buckets; b++) {
    const from = Math.floor((b * n) / buckets)
    const to = Math.max(from + 1, Math.floor(((b + 1) * n) / buckets))
    let lo = Infinity
    let hi = -Infinity
    // Stride through long buckets: drawing needs the envelope, not every sample.
    const step = Math.max(1, Math.floor((to - from) / 512))
    for (let i = from; i < to && i < n; i += step) {
      let v = 0
      for (const ch of channels) v += ch[i] as number
      v /= k
      if (v < lo) lo = v
      if (v > hi) hi = v
    }
    out[2 * b] = lo === Infinity ? 0 : lo
    out[2 * b + 1] = hi === -Infinity ? 0 : hi
  }
  return out
}
