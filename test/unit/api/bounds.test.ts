import { describe, expect, it } from 'vitest'
import { dispatch, type Handlers } from '../../../src/main/api/dispatch'
import { REQUEST_BOUNDS } from '../../../src/shared/api'

const echo = new Proxy({} as Handlers, { get: () => (input: unknown) => input })

const verdict = {
  pairId: 1,
  annotatorId: 1,
  verdict: 'a',
  strength: 1,
  shownAEditId: 1,
  shownBEditId: 2,
  listenedAMs: 4000,
  listenedBMs: 4000,
  switches: 2,
  decisionMs: 9000,
  marks: [{ side: 'a', atS: 1.5 }]
}

/** Each case: a request, a valid input, and the field (dotted path) set to a value no real input has. */
const CASES: { name: string; input: Record<string, unknown>; field: string }[] = [
  { name: 'verdicts.submit', input: verdict, field: 'listenedAMs' },
  { name: 'verdicts.submit', input: verdict, field: 'listenedBMs' },
  { name: 'verdicts.submit', input: verdict, field: 'decisionMs' },
  { name: 'verdicts.submit', input: verdict, field: 'switches' },
  { name: 'verdicts.submit', input: verdict, field: 'marks.0.atS' },
  { name: 'verdicts.submit', input: verdict, field: 'pairId' },
  { name: 'edits.generate', input: { songId: 1, generator: 'rule', targetDurationS: 60, seed: 3 }, field: 'seed' },
  { name: 'edits.generate', input: { songId: 1, generator: 'rule', targetDurationS: 60 }, field: 'targetDurationS' },
  { name: 'pairs.create', input: { editAId: 1, editBId: 2, priority: 1 }, field: 'priority' },
  { name: 'pairs.queue', input: { songId: 1, count: 3 }, field: 'count' },
  { name: 'songs.waveform', input: { songId: 1, buckets: 64 }, field: 'buckets' },
  { name: 'settings.update', input: { mustListenS: 3 }, field: 'mustListenS' },
  { name: 'settings.update', input: { leaseMinutes: 10 }, field: 'leaseMinutes' },
  { name: 'settings.update', input: { overlapShare: 0.1 }, field: 'overlapShare' },
  { name: 'settings.update', input: { overlapAnnotators: 2 }, field: 'overlapAnnotators' },
  { name: 'settings.update', input: { maxSongDurationS: 600 }, field: 'maxSongDurationS' },
  { name: 'jobs.cancel', input: { jobId: 1 }, field: 'jobId' }
]

function withField(input: Record<string, unknown>, dotted: string, value: unknown): Record<string, unknown> {
  const copy = structuredClone(input)
  const path = dotted.split('.')
  let at: Record<string, unknown> = copy
  for (const key of path.slice(0, -1)) at = at[key] as Record<string, unknown>
  at[path[path.length - 1] as string] = value
  return copy
}

describe('numbers in the contract are bounded to what is physically meaningful', () => {
  it.each(CASES)('$name accepts a real $field', async ({ name, input }) => {
    expect((await dispatch(echo, name, input)).ok).toBe(true)
  })

  for (const bad of [1e308, -1e308, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])
    it.each(CASES)(`$name refuses $field = ${String(bad)}, naming the field`, async ({ name, input, field }) => {
      const r = await dispatch(echo, name, withField(input, field, bad))
      expect(r.ok).toBe(false)
      if (r.ok) return
      expect(r.error.kind).toBe('validation')
      expect(r.error.field).toBe(field)
      expect(r.error.message).toContain(field)
    })

  it('refuses a day and a millisecond of listening, and marks past the longest possible edit', async () => {
    const overDay = await dispatch(echo, 'verdicts.submit', {
      ...verdict,
      decisionMs: REQUEST_BOUNDS.maxDurationMs + 1
    })
    expect(!overDay.ok && overDay.error.field).toBe('decisionMs')
    const day = await dispatch(echo, 'verdicts.submit', { ...verdict, decisionMs: REQUEST_BOUNDS.maxDurationMs })
    expect(day.ok).toBe(true)
    const marks = Array.from({ length: REQUEST_BOUNDS.maxMarks + 1 }, () => ({ side: 'a', atS: 1 }))
    const many = await dispatch(echo, 'verdicts.submit', { ...verdict, marks })
    expect(!many.ok && many.error.field).toBe('marks')
  })

  it('refuses numbers sent as strings (no coercion)', async () => {
    const r = await dispatch(echo, 'verdicts.submit', { ...verdict, listenedAMs: '4000' })
    expect(!r.ok && r.error.field).toBe('listenedAMs')
  })
})
