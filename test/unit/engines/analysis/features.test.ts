import { describe, expect, it } from 'vitest'
import { FEATURE_DIM } from '../../../../src/shared/features.js'
import { analyzeAudio } from '../../../../src/main/engines/analysis/analyze.js'
import type { SongAnalysis } from '../../../../src/shared/domain.js'
import type { DecodedAudio } from '../../../../src/main/engines/audio-io/decode.js'
import { FEATURE_LAYOUT } from '../../../../src/main/engines/analysis/features.js'
import { demoSong, drumTrack } from '../../../../src/main/engines/analysis/synth.js'
import { mulberry32 } from '../../../../src/shared/random'

const mono = (samples: Float32Array, sampleRate = 22050): DecodedAudio => ({
  sampleRate,
  channels: [samples],
  durationS: samples.length / sampleRate,
  format: 'wav'
})

function tone(freq: number, seconds: number, sampleRate = 22050): Float32Array {
  const out = new Float32Array(Math.round(seconds * sampleRate))
  for (let i = 0; i < out.length; i++) out[i] = 0.5 * Math.sin((2 * Math.PI * freq * i) / sampleRate)
  return out
}

function group(analysis: SongAnalysis, name: keyof typeof FEATURE_LAYOUT, beat: number): number[] {
  const { start, length } = FEATURE_LAYOUT[name]
  return Array.from(analysis.features.subarray(beat * FEATURE_DIM + start, beat * FEATURE_DIM + start + length))
}

function meanChroma(analysis: SongAnalysis): number[] {
  const n = analysis.beatTimes.length
  const sum = new Array<number>(12).fill(0)
  for (let i = 0; i < n; i++) group(analysis, 'chroma', i).forEach((v, c) => (sum[c] = sum[c]! + v / n))
  return sum
}

const argmax = (values: number[]): number => values.indexOf(Math.max(...values))

describe('layout', () => {
  it('covers exactly 125 dimensions without gaps or overlaps', () => {
    const groups = Object.values(FEATURE_LAYOUT).sort((a, b) => a.start - b.start)
    let next = 0
    for (const g of groups) {
      expect(g.start).toBe(next)
      next += g.length
    }
    expect(next).toBe(FEATURE_DIM)
  })
})

describe('chroma', () => {
  // MIDI pitch class: C = 0 ... A = 9, B = 11.
  for (const [freq, pitchClass, label] of [
    [440, 9, 'A4'],
    [261.63, 0, 'C4'],
    [110, 9, 'A2 (below the 10.8 Hz bin spacing limit)'],
    [329.63, 4, 'E4'],
    [1396.91, 5, 'F6']
  ] as const) {
    it(`a pure ${label} tone lights pitch class ${pitchClass}`, () => {
      const analysis = analyzeAudio(mono(tone(freq, 6)))
      const chroma = meanChroma(analysis)
      expect(argmax(chroma)).toBe(pitchClass)
      // And clearly: every other bin well below.
      const others = chroma.filter((_, c) => c !== pitchClass)
      expect(Math.max(...others)).toBeLessThan(0.5 * chroma[pitchClass]!)
    })
  }
})

function expectAllFinite(analysis: SongAnalysis): void {
  expect(analysis.features.length).toBe(analysis.beatTimes.length * FEATURE_DIM)
  expect(analysis.beatTimes.length).toBeGreaterThan(0)
  for (const v of analysis.features) expect(Number.isFinite(v)).toBe(true)
  for (const v of analysis.beatTimes) expect(Number.isFinite(v)).toBe(true)
  expect(Number.isFinite(analysis.tempoBpm)).toBe(true)
}

