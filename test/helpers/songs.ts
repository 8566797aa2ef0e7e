import fs from 'node:fs'
import path from 'node:path'
import { demoSong } from '../../src/main/engines/analysis/synth'
import { encodeWav } from '../../src/main/engines/edits'
import type { AppContext } from '../../src/main/app/context'
import { registerSongFile } from '../../src/main/services/songs/import'
import { analyseStoredSong } from '../../src/main/services/songs/analyse-song'

/** Writes a short generated song (drums, bass, chords) as a 16-bit WAV and returns its path. */
export function writeDemoWav(
  dir: string,
  name: string,
  opts: { seed?: number; bpm?: number; bars?: number } = {}
): string {
  const { audio } = demoSong({ seed: opts.seed ?? 1, bpm: opts.bpm ?? 120, bars: opts.bars ?? 8 })
  const file = path.join(dir, name)
  fs.writeFileSync(file, encodeWav(audio.channels, audio.sampleRate, 'pcm16'))
  return file
}

/** Imports and analyses a generated song synchronously (no worker), returning its id. */
export async function addAnalysedSong(
  ctx: AppContext,
  dir: string,
  opts: { seed?: number; bpm?: number; bars?: number } = {}
): Promise<number> {
  const file = writeDemoWav(dir, `song-${opts.seed ?? 1}-${opts.bpm ?? 120}.wav`, opts)
  const report = registerSongFile(ctx.db, ctx.dataDir, file)
  if (report.songId === null) throw new Error(report.reason ?? 'not stored')
  const outcome = await analyseStoredSong(ctx.db, ctx.dataDir, report.songId, { maxDurationS: 600 })
  if (!outcome.ok) throw new Error(outcome.reason)
  return report.songId
}
