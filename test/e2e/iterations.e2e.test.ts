import { afterAll, describe, expect, it } from 'vitest'
import fs from 'node:fs'
import type { Browser } from 'playwright-core'
import { apiCall, launchChromium, startServe, waitFor, type ServeHandle } from './harness'

/** The Iterations screen in Chromium: run the next iteration from the UI, read its dashboard, listen, trace lineage. */
describe('the Iterations screen', () => {
  let browser: Browser | null = null
  let server: ServeHandle | null = null
  afterAll(async () => {
    await browser?.close()
    await server?.stop()
    if (server) fs.rmSync(server.dataDir, { recursive: true, force: true })
  })

  const ok = async <T>(name: string, input: unknown): Promise<T> => {
    const r = await apiCall(server!.origin, name, input)
    expect(r.body.ok, JSON.stringify(r.body.error)).toBe(true)
    return r.body.value as T
  }

  it('shows every setting first, runs the iteration, then its metrics, charts, example A/B and lineage', async () => {
    server = await startServe({ demo: true })
    await waitFor(
      async () => {
        const s = await ok<{ status: string }[]>('songs.list', {})
        const jobs = await ok<{ state: string }[]>('jobs.list', {})
        return s.length >= 3 && s.every((x) => x.status === 'ready') && jobs.every((j) => j.state === 'done')
      },
      120_000,
      'the demo library'
    )

    browser = await launchChromium()
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } })
    await page.goto(`${server.url}#/iterations`)
    await page.waitForSelector('body[data-app-ready="true"]')
    await page.getByTestId('iterations-empty').waitFor()

    // With no verdicts yet the plan is refused, saying what to do.
    await page.getByTestId('run-next-iteration').click()
    await page.getByTestId('next-refused').waitFor()
    expect(await page.getByTestId('next-refused').textContent()).toMatch(/judge some pairs first/)

    // Once the simulated annotator has judged, the same panel shows the resolved settings.
    const judged = await ok<{ judged: number }>('judge.simulate', { count: 100 })
    await page.getByTestId('next-config').selectOption('tiny')
    await page.getByTestId('next-pairs').fill('5')
    await page.getByTestId('next-settings').waitFor()
    expect(await page.getByTestId('next-verdicts').textContent()).toMatch(
      new RegExp(`^${judged.judged} from simulated \\(simulated\\): ${judged.judged}$`)
    )
    expect(await page.getByTestId('next-pairs-by-role').textContent()).toBe(
      '5: 3 new vs previous, 1 disagreement-ranked, 1 sentinel'
    )
    expect(await page.getByTestId('next-policy').textContent()).toMatch(
      /^PPO from a fresh network, 2048 environment steps/
    )
    await page.getByTestId('next-start').click()

    // The dashboard of the running iteration, until it is done.
    const detail = page.locator('[data-testid="iteration-detail"][data-iteration="1"]')
    await detail.waitFor()
    const finished = await waitFor(
      async () => {
        const [i] = await ok<{ state: string | null; error: string | null }[]>('iterations.list', {})
        return i && i.state !== 'running' && i.state !== 'queued' ? i : null
      },
      180_000,
      'iteration 1'
    )
    expect(finished).toMatchObject({ state: 'done', error: null })
    await page.locator('[data-testid="iteration-state-1"]', { hasText: 'done' }).waitFor()
    await detail.getByTestId('detail-reward-metrics').waitFor()
    expect(await detail.getByTestId('detail-verdicts').textContent()).toMatch(
      new RegExp(`^${judged.judged} verdicts from simulated \\(simulated\\) ${judged.judged}`)
    )
    expect(await detail.getByTestId('detail-reward-metrics').textContent()).toMatch(/Accuracy \(decisive pairs\)/)
    expect(await detail.getByTestId('detail-policy-metrics').textContent()).toMatch(/KL to the reference.*Entropy/s)
    expect(await detail.getByTestId('detail-before-after').textContent()).toMatch(/before: rule.*after: ppo-run1/s)
    await page.getByTestId('chart-accuracy').locator('canvas').waitFor()
    await page.getByTestId('chart-rewards').locator('canvas').waitFor()

    // An example edit against the previous one, right there: load, play, switch to B.
    await detail.getByTestId('example-load-1').click()
    await detail.getByTestId('example-play-1').click({ timeout: 60_000 })
    await detail.getByTestId('example-side-b-1').click()
    expect(await detail.getByTestId('example-side-b-1').getAttribute('aria-pressed')).toBe('true')
    await detail.getByTestId('example-play-1').click()

    // Lineage both ways: a queued pair back to its policy, reward model and verdicts; a verdict forward.
    const it1 = await ok<{ pairs: { pairId: number; role: string }[]; policy: { name: string } }>('iterations.get', {
      iterationId: 1
    })
    expect(it1.pairs.length).toBeGreaterThanOrEqual(3)
    const versus = it1.pairs.find((p) => p.role === 'versus')!
    await detail.getByTestId(`pair-lineage-${versus.pairId}`).click()
    const lineage = await detail.getByTestId(`lineage-${versus.pairId}`).textContent()
    expect(lineage).toMatch(
      new RegExp(
        `generated by policy ${it1.policy.name} \\(run 1\\), trained with reward model v1 on ${judged.judged} verdicts`
      )
    )
    expect(lineage).toMatch(/in iteration 1/)
    expect(lineage).toMatch(/made by the rule generator/)
    await detail.getByTestId('trace-verdict-id').fill('1')
    await detail.getByTestId('trace-verdict').click()
    expect(await detail.getByTestId('traced-verdict').textContent()).toMatch(
      new RegExp(`verdict 1 trained v1; in iteration 1 \\(policy ${it1.policy.name}, pairs `)
    )
    fs.mkdirSync('test-results', { recursive: true })
    await page.screenshot({ path: 'test-results/iterations-view.png', fullPage: true })

    // A long iteration cancelled mid-training offers to resume at its stage; resuming runs it again.
    const long = await ok<{ id: number; jobId: number }>('iterations.start', { config: 'tiny', steps: 50_000_000 })
    await waitFor(
      async () => (await ok<{ stage: string }>('iterations.get', { iterationId: long.id })).stage === 'policy',
      120_000,
      'iteration 2 training its policy'
    )
    await ok('jobs.cancel', { jobId: long.jobId })
    const resume = page.getByTestId('resume-iteration-2')
    await resume.waitFor({ timeout: 30_000 })
    expect(await resume.textContent()).toBe('Resume at policy')
    await resume.click()
    await page.locator('[data-testid="iteration-state-2"]', { hasText: 'running: policy' }).waitFor()
    await ok('jobs.cancel', { jobId: long.jobId })
  }, 480_000)
})
