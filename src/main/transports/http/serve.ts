import http from 'node:http'
import { randomBytes } from 'node:crypto'
import { WebSocketServer, type WebSocket } from 'ws'
import type { AppContext } from '../../app/context'
import { createHandlers } from '../../api/handlers'
import { dispatch } from '../../api/dispatch'
import { decodeComponent } from '../../app/paths'
import { AppFailure, err } from '../../../shared/result'
import { StagedUploads, UploadTooLarge } from '../../services/songs/uploads'
import { allowedHostNames, createGuard, isJsonContentType, type Guard, type Refusal } from './guard'
import { readBody, refuseBody, sendJson, statusFor } from './respond'
import { serveDataFile, serveStatic } from './files'

export { isLoopback } from './guard'

export interface ServeOptions {
  host: string
  port: number
  /** Built renderer (index.html and assets). */
  webRoot: string
  /** Required on every API request, data file and socket, loopback included; generated when not given. */
  token?: string
  /** Host names browsers may use besides the loopback names and the bound address (a proxy, a DNS name). */
  allowedHosts?: readonly string[]
  /** Largest JSON request body and largest upload, in bytes (defaults: 4 MB and 1 GB). */
  maxBodyBytes?: number
  maxUploadBytes?: number
}

export interface RunningServer {
  /** Carries the token: the one URL to open. */
  url: string
  host: string
  port: number
  token: string
  close(): Promise<void>
}

const MAX_BODY_BYTES = 4 * 1024 * 1024
const MAX_UPLOAD_BYTES = 1024 * 1024 * 1024

/**
 * Serve mode: the renderer and the whole API contract over HTTP (requests) and WebSocket (events).
 * Same handlers as the Electron IPC, so the browser UI and the desktop UI behave identically.
 */
