import type { Db } from '../connection'
import { DEFAULT_SETTINGS, type Settings } from '../../../shared/domain'

export function readSettings(db: Db): Settings {
  const rows = db.prepare('SELECT key, value FROM settings').all() as { key: string; value: string }[]
  const stored: Record<string, unknown> = {}
  for (const r of rows) stored[r.key] = JSON.parse(r.value) as unknown
  const merged: Record<string, unknown> = { ...DEFAULT_SETTINGS }
  for (const key of Object.keys(DEFAULT_SETTINGS)) if (key in stored) merged[key] = stored[key]
  return merged as unknown as Settings
}

export function writeSettings(db: Db, patch: Partial<Settings>): Settings {
  const upsert = db.prepare(
    'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value'
  )
  db.transaction(() => {
    for (const [k, v] of Object.entries(patch)) if (v !== undefined) upsert.run(k, JSON.stringify(v))
  })()
  return readSettings(db)
}

/** Internal one-off markers (e.g. the demo library was created), kept beside settings but not exposed as settings. */
export function readMarker(db: Db, name: string): boolean {
  return db.prepare('SELECT 1 FROM settings WHERE key = ?').get(`marker.${name}`) !== undefined
}

export function writeMarker(db: Db, name: string): void {
  db.prepare(`INSERT OR IGNORE INTO settings (key, value) VALUES (?, 'true')`).run(`marker.${name}`)
}
