/**
 * Pure rules of the listening service (no database): the must-listen rule, the verdict outcome used
 * for self-consistency, and chosen/rejected resolution. The renderer mirrors the must-listen rule in
 * features/listen/must-listen.ts so it can explain the rule before a request is made.
 */
import type { VerdictChoice } from '../../../shared/domain'

/** Slack for sides shorter than the must-listen time: the last tick of playback may not be counted. */
export const SHORT_SIDE_SLACK_MS = 100

/** Milliseconds a side must have been heard: the setting, or the whole side when it is shorter. */
export function requiredListenMs(mustListenS: number, sideDurationS: number): number {
  const wanted = Math.max(0, mustListenS) * 1000
  const whole = Math.max(0, sideDurationS * 1000 - SHORT_SIDE_SLACK_MS)
  return Math.min(wanted, whole)
}

export interface MustListenViolation {
  side: 'a' | 'b'
  field: 'listenedAMs' | 'listenedBMs'
  message: string
}

/** First side not heard long enough, or null when the verdict may be accepted. Skips are always allowed. */
export function mustListenViolation(input: {
  verdict: VerdictChoice
  listenedAMs: number
  listenedBMs: number
  mustListenS: number
  durationAS: number
  durationBS: number
}): MustListenViolation | null {
  if (input.verdict === 'skip') return null
  const sides = [
    { side: 'a' as const, field: 'listenedAMs' as const, heard: input.listenedAMs, dur: input.durationAS },
    { side: 'b' as const, field: 'listenedBMs' as const, heard: input.listenedBMs, dur: input.durationBS }
  ]
  for (const s of sides) {
    const need = requiredListenMs(input.mustListenS, s.dur)
    if (s.heard < need)
      return {
        side: s.side,
        field: s.field,
        message: `side ${s.side.toUpperCase()} was heard for ${(s.heard / 1000).toFixed(1)} s; each side must be heard for at least ${(need / 1000).toFixed(1)} s before a verdict (skip is always allowed)`
      }
  }
  return null
}

/** Chosen and rejected edit for a verdict on the sides as shown. */
export function chosenRejected(
  verdict: VerdictChoice,
  shownAEditId: number,
  shownBEditId: number
): { chosenEditId: number | null; rejectedEditId: number | null } {
  if (verdict === 'a') return { chosenEditId: shownAEditId, rejectedEditId: shownBEditId }
  if (verdict === 'b') return { chosenEditId: shownBEditId, rejectedEditId: shownAEditId }
  return { chosenEditId: null, rejectedEditId: null }
}

/**
 * What a verdict says independent of which side each edit was shown on: the preferred edit id, or
 * 'tie' / 'both_bad'; null for a skip (says nothing).
 */
export function verdictOutcome(v: { verdict: VerdictChoice; chosenEditId: number | null }): string | null {
  if (v.verdict === 'skip') return null
  if (v.verdict === 'tie' || v.verdict === 'both_bad') return v.verdict
  return `edit:${String(v.chosenEditId)}`
}

/**
 * A verdict on the 5-point preference scale oriented by the pair's own edits, whatever side each was
 * shown on: -2 / -1 the pair's first edit much better / better, 0 tie, +1 / +2 its second edit. Null for
 * skip and both_bad (no preference between the two to place on the scale).
 */
export function preferenceScore(v: {
  verdict: VerdictChoice
  strength: 1 | 2 | null
  chosenEditId: number | null
  pairEditAId: number
}): number | null {
  if (v.verdict === 'tie') return 0
  if (v.verdict !== 'a' && v.verdict !== 'b') return null
  const strength = v.strength ?? 1
  return v.chosenEditId === v.pairEditAId ? -strength : strength
}

/** Fraction of (repeat, original) outcome pairs that agree; null when there are none. */
export function agreement(pairs: readonly { repeat: string; original: string }[]): number | null {
  if (pairs.length === 0) return null
  return pairs.filter((p) => p.repeat === p.original).length / pairs.length
}

/**
 * Whether the presentation with this 1-based number is a self-consistency slot: every
 * `repeatEvery`-th presentation; never when repeatEvery is 0.
 */
export function isRepeatSlot(presentationNumber: number, repeatEvery: number): boolean {
  return repeatEvery > 0 && presentationNumber > 0 && presentationNumber % repeatEvery === 0
}
