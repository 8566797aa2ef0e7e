import type { FromWorker } from './messages'

/**
 * What a job kind's code sees: its parsed config and checkpoint (typed by the kind's schemas in
 * kinds/index.ts), progress, log, checkpoint, and polling for cancellation.
 */
export interface JobContext<Config, Checkpoint> {
  readonly jobId: number
  readonly dataDir: string
  readonly config: Config
  /** The checkpoint an earlier run saved, when resuming; null on a fresh start. */
  readonly checkpoint: Checkpoint | null
  progress(fraction: number, message?: string | null, metrics?: Record<string, number>): void
  log(line: string): void
  saveCheckpoint(data: Checkpoint): void
  songsChanged(songIds: number[]): void
  /** True once cancel was requested; long loops check it between steps. */
  readonly cancelled: boolean
  /** Throws JobCancelled when cancel was requested. */
  throwIfCancelled(): void
}

export class JobCancelled extends Error {
  constructor() {
    super('cancelled')
    this.name = 'JobCancelled'
  }
}

/** Progress messages are rate-limited so a tight loop cannot flood the main thread. */
export function createJobContext<Config, Checkpoint>(
  init: { jobId: number; dataDir: string; config: Config; checkpoint: Checkpoint | null },
  post: (m: FromWorker) => void,
  isCancelled: () => boolean,
  minIntervalMs = 100
): JobContext<Config, Checkpoint> {
  const startedAt = Date.now()
  let lastPost = 0
  return {
    jobId: init.jobId,
    dataDir: init.dataDir,
    config: init.config,
    checkpoint: init.checkpoint,
    progress(fraction, message = null, metrics = {}) {
      const now = Date.now()
      if (now - lastPost < minIntervalMs && fraction < 1) return
      lastPost = now
      const elapsed = (now - startedAt) / 1000
      const etaS = fraction > 0.001 && fraction < 1 ? (elapsed * (1 - fraction)) / fraction : null
      post({ type: 'progress', progress: Math.min(1, Math.max(0, fraction)), etaS, message, metrics })
    },
    log: (line) => post({ type: 'log', line }),
    saveCheckpoint: (data) => post({ type: 'checkpoint', data }),
    songsChanged: (songIds) => post({ type: 'event', event: 'songs.changed', songIds }),
    get cancelled() {
      return isCancelled()
    },
    throwIfCancelled() {
      if (isCancelled()) throw new JobCancelled()
    }
  }
}
