import http from 'node:http'
import fs from 'node:fs'
import path from 'node:path'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { randomBytes, timingSafeEqual } from 'node:crypto'
import { WebSocketServer, type WebSocket } from 'ws'
import type { AppContext } from '../../app/context'
import { createHandlers } from '../../api/handlers'
import { dispatch } from '../../api/dispatch'
import { err, type Result } from '../../../shared/result'
import { resolveInDataDir } from '../../app/paths'
import { UPLOADS_DIR } from './uploads'

export interface ServeOptions {
  host: string
  port: number
  /** Built renderer (index.html and assets). */
  webRoot: string
  /** Required on every request and socket when bound beyond loopback; generated when not given. */
  token?: string
}

export interface RunningServer {
  url: string
  host: string
  port: number
  token: string | null
  close(): Promise<void>
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1'])
const MAX_BODY_BYTES = 4 * 1024 * 1024
const MAX_UPLOAD_BYTES = 1024 * 1024 * 1024

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wav': 'audio/wav',
  '.mp3': 'audio/mpeg',
  '.flac': 'audio/flac',
  '.ogg': 'audio/ogg',
  '.onnx': 'application/octet-stream',
  '.woff2': 'font/woff2'
}

export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host)
}

/**
 * Serve mode: the renderer and the whole API contract over HTTP (requests) and WebSocket (events).
 * Same handlers as the Electron IPC, so the browser UI and the desktop UI behave identically.
 */
export async function startServer(ctx: AppContext, opts: ServeOptions): Promise<RunningServer> {
  const token = isLoopback(opts.host) ? (opts.token ?? null) : (opts.token ?? randomBytes(18).toString('base64url'))
  const handlers = createHandlers(ctx, { transport: 'http', confineImportsToDataDir: true })

  const authorised = (req: http.IncomingMessage, url: URL): boolean => {
    if (token === null) return true
    const header = req.headers.authorization
    const given = header?.startsWith('Bearer ') ? header.slice(7) : url.searchParams.get('token')
    if (!given) return false
    const a = Buffer.from(given)
    const b = Buffer.from(token)
    return a.length === b.length && timingSafeEqual(a, b)
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    handle(req, res, url).catch((e: unknown) => {
      if (!res.headersSent) sendJson(res, 500, err('internal', e instanceof Error ? e.message : String(e)))
      else res.destroy()
    })
  })

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> => {
    const isApi = url.pathname.startsWith('/api/') || url.pathname.startsWith('/files/') || url.pathname === '/upload'
    if (isApi && !authorised(req, url)) {
      sendJson(res, 401, err('forbidden', 'missing or wrong token: open the URL printed by `editorbot serve`', 'token'))
      return
    }
    if (url.pathname.startsWith('/api/') && req.method === 'POST') {
      const body = await readBody(req, MAX_BODY_BYTES)
      let input: unknown
      try {
        input = body.length === 0 ? {} : (JSON.parse(body.toString('utf8')) as unknown)
      } catch {
        sendJson(res, 400, err('validation', 'request body is not valid JSON', '(body)'))
        return
      }
      const result = await dispatch(handlers, decodeURIComponent(url.pathname.slice(5)), input)
      sendJson(res, result.ok ? 200 : statusFor(result), result)
      return
    }
    if (url.pathname.startsWith('/files/') && (req.method === 'GET' || req.method === 'HEAD')) {
      serveDataFile(ctx.dataDir, decodeURIComponent(url.pathname.slice(7)), req, res)
      return
    }
    if (url.pathname === '/upload' && req.method === 'POST') {
      await receiveUpload(ctx.dataDir, req, res)
      return
    }
    if (req.method === 'GET' || req.method === 'HEAD') {
      serveStatic(opts.webRoot, url.pathname, res)
      return
    }
    sendJson(res, 405, err('validation', `${req.method} ${url.pathname} is not supported`))
  }

  const sockets = new Set<WebSocket>()
  const wss = new WebSocketServer({ noServer: true })
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    if (url.pathname !== '/events' || !authorised(req, url)) {
      socket.write('HTTP/1.1 401 Unauthorized\r\n\r\n')
      socket.destroy()
      return
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws)
      ws.on('close', () => sockets.delete(ws))
    })
  })
  const stopForwarding = ctx.events.onAny((event, payload) => {
    const message = JSON.stringify({ event, payload })
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(message)
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port, opts.host, () => resolve())
  })
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : opts.port
  const hostForUrl = opts.host.includes(':') ? `[${opts.host}]` : opts.host
  const url = `http://${hostForUrl}:${port}/${token ? `?token=${token}` : ''}`
  return {
    url,
    host: opts.host,
    port,
    token,
    async close() {
      stopForwarding()
      for (const ws of sockets) ws.terminate()
      wss.close()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}

function statusFor(result: Result<unknown>): number {
  if (result.ok) return 200
  switch (result.error.kind) {
    case 'validation':
      return 400
    case 'forbidden':
      return 403
    case 'not_found':
      return 404
    case 'conflict':
    case 'version':
      return 409
    case 'unsupported':
    case 'corrupt':
      return 422
    default:
      return 500
  }
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' })
  res.end(text)
}

async function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > limit) throw new Error(`request body over ${limit} bytes`)
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks)
}

