import type { Db } from '../../db/connection'
import * as songs from '../../db/queries/songs'
import { songStructureOf, type SongStructure } from '../../engines/edits/types'
import { FEATURE_DIM, FEATURE_VERSION } from '../../../shared/features'
import { AppFailure } from '../../../shared/result'
import type { BeatGrid, FeatureMatrix, SongSummary, Waveform } from '../../../shared/domain'
import { downsamplePeaks } from '../../../shared/peaks'

/**
 * The analysed structure of a ready song, as the edit engine and models consume it. Refuses songs
 * whose features were computed with another version or dimension: never a silent fallback.
 */
export function loadSongStructure(db: Db, songId: number): SongStructure {
  const song = songs.getSong(db, songId)
  if (!song) throw new AppFailure('not_found', `no song with id ${songId}`, 'songId')
  if (song.status !== 'ready')
    throw new AppFailure('conflict', `song ${songId} (${song.title}) is ${song.status}, not ready`, 'songId')
  const a = songs.loadAnalysis(db, songId)
  if (!a) throw new AppFailure('not_found', `song ${songId} has no analysis`, 'songId')
  if (a.featureDim !== FEATURE_DIM || a.featureVersion !== FEATURE_VERSION)
    throw new AppFailure(
      'version',
      `song ${songId} has ${a.featureDim}-dim features of version ${a.featureVersion}; this app needs ${FEATURE_DIM}-dim version ${FEATURE_VERSION}: re-analyse it`,
      'songId'
    )
  return songStructureOf(song, a)
}

export function loadBeatGrid(db: Db, songId: number): BeatGrid {
  getSongOrFail(db, songId)
  const a = songs.loadAnalysis(db, songId)
  if (!a) throw new AppFailure('not_found', `song ${songId} has no beat analysis yet`, 'songId')
  return {
    songId,
    times: Array.from(a.beatTimes),
    barPosition: Array.from(a.barPosition),
    barIndex: Array.from(a.barIndex),
    phraseStart: Array.from(a.phraseStart, (x) => x === 1),
    confidence: Array.from(a.confidence),
    beatsPerBar: a.beatsPerBar,
    tempoBpm: a.tempoBpm
  }
}

export function getSongOrFail(db: Db, songId: number): SongSummary {
  const song = songs.getSong(db, songId)
  if (!song) throw new AppFailure('not_found', `no song with id ${songId}`, 'songId')
  return song
}

/** The song's stored waveform envelope reduced to at most `buckets` min/max pairs for display. */
export function loadWaveform(db: Db, songId: number, buckets: number): Waveform {
  const song = getSongOrFail(db, songId)
  const a = songs.loadAnalysis(db, songId)
  if (!a) throw new AppFailure('not_found', `song ${songId} has not been analysed yet`, 'songId')
  return { songId, durationS: song.durationS, peaks: downsamplePeaks(a.waveform, buckets) }
}

export function loadFeatureMatrix(db: Db, songId: number): FeatureMatrix {
  const s = loadSongStructure(db, songId)
  const beats = s.beatTimes.length
  const features: number[][] = []
  for (let b = 0; b < beats; b++) features.push(Array.from(s.features.subarray(b * FEATURE_DIM, (b + 1) * FEATURE_DIM)))
  return { songId, beats, dim: FEATURE_DIM, features }
}
