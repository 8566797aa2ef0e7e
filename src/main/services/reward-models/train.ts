/**
 * Training the next version vN+1 (runs inside the 'reward.train' job worker): the label set is fixed at
 * the start and kept in the job's checkpoint with the split; the trainer checkpoints to a file under the
 * data directory after every epoch; at the end the version is exported to ONNX, compared with its
 * parent on the same held-out pairs, normalised over the library and registered.
 */
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type { Db } from '../../db/connection'
import * as rmQ from '../../db/queries/reward-models'
import { AppFailure } from '../../../shared/result'
import type { ParsedInput } from '../../../shared/api'
import type { RewardModelMetrics, TrainRewardResult } from '../../../shared/domain'
import {
  REWARD_TRAIN_PRESETS,
  RewardTrainer,
  type EpochReport,
  type RewardTrainConfig,
  warmStartConfig
} from '../../engines/ml/reward-training'
import { decodeCheckpoint, encodeCheckpoint } from '../../engines/ml/reward-checkpoint'
import { importRewardOnnx, rewardOnnxBytes, type RewardModelConfig } from '../../engines/ml'
import { createEnsembleScorer } from '../../engines/ml/reward-scorer'
import { REWARD_MODELS_DIR, dataDirOf, maxBeatsOf } from './registry'
import {
  SequenceTable,
  heldOutSongs,
  labelledPairs,
  toPreferencePair,
  verdictsHash,
  type LabelledPair
} from './dataset'
import { REFERENCE_EDITS, evaluateFile, normalisationStats, scoreTable } from './evaluate'
import { writeModelFile } from './import'
import * as editsQ from '../../db/queries/edits'
import * as songsQ from '../../db/queries/songs'

export type TrainRequest = ParsedInput<'rewardModels.train'>

/** What the job keeps in its checkpoint row (small JSON; the weights live in `file`). */
export interface TrainJobState {
  verdictIds: number[]
  parentId: number | null
  heldOutSongIds: number[]
  /** Trainer checkpoint file relative to the data directory, once an epoch has finished. */
  file: string | null
  epochsDone: number
}

export interface TrainHooks {
  progress(fraction: number, message: string, metrics: Record<string, number>): void
  log(line: string): void
  saveState(state: TrainJobState): void
  throwIfCancelled(): void
}

export const CHECKPOINTS_DIR = path.join(REWARD_MODELS_DIR, 'checkpoints')

export function trainConfigOf(req: TrainRequest, model?: RewardModelConfig): RewardTrainConfig {
  const preset = REWARD_TRAIN_PRESETS[req.config]
  return {
    ...preset,
    model: model ?? preset.model,
    epochs: req.epochs ?? preset.epochs,
    seed: req.seed,
    ensemble: req.ensemble
  }
}

/** Share of the training songs whose pairs pick the best epoch instead of training. */
export const EARLY_STOPPING_SHARE = 0.15

/**
 * The songs whose pairs choose the best epoch (early stopping), drawn from the training songs only:
 * selecting on the held-out pairs would tune each version to the very pairs it is compared on. By song,
 * from a salted hash of the audio content, so it is the same for every version, and at least one song
 * when there are two or more training songs (one song is left to train on otherwise).
 */
export function earlyStoppingSongs(db: Db, trainSongIds: readonly number[]): Set<number> {
  const unique = [...new Set(trainSongIds)]
  if (unique.length < 2) return new Set()
  const keyed = unique
    .map((id) => {
      const h = createHash('sha256')
        .update('early-stopping:')
        .update(songsQ.songContentHash(db, id) ?? String(id))
        .digest()
      return { id, u: h.readUInt32BE(0) / 2 ** 32 }
    })
    .sort((a, b) => a.u - b.u)
  const count = Math.min(unique.length - 1, Math.max(1, Math.round(EARLY_STOPPING_SHARE * unique.length)))
  return new Set(keyed.slice(0, count).map((k) => k.id))
}

