import { afterEach, describe, expect, it } from 'vitest'
import fs from 'node:fs'
import path from 'node:path'
import type { AppContext } from '../../src/main/app/context'
import { importSongs } from '../../src/main/services/songs/import-songs'
import * as songsQ from '../../src/main/db/queries/songs'
import { loadSongStructure } from '../../src/main/services/songs/stored-song'
import { FEATURE_DIM } from '../../src/shared/features'
import { tempLibraries } from '../helpers/library'
import { writeDemoWav } from '../helpers/songs'

const libraries = tempLibraries()
afterEach(() => libraries.closeAll())
const setup = (): { ctx: AppContext; inbox: string } => libraries.open()

describe('importing songs', () => {
  it('stores, analyses in a worker, and recognises duplicates by content', async () => {
    const { ctx, inbox } = setup()
    const file = writeDemoWav(inbox, 'groove.wav', { bpm: 110, bars: 8 })
    const first = importSongs(ctx, [file])
    expect(first.reports).toEqual([{ path: file, outcome: 'stored', songId: 1, reason: null }])
    expect(first.jobId).not.toBeNull()
    const job = await ctx.jobs.wait(first.jobId as number)
    expect(job.state).toBe('done')
    const song = songsQ.getSong(ctx.db, 1)
    expect(song).toMatchObject({ status: 'ready', channels: 2, sampleRate: 44100, title: 'groove' })
    expect(song?.tempoBpm).toBeGreaterThan(108)
    expect(song?.tempoBpm).toBeLessThan(112)
    const structure = loadSongStructure(ctx.db, 1)
    expect(structure.features.length).toBe(structure.beatTimes.length * FEATURE_DIM)
    expect(fs.existsSync(path.join(ctx.dataDir, song?.audioPath as string))).toBe(true)

    // Same bytes under another name: recognised, nothing new stored.
    const copy = path.join(inbox, 'copy of groove.wav')
    fs.copyFileSync(file, copy)
    const second = importSongs(ctx, [copy])
    expect(second.reports[0]).toMatchObject({ outcome: 'already_present', songId: 1 })
    expect(second.jobId).toBeNull()
    expect(songsQ.listSongs(ctx.db)).toHaveLength(1)
  })

  it('gives each bad file a clear reason naming it, goes on with the batch, and touches nothing stored', async () => {
    const { ctx, inbox } = setup()
    const good = writeDemoWav(inbox, 'good.wav', { bars: 8 })
    await ctx.jobs.wait(importSongs(ctx, [good]).jobId as number)
    const before = JSON.stringify(songsQ.listSongs(ctx.db))
    const analysisBefore = songsQ.loadAnalysis(ctx.db, 1)

    const empty = path.join(inbox, 'empty.wav')
    fs.writeFileSync(empty, '')
    const text = path.join(inbox, 'notes.wav')
    fs.writeFileSync(text, 'these are my notes, not audio\n'.repeat(50))
    const unsupported = path.join(inbox, 'track.aiff')
    fs.writeFileSync(unsupported, 'FORM....AIFF')
    const truncated = path.join(inbox, 'truncated.wav')
    fs.writeFileSync(truncated, fs.readFileSync(good).subarray(0, 30))
    const short = writeDemoWav(inbox, 'short.wav', { bars: 1, bpm: 180, seed: 9 })
    const fine = writeDemoWav(inbox, 'fine.wav', { bars: 8, seed: 4 })

    const { reports, jobId } = importSongs(ctx, [empty, text, unsupported, truncated, short, fine])
    await ctx.jobs.wait(jobId as number)
    const byName = (n: string) => reports.find((r) => r.path.endsWith(n))
    expect(byName('empty.wav')).toMatchObject({ outcome: 'failed', reason: 'empty.wav: file is empty (0 bytes)' })
    expect(byName('track.aiff')?.reason).toMatch(/^track\.aiff: unsupported format '\.aiff'/)

    const statusOf = (n: string) => songsQ.getSong(ctx.db, byName(n)?.songId as number)
    expect(statusOf('notes.wav')).toMatchObject({ status: 'failed' })
    expect(statusOf('notes.wav')?.error).toMatch(/notes\.wav/)
    expect(statusOf('truncated.wav')?.status).toBe('failed')
    expect(statusOf('truncated.wav')?.error).toMatch(/truncated\.wav/)
    expect(statusOf('short.wav')?.error).toMatch(/short\.wav: too short/)
    expect(statusOf('fine.wav')?.status).toBe('ready')

    // The song stored before the bad batch is exactly as it was.
    expect(JSON.stringify(songsQ.listSongs(ctx.db).filter((s) => s.id === 1))).toBe(JSON.stringify(JSON.parse(before)))
    expect(songsQ.loadAnalysis(ctx.db, 1)?.features).toEqual(analysisBefore?.features)
  })

  it('imports whole folders, recursing and keeping only audio extensions', async () => {
    const { ctx, inbox } = setup()
    fs.mkdirSync(path.join(inbox, 'album', 'disc 2'), { recursive: true })
    writeDemoWav(path.join(inbox, 'album'), 'a.wav', { seed: 1 })
    writeDemoWav(path.join(inbox, 'album', 'disc 2'), 'b.wav', { seed: 2 })
    fs.writeFileSync(path.join(inbox, 'album', 'cover.jpg'), 'not audio')
    const { reports, jobId } = importSongs(ctx, [path.join(inbox, 'album')])
    expect(reports.map((r) => path.basename(r.path))).toEqual(['a.wav', 'b.wav'])
    await ctx.jobs.wait(jobId as number)
    expect(songsQ.listSongs(ctx.db).map((s) => s.status)).toEqual(['ready', 'ready'])
  })
})
