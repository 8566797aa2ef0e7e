import fs from 'node:fs'
import path from 'node:path'
import { createHash } from 'node:crypto'
import type { Db } from '../../db/connection'
import * as songsQ from '../../db/queries/songs'
import * as editsQ from '../../db/queries/edits'
import * as pairsQ from '../../db/queries/pairs'
import { AppFailure } from '../../../shared/result'
import { TARGET_DURATION_RANGE, type EditDetail, type PairSummary } from '../../../shared/domain'
import { buildEditDecisionList, validateActions } from '../../engines/edits'
import { generateActions } from '../../engines/edits'
import { renderEdit } from '../../engines/edits'
import { encodeWav } from '../../engines/edits'
import { decodeAudioFile, type DecodedAudio } from '../../engines/audio-io/decode'
import { integratedLoudness } from '../../../shared/loudness'
import { loadSongStructure } from '../songs/stored-song'
import { policyActions } from '../policies/generate'

export const RENDERS_DIR = 'renders'

export interface EditProvenance {
  generator: string
  policyId?: number | null
  policyVersion?: number | null
  seed?: number | null
  targetDurationS?: number | null
}

/** Identity of an edit's content: the song's audio and the action array. */
export function editContentHash(songContentHash: string, actions: ArrayLike<number>): string {
  return createHash('sha256').update(songContentHash).update(Uint8Array.from(actions)).digest('hex')
}

export function createEdit(db: Db, songId: number, actions: readonly number[], provenance: EditProvenance): EditDetail {
  const structure = loadSongStructure(db, songId)
  validateActions(structure, actions)
  const edl = buildEditDecisionList(structure, actions)
  const songHash = songsQ.songContentHash(db, songId) as string
  const id = editsQ.insertEdit(db, {
    songId,
    actions: Uint8Array.from(actions),
    generator: provenance.generator,
    policyId: provenance.policyId ?? null,
    policyVersion: provenance.policyVersion ?? null,
    seed: provenance.seed ?? null,
    targetDurationS: provenance.targetDurationS ?? null,
    outputDurationS: edl.outputDurationS,
    segments: edl.segments,
    contentHash: editContentHash(songHash, actions)
  })
  return editsQ.getEdit(db, id) as EditDetail
}

export function generateEdit(
  db: Db,
  songId: number,
  generator: string,
  opts: { targetDurationS?: number; seed?: number; greedy?: boolean }
): EditDetail {
  const structure = loadSongStructure(db, songId)
  if (generator.startsWith('policy:')) {
    if (opts.targetDurationS !== undefined) checkTargetDuration(db, songId, opts.targetDurationS)
    const seed = opts.seed ?? Math.floor(Math.random() * 2 ** 31)
    const { actions, policy } = policyActions(db, Number(generator.slice('policy:'.length)), songId, structure, {
      seed,
      greedy: opts.greedy,
      targetDurationS: opts.targetDurationS
    })
    return createEdit(db, songId, actions, {
      generator,
      policyId: policy.id,
      policyVersion: policy.runId,
      seed: opts.greedy === true ? null : seed,
      targetDurationS: opts.targetDurationS ?? null
    })
  }
  if (generator !== 'identity' && generator !== 'rule' && generator !== 'random')
    throw new AppFailure('validation', `unknown generator '${generator}'`, 'generator')
  if (opts.targetDurationS !== undefined) checkTargetDuration(db, songId, opts.targetDurationS)
  const seed = opts.seed ?? Math.floor(Math.random() * 2 ** 31)
  const actions = generateActions(structure, generator, { seed, targetDurationS: opts.targetDurationS })
  return createEdit(db, songId, actions, {
    generator,
    seed: generator === 'identity' ? null : seed,
    targetDurationS: opts.targetDurationS ?? null
  })
}

/**
 * Refuses a target the song cannot reach sensibly (docs/actions.md): 500 s asked of a 61 s song would
 * otherwise be made of dozens of loops.
 */
export function checkTargetDuration(db: Db, songId: number, targetDurationS: number): void {
  const song = songsQ.getSong(db, songId)
  if (!song) throw new AppFailure('not_found', `no song with id ${songId}`, 'songId')
  const { minFraction, maxFraction } = TARGET_DURATION_RANGE
  const minS = song.durationS * minFraction
  const maxS = song.durationS * maxFraction
  if (targetDurationS < minS - 1e-9 || targetDurationS > maxS + 1e-9)
    throw new AppFailure(
      'validation',
      `target duration ${targetDurationS.toFixed(1)} s is outside ${minS.toFixed(1)}–${maxS.toFixed(1)} s, ` +
        `the range allowed for this ${song.durationS.toFixed(1)} s song (${minFraction}x to ${maxFraction}x its length)`,
      'targetDurationS'
    )
}

export function getEditOrFail(db: Db, editId: number): EditDetail {
  const edit = editsQ.getEdit(db, editId)
  if (!edit) throw new AppFailure('not_found', `no edit with id ${editId}`, 'editId')
  return edit
}

/** Keeps the last decoded song in memory: rendering several edits of one song decodes it once. */
let decodedCache: { path: string; audio: DecodedAudio } | null = null

async function decodeSong(absolutePath: string): Promise<DecodedAudio> {
  if (decodedCache?.path === absolutePath) return decodedCache.audio
  const audio = await decodeAudioFile(absolutePath)
  decodedCache = { path: absolutePath, audio }
  return audio
}

