import type { Database } from 'better-sqlite3'
import { AppFailure } from '../../shared/result'
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from './migrations'
import type { Migration } from './migrations/types'

export function schemaVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number
}

/**
 * Applies every pending migration in one transaction: either the database reaches the latest schema
 * or it is left exactly as it was. A database written by a newer app is refused, never touched.
 */
export function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS): number {
  const latest = migrations[migrations.length - 1]?.version ?? 0
  const current = schemaVersion(db)
  if (current > latest) {
    throw new AppFailure(
      'version',
      `this database has schema version ${current}, written by a newer EditorBot Studio; this app knows up to version ${latest}. Update the app, or use another data directory.`
    )
  }
  const pending = migrations.filter((m) => m.version > current)
  if (pending.length === 0) return current
  db.transaction(() => {
    for (const m of pending) {
      m.up(db)
      db.pragma(`user_version = ${m.version}`)
    }
  })()
  return latest
}

export { LATEST_SCHEMA_VERSION }
