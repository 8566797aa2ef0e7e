/**
 * The contract's verdict requests: each records or undoes verdicts through the listening service, then
 * announces the changed pair queue to every client (see services/edits/edit-requests.ts).
 */
import type { Db } from '../../db/connection'
import * as pairsQ from '../../db/queries/pairs'
import * as annotatorsQ from '../../db/queries/annotators'
import { readSettings } from '../../db/queries/settings'
import { AppFailure } from '../../../shared/result'
import type { ParsedInput } from '../../../shared/api'
import type { Annotator, SimulatedJudgeReport, VerdictRecord } from '../../../shared/domain'
import { announcePairs, type LibraryScope } from '../edits/edit-requests'
import { judgeSimulated } from '../reward-models'
import { submitVerdict, undoLastVerdict } from './index'

/** A scope that also stamps verdicts with the app version that recorded them. */
export interface VerdictScope extends LibraryScope {
  appVersion: string
}

/** The annotator with this name, created when new (names are unique). */
export function annotatorNamed(db: Db, name: string): Annotator {
  return annotatorsQ.findAnnotatorByName(db, name) ?? annotatorsQ.insertAnnotator(db, name)
}

export function submitVerdictRequest(scope: VerdictScope, input: ParsedInput<'verdicts.submit'>): VerdictRecord {
  const verdict = submitVerdict(scope.db, input, readSettings(scope.db), scope.appVersion)
  announcePairs(scope)
  return verdict
}

export function undoVerdictRequest(scope: LibraryScope, input: ParsedInput<'verdicts.undo'>): VerdictRecord | null {
  const undone = undoLastVerdict(scope.db, input.annotatorId, readSettings(scope.db))
  announcePairs(scope)
  return undone
}

/**
 * A verdict from a script (CLI `judge`): nothing was shown, so A and B are the pair's own order, no
 * listening time is claimed and the must-listen rule is waived; every other rule of submitVerdict holds.
 * The contract serves this request to the CLI transport only.
 */
export function recordScriptedVerdict(scope: VerdictScope, input: ParsedInput<'verdicts.record'>): VerdictRecord {
  const pair = pairsQ.getPair(scope.db, input.pairId)
  if (!pair) throw new AppFailure('not_found', `no pair with id ${input.pairId}`, 'pairId')
  const annotator = annotatorNamed(scope.db, input.annotator)
  const verdict = submitVerdict(
    scope.db,
    {
      pairId: pair.id,
      annotatorId: annotator.id,
      verdict: input.verdict,
      strength: input.strength,
      shownAEditId: pair.editAId,
      shownBEditId: pair.editBId,
      listenedAMs: 0,
      listenedBMs: 0,
      switches: 0,
      decisionMs: 0,
      marks: [],
      note: input.note
    },
    { ...readSettings(scope.db), mustListenS: 0 },
    scope.appVersion
  )
  announcePairs(scope)
  return verdict
}

export function judgeSimulatedRequest(scope: VerdictScope, input: ParsedInput<'judge.simulate'>): SimulatedJudgeReport {
  const report = judgeSimulated(scope.db, input, scope.appVersion)
  announcePairs(scope)
  return report
}
