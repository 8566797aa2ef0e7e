import { useEffect, useState } from 'react'
import { useQuery, useQueryClient } from '@tanstack/react-query'
import { api, request } from '../../api/client'
import type { IterationSummary } from '../../../../shared/domain'
import { useApp } from '../../components/app-context'
import { DataTable, type Column } from '../../components/DataTable'
import { EmptyState, ProgressBar } from '../../components/ui'
import { IterationDetailPanel } from './IterationDetail'
import { IterationsChart } from './IterationsChart'
import { RunNextPanel } from './RunNextPanel'
import { ITERATIONS_KEY, fmt } from './keys'

/** The loop, one row per iteration: verdicts -> reward model -> policy -> edits -> pairs, and the next one. */
export function IterationsView(props: { iterationParam: string | null }): React.JSX.Element {
  const { navigate, attempt } = useApp()
  const client = useQueryClient()
  // Job events refresh the list; while an iteration runs it is also polled, so a missed event cannot leave it stale.
  const list =
    useQuery({
      queryKey: ITERATIONS_KEY,
      queryFn: () => request('iterations.list', {}),
      refetchInterval: (q) => (q.state.data?.some((i) => i.state === 'running' || i.state === 'queued') ? 3000 : false)
    }).data ?? null
  const [planning, setPlanning] = useState(false)
  const [progress, setProgress] = useState<{ jobId: number; value: number; message: string | null } | null>(null)
  const selected = props.iterationParam === null ? null : Number(props.iterationParam)

  useEffect(() => {
    const offs = [
      api.on('job.state', (e) => {
        if (e.kind !== 'iteration.run') return
        if (e.state !== 'running') setProgress(null)
        void client.invalidateQueries({ queryKey: ITERATIONS_KEY })
        void client.invalidateQueries({ queryKey: ['iterations.get'] })
        void client.invalidateQueries({ queryKey: ['iterations.plan'] })
      }),
      api.on('job.progress', (e) => {
        if (e.kind === 'iteration.run') setProgress({ jobId: e.jobId, value: e.progress, message: e.message })
      }),
      // a verdict changes what the next iteration would train on
      api.on('pairs.changed', () => void client.invalidateQueries({ queryKey: ['iterations.plan'] }))
    ]
    return () => offs.forEach((off) => off())
  }, [client])

  const resume = async (jobId: number): Promise<void> => {
    await attempt(() => request('jobs.resume', { jobId }))
    await client.invalidateQueries({ queryKey: ITERATIONS_KEY })
  }

  const columns: Column<IterationSummary>[] = [
    {
      key: 'number',
      header: 'Iteration',
      cell: (i) => (
        <>
          <strong>{i.number}</strong>{' '}
          <span className={`badge badge--${i.state ?? 'queued'}`} data-testid={`iteration-state-${i.number}`}>
            {i.stage === 'done' ? 'done' : `${i.state ?? ''}: ${i.stage}`}
          </span>
          <div className="muted small">
            {i.settings.algorithm.toUpperCase()} · {i.settings.config}
          </div>
        </>
      )
    },
    {
      key: 'verdicts',
      header: 'Verdicts',
      cell: (i) => (
        <>
          {i.verdicts.count}
          <div className="muted small">{i.verdicts.annotators.map((a) => a.name).join(', ')}</div>
        </>
      )
    },
    {
      key: 'reward',
      header: 'Reward model',
      cell: (i) =>
        i.rewardModel ? (
          <>
            {i.rewardModel.name}
            {i.rewardModel.activated ? '' : ' (kept parent)'}
            <div className="muted small mono">
              acc {fmt(i.rewardModel.metrics?.accuracy)} (parent {fmt(i.rewardModel.parentMetrics?.accuracy)})
            </div>
          </>
        ) : (
          '–'
        )
    },
    {
      key: 'policy',
      header: 'Policy',
      cell: (i) =>
        i.policy ? (
          <>
            {i.policy.name}
            <div className="muted small mono">
              KL {fmt(i.policy.metrics.kl, 4)} · entropy {fmt(i.policy.metrics.entropy)}
            </div>
          </>
        ) : (
          '–'
        )
    },
    {
      key: 'heldout',
      header: 'Held-out hidden score',
      cell: (i) =>
        i.evaluation ? (
          <span className="mono small">
            {fmt(i.evaluation.before.hidden)} → {fmt(i.evaluation.after.hidden)}
          </span>
        ) : (
          '–'
        )
    },
    {
      key: 'pairs',
      header: 'Pairs',
      cell: (i) => i.pairCounts.versus + i.pairCounts.disagreement + i.pairCounts.sentinel
    },
    {
      key: 'open',
      header: '',
      hidden: true,
      className: 'actions',
      cell: (i) => (
        <>
          {i.jobId !== null && (i.state === 'interrupted' || i.state === 'cancelled' || i.state === 'failed') && (
            <button
              type="button"
              className="btn btn--small"
              onClick={() => void resume(i.jobId!)}
              data-testid={`resume-iteration-${i.number}`}
            >
              Resume at {i.stage}
            </button>
          )}
          <button
            type="button"
            className="btn btn--small"
            onClick={() => navigate('iterations', String(i.id))}
            data-testid={`open-iteration-${i.number}`}
          >
            Open
          </button>
        </>
      )
    }
  ]

  if (list === null) return <p className="muted">Loading iterations…</p>
  const running = list.find((i) => i.state === 'running' || i.state === 'queued')
  return (
    <div className="iterations" data-testid="iterations-view">
      <section className="panel">
        <div className="row">
          <h1>Iterations</h1>
          <span className="grow" />
          <button
            type="button"
            className="btn btn--primary"
            disabled={running !== undefined}
            onClick={() => setPlanning(true)}
            data-testid="run-next-iteration"
          >
            Run next iteration
          </button>
        </div>
        {running && (
          <p className="small muted" data-testid="iteration-progress-message">
            Iteration {running.number}: {progress?.jobId === running.jobId ? progress.message : running.stage}
          </p>
        )}
        {running && (
          <ProgressBar
            value={progress?.jobId === running.jobId ? progress.value : 0}
            label={`Iteration ${running.number}: ${progress?.message ?? running.stage}`}
            testId="iteration-progress"
          />
        )}
        {list.length === 0 ? (
          <EmptyState title="No iterations yet" testId="iterations-empty">
            Judge some pairs, then run the first iteration: it trains a reward model on the verdicts, a policy against
            it, and queues that policy's edits for judging.
          </EmptyState>
        ) : (
          <DataTable rows={list} columns={columns} rowKey={(i) => i.id} testId="iterations-table" />
        )}
      </section>
      {planning && (
        <RunNextPanel
          onClose={() => setPlanning(false)}
          onStarted={(id) => {
            setPlanning(false)
            navigate('iterations', String(id))
          }}
        />
      )}
      <section className="panel">
        <IterationsChart iterations={list} />
      </section>
      {selected !== null && Number.isInteger(selected) && <IterationDetailPanel iterationId={selected} />}
    </div>
  )
}
