import { useState } from 'react'
import { request } from '../../api/client'
import { useApiQuery } from '../../api/queries'
import type { PolicySummary, TrainingRunSummary } from '../../../../shared/domain'
import { useApp } from '../../components/app-context'

/** Start a policy-training run: algorithm, steps, size, reward model and weight (PPO), parent, seed. */
export function StartRunForm(props: {
  policies: PolicySummary[]
  onStarted: (run: TrainingRunSummary) => void
}): React.JSX.Element {
  const { attempt, notify } = useApp()
  const models = useApiQuery(['rewardModels.list'], 'rewardModels.list', {}).data ?? []
  const active = models.find((m) => m.active)
  const [algorithm, setAlgorithm] = useState<'ppo' | 'dpo'>('ppo')
  const [steps, setSteps] = useState(20_000)
  const [config, setConfig] = useState<'tiny' | 'default'>('default')
  const [rewardModel, setRewardModel] = useState('')
  const [rewardWeight, setRewardWeight] = useState(0.8)
  const [parent, setParent] = useState('')
  const [seed, setSeed] = useState(1)
  const [includeSimulated, setIncludeSimulated] = useState(false)

  const start = async (): Promise<void> => {
    const run = await attempt(() =>
      request('training.start', {
        algorithm,
        steps,
        config,
        seed,
        ...(algorithm === 'ppo' ? { rewardWeight, ...(rewardModel ? { rewardModel } : {}) } : { includeSimulated }),
        ...(parent ? { parent } : {})
      })
    )
    if (run) {
      notify('info', `Run #${run.id} started (${algorithm.toUpperCase()}).`)
      props.onStarted(run)
    }
  }

  return (
    <section className="panel" data-testid="start-run">
      <h2>Start a run</h2>
      <div className="form-grid">
        <label>
          Algorithm{' '}
          <select
            value={algorithm}
            onChange={(e) => setAlgorithm(e.target.value as 'ppo' | 'dpo')}
            data-testid="run-algorithm"
          >
            <option value="ppo">PPO (learned + dense reward)</option>
            <option value="dpo">DPO (judged pairs)</option>
          </select>
        </label>
        <label>
          {algorithm === 'ppo' ? 'Env steps' : 'Optimiser steps'}{' '}
          <input
            type="number"
            min={1}
            value={steps}
            onChange={(e) => setSteps(Number(e.target.value))}
            data-testid="run-steps"
          />
        </label>
        <label>
          Size{' '}
          <select
            value={config}
            onChange={(e) => setConfig(e.target.value as 'tiny' | 'default')}
            data-testid="run-config"
          >
            <option value="default">default (889-256-256-9)</option>
            <option value="tiny">tiny (seconds)</option>
          </select>
        </label>
        {algorithm === 'ppo' ? (
          <>
            <label>
              Reward model{' '}
              <select
                value={rewardModel}
                onChange={(e) => setRewardModel(e.target.value)}
                data-testid="run-reward-model"
              >
                <option value="">{active ? `active (${active.name})` : 'none: dense reward only'}</option>
                {models.map((m) => (
                  <option key={m.name} value={m.name}>
                    {m.name}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Learned weight{' '}
              <input
                type="number"
                min={0}
                max={1}
                step={0.05}
                value={rewardWeight}
                onChange={(e) => setRewardWeight(Number(e.target.value))}
                data-testid="run-weight"
              />
            </label>
          </>
        ) : (
          <label>
            <input
              type="checkbox"
              checked={includeSimulated}
              onChange={(e) => setIncludeSimulated(e.target.checked)}
              data-testid="run-include-simulated"
            />{' '}
            include simulated annotators
          </label>
        )}
        <label>
          Parent policy{' '}
          <select value={parent} onChange={(e) => setParent(e.target.value)} data-testid="run-parent">
            <option value="">none (fresh network)</option>
            {props.policies
              .filter((p) => p.sizes !== null)
              .map((p) => (
                <option key={p.id} value={p.name}>
                  {p.name}
                </option>
              ))}
          </select>
        </label>
        <label>
          Seed <input type="number" min={0} value={seed} onChange={(e) => setSeed(Number(e.target.value))} />
        </label>
      </div>
      <button type="button" className="btn btn--primary" onClick={() => void start()} data-testid="run-start">
        Start training
      </button>
    </section>
  )
}
