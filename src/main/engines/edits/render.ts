import { ACTION_ID } from '../../../shared/actions'
import type { EditSegment } from '../../../shared/domain'
import { AppFailure } from '../../../shared/result'
import { toSample } from './edl'
import type { AudioBuffers, EditDecisionList, RenderOptions } from './types'

const HALF_PI = Math.PI / 2

/** Sample layout of one segment at the render rate. */
interface Placed {
  s0: number
  n: number
  o: number
  /** Crossfade length (samples) into this segment, centred on o: floor(L/2) before o, the rest after. */
  fade: number
  gain: EditSegment['gain']
}

function layout(edl: EditDecisionList, sr: number, spliceFadeMs: number | undefined): Placed[] {
  const placed: Placed[] = []
  let o = 0
  const segs = edl.segments
  for (let k = 0; k < segs.length; k++) {
    const seg = segs[k] as EditSegment
    const s0 = toSample(seg.srcStart, sr)
    const n = toSample(seg.srcEnd, sr) - s0
    if (n < 0) throw new AppFailure('validation', `segment ${k} ends before it starts`, `segments[${k}]`)
    let fadeS = seg.fadeIn
    if (k > 0 && fadeS > 0 && spliceFadeMs !== undefined && (segs[k - 1] as EditSegment).action !== ACTION_ID.CROSSFADE)
      fadeS = Math.max(0, spliceFadeMs) / 1000
    let fade = Math.round(fadeS * sr)
    if (k === 0) fade = 0
    else fade = Math.min(fade, n, (placed[k - 1] as Placed).n)
    placed.push({ s0, n, o, fade, gain: seg.gain })
    o += n
  }
  return placed
}

/**
 * Renders an EDL from the original audio: every segment is copied sample-accurately, and every splice
 * gets an equal-power (sin/cos) crossfade centred on the boundary: the outgoing segment plays on past
 * its end while the incoming one starts early, so the output length is exactly the sum of segment
 * lengths. Source samples outside the file read as silence. Returns one Float32Array per input channel.
 */
export function renderEdit(audio: AudioBuffers, edl: EditDecisionList, opts: RenderOptions = {}): Float32Array[] {
  const sr = audio.sampleRate
  if (!(sr > 0)) throw new AppFailure('validation', `audio sample rate must be positive, got ${sr}`, 'audio.sampleRate')
  if (audio.channels.length === 0) throw new AppFailure('validation', 'audio has no channels', 'audio.channels')
  const placed = layout(edl, sr, opts.spliceFadeMs)
  const total = placed.reduce((t, p) => t + p.n, 0)
  const startFade = Math.round(
    (opts.spliceFadeMs !== undefined && edl.startFade > 0 ? Math.max(0, opts.spliceFadeMs) / 1000 : edl.startFade) * sr
  )
  const endFade = Math.round(
    (opts.spliceFadeMs !== undefined && edl.endFade > 0 ? Math.max(0, opts.spliceFadeMs) / 1000 : edl.endFade) * sr
  )

  // Shared ramps: fade-in weights per distinct fade length.
  const ramps = new Map<number, Float32Array>()
  const ramp = (len: number): Float32Array => {
    let r = ramps.get(len)
    if (!r) {
      r = new Float32Array(len)
      for (let i = 0; i < len; i++) r[i] = Math.sin((HALF_PI * (i + 0.5)) / len)
      ramps.set(len, r)
    }
    return r
  }

  return audio.channels.map((src) => {
    const out = new Float32Array(total)
    const srcLen = src.length
    const read = (i: number): number => (i >= 0 && i < srcLen ? (src[i] as number) : 0)
    for (let k = 0; k < placed.length; k++) {
      const seg = placed[k] as Placed
      const next = placed[k + 1]
      const inLen = seg.fade
      const inBefore = inLen >> 1
      const outLen = next ? next.fade : 0
      const outBefore = outLen >> 1
      // Output range this segment touches: [a, b); fade-in over [a, a+inLen), fade-out over [b-outLen, b).
      const a = seg.o - inBefore
      const b = seg.o + seg.n + (outLen - outBefore)
      const midA = a + inLen
      const midB = b - outLen
      const delta = seg.s0 - seg.o // source index = output index + delta
      const env = (i: number): number => {
        if (seg.gain === 'flat' || seg.n === 0) return 1
        const x = Math.min(1, Math.max(0, (i + delta - seg.s0 + 0.5) / seg.n))
        return seg.gain === 'fade_in' ? Math.sin(HALF_PI * x) : Math.cos(HALF_PI * x)
      }
      if (inLen > 0) {
        const r = ramp(inLen)
        for (let i = a; i < midA; i++) out[i] = (out[i] as number) + read(i + delta) * env(i) * (r[i - a] as number)
      }
      if (midB > midA) {
        if (seg.gain === 'flat' && midA + delta >= 0 && midB + delta <= srcLen)
          out.set(src.subarray(midA + delta, midB + delta), midA)
        else for (let i = midA; i < midB; i++) out[i] = read(i + delta) * env(i)
      }
      if (outLen > 0) {
        const r = ramp(outLen)
        for (let i = midB; i < b; i++)
          out[i] = (out[i] as number) + read(i + delta) * env(i) * (r[outLen - 1 - (i - midB)] as number)
      }
    }
    if (startFade > 0) {
      const len = Math.min(startFade, total)
      const r = ramp(len)
      for (let i = 0; i < len; i++) out[i] = (out[i] as number) * (r[i] as number)
    }
    if (endFade > 0) {
      const len = Math.min(endFade, total)
      const r = ramp(len)
      for (let i = 0; i < len; i++) out[total - 1 - i] = (out[total - 1 - i] as number) * (r[i] as number)
    }
    return out
  })
}
