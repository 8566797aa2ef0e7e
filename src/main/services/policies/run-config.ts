/** A training run's stored config: everything its job needs, fixed when the run starts (parsed, never cast). */
import { z } from 'zod'

const id = z.number().int().positive()

export const trainRunConfigSchema = z
  .object({
    algorithm: z.enum(['ppo', 'dpo']),
    /** PPO: environment steps; DPO: optimiser steps. */
    steps: z.number().int().positive(),
    preset: z.enum(['tiny', 'default']),
    seed: z.number().int().min(0),
    rewardWeight: z.number().min(0).max(1),
    rewardModelId: id.nullable(),
    parentPolicyId: id.nullable(),
    trainSongIds: z.array(id),
    heldOutSongIds: z.array(id),
    /** DPO: the verdicts trained on and those held out. */
    verdictIds: z.array(id),
    heldOutVerdictIds: z.array(id),
    targetDurationFraction: z.number().positive().max(4).nullable(),
    includeSimulated: z.boolean()
  })
  .strict()

export type TrainRunConfig = z.output<typeof trainRunConfigSchema>

/** The job's checkpoint: the state file of the last finished update. */
export const policyTrainCheckpointSchema = z
  .object({ runId: id, file: z.string().min(1).max(512), update: z.number().int().min(0) })
  .strict()

export const RUNS_DIR = 'runs'
export const runDir = (runId: number): string => `${RUNS_DIR}/run-${runId}`
