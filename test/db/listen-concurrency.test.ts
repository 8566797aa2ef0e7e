import { afterEach, describe, expect, it } from 'vitest'
import Database from 'better-sqlite3'
import path from 'node:path'
import { runAnnotators, seedQueue } from '../../bench/verdicts'
import { DATABASE_FILE } from '../../src/main/db/connection'
import { tempDataDir } from '../helpers/temp'

let cleanup: () => void = () => {}
afterEach(() => cleanup())

describe('ten annotators at once, each on its own SQLite connection', () => {
  it('gets distinct pairs: 0 conflicts, 0 lost, 0 duplicated, overlap pairs judged by exactly N', async () => {
    const t = tempDataDir('editorbot-concurrency-')
    cleanup = t.cleanup
    const ids = seedQueue(t.dir, { pairs: 120, annotators: 10, overlapShare: 0.1, repeatEvery: 20 })
    const reports = await runAnnotators(t.dir, ids)

    expect(reports.flatMap((r) => r.errors)).toEqual([])
    expect(reports.flatMap((r) => r.conflicts)).toEqual([])
    const acked = reports.flatMap((r) => r.acknowledged)
    // Every annotator took part (nobody was starved by the others).
    expect(reports.every((r) => r.acknowledged.length > 0)).toBe(true)

    const db = new Database(path.join(t.dir, DATABASE_FILE), { readonly: true })
    try {
      const active = db
        .prepare('SELECT id, pair_id AS pairId, annotator_id AS annotatorId FROM verdicts WHERE superseded_at IS NULL')
        .all() as { id: number; pairId: number; annotatorId: number }[]
      // 0 lost: every acknowledged verdict is stored; nothing stored that was not acknowledged.
      expect(active.map((v) => v.id).sort((a, b) => a - b)).toEqual(acked.map((a) => a.verdictId).sort((a, b) => a - b))
      // 0 duplicated: one verdict per (pair, annotator).
      expect(new Set(active.map((v) => `${v.pairId}:${v.annotatorId}`)).size).toBe(active.length)

      const pairs = db
        .prepare(
          `SELECT p.id, p.required_verdicts AS required, p.status, p.repeat_of_pair_id AS repeatOf,
                  (SELECT COUNT(*) FROM verdicts v WHERE v.pair_id = p.id AND v.superseded_at IS NULL) AS verdicts
           FROM pairs p`
        )
        .all() as { id: number; required: number; status: string; repeatOf: number | null; verdicts: number }[]
      const originals = pairs.filter((p) => p.repeatOf === null)
      expect(originals).toHaveLength(120)
      expect(originals.filter((p) => p.required === 2)).toHaveLength(12)
      // Every pair was judged by exactly as many annotators as it needs, and left the queue.
      for (const p of originals) expect({ id: p.id, verdicts: p.verdicts }).toEqual({ id: p.id, verdicts: p.required })
      expect(pairs.filter((p) => p.status === 'queued')).toEqual([])
      expect(db.prepare('SELECT COUNT(*) AS n FROM pair_leases').get()).toEqual({ n: 0 })
    } finally {
      db.close()
    }
  }, 120_000)
})
