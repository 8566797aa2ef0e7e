import type { Worker } from 'node:worker_threads'
import type { Db } from '../../db/connection'
import * as jobs from '../../db/queries/jobs'
import type { EventBus } from '../../app/events'
import { fromWorkerSchema, type JobWorkerInit } from '../../workers/messages'
import { startWorker } from '../../workers/entry'
import {
  JOB_KINDS,
  jobKindEntry,
  RESUMABLE_JOB_KINDS,
  type JobConfigInput,
  type JobKind,
  type JobKindEntry
} from '../../workers/kinds'
import { AppFailure, type ErrorKind } from '../../../shared/result'
import type { JobSummary } from '../../../shared/domain'

interface Running {
  worker: Worker
  cancelFlag: Int32Array
  done: Promise<JobSummary>
}

/** How long a worker gets to stop by itself after a cancel before it is terminated. */
const CANCEL_GRACE_MS = 3000

/**
 * Runs jobs in worker threads, one row per job in the jobs table. Every state change is written to
 * SQLite before it is announced, so a crash leaves an accurate record (see markInterruptedJobs).
 */
export class JobRunner {
  private readonly running = new Map<number, Running>()

  constructor(
    private readonly db: Db,
    private readonly dataDir: string,
    private readonly events: EventBus,
    /** Lets jobs.start reach test-only kinds: set only for the e2e test server, via EDITORBOT_TEST_JOB_KINDS=1. */
    private readonly testKindsReachable = process.env.EDITORBOT_TEST_JOB_KINDS === '1'
  ) {}

  /** Called once at start-up: jobs that were running when the app died become 'interrupted'. */
  recoverInterrupted(): number[] {
    const ids = jobs.markInterruptedJobs(this.db)
    for (const id of ids) {
      const job = this.get(id)
      this.events.emit('job.state', {
        jobId: id,
        kind: job.kind,
        state: 'interrupted',
        error: job.error,
        errorKind: null
      })
    }
    return ids
  }

  list(): JobSummary[] {
    return jobs.listJobs(this.db, RESUMABLE_JOB_KINDS).map(toSummary)
  }

  get(id: number): JobSummary {
    const job = jobs.getJob(this.db, id, RESUMABLE_JOB_KINDS)
    if (!job) throw new AppFailure('not_found', `no job with id ${id}`, 'jobId')
    return toSummary(job)
  }

  /** Starts a job of any kind (the app's own use cases and tests); the config is parsed with the kind's schema. */
  start<K extends JobKind>(kind: K, config: JobConfigInput<K>): JobSummary {
    return this.startParsed(kind, JOB_KINDS[kind], config)
  }

  /**
   * jobs.start from a client: only kinds registered as startable by clients (test-only kinds when the
   * test server allows them); a config that does not fit the kind's schema is refused naming the field.
   */
  startRequested(kind: string, config: unknown): JobSummary {
    const entry = jobKindEntry(kind)
    if (!entry) throw new AppFailure('validation', `unknown job kind '${kind}'`, 'kind')
    const reachable = entry.startedBy === 'clients' || (entry.startedBy === 'tests' && this.testKindsReachable)
    if (!reachable)
      throw new AppFailure(
        'forbidden',
        entry.startedBy === 'tests'
          ? `job kind '${kind}' exists for tests only and cannot be started through the API`
          : `job kind '${kind}' is started by the app itself, not through jobs.start`,
        'kind'
      )
    return this.startParsed(kind, entry, config)
  }

  private startParsed(kind: string, entry: JobKindEntry, rawConfig: unknown): JobSummary {
    const config = entry.parseConfig(rawConfig)
    const id = jobs.insertJob(this.db, kind, config)
    this.launch(id, kind, entry, config, null)
    return this.get(id)
  }

  resume(id: number): JobSummary {
    const job = jobs.getJob(this.db, id, RESUMABLE_JOB_KINDS)
    if (!job) throw new AppFailure('not_found', `no job with id ${id}`, 'jobId')
    if (!job.resumable)
      throw new AppFailure(
        'conflict',
        RESUMABLE_JOB_KINDS.has(job.kind)
          ? `job ${id} is ${job.state}; only interrupted, cancelled or failed jobs can be resumed`
          : `jobs of kind '${job.kind}' cannot be resumed`,
        'jobId'
      )
    const entry = jobKindEntry(job.kind)
    if (!entry)
      throw new AppFailure('unsupported', `job ${id} has a kind this app does not know: '${job.kind}'`, 'jobId')
    const stored = (what: string, parse: () => unknown): unknown => {
      try {
        return parse()
      } catch (e) {
        const detail = e instanceof Error ? e.message : String(e)
        throw new AppFailure(
          'corrupt',
          `job ${id}'s stored ${what} does not fit its kind (${detail}); start a new job instead`,
          'jobId'
        )
      }
    }
    const config = stored('config', () => entry.parseConfig(job.config))
    const checkpoint = stored('checkpoint', () => entry.parseCheckpoint(job.checkpoint))
    this.launch(id, job.kind, entry, config, checkpoint)
    return this.get(id)
  }