describe('silence and near-silence', () => {
  it('digital silence gives a fallback grid with zero confidence and finite features', () => {
    const analysis = analyzeAudio(mono(new Float32Array(22050 * 8)))
    expectAllFinite(analysis)
    expect(analysis.tempoBpm).toBe(120)
    expect(Math.max(...analysis.confidence)).toBe(0)
    // Silent chroma is all zero, band energies split evenly.
    expect(group(analysis, 'chroma', 0).every((v) => v === 0)).toBe(true)
    for (const v of group(analysis, 'bandEnergy', 0)) expect(v).toBeCloseTo(1 / 3, 5)
  })

  it('near-silence (-120 dBFS noise) and a lone click give finite values', () => {
    const random = mulberry32(11)
    const quiet = Float32Array.from({ length: 22050 * 8 }, () => (random() - 0.5) * 2e-6)
    expectAllFinite(analyzeAudio(mono(quiet)))
    const click = new Float32Array(22050 * 8)
    click[22050 * 3] = 0.9
    expectAllFinite(analyzeAudio(mono(click)))
  })

  it('silence inside music stays finite (stereo, 44.1 kHz)', () => {
    const { audio } = demoSong({ seed: 2, bpm: 120, bars: 8, sampleRate: 44100 })
    for (const channel of audio.channels) channel.fill(0, 44100 * 4, 44100 * 9)
    expectAllFinite(analyzeAudio(audio))
  })
})

describe('feature group invariants on a demo song', () => {
  const song = demoSong({ seed: 5, bpm: 116, bars: 32, sampleRate: 22050 })
  const analysis = analyzeAudio(song.audio)
  const n = analysis.beatTimes.length
  const every = (name: keyof typeof FEATURE_LAYOUT, check: (values: number[], beat: number) => void): void => {
    for (let i = 0; i < n; i++) check(group(analysis, name, i), i)
  }
  const inRange = (lo: number, hi: number) => (values: number[]) => {
    for (const v of values) {
      expect(v).toBeGreaterThanOrEqual(lo)
      expect(v).toBeLessThanOrEqual(hi)
    }
  }

  it('finite everywhere', () => expectAllFinite(analysis))
  it('MFCC: c0 tracks loudness (negative for sub-full-scale audio), stds non-negative', () => {
    every('mfccStd', inRange(0, 10))
    every('mfccMean', inRange(-10, 10))
  })
  it('chroma in [0, 1] with max 1 on audible beats', () => {
    every('chroma', (values) => {
      inRange(0, 1)(values)
      expect(Math.max(...values)).toBeCloseTo(1, 5)
    })
  })
  it('tonnetz coordinates bounded by their radii', () => {
    every('tonnetz', (v) => {
      expect(Math.hypot(v[0]!, v[1]!)).toBeLessThanOrEqual(1 + 1e-6)
      expect(Math.hypot(v[2]!, v[3]!)).toBeLessThanOrEqual(1 + 1e-6)
      expect(Math.hypot(v[4]!, v[5]!)).toBeLessThanOrEqual(0.5 + 1e-6)
    })
  })
  it('spectral contrast non-negative', () => every('contrast', inRange(0, 4)))
  it('spectral scalars are fractions of Nyquist / unit ranges', () => {
    every('spectralMean', inRange(0, 1))
    every('spectralStd', inRange(0, 1))
  })
  it('loudness in [-1, 0] (dBFS / 80) and peak position in [0, 1], max >= start', () => {
    every('loudness', (v) => {
      inRange(-1, 0)(v.slice(0, 2))
      inRange(0, 1)(v.slice(2))
      expect(v[1]!).toBeGreaterThanOrEqual(v[0]! - 1e-6)
    })
  })
  it('band energies sum to 1', () => every('bandEnergy', (v) => expect(v[0]! + v[1]! + v[2]!).toBeCloseTo(1, 5)))
  it('onset values non-negative, inter-beat interval matches the tempo', () => {
    every('onset', (v, i) => {
      inRange(0, 20)(v.slice(0, 3))
      if (i > 2 && i < n - 3) {
        expect(v[3]!).toBeCloseTo(60 / 116, 1)
        expect(v[4]!).toBeCloseTo(1, 1)
      }
    })
  })
  it('tempogram ratio is a normalised autocorrelation (|v| <= 1), high at the beat rate', () => {
    every('tempogramRatio', inRange(-1, 1))
    const atBeatRate = group(analysis, 'tempogramRatio', n >> 1)[6]! // factor 1
    expect(atBeatRate).toBeGreaterThan(0.3)
  })
  it('bar phase is one-hot and matches barPosition', () => {
    every('barPhase', (v, i) => {
      expect(v.reduce((a, b) => a + b, 0)).toBe(1)
      expect(v[analysis.barPosition[i]!]).toBe(1)
    })
  })
  it('position: rel_pos increases in [0, 1]; fade flag is binary and only at the end', () => {
    let previous = -1
    let fadeStarted = false
    every('position', (v) => {
      expect(v[0]!).toBeGreaterThan(previous)
      previous = v[0]!
      inRange(0, 1)([v[0]!])
      expect(v[1]!).toBeGreaterThanOrEqual(0)
      expect([0, 1]).toContain(v[2])
      if (fadeStarted) expect(v[2]).toBe(1)
      if (v[2] === 1) fadeStarted = true
    })
  })
  it('structure: novelties, phrase flag/position, repetition and typicality in [0, 1]', () => {
    every('structure', (v, i) => {
      inRange(0, 1)(v.slice(0, 7))
      expect(v[3]).toBe(analysis.phraseStart[i])
      if (v[3] === 1) expect(v[4]).toBe(0)
      expect(v[7]!).toBeGreaterThanOrEqual(0)
    })
    // The song repeats its verse and chorus, so most beats have a near-identical repeat elsewhere.
    let repeated = 0
    every('structure', (v) => (repeated += v[5]! > 0.8 ? 1 : 0))
    expect(repeated / n).toBeGreaterThan(0.5)
  })
  it('join features: similarities in [0, 1], jump offset in [-1, 1], last beat has no successor', () => {
    every('join', (v) => {
      inRange(0, 1)([v[0]!, v[1]!, v[2]!, v[3]!, v[4]!, v[6]!])
      inRange(-1, 1)([v[5]!])
    })
    const last = group(analysis, 'join', n - 1)
    expect(last[0]).toBe(0)
    expect(last[2]).toBe(0)
  })
  it('harmonic ratio and confidence in [0, 1]', () => {
    every('harmonicRatio', inRange(0, 1))
    every('beatConfidence', (v, i) => expect(v[0]).toBeCloseTo(analysis.confidence[i]!, 6))
  })
})

