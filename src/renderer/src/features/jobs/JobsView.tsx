import { useCallback, useEffect } from 'react'
import { api, request } from '../../api/client'
import type { JobSummary } from '../../../../shared/domain'
import { useApp } from '../../components/app-context'
import { useLoaded } from '../../components/useLoaded'
import { EmptyState, ProgressBar, formatEta } from '../../components/ui'

/** Background jobs with live progress, ETA, cancel and resume. */
export function JobsView(): React.JSX.Element {
  const { attempt, notify } = useApp()
  const load = useCallback(() => attempt(() => request('jobs.list', {})), [attempt])
  const { value: jobs, setValue: setJobs, refresh } = useLoaded(load)

  useEffect(() => {
    const offs = [
      api.on('job.progress', (e) =>
        setJobs((js) =>
          js
            ? js.map((j) =>
                j.id === e.jobId
                  ? { ...j, progress: e.progress, etaS: e.etaS, message: e.message ?? j.message, metrics: e.metrics }
                  : j
              )
            : js
        )
      ),
      api.on('job.state', () => void refresh())
    ]
    return () => offs.forEach((off) => off())
  }, [refresh, setJobs])

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

  if (jobs === null) return <p className="muted">Loading jobs…</p>
  const sorted = [...jobs].sort((a, b) => b.id - a.id)
  return (
    <section className="panel" data-testid="jobs-view">
      <h1>Jobs</h1>
      {sorted.length === 0 ? (
        <EmptyState title="No background jobs yet: importing songs starts one." testId="jobs-empty" />
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Job</th>
              <th scope="col">State</th>
              <th scope="col" className="progress-col">
                Progress
              </th>
              <th scope="col">Message</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {sorted.map((j) => (
              <tr key={j.id} data-testid="job-row" data-job-id={j.id} data-state={j.state}>
                <td>
                  #{j.id} {j.title} <span className="muted small mono">{j.kind}</span>
                  <div className="muted small">{new Date(j.createdAt).toLocaleString()}</div>
                </td>
                <td>
                  <span className={`badge badge--${j.state}`}>{j.state}</span>
                </td>
                <td className="progress-col">
                  <ProgressBar value={j.state === 'done' ? 1 : j.progress} label={`Progress of job ${j.id}`} />
                  <span className="muted small">
                    {Math.round((j.state === 'done' ? 1 : j.progress) * 100)}%{' '}
                    {j.state === 'running' ? formatEta(j.etaS) : ''}
                  </span>
                </td>
                <td>
                  {j.error ? (
                    <span className="text-error">{j.error}</span>
                  ) : (
                    <span className="muted">{j.message ?? ''}</span>
                  )}
                  {Object.keys(j.metrics).length > 0 && (
                    <div className="muted small mono">
                      {Object.entries(j.metrics)
                        .map(([k, v]) => `${k}=${Number.isInteger(v) ? v : v.toFixed(3)}`)
                        .join(' ')}
                    </div>
                  )}
                </td>
                <td className="actions">
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
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  )
}
