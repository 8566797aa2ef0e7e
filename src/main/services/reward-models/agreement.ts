/**
 * How often the active reward model agrees with one annotator: over their latest decisive verdicts, the
 * share where the model scores the preferred edit higher. Scores are cached per (version, edit), so the
 * session panel's refresh after each verdict scores only the new edits.
 */
import path from 'node:path'
import type { Db } from '../../db/connection'
import * as verdictsQ from '../../db/queries/verdicts'
import * as rmQ from '../../db/queries/reward-models'
import { createRewardScorer } from '../../engines/ml/reward-scorer'
import { dataDirOf, maxBeatsOf } from './registry'
import { SequenceTable, labelOf } from './dataset'

/** Verdicts looked at, newest first. */
export const AGREEMENT_WINDOW = 200
const cache = new Map<string, number>()
const CACHE_LIMIT = 20_000

export function rewardModelAgreement(db: Db, annotatorId: number): number | null {
  const active = rmQ.getActiveRewardModelRow(db)
  if (!active) return null
  const decisive = verdictsQ
    .listVerdicts(db, { annotatorId })
    .slice(-AGREEMENT_WINDOW)
    .map((v) => labelOf(v, 0))
    .filter((l) => l !== null && !l.tie)
  if (decisive.length === 0) return null
  const key = (editId: number): string => `${active.id}:${editId}`
  const missing = [...new Set(decisive.flatMap((l) => [l!.chosenEditId, l!.rejectedEditId]))].filter(
    (e) => !cache.has(key(e))
  )
  if (missing.length > 0) {
    const table = new SequenceTable(db)
    const maxBeats = maxBeatsOf(active)
    const scorer = createRewardScorer(
      path.join(dataDirOf(db), active.onnxPath),
      maxBeats === undefined ? {} : { maxBeats }
    )
    try {
      const r = scorer.scoreBatch(missing.map((e) => table.sequences[table.of(e)]!))
      if (cache.size + missing.length > CACHE_LIMIT) cache.clear()
      missing.forEach((e, i) => cache.set(key(e), r[i]!))
    } finally {
      scorer.dispose()
    }
  }
  const agree = decisive.filter((l) => cache.get(key(l!.chosenEditId))! > cache.get(key(l!.rejectedEditId))!).length
  return agree / decisive.length
}
