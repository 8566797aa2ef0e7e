import { FEATURE_DIM } from '../../../shared/features'
import { mulberry32 } from '../../../shared/random'
import type { AudioBuffers, SongStructure } from './types'

export interface SyntheticSongOptions {
  seed?: number
  bpm?: number
  /** Number of beats (odd counts leave an incomplete last bar). */
  beats?: number
  beatsPerBar?: number
  /** Bars per phrase. */
  phraseBars?: number
  /** Beats of an incomplete pickup bar before the first downbeat. */
  pickupBeats?: number
  sampleRate?: number
  channels?: number
  /** Audio before the first beat, seconds. */
  leadInS?: number
  /** Audio after the last beat's musical end, seconds. */
  tailS?: number
  /** 'music': bass, chords, kick and hat following a chord progression; 'sweep': log sine sweeps (different per channel). */
  kind?: 'music' | 'sweep'
  /** Random timing deviation of beats, fraction of the beat (default 0). */
  jitter?: number
}

/** Two alternating sections (A, B) of 4-chord progressions, one chord per bar: MIDI roots. */
const PROGRESSIONS = [
  [57, 53, 48, 55],
  [50, 55, 52, 57]
]

const midiHz = (m: number): number => 440 * 2 ** ((m - 69) / 12)

/**
 * A deterministic synthetic song with a known structure, for tests and the render benchmark. Beat
 * features mirror the music: chord chroma in dims 40-51, bar-position one-hot in 101-104, a section
 * flag and small seeded noise elsewhere, so beats at the same place of repeated phrases are the most similar.
 */
export function synthesizeSong(opts: SyntheticSongOptions = {}): { structure: SongStructure; audio: AudioBuffers } {
  const rng = mulberry32(opts.seed ?? 1)
  const bpm = opts.bpm ?? 120
  const n = opts.beats ?? 64
  const bpb = opts.beatsPerBar ?? 4
  const phraseBars = opts.phraseBars ?? 4
  const pickup = opts.pickupBeats ?? 0
  const sr = opts.sampleRate ?? 22050
  const nch = opts.channels ?? 2
  const leadIn = opts.leadInS ?? 0
  const tail = opts.tailS ?? 0
  const jitter = opts.jitter ?? 0
  const ibi = 60 / bpm
  const beatTimes = new Float64Array(n)
  for (let i = 0; i < n; i++) beatTimes[i] = leadIn + i * ibi + (i > 0 ? (rng() - 0.5) * jitter * ibi : 0)
  const durationS = leadIn + n * ibi + tail
  const barPosition = new Int32Array(n)
  const barIndex = new Int32Array(n)
  const phraseStart = new Uint8Array(n)
  for (let i = 0; i < n; i++) {
    const k = i - pickup
    if (k < 0) {
      barPosition[i] = bpb - pickup + i
      barIndex[i] = 0
    } else {
      barPosition[i] = k % bpb
      barIndex[i] = Math.floor(k / bpb) + (pickup > 0 ? 1 : 0)
    }
    phraseStart[i] = i === 0 || (k >= 0 && k % (bpb * phraseBars) === 0) ? 1 : 0
  }
  const chordOf = (i: number): { root: number; section: number } => {
    const k = Math.max(0, i - pickup)
    const bar = Math.floor(k / bpb)
    const phrase = Math.floor(bar / phraseBars)
    const section = phrase % 2
    const prog = PROGRESSIONS[section] as number[]
    return { root: prog[bar % prog.length] as number, section }
  }
  const features = new Float32Array(n * FEATURE_DIM)
  for (let i = 0; i < n; i++) {
    const o = i * FEATURE_DIM
    for (let d = 0; d < FEATURE_DIM; d++) features[o + d] = (rng() - 0.5) * 0.1
    const { root, section } = chordOf(i)
    for (const iv of [0, 4, 7]) features[o + 40 + ((root + iv) % 12)] = 1
    features[o + 101 + Math.min(3, barPosition[i] as number)] = 1
    features[o + 0] = section ? 1 : -1
    features[o + 1] = (barPosition[i] as number) === 0 ? 1 : -0.3
  }
  const total = Math.round(durationS * sr)
  const channels: Float32Array[] = []
  for (let c = 0; c < nch; c++) channels.push(new Float32Array(total))
  if ((opts.kind ?? 'music') === 'sweep') {
    for (let c = 0; c < nch; c++) {
      const ch = channels[c] as Float32Array
      const f0 = 80 * (1 + 0.5 * c)
      const f1 = 4000 * (1 + 0.25 * c)
      const k = Math.log(f1 / f0) / durationS
      for (let i = 0; i < total; i++) {
        const t = i / sr
        ch[i] = 0.5 * Math.sin(((2 * Math.PI * f0) / k) * (Math.exp(k * t) - 1))
      }
    }
  } else {
    const phase = [0, 0, 0, 0]
    const stepCache = new Map<number, number[]>()
    let beat = -1
    for (let i = 0; i < total; i++) {
      const t = i / sr
      while (beat + 1 < n && (beatTimes[beat + 1] as number) <= t) beat++
      const root = chordOf(Math.max(0, beat)).root
      let steps = stepCache.get(root)
      if (!steps) {
        steps = [root - 12, root, root + 4, root + 7].map((m) => (2 * Math.PI * midiHz(m)) / sr)
        stepCache.set(root, steps)
      }
      for (let v = 0; v < 4; v++) phase[v] = ((phase[v] as number) + (steps[v] as number)) % (2 * Math.PI)
      const since = beat >= 0 ? t - (beatTimes[beat] as number) : 1e9
      const attack = Math.min(1, since / 0.003)
      const kick = beat >= 0 ? 0.5 * attack * Math.exp(-since / 0.09) * Math.sin(2 * Math.PI * 55 * since) : 0
      const offbeat = since - ibi / 2
      const hat = offbeat >= 0 && offbeat < 0.05 ? 0.06 * Math.exp(-offbeat / 0.012) * (rng() * 2 - 1) : 0
      const bass = 0.25 * Math.sin(phase[0] as number)
      const pad = 0.08 * (Math.sin(phase[1] as number) + Math.sin(phase[2] as number) + Math.sin(phase[3] as number))
      const fadeTail = beat === n - 1 ? Math.max(0, 1 - since / (ibi + tail + 1e-9)) : 1
      for (let c = 0; c < nch; c++) {
        const pan = nch === 1 ? 0.5 : c / (nch - 1)
        ;(channels[c] as Float32Array)[i] = fadeTail * (kick + bass + pad * (1.2 - pan) + hat * (0.4 + pan))
      }
    }
  }
  return {
    structure: { sampleRate: sr, durationS, beatTimes, barPosition, barIndex, phraseStart, beatsPerBar: bpb, features },
    audio: { sampleRate: sr, channels }
  }
}
