import { useEffect, useState } from 'react'
import { useQueryClient } from '@tanstack/react-query'
import { api, request } from '../../api/client'
import { useApiQuery } from '../../api/queries'
import type { PolicySummary, TrainingRunSummary } from '../../../../shared/domain'
import { useApp } from '../../components/app-context'
import { DataTable, type Column } from '../../components/DataTable'
import { EmptyState, ProgressBar } from '../../components/ui'
import { fmt } from '../models/metrics'
import { RunCharts } from './RunCharts'
import { StartRunForm } from './StartRunForm'
import { metricsCsv } from './metrics-csv'

const RUNS_KEY = ['training.runs'] as const
const POLICIES_KEY = ['policies.list'] as const

function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv' }))
  const a = document.createElement('a')
  a.href = url
  a.download = name
  a.click()
  setTimeout(() => URL.revokeObjectURL(url), 1000)
}

const resumable = (r: TrainingRunSummary): boolean =>
  r.policyId === null && (r.state === 'interrupted' || r.state === 'cancelled' || r.state === 'failed')

/** Policy training: start PPO/DPO runs, follow them live, cancel/resume, export metrics; the policies they made. */
export function TrainingView(): React.JSX.Element {
  const { attempt, notify, info } = useApp()
  const client = useQueryClient()
  const runs = useApiQuery(RUNS_KEY, 'training.runs', {}).data ?? null
  const policies = useApiQuery(POLICIES_KEY, 'policies.list', {}).data ?? []
  const [selected, setSelected] = useState<number | null>(null)
  const refresh = (): void => {
    void client.invalidateQueries({ queryKey: RUNS_KEY })
    void client.invalidateQueries({ queryKey: POLICIES_KEY })
  }

  useEffect(() => {
    const offs = [
      api.on('job.state', (e) => {
        if (e.kind === 'policy.train') refresh()
      }),
      api.on('job.progress', (e) => {
        if (e.kind === 'policy.train') void client.invalidateQueries({ queryKey: RUNS_KEY })
      })
    ]
    return () => offs.forEach((off) => off())
  }, []) // eslint-disable-line react-hooks/exhaustive-deps

  const run = runs?.find((r) => r.id === selected) ?? runs?.[0] ?? null

  const exportCsv = async (r: TrainingRunSummary): Promise<void> => {
    const m = await attempt(() => request('training.metrics', { runId: r.id, since: 0 }))
    if (m) download(`run-${r.id}-${r.algorithm}-metrics.csv`, metricsCsv(m.rows))
  }
  const act = async (r: TrainingRunSummary, what: 'cancel' | 'resume'): Promise<void> => {
    if (what === 'cancel' && r.jobId !== null) await attempt(() => request('jobs.cancel', { jobId: r.jobId! }))
    if (what === 'resume') await attempt(() => request('training.resume', { runId: r.id }))
    refresh()
  }
  const queuePairs = async (p: PolicySummary): Promise<void> => {
    const pairs = await attempt(() => request('policies.queuePairs', { policyId: p.id, count: 3, seed: 1 }))
    if (pairs) notify('info', `Queued ${pairs.length} pair(s): ${p.name} against the policy before it.`)
  }

  const runColumns: Column<TrainingRunSummary>[] = [
    { key: 'id', header: 'Run', cell: (r) => <strong>#{r.id}</strong> },
    { key: 'algorithm', header: 'Algorithm', cell: (r) => r.algorithm.toUpperCase() },
    {
      key: 'state',
      header: 'State',
      cell: (r) => (
        <>
          <span className={`badge badge--${r.state ?? 'queued'}`} data-testid="run-state">
            {r.state ?? 'queued'}
          </span>
          {r.state === 'running' && <ProgressBar value={r.progress} label={`run ${r.id} progress`} />}
        </>
      )
    },
    {
      key: 'config',
      header: 'Config',
      cell: (r) => (
        <span className="small">
          {String(r.config.preset)}, {String(r.config.steps)} steps, seed {String(r.config.seed)}
        </span>
      )
    },
    {
      key: 'lineage',
      header: 'Lineage',
      cell: (r) => (
        <span className="small" data-testid="run-lineage">
          {r.rewardModelName
            ? `reward ${r.rewardModelName} (${r.rewardModelVerdicts ?? 0} verdicts), weight ${r.rewardWeight ?? '-'}`
            : r.algorithm === 'ppo'
              ? 'dense reward only'
              : 'judged pairs'}
          {'; parent '}
          {r.parentPolicyName ?? 'none'}
          {r.policyName ? ` -> ${r.policyName}` : ''}
        </span>
      )
    },
    {
      key: 'metrics',
      header: 'Last metrics',
      cell: (r) =>
        r.algorithm === 'ppo' ? (
          <span className="small">
            reward {fmt(r.lastMetrics.reward_total)}, KL {fmt(r.lastMetrics.kl, 4)}, entropy{' '}
            {fmt(r.lastMetrics.entropy)}
          </span>
        ) : (
          <span className="small">
            accuracy {fmt(r.lastMetrics.accuracies)}, margin {fmt(r.lastMetrics.margins)}
          </span>
        )
    },
    {
      key: 'actions',
      header: 'Actions',
      hidden: true,
      cell: (r) => (
        <div className="row">
          <button type="button" className="btn btn--small" onClick={() => setSelected(r.id)} data-testid="run-show">
            Charts
          </button>
          {r.state === 'running' && (
            <button
              type="button"
              className="btn btn--small"
              onClick={() => void act(r, 'cancel')}
              data-testid="run-cancel"
            >
              Cancel
            </button>
          )}
          {resumable(r) && (
            <button
              type="button"
              className="btn btn--small"
              onClick={() => void act(r, 'resume')}
              data-testid="run-resume"
            >
              Resume
            </button>
          )}
          <button type="button" className="btn btn--small" onClick={() => void exportCsv(r)} data-testid="run-csv">
            CSV
          </button>
        </div>
      )
    }
  ]

  const policyColumns: Column<PolicySummary>[] = [
    { key: 'name', header: 'Policy', cell: (p) => <strong>{p.name}</strong> },
    { key: 'source', header: 'Source', cell: (p) => (p.source === 'trained' ? `run #${p.runId}` : 'imported') },
    {
      key: 'network',
      header: 'Network',
      cell: (p) => (p.sizes ? p.sizes.join('-') : <span className="muted">{p.warmStartNote}</span>)
    },
    {
      key: 'lineage',
      header: 'Lineage',
      cell: (p) =>
        `${p.parentName ? `from ${p.parentName}` : 'no parent'}${p.rewardModelName ? `, reward ${p.rewardModelName}` : ''}`
    },
    {
      key: 'actions',
      header: 'Actions',
      hidden: true,
      cell: (p) => (
        <button type="button" className="btn btn--small" onClick={() => void queuePairs(p)} data-testid="policy-pairs">
          Queue pairs vs previous
        </button>
      )
    }
  ]

  return (
    <div className="view" data-testid="training-view">
      <p className="muted" data-testid="training-backend">
        Training runs on <strong>{info.backend.training}</strong>; generation and reward scoring on{' '}
        {info.backend.inference}.
      </p>
      <StartRunForm
        policies={policies}
        onStarted={(r) => {
          setSelected(r.id)
          refresh()
        }}
      />
      <section className="panel">
        <h2>Runs</h2>
        {runs === null ? null : runs.length === 0 ? (
          <EmptyState title="No training runs yet" testId="runs-empty">
            Start one above: PPO on the learned and dense reward, or DPO on your judged pairs.
          </EmptyState>
        ) : (
          <DataTable
            columns={runColumns}
            rows={runs}
            rowKey={(r) => r.id}
            rowProps={(r) => ({ 'data-run-id': r.id, 'data-state': r.state ?? 'queued' })}
            testId="runs-table"
          />
        )}
      </section>
      {run && (
        <section className="panel" data-testid="run-detail" data-run-id={run.id}>
          <h2>
            Run #{run.id} ({run.algorithm.toUpperCase()}){' '}
            {run.bestScore !== null && (
              <span className="muted small">
                best held-out score {fmt(run.bestScore)} at update {run.bestUpdate}
              </span>
            )}
          </h2>
          <RunCharts key={run.id} run={run} />
        </section>
      )}
      <section className="panel">
        <h2>Policies</h2>
        {policies.length === 0 ? (
          <EmptyState title="No policies yet" testId="policies-empty">
            A finished run registers one; `editorbot import-policy FILE.onnx --name NAME` imports yours.
          </EmptyState>
        ) : (
          <DataTable columns={policyColumns} rows={policies} rowKey={(p) => p.id} testId="policies-table" />
        )}
      </section>
    </div>
  )
}
