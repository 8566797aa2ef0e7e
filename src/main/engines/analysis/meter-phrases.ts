/**
 * Beat-level structure: self-similarity between beats, Foote novelty, bar phase (meter and
 * downbeats) and phrase grouping.
 */

export interface SimilarityMatrix {
  size: number
  /** size x size, symmetric, values in [0, 1], 1 on the diagonal. */
  values: Float32Array
  /** Cumulative sums along each diagonal (D[i][j] = S[i][j] + D[i-1][j-1]) for O(1) window means. */
  diagonalSums: Float32Array
}

/**
 * Similarity of two beats = average of a timbre term exp(-|dMFCC|^2 / mean pair distance) and the
 * cosine of their chroma vectors (clipped at 0). Timbre carries instrumentation and energy, chroma
 * carries harmony; both matter for whether two beats are interchangeable.
 */
export function beatSimilarity(
  timbre: Float32Array,
  timbreDim: number,
  chroma: Float32Array,
  count: number
): SimilarityMatrix {
  const values = new Float32Array(count * count)
  let total = 0
  let pairs = 0
  for (let i = 0; i < count; i++) {
    for (let j = i + 1; j < count; j++) {
      let d = 0
      for (let k = 0; k < timbreDim; k++) {
        const diff = timbre[i * timbreDim + k]! - timbre[j * timbreDim + k]!
        d += diff * diff
      }
      values[i * count + j] = d
      total += d
      pairs++
    }
  }
  const scale = pairs > 0 && total > 0 ? total / pairs : 1
  const norms = new Float64Array(count)
  for (let i = 0; i < count; i++) {
    let s = 0
    for (let k = 0; k < 12; k++) s += chroma[i * 12 + k]! ** 2
    norms[i] = Math.sqrt(s)
  }
  for (let i = 0; i < count; i++) {
    values[i * count + i] = 1
    for (let j = i + 1; j < count; j++) {
      const timbreSim = Math.exp(-values[i * count + j]! / scale)
      let dot = 0
      for (let k = 0; k < 12; k++) dot += chroma[i * 12 + k]! * chroma[j * 12 + k]!
      const denominator = norms[i]! * norms[j]!
      const chromaSim =
        denominator > 1e-12 ? Math.max(0, dot / denominator) : norms[i]! <= 1e-12 && norms[j]! <= 1e-12 ? 1 : 0
      const s = 0.5 * timbreSim + 0.5 * chromaSim
      values[i * count + j] = s
      values[j * count + i] = s
    }
  }
  const diagonalSums = new Float32Array(count * count)
  for (let i = 0; i < count; i++) {
    for (let j = 0; j < count; j++) {
      const previous = i > 0 && j > 0 ? diagonalSums[(i - 1) * count + j - 1]! : 0
      diagonalSums[i * count + j] = previous + values[i * count + j]!
    }
  }
  return { size: count, values, diagonalSums }
}

/** Mean similarity of the `length`-beat windows starting at a and b (clipped at the end). */
export function windowSimilarity(m: SimilarityMatrix, a: number, b: number, length: number): number {
  const n = m.size
  const len = Math.min(length, n - a, n - b)
  if (len <= 0) return 0
  const endA = a + len - 1
  const endB = b + len - 1
  const before = a > 0 && b > 0 ? m.diagonalSums[(a - 1) * n + b - 1]! : 0
  return (m.diagonalSums[endA * n + endB]! - before) / len
}

/**
 * Foote novelty with a Gaussian-tapered checkerboard kernel of half-width `half` beats, scaled to
 * [0, 1] by its maximum over the song (all zero when the song never changes).
 */
export function noveltyCurve(m: SimilarityMatrix, half: number): Float32Array {
  const n = m.size
  const out = new Float32Array(n)
  const taper = new Float64Array(2 * half)
  for (let a = -half; a < half; a++) taper[a + half] = Math.exp(-0.5 * ((a + 0.5) / (half / 2)) ** 2)
  let max = 0
  for (let i = 0; i < n; i++) {
    let acc = 0
    let weight = 0
    for (let a = -half; a < half; a++) {
      const ia = i + a
      if (ia < 0 || ia >= n) continue
      const sa = a < 0 ? -1 : 1
      const ta = taper[a + half]!
      for (let b = -half; b < half; b++) {
        const ib = i + b
        if (ib < 0 || ib >= n) continue
        const w = ta * taper[b + half]!
        acc += sa * (b < 0 ? -1 : 1) * w * m.values[ia * n + ib]!
        weight += w
      }
    }
    // Positive when the past and the future are each self-similar but unlike each other.
    const v = weight > 0 ? Math.max(0, -acc / weight) : 0
    out[i] = v
    if (v > max) max = v
  }
  if (max > 1e-9) for (let i = 0; i < n; i++) out[i]! /= max
  else out.fill(0)
  return out
}

