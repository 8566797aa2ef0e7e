import Database from 'better-sqlite3'
import path from 'node:path'
import fs from 'node:fs'
import { LATEST_SCHEMA_VERSION, migrate, schemaVersion } from './migrate'
import { AppFailure } from '../../shared/result'

export type Db = Database.Database

export const DATABASE_FILE = 'editorbot.sqlite'

const WHAT_TO_DO =
  'Restore it from a backup (copy the backup over it while the app is closed), or choose another data directory (--data-dir DIR or EDITORBOT_DATA_DIR).'

/**
 * Opens (creating if needed) the app database in the data directory and brings its schema up to date.
 * WAL keeps readers (UI, workers) off the writer's back; foreign keys are off by default in SQLite.
 *
 * A data directory or database this process cannot write is opened read-only (db.readonly): reading
 * commands work, nothing is migrated or recovered, and a database that needs a migration is refused.
 * Damaged, truncated and unwritable databases fail with an AppFailure naming the file and what to do.
 */
export function openDatabase(dataDir: string, options: { readonly?: boolean } = {}): Db {
  const file = path.join(dataDir, DATABASE_FILE)
  try {
    fs.mkdirSync(dataDir, { recursive: true })
  } catch (e) {
    throw new AppFailure(
      'forbidden',
      `cannot create the data directory ${dataDir} (${(e as NodeJS.ErrnoException).code ?? String(e)}). Choose another data directory (--data-dir DIR or EDITORBOT_DATA_DIR).`,
      dataDir
    )
  }
  const exists = fs.existsSync(file)
  if (exists) checkHeader(file)
  const readonly = options.readonly === true || (exists && !canWrite(dataDir, file))
  if (!exists && !canWrite(dataDir, null))
    throw new AppFailure(
      'forbidden',
      `cannot create ${file}: the data directory is not writable. Choose another data directory (--data-dir DIR or EDITORBOT_DATA_DIR).`,
      file
    )
  if (readonly) return openReadOnly(file)
  // The desktop app runs on Electron's ABI; `npm start` builds a separate binding for it (scripts/start.mjs).
  const nativeBinding = process.env.EDITORBOT_SQLITE_BINDING || undefined
  let db: Db | null = null
  try {
    db = new Database(file, { nativeBinding })
    db.pragma('journal_mode = WAL')
    db.pragma('foreign_keys = ON')
    db.pragma('busy_timeout = 5000')
    db.pragma('synchronous = NORMAL')
    migrate(db)
    return db
  } catch (e) {
    db?.close()
    throw explainDatabaseError(e, file)
  }
}

function canWrite(dataDir: string, file: string | null): boolean {
  try {
    fs.accessSync(dataDir, fs.constants.W_OK)
    if (file) fs.accessSync(file, fs.constants.W_OK)
    return true
  } catch {
    return false
  }
}

/**
 * Read-only access. SQLite reads a WAL database through its -shm file, which a read-only folder cannot
 * hold; when there is no -wal either (a clean shutdown), the main file is complete and is read from a
 * snapshot in memory instead.
 */
function openReadOnly(file: string): Db {
  const nativeBinding = process.env.EDITORBOT_SQLITE_BINDING || undefined
  let db: Db | null = null
  try {
    try {
      db = new Database(file, { readonly: true, fileMustExist: true, nativeBinding })
      schemaVersion(db) // the first read is where a missing -shm shows
    } catch (e) {
      db?.close()
      db = null
      const code = (e as { code?: string }).code ?? ''
      if (!/^SQLITE_(READONLY|CANTOPEN)/.test(code) || fs.existsSync(`${file}-wal`)) throw e
      const image = fs.readFileSync(file)
      image[18] = 1 // file format: legacy journal (an in-memory snapshot has no WAL)
      image[19] = 1
      db = new Database(image, { readonly: true, nativeBinding })
    }
    db.pragma('foreign_keys = ON')
    const current = schemaVersion(db)
    if (current < LATEST_SCHEMA_VERSION)
      throw new AppFailure(
        'version',
        `${file} has schema version ${current} and needs upgrading to ${LATEST_SCHEMA_VERSION}, but it is read-only here. Open it once with write access, or copy the data directory somewhere writable.`,
        file
      )
    migrate(db) // applies nothing here; refuses a database written by a newer app with its own message
    return db
  } catch (e) {
    db?.close()
    throw explainDatabaseError(e, file)
  }
}

/**
 * A truncated database is caught before SQLite reads it: the header's page count (valid when its
 * version-valid-for number matches the change counter) must fit in the file, unless a -wal holds the rest.
 */
function checkHeader(file: string): void {
  const header = Buffer.alloc(100)
  const fd = fs.openSync(file, 'r')
  let read: number
  let size: number
  try {
    read = fs.readSync(fd, header, 0, 100, 0)
    size = fs.fstatSync(fd).size
  } finally {
    fs.closeSync(fd)
  }
  if (size === 0) return // SQLite treats an empty file as a new database
  if (read < 100 || header.toString('latin1', 0, 16) !== 'SQLite format 3\u0000')
    throw new AppFailure(
      'corrupt',
      `${file} is not an EditorBot database (it has no SQLite header). ${WHAT_TO_DO}`,
      file
    )
  const rawPageSize = header.readUInt16BE(16)
  const pageSize = rawPageSize === 1 ? 65536 : rawPageSize
  const pageCount = header.readUInt32BE(28)
  const headerValid = header.readUInt32BE(92) === header.readUInt32BE(24)
  if (headerValid && pageCount > 0 && size < pageCount * pageSize && !fs.existsSync(`${file}-wal`))
    throw new AppFailure(
      'corrupt',
      `${file} is truncated (${size} bytes; its header declares ${pageCount * pageSize}). ${WHAT_TO_DO}`,
      file
    )
}

/** SQLite's bare messages ("database disk image is malformed") become ones naming the file and the way out. */
export function explainDatabaseError(e: unknown, file: string): unknown {
  if (e instanceof AppFailure) return e
  const code = (e as { code?: string }).code ?? ''
  const message = e instanceof Error ? e.message : String(e)
  if (/^SQLITE_(CORRUPT|NOTADB)/.test(code))
    return new AppFailure('corrupt', `${file} is damaged (${message}). ${WHAT_TO_DO}`, file)
  if (/^SQLITE_(READONLY|CANTOPEN|PERM)/.test(code) || code === 'EACCES' || code === 'EROFS')
    return new AppFailure(
      'forbidden',
      `cannot write ${file} (${message}): the file or its folder is read-only. Give this user write access, or choose another data directory (--data-dir DIR or EDITORBOT_DATA_DIR).`,
      file
    )
  if (code === 'SQLITE_FULL' || code === 'ENOSPC')
    return new AppFailure('internal', `cannot write ${file}: the disk is full. Free some space and try again.`, file)
  if (code.startsWith('SQLITE_IOERR'))
    return new AppFailure('internal', `cannot read or write ${file} (${message}): a disk error. ${WHAT_TO_DO}`, file)
  return e
}