/** Decides activation: the user's setting, else active only when not worse than the parent on held-out pairs. */
export function activationDecision(
  mode: TrainRequest['activate'],
  hasActive: boolean,
  ours: RewardModelMetrics | null,
  parents: RewardModelMetrics | null
): { activate: boolean; note: string | null } {
  if (mode === 'never') return { activate: false, note: 'not activated (--activate never)' }
  if (mode === 'always' || !hasActive) return { activate: true, note: null }
  if (!parents || !ours || ours.accuracy === null || parents.accuracy === null) return { activate: true, note: null }
  const worse =
    ours.accuracy < parents.accuracy ||
    (ours.accuracy === parents.accuracy && (ours.logLoss ?? 0) > (parents.logLoss ?? 0))
  return worse
    ? {
        activate: false,
        note: `held-out accuracy ${ours.accuracy.toFixed(3)} is below the parent's ${parents.accuracy.toFixed(3)}: kept the parent active (activate it yourself to override)`
      }
    : { activate: true, note: null }
}

function parentOf(db: Db, req: TrainRequest, state: TrainJobState | null): rmQ.StoredRewardModel | null {
  if (state) return state.parentId === null ? null : (rmQ.getRewardModel(db, state.parentId) ?? null)
  if (req.parent !== undefined) {
    const p = rmQ.getRewardModelByName(db, req.parent)
    if (!p) throw new AppFailure('not_found', `no reward model named '${req.parent}'`, 'parent')
    return p
  }
  return rmQ.getActiveRewardModelRow(db) ?? null
}

export async function trainRewardModel(
  db: Db,
  req: TrainRequest,
  resumeFrom: TrainJobState | null,
  jobId: number | null,
  hooks: TrainHooks,
  /** Benchmarks only: trainer settings beyond the request's (e.g. patience). */
  overrides: Partial<Omit<RewardTrainConfig, 'model'>> = {}
): Promise<TrainRewardResult> {
  const dataDir = dataDirOf(db)
  const parent = parentOf(db, req, resumeFrom)
  const labels = labelledPairs(
    db,
    resumeFrom
      ? { includeSimulated: true, verdictIds: resumeFrom.verdictIds }
      : { includeSimulated: req.includeSimulated }
  )
  if (labels.length === 0)
    throw new AppFailure(
      'conflict',
      `no usable verdicts (a, b or tie${req.includeSimulated ? '' : ' from real annotators; add --include-simulated for simulated ones'}): judge some pairs first`,
      'verdicts'
    )
  const held = resumeFrom
    ? new Set(resumeFrom.heldOutSongIds)
    : heldOutSongs(
        db,
        labels.map((l) => l.songId)
      )
  const state: TrainJobState = resumeFrom ?? {
    verdictIds: labels.map((l) => l.verdictId),
    parentId: parent?.id ?? null,
    heldOutSongIds: [...held].sort((a, b) => a - b),
    file: null,
    epochsDone: 0
  }
  if (!resumeFrom) hooks.saveState(state)
  const fitLabels = labels.filter((l) => !held.has(l.songId))
  const valLabels = labels.filter((l) => held.has(l.songId))
  if (fitLabels.length === 0)
    throw new AppFailure('conflict', 'every verdict is on a held-out song: judge pairs of more songs', 'verdicts')
  const stopSongs = earlyStoppingSongs(
    db,
    fitLabels.map((l) => l.songId)
  )
  const trainLabels = fitLabels.filter((l) => !stopSongs.has(l.songId))
  const stopLabels = fitLabels.filter((l) => stopSongs.has(l.songId))

  // Warm start where the parent is the app's architecture; otherwise distil its scores.
  const table = new SequenceTable(db)
  const parentFile = parent ? path.join(dataDir, parent.onnxPath) : null
  let initial: Map<string, Float32Array> | undefined
  let modelConfig: RewardModelConfig | undefined
  let distill: { indices: number[]; targets: Float32Array } | undefined
  if (parent && parentFile && parent.architecture !== null) {
    const imp = importRewardOnnx(parentFile)
    imp.session.dispose()
    if (imp.warmStart) {
      initial = imp.warmStart.weights
      modelConfig = imp.warmStart.config
    }
  }
  if (parent && parentFile && !initial) {
    const indices: number[] = []
    for (const e of editsQ.listEdits(db).slice(-REFERENCE_EDITS)) {
      try {
        indices.push(table.of(e.id))
      } catch {
        // songs that are not ready are left out
      }
    }
    distill = { indices, targets: scoreTable(parentFile, table, indices, maxBeatsOf(parent)) }
  }
  const base = trainConfigOf(req, modelConfig)
  const config = { ...(initial ? warmStartConfig(base) : base), ...overrides }
  const train = trainLabels.map((l) => toPreferencePair(table, l, config.strengthMargin))
  // The trainer's validation pairs only pick the best epoch; the held-out pairs stay unseen until register.
  const val = stopLabels.map((l) => toPreferencePair(table, l, config.strengthMargin))
  const data = { sequences: table.sequences, train, val, ...(distill ? { distill } : {}) }
  const checkpointFile = state.file ? path.join(dataDir, state.file) : null
  const trainer = new RewardTrainer(data, config, {
    ...(initial ? { initial } : {}),
    ...(checkpointFile && fs.existsSync(checkpointFile)
      ? { checkpoint: decodeCheckpoint(fs.readFileSync(checkpointFile)) }
      : {})
  })
  if (state.epochsDone > 0) hooks.log(`resuming after epoch ${state.epochsDone} of at most ${trainer.plannedEpochs}`)
  let distillation: TrainRewardResult['distillation'] = null
  try {
    while (!trainer.done) {
      const planned = trainer.plannedEpochs
      const done = trainer.history.length
      const r = trainer.runEpoch((step, steps, loss) => {
        hooks.throwIfCancelled()
        const last = trainer.history[trainer.history.length - 1]
        hooks.progress(
          (done + step / steps) / planned,
          `epoch ${done + 1} of at most ${planned}, step ${step + 1}/${steps}`,
          {
            epoch: done + 1,
            step: step + 1,
            ...(loss === null ? {} : { loss }),
            ...(last?.valAccuracy != null ? { valAccuracy: last.valAccuracy } : {})
          }
        )
      })
      if (r.phase === 'distill')
        distillation = { correlation: r.trainAccuracy, rmse: r.valLoss ?? NaN, edits: distill?.indices.length ?? 0 }
      const relative = path.join(CHECKPOINTS_DIR, `job-${jobId ?? 'local'}.bin`)
      writeModelFile(dataDir, relative, encodeCheckpoint(trainer.checkpoint()))
      state.file = relative
      state.epochsDone = trainer.history.length
      hooks.saveState(state)
      hooks.progress(trainer.history.length / trainer.plannedEpochs, epochLine(r), epochMetrics(r))
      hooks.log(epochLine(r))
    }
    const finalDistill = trainer.history.filter((h) => h.phase === 'distill').pop()
    if (finalDistill)
      distillation = {
        correlation: finalDistill.trainAccuracy,
        rmse: finalDistill.valLoss ?? NaN,
        edits: distill?.indices.length ?? 0
      }
    return register(db, {
      req,
      config,
      trainer,
      parent,
      labels,
      valLabels,
      table,
      jobId,
      start: initial ? 'warm' : distill ? 'distilled' : 'fresh',
      distillation,
      checkpointFile: state.file
    })
  } finally {
    trainer.dispose()
  }
}

