import { useMemo } from 'react'
import type { IterationSummary } from '../../../../shared/domain'
import { UPlotChart } from '../models/UPlotChart'

const SIDE_BY_SIDE = { display: 'grid', gridTemplateColumns: 'minmax(0, 1fr) minmax(0, 1fr)', gap: '1rem' } as const

/**
 * Across finished iterations: the reward model's held-out accuracy (left chart, 0..1) and the policy's
 * mean learned and dense reward on held-out songs (right chart; the learned reward is normalised).
 */
export function IterationsChart(props: { iterations: IterationSummary[] }): React.JSX.Element {
  const done = props.iterations.filter((i) => i.stage === 'done')
  // Rebuilt only when a plotted figure changes (the list refetches on every job event).
  const key = JSON.stringify(
    done.map((i) => [i.number, i.rewardModel?.metrics?.accuracy ?? null, i.evaluation?.after ?? null])
  )
  const data = useMemo(
    () => {
      const x = done.map((i) => i.number)
      return {
        accuracy: [x, done.map((i) => i.rewardModel?.metrics?.accuracy ?? null)],
        rewards: [
          x,
          done.map((i) => i.evaluation?.after.learned ?? null),
          done.map((i) => i.evaluation?.after.dense ?? null)
        ]
      }
    },
    // `key` holds every plotted figure of `done`
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [key]
  )
  // whole iterations on the x axis, with room either side of the first and last
  const xRange: [number, number] = [0.5, Math.max(1, ...done.map((i) => i.number)) + 0.5]
  if (done.length === 0) return <p className="muted">The charts fill in as iterations finish.</p>
  return (
    <div style={SIDE_BY_SIDE} data-testid="iterations-chart">
      <div>
        <UPlotChart
          title="Reward model: held-out accuracy"
          xLabel="iteration"
          yLabel="accuracy"
          series={[{ label: 'held-out accuracy', stroke: '#2f6fde' }]}
          data={data.accuracy}
          yRange={[0, 1]}
          xRange={xRange}
          testId="chart-accuracy"
        />
      </div>
      <div>
        <UPlotChart
          title="Policy: mean reward on held-out songs"
          xLabel="iteration"
          yLabel="reward"
          series={[
            { label: 'learned (normalised)', stroke: '#c2410c' },
            { label: 'dense', stroke: '#15803d', dash: [6, 4] }
          ]}
          data={data.rewards}
          xRange={xRange}
          testId="chart-rewards"
        />
      </div>
    </div>
  )
}
