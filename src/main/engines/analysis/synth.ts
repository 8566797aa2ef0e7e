import type { DecodedAudio } from '../audio-io/decode.js'
import { mulberry32 } from '../../../shared/random'

/**
 * Deterministic test signals with known beat times: click tracks, drum patterns (swing, tempo
 * drift, noise, syncopation, 3/4) and a short multi-section demo song. Everything is driven by a
 * seeded PRNG, so the same options always give the same samples.
 */

export interface SynthResult {
  audio: DecodedAudio
  /** Ground-truth beat times in seconds. */
  beatTimes: Float64Array
  /** Index into beatTimes of every downbeat. */
  downbeats: Int32Array
  beatsPerBar: number
}

/**
 * Beat times for `beatCount` beats starting at `startS`, with the local tempo ramping linearly from
 * bpm*(1-drift) to bpm*(1+drift) across the piece (drift 0.03 = +-3 %).
 */
export function beatGrid(bpm: number, beatCount: number, startS: number, drift = 0): Float64Array {
  const times = new Float64Array(beatCount)
  let t = startS
  for (let i = 0; i < beatCount; i++) {
    times[i] = t
    const progress = beatCount > 1 ? i / (beatCount - 1) : 0
    const localBpm = bpm * (1 + drift * (2 * progress - 1))
    t += 60 / localBpm
  }
  return times
}

function addSample(target: Float32Array, sample: Float32Array, atS: number, sampleRate: number, gain: number): void {
  const start = Math.round(atS * sampleRate)
  const end = Math.min(target.length, start + sample.length)
  for (let i = Math.max(0, start); i < end; i++) target[i]! += sample[i - start]! * gain
}

function kickSample(sampleRate: number): Float32Array {
  const n = Math.round(0.35 * sampleRate)
  const out = new Float32Array(n)
  let phase = 0
  for (let i = 0; i < n; i++) {
    const t = i / sampleRate
    const freq = 50 + 110 * Math.exp(-t / 0.04)
    phase += (2 * Math.PI * freq) / sampleRate
    const click = i < sampleRate * 0.003 ? 0.5 * (1 - i / (sampleRate * 0.003)) : 0
    out[i] = Math.sin(phase) * Math.exp(-t / 0.12) + click
  }
  return out
}

function snareSample(sampleRate: number, random: () => number): Float32Array {
  const n = Math.round(0.25 * sampleRate)
  const out = new Float32Array(n)
  let previous = 0
  for (let i = 0; i < n; i++) {
    const t = i / sampleRate
    const white = random() * 2 - 1
    const bright = white - 0.5 * previous // tilt the noise upwards
    previous = white
    out[i] = 0.6 * bright * Math.exp(-t / 0.07) + 0.4 * Math.sin(2 * Math.PI * 185 * t) * Math.exp(-t / 0.05)
  }
  return out
}

function hatSample(sampleRate: number, random: () => number, decayS: number): Float32Array {
  const n = Math.round(Math.max(0.05, decayS * 5) * sampleRate)
  const out = new Float32Array(n)
  let previous = 0
  for (let i = 0; i < n; i++) {
    const white = random() * 2 - 1
    out[i] = (white - previous) * 0.5 * Math.exp(-i / sampleRate / decayS) // first difference = high-pass
    previous = white
  }
  return out
}

function clickSample(sampleRate: number, freq: number): Float32Array {
  const n = Math.round(0.03 * sampleRate)
  const out = new Float32Array(n)
  for (let i = 0; i < n; i++) {
    const t = i / sampleRate
    out[i] = Math.sin(2 * Math.PI * freq * t) * Math.exp(-t / 0.006)
  }
  return out
}

function addNoise(x: Float32Array, snrDb: number, random: () => number): void {
  let energy = 0
  for (let i = 0; i < x.length; i++) energy += x[i]! * x[i]!
  const signalRms = Math.sqrt(energy / Math.max(1, x.length))
  const noiseRms = signalRms / 10 ** (snrDb / 20)
  const scale = noiseRms * Math.sqrt(3) // uniform(-1, 1) has RMS 1/sqrt(3)
  for (let i = 0; i < x.length; i++) x[i]! += (random() * 2 - 1) * scale
}

