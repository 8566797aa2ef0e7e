import { useEffect, useState, type DragEvent } from 'react'
import { FilePickButton } from '../../components/FilePickButton'
import { useQueryClient } from '@tanstack/react-query'
import { api, request } from '../../api/client'
import { queryKeys, useApiQuery } from '../../api/queries'
import type { EventMap, ImportReport } from '../../../../shared/api'
import type { SongSummary } from '../../../../shared/domain'
import { useApp } from '../../components/app-context'
import { DataTable, type Column } from '../../components/DataTable'
import { EmptyState, ProgressBar, formatEta } from '../../components/ui'
import { SongDetail } from './SongDetail'
import { songDurationLabel } from '../../lib/song-duration'

type Progress = EventMap['job.progress']

const AUDIO_ACCEPT = 'audio/*,.wav,.mp3,.flac,.ogg,.oga,.m4a'

/** Song status changes inside a running job are not all announced: poll while something is pending. */
const PENDING_POLL_MS = 3000

/** Songs with their analysis status, import by picker or drag and drop, and the song view. */
export function LibraryView(props: { songParam: string | null }): React.JSX.Element {
  const { attempt, notify, navigate } = useApp()
  const client = useQueryClient()
  const [progress, setProgress] = useState<Progress | null>(null)
  const [dragging, setDragging] = useState(false)
  const [importing, setImporting] = useState(false)
  const [reports, setReports] = useState<ImportReport[]>([])

  const songsQuery = useApiQuery(queryKeys.songs(), 'songs.list', {}, { refetchIntervalMs: PENDING_POLL_MS })
  const songs = songsQuery.data ?? null
  const refresh = (): Promise<void> => client.invalidateQueries({ queryKey: queryKeys.songs() })

  useEffect(() => {
    const offs = [
      api.on('job.state', (e) => {
        if ((e.kind === 'songs.analyse' || e.kind === 'demo.library') && e.state !== 'running' && e.state !== 'queued')
          setProgress(null)
      }),
      api.on('job.progress', (e) => {
        if (e.kind === 'songs.analyse' || e.kind === 'demo.library') setProgress(e)
      })
    ]
    return () => offs.forEach((off) => off())
  }, [])

  const importFiles = async (files: File[]): Promise<void> => {
    if (files.length === 0) return
    const upload = api.upload.bind(api)
    setImporting(true)
    try {
      const result = await attempt(async () => {
        const staged = await upload(files)
        if (!staged.ok) throw new Error(staged.error.message)
        return request('songs.import', { paths: staged.value })
      })
      if (!result) return
      // Reports name the staged upload path: show the original file names instead.
      const named = result.reports.map((r, i) => ({ ...r, path: files[i]?.name ?? r.path }))
      setReports(named)
      const stored = named.filter((r) => r.outcome === 'stored').length
      notify(
        'info',
        `${stored} of ${files.length} file${files.length === 1 ? '' : 's'} imported${result.jobId !== null ? '; analysing' : ''}.`
      )
      await refresh()
    } finally {
      setImporting(false)
    }
  }

  const onDrop = (e: DragEvent<HTMLElement>): void => {
    e.preventDefault()
    setDragging(false)
    void importFiles(Array.from(e.dataTransfer.files))
  }

  const selected = props.songParam === null ? null : Number(props.songParam)
  const selectedSong = songs?.find((s) => s.id === selected) ?? null

  const columns: Column<SongSummary>[] = [
    {
      key: 'song',
      header: 'Song',
      cell: (s) => (
        <>
          <div>{s.title}</div>
          {s.artist && <div className="muted small">{s.artist}</div>}
        </>
      )
    },
    {
      key: 'status',
      header: 'Status',
      className: 'status-cell',
      cell: (s) => (
        <>
          <span className={`badge badge--${s.status}`}>{s.status}</span>
          {s.status === 'analysing' && progress && (
            <div className="status-progress">
              {/* The job reports the current file's own fraction beside the batch's. */}
              <ProgressBar
                value={progress.metrics.songId === s.id ? (progress.metrics.songFraction ?? 0) : 0}
                label={`Analysing ${s.title}`}
              />
              <span className="muted small">{progress.message ?? ''}</span>
            </div>
          )}
          {s.status === 'failed' && <div className="text-error small">{s.error ?? 'analysis failed'}</div>}
        </>
      )
    },
    {
      key: 'tempo',
      header: 'Tempo',
      numeric: true,
      cell: (s) => (s.tempoBpm === null ? '—' : `${s.tempoBpm.toFixed(1)} bpm`)
    },
    { key: 'beats', header: 'Beats', numeric: true, cell: (s) => s.beatCount ?? '—' },
    {
      key: 'duration',
      header: 'Duration',
      numeric: true,
      cell: (s) => <span data-testid="song-duration">{songDurationLabel(s)}</span>
    },
    {
      key: 'actions',
      header: 'Actions',
      hidden: true,
      className: 'actions',
      cell: (s) => (
        <>
          <button
            type="button"
            className="btn btn--small"
            onClick={() => navigate('library', String(s.id))}
            disabled={s.status !== 'ready'}
            aria-label={`View ${s.title}`}
          >
            View
          </button>
          <button
            type="button"
            className="btn btn--small"
            onClick={() => navigate('edits', String(s.id))}
            disabled={s.status !== 'ready'}
            aria-label={`Edits of ${s.title}`}
          >
            Edits
          </button>
        </>
      )
    }
  ]

  return (
    <div className="library" data-testid="library-view">
      <section
        className={`panel dropzone${dragging ? ' dropzone--over' : ''}`}
        onDragOver={(e) => {
          e.preventDefault()
          setDragging(true)
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
        aria-label="Import songs"
        data-testid="dropzone"
      >
        <div className="row">
          <h1>Library</h1>
          <span className="grow" />
          <FilePickButton
            label="Import songs…"
            busyLabel="Importing…"
            busy={importing}
            accept={AUDIO_ACCEPT}
            multiple
            inputLabel="Choose audio files to import"
            inputTestId="import-input"
            buttonTestId="import-button"
            className="btn btn--primary"
            onFiles={(files) => void importFiles(files)}
          />
        </div>
        <p className="muted">
          Drop audio files here (WAV, MP3, FLAC, Ogg) or choose them. Each is analysed for beats and bars after import.
        </p>
        {progress && progress.progress < 1 && (
          <div className="status-progress" data-testid="batch-progress">
            <ProgressBar value={progress.progress} label="Import batch" />
            <span className="muted small">
              Batch {Math.round(progress.progress * 100)}% {formatEta(progress.etaS)}
            </span>
          </div>
        )}
        {reports.some((r) => r.outcome !== 'stored') && (
          <ul className="reports">
            {reports
              .filter((r) => r.outcome !== 'stored')
              .map((r) => (
                <li key={r.path} className={r.outcome === 'failed' ? 'text-error' : 'muted'}>
                  {r.path}: {r.outcome === 'failed' ? r.reason : 'already in the library'}
                </li>
              ))}
          </ul>
        )}
      </section>

      {songs === null ? (
        <p className="muted">Loading songs…</p>
      ) : songs.length === 0 ? (
        <EmptyState title="No songs yet: import some audio to start." testId="library-empty" />
      ) : (
        <DataTable
          columns={columns}
          rows={songs}
          rowKey={(s) => s.id}
          testId="songs-table"
          rowProps={(s) => ({
            'data-testid': 'song-row',
            'data-song-id': s.id,
            'data-status': s.status,
            className: s.id === selected ? 'row--selected' : undefined
          })}
        />
      )}
      {selectedSong && selectedSong.status === 'ready' && <SongDetail key={selectedSong.id} song={selectedSong} />}
    </div>
  )
}
