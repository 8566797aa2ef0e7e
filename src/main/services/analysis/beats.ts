import { RealFFT, nextPow2 } from './fft.js'
import { FRAME_RATE, HOP, ANALYSIS_RATE, N_MELS } from './frontend.js'

/**
 * Onset envelope, tempo estimate and the Ellis (2007) dynamic-programming beat tracker as
 * implemented by librosa (`beat_track`: tightness 100, Gaussian local score, backlinks from
 * i - 2T to i - T/2, last beat at the last strong cumulative-score peak, weak ends trimmed), with
 * two additions: a tempo picker that resolves the metrical octave by comparing autocorrelation
 * evidence at the candidate period and its double/half, and sub-frame beat refinement.
 */

/** Highest mel band of the "low" onset envelope used for downbeats (~300 Hz: kick drum and bass). */
const LOW_MEL_BANDS = 12
/** Autocorrelation window for tempo (librosa ac_size = 8 s, win_length 384 frames). */
export const TEMPOGRAM_WINDOW = 384
const TIGHTNESS = 100
const MIN_BPM = 40
const MAX_BPM = 240
/** Width (std, in octaves) of the log-normal tempo prior around 120 BPM. */
export const TEMPO_PRIOR_OCTAVES = 1.5
/**
 * Latency of the dB-flux onset envelope: a frame's flux rises when an onset enters the leading
 * part of its centred 2048-sample window, i.e. about two hops before the onset itself
 * (librosa pads by n_fft // (2 * hop) frames for the same reason); measured on click tracks.
 */
export const ONSET_LATENCY_FRAMES = 1

export interface OnsetEnvelopes {
  /** Mean positive dB flux over all mel bands, per frame. */
  full: Float32Array
  /** Same over the lowest LOW_MEL_BANDS bands. */
  low: Float32Array
}

export function onsetEnvelopes(melDb: Float32Array, frameCount: number): OnsetEnvelopes {
  const mels = N_MELS // local copy: imported bindings are getters under some loaders
  const lowBands = LOW_MEL_BANDS
  const full = new Float32Array(frameCount)
  const low = new Float32Array(frameCount)
  for (let t = 1; t < frameCount; t++) {
    const cur = t * mels
    const prev = cur - mels
    let sumLow = 0
    let sum = 0
    for (let m = 0; m < mels; m++) {
      const d = melDb[cur + m]! - melDb[prev + m]!
      if (d > 0) {
        sum += d
        if (m < lowBands) sumLow += d
      }
    }
    full[t] = sum / mels
    low[t] = sumLow / lowBands
  }
  return { full, low }
}

export interface Tempogram {
  /** Lag-normalised autocorrelation per analysis window, windowCount x TEMPOGRAM_WINDOW (lag 0 = 1). */
  windows: Float32Array
  /** Centre frame of each window. */
  centres: Int32Array
  /** Average over windows. */
  mean: Float64Array
}

/**
 * Windowed autocorrelation of the onset envelope (librosa `tempogram`: Hann window of 384 frames,
 * each column normalised by its lag-0 value), evaluated every `stride` frames via one FFT per window.
 */