function normalise(channels: Float32Array[], peak: number): void {
  let max = 0
  for (const c of channels) for (let i = 0; i < c.length; i++) max = Math.max(max, Math.abs(c[i]!))
  if (max === 0) return
  const g = peak / max
  for (const c of channels) for (let i = 0; i < c.length; i++) c[i]! *= g
}

function downbeatIndices(beatCount: number, beatsPerBar: number): Int32Array {
  const out: number[] = []
  for (let i = 0; i < beatCount; i += beatsPerBar) out.push(i)
  return new Int32Array(out)
}

function asAudio(channels: Float32Array[], sampleRate: number): DecodedAudio {
  return { sampleRate, channels, durationS: channels[0]!.length / sampleRate, format: 'wav' }
}

export interface ClickTrackOptions {
  bpm: number
  durationS?: number
  beatsPerBar?: number
  sampleRate?: number
  startS?: number
  drift?: number
  /** Signal-to-noise ratio of added white noise in dB; omitted = no noise. */
  snrDb?: number
  seed?: number
}

/** Metronome: a 1 kHz click per beat, 1.5 kHz on downbeats. */
export function clickTrack(options: ClickTrackOptions): SynthResult {
  const sampleRate = options.sampleRate ?? 22050
  const durationS = options.durationS ?? 20
  const beatsPerBar = options.beatsPerBar ?? 4
  const startS = options.startS ?? 0.5
  const random = mulberry32(options.seed ?? 1)
  const beatCount = Math.max(1, Math.floor(((durationS - startS - 0.1) * options.bpm) / 60))
  const beatTimes = beatGrid(options.bpm, beatCount, startS, options.drift ?? 0)
  const y = new Float32Array(Math.round(durationS * sampleRate))
  const normal = clickSample(sampleRate, 1000)
  const accent = clickSample(sampleRate, 1500)
  beatTimes.forEach((t, i) =>
    addSample(y, i % beatsPerBar === 0 ? accent : normal, t, sampleRate, i % beatsPerBar === 0 ? 0.9 : 0.6)
  )
  if (options.snrDb !== undefined) addNoise(y, options.snrDb, random)
  normalise([y], 0.9)
  return { audio: asAudio([y], sampleRate), beatTimes, downbeats: downbeatIndices(beatCount, beatsPerBar), beatsPerBar }
}

export interface DrumTrackOptions extends ClickTrackOptions {
  /** 0 = straight eighths; 1 = full triplet swing (off-beat eighth at 2/3 of the beat). */
  swing?: number
  /** Kick on off-beats and missing on some beats (funk-style pattern). */
  syncopated?: boolean
}

/**
 * Kick/snare/hi-hat pattern. 4/4: kick 1 and 3, snare 2 and 4, eighth hats (syncopated: kick 1,
 * "and" of 2, "and" of 3). 3/4: kick 1, snare 2 and 3. A crash on every bar's downbeat.
 */
export function drumTrack(options: DrumTrackOptions): SynthResult {
  const sampleRate = options.sampleRate ?? 22050
  const durationS = options.durationS ?? 20
  const beatsPerBar = options.beatsPerBar ?? 4
  const startS = options.startS ?? 0.5
  const swing = options.swing ?? 0
  const random = mulberry32(options.seed ?? 7)
  const beatCount = Math.max(1, Math.floor(((durationS - startS - 0.1) * options.bpm) / 60))
  const beatTimes = beatGrid(options.bpm, beatCount, startS, options.drift ?? 0)
  const y = new Float32Array(Math.round(durationS * sampleRate))
  const kick = kickSample(sampleRate)
  const snare = snareSample(sampleRate, random)
  const hat = hatSample(sampleRate, random, 0.02)
  const crash = hatSample(sampleRate, random, 0.3)
  for (let i = 0; i < beatCount; i++) {
    const t = beatTimes[i]!
    const next = beatTimes[i + 1] ?? t + 60 / options.bpm
    const beatLength = next - t
    const offbeat = t + beatLength * (0.5 + swing / 6) // swing 1 moves the "and" to 2/3 of the beat
    const position = i % beatsPerBar
    if (beatsPerBar === 3) {
      if (position === 0) addSample(y, kick, t, sampleRate, 1)
      else addSample(y, snare, t, sampleRate, 0.55)
    } else if (options.syncopated === true) {
      if (position === 0) addSample(y, kick, t, sampleRate, 1)
      if (position === 1 || position === 2) addSample(y, kick, offbeat, sampleRate, 0.8)
      if (position === 1 || position === 3) addSample(y, snare, t, sampleRate, 0.7)
    } else {
      if (position === 0 || position === 2) addSample(y, kick, t, sampleRate, position === 0 ? 1 : 0.85)
      else addSample(y, snare, t, sampleRate, 0.7)
    }
    if (position === 0) addSample(y, crash, t, sampleRate, 0.35)
    addSample(y, hat, t, sampleRate, 0.35)
    addSample(y, hat, offbeat, sampleRate, 0.22)
  }
  if (options.snrDb !== undefined) addNoise(y, options.snrDb, random)
  normalise([y], 0.9)
  return { audio: asAudio([y], sampleRate), beatTimes, downbeats: downbeatIndices(beatCount, beatsPerBar), beatsPerBar }
}

