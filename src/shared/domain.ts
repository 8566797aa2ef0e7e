/**
 * Domain types shared by main, workers and renderer. Plain data only: everything here is JSON-safe, except
 * the main-side records (typed arrays) in the section marked so, which never cross the contract.
 */

import type { ErrorKind } from './result'

export type SongStatus = 'queued' | 'analysing' | 'ready' | 'failed'

export interface SongSummary {
  id: number
  title: string
  artist: string | null
  durationS: number
  sampleRate: number
  channels: number
  tempoBpm: number | null
  beatCount: number | null
  beatsPerBar: number | null
  status: SongStatus
  error: string | null
  featureVersion: number | null
  /** Path of the original audio relative to the data directory. */
  audioPath: string
  createdAt: string
}

export interface BeatGrid {
  songId: number
  /** Beat onset times in seconds. */
  times: number[]
  /** 0-based position of each beat inside its bar (0 = downbeat). */
  barPosition: number[]
  /** 0-based bar index of each beat. */
  barIndex: number[]
  /** True where a phrase starts at this beat. */
  phraseStart: boolean[]
  /** 0..1 confidence of each beat. */
  confidence: number[]
  beatsPerBar: number
  tempoBpm: number
}

/** A song's per-beat features, one row of FEATURE_DIM numbers per beat. */
export interface FeatureMatrix {
  songId: number
  beats: number
  dim: number
  features: number[][]
}

export interface Waveform {
  songId: number
  /** min/max pairs per bucket over the mono downmix, interleaved [min0, max0, min1, max1, ...]. */
  peaks: number[]
  durationS: number
}

export interface EditSegment {
  /** Source range in seconds (one beat's audio; beat 0 may include the lead-in, the last beat the tail). */
  srcStart: number
  srcEnd: number
  /** Where the segment starts in the output, seconds (exactly outputSample / sampleRate). */
  outStart: number
  /**
   * Equal-power crossfade (seconds) from the previous segment into this one, centred on outStart;
   * 0 for the first segment and wherever the previous segment continues seamlessly. docs/actions.md.
   */
  fadeIn: number
  /** Gain envelope applied over the segment: 'flat' or a fade for FADE_IN/FADE_OUT beats. */
  gain: 'flat' | 'fade_in' | 'fade_out'
  /** Index of the source beat whose audio this segment plays. */
  beat: number
  /** Action id of the beat that put this segment here (see `cause`). */
  action: number
  /** Index of the beat whose action produced this segment: == beat except for repeats made by LOOP_BAR and JUMP. */
  cause: number
}

export interface EditSummary {
  id: number
  songId: number
  generator: string
  policyId: number | null
  policyVersion: number | null
  seed: number | null
  targetDurationS: number | null
  outputDurationS: number
  contentHash: string
  createdAt: string
  /** Rendered WAV relative to the data directory, or null if not rendered yet. */
  renderPath: string | null
}

// ---- main-side records (typed arrays; the analyser, the edit engine and the database share them) ----

/** One song's beat analysis as the analyser produces it (engines/analysis/analyze.ts). */
export interface SongAnalysis {
  featureVersion: number
  tempoBpm: number
  /** 4 by default, 3 when the 3/4 evidence is clear. */
  beatsPerBar: number
  /** Seconds. */
  beatTimes: Float64Array
  /** 0 = downbeat. */
  barPosition: Int32Array
  /** 0-based bar number; beats before the first downbeat (a pickup) are bar 0. */
  barIndex: Int32Array
  /** 1 where a phrase starts. */
  phraseStart: Uint8Array
  /** 0..1 per beat. */
  confidence: Float32Array
  /** beatCount x FEATURE_DIM, row-major, all finite. */
  features: Float32Array
}

/** The analysis as stored with its song: also the feature width it was computed at and the waveform overview. */
export interface StoredAnalysis extends SongAnalysis {
  featureDim: number
  waveform: Float32Array
}

/** What storing a new edit takes: the summary's fields the database does not assign, with its actions and segments. */
export type NewEdit = Omit<EditSummary, 'id' | 'createdAt' | 'renderPath'> & {
  actions: Uint8Array
  segments: EditSegment[]
}

/**
 * Target durations an edit may ask for, as fractions of the song's length (docs/actions.md): a
 * target outside [minFraction, maxFraction] x song is refused when the edit is generated.
 */
