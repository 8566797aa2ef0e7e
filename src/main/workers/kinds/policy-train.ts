import type { z } from 'zod'
import { openDatabase } from '../../db/connection'
import { initComputeBackend } from '../../engines/ml'
import { runPolicyTraining, type PolicyTrainResult } from '../../services/policies/train-run'
import type { JobContext } from '../job-context'
import type { policyTrainConfig } from './index'
import type { policyTrainCheckpointSchema } from '../../services/policies/run-config'

/** One policy-training run; resumable from the state file saved after every update. */
export async function runPolicyTrain(
  ctx: JobContext<z.output<typeof policyTrainConfig>, z.output<typeof policyTrainCheckpointSchema>>
): Promise<PolicyTrainResult> {
  const backend = await initComputeBackend({ log: (l) => ctx.log(l) })
  ctx.log(`training on ${backend.training}`)
  const db = openDatabase(ctx.dataDir)
  try {
    return await runPolicyTraining(db, ctx.dataDir, ctx.config.runId, ctx.checkpoint, backend.training, {
      progress: (f, message, metrics) => ctx.progress(f, message, metrics),
      log: (line) => ctx.log(line),
      saveState: (s) => ctx.saveCheckpoint(s),
      throwIfCancelled: () => ctx.throwIfCancelled()
    })
  } finally {
    db.close()
  }
}
