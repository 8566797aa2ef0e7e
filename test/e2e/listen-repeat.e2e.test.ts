import fs from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { apiCall, launchChromium, startServe, waitFor, type ServeHandle } from './harness'

const TOKEN = 'e2e-listen-repeat-token'
const player = '[data-testid="ab-player"]'
const screen = '[data-testid="ab-screen"]'

async function api<T>(server: ServeHandle, name: string, input: unknown): Promise<T> {
  const r = await apiCall(server.origin, name, input, TOKEN)
  if (!r.body.ok) throw new Error(`${name}: ${r.body.error?.message}`)
  return r.body.value as T
}

async function shownPairId(page: Page, notPair: number): Promise<number> {
  return waitFor(
    async () => {
      if ((await page.getAttribute(screen, 'data-phase')) !== 'listening') return null
      const id = Number((await page.getAttribute(player, 'data-pair-id')) ?? NaN)
      return Number.isFinite(id) && id !== notPair ? id : null
    },
    60_000,
    'a pair to listen to'
  )
}

describe('self-consistency repeats in Chromium', () => {
  let server: ServeHandle
  let browser: Browser

  beforeAll(async () => {
    server = await startServe({ token: TOKEN })
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
    await server?.stop()
    if (server) fs.rmSync(server.dataDir, { recursive: true, force: true })
  })

  it('a repeat pair is not marked as one until the verdict is given', async () => {
    // The demo library queues pairs once its songs are analysed.
    await waitFor(
      async () => ((await api<unknown[]>(server, 'pairs.list', { status: 'queued' })).length >= 3 ? true : null),
      120_000,
      'the demo pairs'
    )
    // Every presentation is a repeat once an earlier judged pair qualifies; no listening needed here.
    await api(server, 'settings.update', { mustListenS: 0, repeatEvery: 1 })

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    await page.goto(`${server.url}#/listen`)
    await page.waitForSelector('body[data-app-ready="true"]', { timeout: 60_000 })
    await page.getByTestId('annotator-name').fill('repeat listener')
    await page.getByTestId('annotator-create').click()
    await page.getByTestId('instructions-start').click()

    let previous = -1
    let repeatsSeen = 0
    for (let i = 0; i < 4 && repeatsSeen === 0; i++) {
      const pairId = await shownPairId(page, previous)
      const pair = (await api<{ id: number; repeatOfPairId: number | null }[]>(server, 'pairs.list', {})).find(
        (p) => p.id === pairId
      )
      expect(pair).toBeDefined()
      // Before the verdict nothing on screen says whether this is the consistency check.
      expect(await page.getByTestId('repeat-label').count()).toBe(0)
      await page.keyboard.press('2')
      await page.waitForSelector(`${screen}[data-phase="revealed"]`, { timeout: 20_000 })
      if (pair?.repeatOfPairId != null) {
        await expect.poll(() => page.getByTestId('repeat-label').count()).toBe(1)
        repeatsSeen++
      } else expect(await page.getByTestId('repeat-label').count()).toBe(0)
      previous = pairId
      await page.keyboard.press('Enter')
    }
    expect(repeatsSeen).toBe(1)
  })
})
