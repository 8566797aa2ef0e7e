import type { Command } from '../framework'
import { requireInt } from '../framework'
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
  usage: 'judge --pair P --verdict a|b|tie|both_bad|skip [--strength 1|2] --annotator NAME [--note TEXT] [--json]',
  options: {
    pair: { type: 'string' },
    verdict: { type: 'string' },
    strength: { type: 'string' },
    annotator: { type: 'string' },
    note: { type: 'string' }
  },
  async run(args, io, open) {
    const ctx = open()
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
