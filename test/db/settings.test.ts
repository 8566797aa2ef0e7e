import { afterEach, describe, expect, it } from 'vitest'
import { openDatabase, type Db } from '../../src/main/db/connection'
import { readSettings, writeSettings } from '../../src/main/db/queries/settings'
import { DEFAULT_SETTINGS } from '../../src/shared/settings'
import { requestSchemas } from '../../src/shared/api'
import { tempDataDir } from '../helpers/temp'

let db: Db | null = null
let cleanup: () => void = () => {}
afterEach(() => {
  db?.close()
  db = null
  cleanup()
})

function open(): Db {
  const t = tempDataDir('editorbot-settings-')
  cleanup = t.cleanup
  db = openDatabase(t.dir)
  return db
}

const storeRaw = (d: Db, key: string, text: string): void => {
  d.prepare(
    'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value'
  ).run(key, text)
}

describe('settings read from SQLite', () => {
  it('are the defaults on a new database and what settings.update wrote afterwards', () => {
    const d = open()
    expect(readSettings(d)).toEqual(DEFAULT_SETTINGS)
    const patch = requestSchemas['settings.update'].parse({ leaseMinutes: 3, overlapShare: 0.5, repeatEvery: 0 })
    expect(writeSettings(d, patch)).toMatchObject({ leaseMinutes: 3, overlapShare: 0.5, repeatEvery: 0 })
  })

  it('are parsed with the contract schema: a stored value out of bounds, of the wrong type or not JSON gives the default', () => {
    const d = open()
    storeRaw(d, 'mustListenS', '1e308')
    storeRaw(d, 'repeatEvery', '"twenty"')
    storeRaw(d, 'overlapShare', '{not json')
    storeRaw(d, 'lastAnnotatorId', '-4')
    storeRaw(d, 'leaseMinutes', '7')
    storeRaw(d, 'somethingElse', '"ignored"')
    const s = readSettings(d)
    expect(s.mustListenS).toBe(DEFAULT_SETTINGS.mustListenS)
    expect(s.repeatEvery).toBe(DEFAULT_SETTINGS.repeatEvery)
    expect(s.overlapShare).toBe(DEFAULT_SETTINGS.overlapShare)
    expect(s.lastAnnotatorId).toBeNull()
    expect(s.leaseMinutes).toBe(7)
    expect(s).not.toHaveProperty('somethingElse')
    // Whatever comes out is something settings.update itself would accept.
    expect(requestSchemas['settings.update'].safeParse(s).success).toBe(true)
  })
})
