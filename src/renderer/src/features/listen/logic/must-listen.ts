/**
 * The must-listen rule as the A/B screen explains it. Mirrors the server's rule
 * (src/main/services/listen/rules.ts), which has the last word: each side heard for mustListenS
 * seconds, or its whole length when shorter; skips are always allowed.
 */
import type { VerdictChoice } from '../../../../../shared/domain'

export const SHORT_SIDE_SLACK_MS = 100

export function requiredListenMs(mustListenS: number, sideDurationS: number): number {
  return Math.min(Math.max(0, mustListenS) * 1000, Math.max(0, sideDurationS * 1000 - SHORT_SIDE_SLACK_MS))
}

export interface ListenStatus {
  met: boolean
  /** Per side: fraction 0..1 of the required time heard. */
  progress: { a: number; b: number }
  /** One line for the listener, or null when the rule is met. */
  reason: string | null
}

const fmt = (ms: number): string => (ms / 1000).toFixed(1)

export function listenStatus(input: {
  listenedMs: { a: number; b: number }
  durationS: { a: number; b: number }
  mustListenS: number
}): ListenStatus {
  const need = {
    a: requiredListenMs(input.mustListenS, input.durationS.a),
    b: requiredListenMs(input.mustListenS, input.durationS.b)
  }
  const progress = {
    a: need.a <= 0 ? 1 : Math.min(1, input.listenedMs.a / need.a),
    b: need.b <= 0 ? 1 : Math.min(1, input.listenedMs.b / need.b)
  }
  const missing = (['a', 'b'] as const).filter((s) => input.listenedMs[s] < need[s])
  if (missing.length === 0) return { met: true, progress, reason: null }
  const parts = missing.map((s) => `${s.toUpperCase()} ${fmt(input.listenedMs[s])} of ${fmt(need[s])} s`)
  return {
    met: false,
    progress,
    reason: `Listen to each side before judging: ${parts.join(', ')} heard so far. Skip (S) is always allowed.`
  }
}

/** Whether the rule blocks this verdict. */
export function verdictBlocked(verdict: VerdictChoice, status: ListenStatus): boolean {
  return verdict !== 'skip' && !status.met
}
