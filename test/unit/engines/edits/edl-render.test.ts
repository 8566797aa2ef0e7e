import { describe, expect, it } from 'vitest'
import {
  buildEditDecisionList,
  renderEdit,
  generateActions,
  jumpTargetOf,
  type AudioBuffers,
  type EditDecisionList
} from '../../../../src/main/engines/edits'
import { sourceToOutput } from '../../../../src/shared/timemap'
import { A, keepAll, sameSamples, song, withActions } from './helpers'

const SR = 22050
const BEAT = 11025 // samples per beat at 120 BPM, 22.05 kHz

/** Every flat segment's interior (outside its crossfades) is a bit-exact copy of the source, on every channel. */
function expectExactCopies(audio: AudioBuffers, edl: EditDecisionList, out: Float32Array[]): void {
  const segs = edl.segments
  let o = 0
  segs.forEach((seg, k) => {
    const s0 = Math.round(seg.srcStart * SR)
    const n = Math.round(seg.srcEnd * SR) - s0
    const before = Math.ceil((seg.fadeIn * SR) / 2) + 1
    const after = Math.floor(((segs[k + 1]?.fadeIn ?? 0) * SR) / 2) + 1
    const startFade = k === 0 ? Math.round(edl.startFade * SR) : 0
    const endFade = k === segs.length - 1 ? Math.round(edl.endFade * SR) : 0
    if (seg.gain === 'flat')
      for (let c = 0; c < audio.channels.length; c++) {
        const a = (out[c] as Float32Array).subarray(o + before + startFade, o + n - after - endFade)
        const b = (audio.channels[c] as Float32Array).subarray(s0 + before + startFade, s0 + n - after - endFade)
        expect(a.length).toBeGreaterThan(0)
        expect(sameSamples(a, b)).toBe(true)
      }
    o += n
  })
}

describe('render lengths and exactness', () => {
  const { structure, audio } = song()

  it('identity reproduces the source bit for bit, at the original rate and channel count', () => {
    const edl = buildEditDecisionList(structure, keepAll(64))
    expect(edl.outputSamples).toBe(audio.channels[0]?.length)
    expect(edl.sampleRate).toBe(SR)
    expect(edl.segments).toHaveLength(64)
    expect(edl.segments.every((s) => s.fadeIn === 0)).toBe(true)
    const out = renderEdit(audio, edl)
    expect(out).toHaveLength(2)
    for (let c = 0; c < 2; c++)
      expect(sameSamples(out[c] as Float32Array, audio.channels[c] as Float32Array)).toBe(true)
  })

  it('render length equals the EDL for many generated edits, and flat segments are exact copies', () => {
    const edits = [
      generateActions(structure, 'rule', { targetDurationS: 20 }),
      generateActions(structure, 'rule', { targetDurationS: 47 }),
      ...[1, 2, 3, 4, 5].map((seed) => generateActions(structure, 'random', { seed }))
    ]
    for (const actions of edits) {
      const edl = buildEditDecisionList(structure, actions)
      const out = renderEdit(audio, edl)
      for (const ch of out) expect(ch.length).toBe(edl.outputSamples)
      expect(edl.outputDurationS).toBeCloseTo(edl.outputSamples / SR, 12)
      const last = edl.segments[edl.segments.length - 1]
      expect(last && last.outStart + (last.srcEnd - last.srcStart)).toBeCloseTo(edl.outputDurationS, 6)
      expectExactCopies(audio, edl, out)
    }
  })

  it('renders at the audio rate when it differs from the analysis rate', () => {
    const edl = buildEditDecisionList(structure, withActions(64, { 5: A.CUT }))
    const half: AudioBuffers = {
      sampleRate: SR / 2,
      channels: audio.channels.map((c) => c.filter((_, i) => i % 2 === 0))
    }
    expect(renderEdit(half, edl)[0]?.length).toBe(Math.round(31.5 * (SR / 2)))
  })

  it('keeps stereo channels distinct after rendering', () => {
    const out = renderEdit(audio, buildEditDecisionList(structure, generateActions(structure, 'random', { seed: 9 })))
    let diff = 0
    for (let i = 0; i < (out[0] as Float32Array).length; i++)
      diff += Math.abs((out[0] as Float32Array)[i]! - (out[1] as Float32Array)[i]!)
    expect(diff / (out[0] as Float32Array).length).toBeGreaterThan(0.01)
  })

  it('renders mono and 6-channel audio with the same channel count', () => {
    const mono = song({ channels: 1, beats: 16 })
    expect(renderEdit(mono.audio, buildEditDecisionList(mono.structure, withActions(16, { 3: A.LOOP })))).toHaveLength(
      1
    )
    const six = song({ channels: 6, beats: 16 })
    const out = renderEdit(six.audio, buildEditDecisionList(six.structure, withActions(16, { 3: A.CUT })))
    expect(out).toHaveLength(6)
    expect(out[5]?.length).toBe(15 * BEAT)
  })
})

