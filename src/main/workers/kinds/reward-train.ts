import type { z } from 'zod'
import { trainRewardModel } from '../../services/reward-models/train'
import type { TrainRewardResult } from '../../../shared/domain'
import type { JobContext } from '../job-context'
import type { rewardTrainCheckpoint, rewardTrainConfig } from './index'
import { runTrainingJob } from './training-job'

/** Trains the next reward-model version; resumable from the checkpoint saved after every epoch. */
export async function runRewardTrain(
  ctx: JobContext<z.output<typeof rewardTrainConfig>, z.output<typeof rewardTrainCheckpoint>>
): Promise<TrainRewardResult> {
  return runTrainingJob(ctx, (db, _backend, hooks) =>
    trainRewardModel(db, ctx.config, ctx.checkpoint, ctx.jobId, hooks)
  )
}
