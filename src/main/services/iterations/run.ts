/**
 * One iteration inside its 'iteration.run' job worker, stage by stage. The iteration row says which
 * stage comes next and holds what the finished ones produced (each stage's outputs are written with the
 * stage change); the job checkpoint holds the running stage's own training state. So a crash anywhere
 * resumes at the stage it was in: mid-training from the last epoch or update, and a version or policy
 * registered just before the crash is adopted rather than trained again.
 */
import type { Db } from '../../db/connection'
import * as iterationsQ from '../../db/queries/iterations'
import { immediateTransaction } from '../../db/transaction'
import { AppFailure } from '../../../shared/result'
import type { IterationStage } from '../../../shared/domain'
import { evaluateBeforeAfter, type EditSource } from './evaluate'
import { generateStage, pairsStage, type Sides } from './pairs'
import {
  activeOf,
  activeRewardModelRow,
  createPolicyRun,
  policyById,
  rewardModelById,
  rewardModelOfJob,
  runFinalMetrics,
  runHeldOutSongs,
  trainPolicyStage,
  trainRewardStage,
  type RewardStageState
} from './stages'

export interface IterationCheckpoint {
  stage: IterationStage
  reward: RewardStageState | null
  policy: { runId: number; file: string; update: number } | null
}

export interface IterationHooks {
  progress(fraction: number, message: string, metrics: Record<string, number>): void
  log(line: string): void
  saveState(state: IterationCheckpoint): void
  throwIfCancelled(): void
}

export interface IterationRunResult {
  iterationId: number
  number: number
  rewardModel: string | null
  policy: string | null
  pairs: number
}

/** Share of the job's progress bar each stage spans (training dominates). */
const SPAN: Record<Exclude<IterationStage, 'done'>, [number, number]> = {
  reward: [0, 0.3],
  policy: [0.3, 0.85],
  evaluate: [0.85, 0.9],
  generate: [0.9, 0.95],
  pairs: [0.95, 1]
}

function iterationOrFail(db: Db, id: number): iterationsQ.StoredIteration {
  const it = iterationsQ.getIteration(db, id)
  if (!it) throw new AppFailure('not_found', `no iteration with id ${id}`, 'iterationId')
  return it
}

function previousSource(db: Db, it: iterationsQ.StoredIteration): EditSource {
  const p = it.parentPolicyId === null ? null : policyById(db, it.parentPolicyId)
  return p ? { policyId: p.id, label: p.name } : { policyId: null, label: 'rule' }
}

function nextSide(db: Db, it: iterationsQ.StoredIteration): Sides['next'] {
  const p = it.policyId === null ? null : policyById(db, it.policyId)
  if (!p || it.runId === null) throw new AppFailure('corrupt', `iteration ${it.id} has no policy yet`, 'iterationId')
  return { policyId: p.id, label: p.name, runId: it.runId }
}

/** Reward-model files whose disagreement ranks pairs: vN+1's ensemble members, else vN+1 and its parent. */
function rankers(db: Db, it: iterationsQ.StoredIteration): string[] {
  const rm = it.rewardModelId === null ? null : rewardModelById(db, it.rewardModelId)
  if (!rm) return []
  const own = activeOf(db, rm).memberFiles
  if (own.length >= 2) return own
  const parent = it.parentRewardModelId === null ? null : rewardModelById(db, it.parentRewardModelId)
  return parent ? [own[0]!, activeOf(db, parent).onnxFile] : []
}