describe('first and last beats', () => {
  const { structure, audio } = song({ leadInS: 0.3, tailS: 1.0 })
  const n = 64

  it('beat 0 owns the lead-in and the last beat owns the tail when they open and close the output', () => {
    const edl = buildEditDecisionList(structure, keepAll(n))
    expect(edl.segments[0]?.srcStart).toBe(0)
    expect(edl.segments[n - 1]?.srcEnd).toBe(structure.durationS)
    expect(edl.outputSamples).toBe(Math.round(structure.durationS * SR))
    expect(edl.startFade).toBe(0)
    expect(edl.endFade).toBe(0)
  })

  it('cutting the first beat drops the lead-in and fades the new start in', () => {
    const edl = buildEditDecisionList(structure, withActions(n, { 0: A.CUT }))
    expect(edl.segments[0]?.beat).toBe(1)
    expect(edl.segments[0]?.srcStart).toBeCloseTo(0.8, 9)
    expect(edl.outputSamples).toBe(Math.round(structure.durationS * SR) - Math.round(0.8 * SR))
    expect(edl.startFade).toBeCloseTo(0.015, 9)
    const out = renderEdit(audio, edl)
    expect(Math.abs(out[0]![0]!)).toBeLessThan(0.02)
  })

  it('cutting the last beat drops the tail and fades the end out', () => {
    const edl = buildEditDecisionList(structure, withActions(n, { [n - 1]: A.CUT }))
    expect(edl.segments[edl.segments.length - 1]?.srcEnd).toBeCloseTo(0.3 + 63 * 0.5, 9)
    expect(edl.endFade).toBeCloseTo(0.015, 9)
    const out = renderEdit(audio, edl)
    const ch = out[0] as Float32Array
    expect(Math.abs(ch[ch.length - 1]!)).toBeLessThan(0.02)
  })

  it('LOOP on the first beat: the lead-in plays once, before the first copy', () => {
    const edl = buildEditDecisionList(structure, withActions(n, { 0: A.LOOP }))
    expect(edl.segments.slice(0, 2).map((s) => [s.srcStart, s.srcEnd])).toEqual([
      [0, 0.8],
      [0.3, 0.8]
    ])
    expect(edl.outputSamples).toBe(Math.round(structure.durationS * SR) + BEAT)
  })

  it('LOOP on the last beat: the first copy is one musical beat, the tail follows the second', () => {
    const edl = buildEditDecisionList(structure, withActions(n, { [n - 1]: A.LOOP }))
    const [a, b] = edl.segments.slice(-2)
    expect([a?.srcStart, a?.srcEnd]).toEqual([31.8, 32.3])
    expect([b?.srcStart, b?.srcEnd]).toEqual([31.8, structure.durationS])
    expect(b?.fadeIn).toBeCloseTo(0.015, 9)
  })

  it('a song with a single beat can be kept, looped and faded, but not cut', () => {
    const one = song({ beats: 1, leadInS: 0.2, tailS: 0.3 })
    expect(buildEditDecisionList(one.structure, [A.KEEP]).outputDurationS).toBeCloseTo(1.0, 9)
    // With no inter-beat interval known, the only beat's musical span runs to the song's end.
    expect(buildEditDecisionList(one.structure, [A.LOOP]).outputDurationS).toBeCloseTo(1.0 + 0.8, 9)
    expect(buildEditDecisionList(one.structure, [A.FADE_OUT]).segments[0]?.gain).toBe('fade_out')
    expect(() => buildEditDecisionList(one.structure, [A.CUT])).toThrow(/empty/)
  })
})

