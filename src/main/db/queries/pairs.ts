import type { Db } from '../connection'
import type { PairStatus, PairSummary } from '../../../shared/domain'

interface PairRow {
  id: number
  song_id: number
  edit_a_id: number
  edit_b_id: number
  priority: number
  status: PairStatus
  repeat_of_pair_id: number | null
  created_at: string
}

const toSummary = (r: PairRow): PairSummary => ({
  id: r.id,
  songId: r.song_id,
  editAId: r.edit_a_id,
  editBId: r.edit_b_id,
  priority: r.priority,
  status: r.status,
  repeatOfPairId: r.repeat_of_pair_id,
  createdAt: r.created_at
})

export function listPairs(db: Db, status?: PairStatus): PairSummary[] {
  const rows =
    status === undefined
      ? (db.prepare('SELECT * FROM pairs ORDER BY id').all() as PairRow[])
      : (db.prepare('SELECT * FROM pairs WHERE status = ? ORDER BY priority DESC, id').all(status) as PairRow[])
  return rows.map(toSummary)
}

export function getPair(db: Db, id: number): PairSummary | undefined {
  const row = db.prepare('SELECT * FROM pairs WHERE id = ?').get(id) as PairRow | undefined
  return row && toSummary(row)
}

/** Highest priority first, then oldest. */
export function nextQueuedPair(db: Db): PairSummary | undefined {
  const row = db.prepare(`SELECT * FROM pairs WHERE status = 'queued' ORDER BY priority DESC, id LIMIT 1`).get() as
    PairRow | undefined
  return row && toSummary(row)
}

export function countQueuedPairs(db: Db): number {
  return (db.prepare(`SELECT COUNT(*) AS n FROM pairs WHERE status = 'queued'`).get() as { n: number }).n
}

/** True when the two edits (in either order) are already paired. */
export function pairExists(db: Db, editA: number, editB: number): boolean {
  return (
    db
      .prepare(
        `SELECT 1 FROM pairs WHERE repeat_of_pair_id IS NULL AND
           ((edit_a_id = ? AND edit_b_id = ?) OR (edit_a_id = ? AND edit_b_id = ?)) LIMIT 1`
      )
      .get(editA, editB, editB, editA) !== undefined
  )
}

export function insertPair(
  db: Db,
  p: { songId: number; editAId: number; editBId: number; priority: number; repeatOfPairId?: number | null }
): number {
  const info = db
    .prepare('INSERT INTO pairs (song_id, edit_a_id, edit_b_id, priority, repeat_of_pair_id) VALUES (?, ?, ?, ?, ?)')
    .run(p.songId, p.editAId, p.editBId, p.priority, p.repeatOfPairId ?? null)
  return Number(info.lastInsertRowid)
}

export function setPairStatus(db: Db, id: number, status: PairStatus): void {
  db.prepare('UPDATE pairs SET status = ? WHERE id = ?').run(status, id)
}

// --- listen service (A/B screen) additions ---

/** Highest-priority queued pair that is not a self-consistency repeat (repeats belong to one annotator). */
export function nextQueuedOriginalPair(db: Db): PairSummary | undefined {
  const row = db
    .prepare(
      `SELECT * FROM pairs WHERE status = 'queued' AND repeat_of_pair_id IS NULL ORDER BY priority DESC, id LIMIT 1`
    )
    .get() as PairRow | undefined
  return row && toSummary(row)
}

export function countQueuedOriginalPairs(db: Db): number {
  return (
    db.prepare(`SELECT COUNT(*) AS n FROM pairs WHERE status = 'queued' AND repeat_of_pair_id IS NULL`).get() as {
      n: number
    }
  ).n
}

/** A queued repeat of a pair this annotator judged (created earlier, or requeued by undo). */
export function pendingRepeatPairFor(db: Db, annotatorId: number): PairSummary | undefined {
  const row = db
    .prepare(
      `SELECT p.* FROM pairs p
         JOIN verdicts v ON v.pair_id = p.repeat_of_pair_id AND v.superseded_at IS NULL AND v.annotator_id = ?
       WHERE p.status = 'queued' AND p.repeat_of_pair_id IS NOT NULL
       ORDER BY p.id LIMIT 1`
    )
    .get(annotatorId) as PairRow | undefined
  return row && toSummary(row)
}

/**
 * Original (non-repeat) pairs this annotator judged with a real verdict (not skip) that have never
 * been repeated, each with the sides the annotator saw, oldest first.
 */
export interface RepeatCandidate {
  pairId: number
  songId: number
  shownAEditId: number
  shownBEditId: number
  verdictId: number
}

export function repeatCandidates(db: Db, annotatorId: number): RepeatCandidate[] {
  return db
    .prepare(
      `SELECT p.id AS pairId, p.song_id AS songId, v.shown_a_edit_id AS shownAEditId,
              v.shown_b_edit_id AS shownBEditId, v.id AS verdictId
       FROM pairs p
         JOIN verdicts v ON v.pair_id = p.id AND v.superseded_at IS NULL AND v.annotator_id = ? AND v.verdict <> 'skip'
       WHERE p.repeat_of_pair_id IS NULL AND p.status = 'judged'
         AND NOT EXISTS (SELECT 1 FROM pairs r WHERE r.repeat_of_pair_id = p.id)
       ORDER BY v.id`
    )
    .all(annotatorId) as RepeatCandidate[]
}
