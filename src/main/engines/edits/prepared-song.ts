import { AppFailure } from '../../../shared/result'
import { FEATURE_DIM } from '../../../shared/features'
import { JUMP_MAX_BEATS, type SongStructure } from './types'

/** One bar: a maximal run of consecutive beats sharing a barIndex. */
export interface Bar {
  first: number
  /** Number of beats in the run. */
  length: number
  /** length === beatsPerBar and the run starts on a downbeat. */
  complete: boolean
}

/** Everything the engine derives once from a SongStructure. */
export interface Prepared {
  s: SongStructure
  n: number
  beatsPerBar: number
  durationS: number
  /** Musical start of each beat (its onset). */
  start: Float64Array
  /** Musical end of each beat: the next onset; for the last beat its onset + the previous inter-beat interval, capped at the song's end. */
  end: Float64Array
  bars: Bar[]
  /** Index into `bars` of each beat. */
  barOf: Int32Array
  /** First beat of the phrase each beat belongs to. */
  phraseFirst: Int32Array
  barPosition: Int32Array
  /** Median inter-beat interval, seconds: "one beat" for duration targets. */
  medianIbi: number
  /** L2-normalised feature rows (zero rows stay zero). */
  unit: Float32Array
  /** Lazily computed JUMP targets: -2 = not computed yet, -1 = none. */
  jump: Int32Array
  jumpScore: Float64Array
}

const cache = new WeakMap<SongStructure, Prepared>()

function fail(message: string, field: string): never {
  throw new AppFailure('validation', message, field)
}

/** Validates a SongStructure and derives bars, phrases, beat spans and normalised features (cached per object). */
export function prepare(s: SongStructure): Prepared {
  const hit = cache.get(s)
  if (hit) return hit
  if (!(s.sampleRate > 0) || !Number.isFinite(s.sampleRate))
    fail(`sampleRate must be a positive number, got ${s.sampleRate}`, 'sampleRate')
  if (!(s.durationS > 0) || !Number.isFinite(s.durationS))
    fail(`durationS must be a positive number, got ${s.durationS}`, 'durationS')
  if (!Number.isInteger(s.beatsPerBar) || s.beatsPerBar < 1 || s.beatsPerBar > 16)
    fail(`beatsPerBar must be an integer in 1..16, got ${s.beatsPerBar}`, 'beatsPerBar')
  const n = s.beatTimes.length
  if (n === 0)
    throw new AppFailure('unsupported', 'the song has no beats, so it cannot be edited beat by beat', 'beatTimes')
  for (const [name, arr] of [
    ['barPosition', s.barPosition],
    ['barIndex', s.barIndex],
    ['phraseStart', s.phraseStart]
  ] as const)
    if (arr.length !== n) fail(`${name} has ${arr.length} entries for ${n} beats`, name)
  if (s.features.length !== n * FEATURE_DIM)
    fail(`features has ${s.features.length} values; expected ${n} beats x ${FEATURE_DIM}`, 'features')
  const start = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    const t = s.beatTimes[i] as number
    if (!Number.isFinite(t) || t < 0 || t >= s.durationS)
      fail(`beat ${i} at ${t} s lies outside [0, ${s.durationS})`, `beatTimes[${i}]`)
    if (i > 0 && !(t > (start[i - 1] as number)))
      fail(`beat times must increase strictly (beat ${i})`, `beatTimes[${i}]`)
    start[i] = t
  }
  const end = new Float64Array(n)
  for (let i = 0; i < n - 1; i++) end[i] = start[i + 1] as number
  const lastIbi = n > 1 ? (start[n - 1] as number) - (start[n - 2] as number) : s.durationS - (start[0] as number)
  end[n - 1] = Math.min(s.durationS, (start[n - 1] as number) + lastIbi)

  const ibis: number[] = []
  for (let i = 0; i < n; i++) ibis.push((end[i] as number) - (start[i] as number))
  ibis.sort((a, b) => a - b)
  const medianIbi =
    ibis.length % 2 === 1
      ? (ibis[(ibis.length - 1) / 2] as number)
      : ((ibis[ibis.length / 2 - 1] as number) + (ibis[ibis.length / 2] as number)) / 2

  const barPosition = new Int32Array(n)
  for (let i = 0; i < n; i++) {
    const p = s.barPosition[i] as number
    if (!Number.isInteger(p) || p < 0 || p >= s.beatsPerBar)
      fail(`bar position ${p} of beat ${i} is not in 0..${s.beatsPerBar - 1}`, `barPosition[${i}]`)
    barPosition[i] = p
  }
  const bars: Bar[] = []
  const barOf = new Int32Array(n)
  for (let i = 0; i < n; i++) {
    const b = s.barIndex[i] as number
    if (!Number.isFinite(b)) fail(`bar index of beat ${i} is not a number`, `barIndex[${i}]`)
    if (i === 0 || b !== (s.barIndex[i - 1] as number)) bars.push({ first: i, length: 0, complete: false })
    const bar = bars[bars.length - 1] as Bar
    bar.length++
    barOf[i] = bars.length - 1
  }
  for (const bar of bars) bar.complete = bar.length === s.beatsPerBar && barPosition[bar.first] === 0

  const phraseFirst = new Int32Array(n)
  let current = 0
  for (let i = 0; i < n; i++) {
    if (i > 0 && (s.phraseStart[i] as number) === 1) current = i
    phraseFirst[i] = current
  }

  const unit = new Float32Array(n * FEATURE_DIM)
  for (let i = 0; i < n; i++) {
    let sum = 0
    const o = i * FEATURE_DIM
    for (let d = 0; d < FEATURE_DIM; d++) {
      const v = s.features[o + d] as number
      if (Number.isFinite(v)) sum += v * v
    }
    const inv = sum > 0 ? 1 / Math.sqrt(sum) : 0
    for (let d = 0; d < FEATURE_DIM; d++) {
      const v = s.features[o + d] as number
      unit[o + d] = Number.isFinite(v) ? v * inv : 0
    }
  }
  const prepared: Prepared = {
    s,
    n,
    beatsPerBar: s.beatsPerBar,
    durationS: s.durationS,
    start,
    end,
    bars,
    barOf,
    phraseFirst,
    barPosition,
    medianIbi,
    unit,
    jump: new Int32Array(n).fill(-2),
    jumpScore: new Float64Array(n)
  }
  cache.set(s, prepared)
  return prepared
}

