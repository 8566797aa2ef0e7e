import { describe, expect, it } from 'vitest'
import type { VerdictChoice, VerdictRecord } from '../../../../src/shared/domain'
import {
  breakDue,
  initialListenState,
  listenReducer,
  sessionRate,
  type ListenAction,
  type ListenState
} from '../../../../src/renderer/src/features/listen/session'

interface Pair {
  p: { pairId: number }
}
const pair = (pairId: number): Pair => ({ p: { pairId } })

let nextVerdictId = 1
function verdict(pairId: number, v: VerdictChoice): VerdictRecord {
  return {
    id: nextVerdictId++,
    pairId,
    annotatorId: 1,
    verdict: v,
    strength: v === 'a' || v === 'b' ? 1 : null,
    shownAEditId: 10,
    shownBEditId: 11,
    chosenEditId: null,
    rejectedEditId: null,
    listenedAMs: 3000,
    listenedBMs: 3000,
    switches: 1,
    decisionMs: 5000,
    marks: [],
    note: null,
    tags: [],
    createdAt: '2026-01-01T00:00:00Z',
    appVersion: 'test',
    supersededAt: null
  }
}

const run = (s: ListenState<Pair>, ...actions: ListenAction<Pair>[]): ListenState<Pair> =>
  actions.reduce((st, a) => listenReducer(st, a), s)

describe('A/B session reducer', () => {
  it('holds the first pair back until the instructions are done', () => {
    const s0 = initialListenState<Pair>(true)
    expect(s0.phase).toBe('instructions')
    expect(run(s0, { type: 'loaded', pair: pair(1), at: 0 }).phase).toBe('instructions')
    const s1 = run(s0, { type: 'instructionsDone' }, { type: 'loaded', pair: pair(1), at: 100 })
    expect(s1.phase).toBe('listening')
    expect(s1.session.startedAt).toBe(100)
    expect(initialListenState<Pair>(false).phase).toBe('loading')
  })

  it('counts judgements and skips apart, and undo takes back the right one', () => {
    let s = run(initialListenState<Pair>(false), { type: 'loaded', pair: pair(1), at: 0 })
    s = run(s, { type: 'verdictSaved', record: verdict(1, 'a') })
    expect(s.phase).toBe('revealed')
    expect(s.session).toMatchObject({ judged: 1, skipped: 0 })
    s = run(s, { type: 'loaded', pair: pair(2), at: 10 }, { type: 'verdictSaved', record: verdict(2, 'skip') })
    expect(s.session).toMatchObject({ judged: 1, skipped: 1 })
    s = run(s, { type: 'undone', record: verdict(2, 'skip'), backTo: s.pair })
    expect(s.session).toMatchObject({ judged: 1, skipped: 0 })
    expect(s.phase).toBe('listening')
    // The session started with the first pair, not the second.
    expect(s.session.startedAt).toBe(0)
  })

  it('a verdict outside listening (double key press, after reveal) changes nothing', () => {
    let s = run(initialListenState<Pair>(false), { type: 'loaded', pair: pair(1), at: 0 })
    s = run(s, { type: 'verdictSaved', record: verdict(1, 'tie') })
    const again = run(s, { type: 'verdictSaved', record: verdict(1, 'b') })
    expect(again).toBe(s)
  })

  it('marks, tags and the note belong to one pair and reset with the next', () => {
    let s = run(
      initialListenState<Pair>(false),
      { type: 'loaded', pair: pair(1), at: 0 },
      { type: 'mark', mark: { side: 'a', atS: 1.5 } },
      { type: 'toggleTag', tag: 'bad loop' },
      { type: 'toggleTag', tag: 'too long' },
      { type: 'toggleTag', tag: 'bad loop' },
      { type: 'note', note: 'seam at 0:12' },
      { type: 'blocked' }
    )
    expect(s.marks).toEqual([{ side: 'a', atS: 1.5 }])
    expect(s.tags).toEqual(['too long'])
    expect(s.blocked).toBe(true)
    s = run(s, { type: 'verdictSaved', record: verdict(1, 'a') })
    // Tags cannot change once the verdict is stored.
    expect(run(s, { type: 'toggleTag', tag: 'bad loop' }).tags).toEqual(['too long'])
    s = run(s, { type: 'loaded', pair: pair(2), at: 5 })
    expect(s).toMatchObject({ marks: [], tags: [], note: '', blocked: false, reveal: null })
  })

  it('undo on the same pair keeps its marks; going back to the previous pair drops the current one', () => {
    const one = pair(1)
    let s = run(
      initialListenState<Pair>(false),
      { type: 'loaded', pair: one, at: 0 },
      { type: 'mark', mark: { side: 'b', atS: 2 } },
      { type: 'verdictSaved', record: verdict(1, 'b') }
    )
    const same = run(s, { type: 'undone', record: verdict(1, 'b'), backTo: one })
    expect(same).toMatchObject({ phase: 'listening', reveal: null, marks: [{ side: 'b', atS: 2 }] })
    s = run(s, { type: 'loaded', pair: pair(2), at: 1 }, { type: 'mark', mark: { side: 'a', atS: 1 } })
    const back = run(s, { type: 'undone', record: verdict(1, 'b'), backTo: one })
    expect(back.pair).toBe(one)
    expect(back.marks).toEqual([])
    expect(back.session.judged).toBe(0)
    // An undo of a pair no longer in memory changes only the counts.
    const elsewhere = run(s, { type: 'undone', record: verdict(1, 'b'), backTo: null })
    expect(elsewhere.pair?.p.pairId).toBe(2)
    expect(elsewhere.phase).toBe('listening')
  })

  it('reveal details apply only to the verdict they were fetched for', () => {
    let s = run(initialListenState<Pair>(false), { type: 'loaded', pair: pair(1), at: 0 })
    const record = verdict(1, 'a')
    s = run(s, { type: 'verdictSaved', record })
    expect(run(s, { type: 'revealDetails', verdictId: record.id + 99, a: null, b: null })).toBe(s)
    expect(run(s, { type: 'revealDetails', verdictId: record.id, a: null, b: null }).reveal?.verdict).toBe(record)
  })

  it('an empty queue shows the empty state; a failed load says why', () => {
    const s = run(initialListenState<Pair>(false), { type: 'loaded', pair: null, at: 0 })
    expect(s.phase).toBe('empty')
    expect(run(s, { type: 'loadStarted' }, { type: 'loadFailed', message: 'server gone' })).toMatchObject({
      phase: 'failed',
      loadError: 'server gone'
    })
  })

  it('pairs per hour and the break reminder follow the session clock', () => {
    const session = { judged: 10, skipped: 3, startedAt: 0 }
    expect(sessionRate(session, 30 * 60_000)).toBeCloseTo(20)
    expect(sessionRate({ ...session, judged: 0 }, 1000)).toBeNull()
    expect(breakDue(session, 44 * 60_000, 45, null)).toBe(false)
    expect(breakDue(session, 45 * 60_000, 45, null)).toBe(true)
    expect(breakDue(session, 60 * 60_000, 45, 40 * 60_000)).toBe(false)
    expect(breakDue(session, 999 * 60_000, 0, null)).toBe(false)
  })
})
