import { ACTION_ID } from '../../../shared/actions'
import { mulberry32 } from '../../../shared/random'
import { AppFailure } from '../../../shared/result'
import { contributions, outputSamplesOf } from './edl'
import { ActionWalker, validateActions } from './rules'
import { jumpTarget, prepare, similarity, type Bar, type Prepared } from './prepared-song'
import type { GenerateOptions, GeneratorName, SongStructure } from './types'

const { KEEP, CUT, LOOP, CROSSFADE, REORDER, LOOP_BAR, FADE_IN, FADE_OUT, JUMP } = ACTION_ID

/** Default target of the rule generator when none is given: a "radio edit" at this fraction of the song. */
export const RULE_DEFAULT_FRACTION = 0.75
/** Cuts whose join scores below this (sum of two cosines, max 2) get a one-beat CROSSFADE on the beat before. */
const CROSSFADE_BELOW = 1.5

interface Candidate {
  /** Beat the action goes on (or first beat cut). */
  at: number
  /** Exclusive end of a cut range; unused for extensions. */
  to: number
  action: number
  /** Seconds removed (cuts) or added (extensions). */
  length: number
  score: number
}

class Retargeter {
  readonly p: Prepared
  readonly acts: number[]
  readonly target: number
  readonly tol: number
  private readonly rng: (() => number) | undefined

  constructor(p: Prepared, acts: number[], target: number, rng: (() => number) | undefined) {
    this.p = p
    this.acts = acts
    this.target = target
    this.tol = p.medianIbi
    this.rng = rng
  }

  duration(acts: ArrayLike<number> = this.acts): number {
    return outputSamplesOf(this.p, acts) / this.p.s.sampleRate
  }

  within(d = this.duration()): boolean {
    return Math.abs(d - this.target) <= this.tol
  }

  /** Beats inside a REORDER swap (both bars) or carrying REORDER: the retargeter never touches them. */
  private swapped(): Uint8Array {
    const { p, acts } = this
    const f = new Uint8Array(p.n)
    for (let i = 0; i < p.n; i++)
      if (acts[i] === REORDER) {
        const b = p.barOf[i] as number
        for (const bar of [p.bars[b], p.bars[b + 1]])
          if (bar) for (let k = bar.first; k < bar.first + bar.length; k++) f[k] = 1
      }
    return f
  }

  /** free[i]: beat i is KEEP and outside REORDER swaps, so a new action may go there. */
  free(): Uint8Array {
    const sw = this.swapped()
    return sw.map((x, i) => (x === 0 && this.acts[i] === KEEP ? 1 : 0))
  }

  /** cuttable[i]: beat i is outside REORDER swaps, so it may become CUT whatever it does now. */
  cuttable(): Uint8Array {
    return this.swapped().map((x) => (x === 0 ? 1 : 0))
  }

  private pick(cands: Candidate[]): Candidate | undefined {
    if (cands.length === 0) return undefined
    cands.sort((x, y) => y.score - x.score || y.length - x.length || x.at - y.at)
    if (!this.rng) return cands[0]
    return cands[Math.floor(this.rng() * Math.min(3, cands.length))]
  }

