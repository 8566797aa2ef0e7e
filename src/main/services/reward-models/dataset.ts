/**
 * From stored verdicts to training data: which verdicts count, how each becomes a pair (targets,
 * margins), the held-out split by song, and the sequences (song features + edit actions) they refer to.
 */
import { createHash } from 'node:crypto'
import type { Db } from '../../db/connection'
import * as verdictsQ from '../../db/queries/verdicts'
import * as editsQ from '../../db/queries/edits'
import * as songsQ from '../../db/queries/songs'
import { simulatedAnnotatorIds } from '../../db/queries/reward-models'
import { loadSongStructure } from '../songs/stored-song'
import { AppFailure } from '../../../shared/result'
import type { VerdictRecord } from '../../../shared/domain'
import type { SongStructure } from '../../engines/edits'
import type { PreferencePair, RewardSequence } from '../../engines/ml/reward-training'

/** A verdict usable in the pairwise loss: decisive (a/b) or a tie. Both-bad and skips are kept out. */
export interface LabelledPair {
  verdictId: number
  songId: number
  /** Preferred edit (for a tie: the edit shown as A). */
  chosenEditId: number
  rejectedEditId: number
  tie: boolean
  strength: 1 | 2 | null
}

export function labelOf(v: VerdictRecord, songId: number): LabelledPair | null {
  if (v.verdict === 'a' || v.verdict === 'b') {
    if (v.chosenEditId === null || v.rejectedEditId === null) return null
    return {
      verdictId: v.id,
      songId,
      chosenEditId: v.chosenEditId,
      rejectedEditId: v.rejectedEditId,
      tie: false,
      strength: v.strength
    }
  }
  if (v.verdict === 'tie')
    return {
      verdictId: v.id,
      songId,
      chosenEditId: v.shownAEditId,
      rejectedEditId: v.shownBEditId,
      tie: true,
      strength: null
    }
  return null
}

/**
 * The current (not superseded) verdicts of real annotators (simulated ones only when asked), as
 * labelled pairs; with `verdictIds`, exactly those verdicts (a resumed job trains on what it started with).
 */
export function labelledPairs(
  db: Db,
  opts: { includeSimulated: boolean; verdictIds?: readonly number[] }
): LabelledPair[] {
  const simulated = simulatedAnnotatorIds(db)
  const verdicts =
    opts.verdictIds !== undefined
      ? opts.verdictIds.map((id) => {
          const v = verdictsQ.getVerdict(db, id)
          if (!v) throw new AppFailure('not_found', `verdict ${id} of this training run no longer exists`, 'verdicts')
          return v
        })
      : verdictsQ.listVerdicts(db).filter((v) => opts.includeSimulated || !simulated.has(v.annotatorId))
  const songOfEdit = new Map<number, number>()
  const out: LabelledPair[] = []
  for (const v of verdicts) {
    let songId = songOfEdit.get(v.shownAEditId)
    if (songId === undefined) {
      const e = editsQ.getEdit(db, v.shownAEditId)
      if (!e) continue
      songId = e.songId
      songOfEdit.set(v.shownAEditId, songId)
    }
    const l = labelOf(v, songId)
    if (l) out.push(l)
  }
  return out
}

/** sha256 over the sorted verdict ids: names the exact label set a version was trained on. */
export function verdictsHash(ids: readonly number[]): string {
  return createHash('sha256')
    .update([...ids].sort((a, b) => a - b).join(','))
    .digest('hex')
}

/** Share of songs held out for validation. */
export const HELD_OUT_SHARE = 0.2

/**
 * The held-out songs: a song is held out when a hash of its audio content falls in the lowest 20 %,
 * so the split is the same for every version (a parent never trained on a child's held-out songs,
 * unless it was imported). At least one song is held out and one kept when there are two or more.
 */
export function heldOutSongs(db: Db, songIds: readonly number[]): Set<number> {
  const unique = [...new Set(songIds)]
  if (unique.length < 2) return new Set()
  const keyed = unique.map((id) => {
    const h = createHash('sha256')
      .update(songsQ.songContentHash(db, id) ?? String(id))
      .digest()
    return { id, u: h.readUInt32BE(0) / 2 ** 32 }
  })
  const held = new Set(keyed.filter((k) => k.u < HELD_OUT_SHARE).map((k) => k.id))
  keyed.sort((a, b) => a.u - b.u)
  if (held.size === 0) held.add(keyed[0]!.id)
  if (held.size === unique.length) held.delete(keyed[keyed.length - 1]!.id)
  return held
}

/** Sequences of edits (song features + actions), loaded once per song. */
export class SequenceTable {
  readonly sequences: RewardSequence[] = []
  readonly editIds: number[] = []
  private readonly index = new Map<number, number>()
  private readonly songs = new Map<number, SongStructure>()

  constructor(private readonly db: Db) {}

  structure(songId: number): SongStructure {
    let s = this.songs.get(songId)
    if (!s) {
      s = loadSongStructure(this.db, songId)
      this.songs.set(songId, s)
    }
    return s
  }

  /** Index of the edit's sequence (added on first use). */
  of(editId: number): number {
    const known = this.index.get(editId)
    if (known !== undefined) return known
    const e = editsQ.getEdit(this.db, editId)
    if (!e) throw new AppFailure('not_found', `no edit with id ${editId}`, 'editId')
    const s = this.structure(e.songId)
    const i = this.sequences.length
    this.sequences.push({ features: s.features, beats: s.beatTimes.length, actions: Uint8Array.from(e.actions) })
    this.editIds.push(editId)
    this.index.set(editId, i)
    return i
  }
}

export function toPreferencePair(t: SequenceTable, l: LabelledPair, strengthMargin: number): PreferencePair {
  return {
    chosen: t.of(l.chosenEditId),
    rejected: t.of(l.rejectedEditId),
    target: l.tie ? 0.5 : 1,
    margin: l.strength === 2 ? strengthMargin : 0
  }
}
