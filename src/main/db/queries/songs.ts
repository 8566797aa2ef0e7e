import type { Db } from '../connection'
import type { SongStatus, SongSummary, StoredAnalysis } from '../../../shared/domain'
import { blobToFloat32, blobToFloat64, blobToInt32, blobToUint8, toBlob } from '../blobs'

interface SongRow {
  id: number
  content_hash: string
  title: string
  artist: string | null
  album: string | null
  original_name: string
  audio_path: string
  format: string
  duration_s: number
  sample_rate: number
  channels: number
  status: SongStatus
  error: string | null
  created_at: string
  tempo_bpm: number | null
  beat_count: number | null
  beats_per_bar: number | null
  feature_version: number | null
}

const SELECT_SONG = `
  SELECT s.*, a.tempo_bpm, a.beat_count, a.beats_per_bar, a.feature_version
  FROM songs s LEFT JOIN song_analysis a ON a.song_id = s.id`

function toSummary(r: SongRow): SongSummary {
  return {
    id: r.id,
    title: r.title,
    artist: r.artist,
    durationS: r.duration_s,
    sampleRate: r.sample_rate,
    channels: r.channels,
    tempoBpm: r.tempo_bpm,
    beatCount: r.beat_count,
    beatsPerBar: r.beats_per_bar,
    status: r.status,
    error: r.error,
    featureVersion: r.feature_version,
    audioPath: r.audio_path,
    createdAt: r.created_at
  }
}

export function listSongs(db: Db): SongSummary[] {
  return (db.prepare(`${SELECT_SONG} ORDER BY s.id`).all() as SongRow[]).map(toSummary)
}

export function getSong(db: Db, id: number): SongSummary | undefined {
  const row = db.prepare(`${SELECT_SONG} WHERE s.id = ?`).get(id) as SongRow | undefined
  return row && toSummary(row)
}

export function findSongByHash(db: Db, contentHash: string): SongSummary | undefined {
  const row = db.prepare(`${SELECT_SONG} WHERE s.content_hash = ?`).get(contentHash) as SongRow | undefined
  return row && toSummary(row)
}

export function songContentHash(db: Db, id: number): string | undefined {
  const row = db.prepare('SELECT content_hash FROM songs WHERE id = ?').get(id) as { content_hash: string } | undefined
  return row?.content_hash
}

export interface NewSong {
  contentHash: string
  title: string
  artist: string | null
  album: string | null
  originalName: string
  audioPath: string
  format: string
  durationS: number
  sampleRate: number
  channels: number
}

export function insertSong(db: Db, s: NewSong): number {
  const info = db
    .prepare(
      `INSERT INTO songs (content_hash, title, artist, album, original_name, audio_path, format,
         duration_s, sample_rate, channels, status)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued')`
    )
    .run(
      s.contentHash,
      s.title,
      s.artist,
      s.album,
      s.originalName,
      s.audioPath,
      s.format,
      s.durationS,
      s.sampleRate,
      s.channels
    )
  return Number(info.lastInsertRowid)
}

export function setSongStatus(db: Db, id: number, status: SongStatus, error: string | null = null): void {
  db.prepare('UPDATE songs SET status = ?, error = ? WHERE id = ?').run(status, error, id)
}

/** A failed song imported again: its file is stored again and it waits for analysis. */
export function requeueFailedSong(
  db: Db,
  id: number,
  file: { originalName: string; audioPath: string; format: string }
): void {
  db.prepare(
    `UPDATE songs SET status = 'queued', error = NULL, original_name = ?, audio_path = ?, format = ?
     WHERE id = ? AND status = 'failed'`
  ).run(file.originalName, file.audioPath, file.format, id)
}

export function saveAnalysis(db: Db, songId: number, a: StoredAnalysis): void {
  db.prepare(
    `INSERT OR REPLACE INTO song_analysis (song_id, feature_version, feature_dim, tempo_bpm, beats_per_bar,
       beat_count, beat_times, bar_position, bar_index, phrase_start, confidence, features, waveform)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
  ).run(
    songId,
    a.featureVersion,
    a.featureDim,
    a.tempoBpm,
    a.beatsPerBar,
    a.beatTimes.length,
    toBlob(a.beatTimes),
    toBlob(a.barPosition),
    toBlob(a.barIndex),
    toBlob(a.phraseStart),
    toBlob(a.confidence),
    toBlob(a.features),
    toBlob(a.waveform)
  )
}

interface AnalysisRow {
  feature_version: number
  feature_dim: number
  tempo_bpm: number
  beats_per_bar: number
  beat_times: Buffer
  bar_position: Buffer
  bar_index: Buffer
  phrase_start: Buffer
  confidence: Buffer
  features: Buffer
  waveform: Buffer
}

export function loadAnalysis(db: Db, songId: number): StoredAnalysis | undefined {
  const r = db.prepare('SELECT * FROM song_analysis WHERE song_id = ?').get(songId) as AnalysisRow | undefined
  if (!r) return undefined
  return {
    featureVersion: r.feature_version,
    featureDim: r.feature_dim,
    tempoBpm: r.tempo_bpm,
    beatsPerBar: r.beats_per_bar,
    beatTimes: blobToFloat64(r.beat_times),
    barPosition: blobToInt32(r.bar_position),
    barIndex: blobToInt32(r.bar_index),
    phraseStart: blobToUint8(r.phrase_start),
    confidence: blobToFloat32(r.confidence),
    features: blobToFloat32(r.features),
    waveform: blobToFloat32(r.waveform)
  }
}

/** Songs whose stored features were computed by another feature version and must be re-analysed. */
export function songsNeedingAnalysis(db: Db, featureVersion: number): number[] {
  return (
    db
      .prepare(
        `SELECT s.id FROM songs s LEFT JOIN song_analysis a ON a.song_id = s.id
         WHERE s.status IN ('queued','analysing') OR (s.status = 'ready' AND (a.feature_version IS NULL OR a.feature_version <> ?))
         ORDER BY s.id`
      )
      .all(featureVersion) as { id: number }[]
  ).map((r) => r.id)
}

export function updateSongAudioInfo(
  db: Db,
  id: number,
  info: { durationS: number; sampleRate: number; channels: number; format: string }
): void {
  db.prepare('UPDATE songs SET duration_s = ?, sample_rate = ?, channels = ?, format = ? WHERE id = ?').run(
    info.durationS,
    info.sampleRate,
    info.channels,
    info.format,
    id
  )
}

export function updateSongMetadata(
  db: Db,
  id: number,
  meta: { title: string | null; artist: string | null; album: string | null }
): void {
  db.prepare(
    'UPDATE songs SET title = COALESCE(?, title), artist = COALESCE(?, artist), album = COALESCE(?, album) WHERE id = ?'
  ).run(meta.title, meta.artist, meta.album, id)
}

export function songFileInfo(db: Db, id: number): { audioPath: string; originalName: string } | undefined {
  const r = db.prepare('SELECT audio_path, original_name FROM songs WHERE id = ?').get(id) as
    { audio_path: string; original_name: string } | undefined
  return r && { audioPath: r.audio_path, originalName: r.original_name }
}
