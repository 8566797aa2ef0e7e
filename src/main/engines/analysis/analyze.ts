import { FEATURE_DIM, FEATURE_VERSION } from '../../../shared/features.js'
import {
  beatFrameToSeconds,
  estimateTempo,
  onsetEnvelopes,
  ONSET_LATENCY_FRAMES,
  tempogram,
  trackBeats
} from './beats.js'
import type { DecodedAudio } from '../audio-io/decode.js'
import { addStructureFeatures, computeBeatFeatures } from './features.js'
import { minMaxBuckets } from '../../../shared/peaks.js'
import type { SongAnalysis } from '../../../shared/domain.js'
import { ANALYSIS_RATE, computeFrames, FRAME_RATE, type FrameFeatures } from './frontend.js'
import { resample } from './resample.js'
import { detectMeter, detectPhrases } from './meter-phrases.js'

export { resample } from './resample.js'

export type ProgressCallback = (fraction: number, stage: string) => void

export function mixToMono(audio: DecodedAudio): Float32Array {
  const channels = audio.channels
  if (channels.length === 0) return new Float32Array(0)
  if (channels.length === 1) return channels[0]!
  const length = channels[0]!.length
  const out = new Float32Array(length)
  if (channels.length === 2) {
    const left = channels[0]!
    const right = channels[1]!
    for (let i = 0; i < length; i++) out[i] = 0.5 * (left[i]! + right[i]!)
    return out
  }
  for (const channel of channels) for (let i = 0; i < length; i++) out[i] = out[i]! + channel[i]!
  const scale = 1 / channels.length
  for (let i = 0; i < length; i++) out[i] = out[i]! * scale
  return out
}

/** Interleaved [min, max] per bucket of the mono downmix (2 x buckets values, in [-1, 1] for normal audio). */
export function waveformPeaks(audio: DecodedAudio, buckets: number): Float32Array {
  const mono = mixToMono(audio)
  return minMaxBuckets(mono.length, Math.max(1, Math.floor(buckets)), (i) => mono[i]!)
}

/** Mono signal at the analysis rate. */
export function analysisSignal(audio: DecodedAudio): Float32Array {
  const mono = mixToMono(audio)
  return audio.sampleRate === ANALYSIS_RATE ? mono : resample(mono, audio.sampleRate, ANALYSIS_RATE)
}

export interface BeatGrid {
  tempoBpm: number
  beatTimes: Float64Array
  confidence: Float32Array
  beatsPerBar: number
  barPosition: Int32Array
  barIndex: Int32Array
}

const FALLBACK_BPM = 120

