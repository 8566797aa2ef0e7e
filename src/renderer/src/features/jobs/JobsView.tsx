import { useEffect } from 'react'
import { useQueryClient } from '@tanstack/react-query'
import { api, request } from '../../api/client'
import { queryKeys, useApiQuery } from '../../api/queries'
import type { JobSummary } from '../../../../shared/domain'
import { useApp } from '../../components/app-context'
import { DataTable, type Column } from '../../components/DataTable'
import { EmptyState, ProgressBar, formatEta } from '../../components/ui'

/** Background jobs with live progress, ETA, cancel and resume. */
export function JobsView(): React.JSX.Element {
  const { attempt, notify } = useApp()
  const client = useQueryClient()
  const jobs = useApiQuery(queryKeys.jobs(), 'jobs.list', {}).data ?? null
  const refresh = (): Promise<void> => client.invalidateQueries({ queryKey: queryKeys.jobs() })

  // Progress events patch the cached list in place (job.state invalidates it: see api/queries.ts).
  useEffect(
    () =>
      api.on('job.progress', (e) =>
        client.setQueryData<JobSummary[]>(queryKeys.jobs(), (js) =>
          js?.map((j) =>
            j.id === e.jobId
              ? { ...j, progress: e.progress, etaS: e.etaS, message: e.message ?? j.message, metrics: e.metrics }
              : j
          )
        )
      ),
    [client]
  )

  const cancel = async (j: JobSummary): Promise<void> => {
    const r = await attempt(() => request('jobs.cancel', { jobId: j.id }))
    if (r) notify('info', `Job #${j.id} ${r.state}.`)
    await refresh()
  }
  const resume = async (j: JobSummary): Promise<void> => {
    const r = await attempt(() => request('jobs.resume', { jobId: j.id }))
    if (r) notify('info', `Job #${j.id} resumed.`)
    await refresh()
  }

  const columns: Column<JobSummary>[] = [
    {
      key: 'job',
      header: 'Job',
      cell: (j) => (
        <>
          #{j.id} {j.title} <span className="muted small mono">{j.kind}</span>
          <div className="muted small">{new Date(j.createdAt).toLocaleString()}</div>
        </>
      )
    },
    { key: 'state', header: 'State', cell: (j) => <span className={`badge badge--${j.state}`}>{j.state}</span> },
    {
      key: 'progress',
      header: 'Progress',
      className: 'progress-col',
      cell: (j) => (
        <>
          <ProgressBar value={j.state === 'done' ? 1 : j.progress} label={`Progress of job ${j.id}`} />
          <span className="muted small">
            {Math.round((j.state === 'done' ? 1 : j.progress) * 100)}% {j.state === 'running' ? formatEta(j.etaS) : ''}
          </span>
        </>
      )
    },
    {
      key: 'message',
      header: 'Message',
      cell: (j) => (
        <>
          {j.error ? <span className="text-error">{j.error}</span> : <span className="muted">{j.message ?? ''}</span>}
          {Object.keys(j.metrics).length > 0 && (
            <div className="muted small mono">
              {Object.entries(j.metrics)
                .map(([k, v]) => `${k}=${Number.isInteger(v) ? v : v.toFixed(3)}`)
                .join(' ')}
            </div>
          )}
        </>
      )
    },
    {
      key: 'actions',
      header: 'Actions',
      hidden: true,
      className: 'actions',
      cell: (j) => (
        <>
          {(j.state === 'running' || j.state === 'queued') && (
            <button
              type="button"
              className="btn btn--small"
              onClick={() => void cancel(j)}
              aria-label={`Cancel job ${j.id}`}
              data-testid={`cancel-job-${j.id}`}
            >
              Cancel
            </button>
          )}
          {j.resumable && (
            <button
              type="button"
              className="btn btn--small"
              onClick={() => void resume(j)}
              aria-label={`Resume job ${j.id}`}
              data-testid={`resume-job-${j.id}`}
            >
              Resume
            </button>
          )}
        </>
      )
    }
  ]

  if (jobs === null) return <p className="muted">Loading jobs…</p>
  const sorted = [...jobs].sort((a, b) => b.id - a.id)
  return (
    <section className="panel" data-testid="jobs-view">
      <h1>Jobs</h1>
      {sorted.length === 0 ? (
        <EmptyState title="No background jobs yet: importing songs starts one." testId="jobs-empty" />
      ) : (
        <DataTable
          columns={columns}
          rows={sorted}
          rowKey={(j) => j.id}
          rowProps={(j) => ({ 'data-testid': 'job-row', 'data-job-id': j.id, 'data-state': j.state })}
        />
      )}
    </section>
  )
}
