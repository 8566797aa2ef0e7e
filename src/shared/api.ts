/**
 * The one API contract between the renderer and the main side. Both transports (Electron IPC via the
 * preload, and HTTP/WebSocket in serve mode) carry exactly these requests and events.
 * Inputs are validated with these zod schemas in main; outputs come back as Result values.
 */
import { z } from 'zod'
import type {
  FeatureMatrix,
  Annotator,
  AnnotatorStats,
  AppInfo,
  BeatGrid,
  EditDetail,
  EditSummary,
  JobState,
  JobSummary,
  PairPresentation,
  PairSummary,
  Settings,
  SongSummary,
  VerdictRecord,
  Waveform
} from './domain'
import type { ErrorKind, Result } from './result'
import { ACTION_COUNT } from './actions'
import type { RewardModelComparison, RewardModelVersion, SimulatedJudgeReport, TrainRewardResult } from './domain'
import type { PolicySummary, TrainingRunSummary } from './domain'
import type {
  IterationAnnotatorCount,
  IterationDetail,
  IterationSettings,
  IterationSummary,
  PairLineage,
  VerdictLineage
} from './domain'
import { settingsSchema } from './settings'

const id = z.number().int().positive()

/**
 * Physical bounds for numbers in requests: nothing the app handles is longer, so a larger value is a
 * bug or an attack (1e308 ms would poison every mean and the export), never a real measurement.
 */
export const REQUEST_BOUNDS = {
  /** A listening session's telemetry (heard time, decision time): one day. */
  maxDurationMs: 86_400_000,
  /** Longest edit output: two import-limit songs' worth, loops and repeats included. */
  maxOutputS: 4 * 3600,
  /** Beats in the longest song accepted (2 h at 300 BPM is 36,000). */
  maxBeats: 100_000,
  maxSwitches: 100_000,
  maxMarks: 1000,
  /** Pair priorities order the queue; any finite range would do, this one keeps them readable. */
  maxAbsPriority: 1_000_000,
  /** Seeds feed a 32-bit PRNG (src/shared/random.ts). */
  maxSeed: 2 ** 32 - 1
} as const
const durationMs = z.number().min(0).max(REQUEST_BOUNDS.maxDurationMs)
const generatorName = z
  .string()
  .regex(/^(identity|rule|random|policy:\d+)$/, 'expected identity, rule, random or policy:<id>')

/** What `export --what` writes (services/exports: one exporter per kind). */
export const EXPORT_KINDS = ['preferences', 'models', 'policies', 'edits', 'metrics', 'project'] as const
export type ExportKind = (typeof EXPORT_KINDS)[number]

/** One turn of the loop (services/iterations): what `editorbot iterate` and "Run next iteration" send. */
const iterationRequest = z
  .object({
    algorithm: z.enum(['ppo', 'dpo']).default('ppo'),
    config: z.enum(['tiny', 'default']).default('default'),
    /** Songs the new policy edits and pairs are queued for. */
    songs: z.union([z.literal('all'), z.array(id).min(1).max(10_000)]).default('all'),
    /** New pairs to queue: about half new policy vs previous, the rest disagreement-ranked and sentinel pairs. */
    pairs: z.number().int().min(1).max(1000).default(6),
    seed: z.number().int().min(0).max(REQUEST_BOUNDS.maxSeed).default(1),
    /** Activate the new reward model even when it is worse than its parent on held-out pairs. */
    activateIfWorse: z.boolean().default(false),
    includeSimulated: z.boolean().default(true),
    /** PPO: environment steps; DPO: optimiser steps (default from the config). */
    steps: z.number().int().min(1).max(1e9).optional()
  })
  .strict()

