import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createAppContext, type AppContext } from '../../src/main/app/context'
import * as pairsQ from '../../src/main/db/queries/pairs'
import * as verdictsQ from '../../src/main/db/queries/verdicts'
import * as annotatorsQ from '../../src/main/db/queries/annotators'
import { readSettings, writeSettings } from '../../src/main/db/queries/settings'
import {
  annotatorStats,
  krippendorffAlpha,
  nextPair,
  submitVerdict,
  undoLastVerdict
} from '../../src/main/services/listen'
import type { Settings } from '../../src/shared/domain'
import { failureOf } from '../helpers/failure'
import { fixedRandom, noSwap, seedEdits, seedSong, submitInput } from '../helpers/listen-fixtures'
import { tempDataDir } from '../helpers/temp'

let ctx: AppContext
let cleanup: () => void
let songId: number
let editIds: number[]
let ana: number
let bob: number
let cy: number

const settings = (patch: Partial<Settings> = {}): Settings => ({ ...readSettings(ctx.db), repeatEvery: 0, ...patch })
const queuePair = (a: number, b: number, priority = 0): number =>
  pairsQ.insertPair(ctx.db, { songId, editAId: a, editBId: b, priority })
const MINUTE = 60_000
const T0 = Date.parse('2030-01-01T12:00:00Z')

beforeEach(() => {
  const t = tempDataDir('editorbot-annotators-')
  cleanup = t.cleanup
  ctx = createAppContext({ dataDir: t.dir, recoverJobs: false })
  songId = seedSong(ctx.db)
  editIds = seedEdits(ctx.db, songId)
  ;[ana, bob, cy] = ['ana', 'bob', 'cy'].map((n) => annotatorsQ.insertAnnotator(ctx.db, n).id) as [
    number,
    number,
    number
  ]
})

afterEach(async () => {
  await ctx.close()
  cleanup()
})