export interface RenderedEdit {
  editId: number
  renderPath: string
  durationS: number
  /** Integrated loudness of the render (BS.1770), null for silence. */
  loudnessLufs: number | null
}

/** The render's loudness lives beside it (measured once, when the render is made). */
const loudnessFile = (absoluteWav: string): string => `${absoluteWav}.loudness.json`

function writeLoudness(absoluteWav: string, loudnessLufs: number | null): void {
  fs.writeFileSync(loudnessFile(absoluteWav), JSON.stringify({ loudnessLufs }))
}

/** The stored loudness of a render; renders made before loudness was measured are measured now. */
async function renderLoudness(absoluteWav: string): Promise<number | null> {
  try {
    const stored = JSON.parse(fs.readFileSync(loudnessFile(absoluteWav), 'utf8')) as { loudnessLufs?: unknown }
    if (typeof stored.loudnessLufs === 'number' || stored.loudnessLufs === null) return stored.loudnessLufs
  } catch {
    // missing or unreadable: measure again below
  }
  const audio = await decodeAudioFile(absoluteWav)
  const lufs = integratedLoudness(audio.channels, audio.sampleRate)
  writeLoudness(absoluteWav, lufs)
  return lufs
}

/** Renders an edit to WAV under the data directory, once; later calls return the cached file. */
export async function renderEditToFile(db: Db, dataDir: string, editId: number): Promise<RenderedEdit> {
  const edit = getEditOrFail(db, editId)
  if (edit.renderPath && fs.existsSync(path.join(dataDir, edit.renderPath)))
    return {
      editId,
      renderPath: edit.renderPath,
      durationS: edit.outputDurationS,
      loudnessLufs: await renderLoudness(path.join(dataDir, edit.renderPath))
    }
  const song = songsQ.getSong(db, edit.songId)
  if (!song) throw new AppFailure('not_found', `edit ${editId} belongs to missing song ${edit.songId}`)
  const audio = await decodeSong(path.join(dataDir, song.audioPath))
  const structure = loadSongStructure(db, edit.songId)
  const edl = buildEditDecisionList(structure, edit.actions)
  const channels = renderEdit(audio, edl)
  const relative = path.join(RENDERS_DIR, `edit-${editId}.wav`)
  const absolute = path.join(dataDir, relative)
  fs.mkdirSync(path.dirname(absolute), { recursive: true })
  fs.writeFileSync(`${absolute}.partial`, encodeWav(channels, audio.sampleRate, 'pcm16'))
  const loudnessLufs = integratedLoudness(channels, audio.sampleRate)
  writeLoudness(absolute, loudnessLufs)
  fs.renameSync(`${absolute}.partial`, absolute)
  editsQ.setEditRenderPath(db, editId, relative)
  return { editId, renderPath: relative, durationS: edl.outputDurationS, loudnessLufs }
}

export function createPair(db: Db, editAId: number, editBId: number, priority = 0): PairSummary {
  const a = getEditOrFail(db, editAId)
  const b = getEditOrFail(db, editBId)
  if (a.songId !== b.songId)
    throw new AppFailure('validation', `edits ${editAId} and ${editBId} belong to different songs`, 'editBId')
  if (a.contentHash === b.contentHash)
    throw new AppFailure('conflict', `edits ${editAId} and ${editBId} have identical action arrays`, 'editBId')
  if (pairsQ.pairExists(db, editAId, editBId))
    throw new AppFailure('conflict', `edits ${editAId} and ${editBId} are already paired`, 'editBId')
  const id = pairsQ.insertPair(db, { songId: a.songId, editAId, editBId, priority })
  return pairsQ.getPair(db, id) as PairSummary
}

/**
 * Queues `count` new pairs for a song from its existing edits, generating fresh edits (rule at several
 * target lengths, random with new seeds) when the existing ones run out of unpaired combinations.
 */
export function queuePairs(db: Db, songId: number, count: number, seed = Date.now() % 2 ** 31): PairSummary[] {
  const song = songsQ.getSong(db, songId)
  if (!song) throw new AppFailure('not_found', `no song with id ${songId}`, 'songId')
  const created: PairSummary[] = []
  let attempt = 0
  while (created.length < count && attempt < count * 6 + 6) {
    const edits = editsQ.listEdits(db, songId)
    const byHash = new Map<string, number>()
    for (const e of edits) if (!byHash.has(e.contentHash)) byHash.set(e.contentHash, e.id)
    const distinct = [...byHash.values()]
    let paired = false
    outer: for (let i = 0; i < distinct.length; i++)
      for (let j = i + 1; j < distinct.length; j++) {
        const [x, y] = [distinct[i] as number, distinct[j] as number]
        if (!pairsQ.pairExists(db, x, y)) {
          created.push(createPair(db, x, y))
          paired = true
          break outer
        }
      }
    if (!paired) {
      // Alternate generators so pairs compare different editing styles, not only seeds.
      const generator = attempt % 2 === 0 ? 'rule' : 'random'
      const fraction = 0.55 + 0.35 * (((attempt * 7919 + seed) % 100) / 100)
      generateEdit(db, songId, generator, {
        seed: seed + attempt,
        targetDurationS: generator === 'rule' ? Math.max(5, song.durationS * fraction) : undefined
      })
    }
    attempt++
  }
  if (created.length < count && created.length === 0)
    throw new AppFailure('conflict', `could not make distinct edits of song ${songId} to pair`, 'songId')
  return created
}