export const requestSchemas = {
  'app.info': z.object({}).strict(),
  'settings.get': z.object({}).strict(),
  'settings.update': settingsSchema.partial().strict(),

  'songs.list': z.object({}).strict(),
  'songs.get': z.object({ songId: id }).strict(),
  /** Paths on the main side's disk (Electron file dialog / drag and drop, or a serve-mode upload's staged path). */
  'songs.import': z.object({ paths: z.array(z.string().min(1)).min(1) }).strict(),
  'songs.beats': z.object({ songId: id }).strict(),
  'songs.waveform': z.object({ songId: id, buckets: z.number().int().min(16).max(8192) }).strict(),
  /** The song's [beats x FEATURE_DIM] per-beat feature matrix (docs/features.md). */
  'songs.features': z.object({ songId: id }).strict(),

  'edits.list': z.object({ songId: id.optional() }).strict(),
  'edits.get': z.object({ editId: id }).strict(),
  'edits.generate': z
    .object({
      songId: id,
      generator: generatorName,
      targetDurationS: z.number().positive().max(REQUEST_BOUNDS.maxOutputS).optional(),
      seed: z.number().int().min(0).max(REQUEST_BOUNDS.maxSeed).optional(),
      /** policy:<id> only: the most probable allowed action at every beat instead of sampling with the seed. */
      greedy: z.boolean().optional()
    })
    .strict(),
  'edits.create': z
    .object({
      songId: id,
      actions: z
        .array(
          z
            .number()
            .int()
            .min(0)
            .max(ACTION_COUNT - 1)
        )
        .max(REQUEST_BOUNDS.maxBeats),
      generator: z.string().min(1).max(64).default('manual')
    })
    .strict(),
  /** Renders (or returns the cached render of) an edit; the value is a path relative to the data directory. */
  'edits.render': z.object({ editId: id }).strict(),

  'pairs.list': z.object({ status: z.enum(['queued', 'judged', 'skipped']).optional() }).strict(),
  'pairs.queue': z.object({ songId: id, count: z.number().int().min(1).max(100) }).strict(),
  'pairs.create': z
    .object({
      editAId: id,
      editBId: id,
      priority: z.number().min(-REQUEST_BOUNDS.maxAbsPriority).max(REQUEST_BOUNDS.maxAbsPriority).optional()
    })
    .strict(),
  /**
   * Next pair for this annotator, sides randomised, leased to them (Settings.leaseMinutes) so no other
   * annotator gets it meanwhile; asking again returns the same pair and renews the lease. Null when
   * nothing is left for this annotator.
   */
  'pairs.next': z
    .object({
      annotatorId: id,
      /** Pairs not to present (already on screen or prefetched), so the screen can load the one after. */
      exclude: z.array(id).max(16).default([])
    })
    .strict(),

  'verdicts.submit': z
    .object({
      pairId: id,
      annotatorId: id,
      verdict: z.enum(['a', 'b', 'tie', 'both_bad', 'skip']),
      strength: z
        .union([z.literal(1), z.literal(2)])
        .nullable()
        .default(null),
      shownAEditId: id,
      shownBEditId: id,
      listenedAMs: durationMs,
      listenedBMs: durationMs,
      switches: z.number().int().min(0).max(REQUEST_BOUNDS.maxSwitches),
      decisionMs: durationMs,
      marks: z
        .array(z.object({ side: z.enum(['a', 'b']), atS: z.number().min(0).max(REQUEST_BOUNDS.maxOutputS) }).strict())
        .max(REQUEST_BOUNDS.maxMarks)
        .default([]),
      note: z.string().max(2000).nullable().default(null),
      /** Reason-tag labels (Settings.reasonTags); stored with the verdict and exported. */
      tags: z.array(z.string().trim().min(1).max(40)).max(9).default([])
    })
    .strict(),
  /**
   * A scripted verdict (CLI `judge`): nothing is shown, so A and B are the pair's own order, no listening
   * time is claimed and the must-listen rule is waived; the annotator is named (created when new). Only the
   * CLI transport serves it (CLI_ONLY_REQUESTS): over HTTP and IPC it is refused, so no page can judge
   * without listening.
   */
  'verdicts.record': z
    .object({
      pairId: id,
      annotator: z.string().trim().min(1).max(64),
      verdict: z.enum(['a', 'b', 'tie', 'both_bad', 'skip']),
      strength: z
        .union([z.literal(1), z.literal(2)])
        .nullable()
        .default(null),
      note: z.string().max(2000).nullable().default(null)
    })
    .strict(),
  'verdicts.undo': z.object({ annotatorId: id }).strict(),
  'verdicts.list': z.object({ annotatorId: id.optional() }).strict(),

  'annotators.list': z.object({}).strict(),
  'annotators.create': z.object({ name: z.string().trim().min(1).max(64) }).strict(),
  'annotators.stats': z.object({ annotatorId: id }).strict(),

  'rewardModels.list': z.object({}).strict(),
  /** A path on the main side's disk (the file picker, drag and drop, or a serve-mode upload's staged path). */
  'rewardModels.import': z
    .object({
      path: z.string().min(1).max(4096),
      name: z
        .string()
        .regex(
          /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/,
          "1-64 letters, digits, '.', '_' or '-', starting with a letter or digit"
        )
    })
    .strict(),
  /** Makes a version active (also the roll back): the user's choice overrides the not-worse-than-parent rule. */
  'rewardModels.activate': z.object({ name: z.string().min(1).max(64) }).strict(),
  /** Both versions on the same held-out pairs. */
  'rewardModels.compare': z.object({ a: z.string().min(1).max(64), b: z.string().min(1).max(64) }).strict(),
  /** The raw model output for an edit, exactly what the ONNX file computes (no normalisation). */
  'rewardModels.score': z.object({ model: z.string().min(1).max(64), editId: id }).strict(),
  /** Starts a 'reward.train' job training the next version vN+1 (the job config is this object). */
  'rewardModels.train': z
    .object({
      /** Parent version; default the active one (none: trained from scratch). */
      parent: z.string().min(1).max(64).optional(),
      epochs: z.number().int().min(1).max(500).optional(),
      seed: z
        .number()
        .int()
        .min(0)
        .max(2 ** 32 - 1)
        .default(1),
      config: z.enum(['tiny', 'default']).default('default'),
      ensemble: z.number().int().min(1).max(5).default(1),
      includeSimulated: z.boolean().default(false),
      /** auto: active when not worse than its parent on held-out pairs; always / never. */
      activate: z.enum(['auto', 'always', 'never']).default('auto')
    })
    .strict(),
  /** The result of a finished reward training job: the new version, its metrics next to its parent's, per-epoch history. */
  'rewardModels.trainResult': z.object({ jobId: id }).strict(),
  /** Continues an interrupted, cancelled or failed reward training job from its last epoch checkpoint. */
  'rewardModels.resume': z.object({ jobId: id }).strict(),
  /** The built-in simulated annotator judges queued pairs through pairs.next + verdicts.submit. */
  'judge.simulate': z
    .object({
      noise: z.number().min(0).max(1).default(0.1),
      count: z.number().int().min(1).max(100_000).default(50),
      seed: z
        .number()
        .int()
        .min(0)
        .max(2 ** 32 - 1)
        .default(1),
      tieMargin: z.number().min(0).max(1).default(0.01),
      skipRate: z.number().min(0).max(1).default(0),
      annotator: z.string().trim().min(1).max(64).default('simulated')
    })
    .strict(),

  'jobs.list': z.object({}).strict(),
  'jobs.cancel': z.object({ jobId: id }).strict(),
  'jobs.resume': z.object({ jobId: id }).strict(),
  /**
   * Starts a job of a kind the job registry exposes to clients (src/main/workers/kinds/index.ts); the
   * config is parsed there with that kind's own schema (errors name `config.<field>`). Test-only kinds
   * are refused.
   */
  'jobs.start': z
    .object({
      kind: z.string().min(1).max(64),
      config: z.unknown().default({})
    })
    .strict(),

  /**
   * Writes an export on the main side's disk: a file (preferences, metrics, project archive) or a folder
   * (models, policies, edits); `format` applies to preferences and metrics. Serve mode confines `out` to
   * the data directory's exports/ folder.
   */
  'exports.write': z
    .object({
      what: z.enum(EXPORT_KINDS),
      format: z.enum(['jsonl', 'csv']).default('jsonl'),
      out: z.string().min(1).max(4096)
    })
    .strict(),

  'policies.list': z.object({}).strict(),
  /** An ONNX policy (obs float32[B,889] -> logits float32[B,9]); a wrong signature stores nothing. */
  'policies.import': z
    .object({
      path: z.string().min(1).max(4096),
      name: z
        .string()
        .regex(
          /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/,
          "1-64 letters, digits, '.', '_' or '-', starting with a letter or digit"
        )
    })
    .strict(),
  /** A/B pairs of the policy against another (default its parent or the policy before it) on recent songs. */
  'policies.queuePairs': z
    .object({
      policyId: id,
      against: id.optional(),
      count: z.number().int().min(1).max(100).default(3),
      seed: z.number().int().min(0).max(REQUEST_BOUNDS.maxSeed).default(1)
    })
    .strict(),
  /** Starts a policy-training run as a 'policy.train' job (docs/policy.md). */
  'training.start': z
    .object({
      algorithm: z.enum(['ppo', 'dpo']),
      /** PPO: environment steps; DPO: optimiser steps. */
      steps: z.number().int().min(1).max(1e9),
      /** Reward-model version by name (PPO); default the active one, none: dense reward only. */
      rewardModel: z.string().min(1).max(64).optional(),
      rewardWeight: z.number().min(0).max(1).default(0.8),
      seed: z.number().int().min(0).max(REQUEST_BOUNDS.maxSeed).default(1),
      config: z.enum(['tiny', 'default']).default('default'),
      /** Policy to start from (and the reference policy); default a fresh network. */
      parent: z.string().min(1).max(64).optional(),
      /** Optional duration term: aim at this fraction of each song's length. */
      targetDurationFraction: z.number().positive().max(4).optional(),
      /** DPO: also train on the simulated annotator's verdicts. */
      includeSimulated: z.boolean().default(false)
    })
    .strict(),
  'training.resume': z.object({ runId: id }).strict(),
  'training.runs': z.object({}).strict(),
  'training.get': z.object({ runId: id }).strict(),
  /** The run's logged metrics from line `since` on (poll with the returned `next`). */
  'training.metrics': z.object({ runId: id, since: z.number().int().min(0).default(0) }).strict(),

  'iterations.list': z.object({}).strict(),
  'iterations.get': z.object({ iterationId: id }).strict(),
  /** Every setting the next iteration would run with, resolved, and the verdicts it would train on; starts nothing. */
  'iterations.plan': iterationRequest,
  /** Snapshots the verdicts and starts the next iteration as one resumable 'iteration.run' job. */
  'iterations.start': iterationRequest,
  'iterations.pairLineage': z.object({ pairId: id }).strict(),
  'iterations.verdictLineage': z.object({ verdictId: id }).strict()
} as const