describe('odd beat counts and incomplete bars', () => {
  it('63 beats: the last bar has 3 beats, so LOOP_BAR and REORDER refuse it; identity still covers the song', () => {
    const { structure, audio } = song({ beats: 63 })
    const edl = buildEditDecisionList(structure, keepAll(63))
    expect(edl.outputSamples).toBe(audio.channels[0]?.length)
    expect(() => buildEditDecisionList(structure, withActions(63, { 62: A.LOOP_BAR }))).toThrow(
      /complete bar|last beat of a bar/
    )
    expect(() => buildEditDecisionList(structure, withActions(63, { 56: A.REORDER }))).toThrow(/next bar/)
    expect(buildEditDecisionList(structure, withActions(63, { 52: A.REORDER })).outputSamples).toBe(63 * BEAT)
  })

  it('a one-beat pickup bar (odd count 65) is never looped or swapped', () => {
    const { structure } = song({ beats: 65, pickupBeats: 1 })
    expect(() => buildEditDecisionList(structure, withActions(65, { 0: A.LOOP_BAR }))).toThrow(/complete bar/)
    expect(() => buildEditDecisionList(structure, withActions(65, { 0: A.REORDER }))).toThrow(/complete bar/)
    const edl = buildEditDecisionList(structure, withActions(65, { 4: A.LOOP_BAR, 5: A.REORDER }))
    expect(edl.segments.slice(0, 9).map((s) => s.beat)).toEqual([0, 1, 2, 3, 4, 1, 2, 3, 4])
    expect(edl.segments.slice(9, 17).map((s) => s.beat)).toEqual([9, 10, 11, 12, 5, 6, 7, 8])
  })
})

