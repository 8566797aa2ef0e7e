import type { SongSummary } from '../../../shared/domain'
import { formatDuration } from './format'

/** A song's length once it is known; a dash while it is queued or analysing (never "0:00"). */
export function songDurationLabel(s: Pick<SongSummary, 'status' | 'durationS'>): string {
  return s.durationS > 0 ? formatDuration(s.durationS) : '—'
}
