/**
 * The simulated annotator at work: it judges queued pairs through the same listen service the A/B
 * screen uses (next pair, then a verdict), under an annotator marked simulated, with the hidden
 * preference of engines/edits/simulated-annotator.ts.
 */
import type { Db } from '../../db/connection'
import { readSettings } from '../../db/queries/settings'
import * as pairsQ from '../../db/queries/pairs'
import { findOrCreateSimulatedAnnotator } from '../../db/queries/reward-models'
import { requestSchemas, type ParsedInput } from '../../../shared/api'
import type { SimulatedJudgeReport } from '../../../shared/domain'
import { mulberry32 } from '../../../shared/random'
import { hiddenPreference, simulatedVerdict } from '../../engines/edits/simulated-annotator'
import { nextPair, submitVerdict } from '../listen'
import { loadSongStructure } from '../songs/stored-song'

export function judgeSimulated(db: Db, input: ParsedInput<'judge.simulate'>, appVersion: string): SimulatedJudgeReport {
  const annotator = findOrCreateSimulatedAnnotator(db, input.annotator)
  const random = mulberry32(input.seed)
  const rnd = { next: random }
  const report: SimulatedJudgeReport = {
    annotatorId: annotator.id,
    annotator: annotator.name,
    judged: 0,
    ties: 0,
    skipped: 0,
    noisy: 0,
    remaining: 0
  }
  const settings = readSettings(db)
  for (let i = 0; i < input.count; i++) {
    const p = nextPair(db, annotator.id, settings, rnd)
    if (!p) break
    const structure = loadSongStructure(db, p.songId)
    const v = simulatedVerdict(
      hiddenPreference(structure, p.shownA.actions).score,
      hiddenPreference(structure, p.shownB.actions).score,
      random,
      { noise: input.noise, tieMargin: input.tieMargin, skipRate: input.skipRate }
    )
    // It "listens" to both sides in full, so the must-listen rule holds as it does for a person.
    // Through the contract's schema, so the verdict gets the same defaults and bounds as the UI's.
    const verdict = requestSchemas['verdicts.submit'].parse({
      pairId: p.pairId,
      annotatorId: annotator.id,
      verdict: v.verdict,
      strength: v.verdict === 'a' || v.verdict === 'b' ? v.strength : null,
      shownAEditId: p.shownA.id,
      shownBEditId: p.shownB.id,
      listenedAMs: p.shownA.outputDurationS * 1000,
      listenedBMs: p.shownB.outputDurationS * 1000,
      switches: 1,
      decisionMs: 0,
      note: null
    })
    submitVerdict(db, verdict, settings, appVersion)
    if (v.verdict === 'skip') report.skipped++
    else report.judged++
    if (v.verdict === 'tie') report.ties++
    if (v.noisy) report.noisy++
  }
  report.remaining = pairsQ.countQueuedPairs(db)
  return report
}