export async function runIteration(
  db: Db,
  dataDir: string,
  iterationId: number,
  jobId: number,
  checkpoint: IterationCheckpoint | null,
  backend: string,
  hooks: IterationHooks
): Promise<IterationRunResult> {
  let it = iterationOrFail(db, iterationId)
  const settings = it.settings
  if (checkpoint && it.stage !== 'done') hooks.log(`resuming iteration ${it.number} at stage '${it.stage}'`)
  while (it.stage !== 'done') {
    hooks.throwIfCancelled()
    const stage = it.stage
    const [from, to] = SPAN[stage]
    const started = Date.now()
    const seconds = (): number => (Date.now() - started) / 1000
    const within = (f: number, message: string, metrics: Record<string, number> = {}): void =>
      hooks.progress(from + (to - from) * Math.min(1, Math.max(0, f)), `${stage}: ${message}`, metrics)
    const resumed = checkpoint?.stage === stage ? checkpoint : null
    within(0, 'starting')
    hooks.log(`iteration ${it.number}: stage '${stage}'`)
    if (stage === 'reward') {
      const adopted = rewardModelOfJob(db, jobId)
      const rm = adopted
        ? { id: adopted.id, activated: adopted.active, activationNote: null }
        : await trainRewardStage(
            db,
            {
              verdictIds: iterationsQ.iterationVerdictIds(db, it.id),
              parentId: it.parentRewardModelId,
              preset: settings.config,
              epochs: settings.reward.epochs,
              ensemble: settings.reward.ensemble,
              seed: settings.seed,
              activateIfWorse: settings.activateIfWorse
            },
            resumed?.reward ?? null,
            jobId,
            {
              progress: within,
              log: (line) => hooks.log(line),
              saveState: (reward) => hooks.saveState({ stage, reward, policy: null }),
              throwIfCancelled: () => hooks.throwIfCancelled()
            }
          )
      if (rm.activationNote) hooks.log(rm.activationNote)
      iterationsQ.advanceIteration(db, it.id, stage, 'policy', seconds(), {
        rewardModelId: rm.id,
        rewardActivated: rm.activated,
        rewardActivationNote: rm.activationNote
      })
    } else if (stage === 'policy') {
      let runId = it.runId
      if (runId === null) {
        // PPO trains against the version that won the comparison: vN+1 if activated, else vN. The run
        // and its record on the iteration are written together, so a resume finds the run it started.
        runId = immediateTransaction(db, () => {
          const id = createPolicyRun(db, {
            algorithm: settings.algorithm,
            steps: settings.policy.steps,
            preset: settings.config,
            seed: settings.seed,
            rewardWeight: settings.policy.rewardWeight,
            rewardModelId: activeRewardModelRow(db)?.id ?? it.rewardModelId,
            parentPolicyId: it.parentPolicyId,
            verdictIds: iterationsQ.iterationVerdictIds(db, it.id),
            includeSimulated: settings.includeSimulated,
            jobId
          })
          iterationsQ.setIterationRun(db, it.id, id)
          return id
        })
      }
      const finished = runFinalMetrics(db, runId).policyId
      const fromCheckpoint = resumed?.policy?.runId === runId ? resumed.policy : null
      const policyId =
        finished ??
        (
          await trainPolicyStage(db, dataDir, runId, fromCheckpoint, backend, {
            progress: within,
            log: (line) => hooks.log(line),
            saveState: (s) => hooks.saveState({ stage, reward: null, policy: s }),
            throwIfCancelled: () => hooks.throwIfCancelled()
          })
        ).policyId
      iterationsQ.advanceIteration(db, it.id, stage, 'evaluate', seconds(), { runId, policyId })
    } else if (stage === 'evaluate') {
      const next = nextSide(db, it)
      const heldOut = runHeldOutSongs(db, next.runId)
      const policy = policyById(db, next.policyId)
      const rm = policy?.rewardModelId != null ? rewardModelById(db, policy.rewardModelId) : null
      const fallback = it.rewardModelId === null ? null : rewardModelById(db, it.rewardModelId)
      const scoring = rm ?? fallback
      const evaluation = evaluateBeforeAfter(
        db,
        heldOut.length > 0 ? heldOut : settings.songIds,
        previousSource(db, it),
        next,
        scoring ? activeOf(db, scoring) : null
      )
      hooks.log(
        `held-out songs: hidden score ${evaluation.before.hidden.toFixed(3)} -> ${evaluation.after.hidden.toFixed(3)}, dense ${evaluation.before.dense.toFixed(3)} -> ${evaluation.after.dense.toFixed(3)}`
      )
      iterationsQ.advanceIteration(db, it.id, stage, 'generate', seconds(), { evaluation })
    } else if (stage === 'generate') {
      generateStage(
        db,
        it.id,
        settings.songIds,
        { next: nextSide(db, it), previous: previousSource(db, it) },
        settings.seed,
        seconds
      )
    } else {
      pairsStage(
        db,
        it.id,
        {
          songIds: settings.songIds,
          sides: { next: nextSide(db, it), previous: previousSource(db, it) },
          quota: settings.pairsByRole,
          seed: settings.seed,
          rankers: rankers(db, it)
        },
        seconds
      )
    }
    within(1, 'done')
    it = iterationOrFail(db, iterationId)
  }
  const rm = it.rewardModelId === null ? null : rewardModelById(db, it.rewardModelId)
  const policy = it.policyId === null ? null : policyById(db, it.policyId)
  return {
    iterationId: it.id,
    number: it.number,
    rewardModel: rm?.name ?? null,
    policy: policy?.name ?? null,
    pairs: iterationsQ.pairIdsOfIteration(db, it.id).length
  }
}
