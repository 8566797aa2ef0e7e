import { describe, expect, it } from 'vitest'
import Database from 'better-sqlite3'
import { migrate, schemaVersion } from '../../src/main/db/migrate'
import { MIGRATIONS } from '../../src/main/db/migrations'

describe('migration 4: policies and training runs', () => {
  it('adds both tables to a schema-3 database, keeping its reward models, with lineage enforced', () => {
    const db = new Database(':memory:')
    db.pragma('foreign_keys = ON')
    migrate(db, MIGRATIONS.slice(0, 3))
    db.prepare(`INSERT INTO reward_models (name, source, onnx_path) VALUES ('rm1', 'trained', 'rm1.onnx')`).run()
    migrate(db, MIGRATIONS.slice(0, 4))
    expect(schemaVersion(db)).toBe(4)
    expect(db.prepare('SELECT name FROM reward_models').all()).toEqual([{ name: 'rm1' }])
    const run = db
      .prepare(
        `INSERT INTO training_runs (algorithm, reward_model_id, metrics_path) VALUES ('ppo', 1, 'runs/1/metrics.jsonl')`
      )
      .run().lastInsertRowid
    db.prepare(
      `INSERT INTO policies (name, source, run_id, reward_model_id, onnx_path) VALUES ('p1', 'trained', ?, 1, 'p1.onnx')`
    ).run(run)
    expect(() =>
      db.prepare(`INSERT INTO policies (name, source, onnx_path) VALUES ('p1', 'imported', 'x.onnx')`).run()
    ).toThrow(/UNIQUE/)
    expect(() =>
      db.prepare(`INSERT INTO policies (name, source, onnx_path) VALUES ('p2', 'bought', 'x.onnx')`).run()
    ).toThrow(/CHECK/)
    expect(() =>
      db
        .prepare(`INSERT INTO policies (name, source, parent_id, onnx_path) VALUES ('p3', 'trained', 99, 'x.onnx')`)
        .run()
    ).toThrow(/FOREIGN KEY/)
    expect(() => db.prepare(`INSERT INTO training_runs (algorithm, metrics_path) VALUES ('a2c', 'm')`).run()).toThrow(
      /CHECK/
    )
    db.close()
  })
})
