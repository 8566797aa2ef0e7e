import type { z } from 'zod'
import { runIteration, type IterationRunResult } from '../../services/iterations/run'
import type { JobContext } from '../job-context'
import type { iterationRunCheckpoint, iterationRunConfig } from './index'
import { runTrainingJob } from './training-job'

/** One iteration of the loop; resumes at the stage it was in (services/iterations/run.ts). */
export async function runIterationJob(
  ctx: JobContext<z.output<typeof iterationRunConfig>, z.output<typeof iterationRunCheckpoint>>
): Promise<IterationRunResult> {
  return runTrainingJob(ctx, (db, backend, hooks) =>
    runIteration(db, ctx.dataDir, ctx.config.iterationId, ctx.jobId, ctx.checkpoint, backend, hooks)
  )
}
