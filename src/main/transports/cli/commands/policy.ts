import path from 'node:path'
import type { Command } from '../framework'
import { callApi, optionalNumber, requireInt } from '../framework'
import { waitForJob } from '../jobs'
import { AppFailure } from '../../../../shared/result'
import type { PolicySummary, TrainingRunSummary } from '../../../../shared/domain'

const TRAIN_FLAGS = {
  algorithm: 'algorithm',
  steps: 'steps',
  rewardModel: 'reward-model',
  rewardWeight: 'reward-weight',
  seed: 'seed',
  config: 'config',
  parent: 'parent',
  targetDurationFraction: 'target-fraction',
  runId: 'resume'
}

function policyLine(p: PolicySummary): string {
  const lineage = [
    p.parentName ? `from ${p.parentName}` : null,
    p.rewardModelName ? `reward ${p.rewardModelName}` : null,
    p.runId !== null ? `run ${p.runId}` : null
  ].filter((x) => x !== null)
  return `${String(p.id).padStart(4)}  ${p.name.padEnd(16)} ${p.source.padEnd(8)} ${p.sizes ? p.sizes.join('-') : 'scoring only'}  ${lineage.join(', ')}`
}

export const importPolicyCommand: Command = {
  name: 'import-policy',
  summary: 'Import a policy ONNX file (obs float32[B,889] -> logits float32[B,9]; a wrong signature stores nothing)',
  usage: 'import-policy FILE.onnx --name NAME [--json]',
  options: { name: { type: 'string' } },
  async run(args, io, open) {
    const file = args.positionals[0]
    if (!file) throw new AppFailure('validation', 'give the ONNX file to import', 'path')
    if (typeof args.values.name !== 'string' || args.values.name.trim() === '')
      throw new AppFailure('validation', '--name is required', 'name')
    const p = await callApi(open(), 'policies.import', { path: path.resolve(file), name: args.values.name.trim() })
    io.out(
      args.json
        ? JSON.stringify(p)
        : `imported policy ${p.id} (${p.name}): ${p.sizes ? `the app's MLP ${p.sizes.join('-')}, can start training` : `generation only (${p.warmStartNote})`}; generate with --generator policy:${p.id}`
    )
    return 0
  }
}

export const policiesCommand: Command = {
  name: 'policies',
  summary: 'List policies (imported and trained) with their lineage',
  usage: 'policies [--json]',
  async run(args, io, open) {
    const list = await callApi(open(), 'policies.list', {})
    if (args.json) io.out(JSON.stringify(list))
    else if (list.length === 0) io.out('no policies yet: import-policy FILE --name NAME, or train-policy')
    else for (const p of list) io.out(policyLine(p))
    return 0
  }
}

function runSummary(run: TrainingRunSummary, backend: string): Record<string, unknown> {
  return {
    runId: run.id,
    policyId: run.policyId,
    policy: run.policyName,
    algorithm: run.algorithm,
    rewardModel: run.rewardModelName,
    backend,
    ...run.lastMetrics
  }
}

export const trainPolicyCommand: Command = {
  name: 'train-policy',
  summary: 'Train a policy with PPO (learned + dense reward) or DPO (judged pairs) as a background job; Ctrl+C cancels',
  usage:
    'train-policy --algorithm ppo|dpo --steps N [--reward-model NAME] [--reward-weight 0.8] [--seed S] [--resume RUN] [--config tiny|default] [--parent POLICY] [--target-fraction F] [--include-simulated] [--json]',
  options: {
    algorithm: { type: 'string' },
    steps: { type: 'string' },
    'reward-model': { type: 'string' },
    'reward-weight': { type: 'string' },
    seed: { type: 'string' },
    resume: { type: 'string' },
    config: { type: 'string' },
    parent: { type: 'string' },
    'target-fraction': { type: 'string' },
    'include-simulated': { type: 'boolean', default: false }
  },
  async run(args, io, open) {
    const ctx = open()
    const v = args.values
    const started =
      v.resume !== undefined
        ? await callApi(ctx, 'training.resume', { runId: requireInt(v.resume, 'resume') }, TRAIN_FLAGS)
        : await callApi(
            ctx,
            'training.start',
            {
              algorithm: v.algorithm,
              steps: optionalNumber(v.steps, 'steps'),
              ...(v['reward-model'] !== undefined ? { rewardModel: v['reward-model'] } : {}),
              ...(v['reward-weight'] !== undefined
                ? { rewardWeight: optionalNumber(v['reward-weight'], 'reward-weight') }
                : {}),
              ...(v.seed !== undefined ? { seed: optionalNumber(v.seed, 'seed') } : {}),
              ...(v.config !== undefined ? { config: v.config } : {}),
              ...(v.parent !== undefined ? { parent: v.parent } : {}),
              ...(v['target-fraction'] !== undefined
                ? { targetDurationFraction: optionalNumber(v['target-fraction'], 'target-fraction') }
                : {}),
              includeSimulated: v['include-simulated'] === true
            },
            TRAIN_FLAGS
          )
    if (started.jobId === null) throw new AppFailure('internal', `run ${started.id} has no job`)
    if (!args.json)
      io.err(`training run ${started.id} in job ${started.jobId} (resume it with --resume ${started.id} if it stops)`)
    const final = await waitForJob(ctx, started.jobId, io, 'train-policy')
    if (final.state !== 'done')
      throw new AppFailure(
        'internal',
        `run ${started.id} ${final.state}: ${final.error ?? ''} (resume with --resume ${started.id})`
      )
    const run = await callApi(ctx, 'training.get', { runId: started.id })
    const info = await callApi(ctx, 'app.info', {})
    if (args.json) {
      io.out(JSON.stringify(runSummary(run, info.backend.training)))
      return 0
    }
    const m = run.lastMetrics
    const shown =
      run.algorithm === 'ppo'
        ? ['reward_total', 'reward_dense', 'reward_learned', 'kl', 'entropy', 'explained_variance', 'env_steps_per_s']
        : ['rewards/chosen', 'rewards/rejected', 'accuracies', 'margins', 'eval_accuracies']
    io.out(`run ${run.id} registered policy ${run.policyId} (${run.policyName}), trained on ${info.backend.training}`)
    io.out(
      '  ' +
        shown
          .filter((k) => m[k] !== undefined)
          .map((k) => `${k} ${m[k]!.toFixed(4)}`)
          .join(', ')
    )
    return 0
  }
}
