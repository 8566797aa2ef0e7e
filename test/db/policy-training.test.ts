import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import fs from 'node:fs'
import path from 'node:path'
import { tempDataDir } from '../helpers/temp'
import { cliOn } from '../helpers/cli'
import { addAnalysedSong } from '../helpers/songs'
import { createAppContext } from '../../src/main/app/context'
import { queuePairs } from '../../src/main/services/edits/edit-service'
import { callApi } from '../../src/main/transports/cli/framework'
import { validateActions } from '../../src/main/engines/edits'
import { loadSongStructure } from '../../src/main/services/songs/stored-song'
import type { EditDetail, PolicySummary, TrainingRunSummary } from '../../src/shared/domain'

const FIXTURES = path.join(__dirname, '../fixtures/models')
const data = tempDataDir()
afterAll(() => data.cleanup())

const { cli, json } = cliOn(data.dir)

const songIds: number[] = []

beforeAll(async () => {
  const ctx = createAppContext({ dataDir: data.dir })
  try {
    for (const [i, bpm] of [100, 124, 92, 110, 118].entries()) {
      const songId = await addAnalysedSong(ctx, data.dir, { seed: i + 1, bpm, bars: 8 })
      queuePairs(ctx.db, songId, 8, 200 + i)
      songIds.push(songId)
    }
  } finally {
    await ctx.close()
  }
}, 120_000)

describe('policies through the CLI', () => {
  it('refuses a policy with the wrong observation size, naming both sizes, and stores nothing', () => {
    const r = cli('import-policy', path.join(FIXTURES, 'tiny_policy_obs4.onnx'), '--name', 'bad')
    expect(r.code).toBe(1)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(r.stderr).toMatch(/input 'obs' has 4 features per row, expected 889/)
    expect(json<PolicySummary[]>('policies')).toEqual([])
    expect(fs.existsSync(path.join(data.dir, 'policies', 'bad.onnx'))).toBe(false)
  })

  it('an imported SB3-style policy generates valid edits: seeded, reproducible, or greedy', () => {
    const p = json<PolicySummary>('import-policy', path.join(FIXTURES, 'tiny_policy_sb3.onnx'), '--name', 'sb3')
    expect(p).toMatchObject({ name: 'sb3', source: 'imported', sizes: [889, 16, 16, 9] })
    const gen = (...extra: string[]): { editId: number } =>
      json('generate', '--song', String(songIds[0]), '--generator', `policy:${p.id}`, ...extra)
    const a = json<EditDetail>('edit', String(gen('--seed', '5').editId))
    const b = json<EditDetail>('edit', String(gen('--seed', '5').editId))
    const g = json<EditDetail>('edit', String(gen('--greedy').editId))
    expect(a.actions).toEqual(b.actions)
    expect(a).toMatchObject({ generator: `policy:${p.id}`, policyId: p.id, seed: 5 })
    expect(g.seed).toBeNull()
    const r = cli('generate', '--song', String(songIds[0]), '--generator', 'policy:999')
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/no policy with id 999/)
  })

  it('PPO with the learned reward (tiny) registers a policy; its final line has kl, entropy, explained_variance', () => {
    json('judge', '--simulate', '--count', '100', '--seed', '4')
    json('train-reward', '--config', 'tiny', '--epochs', '2', '--include-simulated')
    const started = Date.now()
    const out = json<Record<string, unknown>>(
      'train-policy',
      '--algorithm',
      'ppo',
      '--steps',
      '400',
      '--config',
      'tiny',
      '--seed',
      '3',
      '--reward-weight',
      '0.8'
    )
    expect(Date.now() - started).toBeLessThan(60_000)
    for (const k of ['kl', 'entropy', 'explained_variance', 'reward_learned', 'reward_dense'])
      expect(typeof out[k], k).toBe('number')
    expect(out.rewardModel).toBe('v1')
    expect(typeof out.runId).toBe('number')
    const policies = json<PolicySummary[]>('policies')
    const trained = policies.find((x) => x.id === out.policyId)!
    expect(trained).toMatchObject({ source: 'trained', rewardModelName: 'v1', runId: out.runId })
    const ctx = createAppContext({ dataDir: data.dir, recoverJobs: false })
    try {
      const edit = json<{ editId: number }>(
        'generate',
        '--song',
        String(songIds[1]),
        '--generator',
        `policy:${trained.id}`
      )
      const detail = json<EditDetail>('edit', String(edit.editId))
      expect(() => validateActions(loadSongStructure(ctx.db, songIds[1]!), detail.actions)).not.toThrow()
    } finally {
      void ctx.close()
    }
  })

  it('DPO on the simulated annotator pairs (tiny) logs rewards/chosen, rewards/rejected, accuracies', () => {
    const out = json<Record<string, unknown>>(
      'train-policy',
      '--algorithm',
      'dpo',
      '--steps',
      '6',
      '--config',
      'tiny',
      '--include-simulated'
    )
    for (const k of ['rewards/chosen', 'rewards/rejected', 'accuracies', 'margins'])
      expect(typeof out[k], k).toBe('number')
    expect(out.algorithm).toBe('dpo')
  })
})

