import path from 'node:path'
import type { Command } from '../framework'
import { callApi, requireInt } from '../framework'
import { waitForJob } from '../jobs'
import { AppFailure } from '../../../../shared/result'
import { FEATURE_DIM } from '../../../../shared/features'

/**
 * A failure reason without the file it is about: reasons name the file for screens that show them
 * alone, and this line already starts with the path (a stored copy's path means nothing to the user).
 */
export function reasonWithoutFile(reason: string, file: string): string {
  const name = path.basename(file)
  let r = reason.startsWith(`${name}: `) ? reason.slice(name.length + 2) : reason
  const copy = /^(\/|[A-Za-z]:\\)[^:]*: /.exec(r)
  if (copy !== null) r = r.slice(copy[0].length)
  return r
}

export const importCommand: Command = {
  name: 'import',
  summary: 'Import audio files or folders (WAV, MP3, FLAC, Ogg Vorbis) and analyse them',
  usage: 'import <file|dir>... [--data-dir DIR] [--json]',
  async run(args, io, open) {
    if (args.positionals.length === 0)
      throw new AppFailure('validation', 'give at least one file or folder to import', 'paths')
    const ctx = open()
    const { reports, jobId } = await callApi(ctx, 'songs.import', { paths: args.positionals })
    if (jobId !== null) await waitForJob(ctx, jobId, io, 'analysing')
    // Analysis outcome (ready / failed with reason) is read back from the songs table.
    const final = await Promise.all(
      reports.map(async (r) => {
        if (r.outcome !== 'stored' || r.songId === null) return r
        const song = await callApi(ctx, 'songs.get', { songId: r.songId })
        return song.status === 'failed' ? { ...r, outcome: 'failed' as const, reason: song.error } : r
      })
    )
    for (const r of final) {
      if (args.json) io.out(JSON.stringify(r))
      else if (r.outcome === 'failed') io.out(`failed          ${r.path}: ${reasonWithoutFile(r.reason ?? '', r.path)}`)
      else io.out(`${r.outcome === 'stored' ? 'stored         ' : 'already present'} ${r.path} (song ${r.songId})`)
    }
    return final.some((r) => r.outcome === 'failed') ? 1 : 0
  }
}

export const songsCommand: Command = {
  name: 'songs',
  summary: 'List songs with tempo, beats and analysis status',
  usage: 'songs [--data-dir DIR] [--json]',
  async run(args, io, open) {
    const songs = await callApi(open(), 'songs.list', {})
    if (args.json) {
      io.out(JSON.stringify(songs, null, 2))
      return 0
    }
    if (songs.length === 0) io.out('No songs. Import some with: editorbot import <file|dir>')
    for (const s of songs)
      io.out(
        `${String(s.id).padStart(4)}  ${s.status.padEnd(9)} ${s.durationS.toFixed(1).padStart(7)} s  ${s.tempoBpm?.toFixed(1) ?? '-'} BPM  ${s.beatCount ?? '-'} beats  ${s.title}${s.error ? `  (${s.error})` : ''}`
      )
    return 0
  }
}

export const beatsCommand: Command = {
  name: 'beats',
  summary: 'Beat times (s) with bar position and phrase flags for a song',
  usage: 'beats <song-id> [--data-dir DIR] [--json]',
  async run(args, io, open) {
    const songId = requireInt(args.positionals[0], 'song')
    const grid = await callApi(open(), 'songs.beats', { songId })
    if (args.json) {
      io.out(
        JSON.stringify({
          songId,
          tempoBpm: grid.tempoBpm,
          beatsPerBar: grid.beatsPerBar,
          beats: grid.times.map((t, i) => ({
            time: t,
            bar: grid.barIndex[i],
            barPosition: grid.barPosition[i],
            downbeat: grid.barPosition[i] === 0,
            phraseStart: grid.phraseStart[i],
            confidence: grid.confidence[i]
          }))
        })
      )
      return 0
    }
    io.out(`song ${songId}: ${grid.tempoBpm.toFixed(2)} BPM, ${grid.beatsPerBar}/4, ${grid.times.length} beats`)
    grid.times.forEach((t, i) =>
      io.out(
        `${t.toFixed(3).padStart(9)}  bar ${grid.barIndex[i]} beat ${(grid.barPosition[i] ?? 0) + 1}${grid.phraseStart[i] ? '  phrase' : ''}`
      )
    )
    return 0
  }
}

export const featuresCommand: Command = {
  name: 'features',
  summary: `The song's [beats x ${FEATURE_DIM}] feature matrix (layout: docs/features.md)`,
  usage: 'features <song-id> [--data-dir DIR] [--json]',
  async run(args, io, open) {
    const songId = requireInt(args.positionals[0], 'song')
    const matrix = await callApi(open(), 'songs.features', { songId })
    if (args.json) io.out(JSON.stringify(matrix))
    else for (const r of matrix.features) io.out(r.map((x) => x.toFixed(4)).join(' '))
    return 0
  }
}
