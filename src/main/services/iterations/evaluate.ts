/**
 * Before/after on held-out songs: the previous policy's sampled edits (the rule baseline before there
 * was one) against the new policy's, on the same seeds, scored by the dense reward, the learned reward the policy trained
 * against, and the simulated annotator's hidden preference.
 */
import type { Db } from '../../db/connection'
import type { IterationEvaluation, PolicyEditScores } from '../../../shared/domain'
import { buildEditDecisionList, generateActions, type SongStructure } from '../../engines/edits'
import { denseEpisodeReward } from '../../engines/policy'
import { hiddenPreference } from '../../engines/edits/simulated-annotator'
import { createRewardScorer, type RewardScorer } from '../../engines/ml/reward-scorer'
import { loadSongStructure } from '../songs/stored-song'
import { actionsOfPolicy, type ActiveRewardModel } from './stages'

/** Who made a set of edits: a policy by id, or the rule baseline. */
export type EditSource = { policyId: number; label: string } | { policyId: null; label: 'rule' }

/** Sampled edits per held-out song and side: what `policy:<id>` generates. */
export const EVALUATION_SAMPLES = 8
/**
 * The evaluation's seeds are the same in every iteration, whatever its own seed, so one iteration's
 * "after" is exactly the next one's "before" and figures compare like with like across iterations.
 */
export const EVALUATION_SEED = 1

/** An edit a source makes of a song: sampled with the seed for a policy, seeded for the rule baseline. */
export function sourceActions(db: Db, source: EditSource, songId: number, s: SongStructure, seed: number): number[] {
  return source.policyId === null
    ? generateActions(s, 'rule', { seed })
    : actionsOfPolicy(db, source.policyId, songId, s, { seed })
}

export function scoreActions(
  s: SongStructure,
  actions: readonly number[],
  reward: { scorer: RewardScorer; model: ActiveRewardModel } | null
): { dense: number; learned: number | null; hidden: number; outputShare: number } {
  const learned =
    reward === null
      ? null
      : (reward.scorer.score(s.features, s.beatTimes.length, actions) - reward.model.norm.mean) / reward.model.norm.std
  return {
    dense: denseEpisodeReward(s, actions).total,
    learned,
    hidden: hiddenPreference(s, actions).score,
    outputShare: s.durationS > 0 ? buildEditDecisionList(s, actions).outputDurationS / s.durationS : 0
  }
}

function meanScores(label: string, rows: ReturnType<typeof scoreActions>[]): PolicyEditScores {
  const mean = (f: (r: ReturnType<typeof scoreActions>) => number): number =>
    rows.length === 0 ? 0 : rows.reduce((a, r) => a + f(r), 0) / rows.length
  return {
    label,
    dense: mean((r) => r.dense),
    learned: rows.some((r) => r.learned === null) ? null : mean((r) => r.learned!),
    hidden: mean((r) => r.hidden),
    outputShare: mean((r) => r.outputShare)
  }
}

export function evaluateBeforeAfter(
  db: Db,
  songIds: readonly number[],
  before: EditSource,
  after: EditSource,
  rewardModel: ActiveRewardModel | null
): IterationEvaluation {
  const scorer = rewardModel ? createRewardScorer(rewardModel.onnxFile) : null
  const reward = scorer && rewardModel ? { scorer, model: rewardModel } : null
  try {
    const rowsBefore: ReturnType<typeof scoreActions>[] = []
    const rowsAfter: ReturnType<typeof scoreActions>[] = []
    for (const songId of songIds) {
      const s = loadSongStructure(db, songId)
      for (let k = 0; k < EVALUATION_SAMPLES; k++) {
        rowsBefore.push(scoreActions(s, sourceActions(db, before, songId, s, EVALUATION_SEED + k), reward))
        rowsAfter.push(scoreActions(s, sourceActions(db, after, songId, s, EVALUATION_SEED + k), reward))
      }
    }
    return {
      songIds: [...songIds],
      before: meanScores(before.label, rowsBefore),
      after: meanScores(after.label, rowsAfter)
    }
  } finally {
    scorer?.dispose()
  }
}
