import { describe, expect, it } from 'vitest'
import Database from 'better-sqlite3'
import { migrate, schemaVersion } from '../../src/main/db/migrate'
import { MIGRATIONS } from '../../src/main/db/migrations'
import { getVerdict } from '../../src/main/db/queries/verdicts'

describe('migration 5: verdict tags', () => {
  it('gives verdicts written under schema 4 an empty tag list, and stores new tags', () => {
    const db = new Database(':memory:')
    migrate(db, MIGRATIONS.slice(0, 4))
    // The verdict row alone is what the migration touches: its song, edits and pair are not needed.
    db.pragma('foreign_keys = OFF')
    const insert = db.prepare(
      `INSERT INTO verdicts (pair_id, annotator_id, verdict, strength, shown_a_edit_id, shown_b_edit_id,
         listened_a_ms, listened_b_ms, switches, decision_ms, marks, note, app_version)
       VALUES (1, 1, 'a', 1, 10, 11, 3000, 3000, 2, 4000, '[]', NULL, 'old')`
    )
    const before = Number(insert.run().lastInsertRowid)
    migrate(db, MIGRATIONS.slice(0, 5))
    expect(schemaVersion(db)).toBe(5)
    expect(getVerdict(db, before)?.tags).toEqual([])
    db.prepare(`UPDATE verdicts SET tags = '["bad loop","too long"]' WHERE id = ?`).run(before)
    expect(getVerdict(db, before)?.tags).toEqual(['bad loop', 'too long'])
    db.close()
  })
})
