/** Request schemas of the library and listening side: app, settings, songs, edits, pairs, verdicts, annotators. */
import { z } from 'zod'
import { ACTION_COUNT } from '../actions'
import { settingsSchema } from '../settings'
import { REQUEST_BOUNDS, durationMs, generatorName, id } from './fields'

export const libraryRequests = {
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
  'annotators.stats': z.object({ annotatorId: id }).strict()
} as const
