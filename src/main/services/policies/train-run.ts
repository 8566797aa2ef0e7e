/**
 * A policy-training run inside the 'policy.train' job worker: loads the run's songs (and pairs, for
 * DPO), the reward-model version and the parent policy, then trains update by update. After every
 * update it appends a metrics line (JSONL), writes the full training state to a file and reports it as
 * the job's checkpoint; every `evalEvery` updates it evaluates on the held-out songs (pairs) and keeps
 * the best policy. A resumed job restores the state file (weights, optimiser moments, counters, KL
 * coefficient, data cursor; the random streams are seeded by the counters) and drops metric lines
 * logged after it, so it ends exactly where an uninterrupted run would. The finished run registers its
 * policy version.
 */
import fs from 'node:fs'
import path from 'node:path'
import type { Db } from '../../db/connection'
import * as policiesQ from '../../db/queries/policies'
import * as rmQ from '../../db/queries/reward-models'
import * as editsQ from '../../db/queries/edits'
import { AppFailure } from '../../../shared/result'
import type { EpisodeSong } from '../../engines/policy'
import { createRewardScorer, type RewardScorer } from '../../engines/ml/reward-scorer'
import {
  DpoTrainer,
  PpoTrainer,
  PRESETS,
  packState,
  policyOnnxBytes,
  unpackState,
  type LearnedReward,
  type Metrics,
  type PreferencePair
} from '../../engines/ml/rlhf'
import { loadSongStructure } from '../songs/stored-song'
import { labelledPairs } from '../reward-models/dataset'
import { toActive } from '../reward-models/registry'
import { writeModelFile } from '../reward-models/import'
import { POLICIES_DIR, loadPolicyWeights, policyOrFail } from './registry'
import { runDir, trainRunConfigSchema, type TrainRunConfig } from './run-config'

export interface TrainRunHooks {
  progress(fraction: number, message: string, metrics: Record<string, number>): void
  log(line: string): void
  saveState(s: { runId: number; file: string; update: number }): void
  throwIfCancelled(): void
}

export interface PolicyTrainResult {
  runId: number
  policyId: number
  policy: string
  algorithm: 'ppo' | 'dpo'
  metrics: Metrics
}

type Trainer = PpoTrainer | DpoTrainer

function songsOf(db: Db, ids: readonly number[]): EpisodeSong[] {
  return ids.map((songId) => ({ songId, structure: loadSongStructure(db, songId) }))
}

function pairsOf(db: Db, verdictIds: readonly number[], includeSimulated: boolean): PreferencePair[] {
  if (verdictIds.length === 0) return []
  const songs = new Map<number, EpisodeSong>()
  return labelledPairs(db, { includeSimulated, verdictIds }).map((l) => {
    let song = songs.get(l.songId)
    if (!song) {
      song = { songId: l.songId, structure: loadSongStructure(db, l.songId) }
      songs.set(l.songId, song)
    }
    const edit = (id: number): Uint8Array => {
      const e = editsQ.getEdit(db, id)
      if (!e) throw new AppFailure('not_found', `edit ${id} of verdict ${l.verdictId} no longer exists`, 'verdicts')
      return Uint8Array.from(e.actions)
    }
    return { song, chosen: edit(l.chosenEditId), rejected: edit(l.rejectedEditId) }
  })
}

function learnedRewardOf(db: Db, id: number | null): { learned: LearnedReward; scorer: RewardScorer } | null {
  if (id === null) return null
  const row = rmQ.getRewardModel(db, id)
  if (!row) throw new AppFailure('not_found', `reward model ${id} of this run no longer exists`, 'rewardModel')
  const active = toActive(db, row)
  const scorer = createRewardScorer(active.onnxFile)
  return {
    scorer,
    learned: {
      id,
      name: active.name,
      scoreBatch: (items) => scorer.scoreBatch(items),
      mean: active.norm.mean,
      std: active.norm.std
    }
  }
}

/** Keeps finite numbers only (JSON has no NaN): undefined metrics are left out of the log. */
function finite(m: Metrics): Metrics {
  const out: Metrics = {}
  for (const [k, v] of Object.entries(m)) if (Number.isFinite(v)) out[k] = v
  return out
}

function truncateMetrics(file: string, upTo: number): void {
  if (!fs.existsSync(file)) return
  const kept = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .filter((l) => (JSON.parse(l) as { update?: number }).update! <= upTo)
  fs.writeFileSync(file, kept.map((l) => l + '\n').join(''))
}

