import { describe, expect, it } from 'vitest'
import {
  DEFAULT_ONSET,
  estimateTempo,
  onsetEnvelopes,
  tempogram,
  trackBeats
} from '../../../../src/main/engines/analysis/beats.js'
import { FRAME_RATE, N_MELS } from '../../../../src/main/engines/analysis/frontend.js'

/** Onset envelope with an impulse every `period` frames (amplitude from `accent(k)` for the k-th one). */
function pulses(frames: number, period: number, accent: (k: number) => number = () => 1): Float32Array {
  const out = new Float32Array(frames)
  for (let k = 0, t = 10; t < frames; k++, t += period) out[Math.round(t)] = accent(k)
  return out
}

function tempoOf(envelope: Float32Array): number {
  const tg = tempogram(envelope)
  return estimateTempo(tg.mean, tg.windows).bpm
}

const bpmOfPeriod = (period: number): number => (60 * FRAME_RATE) / period

describe('tempo estimate (log-normal prior around 120 BPM, comb over multiples)', () => {
  it('a plain pulse train at ~120 BPM is 120, not its 60 or 40 BPM sub-multiples', () => {
    const period = 21.5
    expect(tempoOf(pulses(1500, period))).toBeCloseTo(bpmOfPeriod(period), 0)
  })

  it('a 60 BPM click stays at 60: autocorrelation at multiples alone does not make 120 BPM', () => {
    const period = 43.07
    expect(tempoOf(pulses(1500, period))).toBeCloseTo(bpmOfPeriod(period), 0)
  })

  it('a tatum grid accented every third pulse is tracked at the accent rate, not at 2 tatums (3:2 error)', () => {
    const tatum = 7 // 369 BPM tatums; accents every 21 frames = 123 BPM; 2 tatums would be 185 BPM
    const bpm = tempoOf(pulses(2000, tatum, (k) => (k % 3 === 0 ? 1 : 0.45)))
    expect(bpm).toBeCloseTo(bpmOfPeriod(3 * tatum), 0)
  })

  it('stays in 40-240 BPM and reports a 120 BPM default with zero strength for silence', () => {
    const tg = tempogram(new Float32Array(800))
    const estimate = estimateTempo(tg.mean, tg.windows)
    expect(estimate.bpm).toBe(120)
    expect(estimate.strength).toBe(0)
    const fast = tempoOf(pulses(1500, 8))
    expect(fast).toBeGreaterThanOrEqual(40)
    expect(fast).toBeLessThanOrEqual(240)
  })
})

describe('onset envelope', () => {
  /** dB mel frames: a quiet floor with broadband hits at `hits` and a lone high band at `lone`. */
  function mel(frames: number, hits: number[], lone: number[]): Float32Array {
    const out = new Float32Array(frames * N_MELS).fill(-60)
    for (const t of hits) for (let m = 0; m < N_MELS; m++) out[t * N_MELS + m] = 0
    for (const t of lone) for (let m = 120; m < N_MELS; m++) out[t * N_MELS + m] = 0
    return out
  }

  it('mean aggregation (default) weighs an onset by how much of the spectrum it lifts', () => {
    const env = onsetEnvelopes(mel(50, [10], [30]), 50)
    expect(env.full[10]).toBeCloseTo(60, 5)
    expect(env.full[30]).toBeCloseTo((60 * 8) / N_MELS, 5)
    expect(env.full[20]).toBe(0)
    expect(env.low[10]).toBeCloseTo(60, 5)
    expect(env.low[30]).toBe(0)
  })

  it('median aggregation (librosa beat_track) ignores onsets confined to a few bands', () => {
    const env = onsetEnvelopes(mel(50, [10], [30]), 50, { ...DEFAULT_ONSET, aggregate: 'median' })
    expect(env.full[10]).toBeCloseTo(60, 5)
    expect(env.full[30]).toBe(0)
  })

  it('lag compares against the spectrum `lag` frames back', () => {
    const frames = 40
    const ramp = new Float32Array(frames * N_MELS)
    for (let t = 0; t < frames; t++) for (let m = 0; m < N_MELS; m++) ramp[t * N_MELS + m] = t
    expect(onsetEnvelopes(ramp, frames, { ...DEFAULT_ONSET, lag: 2 }).full[20]).toBeCloseTo(2, 5)
  })
})

describe('DP beat tracker', () => {
  it('follows a pulse train exactly, trims nothing inside and returns sorted frames', () => {
    const period = 20
    const env = pulses(1000, period)
    const track = trackBeats(env, period)
    expect(track.frames.length).toBeGreaterThan(40)
    for (let i = 1; i < track.frames.length; i++) expect(track.frames[i]! - track.frames[i - 1]!).toBeCloseTo(period, 0)
    for (const f of track.frames) expect(Math.abs(((f - 10) / period) % 1)).toBeLessThan(0.05)
  })
})
