import type { Command, CliIo } from '../framework'
import { callApi, optionalNumber, requireInt } from '../framework'
import { waitForJob } from '../jobs'
import { AppFailure } from '../../../../shared/result'
import type { IterationPlan } from '../../../../shared/api'
import type { IterationDetail, IterationSettings, RewardModelMetrics } from '../../../../shared/domain'
import type { AppContext } from '../../../app/context'

const FLAGS = {
  algorithm: 'algorithm',
  config: 'config',
  songs: 'songs',
  pairs: 'pairs',
  seed: 'seed',
  activateIfWorse: 'activate-if-worse',
  iterationId: 'resume'
}

const fmt = (x: number | null | undefined, digits = 3): string =>
  x === null || x === undefined ? '-' : x.toFixed(digits)

function songsFlag(v: unknown): 'all' | number[] | undefined {
  if (v === undefined) return undefined
  if (v === 'all') return 'all'
  if (typeof v !== 'string' || !/^\d+(,\d+)*$/.test(v))
    throw new AppFailure('validation', `--songs takes 'all' or song ids like 1,2,3, got ${JSON.stringify(v)}`, 'songs')
  return v.split(',').map(Number)
}

/** Every setting, one per line, before anything starts. */
export function settingsLines(number: number, s: IterationSettings, verdicts: IterationPlan['verdicts']): string[] {
  const who = verdicts.annotators.map((a) => `${a.name}${a.simulated ? ' (simulated)' : ''} ${a.verdicts}`).join(', ')
  return [
    `iteration ${number}:`,
    `  verdicts        ${verdicts.count} (${who})${s.includeSimulated ? '' : ', real annotators only'}`,
    `  reward model    v(N+1) from ${s.reward.parent ?? 'scratch'}, ${s.config} config, ${s.reward.epochs} epochs, ensemble of ${s.reward.ensemble}, ${s.activateIfWorse ? 'activated even if worse' : 'activated only if not worse on held-out pairs'}`,
    `  policy          ${s.algorithm.toUpperCase()} from ${s.policy.parent ?? 'a fresh network'}, ${s.policy.steps} ${s.algorithm === 'ppo' ? 'environment' : 'optimiser'} steps${s.algorithm === 'ppo' ? `, reward ${s.policy.rewardWeight} x learned + ${fmt(1 - s.policy.rewardWeight, 1)} x dense` : ''}`,
    `  songs           ${s.songIds.join(', ')}`,
    `  pairs           ${s.pairs}: ${s.pairsByRole.versus} new vs previous, ${s.pairsByRole.disagreement} disagreement-ranked, ${s.pairsByRole.sentinel} sentinel`,
    `  seed            ${s.seed}`
  ]
}

function metricsLine(m: RewardModelMetrics | null): string {
  return m
    ? `accuracy ${fmt(m.accuracy)} on ${m.decisive} held-out pairs, log loss ${fmt(m.logLoss)}`
    : 'no held-out pairs'
}

function resultLines(d: IterationDetail): string[] {
  const rm = d.rewardModel
  const p = d.policy
  const e = d.evaluation
  const seconds = Object.entries(d.stageSeconds)
    .map(([k, v]) => `${k} ${v.toFixed(1)} s`)
    .join(', ')
  return [
    `iteration ${d.number} done (${seconds})`,
    rm
      ? `  reward model ${rm.name}${rm.activated ? ' (active)' : ' (not activated)'}: ${metricsLine(rm.metrics)}; parent ${rm.parentName ?? '-'}: ${metricsLine(rm.parentMetrics)}`
      : '  no reward model',
    p
      ? `  policy ${p.name} (run ${p.runId}, ${d.settings.algorithm === 'dpo' ? 'DPO on the judged pairs' : `reward ${p.rewardModelName ?? 'dense only'}`}): ${Object.entries(
          p.metrics
        )
          .map(([k, v]) => `${k} ${fmt(v)}`)
          .join(', ')}`
      : '  no policy',
    e
      ? `  held-out songs ${e.songIds.join(',')}: hidden score ${fmt(e.before.hidden)} (${e.before.label}) -> ${fmt(e.after.hidden)} (${e.after.label}), dense ${fmt(e.before.dense)} -> ${fmt(e.after.dense)}`
      : '',
    `  queued ${d.pairs.length} pairs: ${d.pairCounts.versus} new vs previous, ${d.pairCounts.disagreement} disagreement, ${d.pairCounts.sentinel} sentinel`
  ].filter((l) => l !== '')
}

