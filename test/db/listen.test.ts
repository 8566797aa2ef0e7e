import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createAppContext, type AppContext } from '../../src/main/app/context'
import * as pairsQ from '../../src/main/db/queries/pairs'
import * as verdictsQ from '../../src/main/db/queries/verdicts'
import * as annotatorsQ from '../../src/main/db/queries/annotators'
import { readSettings, writeSettings } from '../../src/main/db/queries/settings'
import {
  annotatorStats,
  exportPreferences,
  nextPair,
  submitVerdict,
  undoLastVerdict
} from '../../src/main/services/listen'
import type { ParsedInput } from '../../src/shared/api'
import { AppFailure } from '../../src/shared/result'
import type { PairPresentation, Settings } from '../../src/shared/domain'
import {
  BEATS,
  fixedRandom,
  noSwap,
  seedEdit,
  seedEdits,
  seedSong,
  submitInput as validSubmission
} from '../helpers/listen-fixtures'

let dir: string
let ctx: AppContext
let songId: number
let editIds: number[]
let annotatorId: number

const settings = (patch: Partial<Settings> = {}): Settings => ({ ...readSettings(ctx.db), ...patch })

const submitInput = (
  p: PairPresentation,
  over: Partial<ParsedInput<'verdicts.submit'>> = {}
): ParsedInput<'verdicts.submit'> => validSubmission(p, annotatorId, over)

function expectFailure(fn: () => unknown, kind: string, field?: string): AppFailure {
  try {
    fn()
  } catch (e) {
    expect(e).toBeInstanceOf(AppFailure)
    const f = e as AppFailure
    expect(f.kind).toBe(kind)
    if (field !== undefined) expect(f.field).toBe(field)
    return f
  }
  throw new Error('expected an AppFailure')
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'editorbot-listen-'))
  ctx = createAppContext({ dataDir: dir, recoverJobs: false })
  songId = seedSong(ctx.db)
  editIds = seedEdits(ctx.db, songId)
  annotatorId = annotatorsQ.insertAnnotator(ctx.db, 'ana').id
})

