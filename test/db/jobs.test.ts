import { afterEach, describe, expect, it } from 'vitest'
import { execFileSync } from 'node:child_process'
import { createAppContext, type AppContext } from '../../src/main/app/context'
import { getJob, jobLog } from '../../src/main/db/queries/jobs'
import { RESUMABLE_JOB_KINDS } from '../../src/main/workers/kinds'
import { tempDataDir } from '../helpers/temp'

let ctx: AppContext | null = null
let cleanup: () => void = () => {}
afterEach(async () => {
  await ctx?.close()
  ctx = null
  cleanup()
})

function open(): AppContext {
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
})
