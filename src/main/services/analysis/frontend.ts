import { RealFFT, hannWindow } from './fft.js'

/**
 * Short-time spectral front end. One pass over the signal computes, per frame, everything the
 * beat tracker and the per-beat features need, so each FFT is done once. librosa defaults:
 * 22 050 Hz, n_fft 2048, hop 512, periodic Hann, frames centred (zero padding), 128 Slaney mel
 * bands. Tables are built once per process; the frame loop allocates nothing.
 */

export const ANALYSIS_RATE = 22050
export const N_FFT = 2048
export const HOP = 512
export const N_BINS = N_FFT / 2 + 1
export const N_MELS = 128
export const FRAME_RATE = ANALYSIS_RATE / HOP
/** librosa `power_to_db` floor and dynamic range. */
export const AMIN = 1e-10
export const TOP_DB = 80

export const CONTRAST_BANDS = 7
export const ENERGY_BANDS = 3
const CONTRAST_FMIN = 200
const CONTRAST_QUANTILE = 0.02
const BAND_EDGES_HZ = [220, 1760]
const CHROMA_FMIN = 55
const CHROMA_FMAX = 5000

export interface FrameFeatures {
  frameCount: number
  /** Mel power in dB (floored at AMIN, clipped to TOP_DB below the song's maximum), frameCount x N_MELS. */
  melDb: Float32Array
  /** Time-domain RMS of the 2048-sample frame. */
  rms: Float32Array
  /** Zero-crossing rate of the 2048-sample frame (fraction of sample pairs). */
  zcr: Float32Array
  /** Spectral centroid, bandwidth (p = 2) and 85 % roll-off of the magnitude spectrum, in Hz. */
  centroid: Float32Array
  bandwidth: Float32Array
  rolloff: Float32Array
  /** Spectral flatness (geometric / arithmetic mean) over the mel power bands, 0..1. */
  flatness: Float32Array
  /** librosa-style spectral contrast in dB, frameCount x CONTRAST_BANDS. */
  contrast: Float32Array
  /** Power below 220 Hz, 220-1760 Hz, above 1760 Hz, frameCount x ENERGY_BANDS. */
  bandPower: Float32Array
  /** Pitch-class energy from interpolated spectral peaks (A4 = 440 Hz), frameCount x 12, not normalised. */
  chroma: Float32Array
}

interface Tables {
  fft: RealFFT
  window: Float64Array
  melStart: Int32Array
  melLength: Int32Array
  melWeights: Float32Array
  melOffset: Int32Array
  binHz: Float64Array
  contrastLo: Int32Array
  contrastHi: Int32Array
  contrastCount: Int32Array
  bandEdgeBins: Int32Array
  chromaLoBin: number
  chromaHiBin: number
  /** MIDI pitch of each bin centre, and its change to the next / from the previous bin. */
  pitchOfBin: Float64Array
  pitchSlopeUp: Float64Array
  pitchSlopeDown: Float64Array
}

let tables: Tables | null = null

function hzToMelSlaney(hz: number): number {
  const fSp = 200 / 3
  const minLogHz = 1000
  const minLogMel = minLogHz / fSp
  const logStep = Math.log(6.4) / 27
  return hz >= minLogHz ? minLogMel + Math.log(hz / minLogHz) / logStep : hz / fSp
}

function melToHzSlaney(mel: number): number {
  const fSp = 200 / 3
  const minLogHz = 1000
  const minLogMel = minLogHz / fSp
  const logStep = Math.log(6.4) / 27
  return mel >= minLogMel ? minLogHz * Math.exp(logStep * (mel - minLogMel)) : fSp * mel
}

