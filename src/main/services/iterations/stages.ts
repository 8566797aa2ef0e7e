/**
 * The one place iterations reach into the reward-model and policy services: everything the loop
 * orchestrates (train vN+1, create and run a policy-training run, generate with a policy, score with a
 * version) goes through these thin wrappers, so a change there touches this file only.
 */
import type { Db } from '../../db/connection'
import * as rmQ from '../../db/queries/reward-models'
import * as policiesQ from '../../db/queries/policies'
import { listSongs } from '../../db/queries/songs'
import { requestSchemas } from '../../../shared/api'
import { AppFailure } from '../../../shared/result'
import type { PolicySummary } from '../../../shared/domain'
import type { SongStructure } from '../../engines/edits'
import { trainRewardModel, type TrainHooks, type TrainJobState } from '../reward-models/train'
import { heldOutSongs, labelledPairs, verdictsHash, type LabelledPair } from '../reward-models/dataset'
import { getActiveRewardModel, toActive, type ActiveRewardModel } from '../reward-models/registry'
import { runPolicyTraining, type TrainRunHooks } from '../policies/train-run'
import { splitSongs } from '../policies/training'
import { policyActions } from '../policies/generate'
import type { TrainRunConfig } from '../policies/run-config'

export { labelledPairs, verdictsHash, getActiveRewardModel, type LabelledPair, type ActiveRewardModel }
export type { TrainJobState as RewardStageState }

export function readySongIds(db: Db): number[] {
  return listSongs(db)
    .filter((s) => s.status === 'ready')
    .map((s) => s.id)
}

/** Policy training's split of the ready songs (training / held out), the same one its runs use. */
export function policySongSplit(db: Db): { train: number[]; heldOut: number[] } {
  return splitSongs(readySongIds(db))
}

/** The reward-model version that plays "vN" for the next iteration: the active one. */
export function activeRewardModelRow(db: Db): rmQ.StoredRewardModel | null {
  return rmQ.getActiveRewardModelRow(db) ?? null
}

export function rewardModelById(db: Db, id: number): rmQ.StoredRewardModel | null {
  return rmQ.getRewardModel(db, id) ?? null
}

export function activeOf(db: Db, v: rmQ.StoredRewardModel): ActiveRewardModel {
  return toActive(db, v)
}

/** A version that an (interrupted) iteration job registered before it could record it. */
export function rewardModelOfJob(db: Db, jobId: number): rmQ.StoredRewardModel | null {
  return rmQ.listRewardModels(db).find((m) => m.jobId === jobId) ?? null
}

export function policyById(db: Db, id: number): PolicySummary | null {
  return policiesQ.getPolicy(db, id)
}

/** Trainable policies (the app's MLP), newest first. */
export function trainablePolicies(db: Db): PolicySummary[] {
  return policiesQ
    .listPolicies(db)
    .filter((p) => p.sizes !== null)
    .reverse()
}

/**
 * Trains vN+1 on exactly the snapshot's verdicts: the reward trainer is handed a state that fixes the
 * labels, the parent and the held-out songs (its resume path), so later verdicts never leak in.
 */
export async function trainRewardStage(
  db: Db,
  opts: {
    verdictIds: readonly number[]
    parentId: number | null
    preset: 'tiny' | 'default'
    epochs: number
    ensemble: number
    seed: number
    activateIfWorse: boolean
  },
  resumeFrom: TrainJobState | null,
  jobId: number,
  hooks: TrainHooks
): Promise<{ id: number; name: string; activated: boolean; activationNote: string | null }> {
  const labels = labelledPairs(db, { includeSimulated: true, verdictIds: opts.verdictIds })
  const state: TrainJobState = resumeFrom ?? {
    verdictIds: labels.map((l) => l.verdictId),
    parentId: opts.parentId,
    heldOutSongIds: [
      ...heldOutSongs(
        db,
        labels.map((l) => l.songId)
      )
    ].sort((a, b) => a - b),
    file: null,
    epochsDone: 0
  }
  if (!resumeFrom) hooks.saveState(state)
  const req = requestSchemas['rewardModels.train'].parse({
    epochs: opts.epochs,
    seed: opts.seed,
    config: opts.preset,
    ensemble: opts.ensemble,
    includeSimulated: true,
    activate: opts.activateIfWorse ? 'always' : 'auto'
  })
  const result = await trainRewardModel(db, req, state, jobId, hooks)
  const row = rmQ.getRewardModelByName(db, result.name)
  if (!row) throw new AppFailure('internal', `reward model ${result.name} was trained but is not registered`)
  return { id: row.id, name: row.name, activated: result.activated, activationNote: result.activationNote }
}

/** Creates the policy stage's training run (the iteration's job trains it, so the run points at that job). */
export function createPolicyRun(
  db: Db,
  opts: {
    algorithm: 'ppo' | 'dpo'
    steps: number
    preset: 'tiny' | 'default'
    seed: number
    rewardWeight: number
    rewardModelId: number | null
    parentPolicyId: number | null
    verdictIds: readonly number[]
    includeSimulated: boolean
    jobId: number
  }
): number {
  const { train, heldOut } = policySongSplit(db)
  const decisive =
    opts.algorithm === 'dpo'
      ? labelledPairs(db, { includeSimulated: true, verdictIds: opts.verdictIds }).filter((p) => !p.tie)
      : []
  const rewardModelId = opts.algorithm === 'ppo' ? opts.rewardModelId : null
  const config: TrainRunConfig = {
    algorithm: opts.algorithm,
    steps: opts.steps,
    preset: opts.preset,
    seed: opts.seed,
    rewardWeight: opts.rewardWeight,
    rewardModelId,
    parentPolicyId: opts.parentPolicyId,
    trainSongIds: train,
    heldOutSongIds: heldOut,
    verdictIds: decisive.filter((p) => !heldOut.includes(p.songId)).map((p) => p.verdictId),
    heldOutVerdictIds: decisive.filter((p) => heldOut.includes(p.songId)).map((p) => p.verdictId),
    targetDurationFraction: null,
    includeSimulated: opts.includeSimulated
  }
  const runId = policiesQ.insertRun(db, {
    algorithm: opts.algorithm,
    config,
    parentPolicyId: opts.parentPolicyId,
    rewardModelId,
    rewardWeight: rewardModelId !== null ? opts.rewardWeight : null
  })
  policiesQ.setRunJob(db, runId, opts.jobId)
  return runId
}

export function runHeldOutSongs(db: Db, runId: number): number[] {
  const run = policiesQ.getRun(db, runId)
  const ids = run?.config.heldOutSongIds
  return Array.isArray(ids) ? ids.filter((x): x is number => typeof x === 'number') : []
}

export function runFinalMetrics(db: Db, runId: number): { policyId: number | null; metrics: Record<string, number> } {
  const run = policiesQ.getRun(db, runId)
  return { policyId: run?.policyId ?? null, metrics: run?.lastMetrics ?? {} }
}

export async function trainPolicyStage(
  db: Db,
  dataDir: string,
  runId: number,
  checkpoint: { file: string; update: number } | null,
  backend: string,
  hooks: TrainRunHooks
): Promise<{ policyId: number }> {
  const r = await runPolicyTraining(db, dataDir, runId, checkpoint, backend, hooks)
  return { policyId: r.policyId }
}

/** A policy's actions for a song (sampled with the seed, or greedy), without storing an edit. */
export function actionsOfPolicy(
  db: Db,
  policyId: number,
  songId: number,
  structure: SongStructure,
  opts: { seed: number; greedy?: boolean }
): number[] {
  return policyActions(db, policyId, songId, structure, opts).actions
}
