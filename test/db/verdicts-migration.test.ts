import { describe, expect, it } from 'vitest'
import Database from 'better-sqlite3'
import { migrate, schemaVersion } from '../../src/main/db/migrate'
import { MIGRATIONS } from '../../src/main/db/migrations'
import { getPair } from '../../src/main/db/queries/pairs'
import { getJob } from '../../src/main/db/queries/jobs'

/** Rows written under schema 1, as the app before several-annotator support wrote them. */
function schemaOneWithData(): Database.Database {
  const db = new Database(':memory:')
  migrate(db, MIGRATIONS.slice(0, 1))
  db.exec(`
    INSERT INTO songs (id, content_hash, title, original_name, audio_path, format, duration_s, sample_rate, channels, status)
      VALUES (1, 'h', 'Song', 'a.wav', 'songs/a.wav', 'wav', 8, 44100, 1, 'ready');
    INSERT INTO edits (id, song_id, actions, generator, output_duration_s, segments, content_hash)
      VALUES (1, 1, x'00', 'rule', 6, '[]', 'e1'), (2, 1, x'01', 'random', 5, '[]', 'e2');
    INSERT INTO annotators (id, name) VALUES (1, 'ana'), (2, 'bob');
    INSERT INTO pairs (id, song_id, edit_a_id, edit_b_id, status) VALUES (1, 1, 1, 2, 'judged'), (2, 1, 2, 1, 'skipped');
    INSERT INTO pairs (id, song_id, edit_a_id, edit_b_id, status, repeat_of_pair_id) VALUES (3, 1, 2, 1, 'judged', 1);
    INSERT INTO pairs (id, song_id, edit_a_id, edit_b_id, status, repeat_of_pair_id) VALUES (4, 1, 1, 2, 'queued', 1);
    INSERT INTO verdicts (id, pair_id, annotator_id, verdict, strength, shown_a_edit_id, shown_b_edit_id, chosen_edit_id,
        rejected_edit_id, listened_a_ms, listened_b_ms, switches, decision_ms, marks, note, app_version, superseded_at)
      VALUES
        (1, 1, 1, 'a', 2, 1, 2, 1, 2, 4000, 3000, 2, 9000, '[{"side":"b","atS":1.5}]', 'kept', '0.1.0', NULL),
        (2, 2, 1, 'skip', NULL, 2, 1, NULL, NULL, 0, 0, 0, 1000, '[]', NULL, '0.1.0', NULL),
        (3, 1, 1, 'tie', NULL, 2, 1, NULL, NULL, 3000, 3000, 1, 5000, '[]', NULL, '0.1.0', '2024-01-01T00:00:00.000Z'),
        (4, 3, 1, 'b', 1, 2, 1, 1, 2, 3000, 3000, 1, 5000, '[]', NULL, '0.1.0', NULL),
        -- Two active verdicts by one annotator on one pair (an old race): only the later stays active.
        (5, 2, 2, 'a', 1, 2, 1, 2, 1, 3000, 3000, 1, 5000, '[]', NULL, '0.1.0', NULL),
        (6, 2, 2, 'b', 1, 2, 1, 1, 2, 3000, 3000, 1, 5000, '[]', NULL, '0.1.0', NULL);
    INSERT INTO jobs (id, kind, state, error) VALUES (1, 'songs.analyse', 'failed', 'no such file'), (2, 'demo.count', 'done', NULL);
  `)
  return db
}

describe('migration 2: verdicts per annotator', () => {
  it('keeps every verdict with its telemetry and gives existing pairs the one verdict they needed', () => {
    const db = schemaOneWithData()
    const before = db.prepare('SELECT * FROM verdicts ORDER BY id').all()
    migrate(db, MIGRATIONS.slice(0, 2))
    expect(schemaVersion(db)).toBe(2)

    // (Raw rows: the query module reads columns later migrations add.) Every row is still there, and
    // nothing but the duplicate's superseded_at changed.
    const after = db.prepare('SELECT * FROM verdicts ORDER BY id').all() as { superseded_at: string | null }[]
    expect(after).toHaveLength(6)
    expect(after[0]).toMatchObject({ verdict: 'a', strength: 2, listened_a_ms: 4000, decision_ms: 9000, note: 'kept' })
    expect(after.filter((_, i) => i !== 4)).toEqual(before.filter((_, i) => i !== 4))
    const active = db.prepare('SELECT id FROM verdicts WHERE superseded_at IS NULL ORDER BY id').all()
    expect(active).toEqual([{ id: 1 }, { id: 2 }, { id: 4 }, { id: 6 }])

    expect([1, 2, 3, 4].map((id) => getPair(db, id)!.requiredVerdicts)).toEqual([1, 1, 1, 1])
    expect([1, 2, 3, 4].map((id) => getPair(db, id)!.status)).toEqual(['judged', 'skipped', 'judged', 'queued'])
    const owners = db.prepare('SELECT id, repeat_annotator_id AS a FROM pairs ORDER BY id').all()
    expect(owners).toEqual([
      { id: 1, a: null },
      { id: 2, a: null },
      { id: 3, a: 1 },
      { id: 4, a: 1 }
    ])
    expect(getJob(db, 1, new Set())!.errorKind).toBe('internal')
    expect(getJob(db, 2, new Set())!.errorKind).toBeNull()
    db.close()
  })

  it('refuses a second active verdict by the same annotator on a pair from then on', () => {
    const db = schemaOneWithData()
    migrate(db, MIGRATIONS.slice(0, 2))
    const again = (): unknown =>
      db
        .prepare(
          `INSERT INTO verdicts (pair_id, annotator_id, verdict, shown_a_edit_id, shown_b_edit_id, listened_a_ms,
             listened_b_ms, switches, decision_ms, app_version) VALUES (1, 1, 'b', 1, 2, 0, 0, 0, 0, 'v')`
        )
        .run()
    expect(again).toThrow(/UNIQUE/)
    db.prepare(`UPDATE verdicts SET superseded_at = 'x' WHERE id = 1`).run()
    expect(again).not.toThrow()
    db.close()
  })
})
