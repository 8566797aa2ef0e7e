import { describe, expect, it } from 'vitest'
import {
  buildEditDecisionList,
  renderEdit,
  spliceClickMetric,
  type AudioBuffers,
  type SongStructure
} from '../../../../src/main/engines/edits'
import { A, song } from './helpers'

/** An edit with 14 short-fade splices: single and adjacent CUTs, LOOPs, a LOOP_BAR and a REORDER (no CROSSFADE/FADE). */
function spliceHeavy(): number[] {
  const acts = new Array<number>(64).fill(A.KEEP)
  for (const i of [5, 13, 14, 22, 30, 37, 50, 58]) acts[i] = A.CUT
  for (const i of [9, 26, 45]) acts[i] = A.LOOP
  acts[19] = A.LOOP_BAR
  acts[40] = A.REORDER
  return acts
}

function compare(structure: SongStructure, audio: AudioBuffers) {
  const edl = buildEditDecisionList(structure, spliceHeavy())
  const smooth = spliceClickMetric(audio, edl, renderEdit(audio, edl))
  const butt = spliceClickMetric(audio, edl, renderEdit(audio, edl, { spliceFadeMs: 0 }))
  return { smooth, butt }
}

describe('splice click metric: equal-power crossfades vs naive butt splices', () => {
  it('on a sine sweep, discontinuity and high-frequency energy at splices are far below the butt splice', () => {
    const { structure, audio } = song({ kind: 'sweep' })
    const { smooth, butt } = compare(structure, audio)
    expect(smooth.splices).toBe(14)
    expect(butt.splices).toBe(14)
    expect(smooth.maxDiscontinuity).toBeLessThan(2)
    expect(smooth.meanDiscontinuity * 4).toBeLessThan(butt.meanDiscontinuity)
    expect(smooth.maxHfExcessDb).toBeLessThan(6)
    expect(smooth.meanHfExcessDb + 10).toBeLessThan(butt.meanHfExcessDb)
  })

  it('on music-like audio (kick, bass, chords, hats), the same holds by a wider margin', () => {
    const { structure, audio } = song({ kind: 'music', jitter: 0.02 })
    const { smooth, butt } = compare(structure, audio)
    expect(smooth.maxDiscontinuity).toBeLessThan(2)
    expect(smooth.meanDiscontinuity * 5).toBeLessThan(butt.meanDiscontinuity)
    expect(smooth.maxHfExcessDb).toBeLessThan(6)
    expect(smooth.meanHfExcessDb + 15).toBeLessThan(butt.meanHfExcessDb)
  })

  it('identity edits have no splices to measure', () => {
    const { structure, audio } = song({ beats: 16 })
    const edl = buildEditDecisionList(structure, new Array<number>(16).fill(A.KEEP))
    expect(spliceClickMetric(audio, edl, renderEdit(audio, edl)).splices).toBe(0)
  })

  it('the crossfade is equal-power: level is kept across a splice between uncorrelated signals', () => {
    // Two bars of independent white noise: LOOP_BAR splices noise onto unrelated noise.
    const { structure } = song({ beats: 16 })
    const sr = structure.sampleRate
    let x = 12345
    const noise = new Float32Array(Math.round(structure.durationS * sr)).map(() => {
      x = (x * 1103515245 + 12345) >>> 0
      return (x / 2 ** 32) * 2 - 1
    })
    const audio: AudioBuffers = { sampleRate: sr, channels: [noise] }
    const acts = new Array<number>(16).fill(A.KEEP)
    acts[6] = A.CROSSFADE // one-beat (0.5 s) crossfade into beat 8 after cutting beat 7
    acts[7] = A.CUT
    const edl = buildEditDecisionList(structure, acts)
    const out = renderEdit(audio, edl)[0] as Float32Array
    const rms = (a: number, b: number): number => Math.sqrt(out.subarray(a, b).reduce((t, v) => t + v * v, 0) / (b - a))
    const splice = Math.round(edl.segments[7]!.outStart * sr)
    const ref = rms(0, 2 * sr)
    expect(rms(splice - 1000, splice + 1000) / ref).toBeGreaterThan(0.9)
    expect(rms(splice - 1000, splice + 1000) / ref).toBeLessThan(1.1)
  })
})
