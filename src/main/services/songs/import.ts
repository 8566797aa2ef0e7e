import fs from 'node:fs'
import path from 'node:path'
import { createHash } from 'node:crypto'
import type { Db } from '../../db/connection'
import * as songs from '../../db/queries/songs'
import type { ImportReport } from '../../../shared/api'

/** Extensions offered for import; content is still sniffed by the decoder, the extension only filters folders. */
export const AUDIO_EXTENSIONS = new Set(['.wav', '.wave', '.mp3', '.flac', '.ogg', '.oga'])

export const SONGS_DIR = 'songs'

/** Expands folders (recursively) into audio files; plain files are kept whatever their extension. */
export function expandImportPaths(paths: readonly string[]): { files: string[]; missing: string[] } {
  const files: string[] = []
  const missing: string[] = []
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name)
      if (entry.isDirectory()) walk(full)
      else if (entry.isFile() && AUDIO_EXTENSIONS.has(path.extname(entry.name).toLowerCase())) files.push(full)
    }
  }
  for (const p of paths) {
    const abs = path.resolve(p)
    let stat: fs.Stats
    try {
      stat = fs.statSync(abs)
    } catch {
      missing.push(abs)
      continue
    }
    if (stat.isDirectory()) walk(abs)
    else files.push(abs)
  }
  return { files, missing }
}

/** SHA-256 of a file read in 1 MB chunks, so a long recording is never held in memory whole. */
function hashFile(filePath: string): { hash: string; size: number } {
  const hash = createHash('sha256')
  const chunk = Buffer.allocUnsafe(1 << 20)
  const fd = fs.openSync(filePath, 'r')
  let size = 0
  try {
    for (let n = fs.readSync(fd, chunk); n > 0; n = fs.readSync(fd, chunk)) {
      hash.update(chunk.subarray(0, n))
      size += n
    }
  } finally {
    fs.closeSync(fd)
  }
  return { hash: hash.digest('hex'), size }
}

/** Copies through a temp name then renames, so a crash never leaves a half-copied original behind. */
function storeCopy(filePath: string, destination: string): void {
  fs.mkdirSync(path.dirname(destination), { recursive: true })
  const temp = `${destination}.partial`
  fs.copyFileSync(filePath, temp)
  fs.renameSync(temp, destination)
}

/**
 * Registers one file: hashes it, recognises duplicates, copies it under the data directory and adds a
 * 'queued' song row. Decoding and analysis happen later in a worker. Cheap checks (missing, empty,
 * unknown extension) fail here with the reason; nothing stored is touched by a failure. A song whose
 * analysis failed is not "already present": importing its file again stores it again and retries.
 */
export function registerSongFile(db: Db, dataDir: string, filePath: string): ImportReport {
  const fail = (reason: string): ImportReport => ({ path: filePath, outcome: 'failed', songId: null, reason })
  const ext = path.extname(filePath).toLowerCase()
  const name = path.basename(filePath)
  if (!AUDIO_EXTENSIONS.has(ext))
    return fail(`${name}: unsupported format '${ext || '(no extension)'}' (supported: WAV, MP3, FLAC, Ogg Vorbis)`)
  let content: { hash: string; size: number }
  try {
    content = hashFile(filePath)
  } catch (e) {
    return fail(`${name}: cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`)
  }
  if (content.size === 0) return fail(`${name}: file is empty (0 bytes)`)
  const existing = songs.findSongByHash(db, content.hash)
  if (existing && existing.status !== 'failed')
    return { path: filePath, outcome: 'already_present', songId: existing.id, reason: null }

  const relative = path.join(SONGS_DIR, `${content.hash.slice(0, 16)}${ext}`)
  storeCopy(filePath, path.join(dataDir, relative))
  if (existing) {
    songs.requeueFailedSong(db, existing.id, { originalName: name, audioPath: relative, format: ext.slice(1) })
    return { path: filePath, outcome: 'stored', songId: existing.id, reason: null }
  }
  const songId = songs.insertSong(db, {
    contentHash: content.hash,
    title: path.basename(filePath, ext),
    artist: null,
    album: null,
    originalName: name,
    audioPath: relative,
    format: ext.slice(1),
    durationS: 0,
    sampleRate: 0,
    channels: 0
  })
  return { path: filePath, outcome: 'stored', songId, reason: null }
}