export function tempogram(envelope: Float32Array, stride = 43): Tempogram {
  const n = envelope.length
  const win = TEMPOGRAM_WINDOW
  const size = nextPow2(2 * win)
  const fft = new RealFFT(size)
  const inverse = new RealFFT(size)
  const hann = new Float64Array(win)
  for (let i = 0; i < win; i++) hann[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / win)
  const centres: number[] = []
  for (let c = 0; c < Math.max(1, n); c += stride) centres.push(c)
  const windows = new Float32Array(centres.length * win)
  const mean = new Float64Array(win)
  const buffer = new Float64Array(size)
  const re = new Float64Array(size / 2 + 1)
  const im = new Float64Array(size / 2 + 1)
  const powerAsSignal = new Float64Array(size)
  const acRe = new Float64Array(size / 2 + 1)
  const acIm = new Float64Array(size / 2 + 1)
  let used = 0
  for (let w = 0; w < centres.length; w++) {
    const start = centres[w]! - win / 2
    buffer.fill(0)
    // Remove the window's mean first: the envelope is non-negative, and its DC would otherwise add
    // a large lag-independent floor that hides the difference between metrical levels.
    let windowMean = 0
    let inside = 0
    for (let i = 0; i < win; i++) {
      const s = start + i
      if (s >= 0 && s < n) {
        windowMean += envelope[s]!
        inside++
      }
    }
    windowMean /= Math.max(1, inside)
    let energy = 0
    for (let i = 0; i < win; i++) {
      const s = start + i
      const v = s >= 0 && s < n ? (envelope[s]! - windowMean) * hann[i]! : 0
      buffer[i] = v
      energy += v * v
    }
    if (energy <= 1e-12) continue
    fft.forward(buffer, re, im)
    // Autocorrelation = inverse FFT of the power spectrum; the spectrum is real and even, so a forward
    // real FFT of it (as a symmetric real signal) yields the same values up to the size factor.
    for (let k = 0; k <= size / 2; k++) {
      const p = re[k]! * re[k]! + im[k]! * im[k]!
      powerAsSignal[k] = p
      if (k > 0 && k < size / 2) powerAsSignal[size - k] = p
    }
    inverse.forward(powerAsSignal, acRe, acIm)
    const lag0 = acRe[0]!
    if (lag0 <= 0) continue
    const row = w * win
    for (let lag = 0; lag < win; lag++) {
      const v = acRe[lag]! / lag0
      windows[row + lag] = v
      mean[lag]! += v
    }
    used++
  }
  if (used > 0) for (let lag = 0; lag < win; lag++) mean[lag]! /= used
  return { windows, centres: new Int32Array(centres), mean }
}

function interpolatePeak(values: Float64Array, index: number): { position: number; value: number } {
  if (index <= 0 || index >= values.length - 1) return { position: index, value: values[index]! }
  const a = values[index - 1]!
  const b = values[index]!
  const c = values[index + 1]!
  const denominator = a - 2 * b + c
  if (denominator >= 0) return { position: index, value: b }
  const delta = Math.max(-0.5, Math.min(0.5, (0.5 * (a - c)) / denominator))
  return { position: index + delta, value: b - 0.25 * (a - c) * delta }
}

/** Best autocorrelation value within +-4 % of a lag (with sub-lag interpolation). */
function acAround(ac: Float64Array, lag: number): { position: number; value: number } {
  const lo = Math.max(1, Math.floor(lag * 0.96))
  const hi = Math.min(ac.length - 2, Math.ceil(lag * 1.04))
  let best = lo
  for (let l = lo; l <= hi; l++) if (ac[l]! > ac[best]!) best = l
  if (hi < lo) return { position: lag, value: 0 }
  return interpolatePeak(ac, best)
}

/** Median over tempogram windows of (peak near lag a) / (peak near lag b); uses the mean curve when no windows are given. */
function medianWindowRatio(windows: Float32Array | null, a: number, b: number): number {
  const win = TEMPOGRAM_WINDOW
  const ratios: number[] = []
  const row = new Float64Array(win)
  if (windows === null) return 0
  const count = windows.length / win
  for (let w = 0; w < count; w++) {
    for (let l = 0; l < win; l++) row[l] = windows[w * win + l]!
    if (row[0]! <= 0) continue
    const atB = acAround(row, b).value
    if (atB <= 0.05) continue
    ratios.push(acAround(row, a).value / atB)
  }
  if (ratios.length === 0) return 0
  ratios.sort((x, y) => x - y)
  return ratios[ratios.length >> 1]!
}

export interface TempoEstimate {
  bpm: number
  /** Beat period in frames (fractional). */
  period: number
  /** Peak autocorrelation at the chosen period, 0..1. */
  strength: number
}

/**
 * Tempo from the mean tempogram. Candidates are autocorrelation peaks in 40..240 BPM weighted by a
 * broad log-normal prior around 120 BPM (as librosa, but 1.5 octaves wide so 60 and 200 BPM are not
 * pushed to 120/100). A periodic signal also correlates at 2x and 3x its period, so a candidate is
 * replaced by its double tempo when the half-period peak is nearly as strong (>= 95 %): the beat is the
 * fastest strongly-periodic level, below MAX_BPM.
 */
