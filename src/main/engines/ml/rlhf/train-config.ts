/**
 * Policy-training configurations (docs/policy.md lists every field with its default and where the
 * default comes from: TRL, OpenRLHF, Stable-Baselines3). 'tiny' is for tests and smoke runs.
 */
import { OBSERVATION_DIM } from '../../policy'

/** A policy network's sizes and weights (tfjs layout, names net.{2i}.weight / net.{2i}.bias). */
export interface PolicyWeights {
  sizes: readonly number[]
  weights: Map<string, Float32Array>
}

export interface PpoTrainConfig {
  seed: number
  observationDim: number
  policyHidden: number[]
  valueHidden: number[]
  /** Songs (episodes) per rollout. */
  episodesPerUpdate: number
  epochs: number
  minibatch: number
  lr: number
  gamma: number
  gaeLambda: number
  clipRange: number
  /** null: no value clipping. */
  clipRangeVf: number | null
  vfCoef: number
  entCoef: number
  maxGradNorm: number
  /** Per-beat KL penalty coefficient (initial value when adaptive). */
  klCoef: number
  /** Adaptive KL controller target (mean per-beat KL); null: fixed coefficient. */
  klTarget: number | null
  klHorizon: number
  /** Early stop of the epochs when approx_kl > 1.5 * targetKl; null: never. */
  targetKl: number | null
  whitenAdvantages: boolean
  /** w in total = w * learned + (1 - w) * dense. */
  rewardWeight: number
  /** Weight of the target-duration term (0: none). */
  durationWeight: number
  /** Target duration as a fraction of each song (null: none). */
  targetDurationFraction: number | null
  /** Held-out evaluation (and best checkpoint) every this many updates. */
  evalEvery: number
  /** 'auto': fused onnxruntime path on the cpu+onnxruntime backend, tfjs ops elsewhere. */
  impl: 'auto' | 'tfjs' | 'fused'
}

export const DEFAULT_PPO_TRAIN: PpoTrainConfig = {
  seed: 0,
  observationDim: OBSERVATION_DIM,
  policyHidden: [256, 256],
  valueHidden: [256, 256],
  episodesPerUpdate: 32,
  epochs: 4,
  minibatch: 256,
  lr: 3e-4,
  gamma: 1,
  gaeLambda: 0.95,
  clipRange: 0.2,
  clipRangeVf: 0.2,
  vfCoef: 0.5,
  entCoef: 0.01,
  maxGradNorm: 0.5,
  klCoef: 0.05,
  klTarget: null,
  klHorizon: 10_000,
  targetKl: 0.05,
  whitenAdvantages: true,
  rewardWeight: 0.8,
  durationWeight: 0,
  targetDurationFraction: null,
  evalEvery: 5,
  impl: 'auto'
}

export const TINY_PPO_TRAIN: PpoTrainConfig = {
  ...DEFAULT_PPO_TRAIN,
  policyHidden: [32, 32],
  valueHidden: [32, 32],
  episodesPerUpdate: 4,
  epochs: 2,
  minibatch: 64,
  evalEvery: 2
}

export interface DpoTrainConfig {
  seed: number
  observationDim: number
  policyHidden: number[]
  beta: number
  /** cDPO / robust label smoothing (probability a label is flipped). */
  labelSmoothing: number
  loss: 'sigmoid' | 'ipo'
  lr: number
  /** Pairs per optimiser step. */
  batchPairs: number
  maxGradNorm: number
  evalEvery: number
}

export const DEFAULT_DPO_TRAIN: DpoTrainConfig = {
  seed: 0,
  observationDim: OBSERVATION_DIM,
  policyHidden: [256, 256],
  beta: 0.1,
  labelSmoothing: 0,
  loss: 'sigmoid',
  lr: 1e-4,
  batchPairs: 8,
  maxGradNorm: 1,
  evalEvery: 5
}

export const TINY_DPO_TRAIN: DpoTrainConfig = {
  ...DEFAULT_DPO_TRAIN,
  policyHidden: [32, 32],
  batchPairs: 4,
  evalEvery: 2
}

export const PRESETS = {
  ppo: { tiny: TINY_PPO_TRAIN, default: DEFAULT_PPO_TRAIN },
  dpo: { tiny: TINY_DPO_TRAIN, default: DEFAULT_DPO_TRAIN }
} as const
