/**
 * `editorbot bench verdicts`: verdict commit latency under concurrent annotators, on a real data
 * directory (real disk, WAL, each verdict transaction at synchronous=FULL). Annotators give a verdict
 * every PACE_MS (jittered; a person needs seconds, so this is already dozens of times faster than ten
 * people), and once more without any pause to show the capacity. Two set-ups, each with one annotator
 * alone and ten at once on the same kind of queue:
 * - serve mode, as ten browsers would use it: one server in this process, ten HTTP clients; the figure
 *   is the verdicts.submit round trip, commit included (what an annotator waits for);
 * - ten separate connections (worker threads), the worst case for SQLite's write lock: the figure is
 *   the verdict transaction alone, lock wait included.
 * Prints p50/p99 and the ten-vs-one ratio, checks every acknowledged verdict is in the database after
 * reopening it, and flags a p99 over the target.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import { openDatabase } from '../src/main/db/connection'
import { writeSettings } from '../src/main/db/queries/settings'
import { insertAnnotator } from '../src/main/db/queries/annotators'
import { insertPair } from '../src/main/db/queries/pairs'
import { seedEdits, seedSong } from '../test/helpers/listen-fixtures'
import { createAppContext } from '../src/main/app/context'
import { startServer } from '../src/main/transports/http/serve'
import type { PairPresentation, VerdictRecord } from '../src/shared/domain'
import { annotatorReportSchema, type AnnotatorReport } from './verdicts-annotator'

/** p99 of one verdict commit with ten annotators at once, on the 2-core development machine. */
export const VERDICT_P99_TARGET_MS = 20
/** Mean pause between one annotator's verdicts in the paced rounds. */
export const PACE_MS = 250

const here = path.dirname(fileURLToPath(import.meta.url))
const BOOTSTRAP = path.join(here, '../src/main/workers/tsx-bootstrap.mjs')
const ANNOTATOR = pathToFileURL(path.join(here, 'verdicts-annotator.ts')).href

/** A data directory with `pairs` queued pairs of one song (settings as given) and `annotators` annotators. */
export function seedQueue(
  dataDir: string,
  opts: { pairs: number; annotators: number; overlapShare?: number; repeatEvery?: number }
): number[] {
  const db = openDatabase(dataDir)
  try {
    writeSettings(db, { overlapShare: opts.overlapShare ?? 0.1, repeatEvery: opts.repeatEvery ?? 20, mustListenS: 3 })
    const songId = seedSong(db)
    const edits = seedEdits(db, songId)
    db.transaction(() => {
      for (let i = 0; i < opts.pairs; i++) {
        const a = edits[i % edits.length] as number
        const b = edits[(i + 1 + (Math.floor(i / edits.length) % (edits.length - 1))) % edits.length] as number
        insertPair(db, { songId, editAId: a, editBId: b, priority: (i * 37) % 11 })
      }
    })()
    return Array.from({ length: opts.annotators }, (_, i) => insertAnnotator(db, `annotator ${i + 1}`).id)
  } finally {
    db.close()
  }
}

