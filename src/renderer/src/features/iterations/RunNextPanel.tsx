import { useState } from 'react'
import { useQuery, useQueryClient } from '@tanstack/react-query'
import { request } from '../../api/client'
import type { IterationPlan, RequestInput } from '../../../../shared/api'
import { useApp } from '../../components/app-context'
import { CheckField, NumberField, SelectField } from '../../components/fields'
import { ITERATIONS_KEY, planKey } from './keys'

type Input = RequestInput<'iterations.start'>

/**
 * "Run next iteration": the choices, then every resolved setting the next iteration will run with
 * (verdicts and annotators, reward-model parent and epochs, policy parent and steps, songs, pairs by
 * role, seed), shown before anything starts; Start sends exactly those choices.
 */
export function RunNextPanel(props: {
  onClose: () => void
  onStarted: (iterationId: number) => void
}): React.JSX.Element {
  const { attempt, notify } = useApp()
  const client = useQueryClient()
  const [algorithm, setAlgorithm] = useState<'ppo' | 'dpo'>('ppo')
  const [config, setConfig] = useState<'tiny' | 'default'>('default')
  const [pairs, setPairs] = useState(6)
  const [seed, setSeed] = useState(1)
  const [activateIfWorse, setActivateIfWorse] = useState(false)
  const [includeSimulated, setIncludeSimulated] = useState(true)
  const [starting, setStarting] = useState(false)
  const input: Input = { algorithm, config, pairs, seed, activateIfWorse, includeSimulated }
  // A refused plan (no verdicts yet, DPO without winners) is shown in the panel, not as an error toast.
  const plan = useQuery({
    queryKey: planKey(input),
    queryFn: async (): Promise<{ plan: IterationPlan } | { refused: string }> => {
      try {
        return { plan: await request('iterations.plan', input) }
      } catch (e) {
        return { refused: e instanceof Error ? e.message : String(e) }
      }
    }
  }).data
  const planned = plan && 'plan' in plan ? plan.plan : undefined

  const start = async (): Promise<void> => {
    setStarting(true)
    try {
      const it = await attempt(() => request('iterations.start', input))
      if (it) {
        notify('info', `Iteration ${it.number} started.`)
        await client.invalidateQueries({ queryKey: ITERATIONS_KEY })
        props.onStarted(it.id)
      }
    } finally {
      setStarting(false)
    }
  }

  const s = planned?.settings
  return (
    <section className="panel" data-testid="run-next">
      <div className="row">
        <h2>Run next iteration</h2>
        <span className="grow" />
        <button type="button" className="btn btn--small" onClick={props.onClose}>
          Close
        </button>
      </div>
      <div className="form-grid">
        <SelectField
          label="Algorithm"
          value={algorithm}
          options={[
            { value: 'ppo', label: 'PPO (0.8 learned + 0.2 dense)' },
            { value: 'dpo', label: 'DPO (judged pairs)' }
          ]}
          onChange={setAlgorithm}
          testId="next-algorithm"
        />
        <SelectField
          label="Size"
          value={config}
          options={[
            { value: 'default', label: 'default' },
            { value: 'tiny', label: 'tiny (seconds)' }
          ]}
          onChange={setConfig}
          testId="next-config"
        />
        <NumberField
          label="New pairs"
          min={1}
          max={1000}
          value={pairs}
          onChange={(v) => setPairs(Math.max(1, Math.round(v || 1)))}
          testId="next-pairs"
        />
        <NumberField label="Seed" min={0} value={seed} onChange={(v) => setSeed(Math.max(0, Math.round(v || 0)))} />
        <CheckField
          label="activate the new reward model even if worse"
          checked={activateIfWorse}
          onChange={setActivateIfWorse}
          testId="next-activate-if-worse"
        />
        <CheckField
          label="include simulated annotators' verdicts"
          checked={includeSimulated}
          onChange={setIncludeSimulated}
        />
      </div>
      {plan && 'refused' in plan ? (
        <p className="banner banner--error" role="alert" data-testid="next-refused">
          {plan.refused}
        </p>
      ) : !s || !planned ? (
        <p className="muted">Resolving settings…</p>
      ) : (
        <table className="table" data-testid="next-settings">
          <tbody>
            <tr>
              <th>Iteration</th>
              <td>{planned.number}</td>
            </tr>
            <tr>
              <th>Verdicts</th>
              <td data-testid="next-verdicts">
                {planned.verdicts.count} from{' '}
                {planned.verdicts.annotators
                  .map((a) => `${a.name}${a.simulated ? ' (simulated)' : ''}: ${a.verdicts}`)
                  .join(', ')}
              </td>
            </tr>
            <tr>
              <th>Reward model</th>
              <td>
                next version from {s.reward.parent ?? 'scratch'}, {s.config}, {s.reward.epochs} epochs, ensemble of{' '}
                {s.reward.ensemble};{' '}
                {s.activateIfWorse ? 'activated even if worse' : 'activated only if not worse on held-out pairs'}
              </td>
            </tr>
            <tr>
              <th>Policy</th>
              <td data-testid="next-policy">
                {s.algorithm.toUpperCase()} from {s.policy.parent ?? 'a fresh network'}, {s.policy.steps}{' '}
                {s.algorithm === 'ppo'
                  ? `environment steps, learned weight ${s.policy.rewardWeight}`
                  : 'optimiser steps'}
              </td>
            </tr>
            <tr>
              <th>Songs</th>
              <td>{s.songIds.join(', ')}</td>
            </tr>
            <tr>
              <th>Pairs</th>
              <td data-testid="next-pairs-by-role">
                {s.pairs}: {s.pairsByRole.versus} new vs previous, {s.pairsByRole.disagreement} disagreement-ranked,{' '}
                {s.pairsByRole.sentinel} sentinel
              </td>
            </tr>
            <tr>
              <th>Seed</th>
              <td>{s.seed}</td>
            </tr>
          </tbody>
        </table>
      )}
      <button
        type="button"
        className="btn btn--primary"
        disabled={!s || starting}
        onClick={() => void start()}
        data-testid="next-start"
      >
        Start iteration {planned?.number ?? ''}
      </button>
    </section>
  )
}
