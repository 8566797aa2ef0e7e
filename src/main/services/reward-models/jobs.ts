/** Starting and resuming 'reward.train' jobs (the job runner owns the worker; the run is services/reward-models/train.ts). */
import { z } from 'zod'
import type { Db } from '../../db/connection'
import { jobResultJson, rewardMetricsSchema } from '../../db/queries/reward-models'
import type { JobRunner } from '../jobs/job-runner'
import type { JobSummary, TrainRewardResult } from '../../../shared/domain'
import { AppFailure } from '../../../shared/result'
import type { TrainRequest } from './train'

export function startRewardTraining(jobs: JobRunner, req: TrainRequest): JobSummary {
  return jobs.start('reward.train', req)
}

export function resumeRewardTraining(jobs: JobRunner, jobId: number): JobSummary {
  const job = jobs.get(jobId)
  if (job.kind !== 'reward.train')
    throw new AppFailure('validation', `job ${jobId} is a '${job.kind}' job, not a reward training job`, 'jobId')
  return jobs.resume(jobId)
}

const epochSchema = z.object({
  phase: z.enum(['distill', 'train']),
  member: z.number(),
  epoch: z.number(),
  trainLoss: z.number(),
  trainAccuracy: z.number(),
  valLoss: z.number().nullable(),
  valAccuracy: z.number().nullable(),
  seconds: z.number()
})
const trainResultSchema = z.object({
  name: z.string(),
  parent: z.string().nullable(),
  verdictsUsed: z.number(),
  heldOutPairs: z.number(),
  metrics: rewardMetricsSchema.nullable(),
  parentMetrics: rewardMetricsSchema.nullable(),
  activated: z.boolean(),
  activationNote: z.string().nullable(),
  start: z.enum(['fresh', 'warm', 'distilled']),
  distillation: z.object({ correlation: z.number(), rmse: z.number(), edits: z.number() }).nullable(),
  epochs: z.array(epochSchema),
  secondsPerEpoch: z.number()
})

/** The result of a finished 'reward.train' job, parsed (stored JSON is never cast). */
export function rewardTrainingResult(db: Db, jobId: number): TrainRewardResult {
  const row = jobResultJson(db, jobId)
  if (!row) throw new AppFailure('not_found', `no job with id ${jobId}`, 'jobId')
  if (row.kind !== 'reward.train')
    throw new AppFailure('validation', `job ${jobId} is a '${row.kind}' job, not a reward training job`, 'jobId')
  if (row.result === null) throw new AppFailure('conflict', `job ${jobId} has not finished`, 'jobId')
  let raw: unknown
  try {
    raw = JSON.parse(row.result)
  } catch {
    throw new AppFailure('corrupt', `job ${jobId}: stored result is not JSON`, 'jobId')
  }
  const parsed = trainResultSchema.safeParse(raw)
  if (!parsed.success) throw new AppFailure('corrupt', `job ${jobId}: stored result is malformed`, 'jobId')
  return parsed.data
}
