import { afterEach, describe, expect, it } from 'vitest'
import Database from 'better-sqlite3'
import fs from 'node:fs'
import path from 'node:path'
import { openDatabase, DATABASE_FILE } from '../../src/main/db/connection'
import { migrate, schemaVersion } from '../../src/main/db/migrate'
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from '../../src/main/db/migrations'
import type { Migration } from '../../src/main/db/migrations/types'
import { AppFailure } from '../../src/shared/result'
import { tempDataDir } from '../helpers/temp'

let cleanup: () => void = () => {}
afterEach(() => cleanup())

describe('migrations', () => {
  it('numbers migrations 1..N with no gaps', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1))
    expect(LATEST_SCHEMA_VERSION).toBe(MIGRATIONS.length)
  })

  it('brings a new database to the latest schema with WAL and foreign keys on', () => {
    const t = tempDataDir()
    cleanup = t.cleanup
    const db = openDatabase(t.dir)
    expect(schemaVersion(db)).toBe(LATEST_SCHEMA_VERSION)
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1)
    const tables = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[]).map(
      (r) => r.name
    )
    expect(tables).toEqual(
      expect.arrayContaining(['songs', 'song_analysis', 'edits', 'pairs', 'verdicts', 'annotators', 'jobs', 'settings'])
    )
    db.close()
  })

  it('refuses a database written by a newer app and leaves it untouched', () => {
    const t = tempDataDir()
    cleanup = t.cleanup
    openDatabase(t.dir).close()
    const file = path.join(t.dir, DATABASE_FILE)
    const raw = new Database(file)
    raw.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 5}`)
    raw.exec(`INSERT INTO annotators (name) VALUES ('kept')`)
    raw.close()
    let error: unknown
    try {
      openDatabase(t.dir)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(AppFailure)
    expect((error as AppFailure).kind).toBe('version')
    expect((error as AppFailure).message).toMatch(/newer EditorBot Studio/)
    const check = new Database(file, { readonly: true })
    expect(check.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION + 5)
    expect(check.prepare('SELECT name FROM annotators').all()).toEqual([{ name: 'kept' }])
    check.close()
    expect(fs.existsSync(file)).toBe(true)
  })

  it('applies pending migrations in one transaction: a failure leaves the database as it was', () => {
    const db = new Database(':memory:')
    const broken: Migration = {
      version: 2,
      name: 'broken',
      up(d) {
        d.exec('CREATE TABLE half_done (x INTEGER)')
        throw new Error('boom')
      }
    }
    expect(() => migrate(db, [...MIGRATIONS.slice(0, 1), broken])).toThrow('boom')
    expect(schemaVersion(db)).toBe(0)
    expect(db.prepare(`SELECT name FROM sqlite_master WHERE name IN ('songs','half_done')`).all()).toEqual([])
    db.close()
  })

  it('moves data in a later migration and keeps rows written under the earlier schema', () => {
    // The pattern every data-moving migration's test follows: write rows at version N-1, migrate, read them back.
    const db = new Database(':memory:')
    migrate(db, MIGRATIONS.slice(0, 1))
    db.exec(`INSERT INTO annotators (name) VALUES ('ada'), ('bo')`)
    const renameToUpper: Migration = {
      version: 2,
      name: 'test-upper',
      up(d) {
        d.exec(`ALTER TABLE annotators ADD COLUMN display TEXT; UPDATE annotators SET display = upper(name)`)
      }
    }
    migrate(db, [...MIGRATIONS.slice(0, 1), renameToUpper])
    expect(db.prepare('SELECT name, display FROM annotators ORDER BY name').all()).toEqual([
      { name: 'ada', display: 'ADA' },
      { name: 'bo', display: 'BO' }
    ])
    db.close()
  })
})
