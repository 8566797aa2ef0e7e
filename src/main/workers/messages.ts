/** Typed messages between the main side and a job worker thread. */
export interface JobWorkerInit {
  jobId: number
  kind: string
  config: Record<string, unknown>
  /** Checkpoint saved by an earlier run of this job, when resuming. */
  checkpoint: unknown
  dataDir: string
}

export type ToWorker = { type: 'cancel' }

export type FromWorker =
  | { type: 'progress'; progress: number; etaS: number | null; message: string | null; metrics: Record<string, number> }
  | { type: 'log'; line: string }
  | { type: 'checkpoint'; data: unknown }
  | { type: 'event'; event: 'songs.changed'; songIds: number[] }
  | { type: 'done'; result: unknown }
  | { type: 'cancelled' }
  | { type: 'error'; message: string }
