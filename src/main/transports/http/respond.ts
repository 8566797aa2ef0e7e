import type http from 'node:http'
import type { Result } from '../../../shared/result'

export function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff'
  })
  res.end(text)
}

export function statusFor(result: Result<unknown>): number {
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

/** The most of a refused request body read (and thrown away) so the client can read the refusal cleanly. */
const DRAIN_LIMIT_BYTES = 256 * 1024 * 1024

/**
 * Answers a request whose body is refused (too large, bad headers) before or while it streams in. The rest
 * of the body is read and discarded, so the client finishes sending and reads the status instead of
 * seeing a connection reset; past DRAIN_LIMIT_BYTES the connection is closed.
 */
export function refuseBody(req: http.IncomingMessage, res: http.ServerResponse, status: number, body: unknown): void {
  let drained = 0
  req.removeAllListeners('data')
  req.on('data', (chunk: Buffer) => {
    drained += chunk.length
    if (drained > DRAIN_LIMIT_BYTES) req.socket.destroy()
  })
  req.resume()
  sendJson(res, status, body)
}

/** Reads a body up to `limit` bytes; 'too_large' as soon as the declared or received size passes it. */
export async function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer | 'too_large'> {
  const declared = Number(req.headers['content-length'])
  if (Number.isFinite(declared) && declared > limit) return 'too_large'
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const onData = (chunk: Buffer): void => {
      size += chunk.length
      if (size > limit) {
        req.off('data', onData)
        req.off('end', onEnd)
        req.pause()
        resolve('too_large')
      } else chunks.push(chunk)
    }
    const onEnd = (): void => resolve(Buffer.concat(chunks))
    req.on('data', onData)
    req.on('end', onEnd)
    req.on('error', reject)
  })
}
