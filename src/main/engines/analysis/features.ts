import { FEATURE_DIM } from '../../../shared/features.js'
import { meanStd, medianInPlace } from './stats.js'
import { ONSET_LATENCY_FRAMES, TEMPOGRAM_WINDOW, type Tempogram } from './beats.js'
import {
  ANALYSIS_RATE,
  CONTRAST_BANDS,
  ENERGY_BANDS,
  FOLDED_BANDS,
  FRAME_RATE,
  N_MELS,
  type FrameFeatures
} from './frontend.js'
import { beatSimilarity, noveltyCurve, windowSimilarity, type SimilarityMatrix } from './meter-phrases.js'

/**
 * Per-beat feature matrix, FEATURE_DIM = 125 columns. The layout, units and normalisation are
 * documented in docs/features.md; the offsets below are the single source of truth in code.
 */
export const FEATURE_LAYOUT = {
  mfccMean: { start: 0, length: 20 },
  mfccStd: { start: 20, length: 20 },
  chroma: { start: 40, length: 12 },
  tonnetz: { start: 52, length: 6 },
  contrast: { start: 58, length: 7 },
  spectralMean: { start: 65, length: 6 },
  spectralStd: { start: 71, length: 6 },
  loudness: { start: 77, length: 3 },
  bandEnergy: { start: 80, length: 3 },
  onset: { start: 83, length: 5 },
  tempogramRatio: { start: 88, length: 13 },
  barPhase: { start: 101, length: 4 },
  position: { start: 105, length: 3 },
  structure: { start: 108, length: 8 },
  join: { start: 116, length: 7 },
  harmonicRatio: { start: 123, length: 1 },
  beatConfidence: { start: 124, length: 1 }
} as const

export const N_MFCC = 20
/** MFCCs (librosa scale, from dB mel power) are divided by this to land roughly in [-3, 3]. */
export const MFCC_SCALE = 100
/** Spectral contrast (dB) divided by this. */
export const CONTRAST_SCALE = 50
/** Loudness floor in dBFS; loudness features are dBFS / 80, so they lie in [-1, 0]. */
export const LOUDNESS_FLOOR_DB = -80
/** Tempogram ratio factors (Prockup et al. 2015, librosa `tempogram_ratio`), multiples of the beat rate. */
export const TEMPOGRAM_FACTORS = [4, 8 / 3, 3, 2, 4 / 3, 3 / 2, 1, 2 / 3, 3 / 4, 1 / 2, 1 / 3, 3 / 8, 1 / 4]
/** Beats a splice must skip at least (Remixatron V3 / earworm minimum loop). */
export const MIN_JUMP_BEATS = 8
const EPS = 1e-10

let dctMatrix: Float64Array | null = null

/** DCT-II with orthonormal scaling (scipy norm='ortho'), N_MFCC x N_MELS. */
function dct(): Float64Array {
  if (dctMatrix !== null) return dctMatrix
  const m = new Float64Array(N_MFCC * N_MELS)
  for (let k = 0; k < N_MFCC; k++) {
    const scale = k === 0 ? Math.sqrt(1 / N_MELS) : Math.sqrt(2 / N_MELS)
    for (let n = 0; n < N_MELS; n++) m[k * N_MELS + n] = scale * Math.cos((Math.PI * k * (2 * n + 1)) / (2 * N_MELS))
  }
  dctMatrix = m
  return m
}

function mfccFrames(frames: FrameFeatures): Float32Array {
  const d = dct()
  const mels = N_MELS // local copies: imported bindings are getters under some loaders
  const coefficients = N_MFCC
  const melDb = frames.melDb
  const out = new Float32Array(frames.frameCount * coefficients)
  for (let f = 0; f < frames.frameCount; f++) {
    const row = f * mels
    for (let k = 0; k < coefficients; k++) {
      let acc = 0
      const dk = k * mels
      for (let m = 0; m < mels; m++) acc += d[dk + m]! * melDb[row + m]!
      out[f * coefficients + k] = acc
    }
  }
  return out
}

