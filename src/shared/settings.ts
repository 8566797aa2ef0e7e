/**
 * The one settings schema: the contract's settings.update validates a patch with it and
 * db/queries/settings.ts parses what SQLite holds with it, so a stored value can never be outside the
 * bounds a request could set.
 */
import { z } from 'zod'

const id = z.number().int().positive()

/** Keys the A/B screen already uses: a reason tag cannot take one of them (src/renderer/.../logic/keys.ts). */
export const LISTEN_RESERVED_KEYS = ['a', 'b', 's', 'm', 'l', 'z', 'r', '0', '1', '2', '3', '4', '5', ' ', '?']

/** A quick reason tag: one key toggles it before the verdict; stored with the verdict and exported. */
export const reasonTagSchema = z
  .object({
    key: z
      .string()
      .regex(/^[a-z6-9]$/, 'a tag key is one lower-case letter or a digit 6-9')
      .refine((k) => !LISTEN_RESERVED_KEYS.includes(k), 'that key is already used on the A/B screen'),
    label: z.string().trim().min(1).max(40)
  })
  .strict()
export type ReasonTag = z.output<typeof reasonTagSchema>

/** One annotator's A/B screen preferences, remembered per annotator. */
export const listenPrefsSchema = z
  .object({
    /** Start playback as soon as a pair appears. */
    autoplay: z.boolean(),
    /** Go to the next pair on its own after a verdict (Z still goes back). */
    autoAdvance: z.boolean(),
    /** Delay before the auto-advance, milliseconds. */
    advanceDelayMs: z.number().int().min(0).max(10_000),
    /** The key list is hidden. */
    keysHidden: z.boolean(),
    /** Playback volume, 0..1 (after loudness matching). */
    volume: z.number().min(0).max(1)
  })
  .strict()
export type ListenPrefs = z.output<typeof listenPrefsSchema>
export const DEFAULT_LISTEN_PREFS: ListenPrefs = {
  autoplay: false,
  autoAdvance: false,
  advanceDelayMs: 1000,
  keysHidden: false,
  volume: 0.9
}

export const DEFAULT_REASON_TAGS: ReasonTag[] = [
  { key: 'q', label: 'click or glitch' },
  { key: 'w', label: 'bad loop' },
  { key: 'e', label: 'lost the hook' },
  { key: 't', label: 'too short' },
  { key: 'y', label: 'too long' },
  { key: 'u', label: 'awkward transition' }
]

export const DEFAULT_INSTRUCTIONS = [
  'You will hear two edits, A and B, of the same song. Judge which one works better as a piece of music.',
  'Listen for clicks or glitches at the joins, loops that sound mechanical, a hook or chorus that got lost, and transitions that feel awkward.',
  'Switch sides with Tab (or A / B): playback continues at the same place in the song. Space plays and pauses, R plays the original song for reference.',
  'Give your verdict with 1-5 (A much better ... B much better), 3 for a tie, 0 when both are bad, S to skip. Z undoes. Tag reasons with their keys before the verdict.'
].join('\n\n')

export const settingsSchema = z
  .object({
    /** Crossfade when switching A<->B, milliseconds. */
    switchCrossfadeMs: z.number().min(0).max(500),
    /** Each side must be heard this long before a verdict is accepted, seconds. */
    mustListenS: z.number().min(0).max(60),
    /** One pair in N is an earlier pair shown again with sides swapped; 0 disables. */
    repeatEvery: z.number().int().min(0).max(1000),
    /** Longest song accepted on import, seconds. */
    maxSongDurationS: z.number().min(5).max(7200),
    lastAnnotatorId: id.nullable(),
    /** How long a pair handed to an annotator stays reserved for them before it returns to the queue, minutes. */
    leaseMinutes: z.number().min(0.1).max(1440),
    /** Share of new pairs judged by several annotators (overlap pairs, for inter-annotator agreement), 0..1. */
    overlapShare: z.number().min(0).max(1),
    /** How many annotators judge each overlap pair. */
    overlapAnnotators: z.number().int().min(2).max(20),
    /** Blind A/B: waveforms, splices and the edit map stay hidden until the verdict. */
    blindMode: z.boolean(),
    /** Play both sides (and the reference) at the same integrated loudness (BS.1770). */
    loudnessMatch: z.boolean(),
    /** Quick reason tags offered on the A/B screen. */
    reasonTags: z
      .array(reasonTagSchema)
      .max(9)
      .refine((ts) => new Set(ts.map((t) => t.key)).size === ts.length, 'two reason tags share a key'),
    /** Shown before the first pair of each session. */
    instructions: z.string().max(4000),
    /** Pairs per session the progress counts towards; 0 = no goal. */
    sessionGoal: z.number().int().min(0).max(1000),
    /** Suggest a break every N minutes of session; 0 = never. */
    breakEveryMin: z.number().min(0).max(240),
    /** A/B screen preferences per annotator id. */
    listenPrefs: z.record(z.string().regex(/^\d+$/), listenPrefsSchema)
  })
  .strict()

export type Settings = z.output<typeof settingsSchema>
export type SettingKey = keyof Settings

export const DEFAULT_SETTINGS: Settings = {
  switchCrossfadeMs: 10,
  mustListenS: 3,
  repeatEvery: 20,
  maxSongDurationS: 1200,
  lastAnnotatorId: null,
  leaseMinutes: 10,
  overlapShare: 0.1,
  overlapAnnotators: 2,
  blindMode: true,
  loudnessMatch: true,
  reasonTags: DEFAULT_REASON_TAGS,
  instructions: DEFAULT_INSTRUCTIONS,
  sessionGoal: 50,
  breakEveryMin: 0,
  listenPrefs: {}
}

/**
 * Settings from stored key/value pairs: each known key's value is parsed with that key's schema; a value
 * that does not parse (hand-edited, or written with other bounds) and a missing key give the default.
 * Unknown keys are ignored.
 */
export function settingsFromStored(stored: Readonly<Record<string, unknown>>): Settings {
  const merged: Record<string, unknown> = { ...DEFAULT_SETTINGS }
  for (const [key, field] of Object.entries(settingsSchema.shape)) {
    if (!Object.hasOwn(stored, key)) continue
    const parsed = field.safeParse(stored[key])
    if (parsed.success) merged[key] = parsed.data
  }
  return settingsSchema.parse(merged)
}
