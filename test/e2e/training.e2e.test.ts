import { afterAll, describe, expect, it } from 'vitest'
import fs from 'node:fs'
import type { Browser, Page } from 'playwright-core'
import { apiOk, closeAll, launchChromium, startServe, waitFor, waitForDemoLibrary, type ServeHandle } from './harness'

/** The Training screen in Chromium: start a PPO run, live charts, cancel, resume, CSV export, the policy it made. */
describe('the Training screen', () => {
  let browser: Browser | null = null
  let server: ServeHandle | null = null
  afterAll(() => closeAll(browser, server))

  const ok = <T>(name: string, input: unknown): Promise<T> => apiOk<T>(server!.origin, name, input)
  const runRow = (page: Page, state?: string) =>
    page.locator(`[data-testid="runs-table"] tr[data-run-id]${state ? `[data-state="${state}"]` : ''}`)

  it('starts a run, charts it live, cancels, resumes, exports CSV and lists the new policy', async () => {
    server = await startServe({ demo: true })
    await waitForDemoLibrary(server.origin)
    browser = await launchChromium()
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true })
    await page.goto(`${server.url}#/training`)
    await page.waitForSelector('body[data-app-ready="true"]')
    await expect.poll(() => page.getByTestId('training-backend').textContent()).toMatch(/Training runs on \S+/)
    await page.getByTestId('runs-empty').waitFor()

    // A tiny PPO run long enough to cancel part-way (dense reward only: the demo library has no reward model).
    await page.getByTestId('run-config').selectOption('tiny')
    await page.getByTestId('run-steps').fill('6000')
    await page.getByTestId('run-start').click()
    await runRow(page, 'running').waitFor({ timeout: 30_000 })
    const charts = page.getByTestId('run-charts')
    await waitFor(async () => Number(await charts.getAttribute('data-rows')) >= 2, 60_000, 'live metric rows')
    await page.getByTestId('chart-kl').waitFor()
    expect(await page.getByTestId('run-lineage').first().textContent()).toContain('dense reward only')
    await page.getByTestId('run-cancel').click()
    await runRow(page, 'cancelled').waitFor({ timeout: 30_000 })
    const [run] = await ok<{ id: number; policyId: number | null; lastMetrics: Record<string, number> }[]>(
      'training.runs',
      {}
    )
    expect(run!.policyId).toBeNull()
    expect(run!.lastMetrics.env_steps).toBeLessThan(6000)

    await page.getByTestId('run-resume').click()
    await runRow(page, 'done').waitFor({ timeout: 120_000 })
    const policies = await ok<{ name: string; runId: number }[]>('policies.list', {})
    expect(policies.map((p) => p.runId)).toEqual([run!.id])
    await page.getByTestId('policies-table').getByText(policies[0]!.name).waitFor()

    const download = page.waitForEvent('download')
    await page.getByTestId('run-csv').click()
    const file = await (await download).path()
    const csv = fs.readFileSync(file, 'utf8').trim().split('\n')
    const header = csv[0]!.split(',')
    for (const k of ['update', 'env_steps', 'kl', 'entropy', 'explained_variance', 'reward_dense'])
      expect(header, k).toContain(k)
    // one row per update, none repeated by the resume
    const updates = csv.slice(1).map((l) => Number(l.split(',')[header.indexOf('update')]))
    expect(updates).toEqual(updates.map((_, i) => i + 1))
    fs.mkdirSync('test-results', { recursive: true })
    await page.screenshot({ path: 'test-results/training.png', fullPage: true })
  })
})