const HPSS_TIME_RADIUS = 4
const HPSS_FREQ_RADIUS = 2

/**
 * Harmonic and total energy of each frame by median-filtering HPSS (Fitzgerald 2010, as librosa
 * `hpss`) with a soft (power 2) mask, on the mel power folded to FOLDED_BANDS (32) bands by the
 * front end: kernels of 9 frames (~0.2 s) along time and 5 bands along frequency. Folding keeps
 * the cost a small fraction of the pipeline; the ratio only needs the coarse balance.
 */
function harmonicEnergyFrames(frames: FrameFeatures): { harmonic: Float32Array; total: Float32Array } {
  const bands = FOLDED_BANDS
  const n = frames.frameCount
  const folded = frames.foldedPower
  const harmonicOut = new Float32Array(n)
  const totalOut = new Float32Array(n)
  const buffer = new Float64Array(2 * HPSS_TIME_RADIUS + 1)
  for (let f = 0; f < n; f++) {
    let harmonic = 0
    let total = 0
    for (let b = 0; b < bands; b++) {
      let count = 0
      for (let d = -HPSS_TIME_RADIUS; d <= HPSS_TIME_RADIUS; d++) {
        const ff = f + d
        if (ff >= 0 && ff < n) buffer[count++] = folded[ff * bands + b]!
      }
      const h = medianInPlace(buffer, count)
      count = 0
      for (let d = -HPSS_FREQ_RADIUS; d <= HPSS_FREQ_RADIUS; d++) {
        const bb = b + d
        if (bb >= 0 && bb < bands) buffer[count++] = folded[f * bands + bb]!
      }
      const p = medianInPlace(buffer, count)
      const energy = folded[f * bands + b]!
      harmonic += (energy * h * h) / (h * h + p * p + EPS)
      total += energy
    }
    harmonicOut[f] = harmonic
    totalOut[f] = total
  }
  return { harmonic: harmonicOut, total: totalOut }
}

export interface BeatContext {
  frames: FrameFeatures
  onsetEnvelope: Float32Array
  tempogram: Tempogram
  beatTimes: Float64Array
  beatsPerBar: number
  barPosition: Int32Array
  confidence: Float32Array
  durationS: number
}

/** Features of every group except structure/join, plus what phrase detection and those groups need. */
export interface BeatFeatures {
  features: Float32Array
  /** Beat-to-beat similarity. */
  similarity: SimilarityMatrix
  /** Structure novelty at 2-, 4- and 8-bar scales (kernel half-widths 4, 8, 16 beats), per beat. */
  novelties: [Float32Array, Float32Array, Float32Array]
  beatChroma: Float32Array
  timbre: Float32Array
  beatRms: Float64Array
  beatsPerBar: number
  barPosition: Int32Array
}

interface BeatSpan {
  start: Int32Array
  end: Int32Array
}

function beatSpans(beatTimes: Float64Array, frameCount: number): BeatSpan {
  const n = beatTimes.length
  const start = new Int32Array(n)
  const end = new Int32Array(n)
  const intervals: number[] = []
  for (let i = 1; i < n; i++) intervals.push((beatTimes[i]! - beatTimes[i - 1]!) * FRAME_RATE)
  intervals.sort((a, b) => a - b)
  const medianFrames = intervals.length > 0 ? intervals[intervals.length >> 1]! : FRAME_RATE / 2
  for (let i = 0; i < n; i++) {
    const s = Math.min(frameCount - 1, Math.max(0, Math.round(beatTimes[i]! * FRAME_RATE)))
    const e = i + 1 < n ? Math.round(beatTimes[i + 1]! * FRAME_RATE) : Math.round(s + medianFrames)
    start[i] = s
    end[i] = Math.max(s + 1, Math.min(frameCount, e))
  }
  return { start, end }
}

