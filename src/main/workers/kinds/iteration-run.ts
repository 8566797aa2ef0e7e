import type { z } from 'zod'
import { openDatabase } from '../../db/connection'
import { initComputeBackend } from '../../engines/ml'
import { runIteration, type IterationRunResult } from '../../services/iterations/run'
import type { JobContext } from '../job-context'
import type { iterationRunCheckpoint, iterationRunConfig } from './index'

/** One iteration of the loop; resumes at the stage it was in (services/iterations/run.ts). */
export async function runIterationJob(
  ctx: JobContext<z.output<typeof iterationRunConfig>, z.output<typeof iterationRunCheckpoint>>
): Promise<IterationRunResult> {
  const backend = await initComputeBackend({ log: (l) => ctx.log(l) })
  ctx.log(`training on ${backend.training}`)
  const db = openDatabase(ctx.dataDir)
  try {
    return await runIteration(db, ctx.dataDir, ctx.config.iterationId, ctx.jobId, ctx.checkpoint, backend.training, {
      progress: (f, message, metrics) => ctx.progress(f, message, metrics),
      log: (line) => ctx.log(line),
      saveState: (s) => ctx.saveCheckpoint(s),
      throwIfCancelled: () => ctx.throwIfCancelled()
    })
  } finally {
    db.close()
  }
}
