import { describe, expect, it } from 'vitest'
import Database from 'better-sqlite3'
import { migrate, schemaVersion } from '../../src/main/db/migrate'
import { MIGRATIONS } from '../../src/main/db/migrations'
import * as iterationsQ from '../../src/main/db/queries/iterations'
import type { IterationSettings } from '../../src/shared/domain'

const SETTINGS: IterationSettings = {
  algorithm: 'ppo',
  config: 'tiny',
  songIds: [1],
  pairs: 4,
  pairsByRole: { versus: 2, disagreement: 1, sentinel: 1 },
  seed: 1,
  activateIfWorse: false,
  includeSimulated: true,
  reward: { parent: 'v1', epochs: 8, ensemble: 2 },
  policy: { parent: null, steps: 2048, rewardWeight: 0.8 }
}

describe('migration 6: iterations', () => {
  it('adds the iteration tables to a schema-5 database, keeping its reward models, with lineage enforced', () => {
    const db = new Database(':memory:')
    db.pragma('foreign_keys = ON')
    migrate(db, MIGRATIONS.slice(0, 5))
    db.prepare(`INSERT INTO reward_models (name, source, onnx_path) VALUES ('v1', 'trained', 'v1.onnx')`).run()
    migrate(db, MIGRATIONS.slice(0, 6))
    expect(schemaVersion(db)).toBe(6)
    expect(db.prepare('SELECT name FROM reward_models').all()).toEqual([{ name: 'v1' }])

    const id = iterationsQ.insertIteration(db, {
      number: 1,
      settings: SETTINGS,
      verdictIds: [],
      verdictsHash: 'h',
      annotators: [],
      parentRewardModelId: 1,
      parentPolicyId: null
    })
    const stored = iterationsQ.getIteration(db, id)!
    expect(stored).toMatchObject({ number: 1, stage: 'reward', settings: SETTINGS, verdictCount: 0, stageSeconds: {} })
    iterationsQ.advanceIteration(db, id, 'reward', 'policy', 1.5, { rewardActivated: true, rewardActivationNote: null })
    expect(iterationsQ.getIteration(db, id)).toMatchObject({
      stage: 'policy',
      stageSeconds: { reward: 1.5 },
      rewardActivated: true
    })

    expect(() =>
      db.prepare(`INSERT INTO iterations (number, settings, verdicts_hash) VALUES (1, '{}', 'h')`).run()
    ).toThrow(/UNIQUE/)
    expect(() =>
      db
        .prepare(`INSERT INTO iterations (number, settings, verdicts_hash, stage) VALUES (2, '{}', 'h', 'dreaming')`)
        .run()
    ).toThrow(/CHECK/)
    expect(() =>
      db
        .prepare(`INSERT INTO iterations (number, settings, verdicts_hash, reward_model_id) VALUES (3, '{}', 'h', 99)`)
        .run()
    ).toThrow(/FOREIGN KEY/)
    expect(() =>
      db.prepare('INSERT INTO iteration_verdicts (iteration_id, verdict_id) VALUES (?, 12345)').run(id)
    ).toThrow(/FOREIGN KEY/)
    // a damaged settings column fails naming the iteration and the column, never read as something else
    db.prepare(`UPDATE iterations SET settings = '{"algorithm":"a2c"}' WHERE id = ?`).run(id)
    expect(() => iterationsQ.getIteration(db, id)).toThrow(/iteration 1: column settings is malformed/)
    db.close()
  })
})
