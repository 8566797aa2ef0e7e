/** Domain types shared by main, workers and renderer. Plain data only: everything here is JSON-safe. */

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
  remainingInQueue: number
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
  transport: 'electron' | 'http' | 'cli'
  backend: ComputeBackendInfo
  featureVersion: number
}

export interface Settings {
  /** Crossfade when switching A<->B, milliseconds. */
  switchCrossfadeMs: number
  /** Each side must be heard this long before a verdict is accepted, seconds. */
  mustListenS: number
  /** One pair in N is an earlier pair shown again with sides swapped; 0 disables. */
  repeatEvery: number
  /** Longest song accepted on import, seconds. */
  maxSongDurationS: number
  lastAnnotatorId: number | null
}

export const DEFAULT_SETTINGS: Settings = {
  switchCrossfadeMs: 10,
  mustListenS: 3,
  repeatEvery: 20,
  maxSongDurationS: 1200,
  lastAnnotatorId: null
}
