/**
 * The listening service behind the A/B screen, the CLI `judge` and `export --what preferences`:
 * presents pairs (sides randomised, provenance hidden, self-consistency repeats), records verdicts
 * durably (one transaction each), undoes them (superseding, never deleting) and computes stats.
 */
import type { Db } from '../../db/connection'
import * as pairsQ from '../../db/queries/pairs'
import * as verdictsQ from '../../db/queries/verdicts'
import * as annotatorsQ from '../../db/queries/annotators'
import * as editsQ from '../../db/queries/edits'
import * as songsQ from '../../db/queries/songs'
import { loadBeatGrid } from '../songs/stored-song'
import { AppFailure } from '../../../shared/result'
import type { ParsedInput } from '../../../shared/api'
import type {
  AnnotatorStats,
  EditDetail,
  PairPresentation,
  PairSummary,
  Settings,
  VerdictRecord
} from '../../../shared/domain'
import { agreement, chosenRejected, isRepeatSlot, mustListenViolation, verdictOutcome } from './rules'

export { exportPreferences } from './export'
export * from './rules'

/** Random source for side assignment and repeat choice; tests may replace it. */
export interface ListenRandom {
  next(): number
}
const defaultRandom: ListenRandom = { next: () => Math.random() }

function annotatorOrFail(db: Db, annotatorId: number): void {
  if (!annotatorsQ.getAnnotator(db, annotatorId))
    throw new AppFailure('not_found', `no annotator with id ${annotatorId}`, 'annotatorId')
}

function editOrFail(db: Db, editId: number, field: string): EditDetail {
  const e = editsQ.getEdit(db, editId)
  if (!e) throw new AppFailure('not_found', `no edit with id ${editId}`, field)
  return e
}

/** The edit as the blind A/B screen sees it: which generator or policy made it stays hidden. */
export function blindEdit(e: EditDetail): EditDetail {
  return { ...e, generator: 'hidden', policyId: null, policyVersion: null, seed: null, targetDurationS: null }
}

/**
 * Creates (inside the caller's transaction) a repeat of one of the annotator's earlier judged pairs
 * with the sides swapped relative to how they saw it; null when no pair qualifies.
 */
function createRepeatPair(db: Db, annotatorId: number, rnd: ListenRandom): PairSummary | null {
  const candidates = pairsQ.repeatCandidates(db, annotatorId)
  // Never the pair just judged: a repeat right after the original tests memory, not consistency.
  const pool = candidates.length > 1 ? candidates.slice(0, -1) : []
  if (pool.length === 0) return null
  const pick = pool[Math.min(pool.length - 1, Math.floor(rnd.next() * pool.length))] as (typeof pool)[number]
  const original = pairsQ.getPair(db, pick.pairId) as PairSummary
  const id = pairsQ.insertPair(db, {
    songId: pick.songId,
    editAId: pick.shownBEditId,
    editBId: pick.shownAEditId,
    priority: original.priority,
    repeatOfPairId: pick.pairId
  })
  return pairsQ.getPair(db, id) as PairSummary
}

/**
 * The next pair for this annotator, or null when nothing is queued. A pending repeat (one created
 * earlier or requeued by undo) comes first; every `repeatEvery`-th presentation is a new repeat when
 * an earlier judged pair qualifies. Repeats keep their stored (swapped) sides; other pairs get a
 * fresh random side assignment on every presentation, validated again on submit.
 */
export function nextPair(
  db: Db,
  annotatorId: number,
  settings: Settings,
  rnd: ListenRandom = defaultRandom
): PairPresentation | null {
  annotatorOrFail(db, annotatorId)
  const pick = db
    .transaction((): PairSummary | null => {
      const pending = pairsQ.pendingRepeatPairFor(db, annotatorId)
      if (pending) return pending
      const original = pairsQ.nextQueuedOriginalPair(db)
      if (!original) return null
      const presentation = verdictsQ.countActiveVerdicts(db, annotatorId) + 1
      if (isRepeatSlot(presentation, settings.repeatEvery)) {
        const repeat = createRepeatPair(db, annotatorId, rnd)
        if (repeat) return repeat
      }
      return original
    })
    .immediate()
  if (!pick) return null

  const isRepeat = pick.repeatOfPairId !== null
  const editA = editOrFail(db, pick.editAId, 'pairId')
  const editB = editOrFail(db, pick.editBId, 'pairId')
  const swap = !isRepeat && rnd.next() < 0.5
  const song = songsQ.getSong(db, pick.songId)
  if (!song) throw new AppFailure('not_found', `pair ${pick.id} refers to a missing song ${pick.songId}`, 'pairId')
  return {
    pairId: pick.id,
    songId: pick.songId,
    songTitle: song.title,
    shownA: blindEdit(swap ? editB : editA),
    shownB: blindEdit(swap ? editA : editB),
    isRepeat,
    beatGrid: loadBeatGrid(db, pick.songId),
    remainingInQueue: pairsQ.countQueuedOriginalPairs(db)
  }
}

/** Slack on mark times past a side's end (the playhead may be read just after the last sample). */
const MARK_SLACK_S = 0.5

/**
 * Validates and records one verdict in its own transaction, and moves its pair out of the queue
 * (judged, or skipped for a skip). Throws AppFailure: not_found (pair, annotator), conflict (pair
 * already has a verdict), validation (side mapping, must-listen, strength, marks).
 */
