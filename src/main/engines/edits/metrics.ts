import type { EditSegment } from '../../../shared/domain'
import { toSample } from './edl'
import type { AudioBuffers, EditDecisionList } from './types'

export interface SpliceClick {
  /** Output time of the splice, seconds. */
  outS: number
  /** Largest sample-to-sample step near the splice / largest step of the source material on either side (1 = no worse than the music). */
  discontinuity: number
  /** High-frequency (second-difference) energy near the splice relative to the louder of the two source sides, dB. */
  hfExcessDb: number
}

export interface SpliceClickReport {
  splices: number
  meanDiscontinuity: number
  maxDiscontinuity: number
  meanHfExcessDb: number
  maxHfExcessDb: number
  perSplice: SpliceClick[]
}

function maxStep(x: Float32Array, a: number, b: number): number {
  let m = 0
  for (let i = Math.max(1, a); i < Math.min(x.length, b); i++) {
    const d = Math.abs((x[i] as number) - (x[i - 1] as number))
    if (d > m) m = d
  }
  return m
}

function hfEnergy(x: Float32Array, a: number, b: number): number {
  let e = 0
  let count = 0
  for (let i = Math.max(2, a); i < Math.min(x.length, b); i++) {
    const d = (x[i] as number) - 2 * (x[i - 1] as number) + (x[i - 2] as number)
    e += d * d
    count++
  }
  return count > 0 ? e / count : 0
}

/**
 * Click metric at every splice of an EDL (places where the next segment does not continue the previous
 * one seamlessly): within +-windowMs (default 5 ms) of the splice in the rendered output it measures
 * the largest sample step and the mean squared second difference (a crude high-pass), each relative to
 * the same measure on the source around where the outgoing segment would have continued and around
 * where the incoming one starts. A clean splice scores ~1 and ~0 dB; a butt splice between unrelated
 * waveforms scores far higher. The worst channel counts. Gains of FADE_IN/FADE_OUT segments are not
 * compensated (compare edits without them).
 */
export function spliceClickMetric(
  source: AudioBuffers,
  edl: EditDecisionList,
  rendered: Float32Array[],
  opts: { windowMs?: number } = {}
): SpliceClickReport {
  const sr = source.sampleRate
  const w = Math.max(2, Math.round(((opts.windowMs ?? 5) / 1000) * sr))
  const perSplice: SpliceClick[] = []
  let o = 0
  let prev: EditSegment | undefined
  for (const seg of edl.segments) {
    const s0 = toSample(seg.srcStart, sr)
    const n = toSample(seg.srcEnd, sr) - s0
    if (prev) {
      const prevEnd = toSample(prev.srcEnd, sr)
      const gainJump = (prev.gain === 'fade_out') !== (seg.gain === 'fade_in')
      if (prevEnd !== s0 || gainJump) {
        let disc = 0
        let hf = -Infinity
        for (let c = 0; c < rendered.length; c++) {
          const y = rendered[c] as Float32Array
          const x = source.channels[c] as Float32Array
          const refStep = Math.max(maxStep(x, prevEnd - w, prevEnd + w), maxStep(x, s0 - w, s0 + w), 1e-9)
          disc = Math.max(disc, maxStep(y, o - w, o + w) / refStep)
          const refHf = Math.max(hfEnergy(x, prevEnd - w, prevEnd + w), hfEnergy(x, s0 - w, s0 + w))
          hf = Math.max(hf, 10 * Math.log10((hfEnergy(y, o - w, o + w) + 1e-20) / (refHf + 1e-20)))
        }
        perSplice.push({ outS: o / sr, discontinuity: disc, hfExcessDb: hf })
      }
    }
    o += n
    prev = seg
  }
  const m = perSplice.length
  const sum = (f: (x: SpliceClick) => number): number => perSplice.reduce((t, x) => t + f(x), 0)
  return {
    splices: m,
    meanDiscontinuity: m ? sum((x) => x.discontinuity) / m : 0,
    maxDiscontinuity: m ? Math.max(...perSplice.map((x) => x.discontinuity)) : 0,
    meanHfExcessDb: m ? sum((x) => x.hfExcessDb) / m : 0,
    maxHfExcessDb: m ? Math.max(...perSplice.map((x) => x.hfExcessDb)) : 0,
    perSplice
  }
}
