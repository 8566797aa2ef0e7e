import type { Db } from '../../db/connection'
import { AppFailure } from '../../../shared/result'
import type { PairSummary } from '../../../shared/domain'
import { createPair, generateEdit } from '../edits/edit-service'
import { comparisonSongs, previousPolicy } from './generate'
import { policyOrFail } from './registry'

/**
 * Queues A/B pairs that set a policy against another (default: the one before it) on up to `count`
 * ready songs: one sampled edit of each per song, same seed. Songs where both edits come out identical
 * are skipped (nothing to judge).
 */
export function queuePolicyPairs(
  db: Db,
  policyId: number,
  opts: { against?: number; count: number; seed: number }
): PairSummary[] {
  const policy = policyOrFail(db, policyId)
  const other = opts.against !== undefined ? policyOrFail(db, opts.against, 'against') : previousPolicy(db, policy)
  if (other === null)
    throw new AppFailure(
      'conflict',
      `policy '${policy.name}' has no previous policy to compare with: give one`,
      'against'
    )
  if (other.id === policy.id) throw new AppFailure('validation', 'a policy cannot be paired with itself', 'against')
  const pairs: PairSummary[] = []
  for (const songId of comparisonSongs(db, opts.count)) {
    const a = generateEdit(db, songId, `policy:${policy.id}`, { seed: opts.seed })
    const b = generateEdit(db, songId, `policy:${other.id}`, { seed: opts.seed })
    if (a.contentHash === b.contentHash) continue
    try {
      pairs.push(createPair(db, a.id, b.id, 1))
    } catch (e) {
      // the same two edits were paired before (same seed): nothing new to judge on this song
      if (!(e instanceof AppFailure && e.kind === 'conflict')) throw e
    }
  }
  return pairs
}
