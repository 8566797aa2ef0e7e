import fs from 'node:fs'
import path from 'node:path'
import { Transform, type Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { randomBytes } from 'node:crypto'
import { AppFailure } from '../../../shared/result'

/** Serve-mode uploads land in <data>/uploads/<id>/<name> until 'songs.import' copies them into songs/. */
export const UPLOADS_DIR = 'uploads'

/** Upload ids are 16 hex digits: the only folder names under uploads/ that a clean-up may remove. */
const UPLOAD_ID = /^[0-9a-f]{16}$/

export interface StagedUpload {
  id: string
  /** Relative to the data directory, exactly as returned to the client and accepted back by 'songs.import'. */
  path: string
  /** The folder this upload created and the one file it wrote there: all a clean-up ever removes. */
  dir: string
  file: string
}

/**
 * A file name from a client: its last path component, refused when empty, '.', '..', over 255 bytes or
 * holding NUL or control characters. Never used as a path, only as the name inside the upload's own folder.
 */
export function cleanUploadName(raw: string): string | null {
  const name = raw.split(/[\\/]/).pop() ?? ''
  if (name === '' || name === '.' || name === '..' || Buffer.byteLength(name) > 255) return null
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return null
  return name
}

/**
 * The uploads one server staged. In serve mode 'songs.import' accepts only paths found here, so a client
 * can import exactly the files it uploaded: not uploads/ itself, not the data directory, no folder, no
 * symlink, nothing reached through '..' or a different spelling of the same path.
 */
export class StagedUploads {
  private readonly staged = new Map<string, StagedUpload>()

  constructor(private readonly dataDir: string) {}

  /** Streams one upload to disk with a size limit; a partial or oversized upload is removed, never staged. */
  async stage(rawName: string, body: Readable, maxBytes: number): Promise<StagedUpload> {
    const name = cleanUploadName(rawName)
    if (name === null) throw new AppFailure('validation', `'${rawName}' is not a usable file name`, 'x-file-name')
    const id = randomBytes(8).toString('hex')
    const dir = path.join(this.dataDir, UPLOADS_DIR, id)
    fs.mkdirSync(path.dirname(dir), { recursive: true })
    fs.mkdirSync(dir)
    const file = path.join(dir, name)
    let size = 0
    const limit = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        size += chunk.length
        done(size > maxBytes ? new UploadTooLarge(maxBytes) : null, chunk)
      }
    })
    // Streamed (songs can be hundreds of MB); 'wx' never writes through a file or link already there. The
    // body is piped, not part of the pipeline, so an oversized upload leaves it readable for a clean refusal.
    const written = pipeline(limit, fs.createWriteStream(file, { flags: 'wx' }))
    body.on('error', (e) => limit.destroy(e))
    body.on('close', () => {
      if (!body.readableEnded) limit.destroy(new Error('the upload was interrupted'))
    })
    body.pipe(limit)
    try {
      await written
    } catch (e) {
      body.unpipe(limit)
      removeUploadFiles(dir, file)
      throw e
    }
    const upload: StagedUpload = { id, path: path.relative(this.dataDir, file), dir, file }
    this.staged.set(upload.path, upload)
    return upload
  }

  /** True when every path is one this server staged and has not handed out yet. */
  has(relativePath: string): boolean {
    return this.staged.has(relativePath)
  }

  /** Hands out a staged upload once (a second import of the same path is refused). */
  take(relativePath: string): StagedUpload | undefined {
    const upload = this.staged.get(relativePath)
    this.staged.delete(relativePath)
    return upload
  }

  /** Removes what the upload created (its file, then its folder if that is empty), nothing else. */
  release(upload: StagedUpload): void {
    removeUploadFiles(upload.dir, upload.file)
  }

  /** Server shutdown: staged files nobody imported are removed. */
  releaseAll(): void {
    for (const upload of this.staged.values()) this.release(upload)
    this.staged.clear()
  }

  /**
   * Start-up: uploads staged by an earlier run can no longer be imported (the registry lived in memory),
   * so their folders are removed. Only folders named like an upload id, holding regular files only, and
   * only when uploads/ is a real folder of this data directory (not a symlink elsewhere).
   */
  sweepEarlierRuns(): number {
    const root = path.join(this.dataDir, UPLOADS_DIR)
    const rootStat = fs.lstatSync(root, { throwIfNoEntry: false })
    if (!rootStat?.isDirectory()) return 0
    let removed = 0
    for (const entry of fs.readdirSync(root, { withFileTypes: true })) {
      if (!entry.isDirectory() || !UPLOAD_ID.test(entry.name)) continue
      const dir = path.join(root, entry.name)
      try {
        const files = fs.readdirSync(dir, { withFileTypes: true })
        if (!files.every((f) => f.isFile())) continue
        for (const f of files) fs.unlinkSync(path.join(dir, f.name))
        fs.rmdirSync(dir)
        removed++
      } catch {
        // unreadable or read-only: left for a later start, never a reason not to serve
      }
    }
    return removed
  }
}

/**
 * Runs `use` on the file a request names: a path on this disk as given, or in serve mode (given the
 * server's staged uploads) only a file uploaded to this server, handed out once and removed after use.
 */
export function withRequestedFile<T>(file: string, uploads: StagedUploads | undefined, use: (path: string) => T): T {
  if (!uploads) return use(file)
  const staged = uploads.take(file)
  if (!staged)
    throw new AppFailure(
      'forbidden',
      `path: '${file}' is not a file uploaded to this server; in serve mode only uploaded files can be imported`,
      'path'
    )
  try {
    return use(staged.file)
  } finally {
    uploads.release(staged)
  }
}

export class UploadTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`upload over ${limit} bytes`)
    this.name = 'UploadTooLarge'
  }
}

function removeUploadFiles(dir: string, file: string): void {
  try {
    fs.unlinkSync(file) // a link in its place is removed itself, never what it points at
  } catch {
    // never written, or already gone
  }
  try {
    fs.rmdirSync(dir) // not recursive: fails (and keeps everything) when anything else is in there
  } catch {
    // already gone, or not empty: nothing of ours left to remove
  }
}
