/** Fetches a pair and gets everything the A/B screen needs ready before it is shown. */
import { api, request } from '../../api/client'
import { decodeAudio } from '../../audio/ab-player'
import type { BeatGrid, EditDetail, PairPresentation } from '../../../../shared/domain'
import { loadRender } from '../../lib/renders'
import type { TimelineSide } from '../../lib/switching'
import { barStarts, outputBeats, splices, type Splice } from '../../lib/timeline'
import { integratedLoudness } from '../../../../shared/loudness'

export type SideName = 'a' | 'b'

export interface LoadedSide {
  edit: EditDetail
  buffer: AudioBuffer
  peaks: Float32Array
  timeline: TimelineSide
  bars: number[]
  splices: Splice[]
  loudnessLufs: number | null
}

/** The original song, played on R as the reference (the identity timeline: output time = source time). */
export interface LoadedReference {
  buffer: AudioBuffer
  timeline: TimelineSide
  bars: number[]
  /** Integrated loudness of the decoded original (ITU-R BS.1770), so R plays matched to A and B too. */
  loudnessLufs: number | null
}

export interface LoadedPair {
  p: PairPresentation
  songDurationS: number
  sides: Record<SideName, LoadedSide>
  reference: LoadedReference
}

async function loadSide(edit: EditDetail, p: PairPresentation, signal: AbortSignal): Promise<LoadedSide> {
  const r = await loadRender(edit.id, signal)
  const durationS = Math.min(edit.outputDurationS, r.buffer.duration)
  const beats = outputBeats(edit.segments, p.beatGrid)
  return {
    edit,
    buffer: r.buffer,
    peaks: r.peaks,
    timeline: { segments: edit.segments, durationS },
    bars: barStarts(beats),
    splices: splices(edit.segments),
    loudnessLufs: r.loudnessLufs
  }
}

export function identityTimeline(durationS: number): TimelineSide {
  return {
    segments: [{ srcStart: 0, srcEnd: durationS, outStart: 0, fadeIn: 0, gain: 'flat', beat: 0, action: 0, cause: 0 }],
    durationS
  }
}

function referenceBars(grid: BeatGrid): number[] {
  return barStarts(grid.times.map((t, i) => ({ t, downbeat: grid.barPosition[i] === 0 })))
}

/** Consecutive pairs are often of one song: its decoded original is kept for the next one. */
interface DecodedReference {
  buffer: AudioBuffer
  loudnessLufs: number | null
}

let lastReference: { songId: number; buffer: Promise<DecodedReference> } | null = null

function referenceAudio(songId: number, audioPath: string, signal: AbortSignal): Promise<DecodedReference> {
  if (lastReference?.songId === songId) return lastReference.buffer
  // Originals are not rendered, so the main side has no measurement of them: measure the decoded audio here.
  const buffer = decodeAudio(api.fileUrl(audioPath), signal).then((decoded) => ({
    buffer: decoded,
    loudnessLufs: integratedLoudness(
      Array.from({ length: decoded.numberOfChannels }, (_, c) => decoded.getChannelData(c)),
      decoded.sampleRate
    )
  }))
  lastReference = { songId, buffer }
  buffer.catch(() => {
    if (lastReference?.buffer === buffer) lastReference = null
  })
  return buffer
}

/**
 * The annotator's next pair with both sides and the original rendered, decoded and measured; null
 * when the queue is empty. `exclude`: pairs already on screen or prefetched.
 */
export async function loadNextPair(
  annotatorId: number,
  signal: AbortSignal,
  exclude: readonly number[] = []
): Promise<LoadedPair | null> {
  const p = await request('pairs.next', { annotatorId, ...(exclude.length > 0 ? { exclude: [...exclude] } : {}) })
  if (!p) return null
  const song = await request('songs.get', { songId: p.songId })
  const [a, b, ref] = await Promise.all([
    loadSide(p.shownA, p, signal),
    loadSide(p.shownB, p, signal),
    referenceAudio(song.id, song.audioPath, signal)
  ])
  return {
    p,
    songDurationS: song.durationS,
    sides: { a, b },
    reference: {
      buffer: ref.buffer,
      timeline: identityTimeline(ref.buffer.duration),
      bars: referenceBars(p.beatGrid),
      loudnessLufs: ref.loudnessLufs
    }
  }
}