function epochLine(r: EpochReport): string {
  const val = r.valAccuracy === null ? '' : `, validation accuracy ${r.valAccuracy.toFixed(3)}`
  const head = r.phase === 'distill' ? 'distillation' : `member ${r.member + 1}`
  return `${head} epoch ${r.epoch}: loss ${r.trainLoss.toFixed(4)}${r.valLoss === null ? '' : `, validation loss ${r.valLoss.toFixed(4)}`}${val} (${r.seconds.toFixed(1)} s)`
}

function epochMetrics(r: EpochReport): Record<string, number> {
  const m: Record<string, number> = {
    epoch: r.epoch,
    member: r.member,
    loss: r.trainLoss,
    trainAccuracy: r.trainAccuracy,
    epochSeconds: r.seconds
  }
  if (r.valLoss !== null) m.valLoss = r.valLoss
  if (r.valAccuracy !== null) m.valAccuracy = r.valAccuracy
  return m
}

interface Finished {
  req: TrainRequest
  config: RewardTrainConfig
  trainer: RewardTrainer
  parent: rmQ.StoredRewardModel | null
  labels: LabelledPair[]
  valLabels: LabelledPair[]
  table: SequenceTable
  jobId: number | null
  start: TrainRewardResult['start']
  distillation: TrainRewardResult['distillation']
  checkpointFile: string | null
}

