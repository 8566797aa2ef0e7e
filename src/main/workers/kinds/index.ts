import { z } from 'zod'
import { AppFailure, type ErrorKind } from '../../../shared/result'
import { createJobContext, type JobContext } from '../job-context'
import { requestSchemas } from '../../../shared/api'
import type { FromWorker, JobWorkerInit } from '../messages'
import { policyTrainCheckpointSchema } from '../../services/policies/run-config'
import { ITERATION_STAGES } from '../../../shared/domain'

/** Who may start a kind: clients through the contract's jobs.start, only the app itself, or only tests. */
export type JobStarter = 'clients' | 'app' | 'tests'

export interface JobKindSpec<Config extends z.ZodType, Checkpoint extends z.ZodType> {
  /** Human name shown in the Jobs view. */
  title: string
  /** Whether an interrupted, cancelled or failed job continues from its last checkpoint. */
  resumable: boolean
  startedBy: JobStarter
  config: Config
  checkpoint: Checkpoint
  /** Imports the runner; called only inside the worker thread, so heavy modules never load on the main side. */
  load: () => Promise<(ctx: JobContext<z.output<Config>, z.output<Checkpoint>>) => Promise<unknown>>
}

/** The same operations for every kind, so code that holds any kind needs no casts. */
export interface JobKindEntry {
  readonly title: string
  readonly resumable: boolean
  readonly startedBy: JobStarter
  /** Parses a config; AppFailure naming `config.<field>` when it does not fit. */
  parseConfig(raw: unknown, failAs?: ErrorKind): unknown
  /** Parses a checkpoint (null stays null); AppFailure naming `checkpoint.<field>` when it does not fit. */
  parseCheckpoint(raw: unknown, failAs?: ErrorKind): unknown
  /** Worker side: parses config and checkpoint, loads the runner and runs it. */
  run(init: JobWorkerInit, post: (m: FromWorker) => void, isCancelled: () => boolean): Promise<unknown>
}

function parseWith<S extends z.ZodType>(schema: S, raw: unknown, what: string, failAs: ErrorKind): z.output<S> {
  const parsed = schema.safeParse(raw)
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0]
  const field = [what, ...(issue?.path ?? []).map(String)].join('.')
  throw new AppFailure(failAs, `${field}: ${issue?.message ?? 'invalid'}`, field)
}

function jobKind<Config extends z.ZodType, Checkpoint extends z.ZodType>(
  spec: JobKindSpec<Config, Checkpoint>
): JobKindSpec<Config, Checkpoint> & JobKindEntry {
  const parseConfig = (raw: unknown, failAs: ErrorKind = 'validation'): z.output<Config> =>
    parseWith(spec.config, raw, 'config', failAs)
  const parseCheckpoint = (raw: unknown, failAs: ErrorKind = 'validation'): z.output<Checkpoint> | null =>
    raw === null || raw === undefined ? null : parseWith(spec.checkpoint, raw, 'checkpoint', failAs)
  return {
    ...spec,
    parseConfig,
    parseCheckpoint,
    async run(init, post, isCancelled) {
      const config = parseConfig(init.config, 'internal')
      const checkpoint = parseCheckpoint(init.checkpoint, 'corrupt')
      const runner = await spec.load()
      return runner(createJobContext({ ...init, config, checkpoint }, post, isCancelled))
    }
  }
}

const songId = z.number().int().positive()

export const demoCountConfig = z
  .object({
    steps: z.number().int().min(1).max(10_000).default(20),
    delayMs: z.number().int().min(0).max(5_000).default(50)
  })
  .strict()
export const demoCountCheckpoint = z.object({ step: z.number().int().min(0).max(10_000) }).strict()

export const songsAnalyseConfig = z.object({ songIds: z.array(songId).min(1).max(100_000) }).strict()
export const songsAnalyseCheckpoint = z.object({ done: z.array(songId).max(100_000) }).strict()

export const demoLibraryConfig = z.object({ pairsPerSong: z.number().int().min(1).max(20).default(3) }).strict()

export const rewardTrainConfig = requestSchemas['rewardModels.train']
export const policyTrainConfig = z.object({ runId: z.number().int().positive() }).strict()
export const rewardTrainCheckpoint = z
  .object({
    verdictIds: z.array(z.number().int().positive()),
    parentId: z.number().int().positive().nullable(),
    heldOutSongIds: z.array(songId),
    file: z.string().min(1).max(512).nullable(),
    epochsDone: z.number().int().min(0)
  })
  .strict()