function buildTables(): Tables {
  const binHz = new Float64Array(N_BINS)
  for (let k = 0; k < N_BINS; k++) binHz[k] = (k * ANALYSIS_RATE) / N_FFT
  // Slaney mel filterbank (librosa.filters.mel defaults: htk=False, norm='slaney', fmax = sr/2).
  const melMax = hzToMelSlaney(ANALYSIS_RATE / 2)
  const edges = new Float64Array(N_MELS + 2)
  for (let i = 0; i < N_MELS + 2; i++) edges[i] = melToHzSlaney((melMax * i) / (N_MELS + 1))
  const melStart = new Int32Array(N_MELS)
  const melLength = new Int32Array(N_MELS)
  const melOffset = new Int32Array(N_MELS)
  const weights: number[] = []
  for (let m = 0; m < N_MELS; m++) {
    const lo = edges[m]!
    const centre = edges[m + 1]!
    const hi = edges[m + 2]!
    const norm = 2 / (hi - lo)
    let first = -1
    const row: number[] = []
    for (let k = 0; k < N_BINS; k++) {
      const f = binHz[k]!
      const w = Math.max(0, Math.min((f - lo) / (centre - lo), (hi - f) / (hi - centre)))
      if (w > 0) {
        if (first < 0) first = k
        row.length = k - first
        row.push(w * norm)
      }
    }
    // Very narrow low bands may fall between bins: give them the nearest bin so no band is dead.
    if (first < 0) {
      first = Math.round((centre * N_FFT) / ANALYSIS_RATE)
      row.push(norm * 0.5)
    }
    melStart[m] = first
    melLength[m] = row.length
    melOffset[m] = weights.length
    for (const w of row) weights.push(w ?? 0)
  }
  // Spectral contrast octave bands as in librosa.feature.spectral_contrast (fmin 200, 6 bands).
  const contrastLo = new Int32Array(CONTRAST_BANDS)
  const contrastHi = new Int32Array(CONTRAST_BANDS)
  const contrastCount = new Int32Array(CONTRAST_BANDS)
  for (let b = 0; b < CONTRAST_BANDS; b++) {
    const fLo = b === 0 ? 0 : CONTRAST_FMIN * 2 ** (b - 1)
    const fHi = CONTRAST_FMIN * 2 ** b
    let lo = Math.ceil((fLo * N_FFT) / ANALYSIS_RATE)
    let hi = b === CONTRAST_BANDS - 1 ? N_BINS - 1 : Math.floor((fHi * N_FFT) / ANALYSIS_RATE)
    if (b > 0) lo -= 1
    if (b < CONTRAST_BANDS - 1) hi -= 1
    contrastLo[b] = lo
    contrastHi[b] = hi
    contrastCount[b] = Math.max(1, Math.round(CONTRAST_QUANTILE * (hi - lo + 1)))
  }
  const bandEdgeBins = new Int32Array(BAND_EDGES_HZ.map((f) => Math.round((f * N_FFT) / ANALYSIS_RATE)))
  const pitch = (bin: number): number => 69 + 12 * Math.log2(Math.max(bin, 0.5) * ANALYSIS_RATE / N_FFT / 440)
  const pitchOfBin = new Float64Array(N_BINS)
  const pitchSlopeUp = new Float64Array(N_BINS)
  const pitchSlopeDown = new Float64Array(N_BINS)
  for (let k = 1; k < N_BINS; k++) {
    pitchOfBin[k] = pitch(k)
    pitchSlopeUp[k] = pitch(k + 1) - pitch(k)
    pitchSlopeDown[k] = pitch(k) - pitch(k - 1)
  }
  return {
    pitchOfBin,
    pitchSlopeUp,
    pitchSlopeDown,
    fft: new RealFFT(N_FFT),
    window: hannWindow(N_FFT),
    melStart,
    melLength,
    melWeights: new Float32Array(weights),
    melOffset,
    binHz,
    contrastLo,
    contrastHi,
    contrastCount,
    bandEdgeBins,
    chromaLoBin: Math.max(2, Math.floor((CHROMA_FMIN * N_FFT) / ANALYSIS_RATE)),
    chromaHiBin: Math.min(N_BINS - 2, Math.ceil((CHROMA_FMAX * N_FFT) / ANALYSIS_RATE))
  }
}

export function frontendTables(): Tables {
  tables ??= buildTables()
  return tables
}