describe('each action', () => {
  const { structure, audio } = song()
  const n = 64
  const beatsOf = (actions: number[]): number[] => buildEditDecisionList(structure, actions).segments.map((s) => s.beat)
  const range = (a: number, b: number): number[] => Array.from({ length: b - a }, (_, i) => a + i)

  it('KEEP plays the beat once, in place, with no splice', () => {
    const edl = buildEditDecisionList(structure, keepAll(n))
    expect(edl.segments[10]).toMatchObject({
      srcStart: 5,
      srcEnd: 5.5,
      outStart: 5,
      fadeIn: 0,
      gain: 'flat',
      beat: 10,
      action: A.KEEP,
      cause: 10
    })
  })

  it('CUT removes exactly the beat; the join gets a short crossfade; the time map says it is gone', () => {
    const edl = buildEditDecisionList(structure, withActions(n, { 10: A.CUT }))
    expect(edl.outputSamples).toBe(63 * BEAT)
    expect(edl.segments.map((s) => s.beat)).toEqual([...range(0, 10), ...range(11, 64)])
    expect(edl.segments[10]?.fadeIn).toBeCloseTo(0.015, 9)
    expect(sourceToOutput(edl.segments, 5.25)).toBeNull()
    expect(sourceToOutput(edl.segments, 5.75)).toBeCloseTo(5.25, 9)
  })

  it('consecutive CUTs make one splice', () => {
    const edl = buildEditDecisionList(structure, withActions(n, { 10: A.CUT, 11: A.CUT, 12: A.CUT }))
    expect(edl.segments.filter((s) => s.fadeIn > 0)).toHaveLength(1)
    expect(edl.outputSamples).toBe(61 * BEAT)
  })

  it('LOOP plays the beat twice', () => {
    const edl = buildEditDecisionList(structure, withActions(n, { 10: A.LOOP }))
    expect(edl.segments.map((s) => s.beat).slice(9, 13)).toEqual([9, 10, 10, 11])
    expect(edl.segments[11]).toMatchObject({ srcStart: 5, srcEnd: 5.5, outStart: 5.5, action: A.LOOP, cause: 10 })
    expect(edl.segments[11]?.fadeIn).toBeCloseTo(0.015, 9)
    expect(edl.segments[12]?.fadeIn).toBe(0) // the second copy ends where beat 11 starts: no splice
    expect(edl.outputSamples).toBe(65 * BEAT)
  })

  it('CROSSFADE: one-beat crossfade into non-contiguous material; identical to KEEP when the next beat follows', () => {
    const cut = buildEditDecisionList(structure, withActions(n, { 9: A.CROSSFADE, 10: A.CUT, 11: A.CUT }))
    expect(cut.segments[10]?.beat).toBe(12)
    expect(cut.segments[10]?.fadeIn).toBeCloseTo(0.5, 9)
    expect(cut.outputSamples).toBe(62 * BEAT)
    const plain = buildEditDecisionList(structure, withActions(n, { 9: A.CROSSFADE }))
    expect(plain.segments.every((s) => s.fadeIn === 0)).toBe(true)
    const a = renderEdit(audio, plain)[0] as Float32Array
    expect(sameSamples(a, audio.channels[0] as Float32Array)).toBe(true)
    // The long fade is equal-power: halfway through, both sides weigh cos(pi/4) = sin(pi/4).
    const out = renderEdit(audio, cut)[0] as Float32Array
    const src = audio.channels[0] as Float32Array
    const mid = 10 * BEAT
    const expected = Math.SQRT1_2 * (src[10 * BEAT]! + src[12 * BEAT]!)
    expect(out[mid]!).toBeCloseTo(expected, 2)
  })

  it('REORDER swaps this bar with the next and is invalid on the last bar or off the downbeat', () => {
    expect(beatsOf(withActions(n, { 8: A.REORDER })).slice(4, 20)).toEqual([
      4, 5, 6, 7, 12, 13, 14, 15, 8, 9, 10, 11, 16, 17, 18, 19
    ])
    expect(() => buildEditDecisionList(structure, withActions(n, { 60: A.REORDER }))).toThrow(/last bar/)
    expect(() => buildEditDecisionList(structure, withActions(n, { 9: A.REORDER }))).toThrow(/downbeat/)
    expect(() => buildEditDecisionList(structure, withActions(n, { 8: A.REORDER, 12: A.REORDER }))).toThrow(
      /already swapped/
    )
    // Beats of swapped bars keep their own actions.
    expect(beatsOf(withActions(n, { 8: A.REORDER, 13: A.CUT, 10: A.LOOP })).slice(4, 16)).toEqual([
      4, 5, 6, 7, 12, 14, 15, 8, 9, 10, 10, 11
    ])
    const edl = buildEditDecisionList(structure, withActions(n, { 8: A.REORDER }))
    expect(edl.outputSamples).toBe(64 * BEAT)
    expect(edl.segments.filter((s) => s.fadeIn > 0)).toHaveLength(3)
  })

  it('LOOP_BAR repeats the bar that ends at this beat, only on the last beat of a complete bar', () => {
    const edl = buildEditDecisionList(structure, withActions(n, { 11: A.LOOP_BAR }))
    expect(edl.segments.map((s) => s.beat).slice(8, 17)).toEqual([8, 9, 10, 11, 8, 9, 10, 11, 12])
    expect(edl.segments.slice(12, 16).every((s) => s.action === A.LOOP_BAR && s.cause === 11)).toBe(true)
    expect(edl.segments.filter((s) => s.fadeIn > 0)).toHaveLength(1)
    expect(edl.outputSamples).toBe(68 * BEAT)
    expect(() => buildEditDecisionList(structure, withActions(n, { 10: A.LOOP_BAR }))).toThrow(/last beat of a bar/)
    // The repeat is the source bar, whatever the first pass did to it.
    expect(beatsOf(withActions(n, { 9: A.CUT, 11: A.LOOP_BAR })).slice(8, 15)).toEqual([8, 10, 11, 8, 9, 10, 11])
  })

  it('FADE_IN and FADE_OUT ramp the beat from/to silence (equal-power curve) without changing length', () => {
    for (const [action, gain] of [
      [A.FADE_IN, 'fade_in'],
      [A.FADE_OUT, 'fade_out']
    ] as const) {
      const edl = buildEditDecisionList(structure, withActions(n, { 20: action }))
      expect(edl.outputSamples).toBe(64 * BEAT)
      expect(edl.segments[20]?.gain).toBe(gain)
      // Gain jumps (0 -> 1 after a fade out, 1 -> 0 before a fade in) get a short splice fade.
      expect(edl.segments.filter((s) => s.fadeIn > 0)).toHaveLength(1)
      const out = renderEdit(audio, edl)[0] as Float32Array
      const src = audio.channels[0] as Float32Array
      const at = (f: number): number => Math.floor(20 * BEAT + f * BEAT)
      const g = (f: number): number => (gain === 'fade_in' ? Math.sin((Math.PI / 2) * f) : Math.cos((Math.PI / 2) * f))
      for (const f of [0.25, 0.5, 0.75])
        expect(out[at(f)]!).toBeCloseTo(src[at(f)]! * g((at(f) - 20 * BEAT + 0.5) / BEAT), 5)
    }
    // Back to back FADE_OUT -> FADE_IN is a dip to silence with no splice at all.
    const dip = buildEditDecisionList(structure, withActions(n, { 20: A.FADE_OUT, 21: A.FADE_IN }))
    expect(dip.segments.every((s) => s.fadeIn === 0)).toBe(true)
  })

  it('JUMP plays the beat, then repeats from the most similar beat of an earlier phrase', () => {
    // Phrases are 16 beats with sections A B A B; beat 40 (phrase 2, section A) finds beat 8 (phrase 0, section A, same bar position).
    const j = jumpTargetOf(structure, 43)
    expect(j).toBe(11)
    const edl = buildEditDecisionList(structure, withActions(n, { 43: A.JUMP }))
    expect(edl.segments.map((s) => s.beat).slice(40, 40 + 4 + 32 + 2)).toEqual([
      ...range(40, 44),
      ...range(12, 44),
      44,
      45
    ])
    expect(edl.outputSamples).toBe((64 + 32) * BEAT)
    expect(edl.segments.filter((s) => s.fadeIn > 0)).toHaveLength(1)
    expect(edl.segments[44]).toMatchObject({ beat: 12, action: A.JUMP, cause: 43 })
    // First phrase: no earlier phrase to jump to.
    expect(jumpTargetOf(structure, 7)).toBe(-1)
    expect(() => buildEditDecisionList(structure, withActions(n, { 7: A.JUMP }))).toThrow(/earlier phrase/)
  })

  it('is deterministic: same structure and actions give the same EDL', () => {
    const actions = generateActions(structure, 'random', { seed: 42 })
    expect(buildEditDecisionList(structure, actions)).toEqual(buildEditDecisionList(structure, actions))
    expect(buildEditDecisionList(song().structure, actions)).toEqual(buildEditDecisionList(structure, actions))
  })
})