// ---------------------------------------------------------------------------------------------
// Demo song

const MAJOR_SCALE = [0, 2, 4, 5, 7, 9, 11]

interface Section {
  name: 'intro' | 'verse' | 'chorus' | 'bridge' | 'outro'
  bars: number
  /** Scale degrees (0 = I) of the chord on each bar, cycled. */
  progression: number[]
  drums: 'none' | 'light' | 'full'
  energy: number
}

const FORM: Section[] = [
  { name: 'intro', bars: 4, progression: [0, 3, 0, 4], drums: 'light', energy: 0.5 },
  { name: 'verse', bars: 8, progression: [5, 3, 0, 4], drums: 'full', energy: 0.7 },
  { name: 'chorus', bars: 8, progression: [0, 4, 5, 3], drums: 'full', energy: 1 },
  { name: 'verse', bars: 8, progression: [5, 3, 0, 4], drums: 'full', energy: 0.7 },
  { name: 'bridge', bars: 4, progression: [1, 4, 2, 5], drums: 'light', energy: 0.6 },
  { name: 'chorus', bars: 8, progression: [0, 4, 5, 3], drums: 'full', energy: 1 },
  { name: 'outro', bars: 4, progression: [0, 3, 4, 0], drums: 'none', energy: 0.4 }
]

function midiToHz(note: number): number {
  return 440 * 2 ** ((note - 69) / 12)
}

/** Triad on a scale degree (diatonic: major or minor follows from the scale). */
function triad(root: number, degree: number): number[] {
  const note = (d: number): number => root + MAJOR_SCALE[d % 7]! + 12 * Math.floor(d / 7)
  return [note(degree), note(degree + 2), note(degree + 4)]
}

function addTone(
  target: Float32Array,
  atS: number,
  lengthS: number,
  hz: number,
  gain: number,
  sampleRate: number,
  shape: 'pad' | 'pluck' | 'bass'
): void {
  const start = Math.max(0, Math.round(atS * sampleRate))
  const end = Math.min(target.length, Math.round((atS + lengthS) * sampleRate))
  const attack = shape === 'pad' ? 0.08 : 0.005
  const step = (2 * Math.PI * hz) / sampleRate
  for (let i = start; i < end; i++) {
    const t = (i - start) / sampleRate
    const release = Math.min(1, (end - i) / (0.03 * sampleRate))
    let envelope = Math.min(1, t / attack) * release
    if (shape === 'pluck') envelope *= Math.exp(-t / 0.35)
    if (shape === 'bass') envelope *= Math.exp(-t / 0.6)
    const phase = step * (i - start)
    // A few harmonics give each instrument some timbre (and the chroma some overtones).
    const v =
      shape === 'bass'
        ? Math.sin(phase) + 0.5 * Math.sin(2 * phase) + 0.25 * Math.sin(3 * phase)
        : Math.sin(phase) + 0.3 * Math.sin(2 * phase) + 0.12 * Math.sin(3 * phase)
    target[i]! += v * envelope * gain
  }
}

export interface DemoSongOptions {
  seed: number
  bpm: number
  bars: number
  sampleRate?: number
}

/**
 * A short stereo pop-style song: drums, bass, chords and a plucked arpeggio through intro, verse,
 * chorus, bridge and outro sections (the form repeats to fill `bars`), with a clear 4/4 beat.
 */