/** Runs one worker per annotator, released at the same moment; resolves with their reports. */
export async function runAnnotators(
  dataDir: string,
  annotatorIds: readonly number[],
  opts: { maxVerdicts?: number; paceMs?: number } = {}
): Promise<AnnotatorReport[]> {
  const maxVerdicts = opts.maxVerdicts ?? 1_000_000
  const paceMs = opts.paceMs ?? 0
  // [0]: go, [1]: workers ready. Each worker loads its modules, counts itself ready and waits for go.
  const startFlag = new SharedArrayBuffer(8)
  const flag = new Int32Array(startFlag)
  const workers = annotatorIds.map(
    (annotatorId, i) =>
      new Worker(BOOTSTRAP, {
        workerData: { __tsEntry: ANNOTATOR, dataDir, annotatorId, seed: 1000 + i, maxVerdicts, paceMs, startFlag }
      })
  )
  const reports = workers.map(
    (w) =>
      new Promise<AnnotatorReport>((resolve, reject) => {
        w.once('message', (m: unknown) => resolve(annotatorReportSchema.parse(m)))
        w.once('error', reject)
        w.once('exit', (code) => reject(new Error(`annotator worker exited with code ${code}`)))
      })
  )
  const failedEarly = Promise.race(reports).then(
    () => false,
    () => true
  )
  while (Atomics.load(flag, 1) < workers.length && !(await Promise.race([failedEarly, idle(20)]))) await idle(0)
  Atomics.store(flag, 0, 1)
  Atomics.notify(flag, 0)
  try {
    return await Promise.all(reports)
  } finally {
    await Promise.all(workers.map((w) => w.terminate()))
  }
}

const idle = (ms: number): Promise<false> => new Promise((r) => setTimeout(() => r(false), ms))

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const at = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[at] as number
}

interface RoundFigures {
  setup: 'serve' | 'connections'
  paceMs: number
  annotators: number
  verdicts: number
  conflicts: number
  errors: number
  commitP50Ms: number
  commitP99Ms: number
  nextPairP50Ms: number
  verdictsPerS: number
  lost: number
}

/** Ten (or one) HTTP clients against one serve-mode server in this process. */
async function serveClients(dir: string, ids: readonly number[], paceMs: number): Promise<AnnotatorReport[]> {
  const ctx = createAppContext({ dataDir: dir, recoverJobs: false })
  const webRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'editorbot-bench-web-'))
  const server = await startServer(ctx, { host: '127.0.0.1', port: 0, webRoot })
  const call = async <T>(
    name: string,
    input: unknown
  ): Promise<{ ok: boolean; value?: T; error?: { kind: string; message: string } }> => {
    const res = await fetch(`http://127.0.0.1:${server.port}/api/${name}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${server.token}` },
      body: JSON.stringify(input)
    })
    return (await res.json()) as never
  }
  const annotate = async (annotatorId: number, seed: number): Promise<AnnotatorReport> => {
    const report: AnnotatorReport = {
      annotatorId,
      acknowledged: [],
      conflicts: [],
      errors: [],
      commitMs: [],
      nextPairMs: []
    }
    let x = seed
    const rnd = (): number => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
    for (;;) {
      if (paceMs > 0) await idle(paceMs * (0.5 + rnd()))
      const n0 = performance.now()
      const next = await call<PairPresentation | null>('pairs.next', { annotatorId })
      report.nextPairMs.push(performance.now() - n0)
      if (!next.ok) {
        report.errors.push(next.error?.message ?? 'pairs.next failed')
        break
      }
      const p = next.value
      if (!p) break
      const verdict = (['a', 'b', 'tie', 'skip'] as const)[Math.floor(rnd() * 4)] as string
      const t0 = performance.now()
      const r = await call<VerdictRecord>('verdicts.submit', {
        pairId: p.pairId,
        annotatorId,
        verdict,
        shownAEditId: p.shownA.id,
        shownBEditId: p.shownB.id,
        listenedAMs: 60_000,
        listenedBMs: 60_000,
        switches: 4,
        decisionMs: 15_000
      })
      report.commitMs.push(performance.now() - t0)
      if (r.ok && r.value) report.acknowledged.push({ verdictId: r.value.id, pairId: p.pairId })
      else if (r.error?.kind === 'conflict') report.conflicts.push({ pairId: p.pairId, message: r.error.message })
      else report.errors.push(r.error?.message ?? 'verdicts.submit failed')
    }
    return report
  }
  try {
    return await Promise.all(ids.map((id, i) => annotate(id, 1000 + i)))
  } finally {
    await server.close()
    await ctx.close()
    fs.rmSync(webRoot, { recursive: true, force: true })
  }
}

