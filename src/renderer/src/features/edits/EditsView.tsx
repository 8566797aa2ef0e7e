import { useCallback, useEffect, useMemo, useState, type FormEvent } from 'react'
import { api, request } from '../../api/client'
import { decodeAudio } from '../../audio/ab-player'
import { useAbPlayer } from '../../audio/use-ab-player'
import { computePeaks } from '../listen/logic/peaks'
import type { BeatGrid, EditDetail, EditSummary, SongSummary } from '../../../../shared/domain'
import { useApp } from '../../components/app-context'
import { useLoaded } from '../../components/useLoaded'
import { EditMap } from '../../components/EditMap'
import { Waveform, type WaveformMarker } from '../../components/Waveform'
import { EmptyState, formatDuration } from '../../components/ui'
import { splices } from '../listen/logic/timeline'
import { sourcePositionAt } from '../listen/logic/switching'

type Generator = 'identity' | 'rule' | 'random'

interface Rendered {
  editId: number
  url: string
  fileName: string
  peaks: Float32Array
  buffer: AudioBuffer
}

/** Edits per song and generator: generate, play, inspect the edit map, export WAV, queue pairs. */
export function EditsView(props: { songParam: string | null }): React.JSX.Element {
  const { attempt, navigate } = useApp()
  const [songs, setSongs] = useState<SongSummary[] | null>(null)
  const ready = useMemo(() => (songs ?? []).filter((s) => s.status === 'ready'), [songs])
  const songId = props.songParam !== null ? Number(props.songParam) : (ready[0]?.id ?? null)
  const song = ready.find((s) => s.id === songId) ?? null

  useEffect(() => {
    attempt(() => request('songs.list', {}))
      .then((l) => l && setSongs(l))
      .catch(() => undefined)
  }, [attempt])

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

const NO_EDITS: EditSummary[] = []

/** One song's edits; keyed by song, so choosing another song starts from a clean state. */
function SongEdits(props: { song: SongSummary }): React.JSX.Element {
  const { attempt, notify } = useApp()
  const { song } = props
  const songId = song.id
  const [beats, setBeats] = useState<BeatGrid | null>(null)
  const [detail, setDetail] = useState<EditDetail | null>(null)
  const [rendered, setRendered] = useState<Rendered | null>(null)
  const [chosen, setChosen] = useState<number[]>([])
  const [generator, setGenerator] = useState<Generator>('rule')
  const [target, setTarget] = useState('')
  const [seed, setSeed] = useState('')
  const [busy, setBusy] = useState<string | null>(null)
  const [autoCount, setAutoCount] = useState(5)
  const player = useAbPlayer()

  const loadEdits = useCallback(() => attempt(() => request('edits.list', { songId })), [attempt, songId])
  const { value: loadedEdits, refresh: refreshEdits } = useLoaded(loadEdits)
  const edits = loadedEdits ?? NO_EDITS

  useEffect(() => {
    attempt(() => request('songs.beats', { songId }))
      .then((b) => b && setBeats(b))
      .catch(() => undefined)
    return api.on('edits.changed', (e) => {
      if (e.songId === songId) void refreshEdits()
    })
  }, [attempt, refreshEdits, songId])

  const byGenerator = useMemo(() => {
    const groups = new Map<string, EditSummary[]>()
    for (const e of edits) groups.set(e.generator, [...(groups.get(e.generator) ?? []), e])
    return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b))
  }, [edits])

  const generate = async (e: FormEvent): Promise<void> => {
    e.preventDefault()
    const t = target.trim() === '' ? undefined : Number(target)
    const s = seed.trim() === '' ? undefined : Number(seed)
    if (t !== undefined && !(t > 0)) return notify('error', 'Target duration must be a positive number of seconds.')
    if (s !== undefined && !(Number.isInteger(s) && s >= 0)) return notify('error', 'Seed must be a whole number ≥ 0.')
    setBusy('generate')
    const made = await attempt(() =>
      request('edits.generate', {
        songId,
        generator,
        ...(t !== undefined ? { targetDurationS: t } : {}),
        ...(s !== undefined ? { seed: s } : {})
      })
    )
    setBusy(null)
    if (made) {
      notify('info', `Edit #${made.id} (${made.generator}, ${formatDuration(made.outputDurationS)}) created.`)
      await refreshEdits()
      setDetail(made)
    }
  }

  const render = async (edit: EditSummary): Promise<Rendered | undefined> => {
    if (rendered?.editId === edit.id) return rendered
    setBusy(`render-${edit.id}`)
    try {
      return await attempt(async () => {
        const { renderPath } = await request('edits.render', { editId: edit.id })
        const url = api.fileUrl(renderPath)
        const buffer = await decodeAudio(url)
        const channels = Array.from({ length: buffer.numberOfChannels }, (_, c) => buffer.getChannelData(c))
        const r: Rendered = {
          editId: edit.id,
          url,
          fileName: `${song.title}-edit-${edit.id}.wav`,
          peaks: computePeaks(channels, 1200),
          buffer
        }
        setRendered(r)
        player.load({ a: buffer })
        return r
      })
    } finally {
      setBusy(null)
    }
  }

  const show = async (edit: EditSummary): Promise<void> => {
    const d = await attempt(() => request('edits.get', { editId: edit.id }))
    if (d) setDetail(d)
    return undefined
  }

  const play = async (edit: EditSummary): Promise<void> => {
    await show(edit)
    const r = await render(edit)
    if (r) await attempt(() => player.toggle())
  }

  const toggleChosen = (id: number): void =>
    setChosen((c) => (c.includes(id) ? c.filter((x) => x !== id) : [...c, id].slice(-2)))

  const queuePair = async (): Promise<void> => {
    if (chosen.length !== 2) return
    const pair = await attempt(() =>
      request('pairs.create', { editAId: chosen[0] as number, editBId: chosen[1] as number })
    )
    if (pair) {
      notify('info', `Pair #${pair.id} queued: edits #${pair.editAId} and #${pair.editBId}.`)
      setChosen([])
    }
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

  const detailMarkers: WaveformMarker[] = detail
    ? splices(detail.segments).map((s) => ({ t: s.t, kind: 'splice', title: s.action.toLowerCase() }))
    : []
  const showRendered = rendered !== null && detail !== null && rendered.editId === detail.id

  return (
    <>
      <section className="panel">
        <form className="row" onSubmit={(e) => void generate(e)} aria-label="Generate an edit">
          <label htmlFor="gen-generator">Generator</label>
          <select
            id="gen-generator"
            value={generator}
            onChange={(e) => setGenerator(e.target.value as Generator)}
            data-testid="gen-generator"
          >
            <option value="identity">identity (whole song)</option>
            <option value="rule">rule</option>
            <option value="random">random</option>
          </select>
          <label htmlFor="gen-target">Target duration (s)</label>
          <input
            id="gen-target"
            type="number"
            min={1}
            step="any"
            value={target}
            onChange={(e) => setTarget(e.target.value)}
            placeholder="any"
            className="input--short"
            data-testid="gen-target"
          />
          <label htmlFor="gen-seed">Seed</label>
          <input
            id="gen-seed"
            type="number"
            min={0}
            step={1}
            value={seed}
            onChange={(e) => setSeed(e.target.value)}
            placeholder="random"
            className="input--short"
            data-testid="gen-seed"
          />
          <button type="submit" className="btn btn--primary" disabled={busy === 'generate'} data-testid="gen-submit">
            {busy === 'generate' ? 'Generating…' : 'Generate edit'}
          </button>
        </form>
      </section>

      <section className="panel">
        <div className="row">
          <h2>Queue pairs</h2>
          <span className="muted">
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
          byGenerator.map(([gen, list]) => (
            <div key={gen} className="edit-group">
              <h3>
                {gen} <span className="muted">({list.length})</span>
              </h3>
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">Pair</th>
                    <th scope="col">Edit</th>
                    <th scope="col">Seed</th>
                    <th scope="col" className="num">
                      Target
                    </th>
                    <th scope="col" className="num">
                      Length
                    </th>
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((e) => (
                    <tr
                      key={e.id}
                      data-testid="edit-row"
                      data-edit-id={e.id}
                      className={detail?.id === e.id ? 'row--selected' : undefined}
                    >
                      <td>
                        <input
                          type="checkbox"
                          checked={chosen.includes(e.id)}
                          onChange={() => toggleChosen(e.id)}
                          aria-label={`Choose edit #${e.id} for a pair`}
                          data-testid={`choose-edit-${e.id}`}
                        />
                      </td>
                      <td>#{e.id}</td>
                      <td>{e.seed ?? '—'}</td>
                      <td className="num">{e.targetDurationS === null ? '—' : formatDuration(e.targetDurationS)}</td>
                      <td className="num">{formatDuration(e.outputDurationS)}</td>
                      <td className="actions">
                        <button
                          type="button"
                          className="btn btn--small"
                          onClick={() => void play(e)}
                          disabled={busy === `render-${e.id}`}
                          aria-label={`Play edit #${e.id}`}
                          data-testid={`play-edit-${e.id}`}
                        >
                          {busy === `render-${e.id}`
                            ? 'Rendering…'
                            : player.playing && rendered?.editId === e.id
                              ? '❚❚'
                              : '▶'}
                        </button>
                        <button
                          type="button"
                          className="btn btn--small"
                          onClick={() => void show(e)}
                          aria-label={`Show the edit map of edit #${e.id}`}
                        >
                          Map
                        </button>
                        <button
                          type="button"
                          className="btn btn--small"
                          onClick={() => void render(e)}
                          aria-label={`Render edit #${e.id} for export`}
                        >
                          WAV
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ))
        )}
      </section>

      {detail && beats && (
        <section className="panel" aria-label={`Edit #${detail.id}`} data-testid="edit-detail">
          <div className="row">
            <h2>
              Edit #{detail.id} <span className="muted">{detail.generator}</span>
            </h2>
            <span className="muted">
              {formatDuration(detail.outputDurationS)} of {formatDuration(song.durationS)} ·{' '}
              {splices(detail.segments).length} splices
            </span>
            <span className="grow" />
            {showRendered ? (
              <a className="btn" href={rendered.url} download={rendered.fileName} data-testid="export-wav">
                ⤓ Export WAV
              </a>
            ) : (
              <button type="button" className="btn" onClick={() => void render(detail)} data-testid="render-edit">
                Render for playback / export
              </button>
            )}
          </div>
          {showRendered && (
            <Waveform
              peaks={rendered.peaks}
              durationS={rendered.buffer.duration}
              label={`Waveform of edit #${detail.id}`}
              active
              markers={detailMarkers}
              position={() => player.position()}
              onSeek={(t) => player.seek(t)}
            />
          )}
          <EditMap
            lanes={[{ label: `#${detail.id}`, actions: detail.actions, active: true }]}
            beatTimes={beats.times}
            songDurationS={song.durationS}
            sourcePosition={
              showRendered
                ? () =>
                    sourcePositionAt(
                      { segments: detail.segments, durationS: detail.outputDurationS },
                      player.position()
                    )
                : undefined
            }
          />
        </section>
      )}
    </>
  )
}
