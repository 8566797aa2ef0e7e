import { afterAll, describe, expect, it } from 'vitest'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Browser } from 'playwright-core'
import { apiCall, launchChromium, startServe, waitFor, type ServeHandle } from './harness'
import { rewardOnnxBytes } from '../../src/main/engines/ml/onnx-export'
import { V8_REWARD_CONFIG, initRewardWeights } from '../../src/main/engines/ml/reward-model'
import { REWARD_TRAIN_PRESETS } from '../../src/main/engines/ml/reward-training'

/** The Models screen in Chromium: import by picker and by drop, train with live charts, cancel, resume, compare, activate. */
describe('the Models screen', () => {
  let browser: Browser | null = null
  let server: ServeHandle | null = null
  const inbox = fs.mkdtempSync(path.join(os.tmpdir(), 'editorbot-models-e2e-'))
  afterAll(async () => {
    await browser?.close()
    await server?.stop()
    if (server) fs.rmSync(server.dataDir, { recursive: true, force: true })
    fs.rmSync(inbox, { recursive: true, force: true })
  })

  const ok = async <T>(name: string, input: unknown): Promise<T> => {
    const r = await apiCall(server!.origin, name, input)
    expect(r.body.ok, JSON.stringify(r.body.error)).toBe(true)
    return r.body.value as T
  }

  it('imports, trains the next version live, cancels and resumes it, compares and activates', async () => {
    server = await startServe({ demo: true })
    // The demo library: wait for its songs, queue more pairs, let the simulated annotator judge them.
    const songs = await waitFor(
      async () => {
        const s = await ok<{ id: number; status: string }[]>('songs.list', {})
        return s.length >= 3 && s.every((x) => x.status === 'ready') ? s : null
      },
      120_000,
      'the demo library'
    )
    await waitFor(
      async () => {
        const jobs = await ok<{ kind: string; state: string }[]>('jobs.list', {})
        return jobs.every((j) => j.state !== 'running' && j.state !== 'queued')
      },
      120_000,
      'the demo library job'
    )
    for (const s of songs) await ok('pairs.queue', { songId: s.id, count: 14 })
    const judged = await ok<{ judged: number }>('judge.simulate', { count: 200, seed: 5 })
    expect(judged.judged).toBeGreaterThan(30)

    // Models exported by the app (its own architecture: warm start possible): the default size as
    // v8, so training from it takes long enough to cancel, and a tiny one to drop.
    const file = path.join(inbox, 'users-v8.onnx')
    fs.writeFileSync(file, rewardOnnxBytes(V8_REWARD_CONFIG, initRewardWeights(V8_REWARD_CONFIG, 8)))
    const tiny = REWARD_TRAIN_PRESETS.tiny.model
    const tinyFile = path.join(inbox, 'tiny.onnx')
    fs.writeFileSync(tinyFile, rewardOnnxBytes(tiny, initRewardWeights(tiny, 9)))

    browser = await launchChromium()
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    await page.goto(`${server.url}#/models`)
    await page.waitForSelector('body[data-app-ready="true"]')
    await page.getByTestId('models-empty').waitFor()

    // Import by the file picker, named v8: it becomes the active version.
    await page.getByTestId('import-model-name').fill('v8')
    await page.getByTestId('import-model-input').setInputFiles(file)
    const v8 = page.locator('[data-testid="model-row"][data-model="v8"]')
    await v8.waitFor()
    expect(await v8.getAttribute('data-active')).toBe('true')

    // Import by drag and drop onto the screen.
    const bytes = fs.readFileSync(tinyFile).toString('base64')
    const transfer = await page.evaluateHandle((b64) => {
      const raw = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))
      const dt = new DataTransfer()
      dt.items.add(new File([raw], 'dropped.onnx', { type: 'application/octet-stream' }))
      return dt
    }, bytes)
    await page.getByTestId('model-dropzone').dispatchEvent('drop', { dataTransfer: transfer })
    await page.locator('[data-testid="model-row"][data-model="dropped"]').waitFor()

    // Train the next version from v8 (warm start: its default size), watch the live loss chart, cancel.
    await page.getByTestId('train-parent').selectOption('v8')
    await page.getByTestId('train-epochs').fill('3')
    await page.getByTestId('train-include-simulated').check()
    await page.getByTestId('train-start').click()
    await page.getByTestId('loss-chart').waitFor({ timeout: 120_000 })
    await page.getByTestId('train-cancel').click()
    await page.locator('[data-testid="train-status"][data-state="cancelled"]').waitFor({ timeout: 30_000 })

    // Resume from the last checkpoint: the run finishes and v9 appears in the list.
    await page.getByTestId('train-resume').click()
    await page.locator('[data-testid="train-status"][data-state="done"]').waitFor({ timeout: 240_000 })
    await page.getByTestId('train-result').waitFor()
    expect(await page.getByTestId('train-result').textContent()).toMatch(/^v9 from \d+ verdicts/)
    const v9 = page.locator('[data-testid="model-row"][data-model="v9"]')
    await v9.waitFor()
    expect(await v9.textContent()).toMatch(/trained from v8/)

    // Compare v9 with v8 on the same held-out pairs: table and calibration plot.
    await page.getByTestId('compare-a').selectOption('v9')
    await page.getByTestId('compare-b').selectOption('v8')
    await page.getByTestId('compare-button').click()
    await page.getByTestId('compare-table').waitFor()
    expect(await page.getByTestId('compare-table').textContent()).toMatch(/Accuracy \(decisive pairs\)/)
    await page.getByTestId('calibration-chart').locator('canvas').waitFor()

    // Roll back: activate v8 again.
    await page.getByTestId('activate-v8').click()
    await waitFor(async () => (await v8.getAttribute('data-active')) === 'true', 10_000, 'v8 active again')
    const list = await ok<{ name: string; active: boolean }[]>('rewardModels.list', {})
    expect(list.filter((v) => v.active).map((v) => v.name)).toEqual(['v8'])
    fs.mkdirSync('test-results', { recursive: true })
    await page.screenshot({ path: 'test-results/models-view.png', fullPage: true })
  }, 480_000)
})