/** Streams a data-directory file with HTTP range support (the A/B player seeks inside renders). */
function serveDataFile(dataDir: string, relative: string, req: http.IncomingMessage, res: http.ServerResponse): void {
  const file = resolveInDataDir(dataDir, relative)
  if (!file) {
    sendJson(res, 403, err('forbidden', `path '${relative}' is outside the data directory`, 'path'))
    return
  }
  let stat: fs.Stats
  try {
    stat = fs.statSync(file)
  } catch {
    sendJson(res, 404, err('not_found', `no file '${relative}' in the data directory`, 'path'))
    return
  }
  if (!stat.isFile()) {
    sendJson(res, 404, err('not_found', `'${relative}' is not a file`, 'path'))
    return
  }
  const type = MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream'
  const range = req.headers.range ? /^bytes=(\d*)-(\d*)$/.exec(req.headers.range) : null
  let start = 0
  let end = stat.size - 1
  if (range) {
    if (range[1] === '' && range[2] !== '') {
      start = Math.max(0, stat.size - Number(range[2]))
    } else {
      start = Number(range[1])
      if (range[2] !== '') end = Math.min(end, Number(range[2]))
    }
    if (start > end || start >= stat.size) {
      res.writeHead(416, { 'content-range': `bytes */${stat.size}` })
      res.end()
      return
    }
  }
  res.writeHead(range ? 206 : 200, {
    'content-type': type,
    'content-length': end - start + 1,
    'accept-ranges': 'bytes',
    ...(range ? { 'content-range': `bytes ${start}-${end}/${stat.size}` } : {})
  })
  if (req.method === 'HEAD') {
    res.end()
    return
  }
  fs.createReadStream(file, { start, end }).pipe(res)
}

/** Serve-mode import: the browser streams each file; it lands in uploads/ and its relative path is returned. */
async function receiveUpload(dataDir: string, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const rawName = req.headers['x-file-name']
  const name = typeof rawName === 'string' ? path.basename(decodeURIComponent(rawName)) : ''
  if (!name || name === '.' || name === '..') {
    sendJson(res, 400, err('validation', 'upload needs an x-file-name header', 'x-file-name'))
    return
  }
  const dir = path.join(dataDir, UPLOADS_DIR, `${Date.now()}-${randomBytes(4).toString('hex')}`)
  fs.mkdirSync(dir, { recursive: true })
  const target = path.join(dir, name)
  // Streamed to disk (songs can be hundreds of MB); a partial upload is removed, never imported.
  let size = 0
  const limit = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length
      done(size > MAX_UPLOAD_BYTES ? new Error(`upload over ${MAX_UPLOAD_BYTES} bytes`) : null, chunk)
    }
  })
  try {
    await pipeline(req, limit, fs.createWriteStream(target))
  } catch (e) {
    fs.rmSync(dir, { recursive: true, force: true })
    sendJson(
      res,
      400,
      err('validation', `upload of ${name} failed: ${e instanceof Error ? e.message : String(e)}`, 'body')
    )
    return
  }
  sendJson(res, 200, { ok: true, value: { path: path.relative(dataDir, target) } })
}

function serveStatic(webRoot: string, pathname: string, res: http.ServerResponse): void {
  const relative = pathname === '/' ? 'index.html' : decodeURIComponent(pathname.slice(1))
  const file = resolveInDataDir(webRoot, relative)
  const target = file && fs.existsSync(file) && fs.statSync(file).isFile() ? file : path.join(webRoot, 'index.html')
  if (!fs.existsSync(target)) {
    res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' })
    res.end(`The renderer is not built (${webRoot} is missing). Run: npm run build:web`)
    return
  }
  res.writeHead(200, {
    'content-type': MIME[path.extname(target)] ?? 'application/octet-stream',
    'x-content-type-options': 'nosniff'
  })
  fs.createReadStream(target).pipe(res)
}
