import type { Worker } from 'node:worker_threads'
import type { Db } from '../../db/connection'
import * as jobs from '../../db/queries/jobs'
import type { EventBus } from '../../app/events'
import type { FromWorker, JobWorkerInit } from '../../workers/messages'
import { startWorker } from '../../workers/entry'
import { AppFailure } from '../../../shared/result'
import type { JobSummary } from '../../../shared/domain'
import { isJobKind, JOB_KINDS, RESUMABLE_JOB_KINDS } from './kinds'

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
    private readonly events: EventBus
  ) {}

  /** Called once at start-up: jobs that were running when the app died become 'interrupted'. */
  recoverInterrupted(): number[] {
    const ids = jobs.markInterruptedJobs(this.db)
    for (const id of ids) {
      const job = this.get(id)
      this.events.emit('job.state', { jobId: id, kind: job.kind, state: 'interrupted', error: job.error })
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

  start(kind: string, config: Record<string, unknown>): JobSummary {
    if (!isJobKind(kind)) throw new AppFailure('validation', `unknown job kind '${kind}'`, 'kind')
    const id = jobs.insertJob(this.db, kind, config)
    this.launch(id, kind, config, null)
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
    this.launch(id, job.kind, job.config, job.checkpoint)
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

  private launch(id: number, kind: string, config: Record<string, unknown>, checkpoint: unknown): void {
    jobs.markJobRunning(this.db, id)
    this.events.emit('job.state', { jobId: id, kind, state: 'running', error: null })
    const cancelFlag = new SharedArrayBuffer(4)
    const init: JobWorkerInit = { jobId: id, kind, config, checkpoint, dataDir: this.dataDir }
    const worker = startWorker('job-worker', { workerData: { init, cancelFlag } })
    let settle: (s: JobSummary) => void = () => {}
    const done = new Promise<JobSummary>((resolve) => (settle = resolve))
    const entry: Running = { worker, cancelFlag: new Int32Array(cancelFlag), done }
    this.running.set(id, entry)
    let finished = false

    const finish = (state: 'done' | 'failed' | 'cancelled', opts: { error?: string; result?: unknown }): void => {
      if (finished) return
      finished = true
      this.running.delete(id)
      jobs.finishJob(this.db, id, state, opts)
      this.events.emit('job.state', { jobId: id, kind, state, error: opts.error ?? null })
      settle(this.get(id))
    }

    worker.on('message', (m: FromWorker) => {
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
          jobs.saveJobCheckpoint(this.db, id, m.data)
          break
        case 'event':
          this.events.emit('songs.changed', { songIds: m.songIds })
          break
        case 'done':
          finish('done', { result: m.result })
          break
        case 'cancelled':
          finish('cancelled', { error: 'cancelled by the user' })
          break
        case 'error':
          finish('failed', { error: m.message })
          break
      }
    })
    worker.on('error', (e) => finish('failed', { error: e.message }))
    worker.on('exit', (code) => {
      if (Atomics.load(entry.cancelFlag, 0) === 1) finish('cancelled', { error: 'cancelled by the user' })
      else finish('failed', { error: `worker stopped unexpectedly (exit code ${code})` })
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
    resumable: j.resumable,
    createdAt: j.createdAt,
    startedAt: j.startedAt,
    finishedAt: j.finishedAt
  }
}

const jobTitle = (kind: string): string => (isJobKind(kind) ? JOB_KINDS[kind].title : kind)
