import type { Command } from '../framework'
import { callApi, optionalNumber, requireInt } from '../framework'
import * as pairsQ from '../../../db/queries/pairs'
import * as annotatorsQ from '../../../db/queries/annotators'
import { readSettings } from '../../../db/queries/settings'
import { submitVerdict } from '../../../services/listen'
import { requestSchemas } from '../../../../shared/api'
import { describeZodError } from '../../../api/dispatch'
import { AppFailure } from '../../../../shared/result'

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
    const pairId = requireInt(args.values.pair, 'pair')
    const name = args.values.annotator
    if (typeof name !== 'string' || name.trim() === '')
      throw new AppFailure('validation', '--annotator NAME is required', 'annotator')
    const pair = pairsQ.getPair(ctx.db, pairId)
    if (!pair) throw new AppFailure('not_found', `no pair with id ${pairId}`, 'pair')
    const annotator =
      annotatorsQ.findAnnotatorByName(ctx.db, name.trim()) ?? annotatorsQ.insertAnnotator(ctx.db, name.trim())
    // The CLI shows nothing, so A and B are the pair's own order and no listening time is claimed.
    const parsed = requestSchemas['verdicts.submit'].safeParse({
      pairId,
      annotatorId: annotator.id,
      verdict: args.values.verdict,
      strength: args.values.strength === undefined ? null : Number(args.values.strength),
      shownAEditId: pair.editAId,
      shownBEditId: pair.editBId,
      listenedAMs: 0,
      listenedBMs: 0,
      switches: 0,
      decisionMs: 0,
      note: typeof args.values.note === 'string' ? args.values.note : null
    })
    if (!parsed.success) {
      const { field, message } = describeZodError(parsed.error)
      throw new AppFailure('validation', message, field)
    }
    const verdict = submitVerdict(ctx.db, parsed.data, { ...readSettings(ctx.db), mustListenS: 0 }, ctx.appVersion)
    io.out(args.json ? JSON.stringify(verdict) : `recorded verdict ${verdict.id} on pair ${pairId}: ${verdict.verdict}`)
    return 0
  }
}
