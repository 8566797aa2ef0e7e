import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import Database from 'better-sqlite3'
import path from 'node:path'
import fs from 'node:fs'
import WebSocket from 'ws'
import type { Browser } from 'playwright-core'
import { apiCall, launchChromium, startServe, waitFor, type ServeHandle } from './harness'

describe('serve mode and the UI (foundation)', () => {
  let server: ServeHandle
  let browser: Browser

  beforeAll(async () => {
    server = await startServe()
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
    await server?.stop()
    if (server) fs.rmSync(server.dataDir, { recursive: true, force: true })
  })

  it('opens the UI in Chromium and shows the demo library', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    await page.goto(server.url)
    await page.waitForSelector('body[data-app-ready="true"]', { timeout: 60_000 })
    await page
      .getByRole('button', { name: /library/i })
      .first()
      .click()
    await page.getByText('Demo - Steady 100').first().waitFor({ state: 'visible', timeout: 60_000 })
    // The demo library finishes analysing in the background: every demo song reaches "ready".
    await waitFor(
      async () => {
        const r = await apiCall(server.origin, 'songs.list', {})
        const songs = r.body.value as { status: string }[]
        return songs.length === 3 && songs.every((s) => s.status === 'ready')
      },
      120_000,
      'the demo songs to be analysed'
    )
    const pairs = await apiCall(server.origin, 'pairs.list', { status: 'queued' })
    expect((pairs.body.value as unknown[]).length).toBeGreaterThan(0)
    fs.mkdirSync('test-results', { recursive: true })
    await page.screenshot({ path: 'test-results/library.png' })
    expect(errors).toEqual([])
    await page.close()
  })

  it('keeps the token from the printed URL across a navigation that drops it; without it the API refuses', async () => {
    const page = await browser.newPage()
    await page.goto(server.url)
    await page.waitForSelector('body[data-app-ready="true"]', { timeout: 60_000 })
    await page.goto(`${server.origin}/#/library`)
    await page.waitForSelector('body[data-app-ready="true"]', { timeout: 60_000 })
    await page.getByText('Demo - Steady 100').first().waitFor({ state: 'visible', timeout: 60_000 })
    // The page's own requests carry the token; the same request from that page without it is refused.
    const statuses = await page.evaluate(async () => {
      const plain = await fetch('/api/songs.list', { method: 'POST', headers: { 'content-type': 'application/json' } })
      return plain.status
    })
    expect(statuses).toBe(401)
    await page.close()
  })

  it('round-trips a request through serve mode into SQLite and back', async () => {
    const created = await apiCall(server.origin, 'annotators.create', { name: 'round-trip' })
    expect(created.status).toBe(200)
    const id = (created.body.value as { id: number }).id
    const db = new Database(path.join(server.dataDir, 'editorbot.sqlite'), { readonly: true })
    expect(db.prepare('SELECT name FROM annotators WHERE id = ?').get(id)).toEqual({ name: 'round-trip' })
    db.close()
    const listed = await apiCall(server.origin, 'annotators.list', {})
    expect((listed.body.value as { name: string }[]).map((a) => a.name)).toContain('round-trip')
  })

  it('rejects malformed input with an error naming the field', async () => {
    const r = await apiCall(server.origin, 'pairs.queue', { songId: 'seven', count: 2 })
    expect(r.status).toBe(400)
    expect(r.body.ok).toBe(false)
    expect(r.body.error?.field).toBe('songId')
    expect(r.body.error?.message).toContain('songId')
    const notJson = await fetch(`${server.origin}/api/songs.list`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${server.token}` },
      body: '{oops'
    })
    expect(notJson.status).toBe(400)
  })

  it('refuses files outside the data directory and streams ranges of files inside it', async () => {
    const outside = await fetch(`${server.origin}/files/..%2f..%2f..%2fetc%2fpasswd?token=${server.token}`)
    expect(outside.status).toBe(403)
    const body = (await outside.json()) as { error: { kind: string } }
    expect(body.error.kind).toBe('forbidden')
    const songs = (await apiCall(server.origin, 'songs.list', {})).body.value as { audioPath: string }[]
    const audioPath = songs[0]?.audioPath as string
    const ranged = await fetch(`${server.origin}/files/${audioPath}`, {
      headers: { range: 'bytes=0-11', authorization: `Bearer ${server.token}` }
    })
    expect(ranged.status).toBe(206)
    expect(ranged.headers.get('content-range')).toMatch(/^bytes 0-11\//)
    expect(
      Buffer.from(await ranged.arrayBuffer())
        .subarray(0, 4)
        .toString()
    ).toBe('RIFF')
  })
})

describe('serve mode bound beyond loopback', () => {
  let server: ServeHandle
  beforeAll(async () => {
    server = await startServe({ host: '0.0.0.0', demo: false })
  })
  afterAll(async () => {
    await server?.stop()
    if (server) fs.rmSync(server.dataDir, { recursive: true, force: true })
  })

  it('prints a token and refuses requests and sockets without it', async () => {
    const token = new URL(server.url).searchParams.get('token')
    expect(token).toBeTruthy()
    const without = await apiCall(server.origin, 'songs.list', {}, null)
    expect(without.status).toBe(401)
    expect(without.body.error?.kind).toBe('forbidden')
    const wrong = await apiCall(server.origin, 'songs.list', {}, 'not-the-token')
    expect(wrong.status).toBe(401)
    const withToken = await apiCall(server.origin, 'songs.list', {}, token as string)
    expect(withToken.status).toBe(200)
    expect(withToken.body).toEqual({ ok: true, value: [] })

    const refused = await new Promise<boolean>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/events`)
      ws.on('open', () => resolve(false))
      ws.on('error', () => resolve(true))
    })
    expect(refused).toBe(true)
    const accepted = await new Promise<boolean>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/events?token=${token}`)
      ws.on('open', () => {
        ws.close()
        resolve(true)
      })
      ws.on('error', () => resolve(false))
    })
    expect(accepted).toBe(true)
  })
})