export async function runPolicyTraining(
  db: Db,
  dataDir: string,
  runId: number,
  checkpoint: { file: string; update: number } | null,
  backend: string,
  hooks: TrainRunHooks
): Promise<PolicyTrainResult> {
  const run = policiesQ.getRun(db, runId)
  if (!run) throw new AppFailure('not_found', `no training run with id ${runId}`, 'runId')
  const parsed = trainRunConfigSchema.safeParse(run.config)
  if (!parsed.success) throw new AppFailure('corrupt', `run ${runId}: stored config is malformed`, 'runId')
  const cfg: TrainRunConfig = parsed.data
  const dir = path.join(dataDir, runDir(runId))
  fs.mkdirSync(dir, { recursive: true })
  const metricsFile = path.join(dataDir, run.metricsPath)
  const reward = cfg.algorithm === 'ppo' ? learnedRewardOf(db, cfg.rewardModelId) : null
  const parent = cfg.parentPolicyId === null ? null : loadPolicyWeights(db, policyOrFail(db, cfg.parentPolicyId))
  const heldOutSongs = songsOf(db, cfg.heldOutSongIds)
  const heldOutPairs = cfg.algorithm === 'dpo' ? pairsOf(db, cfg.heldOutVerdictIds, cfg.includeSimulated) : []
  const state =
    checkpoint === null ? null : unpackState(fs.readFileSync(path.join(dataDir, checkpoint.file)), checkpoint.file)
  let trainer: Trainer
  if (cfg.algorithm === 'ppo') {
    const init = {
      config: {
        ...PRESETS.ppo[cfg.preset],
        seed: cfg.seed,
        rewardWeight: cfg.rewardWeight,
        targetDurationFraction: cfg.targetDurationFraction,
        durationWeight: cfg.targetDurationFraction === null ? 0 : 1
      },
      trainSongs: songsOf(db, cfg.trainSongIds),
      learned: reward?.learned ?? null
    }
    trainer = state ? PpoTrainer.restore(init, state) : PpoTrainer.create({ ...init, initialPolicy: parent })
    if (reward === null) hooks.log('no reward model: the dense reward is the whole task reward')
    else hooks.log(`learned reward: ${reward.learned.name}, weight ${cfg.rewardWeight}`)
  } else {
    const init = {
      config: { ...PRESETS.dpo[cfg.preset], seed: cfg.seed },
      pairs: pairsOf(db, cfg.verdictIds, cfg.includeSimulated)
    }
    trainer = state ? DpoTrainer.restore(init, state) : DpoTrainer.create({ ...init, initialPolicy: parent })
    hooks.log(`DPO on ${init.pairs.length} pairs, ${heldOutPairs.length} held out`)
  }
  if (state) {
    truncateMetrics(metricsFile, trainer.update)
    hooks.log(`resumed at update ${trainer.update}`)
  }
  const done = (): number => (trainer instanceof PpoTrainer ? trainer.envSteps : trainer.update)
  const evaluate = (): Metrics =>
    trainer instanceof PpoTrainer ? trainer.evaluate(heldOutSongs) : trainer.evaluate(heldOutPairs)
  const evalEvery = trainer.config.evalEvery
  let best = run.bestScore
  let last: Metrics = {}
  try {
    while (done() < cfg.steps) {
      hooks.throwIfCancelled()
      let m = trainer.step()
      const finalUpdate = done() >= cfg.steps
      if (trainer.update % evalEvery === 0 || finalUpdate) {
        m = { ...m, ...evaluate() }
        const score = m.eval_reward_total ?? m.eval_accuracies
        if (score !== undefined && (best === null || score > best)) {
          best = score
          const bestFile = `${runDir(runId)}/best.onnx`
          writeModelFile(dataDir, bestFile, policyOnnxBytes(trainer.policyWeights()))
          policiesQ.updateRunProgress(db, runId, {
            lastMetrics: finite(m),
            best: { path: bestFile, score, update: trainer.update }
          })
        }
      }
      last = finite(m)
      fs.appendFileSync(metricsFile, JSON.stringify(last) + '\n')
      const stateFile = `${runDir(runId)}/state.bin`
      writeModelFile(dataDir, stateFile, packState(trainer.snapshot({ runId, backend })))
      policiesQ.updateRunProgress(db, runId, { lastMetrics: last, checkpointPath: stateFile })
      hooks.saveState({ runId, file: stateFile, update: trainer.update })
      const shown: Record<string, number> = {}
      for (const k of ['reward_total', 'reward_dense', 'kl', 'entropy', 'loss', 'accuracies', 'env_steps_per_s'])
        if (last[k] !== undefined) shown[k] = last[k]!
      hooks.progress(
        Math.min(1, done() / cfg.steps),
        `update ${trainer.update}: ${done()} of ${cfg.steps} steps`,
        shown
      )
    }
    const name = `${cfg.algorithm}-run${runId}`
    const relative = path.join(POLICIES_DIR, `${name}.onnx`)
    const weights = trainer.policyWeights()
    writeModelFile(dataDir, relative, policyOnnxBytes(weights))
    const policyId = db.transaction(() => {
      const id = policiesQ.insertPolicy(db, {
        name,
        source: 'trained',
        parentId: cfg.parentPolicyId,
        rewardModelId: cfg.rewardModelId,
        runId,
        onnxPath: relative,
        sizes: [...weights.sizes],
        warmStartNote: null,
        config: { algorithm: cfg.algorithm, preset: cfg.preset, steps: cfg.steps, seed: cfg.seed, backend }
      })
      policiesQ.finishRun(db, runId, id)
      return id
    })()
    return { runId, policyId, policy: name, algorithm: cfg.algorithm, metrics: last }
  } finally {
    trainer.dispose()
    reward?.scorer.dispose()
  }
}
