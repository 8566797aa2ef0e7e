import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import fs from 'node:fs'
import path from 'node:path'
import { createAppContext, type AppContext } from '../../src/main/app/context'
import {
  createEdit,
  createPair,
  generateEdit,
  queuePairs,
  renderEditToFile
} from '../../src/main/services/edits/edit-service'
import { loadSongStructure } from '../../src/main/services/songs/stored-song'
import { decodeAudioFile } from '../../src/main/engines/audio-io/decode'
import * as pairsQ from '../../src/main/db/queries/pairs'
import { ACTION_ID } from '../../src/shared/actions'
import { AppFailure } from '../../src/shared/result'
import { tempDataDir } from '../helpers/temp'
import { addAnalysedSong } from '../helpers/songs'
import { failureOf } from '../helpers/failure'

let ctx: AppContext
let songId: number
const data = tempDataDir()
const inbox = tempDataDir('editorbot-inbox-')

beforeAll(async () => {
  ctx = createAppContext({ dataDir: data.dir })
  songId = await addAnalysedSong(ctx, inbox.dir, { bpm: 120, bars: 8 })
})
afterAll(async () => {
  await ctx.close()
  data.cleanup()
  inbox.cleanup()
})

describe('edit library (edits and pairs in SQLite)', () => {
  it('stores generated edits with provenance and a content hash', () => {
    const identity = generateEdit(ctx.db, songId, 'identity', {})
    expect(identity.actions.every((a) => a === ACTION_ID.KEEP)).toBe(true)
    expect(identity.seed).toBeNull()
    const rule = generateEdit(ctx.db, songId, 'rule', { seed: 5, targetDurationS: 10 })
    expect(rule.generator).toBe('rule')
    expect(rule.seed).toBe(5)
    const beat = 0.5
    expect(Math.abs(rule.outputDurationS - 10)).toBeLessThanOrEqual(beat + 1e-6)
    expect(rule.contentHash).not.toBe(identity.contentHash)
    const again = generateEdit(ctx.db, songId, 'rule', { seed: 5, targetDurationS: 10 })
    expect(again.actions).toEqual(rule.actions)
    expect(again.contentHash).toBe(rule.contentHash)
  })

  it('rejects malformed action arrays with an error naming the field', () => {
    const beats = loadSongStructure(ctx.db, songId).beatTimes.length
    const short = failureOf(() => createEdit(ctx.db, songId, [0, 0, 0], { generator: 'manual' }))
    expect(short.kind).toBe('validation')
    expect(short.field).toBe('actions')
    expect(short.message).toMatch(String(beats))
    const unknown = failureOf(() =>
      createEdit(ctx.db, songId, [...new Array<number>(beats - 1).fill(0), 42], { generator: 'manual' })
    )
    expect(unknown.field).toBe(`actions[${beats - 1}]`)
    const missingPolicy = failureOf(() => generateEdit(ctx.db, songId, 'policy:3', {}))
    expect(missingPolicy.kind).toBe('not_found')
    expect(missingPolicy.message).toMatch(/no policy with id 3/)
  })

  it('renders to WAV with exactly the decision list length, and caches the render', async () => {
    const edit = generateEdit(ctx.db, songId, 'random', { seed: 11 })
    const first = await renderEditToFile(ctx.db, ctx.dataDir, edit.id)
    const file = path.join(ctx.dataDir, first.renderPath)
    const audio = await decodeAudioFile(file)
    expect(audio.channels).toHaveLength(2)
    expect(Math.abs(audio.durationS - edit.outputDurationS)).toBeLessThan(1 / 44100 + 1e-9)
    const mtime = fs.statSync(file).mtimeMs
    const second = await renderEditToFile(ctx.db, ctx.dataDir, edit.id)
    expect(second.renderPath).toBe(first.renderPath)
    expect(fs.statSync(file).mtimeMs).toBe(mtime)
  })

  it('never pairs identical action arrays, edits of different songs, or the same pair twice', async () => {
    const identity = generateEdit(ctx.db, songId, 'identity', {})
    const identity2 = generateEdit(ctx.db, songId, 'identity', {})
    expect(failureOf(() => createPair(ctx.db, identity.id, identity2.id)).message).toMatch(/identical action arrays/)
    const other = await addAnalysedSong(ctx, inbox.dir, { bpm: 100, bars: 8, seed: 2 })
    const foreign = generateEdit(ctx.db, other, 'identity', {})
    expect(failureOf(() => createPair(ctx.db, identity.id, foreign.id)).field).toBe('editBId')
    const rule = generateEdit(ctx.db, songId, 'rule', { seed: 21, targetDurationS: 9 })
    createPair(ctx.db, identity.id, rule.id, 2)
    expect(failureOf(() => createPair(ctx.db, rule.id, identity.id)).kind).toBe('conflict')
    expect(pairsQ.nextQueuedPair(ctx.db)?.priority).toBe(2)
  })

  it('queues the number of pairs asked for, generating new edits as needed', () => {
    const before = pairsQ.listPairs(ctx.db).length
    const created = queuePairs(ctx.db, songId, 5, 77)
    expect(created).toHaveLength(5)
    expect(pairsQ.listPairs(ctx.db)).toHaveLength(before + 5)
    for (const p of created) expect(p.editAId).not.toBe(p.editBId)
  })
})

describe('render service (worker thread)', () => {
  it('renders off the main thread and reports failures as AppFailure values', async () => {
    const edit = generateEdit(ctx.db, songId, 'rule', { seed: 31, targetDurationS: 8 })
    const rendered = await ctx.renders.render(edit.id)
    expect(rendered.editId).toBe(edit.id)
    expect(fs.existsSync(path.join(ctx.dataDir, rendered.renderPath))).toBe(true)
    const missing = await ctx.renders.render(99_999).catch((e: unknown) => e)
    expect(missing).toBeInstanceOf(AppFailure)
    expect((missing as AppFailure).kind).toBe('not_found')
    expect((missing as AppFailure).field).toBe('editId')
  })
})