export type RequestName = keyof typeof requestSchemas
export type RequestInput<K extends RequestName> = z.input<(typeof requestSchemas)[K]>
export type ParsedInput<K extends RequestName> = z.output<(typeof requestSchemas)[K]>

export interface ResponseMap {
  'app.info': AppInfo
  'settings.get': Settings
  'settings.update': Settings
  'songs.list': SongSummary[]
  'songs.get': SongSummary
  'songs.import': { reports: ImportReport[]; jobId: number | null }
  'songs.beats': BeatGrid
  'songs.waveform': Waveform
  'songs.features': FeatureMatrix
  'edits.list': EditSummary[]
  'edits.get': EditDetail
  'edits.generate': EditDetail
  'edits.create': EditDetail
  /** loudnessLufs: the render's integrated loudness (ITU-R BS.1770), null for silence. */
  'edits.render': { editId: number; renderPath: string; durationS: number; loudnessLufs: number | null }
  'pairs.list': PairSummary[]
  'pairs.queue': PairSummary[]
  'pairs.create': PairSummary
  'pairs.next': PairPresentation | null
  'verdicts.submit': VerdictRecord
  'verdicts.record': VerdictRecord
  'verdicts.undo': VerdictRecord | null
  'verdicts.list': VerdictRecord[]
  'annotators.list': Annotator[]
  'annotators.create': Annotator
  'annotators.stats': AnnotatorStats
  'rewardModels.list': RewardModelVersion[]
  'rewardModels.import': RewardModelVersion
  'rewardModels.activate': RewardModelVersion
  'rewardModels.compare': RewardModelComparison
  'rewardModels.score': { model: string; edit: number; reward: number }
  'rewardModels.train': JobSummary
  'rewardModels.resume': JobSummary
  'rewardModels.trainResult': TrainRewardResult
  'judge.simulate': SimulatedJudgeReport
  'jobs.list': JobSummary[]
  'jobs.cancel': JobSummary
  'jobs.resume': JobSummary
  'jobs.start': JobSummary
  'exports.write': ExportSummary
  'policies.list': PolicySummary[]
  'policies.import': PolicySummary
  'policies.queuePairs': PairSummary[]
  'training.start': TrainingRunSummary
  'training.resume': TrainingRunSummary
  'training.runs': TrainingRunSummary[]
  'training.get': TrainingRunSummary
  'training.metrics': { runId: number; rows: Record<string, number | null>[]; next: number }
  'iterations.list': IterationSummary[]
  'iterations.get': IterationDetail
  'iterations.plan': IterationPlan
  'iterations.start': IterationSummary
  'iterations.pairLineage': PairLineage
  'iterations.verdictLineage': VerdictLineage
}

