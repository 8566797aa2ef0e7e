import path from 'node:path'
import type { Command } from '../framework'
import { callApi, optionalNumber, requireInt } from '../framework'
import { waitForJob } from '../jobs'
import { AppFailure } from '../../../../shared/result'
import type { RewardModelMetrics, RewardModelVersion } from '../../../../shared/domain'

const fmt = (x: number | null | undefined, digits = 3): string =>
  x === null || x === undefined ? '-' : x.toFixed(digits)

function metricsLine(m: RewardModelMetrics | null): string {
  if (!m) return 'no held-out pairs'
  return `accuracy ${fmt(m.accuracy)} on ${m.decisive} decisive pairs (${m.ties} ties apart), log loss ${fmt(m.logLoss)}, ECE ${fmt(m.ece)}, dense agreement ${fmt(m.denseAgreement)}`
}

function stringFlag(v: unknown, flag: string): string {
  if (typeof v !== 'string' || v.trim() === '') throw new AppFailure('validation', `--${flag} is required`, flag)
  return v.trim()
}

export const importRewardModelCommand: Command = {
  name: 'import-reward-model',
  summary: 'Import a reward model ONNX file (signature checked first; a wrong file stores nothing)',
  usage: 'import-reward-model FILE.onnx --name NAME [--json]',
  options: { name: { type: 'string' } },
  async run(args, io, open) {
    const file = args.positionals[0]
    if (!file) throw new AppFailure('validation', 'give the ONNX file to import', 'path')
    const v = await callApi(open(), 'rewardModels.import', {
      path: path.resolve(file),
      name: stringFlag(args.values.name, 'name')
    })
    io.out(
      args.json
        ? JSON.stringify(v)
        : `imported ${v.name}${v.active ? ' (active)' : ''}: ${v.architecture ? `the app's architecture, ${v.paramCount} parameters, warm start possible` : `scoring only (${v.warmStartNote})`}; reward mean ${fmt(v.norm.mean)}, std ${fmt(v.norm.std)} over ${v.norm.count} edits`
    )
    return 0
  }
}

export const scoreCommand: Command = {
  name: 'score',
  summary: "Score an edit with a reward model: the model's raw output through onnxruntime",
  usage: 'score --model NAME --edit EDIT_ID [--json]',
  options: { model: { type: 'string' }, edit: { type: 'string' } },
  async run(args, io, open) {
    const r = await callApi(open(), 'rewardModels.score', {
      model: stringFlag(args.values.model, 'model'),
      editId: requireInt(args.values.edit, 'edit')
    })
    io.out(args.json ? JSON.stringify(r) : `${r.model} scores edit ${r.edit}: ${r.reward}`)
    return 0
  }
}

function versionLine(v: RewardModelVersion): string {
  const lineage = v.parentName ? `from ${v.parentName}` : v.source
  return `${v.active ? '*' : ' '} ${v.name.padEnd(10)} ${v.source.padEnd(8)} ${lineage.padEnd(14)} verdicts ${String(v.verdictsUsed).padStart(5)}  ${metricsLine(v.metrics)}`
}

export const rewardModelsCommand: Command = {
  name: 'reward-models',
  summary: 'List reward model versions (* = active); --activate NAME makes one active (or rolls back)',
  usage: 'reward-models [--activate NAME] [--json]',
  options: { activate: { type: 'string' } },
  async run(args, io, open) {
    const ctx = open()
    if (args.values.activate !== undefined)
      await callApi(ctx, 'rewardModels.activate', { name: stringFlag(args.values.activate, 'activate') })
    const list = await callApi(ctx, 'rewardModels.list', {})
    if (args.json) io.out(JSON.stringify(list))
    else if (list.length === 0) io.out('no reward models yet: import-reward-model FILE --name NAME, or train-reward')
    else for (const v of list) io.out(versionLine(v))
    return 0
  }
}

export const trainRewardCommand: Command = {
  name: 'train-reward',
  summary: 'Train the next reward model version vN+1 from the verdicts (a background job; Ctrl+C cancels)',
  usage:
    'train-reward [--parent NAME] [--epochs N] [--seed S] [--config tiny|default] [--ensemble K] [--resume JOB] [--include-simulated] [--json]',
  options: {
    parent: { type: 'string' },
    epochs: { type: 'string' },
    seed: { type: 'string' },
    config: { type: 'string' },
    ensemble: { type: 'string' },
    resume: { type: 'string' },
    'include-simulated': { type: 'boolean', default: false }
  },
  async run(args, io, open) {
    const ctx = open()
    const v = args.values
    const job =
      v.resume !== undefined
        ? await callApi(ctx, 'rewardModels.resume', { jobId: requireInt(v.resume, 'resume') })
        : await callApi(ctx, 'rewardModels.train', {
            ...(v.parent !== undefined ? { parent: v.parent } : {}),
            ...(v.epochs !== undefined ? { epochs: optionalNumber(v.epochs, 'epochs') } : {}),
            ...(v.seed !== undefined ? { seed: optionalNumber(v.seed, 'seed') } : {}),
            ...(v.config !== undefined ? { config: v.config } : {}),
            ...(v.ensemble !== undefined ? { ensemble: optionalNumber(v.ensemble, 'ensemble') } : {}),
            includeSimulated: v['include-simulated'] === true
          })
    if (!args.json) io.err(`training in job ${job.id} (resume it with --resume ${job.id} if it stops)`)
    const final = await waitForJob(ctx, job.id, io, 'train-reward')
    if (final.state !== 'done') throw new AppFailure('internal', `job ${job.id} ${final.state}: ${final.error ?? ''}`)
    const result = await callApi(ctx, 'rewardModels.trainResult', { jobId: job.id })
    if (args.json) {
      io.out(JSON.stringify({ job: job.id, ...result }))
      return 0
    }
    io.out(
      `${result.name} (parent ${result.parent ?? 'none'}, ${result.start} start) from ${result.verdictsUsed} verdicts`
    )
    io.out(`  ${result.name}: ${metricsLine(result.metrics)}`)
    if (result.parent) io.out(`  ${result.parent}: ${metricsLine(result.parentMetrics)}`)
    if (result.distillation)
      io.out(
        `  distillation reproduced ${result.parent}: correlation ${fmt(result.distillation.correlation)}, RMSE ${fmt(result.distillation.rmse)}`
      )
    io.out(result.activated ? `  ${result.name} is active` : `  not activated: ${result.activationNote}`)
    return 0
  }
}
