/**
 * The listening service behind the A/B screen, the CLI `judge` and `export --what preferences`:
 * presents pairs (sides randomised, provenance hidden, self-consistency repeats), leases each pair to
 * the annotator it is shown to so several annotators at once get distinct pairs (overlap pairs go to
 * several of them), records verdicts durably (one synchronous=FULL transaction each), undoes them
 * (superseding, never deleting) and computes stats, inter-annotator agreement included.
 */
import type { Db } from '../../db/connection'
import { immediateTransaction } from '../../db/transaction'
import * as pairsQ from '../../db/queries/pairs'
import * as verdictsQ from '../../db/queries/verdicts'
import * as annotatorsQ from '../../db/queries/annotators'
import * as editsQ from '../../db/queries/edits'
import * as songsQ from '../../db/queries/songs'
import { loadBeatGrid } from '../songs/stored-song'
import { rewardModelAgreement } from '../reward-models/agreement'
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
import { agreement, chosenRejected, isRepeatSlot, mustListenViolation, preferenceScore, verdictOutcome } from './rules'
import { krippendorffAlpha } from './agreement'

export { exportPreferences } from './export'
export * from './rules'
export { krippendorffAlpha, type AlphaMetric } from './agreement'

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
    repeat: { ofPairId: pick.pairId, annotatorId }
  })
  return pairsQ.getPair(db, id) as PairSummary
}

export interface NextPairOptions {
  /** Pairs not to present: already on screen or prefetched by the same annotator. */
  exclude?: readonly number[]
  /** The clock, for tests of lease expiry. */
  nowMs?: number
}

/** The lease window starting now: ISO times as SQLite stores them. */
function leaseWindow(settings: Settings, nowMs: number): { nowIso: string; expiresIso: string } {
  return {
    nowIso: new Date(nowMs).toISOString(),
    expiresIso: new Date(nowMs + settings.leaseMinutes * 60_000).toISOString()
  }
}

/**
 * The next pair for this annotator (other than those in `opts.exclude`), or null when nothing is left for them. A pending repeat (one created
 * earlier or requeued by undo) comes first, then a pair already leased to them (asking again renews it),
 * then the best open pair: queued, not judged by them, with a free place (its verdicts plus other
 * annotators' leases fewer than it needs). Every `repeatEvery`-th presentation is a new repeat when an
 * earlier judged pair qualifies. The pair is leased to the annotator for `settings.leaseMinutes`; an
 * abandoned lease expires and the pair returns to the queue. Repeats keep their stored (swapped) sides;
 * other pairs get a fresh random side assignment on every presentation, validated again on submit.
 */
export function nextPair(
  db: Db,
  annotatorId: number,
  settings: Settings,
  rnd: ListenRandom = defaultRandom,
  opts: NextPairOptions = {}
): PairPresentation | null {
  annotatorOrFail(db, annotatorId)
  const exclude = opts.exclude ?? []
  const { nowIso, expiresIso } = leaseWindow(settings, opts.nowMs ?? Date.now())
  const picked = immediateTransaction(db, (): { pair: PairSummary; remaining: number } | null => {
    pairsQ.purgeExpiredLeases(db, nowIso)
    // Pairs on screen or prefetched stay leased to this annotator but are not presented again.
    const held = pairsQ.leasedPairsFor(db, annotatorId).filter((p) => !exclude.includes(p.id))
    const choose = (): PairSummary | null => {
      const pending = pairsQ.pendingRepeatPairFor(db, annotatorId, exclude)
      if (pending) return pending
      if (held[0]) return held[0]
      const open = pairsQ.nextOpenPairFor(db, annotatorId, exclude)
      if (!open) return null
      const presentation = verdictsQ.countActiveVerdicts(db, annotatorId) + exclude.length + 1
      if (isRepeatSlot(presentation, settings.repeatEvery)) {
        const repeat = createRepeatPair(db, annotatorId, rnd)
        if (repeat) return repeat
      }
      return open
    }
    const pair = choose()
    if (!pair) return null
    pairsQ.leasePair(db, pair.id, annotatorId, nowIso, expiresIso)
    const otherHeld = held.filter((p) => p.id !== pair.id && p.repeatOfPairId === null).length
    return { pair, remaining: pairsQ.countOpenPairsFor(db, annotatorId) + otherHeld }
  })
  if (!picked) return null
  const pick = picked.pair

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
    remainingInQueue: picked.remaining,
    leaseExpiresAt: expiresIso
  }
}

/** Slack on mark times past a side's end (the playhead may be read just after the last sample). */
const MARK_SLACK_S = 0.5

