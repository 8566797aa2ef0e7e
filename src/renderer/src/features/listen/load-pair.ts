/** Fetches a pair and gets everything the A/B screen needs ready before it is shown. */
import { api, request } from '../../api/client'
import { decodeAudio } from '../../audio/ab-player'
import { computePeaks } from './logic/peaks'
import type { EditDetail, PairPresentation } from '../../../../shared/domain'
import type { TimelineSide } from './logic/switching'
import { barStarts, outputBeats, splices, type Splice } from './logic/timeline'

export type SideName = 'a' | 'b'

export interface LoadedSide {
  edit: EditDetail
  buffer: AudioBuffer
  peaks: Float32Array
  timeline: TimelineSide
  bars: number[]
  splices: Splice[]
}

export interface LoadedPair {
  p: PairPresentation
  songDurationS: number
  sides: Record<SideName, LoadedSide>
}

const PEAK_BUCKETS = 1200

async function loadSide(edit: EditDetail, p: PairPresentation, signal: AbortSignal): Promise<LoadedSide> {
  const { renderPath } = await request('edits.render', { editId: edit.id })
  const buffer = await decodeAudio(api.fileUrl(renderPath), signal)
  const channels = Array.from({ length: buffer.numberOfChannels }, (_, c) => buffer.getChannelData(c))
  const durationS = Math.min(edit.outputDurationS, buffer.duration)
  const beats = outputBeats(edit.segments, p.beatGrid)
  return {
    edit,
    buffer,
    peaks: computePeaks(channels, PEAK_BUCKETS),
    timeline: { segments: edit.segments, durationS },
    bars: barStarts(beats),
    splices: splices(edit.segments)
  }
}

/** The annotator's next pair with both sides rendered, decoded and measured; null when the queue is empty. */
export async function loadNextPair(annotatorId: number, signal: AbortSignal): Promise<LoadedPair | null> {
  const p = await request('pairs.next', { annotatorId })
  if (!p) return null
  const [song, a, b] = await Promise.all([
    request('songs.get', { songId: p.songId }),
    loadSide(p.shownA, p, signal),
    loadSide(p.shownB, p, signal)
  ])
  return { p, songDurationS: song.durationS, sides: { a, b } }
}
