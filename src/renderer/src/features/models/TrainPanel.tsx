import { useEffect, useState } from 'react'
import { useQueryClient } from '@tanstack/react-query'
import { api, request } from '../../api/client'
import type { JobSummary, RewardModelVersion, TrainRewardResult } from '../../../../shared/domain'
import { useApp } from '../../components/app-context'
import { ProgressBar, formatEta } from '../../components/ui'
import { CheckField, NumberField, SelectField } from '../../components/fields'
import { UPlotChart } from './UPlotChart'
import { MODELS_KEY, fmt } from './metrics'

interface Point {
  /** Fractional epoch (progress through the run in epochs). */
  x: number
  loss: number | null
  valAccuracy: number | null
}

/** "Train next version": settings, live loss and accuracy charts, cancel and resume. */
export function TrainPanel(props: { versions: RewardModelVersion[] }): React.JSX.Element {
  const { attempt, notify } = useApp()
  const client = useQueryClient()
  const active = props.versions.find((v) => v.active)
  const [parent, setParent] = useState<string>('')
  const [config, setConfig] = useState<'tiny' | 'default'>('default')
  const [epochs, setEpochs] = useState(8)
  const [seed, setSeed] = useState(1)
  const [ensemble, setEnsemble] = useState(1)
  const [includeSimulated, setIncludeSimulated] = useState(false)
  const [job, setJob] = useState<JobSummary | null>(null)
  const [points, setPoints] = useState<Point[]>([])
  const [result, setResult] = useState<TrainRewardResult | null>(null)

  useEffect(() => {
    if (!job) return
    const offs = [
      api.on('job.progress', (e) => {
        if (e.jobId !== job.id) return
        setJob((j) => (j ? { ...j, progress: e.progress, etaS: e.etaS, message: e.message, metrics: e.metrics } : j))
        const loss = e.metrics.loss
        if (loss === undefined) return
        // x: epochs done so far, from the job's overall progress.
        const planned = Math.max(1, epochs * ensemble)
        setPoints((ps) => [...ps, { x: e.progress * planned, loss, valAccuracy: e.metrics.valAccuracy ?? null }])
      }),
      api.on('job.state', (e) => {
        if (e.jobId !== job.id) return
        setJob((j) => (j ? { ...j, state: e.state, error: e.error } : j))
        if (e.state === 'done') {
          void (async () => {
            const r = await attempt(() => request('rewardModels.trainResult', { jobId: job.id }))
            if (r) {
              setResult(r)
              notify('info', `${r.name} trained${r.activated ? ' and active' : ''}.`)
            }
            await client.invalidateQueries({ queryKey: MODELS_KEY })
          })()
        }
      })
    ]
    return () => offs.forEach((off) => off())
  }, [job?.id]) // eslint-disable-line react-hooks/exhaustive-deps

  const start = async (): Promise<void> => {
    setPoints([])
    setResult(null)
    const j = await attempt(() =>
      request('rewardModels.train', {
        ...(parent ? { parent } : {}),
        config,
        epochs,
        seed,
        ensemble,
        includeSimulated
      })
    )
    if (j) setJob(j)
  }
  const cancel = async (): Promise<void> => {
    if (job) await attempt(() => request('jobs.cancel', { jobId: job.id }))
  }
  const resume = async (): Promise<void> => {
    if (!job) return
    const j = await attempt(() => request('rewardModels.resume', { jobId: job.id }))
    if (j) setJob(j)
  }

  const running = job?.state === 'running' || job?.state === 'queued'
  const lossData = [points.map((p) => p.x), points.map((p) => p.loss)]
  const accData = [points.map((p) => p.x), points.map((p) => p.valAccuracy)]

  return (
    <section className="panel" data-testid="train-panel">
      <h2>Train next version</h2>
      <div className="form-grid">
        <SelectField
          label="Parent"
          value={parent}
          options={[
            { value: '', label: active ? `active (${active.name})` : 'none (fresh)' },
            ...props.versions.map((v) => ({ value: v.name, label: v.name }))
          ]}
          onChange={setParent}
          testId="train-parent"
        />
        <SelectField
          label="Size"
          value={config}
          options={[
            { value: 'default', label: "default (the app's transformer)" },
            { value: 'tiny', label: 'tiny (seconds)' }
          ]}
          onChange={setConfig}
          testId="train-config"
        />
        <NumberField label="Epochs" min={1} max={500} value={epochs} onChange={setEpochs} testId="train-epochs" />
        <NumberField label="Seed" min={0} value={seed} onChange={setSeed} />
        <NumberField label="Ensemble" min={1} max={5} value={ensemble} onChange={setEnsemble} />
        <CheckField
          label="include simulated annotators"
          checked={includeSimulated}
          onChange={setIncludeSimulated}
          testId="train-include-simulated"
        />
      </div>
      <div className="row">
        <button
          type="button"
          className="btn btn--primary"
          disabled={running}
          onClick={() => void start()}
          data-testid="train-start"
        >
          Train next version
        </button>
        {running && (
          <button type="button" className="btn" onClick={() => void cancel()} data-testid="train-cancel">
            Cancel
          </button>
        )}
        {job && !running && job.state !== 'done' && (
          <button type="button" className="btn" onClick={() => void resume()} data-testid="train-resume">
            Resume
          </button>
        )}
      </div>
      {job && (
        <div className="status-progress" data-testid="train-status" data-state={job.state}>
          <ProgressBar value={job.state === 'done' ? 1 : job.progress} label="Training progress" />
          <span className="muted small">
            job #{job.id} {job.state} {running ? formatEta(job.etaS) : ''} {job.message ?? ''}
          </span>
          {job.error && <div className="text-error small">{job.error}</div>}
        </div>
      )}
      {points.length > 0 && (
        <div className="charts">
          <UPlotChart
            title="Training loss"
            xLabel="epoch"
            yLabel="loss"
            series={[{ label: 'loss', stroke: '#2b7de9' }]}
            data={lossData}
            testId="loss-chart"
          />
          <UPlotChart
            title="Held-out accuracy"
            xLabel="epoch"
            yLabel="accuracy"
            yRange={[0, 1]}
            series={[{ label: 'held-out accuracy', stroke: '#3a9d4a' }]}
            data={accData}
            testId="accuracy-chart"
          />
        </div>
      )}
      {result && (
        <p data-testid="train-result">
          {result.name} from {result.verdictsUsed} verdicts ({result.start} start): held-out accuracy{' '}
          {fmt(result.metrics?.accuracy)}
          {result.parent ? ` vs ${result.parent} ${fmt(result.parentMetrics?.accuracy)}` : ''}.{' '}
          {result.activated ? 'Now active.' : result.activationNote}
        </p>
      )}
    </section>
  )
}
