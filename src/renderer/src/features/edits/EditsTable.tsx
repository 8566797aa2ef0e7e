import { useMemo } from 'react'
import type { EditSummary } from '../../../../shared/domain'
import { DataTable, type Column } from '../../components/DataTable'
import { formatDuration } from '../../components/ui'

export interface EditsTableProps {
  edits: readonly EditSummary[]
  chosen: readonly number[]
  selectedId: number | null
  renderingId: number | null
  playingId: number | null
  onChoose: (editId: number) => void
  onPlay: (editId: number) => void
  onShow: (editId: number) => void
  onRender: (editId: number) => void
}

/** The song's edits, one table per generator; every table has the same fixed columns so they line up. */
export function EditsTable(props: EditsTableProps): React.JSX.Element {
  const byGenerator = useMemo(() => {
    const groups = new Map<string, EditSummary[]>()
    for (const e of props.edits) groups.set(e.generator, [...(groups.get(e.generator) ?? []), e])
    return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b))
  }, [props.edits])

  const columns: Column<EditSummary>[] = [
    {
      key: 'pair',
      header: 'Pair',
      width: '4rem',
      cell: (e) => (
        <input
          type="checkbox"
          checked={props.chosen.includes(e.id)}
          onChange={() => props.onChoose(e.id)}
          aria-label={`Choose edit #${e.id} for a pair`}
          data-testid={`choose-edit-${e.id}`}
        />
      )
    },
    { key: 'edit', header: 'Edit', width: '6rem', cell: (e) => `#${e.id}` },
    { key: 'seed', header: 'Seed', cell: (e) => e.seed ?? '—' },
    {
      key: 'target',
      header: 'Target',
      numeric: true,
      width: '6rem',
      cell: (e) => (e.targetDurationS === null ? '—' : formatDuration(e.targetDurationS))
    },
    { key: 'length', header: 'Length', numeric: true, width: '6rem', cell: (e) => formatDuration(e.outputDurationS) },
    {
      key: 'actions',
      header: 'Actions',
      hidden: true,
      className: 'actions',
      width: '16rem',
      cell: (e) => (
        <>
          <button
            type="button"
            className="btn btn--small btn--play"
            onClick={() => props.onPlay(e.id)}
            disabled={props.renderingId === e.id}
            aria-label={`Play edit #${e.id}`}
            data-testid={`play-edit-${e.id}`}
          >
            {props.renderingId === e.id ? 'Rendering…' : props.playingId === e.id ? '❚❚' : '▶'}
          </button>
          <button
            type="button"
            className="btn btn--small"
            onClick={() => props.onShow(e.id)}
            aria-label={`Show the edit map of edit #${e.id}`}
          >
            Map
          </button>
          <button
            type="button"
            className="btn btn--small"
            onClick={() => props.onRender(e.id)}
            aria-label={`Render edit #${e.id} for export`}
          >
            WAV
          </button>
        </>
      )
    }
  ]

  return (
    <>
      {byGenerator.map(([gen, list]) => (
        <div key={gen} className="edit-group" data-testid="edit-group">
          <h3>
            {gen} <span className="muted">({list.length})</span>
          </h3>
          <DataTable
            columns={columns}
            rows={list}
            rowKey={(e) => e.id}
            rowProps={(e) => ({
              'data-testid': 'edit-row',
              'data-edit-id': e.id,
              className: props.selectedId === e.id ? 'row--selected' : undefined
            })}
          />
        </div>
      ))}
    </>
  )
}
