import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import fs from 'node:fs'
import path from 'node:path'
import * as tf from '../../src/main/engines/ml/tf'
import { tempDataDir } from '../helpers/temp'
import { cliOn } from '../helpers/cli'
import { addAnalysedSong } from '../helpers/songs'
import { createAppContext } from '../../src/main/app/context'
import { queuePairs } from '../../src/main/services/edits/edit-service'
import { loadSongStructure } from '../../src/main/services/songs/stored-song'
import * as editsQ from '../../src/main/db/queries/edits'
import { listVerdicts } from '../../src/main/db/queries/verdicts'
import { annotatorStats } from '../../src/main/services/listen'
import { scoreEdit } from '../../src/main/services/reward-models'
import { AGREEMENT_WINDOW } from '../../src/main/services/reward-models/agreement'
import { importRewardOnnx } from '../../src/main/engines/ml/onnx-import'
import { RewardModel } from '../../src/main/engines/ml/reward-model'
import { FEATURE_DIM } from '../../src/shared/features'
import type { RewardModelVersion, TrainRewardResult } from '../../src/shared/domain'

const FIXTURES = path.join(__dirname, '../fixtures/models')
const data = tempDataDir()
afterAll(() => data.cleanup())

const { cli, json } = cliOn(data.dir)

let editIds: number[] = []

beforeAll(async () => {
  const ctx = createAppContext({ dataDir: data.dir })
  try {
    for (const [i, bpm] of [100, 124, 92, 110].entries()) {
      const songId = await addAnalysedSong(ctx, data.dir, { seed: i + 1, bpm, bars: 8 })
      queuePairs(ctx.db, songId, 12, 100 + i)
    }
    editIds = editsQ.listEdits(ctx.db).map((e) => e.id)
  } finally {
    await ctx.close()
  }
}, 120_000)

describe('reward models through the CLI, on one data directory', () => {
  it('refuses a wrong ONNX file with one line naming the mismatch and stores nothing', () => {
    const r = cli('import-reward-model', path.join(FIXTURES, 'tiny_reward_dim128.onnx'), '--name', 'bad')
    expect(r.code).toBe(1)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(r.stderr).toMatch(/input 'beat_features' has last dim 128, expected 125/)
    expect(json<RewardModelVersion[]>('reward-models')).toEqual([])
    expect(fs.existsSync(path.join(data.dir, 'reward-models', 'bad.onnx'))).toBe(false)
  })

  it('the simulated annotator judges the queue; its verdicts are left out of training unless asked', () => {
    const report = json<{ judged: number; skipped: number; noisy: number; annotator: string }>(
      'judge',
      '--simulate',
      '--count',
      '200',
      '--seed',
      '3'
    )
    expect(report.annotator).toBe('simulated')
    expect(report.judged).toBeGreaterThanOrEqual(40)
    const r = cli('train-reward', '--config', 'tiny', '--json')
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/--include-simulated/)
  })

  it('trains v1 in seconds, scores an edit through the CLI exactly as the in-app forward, then v8 -> v9 warm-started', async () => {
    const started = Date.now()
    const v1 = json<TrainRewardResult & { job: number }>(
      'train-reward',
      '--config',
      'tiny',
      '--epochs',
      '3',
      '--include-simulated'
    )
    expect(Date.now() - started).toBeLessThan(90_000)
    expect(v1).toMatchObject({ name: 'v1', parent: null, start: 'fresh', activated: true })
    expect(v1.verdictsUsed).toBeGreaterThan(20)
    expect(v1.heldOutPairs).toBeGreaterThan(0)
    expect(v1.metrics?.accuracy).not.toBeNull()

    const editId = editIds[3]!
    const scored = json<{ model: string; edit: number; reward: number }>(
      'score',
      '--model',
      'v1',
      '--edit',
      String(editId)
    )
    expect(scored).toMatchObject({ model: 'v1', edit: editId })
    // The in-app forward: the same file's weights in the tfjs reward transformer.
    const imp = importRewardOnnx(path.join(data.dir, 'reward-models', 'v1.onnx'))
    imp.session.dispose()
    const model = new RewardModel(imp.warmStart!.config, imp.warmStart!.weights)
    const ctx = createAppContext({ dataDir: data.dir, recoverJobs: false })
    try {
      const edit = editsQ.getEdit(ctx.db, editId)!
      const s = loadSongStructure(ctx.db, edit.songId)
      const T = s.beatTimes.length
      const r = model.apply({
        features: tf.tensor(s.features, [1, T, FEATURE_DIM]),
        actionIds: tf.tensor(edit.actions, [1, T], 'int32'),
        mask: tf.ones([1, T])
      })
      expect(Math.abs(r.dataSync()[0]! - scored.reward)).toBeLessThan(1e-4)
    } finally {
      model.dispose()
      await ctx.close()
    }

    // The users' model comes in as v8; training names the next version v9 and warm-starts from it.
    const v8 = json<RewardModelVersion>(
      'import-reward-model',
      path.join(data.dir, 'reward-models', 'v1.onnx'),
      '--name',
      'v8'
    )
    expect(v8.architecture).not.toBeNull()
    const v9 = json<TrainRewardResult>(
      'train-reward',
      '--parent',
      'v8',
      '--config',
      'tiny',
      '--epochs',
      '2',
      '--include-simulated'
    )
    expect(v9).toMatchObject({ name: 'v9', parent: 'v8', start: 'warm' })
    expect(v9.parentMetrics?.decisive).toBe(v9.metrics?.decisive)

    const list = json<RewardModelVersion[]>('reward-models')
    expect(list.map((v) => v.name)).toEqual(['v1', 'v8', 'v9'])
    expect(list.find((v) => v.name === 'v9')).toMatchObject({ parentName: 'v8', source: 'trained' })
    expect(list.filter((v) => v.active)).toHaveLength(1)
    const rolledBack = json<RewardModelVersion[]>('reward-models', '--activate', 'v1')
    expect(rolledBack.filter((v) => v.active).map((v) => v.name)).toEqual(['v1'])

    // The annotator's stats say how often the active model (v1) agrees with them: checked against
    // each decisive verdict scored one edit at a time through the score service.
    const stats = createAppContext({ dataDir: data.dir, recoverJobs: false })
    try {
      const sim = stats.db.prepare("SELECT id FROM annotators WHERE name = 'simulated'").get() as { id: number }
      const agreement = annotatorStats(stats.db, sim.id).rewardModelAgreement
      const decisive = listVerdicts(stats.db, { annotatorId: sim.id })
        .filter((v) => v.chosenEditId !== null && v.rejectedEditId !== null)
        .slice(-AGREEMENT_WINDOW)
      const reward = (editId: number): number => scoreEdit(stats.db, 'v1', editId).reward
      const agreeing = decisive.filter((v) => reward(v.chosenEditId!) > reward(v.rejectedEditId!)).length
      expect(agreement).toBeCloseTo(agreeing / decisive.length, 10)
      expect(agreement!).toBeGreaterThan(0.5)
    } finally {
      await stats.close()
    }
  }, 240_000)
})
