import type { Command } from '../framework'
import { callApi, optionalNumber, requireInt, requireOptions } from '../framework'

export const judgeCommand: Command = {
  name: 'judge',
  summary: 'Record a verdict on a pair (for scripts and simulated annotators)',
  usage:
    'judge --pair P --verdict a|b|tie|both_bad|skip [--strength 1|2] --annotator NAME [--note TEXT] [--json] | judge --simulate [--noise 0.1] [--count N] [--seed S] [--annotator NAME] [--json]',
  options: {
    pair: { type: 'string' },
    verdict: { type: 'string' },
    strength: { type: 'string' },
    annotator: { type: 'string' },
    note: { type: 'string' },
    simulate: { type: 'boolean', default: false },
    noise: { type: 'string' },
    count: { type: 'string' },
    seed: { type: 'string' }
  },
  async run(args, io, open) {
    const ctx = open()
    if (args.values.simulate === true) {
      // The built-in simulated annotator judges queued pairs (docs/reward-models.md).
      const report = await callApi(ctx, 'judge.simulate', {
        ...(args.values.noise !== undefined ? { noise: optionalNumber(args.values.noise, 'noise') } : {}),
        ...(args.values.count !== undefined ? { count: requireInt(args.values.count, 'count') } : {}),
        ...(args.values.seed !== undefined ? { seed: optionalNumber(args.values.seed, 'seed') } : {}),
        ...(typeof args.values.annotator === 'string' ? { annotator: args.values.annotator } : {})
      })
      io.out(
        args.json
          ? JSON.stringify(report)
          : `${report.annotator} (simulated) judged ${report.judged} pairs (${report.ties} ties, ${report.noisy} noisy answers), skipped ${report.skipped}; ${report.remaining} queued`
      )
      return 0
    }
    requireOptions(judgeCommand, args.values, ['pair', 'verdict', 'annotator'])
    // No screen and no listening time: the CLI-only scripted request (the contract's verdicts.record).
    const verdict = await callApi(
      ctx,
      'verdicts.record',
      {
        pairId: requireInt(args.values.pair, 'pair'),
        annotator: args.values.annotator,
        verdict: args.values.verdict,
        strength: args.values.strength === undefined ? null : Number(args.values.strength),
        note: typeof args.values.note === 'string' ? args.values.note : null
      },
      { pairId: 'pair', annotator: 'annotator', verdict: 'verdict', strength: 'strength', note: 'note' }
    )
    io.out(
      args.json
        ? JSON.stringify(verdict)
        : `recorded verdict ${verdict.id} on pair ${verdict.pairId}: ${verdict.verdict}`
    )
    return 0
  }
}
