import { openDatabase } from '../../db/connection'
import { readSettings } from '../../db/queries/settings'
import { analyseStoredSong } from '../../services/songs/analyse-song'
import type { z } from 'zod'
import type { JobContext } from '../job-context'
import type { songsAnalyseCheckpoint, songsAnalyseConfig } from './index'

/** Analyses the songs in config.songIds one after another; the checkpoint lists finished songs. */
export async function runSongsAnalyse(
  ctx: JobContext<z.output<typeof songsAnalyseConfig>, z.output<typeof songsAnalyseCheckpoint>>
): Promise<{ ready: number[]; failed: { songId: number; reason: string }[] }> {
  const { songIds } = ctx.config
  const done = new Set(ctx.checkpoint?.done ?? [])
  const db = openDatabase(ctx.dataDir)
  const ready: number[] = []
  const failed: { songId: number; reason: string }[] = []
  try {
    const { maxSongDurationS } = readSettings(db)
    for (const [i, songId] of songIds.entries()) {
      if (done.has(songId)) continue
      ctx.throwIfCancelled()
      ctx.songsChanged([songId])
      const outcome = await analyseStoredSong(db, ctx.dataDir, songId, {
        maxDurationS: maxSongDurationS,
        onProgress: (f, stage) =>
          ctx.progress((i + f) / songIds.length, `song ${i + 1} of ${songIds.length}: ${stage}`, {
            songId,
            songFraction: f
          })
      })
      if (outcome.ok) ready.push(songId)
      else {
        failed.push({ songId, reason: outcome.reason })
        ctx.log(outcome.reason)
      }
      done.add(songId)
      ctx.saveCheckpoint({ done: [...done] })
      ctx.songsChanged([songId])
      ctx.progress((i + 1) / songIds.length, `song ${i + 1} of ${songIds.length} done`, { songId, songFraction: 1 })
    }
    return { ready, failed }
  } finally {
    db.close()
  }
}
