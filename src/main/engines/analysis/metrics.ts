/**
 * Beat-tracking metrics after mir_eval.beat (0.8): F-measure with a +-70 ms window, continuity
 * (CMLc/CMLt/AMLc/AMLt with 17.5 % phase and period tolerances over the five metrical variations)
 * and tempo accuracy within 4 %. Like `mir_eval.beat.evaluate`, `evaluateBeats` first drops beats
 * before 5 s; the individual functions do not trim.
 */
import { median } from './stats.js'

export function trimBeats(beats: Float64Array, minBeatTime = 5): Float64Array {
  return beats.filter((t) => t >= minBeatTime)
}

/** Maximum one-to-one matching within the window; greedy in time order is optimal on a line. */
export function matchCount(reference: Float64Array, estimated: Float64Array, window: number): number {
  let i = 0
  let j = 0
  let matches = 0
  while (i < reference.length && j < estimated.length) {
    const d = estimated[j]! - reference[i]!
    if (Math.abs(d) <= window) {
      matches++
      i++
      j++
    } else if (d < 0) j++
    else i++
  }
  return matches
}

export function fMeasure(reference: Float64Array, estimated: Float64Array, window = 0.07): number {
  if (reference.length === 0 || estimated.length === 0) return 0
  const matches = matchCount(reference, estimated, window)
  const precision = matches / estimated.length
  const recall = matches / reference.length
  return precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0
}

/** Original, off-beat, double, half (odd), half (even) — mir_eval `_get_reference_beat_variations`. */
function referenceVariations(reference: Float64Array): Float64Array[] {
  const n = reference.length
  const double: number[] = []
  for (let k = 0; k < 2 * n - 1; k++) {
    const position = k / 2
    const lo = Math.floor(position)
    const frac = position - lo
    double.push(frac === 0 ? reference[lo]! : reference[lo]! * (1 - frac) + reference[lo + 1]! * frac)
  }
  const offBeat = double.filter((_, k) => k % 2 === 1)
  const halfOdd = [...reference].filter((_, k) => k % 2 === 0)
  const halfEven = [...reference].filter((_, k) => k % 2 === 1)
  return [
    reference,
    new Float64Array(offBeat),
    new Float64Array(double),
    new Float64Array(halfOdd),
    new Float64Array(halfEven)
  ]
}

export interface Continuity {
  cmlc: number
  cmlt: number
  amlc: number
  amlt: number
}

export function continuity(
  reference: Float64Array,
  estimated: Float64Array,
  phaseThreshold = 0.175,
  periodThreshold = 0.175
): Continuity {
  if (reference.length < 2 || estimated.length < 2) return { cmlc: 0, cmlt: 0, amlc: 0, amlt: 0 }
  const continuous: number[] = []
  const total: number[] = []
  for (const ref of referenceVariations(reference)) {
    if (ref.length < 2) {
      continuous.push(0)
      total.push(0)
      continue
    }
    const slots = Math.max(ref.length, estimated.length)
    const used = new Uint8Array(slots)
    const success = new Uint8Array(slots)
    let nearest = 0
    for (let m = 0; m < estimated.length; m++) {
      const e = estimated[m]!
      // Nearest reference beat (ref is sorted; estimated too, so the pointer only moves forward).
      while (nearest + 1 < ref.length && Math.abs(ref[nearest + 1]! - e) < Math.abs(ref[nearest]! - e)) nearest++
      while (nearest > 0 && Math.abs(ref[nearest - 1]! - e) <= Math.abs(ref[nearest]! - e)) nearest--
      if (used[nearest] === 1) continue
      const minDifference = Math.abs(e - ref[nearest]!)
      let phase: number
      let period: number
      if (m === 0 || nearest === 0) {
        const refInterval =
          nearest + 1 < ref.length ? ref[nearest + 1]! - ref[nearest]! : ref[nearest]! - ref[nearest - 1]!
        const estInterval = m + 1 < estimated.length ? estimated[m + 1]! - e : e - estimated[m - 1]!
        phase = refInterval === 0 ? (minDifference === 0 ? 1 : Infinity) : Math.abs(minDifference / refInterval)
        period = refInterval === 0 ? (estInterval === 0 ? 0 : Infinity) : Math.abs(1 - estInterval / refInterval)
      } else {
        const refInterval = ref[nearest]! - ref[nearest - 1]!
        const estInterval = e - estimated[m - 1]!
        phase = Math.abs(minDifference / refInterval)
        period = Math.abs(1 - estInterval / refInterval)
      }
      if (phase < phaseThreshold && period < periodThreshold) {
        used[nearest] = 1
        success[m] = 1
      }
    }
    let longest = 0
    let run = 0
    let correct = 0
    for (let k = 0; k < slots; k++) {
      if (success[k] === 1) {
        run++
        correct++
        longest = Math.max(longest, run)
      } else run = 0
    }
    continuous.push(longest / slots)
    total.push(correct / slots)
  }
  return { cmlc: continuous[0]!, cmlt: total[0]!, amlc: Math.max(...continuous), amlt: Math.max(...total) }
}

/** Tempo within 4 % (Accuracy1), and within 4 % of x2, x3, /2, /3 (Accuracy2). */
export function tempoAccuracy(
  referenceBpm: number,
  estimatedBpm: number,
  tolerance = 0.04
): { acc1: boolean; acc2: boolean } {
  const within = (r: number): boolean => Math.abs(estimatedBpm - r) <= tolerance * r
  return { acc1: within(referenceBpm), acc2: [1, 2, 3, 1 / 2, 1 / 3].some((f) => within(referenceBpm * f)) }
}

/** Whether the estimate runs at double, half (etc.) the reference rate: an octave error. */
export function metricalLevel(reference: Float64Array, estimated: Float64Array): 'same' | 'double' | 'half' | 'other' {
  const medianInterval = (x: Float64Array): number => median(x.subarray(1).map((t, i) => t - x[i]!))
  const r = medianInterval(reference)
  const e = medianInterval(estimated)
  if (r <= 0 || e <= 0) return 'other'
  const ratio = r / e
  if (Math.abs(ratio - 1) < 0.08) return 'same'
  if (Math.abs(ratio - 2) < 0.16) return 'double'
  if (Math.abs(ratio - 0.5) < 0.04) return 'half'
  return 'other'
}

export interface BeatScores extends Continuity {
  fMeasure: number
}

/** mir_eval.beat.evaluate-style: trims beats before 5 s from both sequences, then scores. */
export function evaluateBeats(reference: Float64Array, estimated: Float64Array): BeatScores {
  const ref = trimBeats(reference)
  const est = trimBeats(estimated)
  return { fMeasure: fMeasure(ref, est), ...continuity(ref, est) }
}
