/**
 * One simulated annotator in its own worker thread with its own database connection, as each serve-mode
 * or desktop client's requests would reach SQLite: asks for the next pair, gives a verdict at once, and
 * times every verdict commit (the durable synchronous=FULL transaction). Used by bench/verdicts.ts and
 * test/db/listen-concurrency.test.ts.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { z } from 'zod'
import { openDatabase } from '../src/main/db/connection'
import { readSettings } from '../src/main/db/queries/settings'
import { nextPair, submitVerdict } from '../src/main/services/listen'
import { requestSchemas } from '../src/shared/api'
import { mulberry32 } from '../src/shared/random'
import { AppFailure } from '../src/shared/result'

export const annotatorTaskSchema = z.object({
  dataDir: z.string(),
  annotatorId: z.number().int().positive(),
  seed: z.number().int(),
  /** Stop after this many verdicts even if pairs are left. */
  maxVerdicts: z.number().int().positive(),
  /** Mean pause before each pair (jittered 0.5-1.5x), as an annotator listening would take; 0 = none. */
  paceMs: z.number().min(0),
  /** [0] go, [1] workers ready: all workers wait for go so they start at the same moment. */
  startFlag: z.instanceof(SharedArrayBuffer)
})

export const annotatorReportSchema = z.object({
  annotatorId: z.number().int(),
  acknowledged: z.array(z.object({ verdictId: z.number().int(), pairId: z.number().int() })),
  conflicts: z.array(z.object({ pairId: z.number().int(), message: z.string() })),
  errors: z.array(z.string()),
  commitMs: z.array(z.number()),
  nextPairMs: z.array(z.number())
})
export type AnnotatorReport = z.infer<typeof annotatorReportSchema>

const VERDICTS = ['a', 'b', 'tie', 'both_bad', 'skip'] as const
const pause = new Int32Array(new SharedArrayBuffer(4))

function run(): AnnotatorReport {
  const task = annotatorTaskSchema.parse(workerData)
  const db = openDatabase(task.dataDir)
  const report: AnnotatorReport = {
    annotatorId: task.annotatorId,
    acknowledged: [],
    conflicts: [],
    errors: [],
    commitMs: [],
    nextPairMs: []
  }
  try {
    const settings = readSettings(db)
    const rnd = mulberry32(task.seed)
    const flag = new Int32Array(task.startFlag)
    Atomics.add(flag, 1, 1)
    Atomics.wait(flag, 0, 0)
    while (report.acknowledged.length < task.maxVerdicts) {
      if (task.paceMs > 0) Atomics.wait(pause, 0, 0, task.paceMs * (0.5 + rnd()))
      const n0 = performance.now()
      const p = nextPair(db, task.annotatorId, settings, { next: rnd })
      report.nextPairMs.push(performance.now() - n0)
      if (!p) break
      const verdict = VERDICTS[Math.floor(rnd() * VERDICTS.length)] as (typeof VERDICTS)[number]
      const input = requestSchemas['verdicts.submit'].parse({
        pairId: p.pairId,
        annotatorId: task.annotatorId,
        verdict,
        strength: verdict === 'a' || verdict === 'b' ? (rnd() < 0.5 ? 1 : 2) : null,
        shownAEditId: p.shownA.id,
        shownBEditId: p.shownB.id,
        listenedAMs: 60_000,
        listenedBMs: 60_000,
        switches: 4,
        decisionMs: 15_000
      })
      const t0 = performance.now()
      try {
        const v = submitVerdict(db, input, settings, 'bench')
        report.commitMs.push(performance.now() - t0)
        report.acknowledged.push({ verdictId: v.id, pairId: p.pairId })
      } catch (e) {
        if (e instanceof AppFailure && e.kind === 'conflict')
          report.conflicts.push({ pairId: p.pairId, message: e.message })
        else report.errors.push(e instanceof Error ? e.message : String(e))
        if (report.errors.length > 20) break
      }
    }
  } finally {
    db.close()
  }
  return report
}

parentPort?.postMessage(run())
