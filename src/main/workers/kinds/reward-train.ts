import type { z } from 'zod'
import { openDatabase } from '../../db/connection'
import { initComputeBackend } from '../../engines/ml'
import { trainRewardModel } from '../../services/reward-models/train'
import type { TrainRewardResult } from '../../../shared/domain'
import type { JobContext } from '../job-context'
import type { rewardTrainCheckpoint, rewardTrainConfig } from './index'

/** Trains the next reward-model version; resumable from the checkpoint saved after every epoch. */
export async function runRewardTrain(
  ctx: JobContext<z.output<typeof rewardTrainConfig>, z.output<typeof rewardTrainCheckpoint>>
): Promise<TrainRewardResult> {
  const backend = await initComputeBackend({ log: (l) => ctx.log(l) })
  ctx.log(`training on ${backend.training}`)
  const db = openDatabase(ctx.dataDir)
  try {
    return await trainRewardModel(db, ctx.config, ctx.checkpoint, ctx.jobId, {
      progress: (f, message, metrics) => ctx.progress(f, message, metrics),
      log: (line) => ctx.log(line),
      saveState: (s) => ctx.saveCheckpoint(s),
      throwIfCancelled: () => ctx.throwIfCancelled()
    })
  } finally {
    db.close()
  }
}