async function finish(ctx: AppContext, io: CliIo, iterationId: number, jobId: number, json: boolean): Promise<number> {
  const final = await waitForJob(ctx, jobId, io, 'iterate')
  if (final.state !== 'done')
    throw new AppFailure(
      'internal',
      `iteration ${iterationId} ${final.state}: ${final.error ?? ''} (continue with: editorbot iterate --resume ${iterationId})`
    )
  const detail = await callApi(ctx, 'iterations.get', { iterationId })
  if (json) io.out(JSON.stringify(detail))
  else for (const l of resultLines(detail)) io.out(l)
  return 0
}

export const iterateCommand: Command = {
  name: 'iterate',
  summary:
    'Run one iteration of the loop: reward model vN+1 from the verdicts, PPO or DPO from the current policy, new edits, new pairs',
  usage:
    'iterate [--algorithm ppo|dpo] [--config tiny|default] [--songs all|ID,...] [--pairs N] [--seed S] [--activate-if-worse] [--plan] [--resume ITERATION] [--json]',
  options: {
    algorithm: { type: 'string' },
    config: { type: 'string' },
    songs: { type: 'string' },
    pairs: { type: 'string' },
    seed: { type: 'string' },
    'activate-if-worse': { type: 'boolean', default: false },
    plan: { type: 'boolean', default: false },
    resume: { type: 'string' }
  },
  async run(args, io, open) {
    const ctx = open()
    const v = args.values
    if (v.resume !== undefined) {
      const it = await callApi(ctx, 'iterations.get', { iterationId: requireInt(v.resume, 'resume') }, FLAGS)
      if (it.jobId === null) throw new AppFailure('conflict', `iteration ${it.id} has no job to resume`, 'resume')
      if (it.state !== 'done') await callApi(ctx, 'jobs.resume', { jobId: it.jobId })
      if (!args.json) io.err(`resuming iteration ${it.number} at stage '${it.stage}'`)
      return finish(ctx, io, it.id, it.jobId, args.json)
    }
    const input = {
      ...(v.algorithm !== undefined ? { algorithm: v.algorithm } : {}),
      ...(v.config !== undefined ? { config: v.config } : {}),
      ...(v.songs !== undefined ? { songs: songsFlag(v.songs) } : {}),
      ...(v.pairs !== undefined ? { pairs: optionalNumber(v.pairs, 'pairs') } : {}),
      ...(v.seed !== undefined ? { seed: optionalNumber(v.seed, 'seed') } : {}),
      activateIfWorse: v['activate-if-worse'] === true
    }
    const plan = await callApi(ctx, 'iterations.plan', input, FLAGS)
    if (v.plan === true) {
      if (args.json) io.out(JSON.stringify(plan))
      else for (const l of settingsLines(plan.number, plan.settings, plan.verdicts)) io.out(l)
      return 0
    }
    if (!args.json) for (const l of settingsLines(plan.number, plan.settings, plan.verdicts)) io.err(l)
    const started = await callApi(ctx, 'iterations.start', input, FLAGS)
    if (started.jobId === null) throw new AppFailure('internal', `iteration ${started.id} has no job`)
    if (!args.json) io.err(`started in job ${started.jobId} (if it stops: editorbot iterate --resume ${started.id})`)
    return finish(ctx, io, started.id, started.jobId, args.json)
  }
}

export const iterationsCommand: Command = {
  name: 'iterations',
  summary: 'List iterations: stage, verdicts, reward model, policy, held-out scores, pairs queued',
  usage: 'iterations [--json]',
  async run(args, io, open) {
    const list = await callApi(open(), 'iterations.list', {})
    if (args.json) io.out(JSON.stringify(list))
    else if (list.length === 0) io.out('no iterations yet: editorbot iterate')
    else
      for (const i of list)
        io.out(
          `${String(i.number).padStart(3)}  ${(i.state ?? '-').padEnd(11)} ${i.stage.padEnd(8)} verdicts ${String(i.verdicts.count).padStart(5)}  ${i.rewardModel?.name ?? '-'} acc ${fmt(i.rewardModel?.metrics?.accuracy)}  ${i.policy?.name ?? '-'}  hidden ${fmt(i.evaluation?.after.hidden)}  pairs ${i.pairCounts.versus + i.pairCounts.disagreement + i.pairCounts.sentinel}`
        )
    return 0
  }
}