/** Mean of the `count` smallest (or largest) values of a[lo..hi] with a tiny sorted buffer (count is ~2 % of the band). */
function extremeMean(a: Float64Array, lo: number, hi: number, count: number, largest: boolean, buffer: Float64Array): number {
  let filled = 0
  for (let k = lo; k <= hi; k++) {
    const v = largest ? -a[k]! : a[k]!
    if (filled < count) {
      let j = filled++
      while (j > 0 && buffer[j - 1]! > v) {
        buffer[j] = buffer[j - 1]!
        j--
      }
      buffer[j] = v
    } else if (v < buffer[count - 1]!) {
      let j = count - 1
      while (j > 0 && buffer[j - 1]! > v) {
        buffer[j] = buffer[j - 1]!
        j--
      }
      buffer[j] = v
    }
  }
  let sum = 0
  for (let j = 0; j < filled; j++) sum += buffer[j]!
  const mean = sum / Math.max(1, filled)
  return largest ? -mean : mean
}

/** Runs the frame loop over a mono signal at ANALYSIS_RATE. */
export function computeFrames(y: Float32Array): FrameFeatures {
  const t = frontendTables()
  const frameCount = 1 + Math.floor(y.length / HOP)
  const melDb = new Float32Array(frameCount * N_MELS)
  const rms = new Float32Array(frameCount)
  const zcr = new Float32Array(frameCount)
  const centroid = new Float32Array(frameCount)
  const bandwidth = new Float32Array(frameCount)
  const rolloff = new Float32Array(frameCount)
  const flatness = new Float32Array(frameCount)
  const contrast = new Float32Array(frameCount * CONTRAST_BANDS)
  const bandPower = new Float32Array(frameCount * ENERGY_BANDS)
  const chroma = new Float32Array(frameCount * 12)

  // Prefix sums make the per-frame RMS and zero-crossing counts O(1).
  const n = y.length
  const energyPrefix = new Float64Array(n + 1)
  const crossingPrefix = new Int32Array(n + 1)
  for (let i = 0; i < n; i++) {
    const v = y[i]!
    energyPrefix[i + 1] = energyPrefix[i]! + v * v
    crossingPrefix[i + 1] = crossingPrefix[i]! + (i > 0 && v >= 0 !== y[i - 1]! >= 0 ? 1 : 0)
  }

  const frame = new Float64Array(N_FFT)
  const power = new Float64Array(N_BINS)
  const magnitude = new Float64Array(N_BINS)
  const selectBuffer = new Float64Array(64)
  const half = N_FFT / 2
  const { fft, window, melStart, melLength, melWeights, melOffset, binHz, contrastLo, contrastHi, contrastCount, bandEdgeBins } = t
  const { pitchOfBin, pitchSlopeUp, pitchSlopeDown, chromaLoBin: chromaLo, chromaHiBin: chromaHi } = t
  const edge0 = bandEdgeBins[0]!
  const edge1 = bandEdgeBins[1]!
  let globalMaxDb = -Infinity

  for (let f = 0; f < frameCount; f++) {
    const centre = f * HOP
    const start = centre - half
    if (start >= 0 && start + N_FFT <= n) {
      for (let i = 0; i < N_FFT; i++) frame[i] = y[start + i]!
    } else {
      for (let i = 0; i < N_FFT; i++) {
        const s = start + i
        frame[i] = s >= 0 && s < n ? y[s]! : 0
      }
    }
    const lo = Math.max(0, start)
    const hi = Math.min(n, start + N_FFT)
    rms[f] = Math.sqrt(Math.max(0, energyPrefix[hi]! - energyPrefix[lo]!) / N_FFT)
    zcr[f] = hi - lo > 1 ? (crossingPrefix[hi]! - crossingPrefix[lo + 1]!) / N_FFT : 0

    fft.powerSpectrum(frame, power, window)

    // Magnitude statistics: centroid, bandwidth, roll-off, band powers.
    let magSum = 0
    let magF = 0
    let magF2 = 0
    let low = 0
    let mid = 0
    let high = 0
    let maxPower = 0
    for (let k = 0; k < N_BINS; k++) {
      const p = power[k]!
      const m = Math.sqrt(p)
      magnitude[k] = m
      const hz = binHz[k]!
      magSum += m
      magF += m * hz
      magF2 += m * hz * hz
      if (k < edge0) low += p
      else if (k < edge1) mid += p
      else high += p
      if (p > maxPower) maxPower = p
    }
    bandPower[f * 3] = low
    bandPower[f * 3 + 1] = mid
    bandPower[f * 3 + 2] = high
    if (magSum > 1e-12) {
      const c = magF / magSum
      centroid[f] = c
      bandwidth[f] = Math.sqrt(Math.max(0, magF2 / magSum - c * c))
      const target = 0.85 * magSum
      let cumulative = 0
      let k = 0
      for (; k < N_BINS - 1; k++) {
        cumulative += magnitude[k]!
        if (cumulative >= target) break
      }
      rolloff[f] = binHz[k]!
    }

    // Mel bands and flatness (geometric / arithmetic mean of the band powers).
    let logSum = 0
    let linSum = 0
    const melRow = f * N_MELS
    for (let m = 0; m < N_MELS; m++) {
      const s = melStart[m]!
      const len = melLength[m]!
      const o = melOffset[m]!
      let acc = 0
      for (let j = 0; j < len; j++) acc += power[s + j]! * melWeights[o + j]!
      const v = acc > AMIN ? acc : AMIN
      const db = 10 * Math.log10(v)
      melDb[melRow + m] = db
      if (db > globalMaxDb) globalMaxDb = db
      logSum += db
      linSum += v
    }
    flatness[f] = Math.min(1, 10 ** (logSum / N_MELS / 10) / (linSum / N_MELS))

    // Spectral contrast on the magnitude spectrum: peak vs valley (2 % quantiles) per octave band, in dB.
    for (let b = 0; b < CONTRAST_BANDS; b++) {
      const l = contrastLo[b]!
      const h = contrastHi[b]!
      const count = contrastCount[b]!
      const peak = extremeMean(magnitude, l, h, count, true, selectBuffer)
      const valley = extremeMean(magnitude, l, h, count, false, selectBuffer)
      contrast[f * CONTRAST_BANDS + b] = 10 * Math.log10(Math.max(peak, AMIN)) - 10 * Math.log10(Math.max(valley, AMIN))
    }

    // Chroma from spectral peaks: quadratic interpolation of the magnitude peak gives its frequency
    // to a fraction of a bin, so low notes map to the right pitch class despite the 10.8 Hz bin
    // spacing. Pitch at a fractional bin comes from a per-bin table and its local slope.
    const floor = Math.max(maxPower * 1e-6, 1e-9)
    const chromaRow = f * 12
    for (let k = chromaLo; k <= chromaHi; k++) {
      const p = power[k]!
      if (p <= floor || p <= power[k - 1]! || p < power[k + 1]!) continue
      const a = magnitude[k - 1]!
      const b = magnitude[k]!
      const c = magnitude[k + 1]!
      const denominator = a - 2 * b + c
      const delta = denominator < 0 ? Math.max(-0.5, Math.min(0.5, (0.5 * (a - c)) / denominator)) : 0
      const pitch = pitchOfBin[k]! + delta * (delta >= 0 ? pitchSlopeUp[k]! : pitchSlopeDown[k]!)
      const nearest = Math.round(pitch)
      const d = pitch - nearest // -0.5..0.5 semitones
      const weightFar = d >= 0 ? d : -d
      const pcNear = nearest % 12
      const pcFar = (nearest + (d >= 0 ? 1 : 11)) % 12
      chroma[chromaRow + pcNear] = chroma[chromaRow + pcNear]! + b * (1 - weightFar)
      chroma[chromaRow + pcFar] = chroma[chromaRow + pcFar]! + b * weightFar
    }
  }

  // librosa power_to_db(top_db=80): nothing more than 80 dB below the loudest band of the song.
  const floorDb = globalMaxDb - TOP_DB
  for (let i = 0; i < melDb.length; i++) if (melDb[i]! < floorDb) melDb[i] = floorDb

  return { frameCount, melDb, rms, zcr, centroid, bandwidth, rolloff, flatness, contrast, bandPower, chroma }
}