  /** Phrase- or bar-aligned cuts [a, b): the join a-1 -> b should sound like a-1 -> a (b-1 similar to a-1, b to a). */
  shorten(level: 'phrase' | 'bar'): void {
    const { p, acts } = this
    const bounds: number[] = []
    for (let i = 1; i < p.n; i++) {
      if (
        level === 'phrase'
          ? p.phraseFirst[i] === i
          : (p.bars[p.barOf[i] as number] as Bar).first === i && (p.bars[p.barOf[i] as number] as Bar).complete
      )
        bounds.push(i)
    }
    const maxSpan = level === 'phrase' ? p.n : 4 * p.beatsPerBar
    for (let guard = 0; guard < p.n; guard++) {
      const d = this.duration()
      const excess = d - this.target
      if (excess <= this.tol) return
      const ok = this.cuttable()
      const contrib = contributions(p, acts)
      const prefix = new Int32Array(p.n + 1)
      const secs = new Float64Array(p.n + 1)
      for (let i = 0; i < p.n; i++) {
        prefix[i + 1] = (prefix[i] as number) + (ok[i] as number)
        secs[i + 1] = (secs[i] as number) + (contrib[i] as number)
      }
      // [a, b) all cuttable; the beats either side (the join) cuttable too and still played.
      const allFree = (a: number, b: number): boolean =>
        (prefix[b + 1] as number) - (prefix[a] as number) === b - a + 1 && acts[a - 1] !== CUT && acts[b] !== CUT
      const cands: Candidate[] = []
      for (const a of bounds)
        for (const b of bounds) {
          if (b <= a || b - a > maxSpan || b > p.n - 1) continue
          if (p.barPosition[a] !== p.barPosition[b] || !allFree(a - 1, b)) continue
          const length = (secs[b] as number) - (secs[a] as number)
          if (length <= 0 || length > excess + this.tol) continue
          cands.push({ at: a, to: b, action: CUT, length, score: similarity(p, a - 1, b - 1) + similarity(p, a, b) })
        }
      const c = this.pick(cands)
      if (!c) return
      for (let k = c.at; k < c.to; k++) acts[k] = CUT
      if (c.score < CROSSFADE_BELOW && acts[c.at - 1] === KEEP) acts[c.at - 1] = CROSSFADE
    }
  }

  /** Too long: first undo existing repeats (LOOP, LOOP_BAR, JUMP back to KEEP), largest that fits first. */
  undoExtensions(): void {
    const { p, acts } = this
    for (let guard = 0; guard < p.n; guard++) {
      const excess = this.duration() - this.target
      if (excess <= this.tol) return
      const ok = this.cuttable()
      const contrib = contributions(p, acts)
      let best = -1
      let bestLen = 0
      for (let k = 0; k < p.n; k++) {
        const a = acts[k]
        if (!ok[k] || (a !== LOOP && a !== LOOP_BAR && a !== JUMP)) continue
        const extra = (contrib[k] as number) - ((p.end[k] as number) - (p.start[k] as number))
        if (extra <= excess + this.tol && extra > bestLen) {
          best = k
          bestLen = extra
        }
      }
      if (best < 0) return
      acts[best] = KEEP
    }
  }

  /** Extensions: JUMP at the end of a phrase (or bar) back to a similar point, or LOOP_BAR. */
  private extensionCandidates(level: 'phrase' | 'bar' | 'loop_bar', maxLength: number): Candidate[] {
    const { p } = this
    const free = this.free()
    const cands: Candidate[] = []
    for (let i = 0; i < p.n - 1; i++) {
      if (!free[i]) continue
      const nextBar = p.bars[p.barOf[i + 1] as number] as Bar
      if (level === 'phrase' || level === 'bar') {
        if (level === 'phrase' ? p.phraseFirst[i + 1] !== i + 1 : nextBar.first !== i + 1) continue
        const j = jumpTarget(p, i)
        if (j < 0) continue
        const length = (p.start[i + 1] as number) - (p.start[j + 1] as number)
        if (length <= maxLength) cands.push({ at: i, to: i + 1, action: JUMP, length, score: p.jumpScore[i] as number })
      } else {
        const bar = p.bars[p.barOf[i] as number] as Bar
        if (!bar.complete || bar.first + bar.length - 1 !== i) continue
        let ok = true
        for (let k = bar.first; k <= i; k++) if (!free[k]) ok = false
        if (!ok) continue
        const length = (p.end[i] as number) - (p.start[bar.first] as number)
        const back = bar.first > 0 ? similarity(p, i, bar.first - 1) : similarity(p, i + 1, bar.first)
        if (length <= maxLength)
          cands.push({ at: i, to: i + 1, action: LOOP_BAR, length, score: back + similarity(p, i + 1, bar.first) })
      }
    }
    return cands
  }

