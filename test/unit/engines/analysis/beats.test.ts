import { describe, expect, it } from 'vitest'
import { FEATURE_DIM, FEATURE_VERSION } from '../../../../src/shared/features.js'
import { analyzeAudio, mixToMono, waveformPeaks } from '../../../../src/main/engines/analysis/analyze.js'
import {
  clickTrack,
  demoSong,
  demoSongDetailed,
  drumTrack,
  type SynthResult
} from '../../../../src/main/engines/analysis/synth.js'

/** Largest distance from each reference beat (away from the edges) to the nearest estimated beat. */
function worstBeatError(truth: Float64Array, estimated: Float64Array, from: number, to: number): number {
  let worst = 0
  for (const t of truth) {
    if (t < from || t > to) continue
    let nearest = Infinity
    for (const e of estimated) nearest = Math.min(nearest, Math.abs(e - t))
    worst = Math.max(worst, nearest)
  }
  return worst
}

function checkTrack(track: SynthResult, bpm: number): void {
  const analysis = analyzeAudio(track.audio)
  expect(Math.abs(analysis.tempoBpm - bpm)).toBeLessThan(1)
  const end = track.audio.durationS - 1.5
  expect(worstBeatError(track.beatTimes, analysis.beatTimes, 1.5, end)).toBeLessThan(0.02)
  // No extra beats in between: estimated beats inside the range match reference beats one to one.
  const inside = analysis.beatTimes.filter((t) => t > 1.5 && t < end)
  expect(worstBeatError(inside, track.beatTimes, 0, Infinity)).toBeLessThan(0.02)
}

describe('tempo and beats on click tracks', () => {
  for (const bpm of [60, 95, 128, 174]) {
    it(`${bpm} BPM: tempo within 1 BPM, beats within 20 ms`, () => checkTrack(clickTrack({ bpm, durationS: 16 }), bpm))
  }
})

describe('tempo and beats on drum tracks', () => {
  for (const bpm of [72, 110, 140, 190]) {
    it(`${bpm} BPM: tempo within 1 BPM, beats within 20 ms`, () =>
      checkTrack(drumTrack({ bpm, durationS: 16, seed: bpm }), bpm))
  }
  it('swung, syncopated and noisy patterns: tempo within 1 BPM, every beat within 40 ms', () => {
    const track = drumTrack({ bpm: 105, durationS: 16, swing: 1, syncopated: true, snrDb: 10, seed: 3 })
    const analysis = analyzeAudio(track.audio)
    expect(Math.abs(analysis.tempoBpm - 105)).toBeLessThan(1)
    expect(worstBeatError(track.beatTimes, analysis.beatTimes, 1.5, 14.5)).toBeLessThan(0.04)
  })
  it('follows +-3 % tempo drift (beats within 20 ms)', () => {
    const track = drumTrack({ bpm: 120, durationS: 20, drift: 0.03, seed: 5 })
    const analysis = analyzeAudio(track.audio)
    expect(worstBeatError(track.beatTimes, analysis.beatTimes, 1.5, 18.5)).toBeLessThan(0.02)
  })
})

describe('bars and phrases', () => {
  it('defaults to 4/4 and finds 3/4 when the evidence is clear', () => {
    expect(analyzeAudio(drumTrack({ bpm: 120, durationS: 16 }).audio).beatsPerBar).toBe(4)
    const waltz = analyzeAudio(drumTrack({ bpm: 96, durationS: 20, beatsPerBar: 3 }).audio)
    expect(waltz.beatsPerBar).toBe(3)
    expect(Math.max(...waltz.barPosition)).toBe(2)
  })

  it('puts downbeats on the bar lines of a song with chord changes, and phrases on downbeats', () => {
    const song = demoSongDetailed({ seed: 4, bpm: 112, bars: 24, sampleRate: 22050 })
    const analysis = analyzeAudio(song.audio)
    const trueDownbeats = Array.from(song.downbeats, (i) => song.beatTimes[i]!)
    let hits = 0
    let total = 0
    analysis.beatTimes.forEach((t, i) => {
      if (analysis.barPosition[i] !== 0) return
      total++
      if (trueDownbeats.some((d) => Math.abs(d - t) < 0.05)) hits++
    })
    expect(total).toBeGreaterThan(15)
    expect(hits / total).toBeGreaterThan(0.9)
    // Bar bookkeeping is consistent.
    for (let i = 1; i < analysis.beatTimes.length; i++) {
      const newBar = analysis.barPosition[i] === 0
      expect(analysis.barIndex[i]! - analysis.barIndex[i - 1]!).toBe(newBar ? 1 : 0)
      expect(analysis.barPosition[i]).toBe((analysis.barPosition[i - 1]! + 1) % analysis.beatsPerBar)
    }
    // Phrases start on downbeats (or at the very first beat) and group 4 or 8 bars.
    const starts = [...analysis.phraseStart.keys()].filter((i) => analysis.phraseStart[i] === 1)
    expect(starts.length).toBeGreaterThan(1)
    for (const i of starts.slice(1)) expect(analysis.barPosition[i]).toBe(0)
    const spacing = new Set(starts.slice(2).map((i, k) => analysis.barIndex[i]! - analysis.barIndex[starts[k + 1]!]!))
    expect([...spacing].every((bars) => bars === 4 || bars === 8)).toBe(true)
  })
})

