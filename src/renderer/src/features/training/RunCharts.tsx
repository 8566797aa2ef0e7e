import { useEffect, useState } from 'react'
import { api, request } from '../../api/client'
import type { TrainingRunSummary } from '../../../../shared/domain'
import { UPlotChart } from '../models/UPlotChart'
import { columnsOf } from './metrics-csv'

type Row = Record<string, number | null>

const PPO_CHARTS = [
  {
    title: 'Reward (total, learned, dense)',
    y: 'reward',
    series: ['reward_total', 'reward_learned', 'reward_dense', 'eval_reward_total'],
    colors: ['#2b7de9', '#9b51e0', '#3a9d4a', '#e9822b']
  },
  { title: 'KL to reference and approx_kl', y: 'nats', series: ['kl', 'approx_kl'], colors: ['#d0443e', '#888'] },
  { title: 'Entropy', y: 'nats', series: ['entropy'], colors: ['#2b7de9'] },
  {
    title: 'Losses and explained variance',
    y: 'value',
    series: ['policy_loss', 'value_loss', 'explained_variance', 'clip_fraction'],
    colors: ['#2b7de9', '#e9822b', '#3a9d4a', '#888']
  }
] as const

const DPO_CHARTS = [
  {
    title: 'Implicit rewards',
    y: 'reward',
    series: ['rewards/chosen', 'rewards/rejected', 'margins'],
    colors: ['#3a9d4a', '#d0443e', '#2b7de9']
  },
  { title: 'Accuracy', y: 'share', series: ['accuracies', 'eval_accuracies'], colors: ['#2b7de9', '#e9822b'] },
  { title: 'Loss', y: 'loss', series: ['loss'], colors: ['#2b7de9'] }
] as const

/** Live charts of one run (mount with key={run.id}): its metrics rows, fetched again on every progress event of its job. */
export function RunCharts(props: { run: TrainingRunSummary; onRows?: (rows: Row[]) => void }): React.JSX.Element {
  const { run } = props
  const [rows, setRows] = useState<Row[]>([])

  useEffect(() => {
    let alive = true
    let next = 0
    let busy = false
    const load = async (): Promise<void> => {
      if (busy) return
      busy = true
      try {
        const r = await request('training.metrics', { runId: run.id, since: next })
        if (!alive) return
        // a resumed run rewrites lines after its checkpoint: start over when the file got shorter
        if (r.next < next) {
          next = 0
          setRows([])
          busy = false
          return load()
        }
        next = r.next
        if (r.rows.length > 0) setRows((old) => [...old, ...r.rows])
      } catch {
        // the next progress event retries
      } finally {
        busy = false
      }
    }
    void load()
    const off = api.on('job.progress', (e) => {
      if (e.jobId === run.jobId) void load()
    })
    const offState = api.on('job.state', (e) => {
      if (e.jobId === run.jobId) void load()
    })
    return () => {
      alive = false
      off()
      offState()
    }
  }, [run.id, run.jobId])

  useEffect(() => props.onRows?.(rows), [rows]) // eslint-disable-line react-hooks/exhaustive-deps

  const x = run.algorithm === 'ppo' ? 'env_steps' : 'update'
  const charts = run.algorithm === 'ppo' ? PPO_CHARTS : DPO_CHARTS
  return (
    <div className="charts" data-testid="run-charts" data-rows={rows.length}>
      {rows.length === 0 ? (
        <p className="muted">No metrics logged yet.</p>
      ) : (
        charts.map((c) => (
          <UPlotChart
            key={c.title}
            title={c.title}
            xLabel={x === 'env_steps' ? 'env steps' : 'step'}
            yLabel={c.y}
            series={c.series.map((s, i) => ({ label: s, stroke: c.colors[i]! }))}
            data={columnsOf(rows, x, c.series)}
            testId={`chart-${c.series[0]}`}
          />
        ))
      )}
    </div>
  )
}
