import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { apiCall, closeAll, launchChromium, startServe, waitFor, type ServeHandle } from './harness'
import { BPM } from './listen-song'
import { PLAYER, hear, importSongThroughUi, playerAttr } from './listen-page'

interface Shown {
  pairId: number
  a: number
  b: number
}

/** Serve mode with a token: the page gets it from its URL, the test passes it on every API call. */
const TOKEN = 'e2e-listen-token'

/** Waits for the listening phase on a pair other than `notPair`; returns the pair and its shown sides. */
async function waitListening(page: Page, notPair = -1): Promise<Shown> {
  await waitFor(
    async () =>
      (await page.getAttribute('[data-testid="ab-screen"]', 'data-phase')) === 'listening' &&
      (await page.locator(PLAYER).count()) === 1 &&
      Number(await playerAttr(page, 'data-pair-id')) !== notPair,
    60_000,
    'a pair to listen to'
  )
  return {
    pairId: Number(await playerAttr(page, 'data-pair-id')),
    a: Number(await playerAttr(page, 'data-shown-a')),
    b: Number(await playerAttr(page, 'data-shown-b'))
  }
}

/**
 * Runs in the page (as source text: the test's TypeScript world has no DOM): reads the source
 * position, presses B, and reads it again two frames later.
 */
const SWITCH_PROBE = `(async () => {
  const el = document.querySelector('[data-testid="ab-player"]')
  const before = Number(el.dataset.sourcePos)
  window.dispatchEvent(new KeyboardEvent('keydown', { key: 'b', bubbles: true }))
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))
  return { before, after: Number(el.dataset.sourcePos), side: el.dataset.side, playing: el.dataset.playing }
})()`

async function waitRevealed(page: Page): Promise<void> {
  await page.waitForSelector('[data-testid="ab-screen"][data-phase="revealed"]', { timeout: 20_000 })
}

