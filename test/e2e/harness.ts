import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { chromium, type Browser } from 'playwright-core'
import { expect } from 'vitest'

export interface ServeHandle {
  /** The URL `serve` prints, with its token. */
  url: string
  origin: string
  token: string
  port: number
  dataDir: string
  process: ChildProcess
  /** Everything the server printed on stderr (for failure messages). */
  stderr(): string
  stop(): Promise<void>
}

/**
 * Starts `editorbot serve` on a free port with its own data directory and resolves once the server
 * prints its ready line (never a fixed sleep).
 */
export async function startServe(
  opts: {
    dataDir?: string
    host?: string
    token?: string
    demo?: boolean
    timeoutMs?: number
    /** Lets jobs.start reach test-only job kinds (demo.count) on this server; never set outside tests. */
    testJobKinds?: boolean
  } = {}
): Promise<ServeHandle> {
  const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'editorbot-e2e-'))
  const args = ['bin/editorbot.mjs', 'serve', '--port', '0', '--data-dir', dataDir, '--json']
  if (opts.host) args.push('--host', opts.host)
  if (opts.token) args.push('--token', opts.token)
  if (opts.demo === false) args.push('--no-demo')
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, EDITORBOT_TOKEN: '', EDITORBOT_TEST_JOB_KINDS: opts.testJobKinds ? '1' : '' }
  })
  let stderr = ''
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  const ready = await new Promise<{ url: string; port: number }>((resolve, reject) => {
    let buffer = ''
    const timer = setTimeout(
      () => reject(new Error(`serve did not start in time; stderr:\n${stderr}`)),
      opts.timeoutMs ?? 60_000
    )
    child.stdout.on('data', (d: Buffer) => {
      buffer += d.toString()
      for (const line of buffer.split('\n')) {
        if (!line.startsWith('{')) continue
        try {
          const msg = JSON.parse(line) as { event?: string; url: string; port: number }
          if (msg.event === 'ready') {
            clearTimeout(timer)
            resolve(msg)
          }
        } catch {
          // a partial line: wait for the rest
        }
      }
    })
    child.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`serve exited with code ${code}; stderr:\n${stderr}`))
    })
  })
  const origin = `http://127.0.0.1:${ready.port}`
  const token = new URL(ready.url).searchParams.get('token') ?? ''
  serverTokens.set(origin, token)
  return {
    url: ready.url,
    origin,
    token,
    port: ready.port,
    dataDir,
    process: child,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
      await exited
      clearTimeout(timer)
    }
  }
}

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--autoplay-policy=no-user-gesture-required'
    ]
  })
}

/** Tokens of the servers startServe started, so API calls from tests authenticate like the UI does. */
const serverTokens = new Map<string, string>()

/**
 * Posts one API request to a serve-mode server and returns the parsed Result body and HTTP status. Sends
 * the token of the server at `origin` unless another is given; `null` sends none.
 */
export async function apiCall(
  origin: string,
  name: string,
  input: unknown,
  tokenOrNone?: string | null
): Promise<{
  status: number
  body: { ok: boolean; value?: unknown; error?: { kind: string; message: string; field?: string } }
}> {
  const token = tokenOrNone === undefined ? serverTokens.get(origin) : tokenOrNone
  const res = await fetch(`${origin}/api/${name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(input)
  })
  return { status: res.status, body: (await res.json()) as never }
}

/** Polls until `check` returns a value (or times out) — for waiting on background jobs through the API. */
export async function waitFor<T>(
  check: () => Promise<T | null | undefined | false>,
  timeoutMs = 60_000,
  what = 'condition'
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const v = await check()
    if (v) return v
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

/** One API call that must succeed (the test fails with the error otherwise); returns its value. */
export async function apiOk<T>(origin: string, name: string, input: unknown): Promise<T> {
  const r = await apiCall(origin, name, input)
  expect(r.body.ok, `${name}: ${JSON.stringify(r.body.error)}`).toBe(true)
  return r.body.value as T
}

/** Waits until serve mode's demo library is analysed (3 songs or more) and every job is done. */
export async function waitForDemoLibrary(origin: string): Promise<void> {
  await waitFor(
    async () => {
      const s = await apiOk<{ status: string }[]>(origin, 'songs.list', {})
      const jobs = await apiOk<{ state: string }[]>(origin, 'jobs.list', {})
      return s.length >= 3 && s.every((x) => x.status === 'ready') && jobs.every((j) => j.state === 'done')
    },
    120_000,
    'the demo library'
  )
}

/** A suite's afterAll: closes the browser, stops the server and removes its data directory. */
export async function closeAll(
  browser: Browser | null | undefined,
  server: ServeHandle | null | undefined
): Promise<void> {
  await browser?.close()
  await server?.stop()
  if (server) fs.rmSync(server.dataDir, { recursive: true, force: true })
}
