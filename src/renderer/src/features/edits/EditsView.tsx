import { useState } from 'react'
import { useQueryClient } from '@tanstack/react-query'
import { request } from '../../api/client'
import { queryKeys, useApiQuery } from '../../api/queries'
import type { EditDetail, SongSummary } from '../../../../shared/domain'
import { useApp } from '../../components/app-context'
import { EmptyState, formatDuration } from '../../components/ui'
import { EditDetailPanel } from './EditDetailPanel'
import { EditsTable } from './EditsTable'
import { GenerateForm } from './GenerateForm'
import { useEditPlayback } from './use-edit-playback'

/** Edits per song and generator: generate, play, inspect the edit map, export WAV, queue pairs. */
export function EditsView(props: { songParam: string | null }): React.JSX.Element {
  const { navigate } = useApp()
  const songs = useApiQuery(queryKeys.songs(), 'songs.list', {}).data ?? null
  const ready = (songs ?? []).filter((s) => s.status === 'ready')
  const songId = props.songParam !== null ? Number(props.songParam) : (ready[0]?.id ?? null)
  const song = ready.find((s) => s.id === songId) ?? null

  if (songs === null) return <p className="muted">Loading…</p>
  if (ready.length === 0)
    return (
      <EmptyState title="No analysed songs yet: import songs in the Library first." testId="edits-empty">
        <button type="button" className="btn btn--primary" onClick={() => navigate('library')}>
          Go to the library
        </button>
      </EmptyState>
    )
  return (
    <div className="edits" data-testid="edits-view">
      <section className="panel">
        <div className="row">
          <h1>Edits</h1>
          <label htmlFor="edits-song">Song</label>
          <select
            id="edits-song"
            value={songId ?? ''}
            onChange={(e) => navigate('edits', e.target.value)}
            data-testid="edits-song"
          >
            {ready.map((s) => (
              <option key={s.id} value={s.id}>
                {s.title} ({formatDuration(s.durationS)})
              </option>
            ))}
          </select>
        </div>
      </section>
      {song ? (
        <SongEdits key={song.id} song={song} />
      ) : (
        <EmptyState title="That song is not analysed (yet): pick another above." />
      )}
    </div>
  )
}

/** One song's edits; keyed by song, so choosing another song starts from a clean state. */
function SongEdits(props: { song: SongSummary }): React.JSX.Element {
  const { attempt, notify } = useApp()
  const client = useQueryClient()
  const { song } = props
  const songId = song.id
  const edits = useApiQuery(queryKeys.edits(songId), 'edits.list', { songId }).data ?? []
  const beats = useApiQuery(queryKeys.beats(songId), 'songs.beats', { songId }).data ?? null
  const [selectedId, setSelectedId] = useState<number | null>(null)
  const detail = useApiQuery(
    queryKeys.edit(selectedId ?? 0),
    'edits.get',
    selectedId === null ? null : { editId: selectedId }
  ).data
  const [chosen, setChosen] = useState<number[]>([])
  const [autoCount, setAutoCount] = useState(5)
  const playback = useEditPlayback()

  const created = (made: EditDetail): void => {
    client.setQueryData(queryKeys.edit(made.id), made)
    void client.invalidateQueries({ queryKey: queryKeys.edits(songId) })
    setSelectedId(made.id)
  }

  const toggleChosen = (id: number): void =>
    setChosen((c) => (c.includes(id) ? c.filter((x) => x !== id) : [...c, id].slice(-2)))

  const queuePair = async (): Promise<void> => {
    if (chosen.length !== 2) return
    const [editAId, editBId] = chosen as [number, number]
    // Untick at once: a second click while the request runs must not queue (or refuse) the same pair.
    setChosen([])
    const pair = await attempt(() => request('pairs.create', { editAId, editBId }))
    if (pair) notify('info', `Pair #${pair.id} queued: edits #${pair.editAId} and #${pair.editBId}.`)
  }

  const queueAuto = async (): Promise<void> => {
    const made = await attempt(() => request('pairs.queue', { songId, count: autoCount }))
    if (made)
      notify(
        'info',
        made.length > 0
          ? `${made.length} pair${made.length === 1 ? '' : 's'} queued.`
          : 'No new pairs: generate more edits first.'
      )
  }

  const playingId = playback.player.playing ? (playback.rendered?.editId ?? null) : null

  return (
    <>
      <GenerateForm songId={songId} songDurationS={song.durationS} onCreated={created} />

      <section className="panel">
        <div className="row">
          <h2>Queue pairs</h2>
          <span className="muted" data-testid="queue-choice">
            {chosen.length === 2 ? `edits #${chosen[0]} and #${chosen[1]}` : 'tick two edits below'}
          </span>
          <button
            type="button"
            className="btn btn--primary"
            disabled={chosen.length !== 2}
            onClick={() => void queuePair()}
            data-testid="queue-pair"
          >
            Queue pair
          </button>
          <span className="grow" />
          <label htmlFor="auto-count">Auto pairs</label>
          <input
            id="auto-count"
            type="number"
            min={1}
            max={100}
            value={autoCount}
            onChange={(e) => setAutoCount(Math.max(1, Math.min(100, Number(e.target.value) || 1)))}
            className="input--short"
          />
          <button type="button" className="btn" onClick={() => void queueAuto()} data-testid="queue-auto">
            Queue from this song’s edits
          </button>
        </div>
        {edits.length === 0 ? (
          <EmptyState title="No edits of this song yet: generate one above." testId="edits-none" />
        ) : (
          <EditsTable
            edits={edits}
            chosen={chosen}
            selectedId={selectedId}
            renderingId={playback.renderingId}
            playingId={playingId}
            onChoose={toggleChosen}
            onPlay={(id) => {
              setSelectedId(id)
              void playback.toggle(id)
            }}
            onShow={setSelectedId}
            onRender={(id) => void playback.render(id)}
          />
        )}
      </section>

      {detail && beats && <EditDetailPanel detail={detail} beats={beats} song={song} playback={playback} />}
    </>
  )
}
