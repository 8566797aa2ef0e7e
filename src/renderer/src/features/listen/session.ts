/**
 * The A/B screen's session state as a pure reducer: the phase machine (instructions, loading, listening,
 * revealed, empty, failed), the per-pair inputs (marks, tags, note) and the session counters. No audio,
 * no requests: the screen's hook performs those and dispatches what happened, so this is tested in Node.
 */
import type { EditDetail, ProblemMark, VerdictChoice, VerdictRecord } from '../../../../shared/domain'

export type Phase = 'instructions' | 'loading' | 'empty' | 'listening' | 'revealed' | 'failed'

/** What the reducer needs to know of a loaded pair; the screen's pair type carries the audio too. */
export interface PairRef {
  p: { pairId: number }
}

export interface Reveal {
  verdict: VerdictRecord
  a: EditDetail | null
  b: EditDetail | null
}

export interface SessionCounts {
  /** Verdicts with a preference, tie or both-bad: skips are not judgements. */
  judged: number
  skipped: number
  startedAt: number | null
}

export interface ListenState<P extends PairRef> {
  phase: Phase
  pair: P | null
  loadError: string | null
  reveal: Reveal | null
  marks: ProblemMark[]
  tags: string[]
  note: string
  /** The must-listen rule refused the last verdict key. */
  blocked: boolean
  switchInfo: string | null
  /** A verdict request is in flight. */
  busy: boolean
  session: SessionCounts
}

export type ListenAction<P extends PairRef> =
  | { type: 'instructionsDone' }
  | { type: 'loadStarted' }
  | { type: 'loaded'; pair: P | null; at: number }
  | { type: 'loadFailed'; message: string }
  | { type: 'blocked' }
  | { type: 'submitStarted' }
  | { type: 'submitEnded' }
  | { type: 'verdictSaved'; record: VerdictRecord }
  | { type: 'revealDetails'; verdictId: number; a: EditDetail | null; b: EditDetail | null }
  /** An undo: `backTo` is the pair to listen to again (the current one, or the previous one kept in memory). */
  | { type: 'undone'; record: VerdictRecord; backTo: P | null }
  | { type: 'mark'; mark: ProblemMark }
  | { type: 'toggleTag'; tag: string }
  | { type: 'note'; note: string }
  | { type: 'switchInfo'; text: string | null }

export function initialListenState<P extends PairRef>(showInstructions: boolean): ListenState<P> {
  return {
    phase: showInstructions ? 'instructions' : 'loading',
    pair: null,
    loadError: null,
    reveal: null,
    marks: [],
    tags: [],
    note: '',
    blocked: false,
    switchInfo: null,
    busy: false,
    session: { judged: 0, skipped: 0, startedAt: null }
  }
}

const freshPairInputs = { reveal: null, marks: [], tags: [], note: '', blocked: false, switchInfo: null }

const counted = (verdict: VerdictChoice): keyof Pick<SessionCounts, 'judged' | 'skipped'> =>
  verdict === 'skip' ? 'skipped' : 'judged'

export function listenReducer<P extends PairRef>(s: ListenState<P>, a: ListenAction<P>): ListenState<P> {
  switch (a.type) {
    case 'instructionsDone':
      return s.phase === 'instructions' ? { ...s, phase: 'loading' } : s
    case 'loadStarted':
      return s.phase === 'instructions' ? s : { ...s, phase: 'loading', loadError: null }
    case 'loaded':
      if (s.phase === 'instructions') return s
      if (!a.pair) return { ...s, ...freshPairInputs, pair: null, phase: 'empty' }
      return {
        ...s,
        ...freshPairInputs,
        pair: a.pair,
        phase: 'listening',
        loadError: null,
        session: s.session.startedAt === null ? { ...s.session, startedAt: a.at } : s.session
      }
    case 'loadFailed':
      return s.phase === 'instructions' ? s : { ...s, phase: 'failed', loadError: a.message }
    case 'blocked':
      return s.phase === 'listening' ? { ...s, blocked: true } : s
    case 'submitStarted':
      return { ...s, busy: true }
    case 'submitEnded':
      return { ...s, busy: false }
    case 'verdictSaved': {
      if (s.phase !== 'listening') return s
      const k = counted(a.record.verdict)
      return {
        ...s,
        phase: 'revealed',
        blocked: false,
        reveal: { verdict: a.record, a: null, b: null },
        session: { ...s.session, [k]: s.session[k] + 1 }
      }
    }
    case 'revealDetails':
      return s.reveal && s.reveal.verdict.id === a.verdictId ? { ...s, reveal: { ...s.reveal, a: a.a, b: a.b } } : s
    case 'undone': {
      const k = counted(a.record.verdict)
      const session = { ...s.session, [k]: Math.max(0, s.session[k] - 1) }
      if (!a.backTo) return { ...s, session }
      // Back to that pair to judge it again; the current pair's inputs are dropped.
      const same = s.pair !== null && s.pair.p.pairId === a.backTo.p.pairId
      return {
        ...s,
        ...(same ? { reveal: null, blocked: false } : freshPairInputs),
        pair: a.backTo,
        phase: 'listening',
        session
      }
    }
    case 'mark':
      return s.phase === 'listening' ? { ...s, marks: [...s.marks, a.mark] } : s
    case 'toggleTag':
      if (s.phase !== 'listening') return s
      return { ...s, tags: s.tags.includes(a.tag) ? s.tags.filter((t) => t !== a.tag) : [...s.tags, a.tag] }
    case 'note':
      return { ...s, note: a.note }
    case 'switchInfo':
      return { ...s, switchInfo: a.text }
  }
}

/** Pairs judged per hour of session so far, null before the first judgement. */
export function sessionRate(session: SessionCounts, now: number): number | null {
  if (session.startedAt === null || session.judged === 0) return null
  const hours = Math.max(0, now - session.startedAt) / 3_600_000
  return hours > 0 ? session.judged / hours : null
}

/** Whether to suggest a break: every `everyMin` minutes of session (0 = never). */
export function breakDue(session: SessionCounts, now: number, everyMin: number, dismissedAt: number | null): boolean {
  if (everyMin <= 0 || session.startedAt === null) return false
  const since = dismissedAt ?? session.startedAt
  return now - since >= everyMin * 60_000
}