export function submitVerdict(
  db: Db,
  input: ParsedInput<'verdicts.submit'>,
  settings: Settings,
  appVersion: string
): VerdictRecord {
  return db
    .transaction((): VerdictRecord => {
      annotatorOrFail(db, input.annotatorId)
      const pair = pairsQ.getPair(db, input.pairId)
      if (!pair) throw new AppFailure('not_found', `no pair with id ${input.pairId}`, 'pairId')
      if (pair.status !== 'queued') {
        const by = verdictsQ.activeVerdictForPair(db, pair.id)
        throw new AppFailure(
          'conflict',
          `pair ${pair.id} is already ${pair.status}${by ? ` (verdict ${by.id})` : ''}; undo that verdict to judge it again`,
          'pairId'
        )
      }
      const pairEdits = [pair.editAId, pair.editBId]
      if (!pairEdits.includes(input.shownAEditId))
        throw new AppFailure(
          'validation',
          `shownAEditId ${input.shownAEditId} is not one of pair ${pair.id}'s edits (${pairEdits.join(', ')})`,
          'shownAEditId'
        )
      if (!pairEdits.includes(input.shownBEditId) || input.shownBEditId === input.shownAEditId)
        throw new AppFailure(
          'validation',
          `shownBEditId ${input.shownBEditId} must be pair ${pair.id}'s other edit (edits ${pairEdits.join(', ')}, A shows ${input.shownAEditId})`,
          'shownBEditId'
        )
      const editA = editOrFail(db, input.shownAEditId, 'shownAEditId')
      const editB = editOrFail(db, input.shownBEditId, 'shownBEditId')

      const violation = mustListenViolation({
        verdict: input.verdict,
        listenedAMs: input.listenedAMs,
        listenedBMs: input.listenedBMs,
        mustListenS: settings.mustListenS,
        durationAS: editA.outputDurationS,
        durationBS: editB.outputDurationS
      })
      if (violation) throw new AppFailure('validation', violation.message, violation.field)

      const preference = input.verdict === 'a' || input.verdict === 'b'
      if (!preference && input.strength !== null)
        throw new AppFailure(
          'validation',
          `strength applies only to an 'a' or 'b' verdict, not '${input.verdict}'`,
          'strength'
        )
      input.marks.forEach((m, i) => {
        const dur = (m.side === 'a' ? editA : editB).outputDurationS
        if (m.atS > dur + MARK_SLACK_S)
          throw new AppFailure(
            'validation',
            `marks.${i}: ${m.atS.toFixed(2)} s is past the end of side ${m.side.toUpperCase()} (${dur.toFixed(2)} s)`,
            `marks.${i}.atS`
          )
      })

      const record = verdictsQ.insertVerdict(db, {
        pairId: pair.id,
        annotatorId: input.annotatorId,
        verdict: input.verdict,
        strength: preference ? (input.strength ?? 1) : null,
        shownAEditId: input.shownAEditId,
        shownBEditId: input.shownBEditId,
        ...chosenRejected(input.verdict, input.shownAEditId, input.shownBEditId),
        listenedAMs: input.listenedAMs,
        listenedBMs: input.listenedBMs,
        switches: input.switches,
        decisionMs: input.decisionMs,
        marks: input.marks,
        note: input.note === null || input.note.trim() === '' ? null : input.note.trim(),
        appVersion
      })
      pairsQ.setPairStatus(db, pair.id, input.verdict === 'skip' ? 'skipped' : 'judged')
      return record
    })
    .immediate()
}

/**
 * Undoes the annotator's latest active verdict: the row is marked superseded (never deleted) and its
 * pair goes back to the queue. Returns the superseded record, or null when there is nothing to undo.
 */
export function undoLastVerdict(db: Db, annotatorId: number): VerdictRecord | null {
  annotatorOrFail(db, annotatorId)
  return db
    .transaction((): VerdictRecord | null => {
      const latest = verdictsQ.latestActiveVerdict(db, annotatorId)
      if (!latest) return null
      verdictsQ.supersedeVerdict(db, latest.id)
      // Another annotator may hold an active verdict on the same pair (pairs are shared): keep it judged then.
      const other = verdictsQ.activeVerdictForPair(db, latest.pairId)
      pairsQ.setPairStatus(db, latest.pairId, other ? (other.verdict === 'skip' ? 'skipped' : 'judged') : 'queued')
      return verdictsQ.getVerdict(db, latest.id) as VerdictRecord
    })
    .immediate()
}

/**
 * The annotator's stats over their active verdicts: judged (not skipped), skipped, pairs per hour of
 * decision time, and self-consistency (agreement of each repeat verdict with their verdict on the
 * original pair, compared by the preferred edit so the side swap does not matter).
 */
export function annotatorStats(db: Db, annotatorId: number): AnnotatorStats {
  annotatorOrFail(db, annotatorId)
  const verdicts = verdictsQ.listVerdicts(db, { annotatorId })
  const judged = verdicts.filter((v) => v.verdict !== 'skip').length
  const skipped = verdicts.length - judged
  const decisionMs = verdicts.reduce((s, v) => s + v.decisionMs, 0)
  const pairsPerHour = verdicts.length > 0 && decisionMs >= 1000 ? verdicts.length / (decisionMs / 3_600_000) : null

  const compared: { repeat: string; original: string }[] = []
  for (const { verdict, repeatOfPairId } of verdictsQ.activeRepeatVerdicts(db, annotatorId)) {
    const repeat = verdictOutcome(verdict)
    if (repeat === null) continue
    const orig = verdictsQ.activeVerdictByAnnotator(db, repeatOfPairId, annotatorId)
    const original = orig ? verdictOutcome(orig) : null
    if (original === null) continue
    compared.push({ repeat, original })
  }
  return {
    annotatorId,
    judged,
    skipped,
    pairsPerHour,
    selfConsistency: agreement(compared),
    repeatsJudged: compared.length,
    rewardModelAgreement: null
  }
}