export function demoSong(options: DemoSongOptions): { audio: DecodedAudio; beatTimes: Float64Array } {
  const song = demoSongDetailed(options)
  return { audio: song.audio, beatTimes: song.beatTimes }
}

export function demoSongDetailed(options: DemoSongOptions): SynthResult & { sectionStarts: Int32Array } {
  const sampleRate = options.sampleRate ?? 44100
  const random = mulberry32(options.seed)
  const beatsPerBar = 4
  const beatCount = options.bars * beatsPerBar
  const startS = 0.25
  const beatTimes = beatGrid(options.bpm, beatCount, startS)
  const beatS = 60 / options.bpm
  const totalS = startS + beatCount * beatS + 1.5
  const length = Math.round(totalS * sampleRate)
  const left = new Float32Array(length)
  const right = new Float32Array(length)
  const centre = new Float32Array(length)
  const keyRoot = 57 + Math.floor(random() * 7) // A3..D#4
  const kick = kickSample(sampleRate)
  const snare = snareSample(sampleRate, random)
  const hat = hatSample(sampleRate, random, 0.025)
  const crash = hatSample(sampleRate, random, 0.4)
  const sectionStarts: number[] = []
  let bar = 0
  let formIndex = 0
  while (bar < options.bars) {
    const section = FORM[formIndex % FORM.length]!
    sectionStarts.push(bar * beatsPerBar)
    for (let b = 0; b < section.bars && bar < options.bars; b++, bar++) {
      const degree = section.progression[b % section.progression.length]!
      const chord = triad(keyRoot, degree)
      const barStart = beatTimes[bar * beatsPerBar]!
      const e = section.energy
      // Chords: sustained pad, voiced a little apart in the stereo field.
      chord.forEach((note, k) => {
        const target = k === 0 ? centre : k === 1 ? left : right
        addTone(target, barStart, beatsPerBar * beatS, midiToHz(note), 0.1 * (0.6 + 0.4 * e), sampleRate, 'pad')
      })
      // Bass: root on beats 1 and 3 (octave on 3 in the chorus).
      const bassRoot = chord[0]! - 24
      addTone(centre, barStart, 1.9 * beatS, midiToHz(bassRoot), 0.28 * e, sampleRate, 'bass')
      addTone(
        centre,
        barStart + 2 * beatS,
        1.9 * beatS,
        midiToHz(section.name === 'chorus' ? bassRoot + 12 : bassRoot),
        0.24 * e,
        sampleRate,
        'bass'
      )
      // Plucked arpeggio in eighths from the verse on.
      if (section.name !== 'intro' && section.name !== 'outro') {
        for (let s = 0; s < 8; s++) {
          const note = chord[s % 3]! + 12 * (s >= 4 ? 1 : 0)
          addTone(
            s % 2 === 0 ? left : right,
            barStart + (s * beatS) / 2,
            beatS / 2,
            midiToHz(note),
            0.07 * e,
            sampleRate,
            'pluck'
          )
        }
      }
      for (let beat = 0; beat < beatsPerBar; beat++) {
        const t = beatTimes[bar * beatsPerBar + beat]!
        if (section.drums === 'none') continue
        if (beat === 0 || beat === 2) addSample(centre, kick, t, sampleRate, 0.9 * (section.drums === 'full' ? 1 : 0.7))
        if (section.drums === 'full' && (beat === 1 || beat === 3))
          addSample(centre, snare, t, sampleRate, 0.55 * e + 0.15)
        addSample(right, hat, t, sampleRate, 0.25)
        if (section.drums === 'full') addSample(right, hat, t + beatS / 2, sampleRate, 0.15 + 0.1 * e)
        if (b === 0 && beat === 0) addSample(left, crash, t, sampleRate, 0.25)
      }
    }
    formIndex++
  }
  for (let i = 0; i < length; i++) {
    left[i]! += centre[i]!
    right[i]! += centre[i]!
  }
  normalise([left, right], 0.89)
  return {
    audio: asAudio([left, right], sampleRate),
    beatTimes,
    downbeats: downbeatIndices(beatCount, beatsPerBar),
    beatsPerBar,
    sectionStarts: new Int32Array(sectionStarts)
  }
}
