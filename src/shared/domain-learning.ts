/**
 * Domain types of the learning loop, shared by main, workers and renderer: reward-model versions and their
 * metrics, policies and training runs, iterations and the lineage of their pairs and verdicts. Plain
 * JSON-safe data; src/shared/domain.ts re-exports all of it.
 */
import type { JobState, PairStatus } from './domain'

// ---- reward models ----

/** One calibration bin: predicted P(chosen preferred) against the observed share. */
export interface CalibrationBin {
  /** Mean predicted probability in the bin. */
  predicted: number
  /** Observed fraction of pairs where the model's favoured edit was preferred (ties count 0.5). */
  observed: number
  count: number
}

/** A reward model's quality on a set of held-out pairs (docs/reward-models.md). */
export interface RewardModelMetrics {
  /** Held-out pairs evaluated: decisive + ties. */
  pairs: number
  decisive: number
  ties: number
  /** Share of decisive pairs where the preferred edit scored higher (strict); null without decisive pairs. */
  accuracy: number | null
  /** Mean |P - 0.5| over tie pairs (0 = the model also calls them even); null without ties. */
  tieDeviation: number | null
  /** Mean -log P(label) over decisive and tie pairs, ties as 0.5 targets. */
  logLoss: number | null
  /** Expected calibration error over 10 equal-width bins of P. */
  ece: number | null
  /** Share of decisive pairs the dense reward does not call even where it orders the two edits as the model does. */
  denseAgreement: number | null
  calibration: CalibrationBin[]
}

export interface RewardModelVersion {
  id: number
  name: string
  source: 'imported' | 'trained'
  parentId: number | null
  parentName: string | null
  /** ONNX file relative to the data directory (ensemble member 0 for ensembles). */
  onnxPath: string
  /** Every ensemble member's ONNX file, onnxPath first; length 1 without an ensemble. */
  memberPaths: string[]
  /** Transformer shape when the weights follow the app's architecture (warm start possible), else null. */
  architecture: Record<string, unknown> | null
  paramCount: number | null
  /** Why an imported model cannot warm-start training (null when it can). */
  warmStartNote: string | null
  config: Record<string, unknown>
  seed: number | null
  verdictsUsed: number
  verdictsHash: string | null
  /** The held-out split, fixed per version: songs on the held-out side and their verdicts. */
  validation: { songIds: number[]; verdictIds: number[] }
  metrics: RewardModelMetrics | null
  /** The parent's metrics on this version's held-out pairs. */
  parentMetrics: RewardModelMetrics | null
  /** Reward mean/std over the reference set of library edits; learned rewards are normalised with them. */
  norm: { mean: number; std: number; count: number }
  jobId: number | null
  active: boolean
  createdAt: string
}

/** Two versions on the same held-out pairs. */
export interface RewardModelComparison {
  a: string
  b: string
  /** Verdict ids of the held-out pairs both were scored on. */
  verdictIds: number[]
  metricsA: RewardModelMetrics
  metricsB: RewardModelMetrics
}

/** What a simulated-annotator session did. */
export interface SimulatedJudgeReport {
  annotatorId: number
  annotator: string
  judged: number
  ties: number
  skipped: number
  /** Answers the noise model gave instead of the hidden preference. */
  noisy: number
  /** Queued pairs left afterwards. */
  remaining: number
}

/** The result of a 'reward.train' job. */
export interface TrainRewardResult {
  name: string
  parent: string | null
  verdictsUsed: number
  heldOutPairs: number
  metrics: RewardModelMetrics | null
  parentMetrics: RewardModelMetrics | null
  activated: boolean
  /** Why the new version was not made active, when it was not. */
  activationNote: string | null
  /** How the run started: fresh weights, the parent's weights, or distilled from the parent's scores. */
  start: 'fresh' | 'warm' | 'distilled'
  /** Distillation only: how closely the pre-trained model reproduced the parent before fine-tuning. */
  distillation: { correlation: number; rmse: number; edits: number } | null
  epochs: {
    phase: 'distill' | 'train'
    member: number
    epoch: number
    trainLoss: number
    trainAccuracy: number
    valLoss: number | null
    valAccuracy: number | null
    seconds: number
  }[]
  secondsPerEpoch: number
}

/** A registered policy version (docs/policy.md): imported ONNX or written by a training run. */
export interface PolicySummary {
  id: number
  name: string
  source: 'imported' | 'trained'
  parentId: number | null
  parentName: string | null
  rewardModelId: number | null
  rewardModelName: string | null
  runId: number | null
  /** ONNX file relative to the data directory. */
  onnxPath: string
  /** Layer sizes when the weights follow the app's MLP (training can start from them), else null. */
  sizes: number[] | null
  warmStartNote: string | null
  config: Record<string, unknown>
  createdAt: string
}