const clamp = (v: number, lo: number, hi: number): number => (v < lo ? lo : v > hi ? hi : v)
const dbfs = (rms: number): number => Math.max(LOUDNESS_FLOOR_DB, 20 * Math.log10(rms + EPS))

export function computeBeatFeatures(context: BeatContext): BeatFeatures {
  const { frames, onsetEnvelope, tempogram, beatTimes, barPosition, confidence, durationS } = context
  const n = beatTimes.length
  const D = FEATURE_DIM
  const out = new Float32Array(n * D)
  const L = FEATURE_LAYOUT
  const spans = beatSpans(beatTimes, frames.frameCount)
  const mfcc = mfccFrames(frames)
  const hpss = harmonicEnergyFrames(frames)
  const nyquist = ANALYSIS_RATE / 2

  let songRms = 0
  for (let f = 0; f < frames.frameCount; f++) songRms += frames.rms[f]!
  songRms /= Math.max(1, frames.frameCount)
  let songOnset = 0
  for (let f = 0; f < onsetEnvelope.length; f++) songOnset += onsetEnvelope[f]!
  songOnset /= Math.max(1, onsetEnvelope.length)

  const beatChroma = new Float32Array(n * 12)
  const beatRms = new Float64Array(n)
  const timbre = new Float32Array(n * 13)
  const intervals: number[] = []
  for (let i = 1; i < n; i++) intervals.push(beatTimes[i]! - beatTimes[i - 1]!)
  const sortedIntervals = [...intervals].sort((a, b) => a - b)
  const medianIbi = sortedIntervals.length > 0 ? sortedIntervals[sortedIntervals.length >> 1]! : 0.5

  for (let i = 0; i < n; i++) {
    const row = i * D
    const s = spans.start[i]!
    const e = spans.end[i]!
    const count = e - s

    // MFCC mean / std.
    for (let k = 0; k < N_MFCC; k++) {
      const [mean, std] = meanStd(mfcc, N_MFCC, k, s, e)
      out[row + L.mfccMean.start + k] = mean / MFCC_SCALE
      out[row + L.mfccStd.start + k] = std / MFCC_SCALE
      if (k < 13) timbre[i * 13 + k] = mean / MFCC_SCALE
    }

    // Chroma: energy-weighted sum over the beat, max-normalised; tonnetz of the L1-normalised chroma.
    let chromaMax = 0
    let chromaSum = 0
    for (let c = 0; c < 12; c++) {
      let acc = 0
      for (let f = s; f < e; f++) acc += frames.chroma[f * 12 + c]!
      beatChroma[i * 12 + c] = acc
      chromaMax = Math.max(chromaMax, acc)
      chromaSum += acc
    }
    const audible = chromaMax > 1e-6
    for (let c = 0; c < 12; c++) {
      const v = audible ? beatChroma[i * 12 + c]! / chromaMax : 0
      out[row + L.chroma.start + c] = v
      beatChroma[i * 12 + c] = v
    }
    const tonnetz = [0, 0, 0, 0, 0, 0]
    if (audible) {
      for (let c = 0; c < 12; c++) {
        const w = (beatChroma[i * 12 + c]! * chromaMax) / chromaSum
        tonnetz[0]! += w * Math.sin((c * 7 * Math.PI) / 6)
        tonnetz[1]! += w * Math.cos((c * 7 * Math.PI) / 6)
        tonnetz[2]! += w * Math.sin((c * 3 * Math.PI) / 2)
        tonnetz[3]! += w * Math.cos((c * 3 * Math.PI) / 2)
        tonnetz[4]! += 0.5 * w * Math.sin((c * 2 * Math.PI) / 3)
        tonnetz[5]! += 0.5 * w * Math.cos((c * 2 * Math.PI) / 3)
      }
    }
    for (let k = 0; k < 6; k++) out[row + L.tonnetz.start + k] = tonnetz[k]!

    // Spectral contrast.
    for (let b = 0; b < CONTRAST_BANDS; b++) {
      out[row + L.contrast.start + b] = meanStd(frames.contrast, CONTRAST_BANDS, b, s, e)[0] / CONTRAST_SCALE
    }

    // Spectral scalars: centroid, bandwidth, roll-off (fractions of Nyquist), flatness, zcr, rms.
    const scalars: [Float32Array, number][] = [
      [frames.centroid, nyquist],
      [frames.bandwidth, nyquist],
      [frames.rolloff, nyquist],
      [frames.flatness, 1],
      [frames.zcr, 1],
      [frames.rms, 1]
    ]
    scalars.forEach(([values, scale], k) => {
      const [mean, std] = meanStd(values, 1, 0, s, e)
      out[row + L.spectralMean.start + k] = mean / scale
      out[row + L.spectralStd.start + k] = std / scale
    })
    beatRms[i] = meanStd(frames.rms, 1, 0, s, e)[0]

    // Loudness envelope: start, max and where the max falls.
    let maxRms = -1
    let maxAt = 0
    for (let f = s; f < e; f++) {
      if (frames.rms[f]! > maxRms) {
        maxRms = frames.rms[f]!
        maxAt = f - s
      }
    }
    out[row + L.loudness.start] = dbfs(frames.rms[s]!) / -LOUDNESS_FLOOR_DB
    out[row + L.loudness.start + 1] = dbfs(maxRms) / -LOUDNESS_FLOOR_DB
    out[row + L.loudness.start + 2] = count > 1 ? maxAt / (count - 1) : 0

    // Band energy fractions (sum to 1; 1/3 each in silence).
    const bands = [0, 0, 0]
    for (let f = s; f < e; f++)
      for (let b = 0; b < ENERGY_BANDS; b++) bands[b]! += frames.bandPower[f * ENERGY_BANDS + b]!
    const bandTotal = bands[0]! + bands[1]! + bands[2]! + 3 * EPS
    for (let b = 0; b < ENERGY_BANDS; b++) out[row + L.bandEnergy.start + b] = (bands[b]! + EPS) / bandTotal

    // Onset strength around and across the beat, relative to the song's mean, log-compressed.
    const onsetFrame = (f: number): number => clamp(f - ONSET_LATENCY_FRAMES, 0, onsetEnvelope.length - 1)
    const relative = (v: number): number => Math.log1p(songOnset > EPS ? v / songOnset : 0)
    let atBeat = 0
    for (let d = -1; d <= 1; d++) atBeat = Math.max(atBeat, onsetEnvelope[onsetFrame(s + d)]!)
    let onsetSum = 0
    let onsetMax = 0
    for (let f = s; f < e; f++) {
      const v = onsetEnvelope[onsetFrame(f)]!
      onsetSum += v
      onsetMax = Math.max(onsetMax, v)
    }
    const ibi = i + 1 < n ? beatTimes[i + 1]! - beatTimes[i]! : i > 0 ? beatTimes[i]! - beatTimes[i - 1]! : medianIbi
    out[row + L.onset.start] = relative(atBeat)
    out[row + L.onset.start + 1] = relative(onsetSum / count)
    out[row + L.onset.start + 2] = relative(onsetMax)
    out[row + L.onset.start + 3] = ibi
    out[row + L.onset.start + 4] = medianIbi > 0 ? ibi / medianIbi : 1

    // Tempogram ratio: autocorrelation of the onset envelope at multiples of this beat's rate.
    const windowIndex = clamp(
      Math.round(onsetFrame(s) / Math.max(1, tempogram.centres[1] ?? 1)),
      0,
      tempogram.centres.length - 1
    )
    const period = ibi * FRAME_RATE
    TEMPOGRAM_FACTORS.forEach((factor, k) => {
      const lag = period / factor
      let v = 0
      if (lag < TEMPOGRAM_WINDOW - 1) {
        const l0 = Math.floor(lag)
        const frac = lag - l0
        const base = windowIndex * TEMPOGRAM_WINDOW
        v = (1 - frac) * tempogram.windows[base + l0]! + frac * tempogram.windows[base + l0 + 1]!
      }
      out[row + L.tempogramRatio.start + k] = v
    })

    // Bar phase one-hot (3/4 uses the first three slots).
    out[row + L.barPhase.start + clamp(barPosition[i]!, 0, 3)] = 1

    // Harmonic ratio and beat confidence.
    // Harmonic share of the beat's energy (energy-weighted, so near-silent frames between hits do not count).
    let harmonicEnergy = 0
    let totalEnergy = 0
    for (let f = s; f < e; f++) {
      harmonicEnergy += hpss.harmonic[f]!
      totalEnergy += hpss.total[f]!
    }
    out[row + L.harmonicRatio.start] = totalEnergy > EPS ? harmonicEnergy / totalEnergy : 0.5
    out[row + L.beatConfidence.start] = clamp(confidence[i]!, 0, 1)
  }

  // Position in the song, relative loudness, fade-out region (after the last beat at >= 0.75 x mean RMS).
  let meanBeatRms = 0
  for (let i = 0; i < n; i++) meanBeatRms += beatRms[i]!
  meanBeatRms /= Math.max(1, n)
  let lastLoud = -1
  for (let i = 0; i < n; i++) if (beatRms[i]! >= 0.75 * meanBeatRms && meanBeatRms > EPS) lastLoud = i
  for (let i = 0; i < n; i++) {
    const row = i * D + L.position.start
    out[row] = durationS > 0 ? clamp(beatTimes[i]! / durationS, 0, 1) : 0
    out[row + 1] = clamp((beatRms[i]! + EPS) / (songRms + EPS), 0, 10)
    out[row + 2] = lastLoud >= 0 && i > lastLoud ? 1 : 0
  }

  const similarity = beatSimilarity(timbre, 13, beatChroma, n)
  const novelties: [Float32Array, Float32Array, Float32Array] = [
    noveltyCurve(similarity, 4),
    noveltyCurve(similarity, 8),
    noveltyCurve(similarity, 16)
  ]
  return {
    features: out,
    similarity,
    novelties,
    beatChroma,
    timbre,
    beatRms,
    beatsPerBar: context.beatsPerBar,
    barPosition
  }
}

