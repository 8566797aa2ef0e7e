import { afterEach, describe, expect, it } from 'vitest'
import fs from 'node:fs'
import path from 'node:path'
import type { AppContext } from '../../src/main/app/context'
import { registerSongFile } from '../../src/main/services/songs/import'
import { analyseStoredSong } from '../../src/main/services/songs/analyse-song'
import { declaredDurationS, decodeAudioFile } from '../../src/main/engines/audio-io/decode'
import * as songsQ from '../../src/main/db/queries/songs'
import { tempLibraries } from '../helpers/library'
import { writeDemoWav } from '../helpers/songs'

const libraries = tempLibraries({ recoverJobs: false })
afterEach(() => libraries.closeAll())
const setup = (): { ctx: AppContext; inbox: string } => libraries.open()

const FIXTURES = path.resolve(__dirname, '../fixtures/audio')

/** A copy of the FLAC fixture whose STREAMINFO declares `declaredS` seconds while its frames hold a few. */
function flacDeclaring(target: string, declaredS: number): void {
  const bytes = Buffer.from(fs.readFileSync(path.join(FIXTURES, 'tone.flac')))
  expect(bytes.toString('latin1', 0, 4)).toBe('fLaC')
  const info = 8 // 'fLaC', then the STREAMINFO block header
  const sampleRate = (bytes[info + 10]! << 12) | (bytes[info + 11]! << 4) | (bytes[info + 12]! >> 4)
  const total = Math.round(declaredS * sampleRate)
  bytes[info + 13] = (bytes[info + 13]! & 0xf0) | Math.floor(total / 2 ** 32)
  bytes.writeUInt32BE(total % 2 ** 32, info + 14)
  fs.writeFileSync(target, bytes)
}

describe('failed imports', () => {
  it('remove their copy from songs/ and can be imported again', async () => {
    const { ctx, inbox } = setup()
    const file = writeDemoWav(inbox, 'long.wav', { bars: 8 }) // 8 bars at 120 BPM: over 16 s
    const first = registerSongFile(ctx.db, ctx.dataDir, file)
    const songId = first.songId as number
    const copy = path.join(ctx.dataDir, songsQ.getSong(ctx.db, songId)?.audioPath as string)
    expect(fs.existsSync(copy)).toBe(true)

    const failed = await analyseStoredSong(ctx.db, ctx.dataDir, songId, { maxDurationS: 5 })
    expect(failed.ok).toBe(false)
    expect(failed.ok ? '' : failed.reason).toMatch(/^long\.wav: too long \(1\d s; the limit is 5 s/)
    expect(songsQ.getSong(ctx.db, songId)).toMatchObject({ status: 'failed' })
    expect(fs.existsSync(copy)).toBe(false)

    // The same bytes again: not "already present" but stored again, under the same song, and analysed.
    const again = registerSongFile(ctx.db, ctx.dataDir, file)
    expect(again).toEqual({ path: file, outcome: 'stored', songId, reason: null })
    expect(songsQ.getSong(ctx.db, songId)).toMatchObject({ status: 'queued', error: null })
    expect(fs.existsSync(copy)).toBe(true)
    expect(await analyseStoredSong(ctx.db, ctx.dataDir, songId, { maxDurationS: 600 })).toEqual({ ok: true })
    expect(songsQ.listSongs(ctx.db).map((s) => [s.id, s.status])).toEqual([[songId, 'ready']])
    expect(registerSongFile(ctx.db, ctx.dataDir, file).outcome).toBe('already_present')
  })

  it('keep the original of a song analysed before when a re-analysis fails', async () => {
    const { ctx, inbox } = setup()
    const report = registerSongFile(ctx.db, ctx.dataDir, writeDemoWav(inbox, 'kept.wav', { bars: 8 }))
    const songId = report.songId as number
    expect(await analyseStoredSong(ctx.db, ctx.dataDir, songId, { maxDurationS: 600 })).toEqual({ ok: true })
    expect((await analyseStoredSong(ctx.db, ctx.dataDir, songId, { maxDurationS: 5 })).ok).toBe(false)
    expect(fs.existsSync(path.join(ctx.dataDir, songsQ.getSong(ctx.db, songId)?.audioPath as string))).toBe(true)
  })
})

describe('the length limit', () => {
  it('reads the duration from the header without decoding', async () => {
    const { inbox } = setup()
    const file = writeDemoWav(inbox, 'plain.wav', { bars: 4 })
    const decoded = await decodeAudioFile(file)
    expect(await declaredDurationS(file)).toBeCloseTo(decoded.durationS, 3)
    const notAudio = path.join(inbox, 'notes.wav')
    fs.writeFileSync(notAudio, 'not audio at all')
    expect(await declaredDurationS(notAudio)).toBeNull()
  })

  it('refuses a file whose header declares two hours before decoding any of it', async () => {
    const { ctx, inbox } = setup()
    const twoHours = path.join(inbox, 'two-hours.flac')
    flacDeclaring(twoHours, 7200)
    const songId = registerSongFile(ctx.db, ctx.dataDir, twoHours).songId as number
    // Decoding would fail on the missing samples ("truncated FLAC"); the header check answers first.
    const outcome = await analyseStoredSong(ctx.db, ctx.dataDir, songId, { maxDurationS: 1200 })
    expect(outcome).toEqual({
      ok: false,
      reason: 'two-hours.flac: too long (7200 s; the limit is 1200 s, see Settings)'
    })
  })
})
