import { z } from 'zod'
import type { Db } from '../connection'
import type { ProblemMark, VerdictChoice, VerdictRecord } from '../../../shared/domain'

interface VerdictRow {
  id: number
  pair_id: number
  annotator_id: number
  verdict: VerdictChoice
  strength: 1 | 2 | null
  shown_a_edit_id: number
  shown_b_edit_id: number
  chosen_edit_id: number | null
  rejected_edit_id: number | null
  listened_a_ms: number
  listened_b_ms: number
  switches: number
  decision_ms: number
  marks: string
  note: string | null
  /** JSON array of reason-tag labels. */
  tags: string
  app_version: string
  created_at: string
  superseded_at: string | null
}

const storedTags = z.array(z.string())

const toRecord = (r: VerdictRow): VerdictRecord => ({
  id: r.id,
  pairId: r.pair_id,
  annotatorId: r.annotator_id,
  verdict: r.verdict,
  strength: r.strength,
  shownAEditId: r.shown_a_edit_id,
  shownBEditId: r.shown_b_edit_id,
  chosenEditId: r.chosen_edit_id,
  rejectedEditId: r.rejected_edit_id,
  listenedAMs: r.listened_a_ms,
  listenedBMs: r.listened_b_ms,
  switches: r.switches,
  decisionMs: r.decision_ms,
  marks: JSON.parse(r.marks) as ProblemMark[],
  note: r.note,
  tags: storedTags.parse(JSON.parse(r.tags)),
  createdAt: r.created_at,
  appVersion: r.app_version,
  supersededAt: r.superseded_at
})

export type NewVerdict = Omit<VerdictRecord, 'id' | 'createdAt' | 'supersededAt'>