/** Fills the structure (108-115) and join (116-122) groups once phrases are known. */
export function addStructureFeatures(beat: BeatFeatures, phraseStart: Uint8Array): void {
  const {
    features: out,
    similarity: sim,
    novelties,
    beatChroma: chroma,
    timbre,
    barPosition,
    beatRms,
    beatsPerBar
  } = beat
  const n = sim.size
  const D = FEATURE_DIM
  const S = FEATURE_LAYOUT.structure.start
  const J = FEATURE_LAYOUT.join.start

  // Phrase spans for position-in-phrase and phrase energy.
  const phraseOf = new Int32Array(n)
  const phraseBounds: number[] = [0]
  for (let i = 1; i < n; i++) if (phraseStart[i] === 1) phraseBounds.push(i)
  phraseBounds.push(n)
  let songEnergy = 0
  for (let i = 0; i < n; i++) songEnergy += beatRms[i]!
  songEnergy /= Math.max(1, n)
  const phraseEnergy: number[] = []
  for (let p = 0; p + 1 < phraseBounds.length; p++) {
    let acc = 0
    for (let i = phraseBounds[p]!; i < phraseBounds[p + 1]!; i++) {
      acc += beatRms[i]!
      phraseOf[i] = p
    }
    phraseEnergy.push(acc / Math.max(1, phraseBounds[p + 1]! - phraseBounds[p]!))
  }

  // Similarities above the 75th percentile count as "good" jump targets (Remixatron V3 rule).
  const sample: number[] = []
  const stride = Math.max(1, Math.floor((n * n) / 20000))
  for (let k = 0; k < n * n; k += stride) if (Math.floor(k / n) !== k % n) sample.push(sim.values[k]!)
  sample.sort((a, b) => a - b)
  const p75 = sample.length > 0 ? sample[Math.floor(0.75 * (sample.length - 1))]! : 1

  // Consecutive timbre distances set the scale of the path similarity (McFee & Ellis 2014 R_path).
  const stepDistances: number[] = []
  const timbreDistance = (a: number, b: number): number => {
    let d = 0
    for (let k = 0; k < 13; k++) d += (timbre[a * 13 + k]! - timbre[b * 13 + k]!) ** 2
    return d
  }
  for (let i = 0; i + 1 < n; i++) stepDistances.push(timbreDistance(i, i + 1))
  const sortedSteps = [...stepDistances].sort((a, b) => a - b)
  const sigma = Math.max(1e-6, sortedSteps.length > 0 ? sortedSteps[sortedSteps.length >> 1]! : 1)
  const chromaCos = (a: number, b: number): number => {
    let dot = 0
    let na = 0
    let nb = 0
    for (let k = 0; k < 12; k++) {
      dot += chroma[a * 12 + k]! * chroma[b * 12 + k]!
      na += chroma[a * 12 + k]! ** 2
      nb += chroma[b * 12 + k]! ** 2
    }
    return na > 1e-12 && nb > 1e-12 ? clamp(dot / Math.sqrt(na * nb), 0, 1) : 0
  }

  for (let i = 0; i < n; i++) {
    const row = i * D
    out[row + S] = novelties[0]![i]!
    out[row + S + 1] = novelties[1]![i]!
    out[row + S + 2] = novelties[2]![i]!
    out[row + S + 3] = phraseStart[i]!
    const p = phraseOf[i]!
    const phraseLength = phraseBounds[p + 1]! - phraseBounds[p]!
    out[row + S + 4] = phraseLength > 0 ? (i - phraseBounds[p]!) / phraseLength : 0
    // Repetition: best match of the next bar-and-a-half (8 beats) elsewhere in the song.
    let repetition = 0
    let typical = 0
    for (let j = 0; j < n; j++) {
      typical += sim.values[i * n + j]!
      if (Math.abs(j - i) >= MIN_JUMP_BEATS) repetition = Math.max(repetition, windowSimilarity(sim, i, j, 8))
    }
    out[row + S + 5] = repetition
    out[row + S + 6] = n > 0 ? typical / n : 0
    out[row + S + 7] = clamp((phraseEnergy[p]! + 1e-10) / (songEnergy + 1e-10), 0, 10)

    // Join-ability: how smoothly this beat flows into its neighbours, and the best place to jump to
    // instead of beat i+1 (same bar phase as i+1, at least MIN_JUMP_BEATS away).
    out[row + J] = i + 1 < n ? Math.exp(-timbreDistance(i, i + 1) / sigma) : 0
    out[row + J + 1] = i > 0 ? Math.exp(-timbreDistance(i, i - 1) / sigma) : 0
    out[row + J + 2] = i + 1 < n ? chromaCos(i, i + 1) : 0
    const next = i + 1
    let best = 0
    let bestJ = -1
    const top: number[] = []
    if (next < n) {
      const phase = barPosition[next]!
      for (let j = 0; j < n; j++) {
        if (Math.abs(j - next) < MIN_JUMP_BEATS || barPosition[j]! !== phase) continue
        // Compare what would follow the splice: the window from j against the window from i+1.
        const s = windowSimilarity(sim, next, j, Math.min(4, beatsPerBar))
        if (s > best) {
          best = s
          bestJ = j
        }
        if (s >= p75) top.push(s)
      }
    }
    out[row + J + 3] = best
    out[row + J + 4] = Math.min(10, top.length) / 10
    out[row + J + 5] = bestJ >= 0 ? (bestJ - i) / n : 0
    out[row + J + 6] = bestJ >= 0 ? windowSimilarity(sim, next, bestJ, 16) : 0
  }
}