  extend(level: 'phrase' | 'bar' | 'loop_bar'): void {
    for (let guard = 0; guard < this.p.n; guard++) {
      const deficit = this.target - this.duration()
      if (deficit <= this.tol) return
      const c = this.pick(this.extensionCandidates(level, deficit + this.tol))
      if (!c) return
      this.acts[c.at] = c.action
    }
  }

  /** When nothing fits the deficit: apply the smallest extension available (overshoot; shortening follows). */
  overshoot(): boolean {
    for (const level of ['loop_bar', 'bar', 'phrase'] as const) {
      const cands = this.extensionCandidates(level, Infinity)
      if (cands.length === 0) continue
      cands.sort((x, y) => x.length - y.length || y.score - x.score || x.at - y.at)
      const c = cands[0] as Candidate
      this.acts[c.at] = c.action
      return true
    }
    return false
  }

  /** Cuts trailing beats (an earlier ending) and fades the new last beat out over one beat. */
  endTrim(): void {
    const { p, acts } = this
    const d0 = this.duration()
    if (d0 - this.target <= this.tol) return
    const free = this.free()
    const ok = this.cuttable()
    const trial = acts.slice()
    let best = { err: Math.abs(d0 - this.target), state: acts.slice() }
    let played = trial.reduce((c, a) => c + (a === CUT ? 0 : 1), 0)
    for (let i = p.n - 1; i >= 0 && played > 1; i--) {
      if (trial[i] === CUT) continue
      if (!ok[i]) break
      trial[i] = CUT
      played--
      const d = this.duration(trial)
      const err = Math.abs(d - this.target)
      if (err < best.err) best = { err, state: trial.slice() }
      if (d < this.target - this.tol) break
    }
    for (let i = 0; i < p.n; i++) acts[i] = best.state[i] as number
    let last = p.n - 1
    while (last >= 0 && acts[last] === CUT) last--
    // CROSSFADE means nothing at the very end (nothing follows), so it becomes the fade out too.
    if (
      last >= 0 &&
      last < p.n - 1 &&
      (acts[last] === KEEP || acts[last] === CROSSFADE) &&
      ok[last] &&
      (free[last] || acts[last] === CROSSFADE)
    )
      acts[last] = FADE_OUT
  }

  /** Last resort, one beat at a time: CUT (too long) or LOOP (too short) the beat whose neighbours resemble it most. */
  fine(): void {
    const { p, acts } = this
    const tried = new Set<string>()
    for (let guard = 0; guard < 4 * p.n; guard++) {
      const d = this.duration()
      if (this.within(d)) return
      const longer = d > this.target
      const need = Math.abs(d - this.target)
      const free = this.free()
      const ok = this.cuttable()
      const played = acts.reduce((c, a) => c + (a === CUT ? 0 : 1), 0)
      if (longer && played <= 1) return
      const contrib = contributions(p, acts)
      const cands: Candidate[] = []
      const add = (c: Candidate): void => {
        if (c.length > 0 && !tried.has(`${c.at}:${c.action}`)) cands.push(c)
      }
      for (let k = 0; k < p.n; k++) {
        const beatLen = (p.end[k] as number) - (p.start[k] as number)
        const a = acts[k] as number
        const score = (k > 0 ? similarity(p, k - 1, k) : 1) + (k + 1 < p.n ? similarity(p, k, k + 1) : 1)
        if (longer) {
          if (ok[k] && a !== CUT) add({ at: k, to: k + 1, action: CUT, length: contrib[k] as number, score })
          // Undoing an extension (back to KEEP) is preferred to a new single-beat cut.
          if (ok[k] && (a === LOOP || a === LOOP_BAR || a === JUMP))
            add({ at: k, to: k + 1, action: KEEP, length: (contrib[k] as number) - beatLen, score: 2.5 })
        } else {
          if (free[k]) add({ at: k, to: k + 1, action: LOOP, length: beatLen, score })
          if (ok[k] && a === CUT) add({ at: k, to: k + 1, action: KEEP, length: beatLen, score: 2.5 })
        }
      }
      const fitting = cands.filter((c) => c.length <= need + this.tol)
      const c = this.pick(fitting.length > 0 ? fitting : cands.sort((x, y) => x.length - y.length).slice(0, 1))
      if (!c) return
      const before = acts[c.at] as number
      acts[c.at] = c.action
      const after = this.duration()
      if (Math.abs(after - this.target) >= need) {
        acts[c.at] = before
        tried.add(`${c.at}:${c.action}`)
      }
    }
  }
}