describe('analysis result shape', () => {
  it('returns consistent arrays, confidences in 0..1 and the feature version', () => {
    const analysis = analyzeAudio(drumTrack({ bpm: 100, durationS: 12 }).audio)
    const n = analysis.beatTimes.length
    expect(analysis.featureVersion).toBe(FEATURE_VERSION)
    expect(analysis.barPosition).toHaveLength(n)
    expect(analysis.barIndex).toHaveLength(n)
    expect(analysis.phraseStart).toHaveLength(n)
    expect(analysis.confidence).toHaveLength(n)
    expect(analysis.features).toHaveLength(n * FEATURE_DIM)
    for (const c of analysis.confidence) expect(c >= 0 && c <= 1).toBe(true)
    for (let i = 1; i < n; i++) expect(analysis.beatTimes[i]!).toBeGreaterThan(analysis.beatTimes[i - 1]!)
    expect(analysis.confidence.reduce((a, b) => a + b, 0) / n).toBeGreaterThan(0.3)
  })

  it('reports progress from 0 to 1 through named stages', () => {
    const stages: string[] = []
    const fractions: number[] = []
    analyzeAudio(clickTrack({ bpm: 120, durationS: 6 }).audio, (fraction, stage) => {
      fractions.push(fraction)
      stages.push(stage)
    })
    expect(fractions[0]).toBe(0)
    expect(fractions[fractions.length - 1]).toBe(1)
    expect([...fractions].sort((a, b) => a - b)).toEqual(fractions)
    expect(stages).toContain('beats')
    expect(stages).toContain('features')
  })

  it('is deterministic', () => {
    const audio = drumTrack({ bpm: 130, durationS: 8 }).audio
    const a = analyzeAudio(audio)
    const b = analyzeAudio(audio)
    expect(Array.from(a.beatTimes)).toEqual(Array.from(b.beatTimes))
    expect(Array.from(a.features)).toEqual(Array.from(b.features))
  })
})

describe('demo song, downmix and waveform peaks', () => {
  it('demoSong is stereo music with known beats, deterministic per seed', () => {
    const { audio, beatTimes } = demoSong({ seed: 9, bpm: 120, bars: 8, sampleRate: 22050 })
    expect(audio.channels).toHaveLength(2)
    expect(beatTimes).toHaveLength(32)
    expect(audio.durationS).toBeGreaterThan(beatTimes[31]!)
    let difference = 0
    for (let i = 0; i < audio.channels[0]!.length; i += 11)
      difference += Math.abs(audio.channels[0]![i]! - audio.channels[1]![i]!)
    expect(difference).toBeGreaterThan(1) // really stereo
    const again = demoSong({ seed: 9, bpm: 120, bars: 8, sampleRate: 22050 })
    expect(again.audio.channels[1]!.slice(20000, 20100)).toEqual(audio.channels[1]!.slice(20000, 20100))
    const other = demoSong({ seed: 10, bpm: 120, bars: 8, sampleRate: 22050 })
    expect(other.audio.channels[0]!.slice(20000, 20100)).not.toEqual(audio.channels[0]!.slice(20000, 20100))
  })

  it('mixToMono averages channels and waveformPeaks gives min/max per bucket', () => {
    const left = Float32Array.from({ length: 1000 }, (_, i) => (i < 500 ? 0.5 : -0.5))
    const right = new Float32Array(1000)
    const audio = { sampleRate: 1000, channels: [left, right], durationS: 1, format: 'wav' as const }
    const mono = mixToMono(audio)
    expect(mono[0]).toBeCloseTo(0.25)
    expect(mono[999]).toBeCloseTo(-0.25)
    const peaks = waveformPeaks(audio, 4)
    expect(peaks).toHaveLength(8)
    expect(Array.from(peaks)).toEqual([0.25, 0.25, 0.25, 0.25, -0.25, -0.25, -0.25, -0.25])
  })
})