describe('several annotators at once', () => {
  it('hands each annotator a different pair and counts only what is left for them', () => {
    writeSettings(ctx.db, { overlapShare: 0 })
    const ids = [queuePair(editIds[0]!, editIds[1]!, 3), queuePair(editIds[2]!, editIds[3]!, 2)]
    queuePair(editIds[0]!, editIds[2]!, 1)
    const s = settings()
    const a = nextPair(ctx.db, ana, s, noSwap, { nowMs: T0 })!
    const b = nextPair(ctx.db, bob, s, noSwap, { nowMs: T0 })!
    expect([a.pairId, b.pairId]).toEqual(ids)
    // Each sees the one pair nobody holds; the pair on their own screen and the other's are not counted.
    expect(a.remainingInQueue).toBe(2)
    expect(b.remainingInQueue).toBe(1)
    expect(nextPair(ctx.db, cy, s, noSwap, { nowMs: T0 })!.remainingInQueue).toBe(0)
    expect(nextPair(ctx.db, ana, s, noSwap, { nowMs: T0 + MINUTE })!.pairId).toBe(a.pairId)
    expect(a.leaseExpiresAt).toBe(new Date(T0 + s.leaseMinutes * MINUTE).toISOString())
  })

  it('prefetches the pair after the one on screen, leasing both to the same annotator', () => {
    writeSettings(ctx.db, { overlapShare: 0 })
    const ids = [queuePair(editIds[0]!, editIds[1]!, 3), queuePair(editIds[2]!, editIds[3]!, 2)]
    queuePair(editIds[0]!, editIds[2]!, 1)
    const s = settings()
    const onScreen = nextPair(ctx.db, ana, s, noSwap, { nowMs: T0 })!
    const prefetched = nextPair(ctx.db, ana, s, noSwap, { nowMs: T0, exclude: [onScreen.pairId] })!
    expect([onScreen.pairId, prefetched.pairId]).toEqual(ids)
    expect(prefetched.remainingInQueue).toBe(1)
    const other = nextPair(ctx.db, bob, s, noSwap, { nowMs: T0 })!
    expect(ids).not.toContain(other.pairId)
    expect(nextPair(ctx.db, cy, s, noSwap, { nowMs: T0 })).toBeNull()
  })

  it('returns an abandoned pair to the queue when its lease expires', () => {
    writeSettings(ctx.db, { overlapShare: 0, leaseMinutes: 10 })
    const only = queuePair(editIds[0]!, editIds[1]!)
    const s = settings()
    const held = nextPair(ctx.db, ana, s, noSwap, { nowMs: T0 })!
    expect(nextPair(ctx.db, bob, s, noSwap, { nowMs: T0 + 9 * MINUTE })).toBeNull()
    // Ana left without judging: after ten minutes Bob gets the pair, and Ana's late verdict is refused.
    const taken = nextPair(ctx.db, bob, s, noSwap, { nowMs: T0 + 11 * MINUTE })!
    expect(taken.pairId).toBe(only)
    const late = failureOf(() => submitVerdict(ctx.db, submitInput(held, ana), s, 'v', T0 + 12 * MINUTE))
    expect(late).toMatchObject({ kind: 'conflict', field: 'pairId' })
    expect(late.message).toMatch(/another annotator/)
    submitVerdict(ctx.db, submitInput(taken, bob), s, 'v', T0 + 12 * MINUTE)
    expect(pairsQ.getPair(ctx.db, only)!.status).toBe('judged')
    expect(nextPair(ctx.db, ana, s, noSwap, { nowMs: T0 + 13 * MINUTE })).toBeNull()
  })

  it('gives an overlap pair to N annotators, keeps one verdict each and closes it after the N-th', () => {
    writeSettings(ctx.db, { overlapShare: 1, overlapAnnotators: 2 })
    const pair = queuePair(editIds[0]!, editIds[1]!)
    expect(pairsQ.getPair(ctx.db, pair)!.requiredVerdicts).toBe(2)
    const s = settings()
    const a = nextPair(ctx.db, ana, s, noSwap, { nowMs: T0 })!
    const b = nextPair(ctx.db, bob, s, fixedRandom([0.1]), { nowMs: T0 })!
    expect(b.pairId).toBe(pair)
    expect(nextPair(ctx.db, cy, s, noSwap, { nowMs: T0 })).toBeNull()
    submitVerdict(ctx.db, submitInput(a, ana), s, 'v', T0)
    expect(pairsQ.getPair(ctx.db, pair)!.status).toBe('queued')
    expect(failureOf(() => submitVerdict(ctx.db, submitInput(a, ana), s, 'v', T0))).toMatchObject({
      kind: 'conflict',
      field: 'pairId'
    })
    expect(nextPair(ctx.db, ana, s, noSwap, { nowMs: T0 })).toBeNull()
    submitVerdict(ctx.db, submitInput(b, bob, { verdict: 'tie', strength: null }), s, 'v', T0)
    expect(pairsQ.getPair(ctx.db, pair)!.status).toBe('judged')
    expect(verdictsQ.listVerdicts(ctx.db).map((v) => v.annotatorId)).toEqual([ana, bob])

    // Undo by one judge reopens the pair for that judge only.
    undoLastVerdict(ctx.db, bob, s, T0)
    expect(pairsQ.getPair(ctx.db, pair)!.status).toBe('queued')
    expect(nextPair(ctx.db, cy, s, noSwap, { nowMs: T0 })).toBeNull()
    expect(nextPair(ctx.db, bob, s, noSwap, { nowMs: T0 })!.pairId).toBe(pair)
  })

  it('makes exactly the configured share of new pairs overlap pairs; repeats never', () => {
    writeSettings(ctx.db, { overlapShare: 0.25, overlapAnnotators: 3 })
    const required = Array.from(
      { length: 20 },
      (_, i) => pairsQ.getPair(ctx.db, queuePair(editIds[i % 2]!, editIds[2 + (i % 2)]!))!.requiredVerdicts
    )
    expect(required.filter((r) => r === 3)).toHaveLength(5)
    expect(required.filter((r) => r === 1)).toHaveLength(15)
    const repeat = pairsQ.insertPair(ctx.db, {
      songId,
      editAId: editIds[1]!,
      editBId: editIds[0]!,
      priority: 0,
      repeat: { ofPairId: 1, annotatorId: ana }
    })
    expect(pairsQ.getPair(ctx.db, repeat)!.requiredVerdicts).toBe(1)
  })

  it("reports Krippendorff's alpha over overlap pairs beside self-consistency, oriented by the pair's edits", () => {
    writeSettings(ctx.db, { overlapShare: 1, overlapAnnotators: 2 })
    const pairs = [
      queuePair(editIds[0]!, editIds[1]!, 3),
      queuePair(editIds[2]!, editIds[3]!, 2),
      queuePair(editIds[0]!, editIds[2]!, 1)
    ]
    const s = settings()
    // Ana sees every pair straight, Bob every pair swapped: the same preferences read as opposite sides.
    const anaSays = [
      { verdict: 'a', strength: 2 },
      { verdict: 'tie', strength: null },
      { verdict: 'b', strength: 1 }
    ]
    const bobSays = [
      { verdict: 'b', strength: 2 },
      { verdict: 'tie', strength: null },
      { verdict: 'b', strength: 1 }
    ]
    for (let i = 0; i < 3; i++) {
      const a = nextPair(ctx.db, ana, s, noSwap, { nowMs: T0 })!
      const b = nextPair(ctx.db, bob, s, fixedRandom([0.1]), { nowMs: T0 })!
      expect([a.pairId, b.pairId]).toEqual([pairs[i], pairs[i]])
      submitVerdict(ctx.db, submitInput(a, ana, anaSays[i] as never), s, 'v', T0)
      submitVerdict(ctx.db, submitInput(b, bob, bobSays[i] as never), s, 'v', T0)
    }
    // Pair-oriented scores (-2 first edit much better ... +2 second edit much better): ana -2, 0, +1; bob -2, 0, -1.
    const expected = krippendorffAlpha(
      [
        [-2, -2],
        [0, 0],
        [1, -1]
      ],
      'ordinal'
    )
    const stats = annotatorStats(ctx.db, ana)
    expect(stats.overlapPairsJudged).toBe(3)
    expect(stats.interAnnotatorAlpha).toBeCloseTo(expected!, 12)
    expect(stats.interAnnotatorAlpha).toBeLessThan(1)
    expect(annotatorStats(ctx.db, bob).interAnnotatorAlpha).toBeCloseTo(expected!, 12)
    expect(annotatorStats(ctx.db, cy)).toMatchObject({ interAnnotatorAlpha: null, overlapPairsJudged: 0 })

    // A simulated annotator's verdicts never count towards people's agreement.
    ctx.db.prepare('UPDATE annotators SET simulated = 1 WHERE id = ?').run(bob)
    expect(annotatorStats(ctx.db, ana)).toMatchObject({ interAnnotatorAlpha: null, overlapPairsJudged: 0 })
  })
})