afterEach(async () => {
  await ctx.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

const queuePair = (a: number, b: number, priority = 0): number =>
  pairsQ.insertPair(ctx.db, { songId, editAId: a, editBId: b, priority })

describe('listen service against SQLite', () => {
  it('presents a queued pair blind, with randomised sides, the beat grid and the queue size', () => {
    queuePair(editIds[0]!, editIds[1]!)
    const later = queuePair(editIds[2]!, editIds[3]!, -1)
    const swapped = nextPair(ctx.db, annotatorId, settings(), fixedRandom([0.1]))!
    expect(swapped.shownA.id).toBe(editIds[1])
    expect(swapped.shownB.id).toBe(editIds[0])
    const straight = nextPair(ctx.db, annotatorId, settings(), noSwap)!
    expect(straight.pairId).toBe(swapped.pairId)
    expect(straight.shownA.id).toBe(editIds[0])
    expect(straight.shownA.generator).toBe('hidden')
    expect(straight.shownA.seed).toBeNull()
    expect(straight.shownA.segments).toHaveLength(12)
    expect(straight.beatGrid.times).toHaveLength(BEATS)
    expect(straight.songTitle).toBe('Test song')
    // The pair presented (leased to this annotator) is not counted as waiting.
    expect(straight.remainingInQueue).toBe(1)
    expect(straight.isRepeat).toBe(false)
    submitVerdict(ctx.db, submitInput(straight), settings(), 'v')
    const last = nextPair(ctx.db, annotatorId, settings(), noSwap)!
    expect(last.pairId).toBe(later)
    expect(last.remainingInQueue).toBe(0)
  })

  it('returns null when the queue is empty and refuses an unknown annotator', () => {
    expect(nextPair(ctx.db, annotatorId, settings())).toBeNull()
    expectFailure(() => nextPair(ctx.db, 999, settings()), 'not_found', 'annotatorId')
  })

  it('stores a verdict durably with the side mapping, chosen/rejected and telemetry, and closes the pair', async () => {
    queuePair(editIds[0]!, editIds[1]!)
    const p = nextPair(ctx.db, annotatorId, settings(), fixedRandom([0.1]))! // A = edit 1, B = edit 0
    const v = submitVerdict(ctx.db, submitInput(p, { verdict: 'b', strength: 1 }), settings(), '9.9.9')
    // Reopen the database from disk: the row is committed, not just cached.
    const reopened = createAppContext({ dataDir: dir, recoverJobs: false })
    try {
      const row = verdictsQ.getVerdict(reopened.db, v.id)!
      expect(row.shownAEditId).toBe(editIds[1])
      expect(row.shownBEditId).toBe(editIds[0])
      expect(row.chosenEditId).toBe(editIds[0])
      expect(row.rejectedEditId).toBe(editIds[1])
      expect(row.strength).toBe(1)
      expect(row.listenedAMs).toBe(4000)
      expect(row.listenedBMs).toBe(3500)
      expect(row.switches).toBe(3)
      expect(row.decisionMs).toBe(12_000)
      expect(row.marks).toEqual([{ side: 'b', atS: 1.25 }])
      expect(row.note).toBe('B stutters at the splice')
      expect(row.appVersion).toBe('9.9.9')
      expect(row.supersededAt).toBeNull()
      expect(pairsQ.getPair(reopened.db, p.pairId)!.status).toBe('judged')
    } finally {
      await reopened.close()
    }
    expect(nextPair(ctx.db, annotatorId, settings())).toBeNull()
  })

  it('rejects a side mapping that is not the pair’s two edits', () => {
    queuePair(editIds[0]!, editIds[1]!)
    const p = nextPair(ctx.db, annotatorId, settings(), noSwap)!
    expectFailure(
      () => submitVerdict(ctx.db, submitInput(p, { shownAEditId: editIds[2]! }), settings(), 'v'),
      'validation',
      'shownAEditId'
    )
    expectFailure(
      () => submitVerdict(ctx.db, submitInput(p, { shownBEditId: p.shownA.id }), settings(), 'v'),
      'validation',
      'shownBEditId'
    )
    expect(verdictsQ.listVerdicts(ctx.db)).toHaveLength(0)
    expect(pairsQ.getPair(ctx.db, p.pairId)!.status).toBe('queued')
  })

  it('enforces the must-listen rule server-side, naming the side, but always accepts a skip', () => {
    queuePair(editIds[0]!, editIds[1]!)
    const p = nextPair(ctx.db, annotatorId, settings(), noSwap)!
    const s = settings({ mustListenS: 3 })
    const fa = expectFailure(
      () => submitVerdict(ctx.db, submitInput(p, { listenedAMs: 2900 }), s, 'v'),
      'validation',
      'listenedAMs'
    )
    expect(fa.message).toMatch(/side A was heard for 2\.9 s.*at least 3\.0 s/)
    expectFailure(
      () => submitVerdict(ctx.db, submitInput(p, { listenedBMs: 0, verdict: 'tie', strength: null }), s, 'v'),
      'validation',
      'listenedBMs'
    )
    expect(verdictsQ.listVerdicts(ctx.db)).toHaveLength(0)
    const skip = submitVerdict(
      ctx.db,
      submitInput(p, { verdict: 'skip', strength: null, listenedAMs: 0, listenedBMs: 0 }),
      s,
      'v'
    )
    expect(skip.chosenEditId).toBeNull()
    expect(pairsQ.getPair(ctx.db, p.pairId)!.status).toBe('skipped')
  })

  it('asks only for the whole side when a side is shorter than the must-listen time', () => {
    const shortA = seedEdit(ctx.db, songId, [0, 1], 'short') // 1 s long
    queuePair(shortA, editIds[1]!)
    const p = nextPair(ctx.db, annotatorId, settings(), noSwap)!
    const v = submitVerdict(
      ctx.db,
      submitInput(p, { listenedAMs: 950, listenedBMs: 5000 }),
      settings({ mustListenS: 3 }),
      'v'
    )
    expect(v.listenedAMs).toBe(950)
  })

  it('refuses strength on tie/both_bad and a second verdict on a judged pair', () => {
    queuePair(editIds[0]!, editIds[1]!)
    const p = nextPair(ctx.db, annotatorId, settings(), noSwap)!
    expectFailure(
      () => submitVerdict(ctx.db, submitInput(p, { verdict: 'tie', strength: 2 }), settings(), 'v'),
      'validation',
      'strength'
    )
    const both = submitVerdict(ctx.db, submitInput(p, { verdict: 'both_bad', strength: null }), settings(), 'v')
    expect(both.strength).toBeNull()
    expectFailure(() => submitVerdict(ctx.db, submitInput(p), settings(), 'v'), 'conflict', 'pairId')
  })

  it('undo supersedes the latest verdict (never deletes it) and requeues its pair', () => {
    const first = queuePair(editIds[0]!, editIds[1]!, 2)
    const second = queuePair(editIds[2]!, editIds[3]!, 1)
    const p1 = nextPair(ctx.db, annotatorId, settings(), noSwap)!
    expect(p1.pairId).toBe(first)
    const v1 = submitVerdict(ctx.db, submitInput(p1), settings(), 'v')
    const p2 = nextPair(ctx.db, annotatorId, settings(), noSwap)!
    expect(p2.pairId).toBe(second)
    const v2 = submitVerdict(ctx.db, submitInput(p2, { verdict: 'tie', strength: null }), settings(), 'v')

    const undone = undoLastVerdict(ctx.db, annotatorId, settings())!
    expect(undone.id).toBe(v2.id)
    expect(undone.supersededAt).not.toBeNull()
    expect(pairsQ.getPair(ctx.db, second)!.status).toBe('queued')
    expect(verdictsQ.listVerdicts(ctx.db, { includeSuperseded: true })).toHaveLength(2)
    expect(verdictsQ.listVerdicts(ctx.db).map((v) => v.id)).toEqual([v1.id])

    // The requeued pair comes back and can be judged again; the old row stays superseded.
    const again = nextPair(ctx.db, annotatorId, settings(), noSwap)!
    expect(again.pairId).toBe(second)
    submitVerdict(ctx.db, submitInput(again, { verdict: 'b' }), settings(), 'v')
    expect(verdictsQ.getVerdict(ctx.db, v2.id)!.supersededAt).not.toBeNull()

    expect(undoLastVerdict(ctx.db, annotatorId, settings())!.pairId).toBe(second)
    expect(undoLastVerdict(ctx.db, annotatorId, settings())!.id).toBe(v1.id)
    expect(undoLastVerdict(ctx.db, annotatorId, settings())).toBeNull()
    expect(verdictsQ.listVerdicts(ctx.db, { includeSuperseded: true })).toHaveLength(3)
  })

  it('shows an earlier judged pair again with sides swapped every repeatEvery-th presentation', () => {
    const s = settings({ repeatEvery: 3 })
    const p1 = queuePair(editIds[0]!, editIds[1]!, 3)
    queuePair(editIds[2]!, editIds[3]!, 2)
    queuePair(editIds[0]!, editIds[2]!, 1)
    queuePair(editIds[1]!, editIds[3]!, 0)

    const first = nextPair(ctx.db, annotatorId, s, fixedRandom([0.1, 0]))! // swapped: A = edit 1
    expect(first.pairId).toBe(p1)
    submitVerdict(ctx.db, submitInput(first, { verdict: 'a' }), s, 'v') // prefers edits[1]
    const second = nextPair(ctx.db, annotatorId, s, noSwap)!
    submitVerdict(ctx.db, submitInput(second, { verdict: 'tie', strength: null }), s, 'v')

    // Third presentation: a repeat of the first pair (the second was just judged), sides swapped.
    const third = nextPair(ctx.db, annotatorId, s, fixedRandom([0]))!
    expect(third.isRepeat).toBe(true)
    const repeatRow = pairsQ.getPair(ctx.db, third.pairId)!
    expect(repeatRow.repeatOfPairId).toBe(p1)
    expect(third.shownA.id).toBe(first.shownB.id)
    expect(third.shownB.id).toBe(first.shownA.id)
    // Asking again before judging presents the same repeat, not a new row.
    expect(nextPair(ctx.db, annotatorId, s, fixedRandom([0]))!.pairId).toBe(third.pairId)
    expect(pairsQ.listPairs(ctx.db).filter((p) => p.repeatOfPairId !== null)).toHaveLength(1)
    // Other annotators never get someone else's repeat (bob now holds the third pair's lease).
    const bob = annotatorsQ.insertAnnotator(ctx.db, 'bob').id
    expect(nextPair(ctx.db, bob, s, noSwap)!.isRepeat).toBe(false)
    expect(annotatorStats(ctx.db, bob).repeatsJudged).toBe(0)

    // Consistent: B (= edits[1]) preferred again.
    submitVerdict(ctx.db, submitInput(third, { verdict: 'b', strength: 1 }), s, 'v')
    const stats = annotatorStats(ctx.db, annotatorId)
    expect(stats.repeatsJudged).toBe(1)
    expect(stats.selfConsistency).toBe(1)

    // Undo the repeat verdict and disagree instead: consistency drops to 0.
    undoLastVerdict(ctx.db, annotatorId, settings())
    const redo = nextPair(ctx.db, annotatorId, s, noSwap)!
    expect(redo.pairId).toBe(third.pairId)
    submitVerdict(ctx.db, submitInput(redo, { verdict: 'a' }), s, 'v')
    expect(annotatorStats(ctx.db, annotatorId).selfConsistency).toBe(0)

    // repeatEvery 0 disables repeats; the pair leased to bob is not handed to this annotator.
    const off = settings({ repeatEvery: 0 })
    const p = nextPair(ctx.db, annotatorId, off, noSwap)!
    expect(p.isRepeat).toBe(false)
    submitVerdict(ctx.db, submitInput(p), off, 'v')
    expect(nextPair(ctx.db, annotatorId, off, noSwap)).toBeNull()
  })

  it('computes stats over active verdicts', () => {
    queuePair(editIds[0]!, editIds[1]!)
    queuePair(editIds[2]!, editIds[3]!)
    queuePair(editIds[0]!, editIds[3]!)
    writeSettings(ctx.db, { repeatEvery: 0 })
    const s = settings()
    expect(annotatorStats(ctx.db, annotatorId)).toEqual({
      annotatorId,
      judged: 0,
      skipped: 0,
      pairsPerHour: null,
      selfConsistency: null,
      repeatsJudged: 0,
      interAnnotatorAlpha: null,
      overlapPairsJudged: 0,
      rewardModelAgreement: null
    })
    const a = nextPair(ctx.db, annotatorId, s, noSwap)!
    submitVerdict(ctx.db, submitInput(a, { decisionMs: 30_000 }), s, 'v')
    const b = nextPair(ctx.db, annotatorId, s, noSwap)!
    submitVerdict(ctx.db, submitInput(b, { verdict: 'skip', strength: null, decisionMs: 6_000 }), s, 'v')
    const c = nextPair(ctx.db, annotatorId, s, noSwap)!
    submitVerdict(ctx.db, submitInput(c, { decisionMs: 24_000 }), s, 'v')
    undoLastVerdict(ctx.db, annotatorId, settings())
    const stats = annotatorStats(ctx.db, annotatorId)
    expect(stats.judged).toBe(1)
    expect(stats.skipped).toBe(1)
    // 2 verdicts in 36 s of decision time = 200 per hour.
    expect(stats.pairsPerHour).toBeCloseTo(200, 6)
    expect(stats.rewardModelAgreement).toBeNull()
  })

  it('exports active verdicts as JSONL and CSV with both action arrays and chosen/rejected', () => {
    queuePair(editIds[0]!, editIds[1]!)
    queuePair(editIds[2]!, editIds[3]!)
    const s = settings({ repeatEvery: 0 })
    const p = nextPair(ctx.db, annotatorId, s, fixedRandom([0.1]))! // A = edits[1]
    submitVerdict(ctx.db, submitInput(p, { verdict: 'a', strength: 2, note: 'smooth, "clean"' }), s, 'v')
    const q = nextPair(ctx.db, annotatorId, s, noSwap)!
    submitVerdict(ctx.db, submitInput(q, { verdict: 'tie', strength: null }), s, 'v')

    const jsonl = path.join(dir, 'out', 'prefs.jsonl')
    expect(exportPreferences(ctx.db, { format: 'jsonl', outPath: jsonl })).toMatchObject({ rows: 2 })
    const rows = fs
      .readFileSync(jsonl, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
    expect(rows[0]!.chosen_edit).toMatchObject({ edit_id: editIds[1], generator: 'random' })
    expect(rows[0]!.chosen).toEqual((rows[0]!.chosen_edit as { actions: number[] }).actions)
    expect(rows[0]!.chosen as number[]).toHaveLength(BEATS)
    expect(rows[0]!.rejected_edit).toMatchObject({ edit_id: editIds[0], generator: 'rule' })
    expect(rows[0]!.annotator).toBe('ana')
    expect(rows[0]!.heard_fraction_a).toBeCloseTo(4 / 6, 6)
    expect(rows[1]!.chosen).toBeNull()
    expect(rows[1]!.shown_a).toMatchObject({ edit_id: editIds[2] })

    const csv = path.join(dir, 'prefs.csv')
    expect(exportPreferences(ctx.db, { format: 'csv', outPath: csv })).toMatchObject({ rows: 2 })
    const lines = fs.readFileSync(csv, 'utf8').trim().split('\n')
    expect(lines).toHaveLength(3)
    expect(lines[0]).toMatch(/^verdict_id,pair_id,/)
    expect(lines[1]).toContain('"smooth, ""clean"""')
    expect(lines[1]).toContain(`,${editIds[1]},${editIds[0]},`)
  })
})
