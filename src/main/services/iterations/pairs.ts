/**
 * The last two stages: the new policy's edits of the chosen songs next to the previous policy's (the
 * examples to listen to), then the pairs to judge next. Everything is computed first and written in one
 * short transaction together with the stage change, so a crash leaves either all of a stage or none.
 *
 * - versus: the new policy against the previous one on the same song, same seed;
 * - disagreement: candidate pairs among fresh samples of both, ranked by how much the new reward
 *   model's ensemble members disagree on which side is better (Christiano 2017's query selection);
 * - sentinel: the new policy's edit against a random edit, with the expected winner recorded, so
 *   careless or drifting judging shows up.
 */
import type { Db } from '../../db/connection'
import * as iterationsQ from '../../db/queries/iterations'
import { immediateTransaction } from '../../db/transaction'
import * as editsQ from '../../db/queries/edits'
import * as pairsQ from '../../db/queries/pairs'
import { generateActions, type SongStructure } from '../../engines/edits'
import { createEnsembleScorer } from '../../engines/ml/reward-scorer'
import { createEdit, editContentHash, createPair, type EditProvenance } from '../edits/edit-service'
import { songContentHash } from '../../db/queries/songs'
import { loadSongStructure } from '../songs/stored-song'
import { actionsOfPolicy } from './stages'
import type { EditSource } from './evaluate'

/** Queue priorities: versus pairs first, then sentinels, then disagreement pairs (most uncertain first). */
const PRIORITY = { versus: 3, sentinel: 2.5, disagreement: 2 } as const
/** Fresh samples per song and side that disagreement candidates are drawn from. */
const CANDIDATE_SAMPLES = 2

interface Sampled {
  songId: number
  actions: number[]
  provenance: EditProvenance
}

function sample(
  db: Db,
  source: EditSource,
  runId: number | null,
  songId: number,
  s: SongStructure,
  seed: number
): Sampled {
  if (source.policyId === null)
    return { songId, actions: generateActions(s, 'rule', { seed }), provenance: { generator: 'rule', seed } }
  return {
    songId,
    actions: actionsOfPolicy(db, source.policyId, songId, s, { seed }),
    provenance: { generator: `policy:${source.policyId}`, policyId: source.policyId, policyVersion: runId, seed }
  }
}

function randomEdit(songId: number, s: SongStructure, seed: number): Sampled {
  return { songId, actions: generateActions(s, 'random', { seed }), provenance: { generator: 'random', seed } }
}

/** Stores an edit, reusing one of the same song with identical actions so pairs are never duplicated. */
function storeEdit(db: Db, e: Sampled): number {
  const hash = editContentHash(songContentHash(db, e.songId) as string, e.actions)
  const same = editsQ.listEdits(db, e.songId).find((x) => x.contentHash === hash)
  return same ? same.id : createEdit(db, e.songId, e.actions, e.provenance).id
}

const sameActions = (a: readonly number[], b: readonly number[]): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i])

export interface Sides {
  next: { policyId: number; label: string; runId: number }
  previous: EditSource
}

/** Stage 'generate': one sampled edit per chosen song from each policy, the same seed on both sides. */
export function generateStage(
  db: Db,
  iterationId: number,
  songIds: readonly number[],
  sides: Sides,
  seed: number,
  seconds: () => number
): void {
  const made = songIds.map((songId) => {
    const s = loadSongStructure(db, songId)
    return {
      songId,
      next: sample(db, sides.next, sides.next.runId, songId, s, seed),
      previous: sample(db, sides.previous, null, songId, s, seed)
    }
  })
  immediateTransaction(db, () => {
    for (const m of made)
      iterationsQ.insertIterationEdit(db, {
        iterationId,
        songId: m.songId,
        editId: storeEdit(db, m.next),
        previousEditId: storeEdit(db, m.previous),
        previousLabel: sides.previous.label
      })
    iterationsQ.advanceIteration(db, iterationId, 'generate', 'pairs', seconds())
  })
}

interface Candidate {
  role: 'versus' | 'disagreement' | 'sentinel'
  a: Sampled
  b: Sampled
  expected: 'a' | null
  disagreement: number | null
}

/** Per candidate pair, the spread over members of (r_A - r_B), each member's rewards standardised over the candidates. */
function disagreements(
  memberFiles: readonly string[],
  structures: Map<number, SongStructure>,
  cands: readonly Candidate[]
): number[] {
  const seqs = cands.flatMap((c) =>
    [c.a, c.b].map((e) => {
      const s = structures.get(e.songId)!
      return { features: s.features, beats: s.beatTimes.length, actions: e.actions }
    })
  )
  const ens = createEnsembleScorer(memberFiles)
  try {
    const members = ens.scoreBatch(seqs).members.map((m) => {
      const mean = m.reduce((x, y) => x + y, 0) / m.length
      const std = Math.sqrt(m.reduce((x, y) => x + (y - mean) ** 2, 0) / m.length) || 1
      return Array.from(m, (r) => (r - mean) / std)
    })
    return cands.map((_c, j) => {
      const diffs = members.map((m) => m[2 * j]! - m[2 * j + 1]!)
      const mean = diffs.reduce((x, y) => x + y, 0) / diffs.length
      return Math.sqrt(diffs.reduce((x, d) => x + (d - mean) ** 2, 0) / diffs.length)
    })
  } finally {
    ens.dispose()
  }
}

