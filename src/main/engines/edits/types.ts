import type { EditSegment } from '../../../shared/domain'

/**
 * A song's analysed structure as the edit engine consumes it (produced by the analysis engine,
 * loaded from the database by the app). All per-beat arrays have one entry per beat.
 */
export interface SongStructure {
  /** Sample rate of the original audio (Hz). */
  sampleRate: number
  /** Duration of the original audio in seconds. */
  durationS: number
  /** Beat onsets in seconds, strictly increasing, every one in [0, durationS). */
  beatTimes: ArrayLike<number>
  /** Position of each beat inside its bar, 0 = downbeat. */
  barPosition: ArrayLike<number>
  /** Bar index of each beat; consecutive beats with the same index form one bar. */
  barIndex: ArrayLike<number>
  /** 1 where a phrase starts at this beat, 0 elsewhere (beat 0 always starts a phrase). */
  phraseStart: ArrayLike<number>
  beatsPerBar: number
  /** beatCount * FEATURE_DIM (125) row-major per-beat features (docs/features.md). */
  features: Float32Array
}

/** Decoded audio: original channels at the original sample rate. */
export interface AudioBuffers {
  sampleRate: number
  channels: Float32Array[]
}

/**
 * The edit decision list: what the renderer plays, in output order. Segment boundaries are sample
 * positions `Math.round(seconds * sampleRate)`; `outputSamples` is the exact rendered length at
 * `sampleRate`.
 */
export interface EditDecisionList {
  sampleRate: number
  segments: EditSegment[]
  outputDurationS: number
  outputSamples: number
  /** Fade from silence at the output start (seconds); > 0 only when the output starts mid-song. */
  startFade: number
  /** Fade to silence at the output end (seconds); > 0 only when the output stops before the song's end. */
  endFade: number
}

export type WavFormat = 'pcm16' | 'pcm24' | 'float32'

export type GeneratorName = 'identity' | 'rule' | 'random'

export interface GenerateOptions {
  seed?: number
  targetDurationS?: number
}

export interface EdlOptions {
  /** Length of the short splice crossfade, milliseconds (default 15). */
  spliceFadeMs?: number
}

export interface RenderOptions {
  /**
   * Overrides the short splice crossfades of the EDL (and its start/end fades), milliseconds.
   * 0 gives naive butt splices (the click baseline). CROSSFADE's musical fades are never overridden.
   */
  spliceFadeMs?: number
}

/** Default short splice crossfade (ms): long enough to hide a waveform discontinuity, short enough not to smear a transient. */
export const DEFAULT_SPLICE_FADE_MS = 15
/** Longest stretch JUMP may repeat, in beats (16 bars of 4/4). */
export const JUMP_MAX_BEATS = 64

/** The beat-level fields an analysis provides (a fresh SongAnalysis or a stored one). */
export type BeatAnalysis = Pick<
  SongStructure,
  'beatTimes' | 'barPosition' | 'barIndex' | 'phraseStart' | 'beatsPerBar' | 'features'
>

/** Assembles the edit engine's view of a song from its audio facts and its beat analysis. */
export function songStructureOf(audio: { sampleRate: number; durationS: number }, a: BeatAnalysis): SongStructure {
  return {
    sampleRate: audio.sampleRate,
    durationS: audio.durationS,
    beatTimes: a.beatTimes,
    barPosition: a.barPosition,
    barIndex: a.barIndex,
    phraseStart: a.phraseStart,
    beatsPerBar: a.beatsPerBar,
    features: a.features
  }
}
