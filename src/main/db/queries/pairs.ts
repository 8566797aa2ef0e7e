import type { Db } from '../connection'
import type { PairStatus, PairSummary } from '../../../shared/domain'
import { readSettings } from './settings'

interface PairRow {
  id: number
  song_id: number
  edit_a_id: number
  edit_b_id: number
  priority: number
  status: PairStatus
  repeat_of_pair_id: number | null
  required_verdicts: number
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
  requiredVerdicts: r.required_verdicts,
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

/**
 * Queues a pair. Original pairs take turns as overlap pairs (judged by Settings.overlapAnnotators
 * annotators) at Settings.overlapShare, counted over original pairs so the share is exact, not random;
 * a self-consistency repeat belongs to one annotator and needs one verdict.
 */
export function insertPair(
  db: Db,
  p: {
    songId: number
    editAId: number
    editBId: number
    priority: number
    /** A self-consistency repeat: the pair it repeats and the annotator it is for. */
    repeat?: { ofPairId: number; annotatorId: number }
  }
): number {
  const repeatOf = p.repeat?.ofPairId ?? null
  let required = 1
  if (repeatOf === null) {
    const { overlapShare, overlapAnnotators } = readSettings(db)
    const n =
      (db.prepare('SELECT COUNT(*) AS n FROM pairs WHERE repeat_of_pair_id IS NULL').get() as { n: number }).n + 1
    if (isOverlapTurn(n, overlapShare)) required = overlapAnnotators
  }
  const info = db
    .prepare(
      `INSERT INTO pairs (song_id, edit_a_id, edit_b_id, priority, repeat_of_pair_id, repeat_annotator_id,
         required_verdicts) VALUES (?, ?, ?, ?, ?, ?, ?)`
    )
    .run(p.songId, p.editAId, p.editBId, p.priority, repeatOf, p.repeat?.annotatorId ?? null, required)
  return Number(info.lastInsertRowid)
}

/** Whether the n-th (1-based) original pair is an overlap pair: exactly floor(n * share) of the first n are. */
export function isOverlapTurn(n: number, share: number): boolean {
  return Math.floor(n * share + 1e-9) > Math.floor((n - 1) * share + 1e-9)
}

// --- listen service (A/B screen): leases and per-annotator queues ---

/** Leases past their expiry are dropped: their pairs return to the queue. */
export function purgeExpiredLeases(db: Db, nowIso: string): void {
  db.prepare('DELETE FROM pair_leases WHERE expires_at <= ?').run(nowIso)
}

/** Leases (and renews) a pair for an annotator until `expiresIso`. */
export function leasePair(db: Db, pairId: number, annotatorId: number, nowIso: string, expiresIso: string): void {
  db.prepare(
    `INSERT INTO pair_leases (pair_id, annotator_id, leased_at, expires_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (pair_id, annotator_id) DO UPDATE SET expires_at = excluded.expires_at`
  ).run(pairId, annotatorId, nowIso, expiresIso)
}

export function releaseLease(db: Db, pairId: number, annotatorId: number): void {
  db.prepare('DELETE FROM pair_leases WHERE pair_id = ? AND annotator_id = ?').run(pairId, annotatorId)
}

export function leaseExpiry(db: Db, pairId: number, annotatorId: number): string | undefined {
  const r = db
    .prepare('SELECT expires_at FROM pair_leases WHERE pair_id = ? AND annotator_id = ?')
    .get(pairId, annotatorId) as { expires_at: string } | undefined
  return r?.expires_at
}

/** Active (not undone) verdicts on the pair plus leases other annotators hold on it. */
export function claimsByOthers(db: Db, pairId: number, annotatorId: number): number {
  return (
    db
      .prepare(
        `SELECT (SELECT COUNT(*) FROM verdicts WHERE pair_id = ? AND superseded_at IS NULL)
              + (SELECT COUNT(*) FROM pair_leases WHERE pair_id = ? AND annotator_id <> ?) AS n`
      )
      .get(pairId, pairId, annotatorId) as { n: number }
  ).n
}

// Queued original pairs this annotator has not judged, with a free place: fewer active verdicts plus
// other annotators' leases than the verdicts it needs. Callers purge expired leases first.
const OPEN_FOR_ANNOTATOR = `
  FROM pairs p
  WHERE p.status = 'queued' AND p.repeat_of_pair_id IS NULL
    AND NOT EXISTS (SELECT 1 FROM verdicts v WHERE v.pair_id = p.id AND v.annotator_id = :a AND v.superseded_at IS NULL)
    AND NOT EXISTS (SELECT 1 FROM pair_leases l WHERE l.pair_id = p.id AND l.annotator_id = :a)
    AND (SELECT COUNT(*) FROM verdicts v WHERE v.pair_id = p.id AND v.superseded_at IS NULL)
      + (SELECT COUNT(*) FROM pair_leases l WHERE l.pair_id = p.id) < p.required_verdicts`

/** Highest priority, then oldest, pair that is open for this annotator, not leased to them and not excluded. */
export function nextOpenPairFor(db: Db, annotatorId: number, exclude: readonly number[] = []): PairSummary | undefined {
  const row = db
    .prepare(
      `SELECT p.* ${OPEN_FOR_ANNOTATOR} AND p.id NOT IN (SELECT value FROM json_each(:ex))
       ORDER BY p.priority DESC, p.id LIMIT 1`
    )
    .get({ a: annotatorId, ex: JSON.stringify(exclude) }) as PairRow | undefined
  return row && toSummary(row)
}

/** The queued pairs leased to this annotator that they have not judged yet, queue order. */
export function leasedPairsFor(db: Db, annotatorId: number): PairSummary[] {
  const rows = db
    .prepare(
      `SELECT p.* FROM pair_leases l JOIN pairs p ON p.id = l.pair_id
       WHERE l.annotator_id = :a AND p.status = 'queued'
         AND NOT EXISTS (SELECT 1 FROM verdicts v WHERE v.pair_id = p.id AND v.annotator_id = :a AND v.superseded_at IS NULL)
       ORDER BY p.priority DESC, p.id`
    )
    .all({ a: annotatorId }) as PairRow[]
  return rows.map(toSummary)
}

/** How many original pairs this annotator could still be given besides those leased to them. */
export function countOpenPairsFor(db: Db, annotatorId: number): number {
  return (db.prepare(`SELECT COUNT(*) AS n ${OPEN_FOR_ANNOTATOR}`).get({ a: annotatorId }) as { n: number }).n
}

/**
 * Recomputes a pair's status from its active verdicts: queued while it has fewer than it needs, then
 * judged, or skipped when every one of them is a skip.
 */
export function refreshPairStatus(db: Db, pairId: number): PairStatus {
  db.prepare(
    `UPDATE pairs SET status = CASE
       WHEN (SELECT COUNT(*) FROM verdicts v WHERE v.pair_id = pairs.id AND v.superseded_at IS NULL) < required_verdicts
         THEN 'queued'
       WHEN EXISTS (SELECT 1 FROM verdicts v WHERE v.pair_id = pairs.id AND v.superseded_at IS NULL AND v.verdict <> 'skip')
         THEN 'judged'
       ELSE 'skipped' END
     WHERE id = ?`
  ).run(pairId)
  return (getPair(db, pairId) as PairSummary).status
}

/** A queued repeat made for this annotator (created earlier, or requeued by undo) of a pair they still judge. */
export function pendingRepeatPairFor(
  db: Db,
  annotatorId: number,
  exclude: readonly number[] = []
): PairSummary | undefined {
  const row = db
    .prepare(
      `SELECT p.* FROM pairs p
       WHERE p.status = 'queued' AND p.repeat_annotator_id = :a AND p.id NOT IN (SELECT value FROM json_each(:ex))
         AND EXISTS (SELECT 1 FROM verdicts v
                     WHERE v.pair_id = p.repeat_of_pair_id AND v.annotator_id = :a AND v.superseded_at IS NULL)
       ORDER BY p.id LIMIT 1`
    )
    .get({ a: annotatorId, ex: JSON.stringify(exclude) }) as PairRow | undefined
  return row && toSummary(row)
}

/**
 * Original (non-repeat) pairs this annotator judged with a real verdict (not skip) that were never
 * repeated for them, each with the sides the annotator saw, oldest first.
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
       WHERE p.repeat_of_pair_id IS NULL
         AND NOT EXISTS (SELECT 1 FROM pairs r WHERE r.repeat_of_pair_id = p.id AND r.repeat_annotator_id = v.annotator_id)
       ORDER BY v.id`
    )
    .all(annotatorId) as RepeatCandidate[]
}