/** Stage 'pairs': versus, disagreement-ranked and sentinel pairs, as many as the settings ask for. */
export function pairsStage(
  db: Db,
  iterationId: number,
  opts: {
    songIds: readonly number[]
    sides: Sides
    quota: { versus: number; disagreement: number; sentinel: number }
    seed: number
    /** Reward-model files whose disagreement ranks candidates (ensemble members, or vN+1 and vN). */
    rankers: readonly string[]
  },
  seconds: () => number
): void {
  const structures = new Map(opts.songIds.map((id) => [id, loadSongStructure(db, id)]))
  const examples = new Map(iterationsQ.iterationEdits(db, iterationId).map((e) => [e.songId, e]))
  const stored = (editId: number, songId: number): Sampled => {
    const e = editsQ.getEdit(db, editId)!
    return { songId, actions: e.actions, provenance: { generator: e.generator } }
  }
  const cands: Candidate[] = []
  const { next, previous } = opts.sides
  // versus: the generate stage's edits first, then further seeds round robin over the songs
  for (let k = 0; cands.length < opts.quota.versus && k < opts.quota.versus * 2 + opts.songIds.length; k++) {
    const songId = opts.songIds[k % opts.songIds.length]!
    const round = Math.floor(k / opts.songIds.length)
    const s = structures.get(songId)!
    const ex = examples.get(songId)
    const a =
      round === 0 && ex ? stored(ex.editId, songId) : sample(db, next, next.runId, songId, s, opts.seed + 1 + round)
    const b =
      round === 0 && ex
        ? stored(ex.previousEditId, songId)
        : sample(db, previous, null, songId, s, opts.seed + 1 + round)
    if (!sameActions(a.actions, b.actions)) cands.push({ role: 'versus', a, b, expected: null, disagreement: null })
  }
  // sentinels: the new policy's example edit against a random edit of the same song
  for (let k = 0; k < opts.quota.sentinel; k++) {
    const songId = opts.songIds[k % opts.songIds.length]!
    const s = structures.get(songId)!
    const ex = examples.get(songId)
    const a = ex ? stored(ex.editId, songId) : sample(db, next, next.runId, songId, s, opts.seed)
    cands.push({
      role: 'sentinel',
      a,
      b: randomEdit(songId, s, opts.seed * 7919 + 101 * k + iterationId),
      expected: 'a',
      disagreement: null
    })
  }
  // disagreement: all distinct pairs among fresh samples of both policies, most disputed first
  if (opts.quota.disagreement > 0 && opts.rankers.length >= 2) {
    const pool: Candidate[] = []
    for (const songId of opts.songIds) {
      const s = structures.get(songId)!
      const samples: Sampled[] = []
      for (let k = 0; k < CANDIDATE_SAMPLES; k++) {
        samples.push(sample(db, next, next.runId, songId, s, opts.seed + 1000 + k))
        samples.push(sample(db, previous, null, songId, s, opts.seed + 1000 + k))
      }
      for (let i = 0; i < samples.length; i++)
        for (let j = i + 1; j < samples.length; j++)
          if (!sameActions(samples[i]!.actions, samples[j]!.actions))
            pool.push({ role: 'disagreement', a: samples[i]!, b: samples[j]!, expected: null, disagreement: null })
    }
    const spread = pool.length > 0 ? disagreements(opts.rankers, structures, pool) : []
    pool.forEach((c, i) => (c.disagreement = spread[i]!))
    pool.sort((x, y) => y.disagreement! - x.disagreement!)
    cands.push(...pool)
  }
  immediateTransaction(db, () => {
    let disagreementQueued = 0
    for (const c of cands) {
      if (c.role === 'disagreement' && disagreementQueued >= opts.quota.disagreement) break
      const aId = storeEdit(db, c.a)
      const bId = storeEdit(db, c.b)
      if (aId === bId || pairsQ.pairExists(db, aId, bId)) continue
      const priority = PRIORITY[c.role] + (c.disagreement === null ? 0 : Math.min(0.49, c.disagreement / 10))
      const pair = createPair(db, aId, bId, priority)
      iterationsQ.insertIterationPair(db, {
        iterationId,
        pairId: pair.id,
        role: c.role,
        expectedEditId: c.expected === 'a' ? aId : null,
        disagreement: c.disagreement
      })
      if (c.role === 'disagreement') disagreementQueued++
    }
    iterationsQ.advanceIteration(db, iterationId, 'pairs', 'done', seconds())
  })
}