export async function startServer(ctx: AppContext, opts: ServeOptions): Promise<RunningServer> {
  const guard = createGuard({
    token: opts.token ?? randomBytes(18).toString('base64url'),
    allowedHosts: allowedHostNames(opts.host, opts.allowedHosts)
  })
  const maxBodyBytes = opts.maxBodyBytes ?? MAX_BODY_BYTES
  const maxUploadBytes = opts.maxUploadBytes ?? MAX_UPLOAD_BYTES
  const uploads = new StagedUploads(ctx.dataDir)
  uploads.sweepEarlierRuns()
  const handlers = createHandlers(ctx, { transport: 'http', stagedUploads: uploads })

  const server = http.createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) sendJson(res, 500, err('internal', e instanceof Error ? e.message : String(e)))
      else res.destroy()
    })
  })

  const refuse = (req: http.IncomingMessage, res: http.ServerResponse, refusal: Refusal): void => {
    const kind = refusal.status === 415 || refusal.status === 400 ? 'validation' : 'forbidden'
    refuseBody(req, res, refusal.status, err(kind, refusal.message, refusal.field))
  }

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const url = requestUrl(req)
    if (!url) {
      refuse(req, res, { status: 400, message: 'malformed request target', field: 'url' })
      return
    }
    const hostRefusal = guard.checkHost(req)
    if (hostRefusal) {
      refuse(req, res, hostRefusal)
      return
    }
    const isApi = url.pathname.startsWith('/api/')
    const isFile = url.pathname.startsWith('/files/')
    const isUpload = url.pathname === '/upload'
    if (isApi || isFile || isUpload) {
      const refusal = guard.checkAccess(req, url)
      if (refusal) {
        refuse(req, res, refusal)
        return
      }
    }
    if (isApi && req.method === 'POST') await handleApi(req, res, url)
    else if (isFile && (req.method === 'GET' || req.method === 'HEAD'))
      serveDataFile(ctx.dataDir, url.pathname.slice('/files/'.length), req, res)
    else if (isUpload && req.method === 'POST') await handleUpload(req, res)
    else if (!isApi && !isFile && !isUpload && (req.method === 'GET' || req.method === 'HEAD'))
      serveStatic(opts.webRoot, url.pathname, req, res)
    // No CORS headers anywhere: a cross-origin preflight (OPTIONS) ends here and the browser stops.
    else refuse(req, res, { status: 405, message: `${req.method} ${url.pathname} is not supported`, field: 'method' })
  }

  const handleApi = async (req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> => {
    // application/json is not a "simple" content type: a cross-site form or no-cors fetch cannot send it.
    if (!isJsonContentType(req.headers['content-type'])) {
      refuse(req, res, {
        status: 415,
        message: 'API requests need Content-Type: application/json',
        field: 'content-type'
      })
      return
    }
    const name = decodeComponent(url.pathname.slice('/api/'.length))
    if (name === null) {
      refuse(req, res, { status: 400, message: 'the request name is not valid percent-encoding', field: 'name' })
      return
    }
    const body = await readBody(req, maxBodyBytes)
    if (body === 'too_large') {
      refuseBody(req, res, 413, err('validation', `request body over ${maxBodyBytes} bytes`, '(body)'))
      return
    }
    let input: unknown
    try {
      input = body.length === 0 ? {} : (JSON.parse(body.toString('utf8')) as unknown)
    } catch {
      sendJson(res, 400, err('validation', 'request body is not valid JSON', '(body)'))
      return
    }
    const result = await dispatch(handlers, name, input)
    sendJson(res, statusFor(result), result)
  }

  /** Serve-mode import: the browser streams each file; it is staged under uploads/ and its path returned. */
  const handleUpload = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const rawName = req.headers['x-file-name']
    const name = typeof rawName === 'string' ? decodeComponent(rawName) : null
    if (name === null) {
      refuse(req, res, {
        status: 400,
        message: 'upload needs an x-file-name header holding the percent-encoded file name',
        field: 'x-file-name'
      })
      return
    }
    const declared = Number(req.headers['content-length'])
    if (Number.isFinite(declared) && declared > maxUploadBytes) {
      refuseBody(req, res, 413, err('validation', `upload over ${maxUploadBytes} bytes`, 'body'))
      return
    }
    try {
      const upload = await uploads.stage(name, req, maxUploadBytes)
      sendJson(res, 200, { ok: true, value: { id: upload.id, path: upload.path } })
    } catch (e) {
      if (e instanceof UploadTooLarge) refuseBody(req, res, 413, err('validation', e.message, 'body'))
      else if (e instanceof AppFailure) refuseBody(req, res, 400, { ok: false, error: e.toError() })
      else if (!res.headersSent && !req.destroyed)
        sendJson(
          res,
          400,
          err('validation', `upload of ${name} failed: ${e instanceof Error ? e.message : String(e)}`, 'body')
        )
    }
  }

  const sockets = new Set<WebSocket>()
  const wss = new WebSocketServer({ noServer: true })
  server.on('upgrade', (req, socket, head) => {
    const url = requestUrl(req)
    const refusal: Refusal | null =
      url?.pathname !== '/events'
        ? { status: 404, message: 'no such socket', field: 'url' }
        : guard.checkAccess(req, url)
    if (refusal) {
      socket.end(
        `HTTP/1.1 ${refusal.status} ${http.STATUS_CODES[refusal.status] ?? 'Refused'}\r\nconnection: close\r\n\r\n`
      )
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
  return {
    url: serverUrl(opts.host, port, guard),
    host: opts.host,
    port,
    token: guard.token,
    async close() {
      stopForwarding()
      for (const ws of sockets) ws.terminate()
      wss.close()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      uploads.releaseAll()
    }
  }
}

function serverUrl(host: string, port: number, guard: Guard): string {
  const hostForUrl = host.includes(':') ? `[${host}]` : host
  return `http://${hostForUrl}:${port}/?token=${encodeURIComponent(guard.token)}`
}

/**
 * The request target as a URL, or null when it is not origin-form ('/path?query'). Parsed against a fixed
 * base without letting '//name/...' become a host, so the path is always what the client sent.
 */
function requestUrl(req: http.IncomingMessage): URL | null {
  const target = req.url ?? ''
  if (!target.startsWith('/')) return null
  try {
    return new URL(`http://server${target}`)
  } catch {
    return null
  }
}
