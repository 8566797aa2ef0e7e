import { ACTION_COUNT, ACTION_ID, ACTIONS, isActionId } from '../../../shared/actions'
import { AppFailure } from '../../../shared/result'
import { jumpTarget, prepare, type Bar, type Prepared } from './prepared-song'
import type { SongStructure } from './types'

const { CUT, REORDER, LOOP_BAR, JUMP } = ACTION_ID

/**
 * Walks an action array beat by beat and knows which actions are valid at the next beat. One rule set
 * serves actionMask (policies) and validateActions (everything stored): an array is valid exactly when
 * every action was allowed by the mask of its prefix. KEEP is always allowed, so a valid completion
 * exists from any valid prefix. docs/actions.md, "Masking".
 */
export class ActionWalker {
  readonly p: Prepared
  /** Next beat to decide. */
  index = 0
  private anyPlayed = false
  /** Bar (index into p.bars) that is the second bar of a REORDER swap, or -1. */
  private swapSecond = -1

  constructor(s: SongStructure | Prepared) {
    this.p = 'unit' in s ? s : prepare(s)
  }

  /** Why `action` is not allowed at the next beat, or null when it is. */
  whyNot(action: number): string | null {
    const p = this.p
    const i = this.index
    if (i >= p.n) return `the song has only ${p.n} beats`
    if (!isActionId(action)) return `unknown action ${action} (ids are 0..${ACTION_COUNT - 1})`
    const bar = p.bars[p.barOf[i] as number] as Bar
    switch (action) {
      case CUT:
        return i === p.n - 1 && !this.anyPlayed
          ? 'CUT on the last beat would leave the edit empty (every beat is cut)'
          : null
      case REORDER: {
        if (bar.first !== i) return 'REORDER is only valid on the first beat (downbeat) of a bar'
        if (!bar.complete) return `REORDER needs a complete bar of ${p.beatsPerBar} beats starting on a downbeat`
        const b = p.barOf[i] as number
        const next = p.bars[b + 1]
        if (!next) return 'REORDER is invalid on the last bar (there is no next bar to swap with)'
        if (!next.complete) return 'REORDER needs the next bar to be complete too'
        if (this.swapSecond === b)
          return 'this bar is already swapped with the previous one (REORDER on the previous downbeat)'
        return null
      }
      case LOOP_BAR:
        if (bar.first + bar.length - 1 !== i) return 'LOOP_BAR is only valid on the last beat of a bar'
        if (!bar.complete) return `LOOP_BAR needs a complete bar of ${p.beatsPerBar} beats starting on a downbeat`
        return null
      case JUMP:
        return jumpTarget(p, i) < 0
          ? 'JUMP needs a beat at the same bar position in an earlier phrase, 1 bar to 64 beats back'
          : null
      default:
        return null
    }
  }

  allowed(action: number): boolean {
    return this.whyNot(action) === null
  }

  /** The 9-entry mask for the next beat (1 = allowed). */
  mask(): Uint8Array {
    const m = new Uint8Array(ACTION_COUNT)
    if (this.index >= this.p.n) return m
    for (let a = 0; a < ACTION_COUNT; a++) m[a] = this.allowed(a) ? 1 : 0
    return m
  }

  /** Records the action for the next beat; throws AppFailure naming `actions[i]` if it is not allowed. */
  push(action: number): void {
    const why = this.whyNot(action)
    if (why !== null) {
      const name = isActionId(action) ? ACTIONS[action] : String(action)
      throw new AppFailure(
        'validation',
        `actions[${this.index}] = ${name} is invalid at beat ${this.index}: ${why}`,
        `actions[${this.index}]`
      )
    }
    if (action !== CUT) this.anyPlayed = true
    if (action === REORDER) this.swapSecond = (this.p.barOf[this.index] as number) + 1
    this.index++
  }
}

function checkArrayLike(actions: ArrayLike<number>, field: string): void {
  if (actions === null || typeof actions !== 'object' || typeof actions.length !== 'number')
    throw new AppFailure('validation', `${field} must be an array of action ids`, field)
}

/** Throws AppFailure('validation') naming 'actions' (wrong length) or 'actions[i]' (unknown id / invalid use). */
export function validateActions(s: SongStructure, actions: ArrayLike<number>): void {
  checkArrayLike(actions, 'actions')
  const walker = new ActionWalker(s)
  if (actions.length !== walker.p.n)
    throw new AppFailure(
      'validation',
      `actions has ${actions.length} entries; the song has ${walker.p.n} beats (one action per beat)`,
      'actions'
    )
  for (let i = 0; i < actions.length; i++) walker.push(actions[i] as number)
}

/**
 * Which of the 9 actions are valid at beat `prefix.length` given the actions already chosen (1 = allowed).
 * The prefix itself must be valid (AppFailure naming 'prefix[i]' otherwise); a prefix as long as the
 * song is rejected with field 'prefix'.
 */
export function actionMask(s: SongStructure, prefix: ArrayLike<number>): Uint8Array {
  checkArrayLike(prefix, 'prefix')
  const walker = new ActionWalker(s)
  if (prefix.length >= walker.p.n)
    throw new AppFailure(
      'validation',
      `prefix has ${prefix.length} actions; the song has ${walker.p.n} beats, so there is no next beat`,
      'prefix'
    )
  for (let i = 0; i < prefix.length; i++) {
    try {
      walker.push(prefix[i] as number)
    } catch (e) {
      if (e instanceof AppFailure)
        throw new AppFailure('validation', e.message.replace(/^actions/, 'prefix'), `prefix[${i}]`)
      throw e
    }
  }
  return walker.mask()
}