describe('training runs as jobs', () => {
  it('cancel and resume ends with the same policy as an uninterrupted run', async () => {
    const ctx = createAppContext({ dataDir: data.dir, recoverJobs: false })
    try {
      // Enough updates that a cancel after the second one lands well before the run ends.
      const req = { algorithm: 'ppo', steps: 2400, config: 'tiny', seed: 11, rewardModel: 'v1' } as const
      const straight = await callApi(ctx, 'training.start', req)
      await ctx.jobs.wait(straight.jobId!)
      const interrupted = await callApi(ctx, 'training.start', req)
      // cancel once the run has checkpointed at least two updates
      for (let i = 0; i < 600; i++) {
        const r = await callApi(ctx, 'training.get', { runId: interrupted.id })
        if ((r.lastMetrics.update ?? 0) >= 2) break
        await new Promise((res) => setTimeout(res, 50))
      }
      ctx.jobs.cancel(interrupted.jobId!)
      const cancelled = await ctx.jobs.wait(interrupted.jobId!)
      expect(cancelled.state).toBe('cancelled')
      const mid = await callApi(ctx, 'training.get', { runId: interrupted.id })
      expect(mid.policyId).toBeNull()
      expect(mid.lastMetrics.env_steps).toBeLessThan(req.steps)
      await callApi(ctx, 'training.resume', { runId: interrupted.id })
      expect((await ctx.jobs.wait(interrupted.jobId!)).state).toBe('done')
      const runs = await callApi(ctx, 'training.runs', {})
      const [a, b] = [straight.id, interrupted.id].map((id) => runs.find((r: TrainingRunSummary) => r.id === id)!)
      const file = (r: TrainingRunSummary): Buffer => {
        const p = ctx.db.prepare('SELECT onnx_path FROM policies WHERE id = ?').get(r.policyId) as { onnx_path: string }
        return fs.readFileSync(path.join(data.dir, p.onnx_path))
      }
      expect(file(b).equals(file(a))).toBe(true)
      const { env_steps_per_s: _a, ...sameA } = a.lastMetrics
      const { env_steps_per_s: _b, ...sameB } = b.lastMetrics
      expect(sameB).toEqual(sameA)
      // one metrics line per update, none duplicated by the resume
      const rows = (await callApi(ctx, 'training.metrics', { runId: b.id })).rows
      expect(rows.map((r) => r.update)).toEqual(rows.map((_, i) => i + 1))
      expect(b.rewardModelName).toBe('v1')
      expect(b.bestCheckpointPath).not.toBeNull()
    } finally {
      await ctx.close()
    }
  })
})
