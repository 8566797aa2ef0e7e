/** An edit's render made ready to play and draw: rendered on the main side, fetched, decoded, measured. */
import { api, request } from '../api/client'
import { decodeAudio } from '../audio/ab-player'
import { computePeaks } from './peaks'

export const PEAK_BUCKETS = 1200

export interface LoadedRender {
  editId: number
  url: string
  buffer: AudioBuffer
  peaks: Float32Array
  /** Integrated loudness of the render (ITU-R BS.1770), null when it could not be measured. */
  loudnessLufs: number | null
}

export function peaksOf(buffer: AudioBuffer): Float32Array {
  const channels = Array.from({ length: buffer.numberOfChannels }, (_, c) => buffer.getChannelData(c))
  return computePeaks(channels, PEAK_BUCKETS)
}

export async function loadRender(editId: number, signal?: AbortSignal): Promise<LoadedRender> {
  const r = await request('edits.render', { editId })
  const url = api.fileUrl(r.renderPath)
  const buffer = await decodeAudio(url, signal)
  return { editId, url, buffer, peaks: peaksOf(buffer), loudnessLufs: r.loudnessLufs ?? null }
}
