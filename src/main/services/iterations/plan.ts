/**
 * Planning and starting an iteration (main side): every setting is resolved here, before anything runs,
 * so the UI and the CLI can show exactly what will happen; starting stores those settings with the
 * verdict snapshot and hands the work to one 'iteration.run' job.
 */
import type { Db } from '../../db/connection'
import * as iterationsQ from '../../db/queries/iterations'
import { listAnnotators } from '../../db/queries/annotators'
import { simulatedAnnotatorIds } from '../../db/queries/reward-models'
import { getVerdict } from '../../db/queries/verdicts'
import { getSong } from '../../db/queries/songs'
import type { JobRunner } from '../jobs/job-runner'
import type { IterationPlan, ParsedInput } from '../../../shared/api'
import type {
  IterationAnnotatorCount,
  IterationPairRole,
  IterationSettings,
  IterationSummary,
  PolicySummary
} from '../../../shared/domain'
import { AppFailure } from '../../../shared/result'
import { REWARD_TRAIN_PRESETS } from '../../engines/ml/reward-training'
import {
  activeRewardModelRow,
  labelledPairs,
  policyById,
  policySongSplit,
  readySongIds,
  trainablePolicies,
  verdictsHash,
  type LabelledPair
} from './stages'
import { iterationSummary } from './read'

export type IterationRequest = ParsedInput<'iterations.start'>

/** Policy steps when none are given: PPO environment steps, DPO optimiser steps. */
export const DEFAULT_POLICY_STEPS = {
  ppo: { tiny: 2048, default: 16_384 },
  dpo: { tiny: 24, default: 200 }
} as const
/** Ensemble members for vN+1: two, so its members' disagreement can rank the pairs to ask about. */
export const ITERATION_ENSEMBLE = 2
export const ITERATION_REWARD_WEIGHT = 0.8

/** About half the new pairs set the new policy against the previous one; the rest are mostly disagreement-ranked. */
export function pairsByRole(total: number): Record<IterationPairRole, number> {
  const versus = Math.ceil(total / 2)
  const rest = total - versus
  const sentinel = rest >= 2 ? Math.max(1, Math.floor(rest / 3)) : 0
  return { versus, disagreement: rest - sentinel, sentinel }
}

/**
 * The policy the next iteration starts from: the last finished iteration's, else the newest policy in
 * the app's network (trained or imported), else none (a fresh network).
 */
export function currentPolicy(db: Db): PolicySummary | null {
  const done = iterationsQ.listIterations(db).filter((i) => i.policyId !== null)
  const last = done[done.length - 1]
  if (last?.policyId != null) {
    const p = policyById(db, last.policyId)
    if (p) return p
  }
  return trainablePolicies(db)[0] ?? null
}

function snapshot(db: Db, includeSimulated: boolean): LabelledPair[] {
  return labelledPairs(db, { includeSimulated })
}

export function annotatorCounts(db: Db, verdictIds: readonly number[]): IterationAnnotatorCount[] {
  const simulated = simulatedAnnotatorIds(db)
  const names = new Map(listAnnotators(db).map((a) => [a.id, a.name]))
  const counts = new Map<number, number>()
  for (const id of verdictIds) {
    const v = getVerdict(db, id)
    if (v) counts.set(v.annotatorId, (counts.get(v.annotatorId) ?? 0) + 1)
  }
  return [...counts.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([annotatorId, verdicts]) => ({
      annotatorId,
      name: names.get(annotatorId) ?? `annotator ${annotatorId}`,
      simulated: simulated.has(annotatorId),
      verdicts
    }))
}

function chosenSongs(db: Db, songs: IterationRequest['songs']): number[] {
  if (songs === 'all') {
    const ready = readySongIds(db)
    if (ready.length === 0) throw new AppFailure('conflict', 'no analysed songs: import songs first', 'songs')
    return ready
  }
  for (const id of songs) {
    const s = getSong(db, id)
    if (!s) throw new AppFailure('not_found', `no song with id ${id}`, 'songs')
    if (s.status !== 'ready') throw new AppFailure('conflict', `song ${id} is ${s.status}, not ready`, 'songs')
  }
  return [...new Set(songs)]
}

function resolve(db: Db, req: IterationRequest): { plan: IterationPlan; labels: LabelledPair[] } {
  const songIds = chosenSongs(db, req.songs)
  const labels = snapshot(db, req.includeSimulated)
  if (labels.length === 0)
    throw new AppFailure(
      'conflict',
      `no verdicts to learn from yet${req.includeSimulated ? '' : ' from real annotators'}: judge some pairs first (or judge --simulate)`,
      'verdicts'
    )
  if (req.algorithm === 'dpo') {
    const { heldOut } = policySongSplit(db)
    const usable = labels.filter((l) => !l.tie && !heldOut.includes(l.songId)).length
    if (usable === 0)
      throw new AppFailure(
        'conflict',
        'DPO needs judged pairs with a winner on training songs: judge more pairs',
        'verdicts'
      )
  }
  const active = activeRewardModelRow(db)
  const parentPolicy = currentPolicy(db)
  const settings: IterationSettings = {
    algorithm: req.algorithm,
    config: req.config,
    songIds,
    pairs: req.pairs,
    pairsByRole: pairsByRole(req.pairs),
    seed: req.seed,
    activateIfWorse: req.activateIfWorse,
    includeSimulated: req.includeSimulated,
    reward: {
      parent: active?.name ?? null,
      epochs: REWARD_TRAIN_PRESETS[req.config].epochs,
      ensemble: ITERATION_ENSEMBLE
    },
    policy: {
      parent: parentPolicy?.name ?? null,
      steps: req.steps ?? DEFAULT_POLICY_STEPS[req.algorithm][req.config],
      rewardWeight: ITERATION_REWARD_WEIGHT
    }
  }
  const verdictIds = labels.map((l) => l.verdictId)
  return {
    plan: {
      number: iterationsQ.nextIterationNumber(db),
      settings,
      verdicts: { count: verdictIds.length, annotators: annotatorCounts(db, verdictIds) }
    },
    labels
  }
}

export function planIteration(db: Db, req: IterationRequest): IterationPlan {
  return resolve(db, req).plan
}

export function startIteration(db: Db, jobs: JobRunner, req: IterationRequest): IterationSummary {
  const running = iterationsQ.activeIteration(db)
  if (running)
    throw new AppFailure(
      'conflict',
      `iteration ${running.number} is still running: wait for it or cancel it`,
      'iteration'
    )
  const { plan, labels } = resolve(db, req)
  const verdictIds = labels.map((l) => l.verdictId)
  const active = activeRewardModelRow(db)
  const parentPolicy = currentPolicy(db)
  const id = iterationsQ.insertIteration(db, {
    number: plan.number,
    settings: plan.settings,
    verdictIds,
    verdictsHash: verdictsHash(verdictIds),
    annotators: plan.verdicts.annotators,
    parentRewardModelId: active?.id ?? null,
    parentPolicyId: parentPolicy?.id ?? null
  })
  const job = jobs.start('iteration.run', { iterationId: id })
  iterationsQ.setIterationJob(db, id, job.id)
  return iterationSummary(db, id)
}