function register(db: Db, f: Finished): TrainRewardResult {
  const dataDir = dataDirOf(db)
  const name = `v${rmQ.highestVersionNumber(db) + 1}`
  const members = f.trainer.members()
  const memberPaths = members.map((_w, k) =>
    path.join(REWARD_MODELS_DIR, k === 0 ? `${name}.onnx` : `${name}.member${k}.onnx`)
  )
  members.forEach((w, k) => writeModelFile(dataDir, memberPaths[k]!, rewardOnnxBytes(f.config.model, w)))
  const file = path.join(dataDir, memberPaths[0]!)
  const metrics = f.valLabels.length > 0 ? evaluateFile(db, file, f.table, f.valLabels) : null
  const parentMetrics =
    f.parent && f.valLabels.length > 0
      ? evaluateFile(db, path.join(dataDir, f.parent.onnxPath), f.table, f.valLabels, maxBeatsOf(f.parent))
      : null
  const norm = normalisationStats(db, file, f.table)
  const hasActive = rmQ.getActiveRewardModelRow(db) !== undefined
  const decision = activationDecision(f.req.activate, hasActive, metrics, parentMetrics)
  const verdictIds = f.labels.map((l) => l.verdictId)
  const { epochs: _e, ...configNoModel } = f.config
  db.transaction(() => {
    const id = rmQ.insertRewardModel(db, {
      name,
      source: 'trained',
      parentId: f.parent?.id ?? null,
      onnxPath: memberPaths[0]!,
      memberPaths,
      architecture: { ...f.config.model },
      paramCount: members[0] ? [...members[0].values()].reduce((a, w) => a + w.length, 0) : null,
      warmStartNote: null,
      config: {
        ...configNoModel,
        epochs: f.config.epochs,
        preset: f.req.config,
        start: f.start,
        includeSimulated: f.req.includeSimulated
      },
      seed: f.config.seed,
      verdictIds,
      verdictsHash: verdictsHash(verdictIds),
      validation: {
        songIds: [...new Set(f.valLabels.map((l) => l.songId))].sort((a, b) => a - b),
        verdictIds: f.valLabels.map((l) => l.verdictId)
      },
      metrics,
      parentMetrics,
      norm,
      jobId: f.jobId
    })
    if (decision.activate) rmQ.setActiveRewardModel(db, id)
  })()
  if (memberPaths.length > 1)
    rankQueuedPairs(
      db,
      memberPaths.map((p) => path.join(dataDir, p)),
      f.table
    )
  if (f.checkpointFile) fs.rmSync(path.join(dataDir, f.checkpointFile), { force: true })
  const history = f.trainer.history
  const trainEpochs = history.filter((h) => h.phase === 'train')
  return {
    name,
    parent: f.parent?.name ?? null,
    verdictsUsed: verdictIds.length,
    heldOutPairs: f.valLabels.length,
    metrics,
    parentMetrics,
    activated: decision.activate,
    activationNote: decision.note,
    start: f.start,
    distillation: f.distillation,
    epochs: history.map(({ phase, member, epoch, trainLoss, trainAccuracy, valLoss, valAccuracy, seconds }) => ({
      phase,
      member,
      epoch,
      trainLoss,
      trainAccuracy,
      valLoss,
      valAccuracy,
      seconds
    })),
    secondsPerEpoch: trainEpochs.length ? trainEpochs.reduce((a, h) => a + h.seconds, 0) / trainEpochs.length : 0
  }
}

/**
 * Christiano 2017's query selection: queued pairs are ranked by the ensemble's disagreement on which
 * edit is better (the spread of r_A - r_B over members), most uncertain first.
 */
export function rankQueuedPairs(db: Db, memberFiles: readonly string[], table: SequenceTable): number {
  const queued = rmQ.queuedPairEdits(db)
  if (queued.length === 0 || memberFiles.length < 2) return 0
  const idx: number[] = []
  const usable: typeof queued = []
  for (const p of queued) {
    try {
      idx.push(table.of(p.editAId), table.of(p.editBId))
      usable.push(p)
    } catch {
      // a pair of a song that is not ready keeps its priority
    }
  }
  const ens = createEnsembleScorer(memberFiles)
  try {
    const { members } = ens.scoreBatch(idx.map((i) => table.sequences[i]!))
    const priorities = usable.map((p, j) => {
      const diffs = members.map((m) => m[2 * j]! - m[2 * j + 1]!)
      const mean = diffs.reduce((a, b) => a + b, 0) / diffs.length
      return { pairId: p.id, priority: Math.sqrt(diffs.reduce((a, d) => a + (d - mean) ** 2, 0) / diffs.length) }
    })
    rmQ.setPairPriorities(db, priorities)
    return priorities.length
  } finally {
    ens.dispose()
  }
}
