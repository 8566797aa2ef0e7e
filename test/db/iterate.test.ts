import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import Database from 'better-sqlite3'
import path from 'node:path'
import { tempDataDir } from '../helpers/temp'
import { cliOn } from '../helpers/cli'
import { createAppContext, seedDemoLibraryOnce } from '../../src/main/app/context'
import { iterationDetail, pairLineage, verdictLineage } from '../../src/main/services/iterations'
import type { IterationPlan } from '../../src/shared/api'
import type { IterationDetail } from '../../src/shared/domain'

const data = tempDataDir()
afterAll(() => data.cleanup())

const { cli, json } = cliOn(data.dir)

const sqlite = (): Database.Database => new Database(path.join(data.dir, 'editorbot.sqlite'), { readonly: true })

beforeAll(async () => {
  // The demo library, exactly as the first start of the app creates it.
  const ctx = createAppContext({ dataDir: data.dir })
  try {
    const jobId = seedDemoLibraryOnce(ctx)
    expect((await ctx.jobs.wait(jobId!)).state).toBe('done')
  } finally {
    await ctx.close()
  }
}, 120_000)

describe('editorbot iterate on the demo library, judged by the simulated annotator', () => {
  let first: IterationDetail

  it('refuses to start without verdicts, naming what to do', () => {
    const r = cli('iterate', '--config', 'tiny')
    expect(r.code).not.toBe(0)
    expect(r.stderr).toMatch(/judge some pairs first/)
  })

  it('shows every setting before it starts, then closes a whole iteration in under 2 minutes', () => {
    const judged = json<{ judged: number; remaining: number }>('judge', '--simulate', '--count', '100')
    expect(judged.judged).toBeGreaterThan(0)
    expect(judged.remaining).toBe(0)

    const plan = json<IterationPlan>('iterate', '--config', 'tiny', '--plan')
    expect(plan.number).toBe(1)
    expect(plan.verdicts.count).toBe(judged.judged)
    expect(plan.verdicts.annotators).toMatchObject([{ name: 'simulated', simulated: true, verdicts: judged.judged }])
    expect(plan.settings).toMatchObject({
      algorithm: 'ppo',
      config: 'tiny',
      songIds: [1, 2, 3],
      pairs: 6,
      pairsByRole: { versus: 3, disagreement: 2, sentinel: 1 },
      activateIfWorse: false,
      reward: { parent: null },
      policy: { parent: null, rewardWeight: 0.8 }
    })
    const text = cli('iterate', '--config', 'tiny', '--plan')
    expect(text.stdout).toMatch(/verdicts +\d+ \(simulated \(simulated\) \d+\)/)
    expect(text.stdout).toMatch(/pairs +6: 3 new vs previous, 2 disagreement-ranked, 1 sentinel/)

    const started = Date.now()
    first = json<IterationDetail>('iterate', '--config', 'tiny')
    const wallS = (Date.now() - started) / 1000
    expect(wallS).toBeLessThan(120)
    expect(first).toMatchObject({ number: 1, stage: 'done', state: 'done', settings: plan.settings })
    expect(Object.keys(first.stageSeconds).sort()).toEqual(['evaluate', 'generate', 'pairs', 'policy', 'reward'])
    expect(first.rewardModel).toMatchObject({ name: 'v1', parentName: null, activated: true })
    expect(first.rewardModel!.metrics?.pairs).toBeGreaterThan(0)
    expect(first.policy).toMatchObject({ rewardModelName: 'v1', parentName: null })
    expect(first.policy!.metrics.kl).toBeGreaterThanOrEqual(0)
    expect(first.policy!.metrics.entropy).toBeGreaterThan(0)
    expect(first.evaluation!.before.label).toBe('rule')
    expect(first.evaluation!.after.label).toBe(first.policy!.name)
    expect(first.evaluation!.after.learned).not.toBeNull()
    expect(first.examples.map((e) => e.songId)).toEqual([1, 2, 3])
    expect(first.examples.every((e) => e.previousLabel === 'rule' && e.editId !== e.previousEditId)).toBe(true)
  }, 180_000)

  it('stores the lineage both ways: verdicts -> reward model -> run -> policy -> edits -> queued pairs', () => {
    const db = sqlite()
    try {
      const it1 = db.prepare('SELECT * FROM iterations WHERE number = 1').get() as {
        id: number
        job_id: number
        reward_model_id: number
        run_id: number
        policy_id: number
      }
      const snapshot = db
        .prepare('SELECT verdict_id FROM iteration_verdicts WHERE iteration_id = ? ORDER BY verdict_id')
        .all(it1.id)
      const current = db.prepare('SELECT id AS verdict_id FROM verdicts WHERE superseded_at IS NULL ORDER BY id').all()
      expect(snapshot).toEqual(current)
      expect(
        db.prepare('SELECT job_id, active, verdict_ids FROM reward_models WHERE id = ?').get(it1.reward_model_id)
      ).toEqual({
        job_id: it1.job_id,
        active: 1,
        verdict_ids: JSON.stringify(current.map((v) => (v as { verdict_id: number }).verdict_id))
      })
      expect(
        db.prepare('SELECT reward_model_id, job_id, policy_id FROM training_runs WHERE id = ?').get(it1.run_id)
      ).toEqual({ reward_model_id: it1.reward_model_id, job_id: it1.job_id, policy_id: it1.policy_id })
      expect(db.prepare('SELECT reward_model_id, run_id FROM policies WHERE id = ?').get(it1.policy_id)).toEqual({
        reward_model_id: it1.reward_model_id,
        run_id: it1.run_id
      })

      const pairs = db
        .prepare(
          `SELECT ip.role, ip.expected_edit_id AS expected, p.status, a.generator AS ga, b.generator AS gb,
             a.id AS aId, b.id AS bId
           FROM iteration_pairs ip JOIN pairs p ON p.id = ip.pair_id
           JOIN edits a ON a.id = p.edit_a_id JOIN edits b ON b.id = p.edit_b_id WHERE ip.iteration_id = ?`
        )
        .all(it1.id) as {
        role: string
        expected: number | null
        status: string
        ga: string
        gb: string
        aId: number
        bId: number
      }[]
      expect(pairs.length).toBe(first.pairs.length)
      expect(pairs.length).toBeGreaterThanOrEqual(4)
      expect(pairs.every((p) => p.status === 'queued')).toBe(true)
      const policyGen = `policy:${it1.policy_id}`
      const versus = pairs.filter((p) => p.role === 'versus')
      expect(versus.length).toBe(3)
      expect(versus.every((p) => p.ga === policyGen && p.gb === 'rule')).toBe(true)
      const sentinels = pairs.filter((p) => p.role === 'sentinel')
      expect(sentinels).toEqual([expect.objectContaining({ ga: policyGen, gb: 'random', expected: sentinels[0]!.aId })])
      expect(pairs.filter((p) => p.role === 'disagreement').length).toBeLessThanOrEqual(2)
      expect(first.pairCounts.versus + first.pairCounts.disagreement + first.pairCounts.sentinel).toBe(pairs.length)
    } finally {
      db.close()
    }

    const ctx = createAppContext({ dataDir: data.dir })
    try {
      const pairId = first.pairs.find((p) => p.role === 'versus')!.pairId
      const lineage = pairLineage(ctx.db, pairId)
      expect(lineage.iteration).toEqual({ id: first.id, number: 1, role: 'versus' })
      const [a, b] = lineage.sides
      expect(a).toMatchObject({
        policy: { id: first.policy!.id, name: first.policy!.name, runId: first.policy!.runId },
        rewardModel: { name: 'v1' },
        verdicts: { count: first.verdicts.count, hash: first.verdicts.hash },
        iteration: { id: first.id, number: 1 }
      })
      expect(b).toMatchObject({ generator: 'rule', policy: null, rewardModel: null })
      const verdictId = (ctx.db.prepare('SELECT MIN(verdict_id) AS v FROM iteration_verdicts').get() as { v: number }).v
      const down = verdictLineage(ctx.db, verdictId)
      expect(down.rewardModels.map((m) => m.name)).toEqual(['v1'])
      expect(down.iterations).toEqual([
        {
          id: first.id,
          number: 1,
          policyId: first.policy!.id,
          policyName: first.policy!.name,
          pairIds: first.pairs.map((p) => p.pairId)
        }
      ])
    } finally {
      void ctx.close()
    }
  })

  it('the next iteration starts from that policy and reward model and sets the new policy against it', async () => {
    const judged = json<{ judged: number }>('judge', '--simulate', '--count', '100', '--seed', '2')
    expect(judged.judged).toBeGreaterThan(0)
    // The first iteration's sentinel is judged now: counted, and agreed exactly when the policy's edit won.
    const ctx = createAppContext({ dataDir: data.dir })
    try {
      const sentinel = first.pairs.find((p) => p.role === 'sentinel')!
      const v = ctx.db
        .prepare('SELECT chosen_edit_id AS chosen FROM verdicts WHERE pair_id = ? AND superseded_at IS NULL')
        .get(sentinel.pairId) as { chosen: number | null }
      expect(iterationDetail(ctx.db, first.id).sentinels).toEqual({
        judged: 1,
        agreed: v.chosen === sentinel.expectedEditId ? 1 : 0
      })
    } finally {
      await ctx.close()
    }
    const second = json<IterationDetail>('iterate', '--config', 'tiny', '--songs', '1,3', '--pairs', '4', '--seed', '5')
    expect(second).toMatchObject({
      number: 2,
      state: 'done',
      settings: { songIds: [1, 3], pairs: 4, seed: 5, reward: { parent: 'v1' }, policy: { parent: first.policy!.name } }
    })
    expect(second.verdicts.count).toBe(first.verdicts.count + judged.judged)
    expect(second.rewardModel).toMatchObject({ name: 'v2', parentName: 'v1' })
    expect(second.rewardModel!.parentMetrics).not.toBeNull()
    expect(second.policy!.parentName).toBe(first.policy!.name)
    expect(second.evaluation!.before.label).toBe(first.policy!.name)
    // like with like across iterations: the same held-out songs and seeds, so "before" is the last "after"
    expect(second.evaluation!.songIds).toEqual(first.evaluation!.songIds)
    expect(second.evaluation!.before.hidden).toBe(first.evaluation!.after.hidden)
    expect(second.evaluation!.before.dense).toBe(first.evaluation!.after.dense)
    expect(second.examples.map((e) => [e.songId, e.previousLabel])).toEqual([
      [1, first.policy!.name],
      [3, first.policy!.name]
    ])
    expect(second.pairs.every((p) => p.songId === 1 || p.songId === 3)).toBe(true)
    const listed = json<{ number: number }[]>('iterations')
    expect(listed.map((i) => i.number)).toEqual([1, 2])
  }, 180_000)

  it('DPO: trains the policy on the judged pairs of the snapshot instead of against a reward model', () => {
    const before = json<{ number: number; policy: { name: string } | null }[]>('iterations').pop()!
    const dpo = json<IterationDetail>(
      'iterate',
      '--algorithm',
      'dpo',
      '--config',
      'tiny',
      '--pairs',
      '2',
      '--activate-if-worse'
    )
    expect(dpo).toMatchObject({
      number: 3,
      state: 'done',
      settings: { algorithm: 'dpo', activateIfWorse: true, policy: { parent: before.policy!.name } },
      rewardModel: { name: 'v3', activated: true, activationNote: null },
      policy: { rewardModelName: null, parentName: before.policy!.name }
    })
    expect(dpo.policy!.name).toMatch(/^dpo-run\d+$/)
    expect(dpo.policy!.metrics.accuracies).toBeGreaterThanOrEqual(0)
    expect(json<{ name: string; active: boolean }[]>('reward-models').filter((m) => m.active)).toMatchObject([
      { name: 'v3' }
    ])
    expect(cli('iterate', '--algorithm', 'a2c').stderr).toMatch(/--algorithm/)
  }, 180_000)
})
