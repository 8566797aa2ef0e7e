import { describe, expect, it } from 'vitest'
import Database from 'better-sqlite3'
import { migrate, schemaVersion } from '../../src/main/db/migrate'
import { MIGRATIONS } from '../../src/main/db/migrations'
import { findOrCreateSimulatedAnnotator, simulatedAnnotatorIds } from '../../src/main/db/queries/reward-models'
import { failureOf } from '../helpers/failure'

describe('migration 3: reward models', () => {
  it('keeps annotators written under schema 2 as real (not simulated) annotators', () => {
    const db = new Database(':memory:')
    migrate(db, MIGRATIONS.slice(0, 2))
    db.exec(`INSERT INTO annotators (name) VALUES ('ada'), ('bo')`)
    migrate(db, MIGRATIONS.slice(0, 3))
    expect(schemaVersion(db)).toBe(3)
    expect(db.prepare('SELECT name, simulated FROM annotators ORDER BY name').all()).toEqual([
      { name: 'ada', simulated: 0 },
      { name: 'bo', simulated: 0 }
    ])
    const sim = findOrCreateSimulatedAnnotator(db, 'simulated')
    expect(simulatedAnnotatorIds(db)).toEqual(new Set([sim.id]))
    // A real annotator's name cannot be taken over by the simulator.
    expect(failureOf(() => findOrCreateSimulatedAnnotator(db, 'ada')).kind).toBe('conflict')
    db.close()
  })

  it('allows one active version at most', () => {
    const db = new Database(':memory:')
    migrate(db, MIGRATIONS.slice(0, 3))
    const add = db.prepare(`INSERT INTO reward_models (name, source, onnx_path, active) VALUES (?, 'imported', ?, ?)`)
    add.run('v1', 'a.onnx', 1)
    expect(() => add.run('v2', 'b.onnx', 1)).toThrow(/UNIQUE/)
    add.run('v2', 'b.onnx', 0)
    expect(() => add.run('v2', 'c.onnx', 0)).toThrow(/UNIQUE/)
    db.close()
  })
})
