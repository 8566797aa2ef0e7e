import type { z } from 'zod'
import { runPolicyTraining, type PolicyTrainResult } from '../../services/policies/train-run'
import type { JobContext } from '../job-context'
import type { policyTrainConfig } from './index'
import type { policyTrainCheckpointSchema } from '../../services/policies/run-config'
import { runTrainingJob } from './training-job'

/** One policy-training run; resumable from the state file saved after every update. */
export async function runPolicyTrain(
  ctx: JobContext<z.output<typeof policyTrainConfig>, z.output<typeof policyTrainCheckpointSchema>>
): Promise<PolicyTrainResult> {
  return runTrainingJob(ctx, (db, backend, hooks) =>
    runPolicyTraining(db, ctx.dataDir, ctx.config.runId, ctx.checkpoint, backend, hooks)
  )
}
