/** Request schemas of the learning side: reward models, simulated judge, jobs, exports, policies, training, iterations. */
import { z } from 'zod'
import { REQUEST_BOUNDS, id, modelFileImport } from './fields'

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
export const learningRequests = {
  'rewardModels.list': z.object({}).strict(),
  /** A path on the main side's disk (the file picker, drag and drop, or a serve-mode upload's staged path). */
  'rewardModels.import': modelFileImport,
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
  'policies.import': modelFileImport,
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
