import type { Db } from '../connection'
import { settingsFromStored, type Settings } from '../../../shared/settings'

/** The stored settings over the defaults, parsed with the schema settings.update validates with. */
export function readSettings(db: Db): Settings {
  const rows = db.prepare('SELECT key, value FROM settings').all() as { key: string; value: string }[]
  const stored: Record<string, unknown> = {}
  for (const r of rows) stored[r.key] = parseJson(r.value)
  return settingsFromStored(stored)
}

/** Stored JSON, or undefined (which no setting accepts) when the text is not JSON. */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    return undefined
  }
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
