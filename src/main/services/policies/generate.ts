/**
 * Edits from a policy (the `policy:<id>` generator): its ONNX file through onnxruntime, one forward per
 * beat under the action mask, sampled with the seed or greedy; and A/B pairs that set a policy against
 * the one before it.
 */
import type { Db } from '../../db/connection'
import { listSongs } from '../../db/queries/songs'
import { PolicyRunner } from '../../engines/ml/rlhf'
import type { SongStructure } from '../../engines/edits'
import { AppFailure } from '../../../shared/result'
import type { PolicySummary } from '../../../shared/domain'
import { listPolicies, policyFile, policyOrFail } from './registry'

export function policyActions(
  db: Db,
  policyId: number,
  songId: number,
  structure: SongStructure,
  opts: { seed: number; greedy?: boolean; targetDurationS?: number }
): { actions: number[]; policy: PolicySummary } {
  const policy = policyOrFail(db, policyId, 'generator')
  const runner = new PolicyRunner(policyFile(db, policy))
  try {
    const actions = runner.generate({ songId, structure }, opts)
    return { actions: Array.from(actions), policy }
  } finally {
    runner.dispose()
  }
}

/** The policy a new one is compared with: its parent, else the newest policy registered before it. */
export function previousPolicy(db: Db, p: PolicySummary): PolicySummary | null {
  if (p.parentId !== null) return policyOrFail(db, p.parentId)
  const older = listPolicies(db).filter((x) => x.id < p.id)
  return older.length > 0 ? older[older.length - 1]! : null
}

/** Ready songs to compare two policies on (the most recently imported first), at most `count`. */
export function comparisonSongs(db: Db, count: number): number[] {
  const ready = listSongs(db)
    .filter((s) => s.status === 'ready')
    .map((s) => s.id)
    .sort((a, b) => b - a)
  if (ready.length === 0) throw new AppFailure('conflict', 'no analysed songs to generate edits for', 'songs')
  return ready.slice(0, count)
}