async function round(
  setup: RoundFigures['setup'],
  annotators: number,
  pairs: number,
  paceMs: number
): Promise<RoundFigures> {
  // The system temp folder is on the same disk as a real data directory here; fsync cost is what is measured.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'editorbot-bench-verdicts-'))
  try {
    const ids = seedQueue(dir, { pairs, annotators })
    const t0 = performance.now()
    const reports = setup === 'serve' ? await serveClients(dir, ids, paceMs) : await runAnnotators(dir, ids, { paceMs })
    const wallS = (performance.now() - t0) / 1000
    const acked = reports.flatMap((r) => r.acknowledged)
    const db = openDatabase(dir)
    const stored = new Set(
      (db.prepare('SELECT id FROM verdicts WHERE superseded_at IS NULL').all() as { id: number }[]).map((r) => r.id)
    )
    db.close()
    const commits = reports.flatMap((r) => r.commitMs)
    return {
      setup,
      paceMs,
      annotators,
      verdicts: acked.length,
      conflicts: reports.reduce((s, r) => s + r.conflicts.length, 0),
      errors: reports.reduce((s, r) => s + r.errors.length, 0),
      commitP50Ms: percentile(commits, 50),
      commitP99Ms: percentile(commits, 99),
      nextPairP50Ms: percentile(
        reports.flatMap((r) => r.nextPairMs),
        50
      ),
      verdictsPerS: acked.length / wallS,
      lost: acked.filter((a) => !stored.has(a.verdictId)).length
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

export async function benchVerdicts(opts: {
  log: (line: string) => void
  quick?: boolean
}): Promise<Record<string, unknown>> {
  const { log } = opts
  const pairs = opts.quick ? 200 : 600
  log(
    `bench verdicts: ${pairs} queued pairs (10 % overlap pairs), a verdict every ~${PACE_MS} ms per annotator, then without pause; WAL + synchronous=FULL per verdict`
  )
  const show = (f: RoundFigures): string =>
    `${f.setup === 'serve' ? 'serve mode, submit round trip' : 'separate connections, commit'}, ${String(f.annotators).padStart(2)} annotator(s), ${f.paceMs > 0 ? 'paced' : 'no pause'}: ${f.verdicts} verdicts, p50 ${f.commitP50Ms.toFixed(2)} ms, p99 ${f.commitP99Ms.toFixed(2)} ms; pairs.next p50 ${f.nextPairP50Ms.toFixed(2)} ms; ${f.verdictsPerS.toFixed(0)} verdicts/s; ${f.conflicts} conflicts, ${f.errors} errors, ${f.lost} lost`
  const figures: Record<string, unknown> = { targetP99Ms: VERDICT_P99_TARGET_MS, paceMs: PACE_MS }
  for (const setup of ['serve', 'connections'] as const) {
    const alone = await round(setup, 1, Math.round(pairs / 10), PACE_MS)
    log(show(alone))
    const ten = await round(setup, 10, pairs, PACE_MS)
    log(show(ten))
    const saturated = await round(setup, 10, pairs, 0)
    log(show(saturated))
    const ratio = ten.commitP50Ms / alone.commitP50Ms
    const missed = ten.commitP99Ms >= VERDICT_P99_TARGET_MS
    log(
      `  ${missed ? 'MISSED' : 'met'}: p99 with 10 annotators ${ten.commitP99Ms.toFixed(2)} ms (target < ${VERDICT_P99_TARGET_MS} ms); p50 10 vs 1: x${ratio.toFixed(2)}`
    )
    for (const f of [ten, saturated])
      if (f.lost > 0 || f.errors > 0 || f.conflicts > 0)
        log(`  MISSED: ${f.lost} acknowledged verdicts lost, ${f.errors} errors, ${f.conflicts} conflicts`)
    figures[setup] = { alone, ten, saturated, p50Ratio: ratio, missedTarget: missed }
  }
  return figures
}