  cancel(id: number): JobSummary {
    const run = this.running.get(id)
    if (!run) {
      const job = this.get(id)
      throw new AppFailure('conflict', `job ${id} is not running (it is ${job.state})`, 'jobId')
    }
    Atomics.store(run.cancelFlag, 0, 1)
    const timer = setTimeout(() => void run.worker.terminate(), CANCEL_GRACE_MS)
    void run.done.finally(() => clearTimeout(timer))
    return this.get(id)
  }

  /** Resolves when the job reaches a final state. */
  async wait(id: number): Promise<JobSummary> {
    const run = this.running.get(id)
    return run ? run.done : this.get(id)
  }

  isRunning(id: number): boolean {
    return this.running.has(id)
  }

  /** Cancels every running job and waits for them (app quit). */
  async shutdown(): Promise<void> {
    const all = [...this.running.entries()]
    for (const [id] of all) this.cancel(id)
    await Promise.allSettled(all.map(([, r]) => r.done))
  }

  private launch(id: number, kind: string, entry: JobKindEntry, config: unknown, checkpoint: unknown): void {
    jobs.markJobRunning(this.db, id)
    this.events.emit('job.state', { jobId: id, kind, state: 'running', error: null, errorKind: null })
    const cancelFlag = new SharedArrayBuffer(4)
    const init: JobWorkerInit = { jobId: id, kind, config, checkpoint, dataDir: this.dataDir }
    const worker = startWorker('job-worker', { workerData: { init, cancelFlag } })
    let settle: (s: JobSummary) => void = () => {}
    const done = new Promise<JobSummary>((resolve) => (settle = resolve))
    const run: Running = { worker, cancelFlag: new Int32Array(cancelFlag), done }
    this.running.set(id, run)
    let finished = false

    type Outcome =
      | { state: 'done'; result: unknown }
      | { state: 'cancelled' }
      | { state: 'failed'; error: string; errorKind: ErrorKind }
    const finish = (outcome: Outcome): void => {
      if (finished) return
      finished = true
      this.running.delete(id)
      const error =
        outcome.state === 'failed'
          ? { error: outcome.error, errorKind: outcome.errorKind }
          : outcome.state === 'cancelled'
            ? { error: 'cancelled by the user', errorKind: 'cancelled' as const }
            : { error: null, errorKind: null }
      jobs.finishJob(this.db, id, outcome.state, {
        ...error,
        result: outcome.state === 'done' ? outcome.result : undefined
      })
      this.events.emit('job.state', { jobId: id, kind, state: outcome.state, ...error })
      settle(this.get(id))
    }
    const failAndStop = (message: string): void => {
      finish({ state: 'failed', error: message, errorKind: 'internal' })
      void worker.terminate()
    }

    worker.on('message', (raw: unknown) => {
      const parsed = fromWorkerSchema.safeParse(raw)
      if (!parsed.success) {
        const issue = parsed.error.issues[0]
        failAndStop(`the job worker sent an invalid message (${issue?.path.join('.') ?? ''}: ${issue?.message ?? ''})`)
        return
      }
      const m = parsed.data
      switch (m.type) {
        case 'progress':
          jobs.updateJobProgress(this.db, id, m)
          this.events.emit('job.progress', { jobId: id, kind, ...m })
          break
        case 'log':
          jobs.appendJobLog(this.db, id, m.line)
          this.events.emit('job.log', { jobId: id, line: m.line })
          break
        case 'checkpoint':
          try {
            jobs.saveJobCheckpoint(this.db, id, entry.parseCheckpoint(m.data, 'internal'))
          } catch (e) {
            failAndStop(
              `the job sent a checkpoint that does not fit its kind: ${e instanceof Error ? e.message : String(e)}`
            )
          }
          break
        case 'event':
          this.events.emit('songs.changed', { songIds: m.songIds })
          break
        case 'done':
          finish({ state: 'done', result: m.result })
          break
        case 'cancelled':
          finish({ state: 'cancelled' })
          break
        case 'error':
          finish({ state: 'failed', error: m.error.message, errorKind: m.error.kind })
          break
      }
    })
    worker.on('error', (e) => finish({ state: 'failed', error: e.message, errorKind: 'internal' }))
    worker.on('exit', (code) => {
      if (Atomics.load(run.cancelFlag, 0) === 1) finish({ state: 'cancelled' })
      else finish({ state: 'failed', error: `worker stopped unexpectedly (exit code ${code})`, errorKind: 'internal' })
    })
  }
}

function toSummary(j: jobs.JobRecord): JobSummary {
  return {
    id: j.id,
    kind: j.kind,
    title: jobTitle(j.kind),
    state: j.state,
    progress: j.progress,
    etaS: j.etaS,
    message: j.message,
    metrics: j.metrics,
    error: j.error,
    errorKind: j.errorKind,
    resumable: j.resumable,
    createdAt: j.createdAt,
    startedAt: j.startedAt,
    finishedAt: j.finishedAt
  }
}

const jobTitle = (kind: string): string => jobKindEntry(kind)?.title ?? kind
