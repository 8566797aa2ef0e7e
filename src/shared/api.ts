/**
 * The one API contract between the renderer and the main side. Both transports (Electron IPC via the
 * preload, and HTTP/WebSocket in serve mode) carry exactly these requests and events.
 * Inputs are validated with these zod schemas in main; outputs come back as Result values.
 */
import type { z } from 'zod'
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
import { REQUEST_BOUNDS } from './api/fields'
import { EXPORT_KINDS, learningRequests, type ExportKind } from './api/learning-requests'
import { libraryRequests } from './api/library-requests'

export { REQUEST_BOUNDS, EXPORT_KINDS, type ExportKind }

/** Every request's input schema, by name (one file per side of the app, in src/shared/api/). */
export const requestSchemas = { ...libraryRequests, ...learningRequests } as const

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
