/**
 * Messages between the main side and a job worker thread. Both directions are parsed with these
 * schemas (structured clone carries whatever the other side posted, so it is outside input too).
 */
import { z } from 'zod'
import { appErrorSchema } from '../../shared/result'

export const jobWorkerInitSchema = z.object({
  jobId: z.number().int().positive(),
  kind: z.string(),
  /** Parsed with the kind's own schemas in the worker (src/main/workers/kinds/index.ts). */
  config: z.unknown(),
  /** Checkpoint saved by an earlier run of this job when resuming, else null. */
  checkpoint: z.unknown(),
  dataDir: z.string().min(1)
})
export type JobWorkerInit = z.infer<typeof jobWorkerInitSchema>

export const jobWorkerDataSchema = z.object({
  init: jobWorkerInitSchema,
  cancelFlag: z.instanceof(SharedArrayBuffer)
})

export const fromWorkerSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('progress'),
    progress: z.number().min(0).max(1),
    etaS: z.number().min(0).nullable(),
    message: z.string().nullable(),
    metrics: z.record(z.string(), z.number())
  }),
  z.object({ type: z.literal('log'), line: z.string() }),
  /** Parsed with the job kind's checkpoint schema before it is stored. */
  z.object({ type: z.literal('checkpoint'), data: z.unknown() }),
  z.object({
    type: z.literal('event'),
    event: z.literal('songs.changed'),
    songIds: z.array(z.number().int().positive())
  }),
  z.object({ type: z.literal('done'), result: z.unknown() }),
  z.object({ type: z.literal('cancelled') }),
  z.object({ type: z.literal('error'), error: appErrorSchema })
])
export type FromWorker = z.infer<typeof fromWorkerSchema>