/** What the next iteration would do, before it starts. */
export interface IterationPlan {
  number: number
  settings: IterationSettings
  verdicts: { count: number; annotators: IterationAnnotatorCount[] }
}

export type ResponseOf<K extends RequestName> = ResponseMap[K]

export interface ExportSummary {
  what: ExportKind
  /** Absolute path of the file or folder written. */
  out: string
  /** Files written, relative to `out` for a folder (the file's own name otherwise). */
  files: string[]
  /** Rows for tabular exports (preferences, metrics), items for the others. */
  count: number
  bytes: number
}

export interface ImportReport {
  path: string
  outcome: 'stored' | 'already_present' | 'failed'
  songId: number | null
  reason: string | null
}

/** Events the main side pushes to every connected renderer. */
export interface EventMap {
  'job.progress': {
    jobId: number
    kind: string
    progress: number
    etaS: number | null
    message: string | null
    metrics: Record<string, number>
  }
  'job.state': { jobId: number; kind: string; state: JobState; error: string | null; errorKind: ErrorKind | null }
  'job.log': { jobId: number; line: string }
  'songs.changed': { songIds: number[] }
  'edits.changed': { songId: number }
  'pairs.changed': { queued: number }
}
export type EventName = keyof EventMap
export const EVENT_NAMES = [
  'job.progress',
  'job.state',
  'job.log',
  'songs.changed',
  'edits.changed',
  'pairs.changed'
] as const satisfies readonly EventName[]

export const REQUEST_NAMES = Object.keys(requestSchemas) as RequestName[]

/** Requests only the CLI transport serves (scripts, not people at a screen); HTTP and IPC refuse them. */
export const CLI_ONLY_REQUESTS = ['verdicts.record'] as const satisfies readonly RequestName[]

/** What a transport gives the renderer: one typed call function and one typed subscription. */
export interface ApiClient {
  call<K extends RequestName>(name: K, input: RequestInput<K>): Promise<Result<ResponseOf<K>>>
  on<E extends EventName>(event: E, listener: (payload: EventMap[E]) => void): () => void
  /** URL the renderer can load a data-directory file from (audio renders, originals). */
  fileUrl(relativePath: string): string
  /**
   * Makes picked or dropped files importable and returns the paths to pass to 'songs.import':
   * serve mode uploads them into the data directory, Electron resolves their paths on disk.
   */
  upload(files: File[]): Promise<Result<string[]>>
  transport: 'electron' | 'http'
}