/** Cosine similarity of the full 125-dim feature vectors of beats a and b (0 if either is all zero). */
export function similarity(p: Prepared, a: number, b: number): number {
  const u = p.unit
  const oa = a * FEATURE_DIM
  const ob = b * FEATURE_DIM
  let dot = 0
  for (let d = 0; d < FEATURE_DIM; d++) dot += (u[oa + d] as number) * (u[ob + d] as number)
  return dot
}

/**
 * JUMP target of beat i: the beat j of an earlier phrase, with i's bar position, at most JUMP_MAX_BEATS
 * and at least one bar back, maximising sim(i, j) + sim(i+1, j+1) (sim(i, j) counted twice for the last
 * beat). Ties go to the nearest j. Returns -1 when no beat qualifies.
 */
export function jumpTarget(p: Prepared, i: number): number {
  const cached = p.jump[i] as number
  if (cached !== -2) return cached
  let best = -1
  let bestScore = -Infinity
  const hi = Math.min((p.phraseFirst[i] as number) - 1, i - p.beatsPerBar)
  const lo = Math.max(0, i - JUMP_MAX_BEATS)
  for (let j = hi; j >= lo; j--) {
    if (p.barPosition[j] !== p.barPosition[i]) continue
    const sij = similarity(p, i, j)
    const score = i + 1 < p.n ? sij + similarity(p, i + 1, j + 1) : 2 * sij
    if (score > bestScore + 1e-12) {
      bestScore = score
      best = j
    }
  }
  p.jump[i] = best
  p.jumpScore[i] = best >= 0 ? bestScore : 0
  return best
}

/**
 * Where JUMP at `beat` goes back to: it plays beat, then the source beats target+1 .. beat again, then
 * carries on. Returns the target beat j, or -1 when JUMP is invalid at that beat.
 */
export function jumpTargetOf(s: SongStructure, beat: number): number {
  const p = prepare(s)
  if (!Number.isInteger(beat) || beat < 0 || beat >= p.n)
    throw new AppFailure('validation', `beat ${beat} is not in 0..${p.n - 1}`, 'beat')
  return jumpTarget(p, beat)
}
