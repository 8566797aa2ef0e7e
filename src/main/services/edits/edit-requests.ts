/**
 * The contract's edit and pair requests: each runs its use case, then announces what changed on the
 * event bus that every transport forwards (Electron windows, WebSocket clients), so handlers stay one
 * line and no caller can change the library without telling the clients.
 */
import type { Db } from '../../db/connection'
import * as pairsQ from '../../db/queries/pairs'
import type { EventBus } from '../../app/events'
import type { ParsedInput } from '../../../shared/api'
import type { EditDetail, PairSummary } from '../../../shared/domain'
import { createEdit, createPair, generateEdit, queuePairs } from './edit-service'
import { queuePolicyPairs } from '../policies'

/** What a request needs to change the library and tell the clients; the app context is one. */
export interface LibraryScope {
  db: Db
  events: Pick<EventBus, 'emit'>
}

/** The pair queue changed (pairs queued, judged, skipped, undone): clients refresh their queue views. */
export function announcePairs({ db, events }: LibraryScope): void {
  events.emit('pairs.changed', { queued: pairsQ.countQueuedPairs(db) })
}

export function generateEditRequest(scope: LibraryScope, input: ParsedInput<'edits.generate'>): EditDetail {
  const { songId, generator, targetDurationS, seed, greedy } = input
  const edit = generateEdit(scope.db, songId, generator, { targetDurationS, seed, greedy })
  scope.events.emit('edits.changed', { songId })
  return edit
}

export function createEditRequest(scope: LibraryScope, input: ParsedInput<'edits.create'>): EditDetail {
  const edit = createEdit(scope.db, input.songId, input.actions, { generator: input.generator })
  scope.events.emit('edits.changed', { songId: input.songId })
  return edit
}

export function queuePairsRequest(scope: LibraryScope, input: ParsedInput<'pairs.queue'>): PairSummary[] {
  const pairs = queuePairs(scope.db, input.songId, input.count)
  announcePairs(scope)
  return pairs
}

export function createPairRequest(scope: LibraryScope, input: ParsedInput<'pairs.create'>): PairSummary {
  const pair = createPair(scope.db, input.editAId, input.editBId, input.priority ?? 0)
  announcePairs(scope)
  return pair
}

export function queuePolicyPairsRequest(scope: LibraryScope, input: ParsedInput<'policies.queuePairs'>): PairSummary[] {
  const pairs = queuePolicyPairs(scope.db, input.policyId, input)
  announcePairs(scope)
  return pairs
}