/**
 * Validates and records one verdict in its own durable transaction, releases the annotator's lease and
 * moves the pair out of the queue once it has the verdicts it needs (judged, or skipped when all are
 * skips). Throws AppFailure: not_found (pair, annotator), conflict (this annotator already judged the
 * pair, the pair is done, or its places are leased to others), validation (side mapping, must-listen,
 * strength, marks).
 */
export function submitVerdict(
  db: Db,
  // Tags are optional for callers inside the app (scripts, the simulated annotator); the contract defaults them.
  input: Omit<ParsedInput<'verdicts.submit'>, 'tags'> & { tags?: readonly string[] },
  settings: Settings,
  appVersion: string,
  nowMs: number = Date.now()
): VerdictRecord {
  return immediateTransaction(
    db,
    (): VerdictRecord => {
      annotatorOrFail(db, input.annotatorId)
      const pair = pairsQ.getPair(db, input.pairId)
      if (!pair) throw new AppFailure('not_found', `no pair with id ${input.pairId}`, 'pairId')
      const mine = verdictsQ.activeVerdictByAnnotator(db, pair.id, input.annotatorId)
      if (mine)
        throw new AppFailure(
          'conflict',
          `you already judged pair ${pair.id} (verdict ${mine.id}); undo that verdict to judge it again`,
          'pairId'
        )
      if (pair.status !== 'queued') {
        const by = verdictsQ.activeVerdictForPair(db, pair.id)
        throw new AppFailure(
          'conflict',
          `pair ${pair.id} is already ${pair.status}${by ? ` (verdict ${by.id})` : ''}; undo that verdict to judge it again`,
          'pairId'
        )
      }
      pairsQ.purgeExpiredLeases(db, leaseWindow(settings, nowMs).nowIso)
      if (pairsQ.claimsByOthers(db, pair.id, input.annotatorId) >= pair.requiredVerdicts)
        throw new AppFailure(
          'conflict',
          `pair ${pair.id} is being judged by another annotator; ask for the next pair`,
          'pairId'
        )
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

      const offered = new Set(settings.reasonTags.map((t) => t.label))
      const tags = input.tags ?? []
      tags.forEach((tag, i) => {
        if (!offered.has(tag))
          throw new AppFailure(
            'validation',
            `tags.${i}: '${tag}' is not one of this project's reason tags (${[...offered].join(', ') || 'none'})`,
            `tags.${i}`
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
        tags: [...new Set(tags)],
        appVersion
      })
      pairsQ.releaseLease(db, pair.id, input.annotatorId)
      pairsQ.refreshPairStatus(db, pair.id)
      return record
    },
    { durable: true }
  )
}

/**
 * Undoes the annotator's latest active verdict: the row is marked superseded (never deleted), its pair
 * goes back to the queue (unless other annotators' verdicts still complete it) and is leased to this
 * annotator again, since the screen shows it to them again. Returns the superseded record, or null when
 * there is nothing to undo.
 */
export function undoLastVerdict(
  db: Db,
  annotatorId: number,
  settings: Settings,
  nowMs: number = Date.now()
): VerdictRecord | null {
  annotatorOrFail(db, annotatorId)
  const { nowIso, expiresIso } = leaseWindow(settings, nowMs)
  return immediateTransaction(
    db,
    (): VerdictRecord | null => {
      const latest = verdictsQ.latestActiveVerdict(db, annotatorId)
      if (!latest) return null
      verdictsQ.supersedeVerdict(db, latest.id)
      if (pairsQ.refreshPairStatus(db, latest.pairId) === 'queued')
        pairsQ.leasePair(db, latest.pairId, annotatorId, nowIso, expiresIso)
      return verdictsQ.getVerdict(db, latest.id) as VerdictRecord
    },
    { durable: true }
  )
}

/**
 * The annotator's stats over their active verdicts: judged (not skipped), skipped, pairs per hour of
 * decision time, and self-consistency (agreement of each repeat verdict with their verdict on the
 * original pair, compared by the preferred edit so the side swap does not matter), and Krippendorff's
 * alpha over the overlap pairs they judged with others (ordinal, on the 5-point scale of preferenceScore;
 * both_bad verdicts are off that scale and left out).
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
  const units = new Map<number, number[]>()
  for (const v of verdictsQ.overlapVerdictsWith(db, annotatorId)) {
    const score = preferenceScore(v)
    if (score === null) continue
    const unit = units.get(v.pairId) ?? []
    unit.push(score)
    units.set(v.pairId, unit)
  }
  const pairable = [...units.values()].filter((u) => u.length >= 2)
  return {
    annotatorId,
    judged,
    skipped,
    pairsPerHour,
    selfConsistency: agreement(compared),
    repeatsJudged: compared.length,
    interAnnotatorAlpha: krippendorffAlpha(pairable, 'ordinal'),
    overlapPairsJudged: pairable.length,
    rewardModelAgreement: rewardModelAgreement(db, annotatorId)
  }
}
