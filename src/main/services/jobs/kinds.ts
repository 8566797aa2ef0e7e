/** Job kinds the app knows, and which of them can continue from a checkpoint after an interruption. */
export const JOB_KINDS = {
  /** Counts to `steps` with a delay; exercises progress, cancel and resume end to end. */
  'demo.count': { resumable: true, title: 'Self-test counter' },
  /** Decodes and analyses queued songs (beats, bars, phrases, features). */
  'songs.analyse': { resumable: true, title: 'Analyse songs' },
  /** First start: writes the demo songs, analyses them and queues pairs. */
  'demo.library': { resumable: false, title: 'Build demo library' }
} as const satisfies Record<string, { resumable: boolean; title: string }>

export type JobKind = keyof typeof JOB_KINDS

export const RESUMABLE_JOB_KINDS: ReadonlySet<string> = new Set(
  Object.entries(JOB_KINDS)
    .filter(([, k]) => k.resumable)
    .map(([name]) => name)
)

export function isJobKind(kind: string): kind is JobKind {
  return Object.hasOwn(JOB_KINDS, kind)
}
