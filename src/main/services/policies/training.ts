/**
 * Starting, resuming and reading policy-training runs (main side). A run fixes its songs (training and
 * held-out), its pairs (DPO), reward-model version and parent at start; the 'policy.train' job does the
 * work (train-run.ts) and can resume from its last checkpoint.
 */
import fs from 'node:fs'
import path from 'node:path'
import { z } from 'zod'
import type { Db } from '../../db/connection'
import * as policiesQ from '../../db/queries/policies'
import { listSongs } from '../../db/queries/songs'
import type { JobRunner } from '../jobs/job-runner'
import { AppFailure } from '../../../shared/result'
import type { ParsedInput } from '../../../shared/api'
import type { TrainingRunSummary } from '../../../shared/domain'
import { getActiveRewardModel, rewardModelOrFail } from '../reward-models/registry'
import { labelledPairs } from '../reward-models/dataset'
import { policyByNameOrFail } from './registry'
import type { TrainRunConfig } from './run-config'

/** Every HELD_OUT_EVERY-th ready song (by id) is held out, so evaluation uses songs never trained on. */
const HELD_OUT_EVERY = 4

export function splitSongs(songIds: readonly number[]): { train: number[]; heldOut: number[] } {
  const sorted = [...songIds].sort((a, b) => a - b)
  if (sorted.length < 2) return { train: sorted, heldOut: [] }
  const heldOut = sorted.filter((_, i) => i % HELD_OUT_EVERY === HELD_OUT_EVERY - 1)
  if (heldOut.length === 0) heldOut.push(sorted[sorted.length - 1]!)
  return { train: sorted.filter((s) => !heldOut.includes(s)), heldOut }
}

export function runOrFail(db: Db, runId: number): TrainingRunSummary {
  const r = policiesQ.getRun(db, runId)
  if (!r) throw new AppFailure('not_found', `no training run with id ${runId}`, 'runId')
  return r
}

export function startPolicyTraining(db: Db, jobs: JobRunner, req: ParsedInput<'training.start'>): TrainingRunSummary {
  const ready = listSongs(db).filter((s) => s.status === 'ready')
  if (ready.length === 0) throw new AppFailure('conflict', 'no analysed songs to train on: import songs first', 'songs')
  const { train, heldOut } = splitSongs(ready.map((s) => s.id))
  const rm =
    req.algorithm === 'dpo'
      ? null
      : req.rewardModel !== undefined
        ? rewardModelOrFail(db, req.rewardModel, 'rewardModel')
        : getActiveRewardModel(db)
  const parent = req.parent !== undefined ? policyByNameOrFail(db, req.parent, 'parent') : null
  let verdictIds: number[] = []
  let heldOutVerdictIds: number[] = []
  if (req.algorithm === 'dpo') {
    const decisive = labelledPairs(db, { includeSimulated: req.includeSimulated }).filter((p) => !p.tie)
    verdictIds = decisive.filter((p) => !heldOut.includes(p.songId)).map((p) => p.verdictId)
    heldOutVerdictIds = decisive.filter((p) => heldOut.includes(p.songId)).map((p) => p.verdictId)
    if (verdictIds.length === 0)
      throw new AppFailure(
        'conflict',
        `DPO needs judged pairs with a winner on training songs; found ${decisive.length} in all${req.includeSimulated ? '' : ' (simulated verdicts excluded: --include-simulated)'}`,
        'verdicts'
      )
  }
  const config: TrainRunConfig = {
    algorithm: req.algorithm,
    steps: req.steps,
    preset: req.config,
    seed: req.seed,
    rewardWeight: req.rewardWeight,
    rewardModelId: rm?.id ?? null,
    parentPolicyId: parent?.id ?? null,
    trainSongIds: train,
    heldOutSongIds: heldOut,
    verdictIds,
    heldOutVerdictIds,
    targetDurationFraction: req.targetDurationFraction ?? null,
    includeSimulated: req.includeSimulated
  }
  const runId = policiesQ.insertRun(db, {
    algorithm: req.algorithm,
    config,
    parentPolicyId: parent?.id ?? null,
    rewardModelId: rm?.id ?? null,
    rewardWeight: req.algorithm === 'ppo' && rm !== null ? req.rewardWeight : null
  })
  const job = jobs.start('policy.train', { runId })
  policiesQ.setRunJob(db, runId, job.id)
  return runOrFail(db, runId)
}

export function resumePolicyTraining(db: Db, jobs: JobRunner, runId: number): TrainingRunSummary {
  const run = runOrFail(db, runId)
  if (run.jobId === null) throw new AppFailure('conflict', `run ${runId} has no job to resume`, 'runId')
  if (run.policyId !== null) throw new AppFailure('conflict', `run ${runId} already finished`, 'runId')
  jobs.resume(run.jobId)
  return runOrFail(db, runId)
}

export function listRuns(db: Db): TrainingRunSummary[] {
  return policiesQ.listRuns(db)
}

const metricsRow = z.record(z.string(), z.number().nullable())

/** The run's logged metrics rows from line `since` on (non-finite values are stored as null). */
export function readRunMetrics(
  db: Db,
  dataDir: string,
  runId: number,
  since = 0
): { runId: number; rows: Record<string, number | null>[]; next: number } {
  const run = runOrFail(db, runId)
  const file = path.join(dataDir, run.metricsPath)
  if (!fs.existsSync(file)) return { runId, rows: [], next: 0 }
  const lines = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
  const rows: Record<string, number | null>[] = []
  for (const line of lines.slice(since)) {
    let raw: unknown
    try {
      raw = JSON.parse(line)
    } catch {
      throw new AppFailure('corrupt', `run ${runId}: a metrics line is not JSON`, 'runId')
    }
    const parsed = metricsRow.safeParse(raw)
    if (!parsed.success) throw new AppFailure('corrupt', `run ${runId}: a metrics line is malformed`, 'runId')
    rows.push(parsed.data)
  }
  return { runId, rows, next: lines.length }
}