/** A policy-training run with its config and lineage. */
export interface TrainingRunSummary {
  id: number
  algorithm: 'ppo' | 'dpo'
  config: Record<string, unknown>
  parentPolicyId: number | null
  parentPolicyName: string | null
  rewardModelId: number | null
  rewardModelName: string | null
  /** How many verdicts the reward-model version was trained on, and their hash. */
  rewardModelVerdicts: number | null
  rewardModelVerdictsHash: string | null
  rewardWeight: number | null
  jobId: number | null
  state: JobState | null
  progress: number
  metricsPath: string
  checkpointPath: string | null
  bestCheckpointPath: string | null
  bestScore: number | null
  bestUpdate: number | null
  policyId: number | null
  policyName: string | null
  lastMetrics: Record<string, number>
  createdAt: string
  finishedAt: string | null
}

// ---- iterations: one turn of the loop, verdicts -> reward model -> policy -> new edits -> new pairs ----

/** The stages of an iteration, in order; the verdict snapshot is taken when it is created. */
export const ITERATION_STAGES = ['reward', 'policy', 'evaluate', 'generate', 'pairs', 'done'] as const
export type IterationStage = (typeof ITERATION_STAGES)[number]
export type IterationPairRole = 'versus' | 'disagreement' | 'sentinel'

/** Every setting of an iteration, resolved before it starts, shown to the user and stored with it. */
export interface IterationSettings {
  algorithm: 'ppo' | 'dpo'
  config: 'tiny' | 'default'
  /** Songs the new policy edits (and pairs are queued for). */
  songIds: number[]
  pairs: number
  pairsByRole: Record<IterationPairRole, number>
  seed: number
  activateIfWorse: boolean
  /** Whether verdicts of simulated annotators are part of the snapshot. */
  includeSimulated: boolean
  reward: { parent: string | null; epochs: number; ensemble: number }
  policy: { parent: string | null; steps: number; rewardWeight: number }
}

export interface IterationAnnotatorCount {
  annotatorId: number
  name: string
  simulated: boolean
  verdicts: number
}

/** Means over the held-out songs of one policy's sampled edits (the same seeds for both sides). */
export interface PolicyEditScores {
  /** Who made the edits: a policy's name, or the rule baseline where there was no policy yet. */
  label: string
  dense: number
  /** Normalised learned reward under the iteration's policy reward model (null without one). */
  learned: number | null
  /** The simulated annotator's hidden preference score in [0, 1] (docs/reward-models.md). */
  hidden: number
  /** Output length / song length. */
  outputShare: number
}

export interface IterationEvaluation {
  songIds: number[]
  before: PolicyEditScores
  after: PolicyEditScores
}

export interface IterationSummary {
  id: number
  number: number
  jobId: number | null
  state: JobState | null
  stage: IterationStage
  settings: IterationSettings
  verdicts: { count: number; hash: string; annotators: IterationAnnotatorCount[] }
  rewardModel: {
    id: number
    name: string
    parentName: string | null
    activated: boolean
    activationNote: string | null
    metrics: RewardModelMetrics | null
    parentMetrics: RewardModelMetrics | null
  } | null
  policy: {
    id: number
    name: string
    runId: number
    parentName: string | null
    /** The reward-model version PPO trained against (the active one after the comparison). */
    rewardModelName: string | null
    metrics: Record<string, number>
  } | null
  evaluation: IterationEvaluation | null
  pairCounts: Record<IterationPairRole, number>
  /** Wall-clock seconds per finished stage. */
  stageSeconds: Partial<Record<IterationStage, number>>
  error: string | null
  createdAt: string
  finishedAt: string | null
}

export interface IterationExample {
  songId: number
  songTitle: string
  editId: number
  previousEditId: number
  /** Who made the previous edit: the parent policy's name, or 'rule' for the first iteration. */
  previousLabel: string
}

export interface IterationPair {
  pairId: number
  role: IterationPairRole
  songId: number
  status: PairStatus
  editAId: number
  editBId: number
  /** Sentinel pairs: the edit expected to win (the policy's, against a random edit). */
  expectedEditId: number | null
  disagreement: number | null
}

export interface IterationDetail extends IterationSummary {
  examples: IterationExample[]
  pairs: IterationPair[]
  /** Judged sentinel pairs and how many verdicts picked the expected edit. */
  sentinels: { judged: number; agreed: number }
}

/** A pair's lineage: which iteration queued it, and per side the policy, reward model and verdicts behind it. */
export interface PairLineage {
  pairId: number
  iteration: { id: number; number: number; role: IterationPairRole } | null
  sides: {
    editId: number
    generator: string
    policy: { id: number; name: string; runId: number | null } | null
    rewardModel: { id: number; name: string } | null
    /** The verdicts that reward model was trained on. */
    verdicts: { count: number; hash: string | null } | null
    /** The iteration that trained that policy, if one did. */
    iteration: { id: number; number: number } | null
  }[]
}

/** A verdict's descendants: the reward models and iterations trained on it, their policies and pairs. */
export interface VerdictLineage {
  verdictId: number
  rewardModels: { id: number; name: string }[]
  iterations: { id: number; number: number; policyId: number | null; policyName: string | null; pairIds: number[] }[]
}
