/** Using versions: score an edit, compare two on the same held-out pairs, activate (or roll back). */
import path from 'node:path'
import type { Db } from '../../db/connection'
import * as rmQ from '../../db/queries/reward-models'
import { AppFailure } from '../../../shared/result'
import type { RewardModelComparison, RewardModelVersion } from '../../../shared/domain'
import { createRewardScorer } from '../../engines/ml/reward-scorer'
import { getEditOrFail } from '../edits/edit-service'
import { dataDirOf, listRewardModelVersions, maxBeatsOf, rewardModelOrFail } from './registry'
import { SequenceTable, labelledPairs, type LabelledPair } from './dataset'
import { evaluateFile } from './evaluate'

/** The raw model output for an edit (song features + its actions), exactly what the ONNX file computes. */
export function scoreEdit(db: Db, modelName: string, editId: number): { model: string; edit: number; reward: number } {
  const model = rewardModelOrFail(db, modelName)
  const edit = getEditOrFail(db, editId)
  const table = new SequenceTable(db)
  const seq = table.sequences[table.of(edit.id)]!
  const maxBeats = maxBeatsOf(model)
  const scorer = createRewardScorer(
    path.join(dataDirOf(db), model.onnxPath),
    maxBeats === undefined ? {} : { maxBeats }
  )
  try {
    return { model: model.name, edit: edit.id, reward: scorer.score(seq.features, seq.beats, seq.actions) }
  } finally {
    scorer.dispose()
  }
}

/**
 * The held-out pairs two versions are compared on: the validation verdicts of the newer version that
 * has a split (a trained child's split is by song and never seen by it); when neither has one (two
 * imports), every current real-annotator verdict.
 */
export function comparisonPairs(db: Db, a: rmQ.StoredRewardModel, b: rmQ.StoredRewardModel): LabelledPair[] {
  const withSplit = [a, b].filter((v) => v.validation.verdictIds.length > 0).sort((x, y) => y.id - x.id)
  const ids = withSplit[0]?.validation.verdictIds
  return labelledPairs(
    db,
    ids === undefined ? { includeSimulated: false } : { includeSimulated: true, verdictIds: ids }
  )
}

export function compareRewardModels(db: Db, nameA: string, nameB: string): RewardModelComparison {
  const a = rewardModelOrFail(db, nameA, 'a')
  const b = rewardModelOrFail(db, nameB, 'b')
  const pairs = comparisonPairs(db, a, b)
  if (pairs.length === 0)
    throw new AppFailure('conflict', 'no verdicts to compare on yet: judge some pairs first', 'verdicts')
  const table = new SequenceTable(db)
  const dir = dataDirOf(db)
  return {
    a: a.name,
    b: b.name,
    verdictIds: pairs.map((p) => p.verdictId),
    metricsA: evaluateFile(db, path.join(dir, a.onnxPath), table, pairs, maxBeatsOf(a)),
    metricsB: evaluateFile(db, path.join(dir, b.onnxPath), table, pairs, maxBeatsOf(b))
  }
}

/** Makes a version the active one (the user's choice: activation and roll back alike). */
export function activateRewardModel(db: Db, name: string): RewardModelVersion {
  const v = rewardModelOrFail(db, name, 'name')
  rmQ.setActiveRewardModel(db, v.id)
  return listRewardModelVersions(db).find((m) => m.id === v.id)!
}