export function insertVerdict(db: Db, v: NewVerdict): VerdictRecord {
  const info = db
    .prepare(
      `INSERT INTO verdicts (pair_id, annotator_id, verdict, strength, shown_a_edit_id, shown_b_edit_id,
         chosen_edit_id, rejected_edit_id, listened_a_ms, listened_b_ms, switches, decision_ms, marks, note, tags, app_version)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
    )
    .run(
      v.pairId,
      v.annotatorId,
      v.verdict,
      v.strength,
      v.shownAEditId,
      v.shownBEditId,
      v.chosenEditId,
      v.rejectedEditId,
      v.listenedAMs,
      v.listenedBMs,
      v.switches,
      v.decisionMs,
      JSON.stringify(v.marks),
      v.note,
      JSON.stringify(v.tags),
      v.appVersion
    )
  return getVerdict(db, Number(info.lastInsertRowid)) as VerdictRecord
}

export function getVerdict(db: Db, id: number): VerdictRecord | undefined {
  const r = db.prepare('SELECT * FROM verdicts WHERE id = ?').get(id) as VerdictRow | undefined
  return r && toRecord(r)
}

export function listVerdicts(
  db: Db,
  opts: { annotatorId?: number; includeSuperseded?: boolean } = {}
): VerdictRecord[] {
  const where: string[] = []
  const args: unknown[] = []
  if (opts.annotatorId !== undefined) {
    where.push('annotator_id = ?')
    args.push(opts.annotatorId)
  }
  if (!opts.includeSuperseded) where.push('superseded_at IS NULL')
  const sql = `SELECT * FROM verdicts ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY id`
  return (db.prepare(sql).all(...args) as VerdictRow[]).map(toRecord)
}

/** The annotator's latest verdict that has not been undone. */
export function latestActiveVerdict(db: Db, annotatorId: number): VerdictRecord | undefined {
  const r = db
    .prepare('SELECT * FROM verdicts WHERE annotator_id = ? AND superseded_at IS NULL ORDER BY id DESC LIMIT 1')
    .get(annotatorId) as VerdictRow | undefined
  return r && toRecord(r)
}

export function activeVerdictForPair(db: Db, pairId: number): VerdictRecord | undefined {
  const r = db
    .prepare('SELECT * FROM verdicts WHERE pair_id = ? AND superseded_at IS NULL ORDER BY id DESC LIMIT 1')
    .get(pairId) as VerdictRow | undefined
  return r && toRecord(r)
}

export function supersedeVerdict(db: Db, id: number): void {
  db.prepare(`UPDATE verdicts SET superseded_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id = ?`).run(id)
}

// --- listen service (A/B screen) additions ---

/** Number of verdicts (skips included) the annotator has given and not undone. */
export function countActiveVerdicts(db: Db, annotatorId: number): number {
  return (
    db
      .prepare('SELECT COUNT(*) AS n FROM verdicts WHERE annotator_id = ? AND superseded_at IS NULL')
      .get(annotatorId) as { n: number }
  ).n
}

/** The annotator's active verdict on one pair, if any. */
export function activeVerdictByAnnotator(db: Db, pairId: number, annotatorId: number): VerdictRecord | undefined {
  const r = db
    .prepare(
      'SELECT * FROM verdicts WHERE pair_id = ? AND annotator_id = ? AND superseded_at IS NULL ORDER BY id DESC LIMIT 1'
    )
    .get(pairId, annotatorId) as VerdictRow | undefined
  return r && toRecord(r)
}

/** One annotator's active preference on an original pair judged by several annotators. */
export interface OverlapVerdict {
  pairId: number
  annotatorId: number
  verdict: VerdictChoice
  strength: 1 | 2 | null
  chosenEditId: number | null
  /** The pair's own first edit: preferences are oriented by it, not by the side shown. */
  pairEditAId: number
}

/**
 * Every active non-skip verdict on the original pairs where this annotator and at least one other real
 * (not simulated) annotator both gave one: simulated annotators stay out of agreement figures.
 */
export function overlapVerdictsWith(db: Db, annotatorId: number): OverlapVerdict[] {
  return db
    .prepare(
      `WITH mine AS (
         SELECT v.pair_id FROM verdicts v JOIN pairs p ON p.id = v.pair_id
         WHERE v.annotator_id = :a AND v.superseded_at IS NULL AND v.verdict <> 'skip' AND p.repeat_of_pair_id IS NULL
           AND EXISTS (SELECT 1 FROM verdicts o JOIN annotators oa ON oa.id = o.annotator_id
                       WHERE o.pair_id = v.pair_id AND o.annotator_id <> :a AND oa.simulated = 0
                         AND o.superseded_at IS NULL AND o.verdict <> 'skip'))
       SELECT v.pair_id AS pairId, v.annotator_id AS annotatorId, v.verdict, v.strength,
              v.chosen_edit_id AS chosenEditId, p.edit_a_id AS pairEditAId
       FROM verdicts v JOIN pairs p ON p.id = v.pair_id JOIN annotators a ON a.id = v.annotator_id
       WHERE v.pair_id IN (SELECT pair_id FROM mine) AND v.superseded_at IS NULL AND v.verdict <> 'skip'
         AND (a.simulated = 0 OR v.annotator_id = :a)
       ORDER BY v.pair_id, v.annotator_id`
    )
    .all({ a: annotatorId }) as OverlapVerdict[]
}

/** Active verdicts the annotator gave on self-consistency repeat pairs, with the pair each repeats. */
export function activeRepeatVerdicts(
  db: Db,
  annotatorId: number
): { verdict: VerdictRecord; repeatOfPairId: number }[] {
  const rows = db
    .prepare(
      `SELECT v.*, p.repeat_of_pair_id AS repeat_of FROM verdicts v JOIN pairs p ON p.id = v.pair_id
       WHERE v.annotator_id = ? AND v.superseded_at IS NULL AND p.repeat_of_pair_id IS NOT NULL ORDER BY v.id`
    )
    .all(annotatorId) as (VerdictRow & { repeat_of: number })[]
  return rows.map((r) => ({ verdict: toRecord(r), repeatOfPairId: r.repeat_of }))
}
