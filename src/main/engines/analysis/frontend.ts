import { RealFFT, hannWindow } from './fft.js'
import { extremeMeans } from './stats.js'

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
  /** Mel power summed over groups of MEL_FOLD adjacent bands, frameCount x FOLDED_BANDS (for HPSS). */
  foldedPower: Float32Array
}

/** HPSS runs on the mel power folded to this many bands (groups of MEL_FOLD). */
export const FOLDED_BANDS = 32
const MEL_FOLD = N_MELS / FOLDED_BANDS

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
  const pitch = (bin: number): number => 69 + 12 * Math.log2((Math.max(bin, 0.5) * ANALYSIS_RATE) / N_FFT / 440)
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

  // Energy and zero crossings per hop-sized block: a frame (2048 samples centred on f * HOP) is
  // exactly four blocks, so RMS and zero-crossing rate cost O(1) per frame without a
  // signal-length prefix array.
  const n = y.length
  const blockCount = Math.ceil(n / HOP)
  const blockEnergy = new Float64Array(blockCount)
  const blockCrossings = new Int32Array(blockCount)
  for (let b = 0; b < blockCount; b++) {
    const s0 = b * HOP
    const s1 = Math.min(n, s0 + HOP)
    let energy = 0
    let crossings = 0
    let previous = s0 > 0 ? y[s0 - 1]! >= 0 : y[s0]! >= 0
    for (let i = s0; i < s1; i++) {
      const v = y[i]!
      energy += v * v
      const sign = v >= 0
      if (sign !== previous) crossings++
      previous = sign
    }
    blockEnergy[b] = energy
    blockCrossings[b] = crossings
  }
  const blocksPerFrame = N_FFT / HOP

  const power = new Float64Array(N_BINS)
  const magnitude = new Float64Array(N_BINS)
  const cumulative = new Float64Array(N_BINS)
  const small = new Float64Array(64)
  const large = new Float64Array(64)
  const extremes = new Float64Array(2)
  const foldedPower = new Float32Array(frameCount * FOLDED_BANDS)
  const half = N_FFT / 2
  const mels = N_MELS // local copies: imported bindings are getters under some loaders
  const bins = N_BINS
  const fold = MEL_FOLD
  const foldedBands = FOLDED_BANDS
  const {
    fft,
    window,
    melStart,
    melLength,
    melWeights,
    melOffset,
    binHz,
    contrastLo,
    contrastHi,
    contrastCount,
    bandEdgeBins
  } = t
  const { pitchOfBin, pitchSlopeUp, pitchSlopeDown, chromaLoBin: chromaLo, chromaHiBin: chromaHi } = t
  const edge0 = bandEdgeBins[0]!
  const edge1 = bandEdgeBins[1]!
  const dbScale = 10 / Math.LN10
  let globalMaxDb = -Infinity

  for (let f = 0; f < frameCount; f++) {
    const start = f * HOP - half
    let energy = 0
    let crossings = 0
    const firstBlock = f - blocksPerFrame / 2
    for (let b = Math.max(0, firstBlock); b < Math.min(blockCount, firstBlock + blocksPerFrame); b++) {
      energy += blockEnergy[b]!
      // A crossing at a block's first sample pairs it with the previous block: count it only inside the frame.
      crossings += blockCrossings[b]!
    }
    if (firstBlock > 0 && firstBlock < blockCount) {
      const s0 = firstBlock * HOP
      if (y[s0]! >= 0 !== y[s0 - 1]! >= 0) crossings--
    }
    rms[f] = Math.sqrt(energy / N_FFT)
    zcr[f] = crossings / N_FFT

    fft.powerSpectrumAt(y, start, power, window)

    // Mel bands, their folded sums for HPSS, and flatness (geometric / arithmetic mean of the band powers).
    let logSum = 0
    let linSum = 0
    const melRow = f * mels
    const foldRow = f * foldedBands
    for (let m = 0; m < mels; m++) {
      const s0 = melStart[m]!
      const len = melLength[m]!
      const o = melOffset[m]!
      let acc = 0
      for (let j = 0; j < len; j++) acc += power[s0 + j]! * melWeights[o + j]!
      const v = acc > AMIN ? acc : AMIN
      const db = dbScale * Math.log(v)
      melDb[melRow + m] = db
      if (db > globalMaxDb) globalMaxDb = db
      logSum += db
      linSum += v
      foldedPower[foldRow + ((m / fold) | 0)]! += acc
    }
    flatness[f] = Math.min(1, 10 ** (logSum / mels / 10) / (linSum / mels))

    // Spectral descriptors on every second frame only (interpolated below): they are summarised per
    // beat (~20 frames), where half the frames carry the same information at half the cost.
    if ((f & 1) === 0 || f === frameCount - 1) {
      // Magnitude statistics in one pass: centroid, bandwidth, band powers, running sum for the roll-off.
      let magSum = 0
      let magF = 0
      let magF2 = 0
      let low = 0
      let mid = 0
      let high = 0
      let maxPower = 0
      for (let k = 0; k < bins; k++) {
        const p = power[k]!
        const m = Math.sqrt(p)
        magnitude[k] = m
        const hz = binHz[k]!
        magSum += m
        cumulative[k] = magSum
        const mf = m * hz
        magF += mf
        magF2 += mf * hz
        if (p > maxPower) maxPower = p
      }
      for (let k = 0; k < edge0; k++) low += power[k]!
      for (let k = edge0; k < edge1; k++) mid += power[k]!
      for (let k = edge1; k < bins; k++) high += power[k]!
      bandPower[f * 3] = low
      bandPower[f * 3 + 1] = mid
      bandPower[f * 3 + 2] = high
      if (magSum > 1e-12) {
        const c = magF / magSum
        centroid[f] = c
        bandwidth[f] = Math.sqrt(Math.max(0, magF2 / magSum - c * c))
        // First bin where the cumulative magnitude reaches 85 % (binary search; at most the last bin).
        const target = 0.85 * magSum
        let a = 0
        let b = bins - 1
        while (a < b) {
          const middle = (a + b) >> 1
          if (cumulative[middle]! >= target) b = middle
          else a = middle + 1
        }
        rolloff[f] = binHz[a]!
      }

      // Spectral contrast on the magnitude spectrum: peak vs valley (2 % quantiles) per octave band, in dB.
      for (let b = 0; b < CONTRAST_BANDS; b++) {
        extremeMeans(magnitude, contrastLo[b]!, contrastHi[b]!, contrastCount[b]!, small, large, extremes)
        contrast[f * CONTRAST_BANDS + b] =
          dbScale * (Math.log(Math.max(extremes[1]!, AMIN)) - Math.log(Math.max(extremes[0]!, AMIN)))
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
  }

  // Odd frames: descriptors linearly interpolated from the neighbouring computed frames.
  const interpolate = (values: Float32Array, width: number): void => {
    for (let f = 1; f < frameCount - 1; f += 2) {
      const a = (f - 1) * width
      const b = (f + 1) * width
      const o = f * width
      for (let k = 0; k < width; k++) values[o + k] = 0.5 * (values[a + k]! + values[b + k]!)
    }
  }
  interpolate(centroid, 1)
  interpolate(bandwidth, 1)
  interpolate(rolloff, 1)
  interpolate(contrast, CONTRAST_BANDS)
  interpolate(bandPower, ENERGY_BANDS)
  interpolate(chroma, 12)

  // librosa power_to_db(top_db=80): nothing more than 80 dB below the loudest band of the song.
  const floorDb = globalMaxDb - TOP_DB
  for (let i = 0; i < melDb.length; i++) if (melDb[i]! < floorDb) melDb[i] = floorDb

  return {
    frameCount,
    melDb,
    rms,
    zcr,
    centroid,
    bandwidth,
    rolloff,
    flatness,
    contrast,
    bandPower,
    chroma,
    foldedPower
  }
}
