import { useMemo, useState } from 'react'
import { request } from '../../api/client'
import type { RewardModelComparison, RewardModelVersion } from '../../../../shared/domain'
import { useApp } from '../../components/app-context'
import { UPlotChart } from './UPlotChart'
import { METRIC_ROWS } from './metrics'

/** Two versions on the same held-out pairs: a metrics table and a calibration plot. */
export function ComparePanel(props: { versions: RewardModelVersion[] }): React.JSX.Element {
  const { attempt } = useApp()
  const names = props.versions.map((v) => v.name)
  const [a, setA] = useState(names[names.length - 1] ?? '')
  const [b, setB] = useState(names[names.length - 2] ?? names[0] ?? '')
  const [result, setResult] = useState<RewardModelComparison | null>(null)
  const [busy, setBusy] = useState(false)

  const compare = async (): Promise<void> => {
    setBusy(true)
    try {
      const r = await attempt(() => request('rewardModels.compare', { a, b }))
      if (r) setResult(r)
    } finally {
      setBusy(false)
    }
  }

  // Calibration: predicted probability of the favoured edit against how often it was preferred.
  const calibration = useMemo(() => {
    if (!result) return null
    const xs = [
      ...new Set([...result.metricsA.calibration, ...result.metricsB.calibration].map((c) => c.predicted))
    ].sort((x, y) => x - y)
    const at = (bins: typeof result.metricsA.calibration, x: number): number | null =>
      bins.find((c) => c.predicted === x)?.observed ?? null
    return [
      xs,
      xs.map((x) => x),
      xs.map((x) => at(result.metricsA.calibration, x)),
      xs.map((x) => at(result.metricsB.calibration, x))
    ]
  }, [result])

  const select = (value: string, set: (v: string) => void, label: string, testId: string): React.JSX.Element => (
    <label>
      {label}{' '}
      <select value={value} onChange={(e) => set(e.target.value)} data-testid={testId}>
        {names.map((n) => (
          <option key={n} value={n}>
            {n}
          </option>
        ))}
      </select>
    </label>
  )

  return (
    <section className="panel" data-testid="compare-panel">
      <h2>Compare two versions</h2>
      <div className="row">
        {select(a, setA, 'A', 'compare-a')}
        {select(b, setB, 'B', 'compare-b')}
        <button
          type="button"
          className="btn"
          disabled={busy || !a || !b}
          onClick={() => void compare()}
          data-testid="compare-button"
        >
          {busy ? 'Comparing…' : 'Compare'}
        </button>
      </div>
      {result && (
        <>
          <p className="muted small">Both scored on the same {result.verdictIds.length} held-out pairs.</p>
          <table className="table" data-testid="compare-table">
            <thead>
              <tr>
                <th>Metric</th>
                <th>{result.a}</th>
                <th>{result.b}</th>
              </tr>
            </thead>
            <tbody>
              {METRIC_ROWS.map((row) => (
                <tr key={row.label}>
                  <td>{row.label}</td>
                  <td className="mono">{row.value(result.metricsA)}</td>
                  <td className="mono">{row.value(result.metricsB)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {calibration && calibration[0]!.length > 0 && (
            <UPlotChart
              title="Calibration on the held-out pairs"
              xLabel="predicted P (favoured edit)"
              yLabel="observed share"
              xRange={[0.5, 1]}
              yRange={[0, 1]}
              series={[
                { label: 'perfect', stroke: '#888', dash: [4, 4] },
                { label: result.a, stroke: '#2b7de9', points: true },
                { label: result.b, stroke: '#e9802b', points: true }
              ]}
              data={calibration}
              testId="calibration-chart"
            />
          )}
        </>
      )}
    </section>
  )
}
