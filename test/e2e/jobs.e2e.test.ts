import { afterAll, describe, expect, it } from 'vitest'
import fs from 'node:fs'
import type { Browser, Page } from 'playwright-core'
import { apiCall, launchChromium, startServe, waitFor, type ServeHandle } from './harness'

/** Background jobs seen through the real UI: progress, cancel, a crash of the whole app, resume. */
describe('jobs in the UI', () => {
  let browser: Browser | null = null
  const servers: ServeHandle[] = []
  afterAll(async () => {
    await browser?.close()
    for (const s of servers) await s.stop()
    if (servers[0]) fs.rmSync(servers[0].dataDir, { recursive: true, force: true })
  })

  const jobRow = (page: Page, id: number, state?: string) =>
    page.locator(`[data-testid="job-row"][data-job-id="${id}"]${state ? `[data-state="${state}"]` : ''}`)
  const startCounter = async (origin: string, steps: number): Promise<number> => {
    const r = await apiCall(origin, 'jobs.start', { kind: 'demo.count', config: { steps, delayMs: 25 } })
    expect(r.status).toBe(200)
    return (r.body.value as { id: number }).id
  }
  const progressOf = async (origin: string, id: number): Promise<number> => {
    const jobs = (await apiCall(origin, 'jobs.list', {})).body.value as { id: number; progress: number }[]
    return jobs.find((j) => j.id === id)?.progress ?? 0
  }

  it('shows live progress, cancels, shows interrupted after a crash, and resumes', async () => {
    // demo.count is a test-only job kind: jobs.start reaches it only on a server started for tests.
    const first = await startServe({ demo: false, testJobKinds: true })
    servers.push(first)
    browser = await launchChromium()
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
    await page.goto(`${first.url}#/jobs`)
    await page.waitForSelector('body[data-app-ready="true"]')

    // Progress arrives over the WebSocket while the page is open; then the user cancels.
    const cancelled = await startCounter(first.origin, 400)
    await jobRow(page, cancelled, 'running').waitFor()
    const bar = jobRow(page, cancelled).locator('[role="progressbar"]')
    await waitFor(async () => Number(await bar.getAttribute('aria-valuenow')) > 0, 30_000, 'progress in the UI')
    await page.getByTestId(`cancel-job-${cancelled}`).click()
    await jobRow(page, cancelled, 'cancelled').waitFor()
    expect(await progressOf(first.origin, cancelled)).toBeLessThan(1)

    // The whole app dies mid-job (SIGKILL: no cleanup at all).
    const crashed = await startCounter(first.origin, 120)
    await waitFor(async () => (await progressOf(first.origin, crashed)) > 0.1, 30_000, 'progress before the crash')
    const exited = new Promise((resolve) => first.process.once('exit', resolve))
    first.process.kill('SIGKILL')
    await exited

    const second = await startServe({ demo: false, dataDir: first.dataDir, testJobKinds: true })
    servers.push(second)
    await page.goto(`${second.url}#/jobs`)
    await page.waitForSelector('body[data-app-ready="true"]')
    await jobRow(page, crashed, 'interrupted').waitFor()
    await page.getByTestId(`resume-job-${crashed}`).click()
    await jobRow(page, crashed, 'done').waitFor({ timeout: 60_000 })
    fs.mkdirSync('test-results', { recursive: true })
    await page.screenshot({ path: 'test-results/jobs.png' })
  })
})
