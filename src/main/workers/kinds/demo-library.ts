import fs from 'node:fs'
import path from 'node:path'
import { openDatabase } from '../../db/connection'
import { readSettings } from '../../db/queries/settings'
import { demoSong } from '../../engines/analysis/synth'
import { encodeWav } from '../../engines/edits'
import { registerSongFile } from '../../services/songs/import'
import { analyseStoredSong } from '../../services/songs/analyse-song'
import { generateEdit, queuePairs } from '../../services/edits/edit-service'
import type { z } from 'zod'
import type { JobContext } from '../job-context'
import type { demoLibraryConfig } from './index'

/** Short generated songs with a clear beat and several sections, so a new user can judge at once. */
export const DEMO_SONGS = [
  { title: 'Demo - Steady 100', seed: 1, bpm: 100, bars: 16 },
  { title: 'Demo - Drive 124', seed: 2, bpm: 124, bars: 16 },
  { title: 'Demo - Bounce 92', seed: 3, bpm: 92, bars: 12 }
] as const

export const DEMO_DIR = 'demo'

export async function runDemoLibrary(
  ctx: JobContext<z.output<typeof demoLibraryConfig>, never>
): Promise<{ songIds: number[]; pairs: number }> {
  const db = openDatabase(ctx.dataDir)
  try {
    const songIds: number[] = []
    let pairs = 0
    const { maxSongDurationS } = readSettings(db)
    const { pairsPerSong } = ctx.config
    for (const [i, spec] of DEMO_SONGS.entries()) {
      ctx.throwIfCancelled()
      const step = (f: number, what: string): void =>
        ctx.progress((i + f) / DEMO_SONGS.length, `${spec.title}: ${what}`)
      step(0, 'synthesising')
      const { audio } = demoSong({ seed: spec.seed, bpm: spec.bpm, bars: spec.bars })
      const file = path.join(ctx.dataDir, DEMO_DIR, `${spec.title.replace(/[^A-Za-z0-9]+/g, '-')}.wav`)
      fs.mkdirSync(path.dirname(file), { recursive: true })
      fs.writeFileSync(file, encodeWav(audio.channels, audio.sampleRate, 'pcm16'))
      const report = registerSongFile(db, ctx.dataDir, file)
      if (report.songId === null) throw new Error(report.reason ?? `could not store ${file}`)
      songIds.push(report.songId)
      ctx.songsChanged([report.songId])
      if (report.outcome === 'stored') {
        const outcome = await analyseStoredSong(db, ctx.dataDir, report.songId, {
          maxDurationS: maxSongDurationS,
          onProgress: (f, stage) => step(0.1 + 0.6 * f, stage)
        })
        if (!outcome.ok) throw new Error(outcome.reason)
        db.prepare('UPDATE songs SET title = ? WHERE id = ?').run(spec.title, report.songId)
        ctx.songsChanged([report.songId])
        step(0.75, 'generating edits')
        generateEdit(db, report.songId, 'identity', {})
        generateEdit(db, report.songId, 'rule', { seed: spec.seed, targetDurationS: audio.durationS * 0.7 })
        generateEdit(db, report.songId, 'random', { seed: spec.seed })
        pairs += queuePairs(db, report.songId, pairsPerSong, spec.seed).length
      }
      step(1, 'ready')
    }
    return { songIds, pairs }
  } finally {
    db.close()
  }
}