describe('A/B listening screen in Chromium against serve mode', () => {
  let server: ServeHandle
  let browser: Browser

  beforeAll(async () => {
    server = await startServe({ demo: false, token: TOKEN })
    browser = await launchChromium()
  })
  afterAll(() => closeAll(browser, server))

  it('imports a song, generates edits, switches A/B at the same source position, judges three pairs and undoes one', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    await page.goto(`${server.url}#/library`)
    await page.waitForSelector('body[data-app-ready="true"]', { timeout: 60_000 })

    const song = await importSongThroughUi(page, server, 'e2e-groove.wav')
    await page
      .locator(`[data-testid="song-row"][data-song-id="${song.id}"][data-status="ready"]`)
      .waitFor({ timeout: 30_000 })
    // The upload was copied into songs/; the staged copy is gone.
    const uploads = path.join(server.dataDir, 'uploads')
    expect(fs.existsSync(uploads) ? fs.readdirSync(uploads) : []).toEqual([])

    // Generate two edits in the Edits view and queue them as a pair from the UI.
    await page.getByTestId('nav-edits').click()
    await page.getByTestId('gen-generator').selectOption('rule')
    await page.getByTestId('gen-target').fill('14')
    await page.getByTestId('gen-seed').fill('1')
    await page.getByTestId('gen-submit').click()
    await page.locator('[data-testid="edit-row"]').first().waitFor()
    await page.getByTestId('gen-generator').selectOption('random')
    await page.getByTestId('gen-target').fill('')
    await page.getByTestId('gen-seed').fill('2')
    await page.getByTestId('gen-submit').click()
    await expect.poll(() => page.locator('[data-testid="edit-row"]').count(), { timeout: 20_000 }).toBe(2)
    // One table per generator, and their columns line up.
    const columnLefts = await page.evaluate(`[...document.querySelectorAll('[data-testid="edit-group"] table')]
      .map((t) => [...t.querySelectorAll('th')].map((th) => Math.round(th.getBoundingClientRect().left)))`)
    expect((columnLefts as number[][]).length).toBe(2)
    expect((columnLefts as number[][])[1]).toEqual((columnLefts as number[][])[0])
    // A row whose play button says "Rendering…" moves no column of any table.
    const whileRendering = await page.evaluate(`(() => {
      document.querySelector('[data-testid^="play-edit-"]').textContent = 'Rendering…'
      return [...document.querySelectorAll('[data-testid="edit-group"] table')]
        .map((t) => [...t.querySelectorAll('th')].map((th) => Math.round(th.getBoundingClientRect().left)))
    })()`)
    expect(whileRendering).toEqual(columnLefts)
    const editIds: number[] = []
    for (const row of await page.locator('[data-testid="edit-row"]').all())
      editIds.push(Number(await row.getAttribute('data-edit-id')))
    for (const id of editIds) await page.getByTestId(`choose-edit-${id}`).check()
    await page.getByTestId('queue-pair').click()
    // Both boxes are unticked at once, so a second click cannot queue the same pair again.
    for (const id of editIds) await expect.poll(() => page.getByTestId(`choose-edit-${id}`).isChecked()).toBe(false)
    expect(await page.getByTestId('queue-pair').isDisabled()).toBe(true)
    await waitFor(
      async () =>
        ((await apiCall(server.origin, 'pairs.list', { status: 'queued' }, TOKEN)).body.value as unknown[]).length ===
        1,
      10_000,
      'the pair'
    )

    // Two more pairs against the unedited song, so there are three to judge.
    const identity = (await apiCall(server.origin, 'edits.generate', { songId: song.id, generator: 'identity' }, TOKEN))
      .body.value as { id: number }
    for (const id of editIds)
      expect((await apiCall(server.origin, 'pairs.create', { editAId: identity.id, editBId: id }, TOKEN)).body.ok).toBe(
        true
      )
    const pairs = (await apiCall(server.origin, 'pairs.list', {}, TOKEN)).body.value as {
      id: number
      editAId: number
      editBId: number
    }[]
    expect(pairs).toHaveLength(3)
    // Short must-listen so the test listens for real but briefly; no self-consistency repeats here.
    expect((await apiCall(server.origin, 'settings.update', { mustListenS: 0.3, repeatEvery: 0 }, TOKEN)).body.ok).toBe(
      true
    )

    // Choose an annotator and open the A/B screen.
    await page.reload()
    await page.waitForSelector('body[data-app-ready="true"]')
    await page.getByTestId('nav-listen').click()
    await page.getByTestId('annotator-name').fill('e2e listener')
    await page.getByTestId('annotator-create').click()
    // The session opens on the project's instructions page.
    await page.getByTestId('instructions-start').click()

    // ---- pair 1: play A, switch to B, the source position is kept ----
    const first = await waitListening(page)
    await page.keyboard.press('Space')
    await hear(page, 'a', 1200)
    // A verdict before B was heard is refused with a visible reason.
    await page.keyboard.press('2')
    await expect.poll(async () => page.getByTestId('must-listen-reason').textContent()).toContain('B 0.0 of 0.3 s')
    expect(await page.getAttribute('[data-testid="ab-screen"]', 'data-phase')).toBe('listening')

    const sw = await page.evaluate<{ before: number; after: number; side: string; playing: string }>(SWITCH_PROBE)
    expect(sw.side).toBe('b')
    expect(sw.playing).toBe('true')
    expect(Math.abs(sw.after - sw.before)).toBeLessThan(60 / (song.tempoBpm ?? BPM))
    await page.keyboard.press('m')
    await hear(page, 'b', 600)
    fs.mkdirSync('test-results', { recursive: true })
    await page.screenshot({ path: 'test-results/ab-screen.png' })
    await page.keyboard.press('2') // A better
    await waitRevealed(page)
    await page.keyboard.press('Enter')

    // ---- pair 2: Tab switches ----
    const second = await waitListening(page, first.pairId)
    await page.keyboard.press('Space')
    await hear(page, 'a', 400)
    await page.keyboard.press('Tab')
    await expect.poll(() => playerAttr(page, 'data-side')).toBe('b')
    await hear(page, 'b', 400)
    await page.keyboard.press('5') // B much better
    await waitRevealed(page)
    await page.keyboard.press('Enter')

    // ---- pair 3: judged, then undone ----
    const third = await waitListening(page, second.pairId)
    await page.keyboard.press('Space')
    await hear(page, 'a', 400)
    await page.keyboard.press('b')
    await hear(page, 'b', 400)
    await page.keyboard.press('3') // tie
    await waitRevealed(page)
    await page.keyboard.press('z')
    // Undo brings the same pair back to listening.
    await waitListening(page)
    expect(Number(await playerAttr(page, 'data-pair-id'))).toBe(third.pairId)
    expect(errors).toEqual([])
    await page.close()

    // ---- the rows in SQLite ----
    const db = new Database(path.join(server.dataDir, 'editorbot.sqlite'), { readonly: true })
    try {
      const rows = db.prepare('SELECT * FROM verdicts ORDER BY id').all() as {
        pair_id: number
        verdict: string
        strength: number | null
        shown_a_edit_id: number
        shown_b_edit_id: number
        chosen_edit_id: number | null
        rejected_edit_id: number | null
        listened_a_ms: number
        listened_b_ms: number
        switches: number
        marks: string
        superseded_at: string | null
      }[]
      expect(rows).toHaveLength(3)
      const shown = [first, second, third]
      rows.forEach((r, i) => {
        const s = shown[i] as Shown
        expect(r.pair_id).toBe(s.pairId)
        expect(r.shown_a_edit_id).toBe(s.a)
        expect(r.shown_b_edit_id).toBe(s.b)
        const pair = pairs.find((p) => p.id === s.pairId)!
        expect([r.shown_a_edit_id, r.shown_b_edit_id].sort()).toEqual([pair.editAId, pair.editBId].sort())
        expect(r.listened_a_ms).toBeGreaterThan(0)
        expect(r.listened_b_ms).toBeGreaterThan(0)
        expect(r.switches).toBeGreaterThanOrEqual(1)
      })
      expect(rows[0]).toMatchObject({
        verdict: 'a',
        strength: 1,
        chosen_edit_id: first.a,
        rejected_edit_id: first.b,
        superseded_at: null
      })
      expect(JSON.parse(rows[0]!.marks)).toEqual([{ side: 'b', atS: expect.any(Number) as number }])
      expect(rows[1]).toMatchObject({
        verdict: 'b',
        strength: 2,
        chosen_edit_id: second.b,
        rejected_edit_id: second.a,
        superseded_at: null
      })
      expect(rows[2]).toMatchObject({ verdict: 'tie', chosen_edit_id: null })
      expect(rows[2]!.superseded_at).not.toBeNull()
      const status = db.prepare('SELECT id, status FROM pairs ORDER BY id').all() as { id: number; status: string }[]
      expect(status.find((p) => p.id === third.pairId)?.status).toBe('queued')
      expect(
        status
          .filter((p) => p.status === 'judged')
          .map((p) => p.id)
          .sort()
      ).toEqual([first.pairId, second.pairId].sort())
    } finally {
      db.close()
    }
  })
})
