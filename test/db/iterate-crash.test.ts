import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import { tempDataDir } from '../helpers/temp'
import { createAppContext, seedDemoLibraryOnce, type AppContext } from '../../src/main/app/context'
import { queuePairs } from '../../src/main/services/edits/edit-service'
import { judgeSimulated } from '../../src/main/services/reward-models'
import { getJob, jobLog } from '../../src/main/db/queries/jobs'
import { getIteration } from '../../src/main/db/queries/iterations'
import { RESUMABLE_JOB_KINDS } from '../../src/main/workers/kinds'
import { requestSchemas } from '../../src/shared/api'
import type { IterationDetail } from '../../src/shared/domain'
import { cliOn } from '../helpers/cli'

const library = tempDataDir('editorbot-iterate-library-')
let ctx: AppContext | null = null
const copies: (() => void)[] = []
afterEach(async () => {
  await ctx?.close()
  ctx = null
})
afterAll(() => {
  library.cleanup()
  for (const c of copies) c()
})

beforeAll(async () => {
  const c = createAppContext({ dataDir: library.dir })
  try {
    expect((await c.jobs.wait(seedDemoLibraryOnce(c)!)).state).toBe('done')
    // More judged pairs than the demo's nine, so reward training spans several checkpointed epochs.
    for (const songId of [1, 2, 3]) queuePairs(c.db, songId, 10, 40 + songId)
    judgeSimulated(c.db, requestSchemas['judge.simulate'].parse({ count: 200 }), 'test')
  } finally {
    await c.close()
  }
}, 120_000)

/** A copy of the judged library, crashed by the fixture script inside `stage`. */
function crashIn(stage: 'reward' | 'policy', steps: number): string {
  const t = tempDataDir()
  copies.push(t.cleanup)
  fs.cpSync(library.dir, t.dir, { recursive: true })
  let out: string
  try {
    out = execFileSync(
      process.execPath,
      ['--import', 'tsx', 'test/fixtures/scripts/crash-mid-iteration.mts', t.dir, stage, String(steps)],
      { encoding: 'utf8', env: { ...process.env, EDITORBOT_ORT_THREADS: '1' } }
    )
  } catch (e) {
    // SIGKILL makes execFileSync throw; its stdout still tells where the iteration was.
    out = String((e as { stdout?: string }).stdout ?? '')
  }
  expect(out).toContain(`killed iteration 1 in stage ${stage}`)
  return t.dir
}

const count = (c: AppContext, sql: string): number => (c.db.prepare(sql).get() as { n: number }).n

describe('an iteration killed mid-stage resumes at the stage it was in', () => {
  it('in the reward stage: continues training vN+1 from its last epoch and registers it once', async () => {
    const dir = crashIn('reward', 2048)
    ctx = createAppContext({ dataDir: dir })
    const before = getIteration(ctx.db, 1)!
    expect(before.stage).toBe('reward')
    const job = ctx.jobs.get(before.jobId!)
    expect(job).toMatchObject({ kind: 'iteration.run', state: 'interrupted', resumable: true })
    const cp = getJob(ctx.db, job.id, RESUMABLE_JOB_KINDS)?.checkpoint as {
      stage: string
      reward: { epochsDone: number }
    }
    expect(cp.stage).toBe('reward')
    expect(cp.reward.epochsDone).toBeGreaterThanOrEqual(1)
    expect(count(ctx, 'SELECT COUNT(*) AS n FROM reward_models')).toBe(0)

    ctx.jobs.resume(job.id)
    expect((await ctx.jobs.wait(job.id)).state).toBe('done')
    const log = jobLog(ctx.db, job.id).join('\n')
    expect(log).toContain("resuming iteration 1 at stage 'reward'")
    expect(log).toMatch(/resuming after epoch \d+/)
    const after = getIteration(ctx.db, 1)!
    expect(after.stage).toBe('done')
    expect(count(ctx, `SELECT COUNT(*) AS n FROM reward_models WHERE job_id = ${job.id}`)).toBe(1)
    expect(count(ctx, 'SELECT COUNT(*) AS n FROM reward_models')).toBe(1)
    expect(after.policyId).not.toBeNull()
    expect(count(ctx, 'SELECT COUNT(*) AS n FROM iteration_pairs')).toBeGreaterThan(0)
  }, 180_000)

  it('in the policy stage: keeps vN+1; `iterate --resume` continues the same training run from its last update', async () => {
    const steps = 60_000
    const dir = crashIn('policy', steps)
    ctx = createAppContext({ dataDir: dir })
    const before = getIteration(ctx.db, 1)!
    expect(before.stage).toBe('policy')
    expect(before.rewardModelId).not.toBeNull()
    expect(before.runId).not.toBeNull()
    expect(before.stageSeconds.reward).toBeGreaterThan(0)
    const job = ctx.jobs.get(before.jobId!)
    expect(job.state).toBe('interrupted')
    const cp = getJob(ctx.db, job.id, RESUMABLE_JOB_KINDS)?.checkpoint as { policy: { runId: number; update: number } }
    expect(cp.policy.runId).toBe(before.runId)
    expect(cp.policy.update).toBeGreaterThanOrEqual(2)

    // resumed from the command line, as a headless box would after a reboot
    await ctx.close()
    const resumed = cliOn(dir).json<IterationDetail>('iterate', '--resume', '1')
    expect(resumed).toMatchObject({ number: 1, stage: 'done', state: 'done' })
    ctx = createAppContext({ dataDir: dir })
    const log = jobLog(ctx.db, job.id).join('\n')
    expect(log).toContain("resuming iteration 1 at stage 'policy'")
    expect(log).toMatch(/resumed at update \d+/)
    // after the resume the reward stage is not run again
    expect(log.slice(log.indexOf('resuming iteration'))).not.toContain("stage 'reward'")
    const after = getIteration(ctx.db, 1)!
    expect(after).toMatchObject({ stage: 'done', rewardModelId: before.rewardModelId, runId: before.runId })
    expect(count(ctx, 'SELECT COUNT(*) AS n FROM reward_models')).toBe(1)
    expect(count(ctx, 'SELECT COUNT(*) AS n FROM training_runs')).toBe(1)
    const run = ctx.db.prepare('SELECT policy_id, last_metrics FROM training_runs WHERE id = ?').get(before.runId) as {
      policy_id: number
      last_metrics: string
    }
    expect(run.policy_id).toBe(after.policyId)
    expect((JSON.parse(run.last_metrics) as { env_steps: number }).env_steps).toBeGreaterThanOrEqual(steps)
    expect(after.evaluation).not.toBeNull()
  }, 180_000)
})
