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

// The learning loop's types (reward models, policies, training runs, iterations) live in domain-learning.ts.
export * from './domain-learning'
