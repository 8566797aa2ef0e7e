import { afterEach, describe, expect, it } from 'vitest'
import { execFileSync } from 'node:child_process'
import { createAppContext, type AppContext } from '../../src/main/app/context'
import { getJob, jobLog } from '../../src/main/db/queries/jobs'
import { RESUMABLE_JOB_KINDS } from '../../src/main/workers/kinds'
import { tempDataDir } from '../helpers/temp'
import { failureOf } from '../helpers/failure'

let ctx: AppContext | null = null
let cleanup: () => void = () => {}
afterEach(async () => {
  await ctx?.close()
  ctx = null
  cleanup()
})

function open(): AppContext {
  // Test-only kinds are reachable through jobs.start only on the e2e test server.
  delete process.env.EDITORBOT_TEST_JOB_KINDS
  const t = tempDataDir()
  cleanup = t.cleanup
  ctx = createAppContext({ dataDir: t.dir })
  return ctx
}

describe('background jobs', () => {
  it('runs in a worker, reports progress as events and in the jobs table, and finishes done', async () => {
    const c = open()
    const seen: number[] = []
    c.events.on('job.progress', (p) => seen.push(p.progress))
    const job = c.jobs.start('demo.count', { steps: 6, delayMs: 30 })
    expect(job.state).toBe('running')
    const done = await c.jobs.wait(job.id)
    expect(done.state).toBe('done')
    expect(done.progress).toBe(1)
    expect(seen.length).toBeGreaterThan(1)
    expect(seen[seen.length - 1]).toBe(1)
    expect(seen.every((p, i) => i === 0 || p >= (seen[i - 1] as number))).toBe(true)
    expect(getJob(c.db, job.id, RESUMABLE_JOB_KINDS)?.result).toEqual({ counted: 6 })
  })

  it('can be cancelled; the row says cancelled and progress stops short of 1', async () => {
    const c = open()
    const job = c.jobs.start('demo.count', { steps: 500, delayMs: 20 })
    await new Promise<void>((resolve) => {
      const off = c.events.on('job.progress', (p) => {
        if (p.jobId === job.id && p.progress > 0) {
          off()
          resolve()
        }
      })
    })
    c.jobs.cancel(job.id)
    const final = await c.jobs.wait(job.id)
    expect(final.state).toBe('cancelled')
    expect(final.progress).toBeLessThan(1)
    expect(final.resumable).toBe(true)
  })

  it('rejects unknown kinds and cancelling a job that is not running', async () => {
    const c = open()
    expect(() => c.jobs.startRequested('nope', {})).toThrow(/unknown job kind 'nope'/)
    const job = c.jobs.start('demo.count', { steps: 1, delayMs: 1 })
    await c.jobs.wait(job.id)
    expect(() => c.jobs.cancel(job.id)).toThrow(/not running/)
  })

  it('shows a job as interrupted after a crash and resumes it from its checkpoint', async () => {
    const t = tempDataDir()
    cleanup = t.cleanup
    const out = (() => {
      try {
        return execFileSync(process.execPath, ['--import', 'tsx', 'test/fixtures/scripts/crash-mid-job.mts', t.dir], {
          encoding: 'utf8'
        })
      } catch (e) {
        // SIGKILL makes execFileSync throw; its stdout still tells where the job was.
        return String((e as { stdout?: string }).stdout ?? '')
      }
    })()
    expect(out).toMatch(/job 1 at/)

    ctx = createAppContext({ dataDir: t.dir })
    const interrupted = ctx.jobs.get(1)
    expect(interrupted.state).toBe('interrupted')
    expect(interrupted.resumable).toBe(true)
    const checkpoint = getJob(ctx.db, 1, RESUMABLE_JOB_KINDS)?.checkpoint as { step: number }
    expect(checkpoint.step).toBeGreaterThan(0)

    ctx.jobs.resume(1)
    const done = await ctx.jobs.wait(1)
    expect(done.state).toBe('done')
    expect(jobLog(ctx.db, 1)).toContain(`resuming at step ${checkpoint.step}`)
  })

  it("validates every config with its kind's schema and keeps test-only and app-only kinds out of jobs.start", () => {
    const c = open()
    expect(failureOf(() => c.jobs.start('demo.count', { steps: 1e9 }))).toMatchObject({
      kind: 'validation',
      field: 'config.steps'
    })
    expect(failureOf(() => c.jobs.start('songs.analyse', { songIds: [], extra: 1 } as never))).toMatchObject({
      kind: 'validation'
    })
    const test = failureOf(() => c.jobs.startRequested('demo.count', { steps: 3 }))
    expect(test).toMatchObject({ kind: 'forbidden', field: 'kind' })
    expect(test.message).toMatch(/for tests only/)
    expect(failureOf(() => c.jobs.startRequested('demo.library', {}))).toMatchObject({ kind: 'forbidden' })
    expect(c.jobs.list()).toEqual([])
  })

  it('carries the kind of a worker error into the job row and the job.state event', async () => {
    const c = open()
    const states: { state: string; errorKind: string | null }[] = []
    c.events.on('job.state', (s) => states.push({ state: s.state, errorKind: s.errorKind }))
    const job = c.jobs.start('songs.analyse', { songIds: [424242] })
    const failed = await c.jobs.wait(job.id)
    expect(failed).toMatchObject({ state: 'failed', errorKind: 'not_found' })
    expect(failed.error).toMatch(/no song with id 424242/)
    expect(states.at(-1)).toEqual({ state: 'failed', errorKind: 'not_found' })
  })

  it('refuses to resume from a stored checkpoint that does not fit its kind, naming the job', async () => {
    const c = open()
    const job = c.jobs.start('demo.count', { steps: 400, delayMs: 5 })
    c.jobs.cancel(job.id)
    await c.jobs.wait(job.id)
    c.db.prepare(`UPDATE jobs SET checkpoint = '{"step":"half"}' WHERE id = ?`).run(job.id)
    const f = failureOf(() => c.jobs.resume(job.id))
    expect(f).toMatchObject({ kind: 'corrupt', field: 'jobId' })
    expect(f.message).toMatch(new RegExp(`job ${job.id}'s stored checkpoint.*checkpoint\\.step`))
  })
})