/** Onset envelope -> tempo -> DP beats -> meter. Falls back to a 120 BPM grid with zero confidence when there is no rhythm at all (silence). */
export function trackGrid(
  frames: FrameFeatures,
  durationS: number
): BeatGrid & { onset: Float32Array; tempogram: ReturnType<typeof tempogram> } {
  const envelopes = onsetEnvelopes(frames.melDb, frames.frameCount)
  const tg = tempogram(envelopes.full)
  const tempo = estimateTempo(tg.mean, tg.windows)
  const track = trackBeats(envelopes.full, tempo.period)
  let beatTimes: Float64Array
  let confidence: Float32Array
  if (track.frames.length >= 2) {
    beatTimes = new Float64Array(track.frames.length)
    for (let i = 0; i < beatTimes.length; i++) beatTimes[i] = Math.min(durationS, beatFrameToSeconds(track.frames[i]!))
    confidence = new Float32Array(track.frames.length)
    // Confidence: onset support at the beat, discounted where the local interval strays from the tempo.
    for (let i = 0; i < beatTimes.length; i++) {
      const interval = i + 1 < beatTimes.length ? beatTimes[i + 1]! - beatTimes[i]! : beatTimes[i]! - beatTimes[i - 1]!
      const deviation = Math.log(Math.max(1e-3, interval) / (60 / tempo.bpm))
      confidence[i] = Math.max(
        0,
        Math.min(1, Math.sqrt(track.strength[i]!) * Math.exp(-8 * deviation * deviation) * (0.5 + 0.5 * tempo.strength))
      )
    }
  } else {
    const period = 60 / FALLBACK_BPM
    const count = Math.max(1, Math.floor(durationS / period))
    beatTimes = new Float64Array(count)
    for (let i = 0; i < count; i++) beatTimes[i] = i * period
    confidence = new Float32Array(count)
  }
  // Keep beats strictly increasing (refinement can in principle reorder two beats a frame apart).
  for (let i = 1; i < beatTimes.length; i++)
    if (beatTimes[i]! <= beatTimes[i - 1]!) beatTimes[i] = beatTimes[i - 1]! + 1e-3
  const n = beatTimes.length
  const intervals: number[] = []
  for (let i = 1; i < n; i++) intervals.push(beatTimes[i]! - beatTimes[i - 1]!)
  intervals.sort((a, b) => a - b)
  const tempoBpm = intervals.length > 0 ? 60 / intervals[intervals.length >> 1]! : FALLBACK_BPM

  // Downbeat evidence per beat.
  const lowOnset = new Float64Array(n)
  const accent = new Float64Array(n)
  const harmonicChange = new Float64Array(n)
  const previousChroma = new Float64Array(12)
  const chroma = new Float64Array(12)
  for (let i = 0; i < n; i++) {
    const frame = Math.round(beatTimes[i]! * FRAME_RATE)
    const onsetFrame = frame - ONSET_LATENCY_FRAMES
    for (let d = -1; d <= 1; d++) {
      const f = onsetFrame + d
      if (f < 0 || f >= envelopes.low.length) continue
      lowOnset[i] = Math.max(lowOnset[i]!, envelopes.low[f]!)
      accent[i] = Math.max(accent[i]!, envelopes.full[f]!)
    }
    const end = i + 1 < n ? Math.round(beatTimes[i + 1]! * FRAME_RATE) : frame + 1
    chroma.fill(0)
    for (let f = Math.max(0, frame); f < Math.min(frames.frameCount, Math.max(frame + 1, end)); f++) {
      for (let c = 0; c < 12; c++) chroma[c]! += frames.chroma[f * 12 + c]!
    }
    let dot = 0
    let na = 0
    let nb = 0
    for (let c = 0; c < 12; c++) {
      dot += chroma[c]! * previousChroma[c]!
      na += chroma[c]! ** 2
      nb += previousChroma[c]! ** 2
    }
    harmonicChange[i] = i > 0 && na > 1e-12 && nb > 1e-12 ? 1 - dot / Math.sqrt(na * nb) : 0
    previousChroma.set(chroma)
  }
  const meter = detectMeter(lowOnset, harmonicChange, accent)
  const barPosition = new Int32Array(n)
  const barIndex = new Int32Array(n)
  for (let i = 0; i < n; i++) {
    barPosition[i] = (meter.firstPosition + i) % meter.beatsPerBar
    barIndex[i] = Math.floor((meter.firstPosition + i) / meter.beatsPerBar)
  }
  return {
    tempoBpm,
    beatTimes,
    confidence,
    beatsPerBar: meter.beatsPerBar,
    barPosition,
    barIndex,
    onset: envelopes.full,
    tempogram: tg
  }
}

export function analyzeAudio(audio: DecodedAudio, onProgress?: ProgressCallback): SongAnalysis {
  const report = onProgress ?? ((): void => undefined)
  report(0, 'resample')
  const y = analysisSignal(audio)
  const durationS = y.length / ANALYSIS_RATE
  report(0.1, 'spectrum')
  const frames = computeFrames(y)
  report(0.55, 'beats')
  const grid = trackGrid(frames, durationS)
  report(0.65, 'features')
  const base = computeBeatFeatures({
    frames,
    onsetEnvelope: grid.onset,
    tempogram: grid.tempogram,
    beatTimes: grid.beatTimes,
    beatsPerBar: grid.beatsPerBar,
    barPosition: grid.barPosition,
    confidence: grid.confidence,
    durationS
  })
  report(0.85, 'structure')
  const phrases = detectPhrases(base.novelties[1], grid.barIndex, grid.barPosition)
  const n = grid.beatTimes.length
  const phraseStart = new Uint8Array(n)
  if (n > 0) phraseStart[0] = 1
  for (let i = 0; i < n; i++) {
    if (grid.barPosition[i] !== 0) continue
    const bar = grid.barIndex[i]! - phrases.offsetBars
    if (bar >= 0 && bar % phrases.barsPerPhrase === 0) phraseStart[i] = 1
  }
  addStructureFeatures(base, phraseStart)
  const features = base.features
  // Guard: every value must be finite (silence, denormals); the tests check the groups never need this.
  for (let i = 0; i < features.length; i++) if (!Number.isFinite(features[i]!)) features[i] = 0
  if (features.length !== n * FEATURE_DIM)
    throw new Error(`feature matrix has ${features.length} values for ${n} beats`)
  report(1, 'done')
  return {
    featureVersion: FEATURE_VERSION,
    tempoBpm: grid.tempoBpm,
    beatsPerBar: grid.beatsPerBar,
    beatTimes: grid.beatTimes,
    barPosition: grid.barPosition,
    barIndex: grid.barIndex,
    phraseStart,
    confidence: grid.confidence,
    features
  }
}
