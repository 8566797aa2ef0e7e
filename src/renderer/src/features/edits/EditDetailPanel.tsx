import type { BeatGrid, EditDetail, SongSummary } from '../../../../shared/domain'
import { EditMap } from '../../components/EditMap'
import { Waveform, type WaveformMarker } from '../../components/Waveform'
import { formatDuration } from '../../components/ui'
import { sourcePositionAt } from '../../lib/switching'
import { splices } from '../../lib/timeline'
import type { EditPlayback } from './use-edit-playback'

/** One edit: length, splices, its waveform once rendered (click to seek), edit map and WAV export. */
export function EditDetailPanel(props: {
  detail: EditDetail
  beats: BeatGrid
  song: SongSummary
  playback: EditPlayback
}): React.JSX.Element {
  const { detail, beats, song, playback } = props
  const { player, rendered } = playback
  const cuts = splices(detail.segments)
  const markers: WaveformMarker[] = cuts.map((s) => ({ t: s.t, kind: 'splice', title: s.action.toLowerCase() }))
  const shown = rendered !== null && rendered.editId === detail.id ? rendered : null
  return (
    <section className="panel" aria-label={`Edit #${detail.id}`} data-testid="edit-detail">
      <div className="row">
        <h2>
          Edit #{detail.id} <span className="muted">{detail.generator}</span>
        </h2>
        <span className="muted">
          {formatDuration(detail.outputDurationS)} of {formatDuration(song.durationS)} · {cuts.length} splices
        </span>
        <span className="grow" />
        {shown ? (
          <a className="btn" href={shown.url} download={`${song.title}-edit-${detail.id}.wav`} data-testid="export-wav">
            ⤓ Export WAV
          </a>
        ) : (
          <button
            type="button"
            className="btn"
            onClick={() => void playback.render(detail.id)}
            data-testid="render-edit"
          >
            Render for playback / export
          </button>
        )}
      </div>
      {shown && (
        <Waveform
          peaks={shown.peaks}
          durationS={shown.buffer.duration}
          label={`Waveform of edit #${detail.id}`}
          active
          markers={markers}
          position={() => player.position()}
          onSeek={(t) => player.seek(t)}
        />
      )}
      <EditMap
        lanes={[{ label: `#${detail.id}`, actions: detail.actions, active: true }]}
        beatTimes={beats.times}
        songDurationS={song.durationS}
        sourcePosition={
          shown
            ? () =>
                sourcePositionAt({ segments: detail.segments, durationS: detail.outputDurationS }, player.position())
            : undefined
        }
      />
    </section>
  )
}
