import { openDatabase, type Db } from '../../db/connection'
import { initComputeBackend } from '../../engines/ml'
import type { JobContext } from '../job-context'

/** The job's progress, log, checkpoint and cancel polling as the training services take them. */
export interface TrainingJobHooks<Checkpoint> {
  progress(fraction: number, message: string, metrics: Record<string, number>): void
  log(line: string): void
  saveState(state: Checkpoint): void
  throwIfCancelled(): void
}

/**
 * What every training runner does: picks the compute backend (and logs it), opens the database for
 * the run and closes it after, and hands the service the job's hooks.
 */
export async function runTrainingJob<Config, Checkpoint, Result>(
  ctx: JobContext<Config, Checkpoint>,
  train: (db: Db, trainingBackend: string, hooks: TrainingJobHooks<Checkpoint>) => Promise<Result>
): Promise<Result> {
  const backend = await initComputeBackend({ log: (l) => ctx.log(l) })
  ctx.log(`training on ${backend.training}`)
  const db = openDatabase(ctx.dataDir)
  try {
    return await train(db, backend.training, {
      progress: (f, message, metrics) => ctx.progress(f, message, metrics),
      log: (line) => ctx.log(line),
      saveState: (s) => ctx.saveCheckpoint(s),
      throwIfCancelled: () => ctx.throwIfCancelled()
    })
  } finally {
    db.close()
  }
}
