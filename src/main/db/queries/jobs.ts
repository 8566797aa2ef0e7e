import type { Db } from '../connection'
import type { JobState, JobSummary } from '../../../shared/domain'
import type { ErrorKind } from '../../../shared/result'

interface JobRow {
  id: number
  kind: string
  config: string
  state: JobState
  progress: number
  eta_s: number | null
  message: string | null
  metrics: string
  error: string | null
  error_kind: ErrorKind | null
  checkpoint: string | null
  result: string | null
  created_at: string
  started_at: string | null
  finished_at: string | null
}

/** A job row; config and checkpoint are stored JSON, parsed with the kind's schemas by the job runner. */
export interface JobRecord extends Omit<JobSummary, 'title'> {
  config: unknown
  checkpoint: unknown
  result: unknown
}

function toRecord(r: JobRow, resumableKinds: ReadonlySet<string>): JobRecord {
  return {
    id: r.id,
    kind: r.kind,
    state: r.state,
    progress: r.progress,
    etaS: r.eta_s,
    message: r.message,
    metrics: parseMetrics(r.metrics),
    error: r.error,
    errorKind: r.error_kind,
    resumable:
      resumableKinds.has(r.kind) && (r.state === 'interrupted' || r.state === 'cancelled' || r.state === 'failed'),
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    config: parseJson(r.config),
    checkpoint: r.checkpoint === null ? null : parseJson(r.checkpoint),
    result: r.result === null ? null : parseJson(r.result)
  }
}

/** Stored JSON; undefined for text that is not JSON, which every schema that reads it refuses. */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    return undefined
  }
}

/** Progress metrics are display figures: only finite numbers are kept. */
function parseMetrics(text: string): Record<string, number> {
  const raw = parseJson(text)
  const metrics: Record<string, number> = {}
  if (typeof raw === 'object' && raw !== null)
    for (const [k, v] of Object.entries(raw)) if (typeof v === 'number' && Number.isFinite(v)) metrics[k] = v
  return metrics
}

export function insertJob(db: Db, kind: string, config: unknown): number {
  const info = db
    .prepare(`INSERT INTO jobs (kind, config, state) VALUES (?, ?, 'queued')`)
    .run(kind, JSON.stringify(config))
  return Number(info.lastInsertRowid)
}

export function getJob(db: Db, id: number, resumableKinds: ReadonlySet<string>): JobRecord | undefined {
  const r = db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined
  return r && toRecord(r, resumableKinds)
}

export function listJobs(db: Db, resumableKinds: ReadonlySet<string>, limit = 200): JobRecord[] {
  return (db.prepare('SELECT * FROM jobs ORDER BY id DESC LIMIT ?').all(limit) as JobRow[]).map((r) =>
    toRecord(r, resumableKinds)
  )
}

export function markJobRunning(db: Db, id: number): void {
  db.prepare(
    `UPDATE jobs SET state = 'running', error = NULL, error_kind = NULL, finished_at = NULL,
       started_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id = ?`
  ).run(id)
}

export function updateJobProgress(
  db: Db,
  id: number,
  p: { progress: number; etaS: number | null; message: string | null; metrics: Record<string, number> }
): void {
  db.prepare('UPDATE jobs SET progress = ?, eta_s = ?, message = ?, metrics = ? WHERE id = ?').run(
    p.progress,
    p.etaS,
    p.message,
    JSON.stringify(p.metrics),
    id
  )
}

export function saveJobCheckpoint(db: Db, id: number, checkpoint: unknown): void {
  db.prepare('UPDATE jobs SET checkpoint = ? WHERE id = ?').run(JSON.stringify(checkpoint), id)
}

export function finishJob(
  db: Db,
  id: number,
  state: Extract<JobState, 'done' | 'failed' | 'cancelled'>,
  opts: { error?: string | null; errorKind?: ErrorKind | null; result?: unknown } = {}
): void {
  db.prepare(
    `UPDATE jobs SET state = ?, error = ?, error_kind = ?, result = ?, eta_s = NULL,
       progress = CASE WHEN ? = 'done' THEN 1 ELSE progress END,
       finished_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id = ?`
  ).run(
    state,
    opts.error ?? null,
    opts.errorKind ?? null,
    opts.result === undefined ? null : JSON.stringify(opts.result),
    state,
    id
  )
}

/** At start-up: whatever was running or queued when the app died is marked interrupted. Returns their ids. */
export function markInterruptedJobs(db: Db): number[] {
  const rows = db.prepare(`SELECT id FROM jobs WHERE state IN ('running','queued')`).all() as { id: number }[]
  db.prepare(
    `UPDATE jobs SET state = 'interrupted', eta_s = NULL, error = 'the app stopped while this job was running'
     WHERE state IN ('running','queued')`
  ).run()
  return rows.map((r) => r.id)
}

export function appendJobLog(db: Db, jobId: number, line: string): void {
  db.prepare('INSERT INTO job_logs (job_id, line) VALUES (?, ?)').run(jobId, line)
}

export function jobLog(db: Db, jobId: number): string[] {
  return (db.prepare('SELECT line FROM job_logs WHERE job_id = ? ORDER BY id').all(jobId) as { line: string }[]).map(
    (r) => r.line
  )
}