export function estimateTempo(mean: Float64Array, windows: Float32Array | null = null): TempoEstimate {
  const minLag = Math.floor((60 * FRAME_RATE) / MAX_BPM)
  const maxLag = Math.min(mean.length - 2, Math.ceil((60 * FRAME_RATE) / MIN_BPM))
  let bestLag = -1
  let bestScore = -Infinity
  for (let lag = minLag; lag <= maxLag; lag++) {
    const v = mean[lag]!
    if (!(v > mean[lag - 1]! && v >= mean[lag + 1]!) || v <= 0) continue
    const peak = interpolatePeak(mean, lag)
    const bpm = (60 * FRAME_RATE) / peak.position
    const prior = Math.exp(-0.5 * (Math.log2(bpm / 120) / TEMPO_PRIOR_OCTAVES) ** 2)
    const score = peak.value * prior
    if (score > bestScore) {
      bestScore = score
      bestLag = lag
    }
  }
  if (bestLag < 0) return { bpm: 120, period: (60 * FRAME_RATE) / 120, strength: 0 }
  let chosen = interpolatePeak(mean, bestLag)
  // Octave check towards faster levels (half period). The ratio is taken per analysis window and
  // the median used, because tempo drift smears the long-lag peak of the averaged curve more than
  // the short-lag one and would otherwise fake a faster beat.
  for (;;) {
    const half = chosen.position / 2
    if ((60 * FRAME_RATE) / half > MAX_BPM || half < minLag) break
    const candidate = acAround(mean, half)
    const ratio = windows === null ? candidate.value / Math.max(1e-9, chosen.value) : medianWindowRatio(windows, half, chosen.position)
    if (ratio >= 0.95) chosen = candidate
    else break
  }
  // And towards slower ones: a too-fast pick shows weak correlation at its own period
  // compared with the double period.
  for (;;) {
    const double = chosen.position * 2
    if ((60 * FRAME_RATE) / double < 60 || double > maxLag) break
    const candidate = acAround(mean, double)
    if (candidate.value > 1.5 * chosen.value) chosen = candidate
    else break
  }
  return { bpm: (60 * FRAME_RATE) / chosen.position, period: chosen.position, strength: Math.max(0, Math.min(1, chosen.value)) }
}

export interface BeatTrack {
  /** Beat positions in (fractional) frames. */
  frames: Float64Array
  /** Gaussian-smoothed normalised onset strength ("local score") at each beat, 0..1 after scaling. */
  strength: Float32Array
  localScore: Float64Array
}

