/**
 * What a reward-model training run takes and gives back (engines/ml/reward-training.ts runs it): the
 * sequences and preference pairs, the configuration and its presets, the per-epoch report, the checkpoint
 * that resumes a run exactly, and the seed mixing and learning-rate schedule every run shares.
 */
import type { AdamWState } from './optim'
import { V8_REWARD_CONFIG, type RewardModelConfig } from './reward-model'
import type { ScoredSequence } from './reward-scorer'

export type RewardSequence = ScoredSequence

export interface PreferencePair {
  /** Index into the sequence table of the preferred edit (either edit for a tie). */
  chosen: number
  rejected: number
  /** 1 decisive, 0.5 tie. */
  target: number
  /** Margin m in -log sigma(r+ - r- - m) (0 for none). */
  margin: number
}

export interface RewardTrainConfig {
  model: RewardModelConfig
  epochs: number
  /** Pairs per optimiser step. */
  batchSize: number
  lr: number
  weightDecay: number
  /** Share of the total steps spent warming the learning rate up linearly. */
  warmupFraction: number
  /** Cosine decay ends at lr * minLrFraction. */
  minLrFraction: number
  maxGradNorm: number
  /** TRL's center_rewards_coefficient (0.01 recommended). */
  centerCoef: number
  /** Margin given to a strength-2 ("much better") verdict; strength 1 gets 0. */
  strengthMargin: number
  /** Epochs without a lower validation loss before a member stops. */
  patience: number
  ensemble: number
  /** Epochs regressing the parent's scores before fine-tuning (distillation; 0 = none). */
  distillEpochs: number
  seed: number
}

export type RewardPreset = 'tiny' | 'default'

const COMMON = {
  weightDecay: 0.01,
  warmupFraction: 0.1,
  minLrFraction: 0.1,
  maxGradNorm: 1,
  centerCoef: 0.01,
  strengthMargin: 0.5,
  patience: 3,
  ensemble: 1,
  distillEpochs: 3,
  seed: 1
}

/** 'tiny' trains in seconds (tests, quick benches); 'default' is the app's reward transformer. */
export const REWARD_TRAIN_PRESETS: Record<RewardPreset, RewardTrainConfig> = {
  tiny: {
    ...COMMON,
    model: { dModel: 16, layers: 1, heads: 2, ffDim: 32, maxBeats: V8_REWARD_CONFIG.maxBeats, norm: 'pre' },
    epochs: 8,
    batchSize: 16,
    lr: 3e-3
  },
  default: { ...COMMON, model: { ...V8_REWARD_CONFIG }, epochs: 8, batchSize: 16, lr: 2e-4 }
}

/**
 * A warm-started version continues from weights that already fit the earlier verdicts: re-warming to
 * a fresh run's peak learning rate over a long warm-up throws much of that fit away before the new
 * verdicts can add to it, so it continues at a lower peak after a short warm-up.
 */
export const WARM_START_SCHEDULE = { lrScale: 0.5, warmupFraction: 0.02 } as const

export function warmStartConfig(c: RewardTrainConfig): RewardTrainConfig {
  return { ...c, lr: c.lr * WARM_START_SCHEDULE.lrScale, warmupFraction: WARM_START_SCHEDULE.warmupFraction }
}

export interface EpochReport {
  phase: 'distill' | 'train'
  member: number
  epoch: number
  steps: number
  trainLoss: number
  trainAccuracy: number
  valLoss: number | null
  valAccuracy: number | null
  lr: number
  seconds: number
}

/** Everything needed to continue exactly where a run stopped (after a whole epoch). */
export interface TrainerCheckpoint {
  phase: 'distill' | 'train'
  member: number
  /** Completed epochs of the current phase/member. */
  epoch: number
  sinceBest: number
  bestValLoss: number
  history: EpochReport[]
  optimizer: AdamWState
  weights: Map<string, Float32Array>
  best: Map<string, Float32Array> | null
  /** Weights the members start from (warm start or distilled); null = fresh init per member. */
  start: Map<string, Float32Array> | null
  finished: Map<string, Float32Array>[]
}

export interface RewardTrainData {
  sequences: readonly RewardSequence[]
  train: readonly PreferencePair[]
  val: readonly PreferencePair[]
  /** Distillation: sequence indices and the parent's score for each. */
  distill?: { indices: readonly number[]; targets: Float32Array }
}

/** A seed mixed from several integers (splitmix-style), so streams for (member, epoch) never collide. */
export function mixSeed(...parts: number[]): number {
  let h = 0x9e3779b9
  for (const p of parts) {
    h = Math.imul(h ^ (p >>> 0), 0x85ebca6b) >>> 0
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0
    h ^= h >>> 16
  }
  return h >>> 0
}

export function learningRateAt(
  c: Pick<RewardTrainConfig, 'lr' | 'warmupFraction' | 'minLrFraction'>,
  step: number,
  total: number
): number {
  const warm = Math.max(1, Math.round(c.warmupFraction * total))
  if (step < warm) return (c.lr * (step + 1)) / warm
  const progress = Math.min(1, (step - warm) / Math.max(1, total - warm))
  return c.lr * (c.minLrFraction + (1 - c.minLrFraction) * 0.5 * (1 + Math.cos(Math.PI * progress)))
}
