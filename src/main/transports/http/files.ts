import type http from 'node:http'
import fs from 'node:fs'
import path from 'node:path'
import send from 'send'
import { decodeComponent, resolveRealFile, SERVED_DATA_FOLDERS } from '../../app/paths'
import { err } from '../../../shared/result'
import { sendJson } from './respond'

/** Headers on everything served: no MIME sniffing, no framing by other sites, no token leaking in Referer. */
export const SAFE_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  // frame-ancestors only works as a header (browsers ignore it in the page's CSP meta tag, with an error).
  'content-security-policy': "frame-ancestors 'none'"
}

/**
 * Streams one confined file with `send` (ranges, If-Range, ETag, conditional GET, HEAD, 416). The file is
 * passed as its real path split into a root and a name, so `send` opens exactly what confinement accepted.
 */
function sendFile(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  realPath: string,
  opts: { cacheControl: boolean }
): void {
  const stream = send(req, `/${encodeURIComponent(path.basename(realPath))}`, {
    root: path.dirname(realPath),
    dotfiles: 'allow',
    index: false,
    cacheControl: opts.cacheControl
  })
  stream.on('headers', (response: http.ServerResponse) => {
    for (const [name, value] of Object.entries(SAFE_HEADERS)) response.setHeader(name, value)
    if (!opts.cacheControl) response.setHeader('cache-control', 'no-cache')
  })
  stream.on('error', (e: { status?: number; message?: string }) => {
    const status = e.status ?? 500
    if (res.headersSent) res.destroy()
    else sendJson(res, status, err(status === 404 ? 'not_found' : 'internal', e.message ?? 'cannot send the file'))
  })
  stream.pipe(res)
}

/** /files/<relative>: renders, song originals and demo audio only, confined by real path to the data directory. */
export function serveDataFile(
  dataDir: string,
  encodedRelative: string,
  req: http.IncomingMessage,
  res: http.ServerResponse
): void {
  const relative = decodeComponent(encodedRelative)
  if (relative === null) {
    sendJson(res, 400, err('validation', 'the file path is not valid percent-encoding', 'path'))
    return
  }
  const file = resolveRealFile(dataDir, relative, SERVED_DATA_FOLDERS)
  if (!file.ok) {
    if (file.reason === 'outside')
      sendJson(
        res,
        403,
        err('forbidden', `'${relative}' is not served: only ${SERVED_DATA_FOLDERS.join('/, ')}/ files are`, 'path')
      )
    else sendJson(res, 404, err('not_found', `no file '${relative}' in the data directory`, 'path'))
    return
  }
  sendFile(req, res, file.path, { cacheControl: false })
}

/** The built renderer; unknown paths get index.html (the UI routes by hash). */
export function serveStatic(
  webRoot: string,
  pathname: string,
  req: http.IncomingMessage,
  res: http.ServerResponse
): void {
  const relative = pathname === '/' ? 'index.html' : decodeComponent(pathname.slice(1))
  if (relative === null) {
    sendJson(res, 400, err('validation', 'the path is not valid percent-encoding', 'path'))
    return
  }
  const file = resolveRealFile(webRoot, relative)
  const index = path.join(webRoot, 'index.html')
  if (file.ok) sendFile(req, res, file.path, { cacheControl: true })
  else if (fs.existsSync(index)) sendFile(req, res, fs.realpathSync(index), { cacheControl: false })
  else {
    res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', ...SAFE_HEADERS })
    res.end(`The renderer is not built (${webRoot} is missing). Run: npm run build:web`)
  }
}