/** Ellis DP beat tracker over the onset envelope for a fixed period (frames per beat). */
export function trackBeats(envelope: Float32Array, period: number): BeatTrack {
  const n = envelope.length
  // Normalise by the standard deviation (ddof = 1), as librosa does.
  let mean = 0
  for (let i = 0; i < n; i++) mean += envelope[i]!
  mean /= Math.max(1, n)
  let variance = 0
  for (let i = 0; i < n; i++) variance += (envelope[i]! - mean) ** 2
  const std = Math.sqrt(variance / Math.max(1, n - 1))
  const localScore = new Float64Array(n)
  if (!(std > 1e-9)) return { frames: new Float64Array(0), strength: new Float32Array(0), localScore }
  const radius = Math.round(period)
  const kernel = new Float64Array(2 * radius + 1)
  for (let j = -radius; j <= radius; j++) kernel[j + radius] = Math.exp(-0.5 * ((j * 32) / period) ** 2)
  for (let i = 0; i < n; i++) {
    let acc = 0
    const lo = Math.max(-radius, -i)
    const hi = Math.min(radius, n - 1 - i)
    for (let j = lo; j <= hi; j++) acc += kernel[j + radius]! * envelope[i + j]!
    localScore[i] = acc / std
  }
  const minStep = Math.max(1, Math.round(period / 2))
  const maxStep = Math.max(minStep + 1, Math.round(2 * period))
  const penalty = new Float64Array(maxStep + 1)
  for (let d = minStep; d <= maxStep; d++) penalty[d] = TIGHTNESS * Math.log(d / period) ** 2
  let maxLocal = 0
  for (let i = 0; i < n; i++) if (localScore[i]! > maxLocal) maxLocal = localScore[i]!
  const cumulative = new Float64Array(n)
  const backlink = new Int32Array(n).fill(-1)
  let started = false
  for (let i = 0; i < n; i++) {
    let best = -Infinity
    let bestLoc = -1
    const lo = Math.max(0, i - maxStep)
    for (let loc = i - minStep; loc >= lo; loc--) {
      const s = cumulative[loc]! - penalty[i - loc]!
      if (s > best) {
        best = s
        bestLoc = loc
      }
    }
    // No backlinks until the first real onset, so silence before the music cannot seed a chain.
    if (!started && localScore[i]! >= 0.01 * maxLocal) started = true
    if (started && bestLoc >= 0) {
      cumulative[i] = localScore[i]! + best
      backlink[i] = bestLoc
    } else cumulative[i] = localScore[i]!
  }
  // Last beat: the last local maximum of the cumulative score above half the median of the maxima.
  const maxima: number[] = []
  for (let i = 1; i < n - 1; i++) if (cumulative[i]! > cumulative[i - 1]! && cumulative[i]! >= cumulative[i + 1]!) maxima.push(i)
  if (maxima.length === 0) return { frames: new Float64Array(0), strength: new Float32Array(0), localScore }
  const sortedValues = maxima.map((i) => cumulative[i]!).sort((a, b) => a - b)
  const median = sortedValues[Math.floor(sortedValues.length / 2)]!
  let last = maxima[maxima.length - 1]!
  for (let k = maxima.length - 1; k >= 0; k--) {
    if (cumulative[maxima[k]!]! >= 0.5 * median) {
      last = maxima[k]!
      break
    }
  }
  const path: number[] = []
  for (let i = last; i >= 0; i = backlink[i]!) path.push(i)
  path.reverse()
  // Trim weak leading/trailing beats (librosa trim=True): below half the RMS of the smoothed beat strengths.
  const values = path.map((i) => localScore[i]!)
  const smoothed = values.map((_, k) => {
    let acc = 0
    let weight = 0
    for (let j = -2; j <= 2; j++) {
      const v = values[k + j]
      if (v === undefined) continue
      const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * (j + 3)) / 6)
      acc += w * v
      weight += w
    }
    return acc / weight
  })
  const rms = Math.sqrt(smoothed.reduce((s, v) => s + v * v, 0) / Math.max(1, smoothed.length))
  let first = 0
  let end = path.length
  while (first < end && smoothed[first]! <= 0.5 * rms) first++
  while (end > first && smoothed[end - 1]! <= 0.5 * rms) end--
  const kept = path.slice(first, end)
  const frames = new Float64Array(kept.length)
  const strength = new Float32Array(kept.length)
  const scale = maxLocal > 0 ? maxLocal : 1
  for (let k = 0; k < kept.length; k++) {
    const b = kept[k]!
    let position = b
    // Sub-frame refinement: vertex of the parabola through the local score around the beat.
    if (b > 0 && b < n - 1) {
      const a = localScore[b - 1]!
      const c = localScore[b + 1]!
      const m = localScore[b]!
      const denominator = a - 2 * m + c
      if (denominator < 0 && m >= a && m >= c) position = b + Math.max(-0.5, Math.min(0.5, (0.5 * (a - c)) / denominator))
    }
    frames[k] = position
    strength[k] = Math.min(1, localScore[b]! / scale)
  }
  return { frames, strength, localScore }
}

/** Frame index (fractional) to seconds, compensating the onset envelope latency. */
export function beatFrameToSeconds(frame: number): number {
  return ((frame + ONSET_LATENCY_FRAMES) * HOP) / ANALYSIS_RATE
}

export function secondsToFrame(seconds: number): number {
  return (seconds * ANALYSIS_RATE) / HOP
}
