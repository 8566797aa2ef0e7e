/**
 * Scores versions on verdicts through onnxruntime (the same path for imported and trained models),
 * and the normalisation stats over a reference set of library edits.
 */
import type { Db } from '../../db/connection'
import * as editsQ from '../../db/queries/edits'
import type { RewardModelMetrics } from '../../../shared/domain'
import { createRewardScorer } from '../../engines/ml/reward-scorer'
import { rewardMetrics, type ScoredPair } from '../../engines/ml/reward-metrics'
import { denseEpisodeReward } from '../../engines/policy'
import type { LabelledPair, SequenceTable } from './dataset'

/** Raw rewards of sequences (by index into the table) under one ONNX file. */
export function scoreTable(
  file: string,
  table: SequenceTable,
  indices: readonly number[],
  maxBeats?: number
): Float32Array {
  const scorer = createRewardScorer(file, maxBeats === undefined ? {} : { maxBeats })
  try {
    return scorer.scoreBatch(indices.map((i) => table.sequences[i]!))
  } finally {
    scorer.dispose()
  }
}

/** Dense reward per edit (cached on the table's edits by id). */
export function denseRewards(table: SequenceTable, db: Db, editIds: readonly number[]): Map<number, number> {
  const out = new Map<number, number>()
  for (const id of editIds) {
    if (out.has(id)) continue
    const e = editsQ.getEdit(db, id)
    if (!e) continue
    out.set(id, denseEpisodeReward(table.structure(e.songId), e.actions).total)
  }
  return out
}

/** Held-out metrics of one model file on these labelled pairs. */
export function evaluateFile(
  db: Db,
  file: string,
  table: SequenceTable,
  pairs: readonly LabelledPair[],
  maxBeats?: number
): RewardModelMetrics {
  const idx = [...new Set(pairs.flatMap((p) => [table.of(p.chosenEditId), table.of(p.rejectedEditId)]))]
  const scores = scoreTable(file, table, idx, maxBeats)
  const at = new Map(idx.map((s, i) => [s, scores[i]!]))
  const d = denseRewards(
    table,
    db,
    pairs.flatMap((p) => [p.chosenEditId, p.rejectedEditId])
  )
  const scored: ScoredPair[] = pairs.map((p) => ({
    rChosen: at.get(table.of(p.chosenEditId))!,
    rRejected: at.get(table.of(p.rejectedEditId))!,
    target: p.tie ? 0.5 : 1,
    denseChosen: d.get(p.chosenEditId),
    denseRejected: d.get(p.rejectedEditId)
  }))
  return rewardMetrics(scored)
}

/** Edits in the reference set for normalisation: the most recent ones, at most this many. */
export const REFERENCE_EDITS = 256

/** Reward mean and std over the reference set of library edits (std 1 when there are fewer than 2). */
export function normalisationStats(
  db: Db,
  file: string,
  table: SequenceTable,
  maxBeats?: number
): { mean: number; std: number; count: number } {
  const edits = editsQ.listEdits(db).slice(-REFERENCE_EDITS)
  const idx: number[] = []
  for (const e of edits) {
    try {
      idx.push(table.of(e.id))
    } catch {
      // a song that is not ready (or analysed with other features) is not part of the reference set
    }
  }
  if (idx.length === 0) return { mean: 0, std: 1, count: 0 }
  const r = scoreTable(file, table, idx, maxBeats)
  const mean = r.reduce((a, b) => a + b, 0) / r.length
  const variance = r.reduce((a, b) => a + (b - mean) ** 2, 0) / r.length
  const std = r.length >= 2 && variance > 1e-12 ? Math.sqrt(variance) : 1
  return { mean, std, count: r.length }
}
