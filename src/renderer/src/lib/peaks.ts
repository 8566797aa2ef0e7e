import { minMaxBuckets } from '../../../shared/peaks'

/** Min/max peaks of decoded audio for drawing, interleaved [min0, max0, min1, max1, ...] over a mono downmix. */
export function computePeaks(channels: readonly Float32Array[], buckets: number): Float32Array {
  const first = channels[0]
  if (!first || first.length === 0 || buckets <= 0) return new Float32Array(Math.max(0, buckets) * 2)
  const k = channels.length
  const mono = (i: number): number => {
    let v = 0
    for (const ch of channels) v += ch[i] as number
    return v / k
  }
  // Stride through long buckets: drawing needs the envelope, not every sample.
  return minMaxBuckets(first.length, buckets, mono, undefined, 512)
}