export interface Meter {
  beatsPerBar: number
  /** Position in the bar of beat 0 (0 = downbeat). */
  firstPosition: number
  /** Contrast of the chosen phase against the others (z units), for diagnostics. */
  evidence: number
}

function zScore(x: Float64Array): Float64Array {
  const n = x.length
  let mean = 0
  for (let i = 0; i < n; i++) mean += x[i]!
  mean /= Math.max(1, n)
  let variance = 0
  for (let i = 0; i < n; i++) variance += (x[i]! - mean) ** 2
  const std = Math.sqrt(variance / Math.max(1, n))
  const out = new Float64Array(n)
  if (std > 1e-12) for (let i = 0; i < n; i++) out[i] = (x[i]! - mean) / std
  return out
}

/** Best phase of a period-`period` comb over the evidence, and how much it stands out. */
function phaseContrast(evidence: Float64Array, period: number): { phase: number; contrast: number } {
  let best = 0
  let bestContrast = -Infinity
  for (let p = 0; p < period; p++) {
    let on = 0
    let onCount = 0
    let off = 0
    let offCount = 0
    for (let i = 0; i < evidence.length; i++) {
      if (i % period === p) {
        on += evidence[i]!
        onCount++
      } else {
        off += evidence[i]!
        offCount++
      }
    }
    const contrast = (onCount > 0 ? on / onCount : 0) - (offCount > 0 ? off / offCount : 0)
    if (contrast > bestContrast) {
      bestContrast = contrast
      best = p
    }
  }
  return { phase: best, contrast: Math.max(0, bestContrast) }
}

/**
 * Meter and downbeat phase from per-beat evidence: low-frequency onsets (kick, bass note
 * attacks), harmonic change into the beat (chords change on downbeats) and loudness accents.
 * 3/4 is chosen only when its comb clearly beats 4/4 (the default).
 */
export function detectMeter(lowOnset: Float64Array, harmonicChange: Float64Array, accent: Float64Array): Meter {
  const n = lowOnset.length
  if (n < 8) return { beatsPerBar: 4, firstPosition: 0, evidence: 0 }
  const low = zScore(lowOnset)
  const change = zScore(harmonicChange)
  const loud = zScore(accent)
  const evidence = new Float64Array(n)
  for (let i = 0; i < n; i++) evidence[i] = 0.4 * low[i]! + 0.45 * change[i]! + 0.15 * loud[i]!
  const four = phaseContrast(evidence, 4)
  const three = phaseContrast(evidence, 3)
  const useThree = n >= 12 && three.contrast > 0.5 && three.contrast > 1.6 * four.contrast
  const chosen = useThree ? three : four
  const beatsPerBar = useThree ? 3 : 4
  // Beat `phase` is a downbeat, so beat 0 sits at position (beatsPerBar - phase) mod beatsPerBar.
  return { beatsPerBar, firstPosition: (beatsPerBar - chosen.phase) % beatsPerBar, evidence: chosen.contrast }
}

export interface Phrases {
  barsPerPhrase: number
  /** Bar index (0-based) of the first phrase start. */
  offsetBars: number
}

/**
 * Phrase grouping: 4 or 8 bars, aligned where the structure novelty at phrase-start downbeats
 * stands out most from the novelty at other downbeats.
 */
export function detectPhrases(novelty: Float32Array, barIndex: Int32Array, barPosition: Int32Array): Phrases {
  const barNovelty: number[] = []
  for (let i = 0; i < novelty.length; i++) {
    if (barPosition[i] !== 0) continue
    barNovelty[barIndex[i]!] = Math.max(barNovelty[barIndex[i]!] ?? 0, novelty[i]!)
  }
  const bars = barNovelty.length
  let best: Phrases = { barsPerPhrase: 4, offsetBars: 0 }
  let bestScore = -Infinity
  for (const length of [4, 8]) {
    if (bars < length * 2) continue
    for (let offset = 0; offset < length; offset++) {
      let on = 0
      let onCount = 0
      let off = 0
      let offCount = 0
      for (let b = 0; b < bars; b++) {
        const v = barNovelty[b] ?? 0
        if ((b - offset) % length === 0) {
          on += v
          onCount++
        } else {
          off += v
          offCount++
        }
      }
      // Small bias towards 4 bars: an 8-bar grid must explain the novelty clearly better.
      const score = (onCount > 0 ? on / onCount : 0) - (offCount > 0 ? off / offCount : 0) - (length === 8 ? 0.02 : 0)
      if (score > bestScore) {
        bestScore = score
        best = { barsPerPhrase: length, offsetBars: offset }
      }
    }
  }
  return best
}