export const iterationRunConfig = z.object({ iterationId: z.number().int().positive() }).strict()
/** The stage being run and that stage's own training state (the iteration row holds the finished stages' ids). */
export const iterationRunCheckpoint = z
  .object({
    stage: z.enum(ITERATION_STAGES),
    reward: rewardTrainCheckpoint.nullable(),
    policy: policyTrainCheckpointSchema.nullable()
  })
  .strict()

/**
 * The job registry: every job kind is one entry here, with its config schema, its checkpoint schema and
 * a lazy runner. The runner's context is typed by the two schemas, so they cannot drift apart; the job
 * runner parses the config on start, every checkpoint a worker sends before storing it, and both again
 * when resuming from SQLite. Keep schemas in this file or in a light module (the main side imports this
 * one; runners load only in their worker). To add a kind (e.g. 'reward.train'): export its config and
 * checkpoint schemas, add `'reward.train': jobKind({ title, resumable, startedBy, config, checkpoint,
 * load })`, and type its runner as `(ctx: JobContext<z.output<typeof config>, z.output<typeof checkpoint>>)`.
 * startedBy 'clients' makes it startable through jobs.start; 'tests' kinds are refused there unless the
 * server runs with EDITORBOT_TEST_JOB_KINDS=1 (the e2e test server only).
 */
export const JOB_KINDS = {
  /** Counts to `steps` with a delay; exercises progress, cancel and resume end to end. */
  'demo.count': jobKind({
    title: 'Self-test counter',
    resumable: true,
    startedBy: 'tests',
    config: demoCountConfig,
    checkpoint: demoCountCheckpoint,
    load: async () => (await import('./demo-count')).runDemoCount
  }),
  /** Decodes and analyses queued songs (beats, bars, phrases, features). */
  'songs.analyse': jobKind({
    title: 'Analyse songs',
    resumable: true,
    startedBy: 'app',
    config: songsAnalyseConfig,
    checkpoint: songsAnalyseCheckpoint,
    load: async () => (await import('./songs-analyse')).runSongsAnalyse
  }),
  /** First start: writes the demo songs, analyses them and queues pairs. */
  'demo.library': jobKind({
    title: 'Build demo library',
    resumable: false,
    startedBy: 'app',
    config: demoLibraryConfig,
    checkpoint: z.never(),
    load: async () => (await import('./demo-library')).runDemoLibrary
  }),
  /** Trains the next reward-model version from the verdicts (services/reward-models/train.ts). */
  'reward.train': jobKind({
    title: 'Train reward model',
    resumable: true,
    startedBy: 'app',
    config: rewardTrainConfig,
    checkpoint: rewardTrainCheckpoint,
    load: async () => (await import('./reward-train')).runRewardTrain
  }),
  /** Trains a policy with PPO or DPO for one training run (services/policies/train-run.ts). */
  'policy.train': jobKind({
    title: 'Train policy',
    resumable: true,
    startedBy: 'app',
    config: policyTrainConfig,
    checkpoint: policyTrainCheckpointSchema,
    load: async () => (await import('./policy-train')).runPolicyTrain
  }),
  /** One iteration of the loop: reward vN+1, policy, evaluation, edits, pairs (services/iterations/run.ts). */
  'iteration.run': jobKind({
    title: 'Run iteration',
    resumable: true,
    startedBy: 'app',
    config: iterationRunConfig,
    checkpoint: iterationRunCheckpoint,
    load: async () => (await import('./iteration-run')).runIterationJob
  })
} as const

export type JobKind = keyof typeof JOB_KINDS
/** What a caller passes to start a kind (defaults not yet applied). */
export type JobConfigInput<K extends JobKind> = z.input<(typeof JOB_KINDS)[K]['config']>

export function isJobKind(kind: string): kind is JobKind {
  return Object.hasOwn(JOB_KINDS, kind)
}

/** The kind's entry, or undefined for a kind this app does not know (e.g. a row written by a newer app). */
export function jobKindEntry(kind: string): JobKindEntry | undefined {
  return isJobKind(kind) ? JOB_KINDS[kind] : undefined
}

export const RESUMABLE_JOB_KINDS: ReadonlySet<string> = new Set(
  Object.entries(JOB_KINDS)
    .filter(([, k]) => k.resumable)
    .map(([name]) => name)
)
