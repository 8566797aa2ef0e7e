import fs from 'node:fs'
import path from 'node:path'
import type { Db } from '../../db/connection'
import * as songs from '../../db/queries/songs'
import { declaredDurationS, decodeAudioFile, readMetadata } from '../../engines/audio-io/decode'
import { resolveInDataDir } from '../../app/paths'
import { SONGS_DIR } from './import'
import { analyzeAudio, waveformPeaks } from '../../engines/analysis/analyze'
import { FEATURE_DIM, FEATURE_VERSION } from '../../../shared/features'
import { AppFailure } from '../../../shared/result'

/** Songs shorter than this cannot hold enough beats for an edit worth judging. */
export const MIN_SONG_DURATION_S = 4
export const WAVEFORM_BUCKETS = 4096

/**
 * Decodes and analyses one stored song and saves beats, features and waveform in one row.
 * On failure the song is marked failed with a reason naming the file; nothing else changes.
 */
export async function analyseStoredSong(
  db: Db,
  dataDir: string,
  songId: number,
  opts: { maxDurationS: number; onProgress?: (fraction: number, stage: string) => void }
): Promise<{ ok: true } | { ok: false; reason: string }> {
  const file = songs.songFileInfo(db, songId)
  if (!file) throw new AppFailure('not_found', `no song with id ${songId}`, 'songId')
  songs.setSongStatus(db, songId, 'analysing')
  const absolute = path.join(dataDir, file.audioPath)
  const tooLong = (durationS: number): AppFailure =>
    new AppFailure(
      'unsupported',
      `too long (${Math.round(durationS)} s; the limit is ${opts.maxDurationS} s, see Settings)`
    )
  try {
    // The header's duration first: a two-hour file is refused in milliseconds, not after a full decode.
    const declared = await declaredDurationS(absolute)
    if (declared !== null && declared > opts.maxDurationS) throw tooLong(declared)
    const audio = await decodeAudioFile(absolute)
    songs.updateSongAudioInfo(db, songId, {
      durationS: audio.durationS,
      sampleRate: audio.sampleRate,
      channels: audio.channels.length,
      format: audio.format
    })
    if (audio.durationS < MIN_SONG_DURATION_S)
      throw new AppFailure(
        'unsupported',
        `too short (${audio.durationS.toFixed(2)} s; at least ${MIN_SONG_DURATION_S} s)`
      )
    if (audio.durationS > opts.maxDurationS) throw tooLong(audio.durationS)
    try {
      songs.updateSongMetadata(db, songId, await readMetadata(absolute))
    } catch {
      // Tags are optional: a file that decodes but has unreadable tags keeps its file name as title.
    }
    const analysis = analyzeAudio(audio, opts.onProgress)
    if (analysis.features.length !== analysis.beatTimes.length * FEATURE_DIM)
      throw new Error(
        `analysis produced ${analysis.features.length} feature values for ${analysis.beatTimes.length} beats`
      )
    songs.saveAnalysis(db, songId, {
      featureVersion: FEATURE_VERSION,
      featureDim: FEATURE_DIM,
      tempoBpm: analysis.tempoBpm,
      beatsPerBar: analysis.beatsPerBar,
      beatTimes: analysis.beatTimes,
      barPosition: analysis.barPosition,
      barIndex: analysis.barIndex,
      phraseStart: analysis.phraseStart,
      confidence: analysis.confidence,
      features: analysis.features,
      waveform: waveformPeaks(audio, WAVEFORM_BUCKETS)
    })
    songs.setSongStatus(db, songId, 'ready')
    return { ok: true }
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e)
    const reason = message.includes(file.originalName) ? message : `${file.originalName}: ${message}`
    songs.setSongStatus(db, songId, 'failed', reason)
    removeNeverAnalysedCopy(db, dataDir, songId, file.audioPath)
    return { ok: false, reason }
  }
}

/**
 * A song that failed its first analysis keeps its row (the library shows why) but not its copy in songs/,
 * which would only take disk space; importing the file again stores it again and retries. A song that was
 * analysed before (a re-analysis failing, say after the length limit was lowered) keeps its original.
 */
function removeNeverAnalysedCopy(db: Db, dataDir: string, songId: number, audioPath: string): void {
  if (songs.getSong(db, songId)?.beatCount !== null) return
  const copy = resolveInDataDir(path.join(dataDir, SONGS_DIR), path.relative(SONGS_DIR, audioPath))
  if (copy) fs.rmSync(copy, { force: true })
}
