import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import fs from 'node:fs'
import path from 'node:path'
import WebSocket from 'ws'
import { createAppContext, type AppContext } from '../../src/main/app/context'
import { startServer, type RunningServer } from '../../src/main/transports/http/serve'
import * as songsQ from '../../src/main/db/queries/songs'
import { tempDataDir } from '../helpers/temp'
import { writeDemoWav } from '../helpers/songs'
import { rawRequest as request, type Reply } from '../helpers/http'

describe('serve mode: safety and confinement', () => {
  let ctx: AppContext
  let server: RunningServer
  let dataDir: string
  let outside: string
  const cleanups: (() => void)[] = []
  const auth = (): Record<string, string> => ({ authorization: `Bearer ${server.token}` })
  const api = (name: string, input: unknown, headers: Record<string, string> = {}): Promise<Reply> =>
    request(server.port, {
      method: 'POST',
      path: `/api/${name}`,
      headers: { 'content-type': 'application/json', ...auth(), ...headers },
      body: JSON.stringify(input)
    })
  const upload = (name: string, body: Buffer, headers: Record<string, string> = {}): Promise<Reply> =>
    request(server.port, {
      method: 'POST',
      path: '/upload',
      headers: { 'x-file-name': encodeURIComponent(name), ...auth(), ...headers },
      body
    })

  beforeAll(async () => {
    const data = tempDataDir()
    const elsewhere = tempDataDir('editorbot-outside-')
    const web = tempDataDir('editorbot-web-')
    cleanups.push(data.cleanup, elsewhere.cleanup, web.cleanup)
    dataDir = data.dir
    outside = elsewhere.dir
    fs.writeFileSync(path.join(web.dir, 'index.html'), '<!doctype html><title>EditorBot</title>')
    fs.writeFileSync(path.join(outside, 'secret.txt'), 'outside the data directory')
    ctx = createAppContext({ dataDir })
    server = await startServer(ctx, { host: '127.0.0.1', port: 0, webRoot: web.dir })
  })
  afterAll(async () => {
    await server?.close()
    await ctx?.close()
    for (const c of cleanups) c()
  })

  it('puts a generated token in the URL even on loopback and requires it for the API, files, uploads and events', async () => {
    expect(server.token.length).toBeGreaterThanOrEqual(20)
    expect(new URL(server.url).searchParams.get('token')).toBe(server.token)
    expect((await api('songs.list', {}, { authorization: '' })).status).toBe(401)
    expect((await api('songs.list', {}, { authorization: 'Bearer wrong' })).status).toBe(401)
    expect((await api('songs.list', {})).json()).toEqual({ ok: true, value: [] })
    const viaQuery = await request(server.port, {
      method: 'POST',
      path: `/api/songs.list?token=${server.token}`,
      headers: { 'content-type': 'application/json' }
    })
    expect(viaQuery.status).toBe(200)
    expect((await request(server.port, { path: '/files/renders/x.wav' })).status).toBe(401)
    expect((await upload('a.wav', Buffer.from('x'), { authorization: '' })).status).toBe(401)
    // The page itself loads without the token (it reads the token from its own URL).
    expect((await request(server.port, { path: '/' })).status).toBe(200)
  })

  it('refuses foreign Host names (DNS rebinding) on every path, and accepts the loopback names', async () => {
    for (const host of [
      'evil.example',
      'evil.example:80',
      `attacker.test:${server.port}`,
      '127.0.0.1.evil.example',
      ''
    ])
      for (const p of ['/', '/files/editorbot.sqlite', '/api/songs.list']) {
        const r = await request(server.port, { path: p, headers: { host, ...auth() } })
        expect(r.status, `${host} ${p}`).toBe(403)
      }
    for (const host of [`localhost:${server.port}`, `[::1]:${server.port}`, `127.0.0.1:${server.port}`, 'LOCALHOST'])
      expect((await api('songs.list', {}, { host })).status, host).toBe(200)
  })

  it('needs application/json on /api (simple cross-site requests fail) and answers preflights without CORS', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', ''])
      expect((await api('annotators.create', { name: 'csrf' }, { 'content-type': type })).status, type).toBe(415)
    const form = await api('annotators.create', {}, { 'content-type': 'application/x-www-form-urlencoded' })
    expect(form.json().error?.field).toBe('content-type')
    expect((await api('annotators.list', {})).json().value).toEqual([])
    expect((await api('songs.list', {}, { 'content-type': 'Application/JSON; charset=utf-8' })).status).toBe(200)

    const preflight = await request(server.port, {
      method: 'OPTIONS',
      path: '/api/songs.import',
      headers: {
        origin: 'https://evil.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type'
      }
    })
    expect(preflight.status).toBeGreaterThanOrEqual(400)
    expect(Object.keys(preflight.headers).filter((h) => h.startsWith('access-control-'))).toEqual([])
  })

  it('refuses other origins on /api, /upload and the event socket, and accepts its own', async () => {
    const evil = { origin: 'https://evil.example' }
    expect((await api('songs.list', {}, evil)).status).toBe(403)
    expect((await api('songs.list', {}, { origin: 'null' })).status).toBe(403)
    expect((await api('songs.list', {}, { origin: `http://localhost:${server.port + 1}` })).status).toBe(403)
    expect((await api('songs.list', {}, { 'sec-fetch-site': 'cross-site' })).status).toBe(403)
    expect((await upload('a.wav', Buffer.from('RIFF'), evil)).status).toBe(403)
    expect((await api('songs.list', {}, { origin: `http://127.0.0.1:${server.port}` })).status).toBe(200)

    const opens = (url: string, origin?: string): Promise<number> =>
      new Promise((resolve) => {
        const ws = new WebSocket(url, origin ? { origin } : {})
        ws.on('open', () => {
          ws.close()
          resolve(101)
        })
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0))
        ws.on('error', () => resolve(0))
      })
    const base = `ws://127.0.0.1:${server.port}/events`
    expect(await opens(base)).toBe(401)
    expect(await opens(`${base}?token=${server.token}`, 'https://evil.example')).toBe(403)
    expect(await opens(`${base}?token=${server.token}`, `http://127.0.0.1:${server.port}`)).toBe(101)
  })

  it('imports exactly the staged uploads: never uploads/, ".", the data directory, a folder or another spelling', async () => {
    const wav = fs.readFileSync(writeDemoWav(outside, 'groove.wav', { bars: 8 }))
    // Something a person put in uploads/ by hand: no clean-up may touch it.
    fs.mkdirSync(path.join(dataDir, 'uploads'), { recursive: true })
    fs.writeFileSync(path.join(dataDir, 'uploads', 'keep.txt'), 'mine')
    fs.symlinkSync(path.join(outside, 'groove.wav'), path.join(dataDir, 'uploads', 'link.wav'))
    const staged = await upload('groove.wav', wav)
    expect(staged.status).toBe(200)
    const { id, path: stagedPath } = staged.json().value as { id: string; path: string }
    expect(stagedPath).toBe(path.join('uploads', id, 'groove.wav'))

    const attempts = [
      'uploads',
      'uploads/',
      '.',
      './',
      dataDir,
      `${dataDir}/`,
      path.join(dataDir, stagedPath),
      `uploads/${id}`,
      `uploads/${id}/`,
      `./${stagedPath}`,
      `${stagedPath}/`,
      `${stagedPath}/..`,
      `uploads/${id}/../${id}/groove.wav`,
      `uploads//${id}/groove.wav`,
      `uploads/${id}/groove.wav=`,
      `uploads%2F${id}%2Fgroove.wav`,
      'uploads/link.wav',
      'uploads/keep.txt',
      'songs',
      'editorbot.sqlite',
      path.join(outside, 'groove.wav')
    ]
    for (const attempt of attempts) {
      const r = await api('songs.import', { paths: [attempt] })
      expect(r.status, attempt).toBe(403)
      expect(r.json().error?.kind, attempt).toBe('forbidden')
    }
    // One bad path refuses the whole request: the good one is still staged and nothing was imported.
    expect((await api('songs.import', { paths: [stagedPath, 'uploads'] })).status).toBe(403)
    expect(songsQ.listSongs(ctx.db)).toEqual([])
    expect(fs.existsSync(path.join(dataDir, 'editorbot.sqlite'))).toBe(true)

    const imported = await api('songs.import', { paths: [stagedPath] })
    expect(imported.status).toBe(200)
    const value = imported.json().value as { reports: { path: string; outcome: string }[]; jobId: number }
    expect(value.reports).toMatchObject([{ path: stagedPath, outcome: 'stored' }])
    await ctx.jobs.wait(value.jobId)
    // The clean-up removed the upload's own folder and nothing else.
    expect(fs.existsSync(path.join(dataDir, 'uploads', id))).toBe(false)
    expect(fs.readFileSync(path.join(dataDir, 'uploads', 'keep.txt'), 'utf8')).toBe('mine')
    expect(fs.lstatSync(path.join(dataDir, 'uploads', 'link.wav')).isSymbolicLink()).toBe(true)
    expect(fs.existsSync(path.join(outside, 'groove.wav'))).toBe(true)
    expect(songsQ.listSongs(ctx.db).map((s) => s.status)).toEqual(['ready'])
    // A staged path is good for one import only.
    expect((await api('songs.import', { paths: [stagedPath] })).status).toBe(403)
  })

  it('stages uploads under their own name only, whatever the header says', async () => {
    for (const name of ['..', '.', '', 'a\u0000b.wav', `${'x'.repeat(300)}.wav`]) {
      const r = await upload(name, Buffer.from('RIFF'))
      expect(r.status, JSON.stringify(name)).toBe(400)
    }
    const sneaky = await upload('../../editorbot.sqlite', Buffer.from('not a database'))
    expect(sneaky.status).toBe(200)
    const { path: p } = sneaky.json().value as { path: string }
    expect(path.basename(p)).toBe('editorbot.sqlite')
    expect(path.dirname(path.dirname(p))).toBe('uploads')
    expect(fs.readFileSync(path.join(dataDir, 'editorbot.sqlite')).subarray(0, 15).toString()).toBe('SQLite format 3')
  })

  it('serves only renders, originals and demo audio, by real path', async () => {
    fs.mkdirSync(path.join(dataDir, 'renders'), { recursive: true })
    const render = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251))
    fs.writeFileSync(path.join(dataDir, 'renders', 'edit-1.wav'), render)
    fs.symlinkSync(path.join(dataDir, 'editorbot.sqlite'), path.join(dataDir, 'renders', 'db.wav'))
    fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(dataDir, 'renders', 'secret.wav'))
    fs.symlinkSync(outside, path.join(dataDir, 'demo'))
    const get = (p: string, headers: Record<string, string> = {}): Promise<Reply> =>
      request(server.port, { path: `/files/${p}`, headers: { ...auth(), ...headers } })

    expect((await get('renders/edit-1.wav')).body).toEqual(render)
    for (const p of [
      'editorbot.sqlite',
      'editorbot.sqlite-wal',
      'editorbot.sqlite-shm',
      'uploads/keep.txt',
      'renders/db.wav',
      'renders/secret.wav',
      'demo/secret.txt',
      'renders/..%2feditorbot.sqlite',
      'songs/%2e%2e/editorbot.sqlite',
      '..%2f..%2fetc%2fpasswd',
      `${encodeURIComponent(path.join(outside, 'secret.txt'))}`
    ]) {
      const r = await get(p)
      expect(r.status, p).toBe(403)
      expect(r.body.toString()).not.toContain('outside the data directory')
    }
    expect((await get('renders/missing.wav')).status).toBe(404)
    expect((await get('renders')).status).toBe(404)
  })

  it('streams ranges, suffix ranges, 416, HEAD, ETag and If-Range through send', async () => {
    const get = (headers: Record<string, string>, method = 'GET'): Promise<Reply> =>
      request(server.port, { method, path: '/files/renders/edit-1.wav', headers: { ...auth(), ...headers } })
    const full = await get({})
    expect(full.status).toBe(200)
    expect(full.headers['accept-ranges']).toBe('bytes')
    expect(full.headers['content-type']).toMatch(/^audio\/(x-)?wav/)
    expect(full.headers['x-content-type-options']).toBe('nosniff')
    const etag = full.headers.etag as string
    expect(etag).toBeTruthy()

    const first = await get({ range: 'bytes=0-11' })
    expect(first.status).toBe(206)
    expect(first.headers['content-range']).toBe('bytes 0-11/1000')
    expect(first.body).toEqual(full.body.subarray(0, 12))
    const suffix = await get({ range: 'bytes=-4' })
    expect(suffix.headers['content-range']).toBe('bytes 996-999/1000')
    expect(suffix.body).toEqual(full.body.subarray(996))
    const beyond = await get({ range: 'bytes=5000-' })
    expect(beyond.status).toBe(416)
    expect(beyond.headers['content-range']).toBe('bytes */1000')

    const head = await get({}, 'HEAD')
    expect(head.status).toBe(200)
    expect(head.headers['content-length']).toBe('1000')
    expect(head.body.length).toBe(0)
    expect((await get({ 'if-none-match': etag })).status).toBe(304)
    expect((await get({ range: 'bytes=0-1', 'if-range': etag })).status).toBe(206)
    const stale = await get({ range: 'bytes=0-1', 'if-range': '"stale"' })
    expect(stale.status).toBe(200)
    expect(stale.body.length).toBe(1000)
  })

  it('answers malformed percent-encoding with 400, never 500', async () => {
    expect((await api('songs%E0%A4%A', {})).status).toBe(400)
    expect((await api('%zz', {})).json().error?.kind).toBe('validation')
    expect((await request(server.port, { path: '/files/renders/%E0%A4%A.wav', headers: auth() })).status).toBe(400)
    expect((await request(server.port, { path: '/%E0%A4%A' })).status).toBe(400)
    const r = await request(server.port, {
      method: 'POST',
      path: '/upload',
      headers: { 'x-file-name': '%E0%A4%A.wav', ...auth() },
      body: 'RIFF'
    })
    expect(r.status).toBe(400)
    expect(r.json().error?.field).toBe('x-file-name')
  })

  it('answers a JSON body over the limit with 413 (a 50 MB one too) and keeps serving', async () => {
    const over = await api('annotators.create', { name: 'x'.repeat(5 * 1024 * 1024) })
    expect(over.status).toBe(413)
    // fetch streams a 50 MB body; the refusal must arrive as a status, not as a connection reset.
    const huge = await fetch(`http://127.0.0.1:${server.port}/api/annotators.create`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth() },
      body: JSON.stringify({ name: 'y'.repeat(50 * 1024 * 1024) })
    })
    expect(huge.status).toBe(413)
    expect(((await huge.json()) as { error: { kind: string } }).error.kind).toBe('validation')
    expect((await api('songs.list', {})).status).toBe(200)
  })
})