/**
 * Moves an action array towards `targetDurationS` by changing only KEEP beats outside REORDER swaps:
 * too long -> CUT phrase-aligned, then bar-aligned ranges whose joins are the most similar (Infinite
 * Jukebox / earworm style), then an earlier ending (trailing beats cut, FADE_OUT on the new last beat);
 * too short -> JUMP back at phrase ends, then bar ends, then LOOP_BAR, overshooting by the smallest
 * step and trimming when nothing fits. Single-beat CUT/LOOP (or undoing a CUT/repeat) is the last
 * resort; REORDER swaps are kept unless they make the target unreachable. The result lasts
 * within one beat (the song's median inter-beat interval) of the target, or AppFailure('validation',
 * field 'targetDurationS') says the target is out of reach. `rng` picks among the 3 best candidates.
 */
export function retargetToDuration(
  s: SongStructure,
  actions: ArrayLike<number>,
  targetDurationS: number,
  opts: { rng?: () => number } = {}
): number[] {
  validateActions(s, actions)
  const p = prepare(s)
  if (!Number.isFinite(targetDurationS) || targetDurationS <= 0)
    throw new AppFailure(
      'validation',
      `target duration must be a positive number of seconds, got ${targetDurationS}`,
      'targetDurationS'
    )
  const attempt = (start: number[]): Retargeter => {
    const r = new Retargeter(p, start, targetDurationS, opts.rng)
    for (let round = 0; round < 6 && !r.within(); round++) {
      if (r.duration() > targetDurationS) {
        r.undoExtensions()
        r.shorten('phrase')
        r.shorten('bar')
        r.endTrim()
      } else {
        r.extend('phrase')
        r.extend('bar')
        r.extend('loop_bar')
        if (!r.within() && r.duration() < targetDurationS && !r.overshoot()) break
      }
    }
    if (!r.within()) r.fine()
    return r
  }
  let r = attempt(Array.from(actions))
  // REORDER swaps are never edited; when they block the target, dissolve them (REORDER -> KEEP) and retry.
  if (!r.within() && r.acts.includes(REORDER)) {
    const retry = attempt(Array.from(actions, (a) => (a === REORDER ? KEEP : a)))
    if (Math.abs(retry.duration() - targetDurationS) < Math.abs(r.duration() - targetDurationS)) r = retry
  }
  const d = r.duration()
  if (!r.within(d))
    throw new AppFailure(
      'validation',
      `target duration ${targetDurationS.toFixed(2)} s is out of reach for this song (${p.durationS.toFixed(2)} s): the closest edit found lasts ${d.toFixed(2)} s, more than one beat (${p.medianIbi.toFixed(3)} s) away`,
      'targetDurationS'
    )
  validateActions(s, r.acts)
  return r.acts
}

