/** Field schemas the request schemas share. */
import { z } from 'zod'

export const id = z.number().int().positive()

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
export const durationMs = z.number().min(0).max(REQUEST_BOUNDS.maxDurationMs)
export const generatorName = z
  .string()
  .regex(/^(identity|rule|random|policy:\d+)$/, 'expected identity, rule, random or policy:<id>')

/** A model file (reward model or policy) to import from the main side's disk, and its new name. */
export const modelFileImport = z
  .object({
    path: z.string().min(1).max(4096),
    name: z
      .string()
      .regex(
        /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/,
        "1-64 letters, digits, '.', '_' or '-', starting with a letter or digit"
      )
  })
  .strict()
