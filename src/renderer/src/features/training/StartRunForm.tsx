import { useState } from 'react'
import { request } from '../../api/client'
import { useApiQuery } from '../../api/queries'
import type { PolicySummary, TrainingRunSummary } from '../../../../shared/domain'
import { useApp } from '../../components/app-context'
import { CheckField, NumberField, SelectField } from '../../components/fields'

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
        <SelectField
          label="Algorithm"
          value={algorithm}
          options={[
            { value: 'ppo', label: 'PPO (learned + dense reward)' },
            { value: 'dpo', label: 'DPO (judged pairs)' }
          ]}
          onChange={setAlgorithm}
          testId="run-algorithm"
        />
        <NumberField
          label={algorithm === 'ppo' ? 'Env steps' : 'Optimiser steps'}
          min={1}
          value={steps}
          onChange={setSteps}
          testId="run-steps"
        />
        <SelectField
          label="Size"
          value={config}
          options={[
            { value: 'default', label: 'default (889-256-256-9)' },
            { value: 'tiny', label: 'tiny (seconds)' }
          ]}
          onChange={setConfig}
          testId="run-config"
        />
        {algorithm === 'ppo' ? (
          <>
            <SelectField
              label="Reward model"
              value={rewardModel}
              options={[
                { value: '', label: active ? `active (${active.name})` : 'none: dense reward only' },
                ...models.map((m) => ({ value: m.name, label: m.name }))
              ]}
              onChange={setRewardModel}
              testId="run-reward-model"
            />
            <NumberField
              label="Learned weight"
              min={0}
              max={1}
              step={0.05}
              value={rewardWeight}
              onChange={setRewardWeight}
              testId="run-weight"
            />
          </>
        ) : (
          <CheckField
            label="include simulated annotators"
            checked={includeSimulated}
            onChange={setIncludeSimulated}
            testId="run-include-simulated"
          />
        )}
        <SelectField
          label="Parent policy"
          value={parent}
          options={[
            { value: '', label: 'none (fresh network)' },
            ...props.policies.filter((p) => p.sizes !== null).map((p) => ({ value: p.name, label: p.name }))
          ]}
          onChange={setParent}
          testId="run-parent"
        />
        <NumberField label="Seed" min={0} value={seed} onChange={setSeed} />
      </div>
      <button type="button" className="btn btn--primary" onClick={() => void start()} data-testid="run-start">
        Start training
      </button>
    </section>
  )
}