/** Seeded bar-level random plan with musical constraints, sanitised by the action mask. */
function randomActions(p: Prepared, rng: () => number): number[] {
  const acts: number[] = new Array<number>(p.n).fill(KEEP)
  const bars = p.bars
  let prevCut = false
  for (let b = 0; b < bars.length; b++) {
    const bar = bars[b] as Bar
    const last = bar.first + bar.length - 1
    if (!bar.complete) {
      prevCut = false
      continue
    }
    const r = rng()
    let cut = false
    if (r < 0.08 && b > 0 && b < bars.length - 1 && !prevCut) {
      for (let k = bar.first; k <= last; k++) acts[k] = CUT
      if (rng() < 0.5 && bar.first > 0 && acts[bar.first - 1] === KEEP) acts[bar.first - 1] = CROSSFADE
      cut = true
    } else if (r < 0.14) acts[last] = LOOP_BAR
    else if (r < 0.19) acts[bar.first] = REORDER
    else if (r < 0.21) acts[last] = JUMP
    else if (r < 0.24) acts[last] = LOOP
    prevCut = cut
  }
  // Intro: sometimes start at the second phrase with a one-beat fade in.
  const second = p.phraseFirst.findIndex((f, i) => f === i && i > 0)
  if (second > 0 && second < p.n / 2 && rng() < 0.2) {
    for (let k = 0; k < second; k++) acts[k] = CUT
    let first = second
    while (first < p.n && acts[first] === CUT) first++
    if (first < p.n && acts[first] === KEEP) acts[first] = FADE_IN
  }
  // Outro: sometimes end a bar or two early with a one-beat fade out.
  if (bars.length > 4 && rng() < 0.25) {
    const drop = 1 + Math.floor(rng() * 2)
    const from = (bars[bars.length - drop] as Bar).first
    for (let k = from; k < p.n; k++) acts[k] = CUT
    let last = from - 1
    while (last >= 0 && acts[last] === CUT) last--
    if (last >= 0 && (acts[last] === KEEP || acts[last] === CROSSFADE)) acts[last] = FADE_OUT
  }
  const walker = new ActionWalker(p)
  for (let i = 0; i < p.n; i++) {
    if (!walker.allowed(acts[i] as number)) acts[i] = KEEP
    walker.push(acts[i] as number)
  }
  if (p.n > 1 && acts.every((a) => a === KEEP)) acts[Math.floor(rng() * p.n)] = LOOP
  return acts
}

/**
 * Baseline edit generators. identity: every beat KEEP (a target is refused). rule: deterministic,
 * similarity-driven retiming of the identity edit to targetDurationS (default 75 % of the song).
 * random: a seeded bar-level random edit (docs/actions.md, "Generators"), retimed to the target when
 * one is given. Same structure + generator + options -> same actions.
 */
export function generateActions(s: SongStructure, generator: GeneratorName, opts: GenerateOptions = {}): number[] {
  const p = prepare(s)
  const target = opts.targetDurationS
  if (target !== undefined && (!Number.isFinite(target) || target <= 0))
    throw new AppFailure(
      'validation',
      `target duration must be a positive number of seconds, got ${target}`,
      'targetDurationS'
    )
  const seed = opts.seed ?? 0
  if (!Number.isFinite(seed)) throw new AppFailure('validation', `seed must be a number, got ${seed}`, 'seed')
  const identity = new Array<number>(p.n).fill(KEEP)
  switch (generator) {
    case 'identity':
      if (target !== undefined)
        throw new AppFailure(
          'validation',
          'the identity generator keeps every beat and cannot hit a target duration; use rule or random',
          'targetDurationS'
        )
      return identity
    case 'rule': {
      const full = outputSamplesOf(p, identity) / s.sampleRate
      return retargetToDuration(s, identity, target ?? full * RULE_DEFAULT_FRACTION)
    }
    case 'random': {
      const rng = mulberry32(Math.floor(seed))
      const acts = randomActions(p, rng)
      return target === undefined ? acts : retargetToDuration(s, acts, target, { rng })
    }
    default:
      throw new AppFailure('validation', `unknown generator '${String(generator)}'`, 'generator')
  }
}