export const TARGET_DURATION_RANGE = { minFraction: 0.25, maxFraction: 2 } as const

export interface EditDetail extends EditSummary {
  actions: number[]
  segments: EditSegment[]
}

export type PairStatus = 'queued' | 'judged' | 'skipped'

export interface PairSummary {
  id: number
  songId: number
  editAId: number
  editBId: number
  priority: number
  status: PairStatus
  /** Set when this pair is a self-consistency repeat of an earlier judged pair. */
  repeatOfPairId: number | null
  /** Verdicts (from distinct annotators) the pair needs before it leaves the queue: 1, or more for an overlap pair. */
  requiredVerdicts: number
  createdAt: string
}

/** A pair as the A/B screen shows it: sides randomised and provenance hidden until the verdict. */
export interface PairPresentation {
  pairId: number
  songId: number
  songTitle: string
  /** Edit shown as "A" and as "B" (already randomised). */
  shownA: EditDetail
  shownB: EditDetail
  isRepeat: boolean
  beatGrid: BeatGrid
  /** Pairs this annotator could be given after this one (the one presented is not counted). */
  remainingInQueue: number
  /** When the pair returns to the queue unless judged (ISO time); pairs.next again renews it. */
  leaseExpiresAt: string
}

export type VerdictChoice = 'a' | 'b' | 'tie' | 'both_bad' | 'skip'

export interface ProblemMark {
  side: 'a' | 'b'
  /** Output time in the marked edit, seconds. */
  atS: number
}

export interface VerdictRecord {
  id: number
  pairId: number
  annotatorId: number
  verdict: VerdictChoice
  strength: 1 | 2 | null
  shownAEditId: number
  shownBEditId: number
  chosenEditId: number | null
  rejectedEditId: number | null
  listenedAMs: number
  listenedBMs: number
  switches: number
  decisionMs: number
  marks: ProblemMark[]
  note: string | null
  /** Quick reason tags chosen on the A/B screen (labels from Settings.reasonTags). */
  tags: string[]
  createdAt: string
  appVersion: string
  supersededAt: string | null
}

export interface Annotator {
  id: number
  name: string
  createdAt: string
}

export interface AnnotatorStats {
  annotatorId: number
  judged: number
  skipped: number
  pairsPerHour: number | null
  /** Fraction of repeated pairs where the verdict agreed with the earlier one, null when none yet. */
  selfConsistency: number | null
  repeatsJudged: number
  /**
   * Inter-annotator agreement: Krippendorff's alpha (ordinal, on the 5-point preference scale) over the
   * overlap pairs this annotator judged together with others, all their judges' verdicts included; null
   * until such a pair exists or when the verdicts show no variation.
   */
  interAnnotatorAlpha: number | null
  /** Overlap pairs behind interAnnotatorAlpha (this annotator and at least one other gave a preference). */
  overlapPairsJudged: number
  /** Agreement with the current reward model, null until one exists. */
  rewardModelAgreement: number | null
}

export type JobState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled' | 'interrupted'

export interface JobSummary {
  id: number
  kind: string
  /** Human name of the kind, e.g. 'Analyse songs'. */
  title: string
  state: JobState
  /** 0..1 */
  progress: number
  etaS: number | null
  message: string | null
  metrics: Record<string, number>
  error: string | null
  /** What kind of failure ended the job (e.g. 'corrupt' for an undecodable file), null unless it failed. */
  errorKind: ErrorKind | null
  resumable: boolean
  createdAt: string
  startedAt: string | null
  finishedAt: string | null
}

export interface ComputeBackendInfo {
  /** Name of the tfjs backend in use for training, e.g. 'tensorflow-gpu', 'tensorflow', 'cpu+onnxruntime'. */
  training: string
  /** Inference runtime, e.g. 'onnxruntime-node (cpu)'. */
  inference: string
  /** Why faster backends were not used, one line each. */
  notes: string[]
}

export interface AppInfo {
  appVersion: string
  dataDir: string
  schemaVersion: number
  /** The newest schema this app writes (a database at an older one is migrated when opened for writing). */
  latestSchemaVersion: number
  transport: 'electron' | 'http' | 'cli'
  backend: ComputeBackendInfo
  featureVersion: number
}

// Settings are defined by their zod schema (src/shared/settings.ts), shared by the contract and the settings query.
export { DEFAULT_SETTINGS, type Settings } from './settings'

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
