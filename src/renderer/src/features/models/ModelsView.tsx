import { useState, type DragEvent } from 'react'
import { FilePickButton } from '../../components/FilePickButton'
import { useQueryClient } from '@tanstack/react-query'
import { api, request } from '../../api/client'
import { useApiQuery } from '../../api/queries'
import type { RewardModelVersion } from '../../../../shared/domain'
import { useApp } from '../../components/app-context'
import { DataTable, type Column } from '../../components/DataTable'
import { EmptyState } from '../../components/ui'
import { ComparePanel } from './ComparePanel'
import { TrainPanel } from './TrainPanel'
import { MODELS_KEY, fmt } from './metrics'

const nameFromFile = (file: string): string =>
  file
    .replace(/\.onnx$/i, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 64) || 'imported'

/** Reward-model versions: lineage, metrics, the active one; import, compare, train the next. */
export function ModelsView(): React.JSX.Element {
  const { attempt, notify } = useApp()
  const client = useQueryClient()
  const versions = useApiQuery(MODELS_KEY, 'rewardModels.list', {}).data ?? null
  const refresh = (): Promise<void> => client.invalidateQueries({ queryKey: MODELS_KEY })
  const [name, setName] = useState('')
  const [dragging, setDragging] = useState(false)
  const [importing, setImporting] = useState(false)

  const importFile = async (file: File | undefined): Promise<void> => {
    if (!file) return
    setImporting(true)
    try {
      const upload = api.upload.bind(api)
      const v = await attempt(async () => {
        const staged = await upload([file])
        if (!staged.ok) throw new Error(staged.error.message)
        return request('rewardModels.import', { path: staged.value[0]!, name: name.trim() || nameFromFile(file.name) })
      })
      if (v) {
        notify('info', `Imported ${v.name}${v.architecture ? ' (warm start possible)' : ' (scoring only)'}.`)
        setName('')
      }
      await refresh()
    } finally {
      setImporting(false)
    }
  }

  const activate = async (v: RewardModelVersion): Promise<void> => {
    const r = await attempt(() => request('rewardModels.activate', { name: v.name }))
    if (r) notify('info', `${r.name} is now the active reward model.`)
    await refresh()
  }

  const columns: Column<RewardModelVersion>[] = [
    {
      key: 'name',
      header: 'Version',
      cell: (v) => (
        <>
          <strong>{v.name}</strong>{' '}
          {v.active && (
            <span className="badge badge--done" data-testid="active-marker">
              active
            </span>
          )}
          <div className="muted small">{new Date(v.createdAt).toLocaleString()}</div>
        </>
      )
    },
    {
      key: 'lineage',
      header: 'Lineage',
      cell: (v) => (
        <>
          {v.source === 'imported' ? 'imported' : `trained from ${v.parentName ?? 'scratch'}`}
          <div className="muted small">
            {v.source === 'trained'
              ? `${v.verdictsUsed} verdicts, seed ${v.seed ?? '–'}`
              : (v.warmStartNote ?? 'warm start possible')}
            {v.memberPaths.length > 1 ? `, ensemble of ${v.memberPaths.length}` : ''}
          </div>
        </>
      )
    },
    {
      key: 'metrics',
      header: 'Held-out metrics',
      cell: (v) =>
        v.metrics ? (
          <span className="mono small">
            acc {fmt(v.metrics.accuracy)} · loss {fmt(v.metrics.logLoss)} · ECE {fmt(v.metrics.ece)}
            {v.parentMetrics ? ` (parent acc ${fmt(v.parentMetrics.accuracy)})` : ''}
          </span>
        ) : (
          <span className="muted small">not evaluated</span>
        )
    },
    {
      key: 'norm',
      header: 'Normalisation',
      cell: (v) => (
        <span className="mono small">
          μ {fmt(v.norm.mean)} σ {fmt(v.norm.std)} ({v.norm.count} edits)
        </span>
      )
    },
    {
      key: 'actions',
      header: 'Actions',
      hidden: true,
      className: 'actions',
      cell: (v) =>
        v.active ? null : (
          <button
            type="button"
            className="btn btn--small"
            onClick={() => void activate(v)}
            data-testid={`activate-${v.name}`}
          >
            Activate
          </button>
        )
    }
  ]

  if (versions === null) return <p className="muted">Loading reward models…</p>
  return (
    <div className="models" data-testid="models-view">
      <section
        className={`panel dropzone${dragging ? ' dropzone--over' : ''}`}
        onDragOver={(e) => {
          e.preventDefault()
          setDragging(true)
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(e: DragEvent<HTMLElement>) => {
          e.preventDefault()
          setDragging(false)
          void importFile(e.dataTransfer.files[0])
        }}
        aria-label="Import a reward model"
        data-testid="model-dropzone"
      >
        <div className="row">
          <h1>Reward models</h1>
          <span className="grow" />
          <input
            type="text"
            placeholder="name (default: file name)"
            value={name}
            onChange={(e) => setName(e.target.value)}
            aria-label="Name for the imported model"
            data-testid="import-model-name"
          />
          <FilePickButton
            label="Import ONNX…"
            busyLabel="Importing…"
            busy={importing}
            accept=".onnx"
            inputLabel="Choose an ONNX reward model to import"
            inputTestId="import-model-input"
            buttonTestId="import-model-button"
            onFiles={(files) => void importFile(files[0])}
          />
        </div>
        <p className="muted">Drop an ONNX reward model here (signature in docs/onnx.md) or choose one.</p>
        {versions.length === 0 ? (
          <EmptyState title="No reward models yet: import one or train one from the verdicts." testId="models-empty" />
        ) : (
          <DataTable
            columns={columns}
            rows={[...versions].reverse()}
            rowKey={(v) => v.id}
            rowProps={(v) => ({ 'data-testid': 'model-row', 'data-model': v.name, 'data-active': String(v.active) })}
          />
        )}
      </section>
      <TrainPanel versions={versions} />
      {versions.length >= 2 && <ComparePanel versions={versions} />}
    </div>
  )
}
