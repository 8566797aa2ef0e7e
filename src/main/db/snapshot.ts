/**
 * Database snapshots for project archives: a consistent copy taken while the app keeps writing (SQLite's
 * online backup, page by page, restarted by SQLite itself if another connection writes meanwhile), and
 * the checks a restore runs on such a copy before it is used.
 */
import Database from 'better-sqlite3'
import type { Db } from './connection'

/** Copies the open database to `dest` as one self-contained file (rollback journal, no -wal beside it). */
export async function snapshotDatabase(db: Db, dest: string): Promise<void> {
  await db.backup(dest)
  const copy = new Database(dest, { nativeBinding: process.env.EDITORBOT_SQLITE_BINDING || undefined })
  try {
    copy.pragma('journal_mode = DELETE')
  } finally {
    copy.close()
  }
}

export interface DatabaseFileReport {
  schemaVersion: number
  /** Rows per table (SQLite's own tables left out). */
  tables: Record<string, number>
  /** 'ok', or SQLite's first complaint. */
  integrity: string
}

/** Opens a database file read-only and reports its schema version, row counts and integrity. */
export function inspectDatabaseFile(file: string): DatabaseFileReport {
  const db = new Database(file, {
    readonly: true,
    fileMustExist: true,
    nativeBinding: process.env.EDITORBOT_SQLITE_BINDING || undefined
  })
  try {
    const integrity = String(db.pragma('integrity_check', { simple: true }))
    const names = (
      db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .all() as {
        name: string
      }[]
    ).map((r) => r.name)
    const tables: Record<string, number> = {}
    for (const name of names)
      tables[name] = (db.prepare(`SELECT COUNT(*) AS n FROM "${name.replace(/"/g, '""')}"`).get() as { n: number }).n
    return { schemaVersion: db.pragma('user_version', { simple: true }) as number, tables, integrity }
  } finally {
    db.close()
  }
}