describe('feature semantics', () => {
  it('harmonic ratio: a sustained tone is harmonic, clicks and noise bursts are percussive', () => {
    const toneAnalysis = analyzeAudio(mono(tone(330, 8)))
    const drums = analyzeAudio(drumTrack({ bpm: 120, durationS: 8 }).audio)
    const meanOf = (a: SongAnalysis): number => {
      let s = 0
      for (let i = 0; i < a.beatTimes.length; i++) s += group(a, 'harmonicRatio', i)[0]!
      return s / a.beatTimes.length
    }
    expect(meanOf(toneAnalysis)).toBeGreaterThan(0.8)
    expect(meanOf(drums)).toBeLessThan(meanOf(toneAnalysis) - 0.3)
  })

  it('band energy follows where the energy is', () => {
    const low = analyzeAudio(mono(tone(100, 6)))
    const high = analyzeAudio(mono(tone(4000, 6)))
    const mid = (a: SongAnalysis): number => a.beatTimes.length >> 1
    expect(argmax(group(low, 'bandEnergy', mid(low)))).toBe(0)
    expect(argmax(group(high, 'bandEnergy', mid(high)))).toBe(2)
    expect(group(high, 'spectralMean', mid(high))[0]!).toBeGreaterThan(group(low, 'spectralMean', mid(low))[0]!)
  })

  it('louder audio has higher loudness features', () => {
    const loud = analyzeAudio(mono(tone(440, 6)))
    const quiet = analyzeAudio(mono(tone(440, 6).map((v) => v * 0.1)))
    const beat = Math.min(loud.beatTimes.length, quiet.beatTimes.length) >> 1
    expect(group(loud, 'loudness', beat)[1]! - group(quiet, 'loudness', beat)[1]!).toBeCloseTo(20 / 80, 2)
  })
})
