import Database from 'better-sqlite3'
import path from 'node:path'
import fs from 'node:fs'
import { migrate } from './migrate'

export type Db = Database.Database

export const DATABASE_FILE = 'editorbot.sqlite'

/**
 * Opens (creating if needed) the app database in the data directory and brings its schema up to date.
 * WAL keeps readers (UI, workers) off the writer's back; foreign keys are off by default in SQLite.
 */
export function openDatabase(dataDir: string, options: { readonly?: boolean } = {}): Db {
  fs.mkdirSync(dataDir, { recursive: true })
  // The desktop app runs on Electron's ABI; `npm start` builds a separate binding for it (scripts/start.mjs).
  const nativeBinding = process.env.EDITORBOT_SQLITE_BINDING || undefined
  const db = new Database(path.join(dataDir, DATABASE_FILE), { readonly: options.readonly ?? false, nativeBinding })
  try {
    if (!options.readonly) db.pragma('journal_mode = WAL')
    db.pragma('foreign_keys = ON')
    db.pragma('busy_timeout = 5000')
    db.pragma('synchronous = NORMAL')
    if (!options.readonly) migrate(db)
    return db
  } catch (e) {
    db.close()
    throw e
  }
}
