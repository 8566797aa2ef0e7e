import http from 'node:http'

export interface Reply {
  status: number
  headers: http.IncomingHttpHeaders
  body: Buffer
  json(): { ok: boolean; value?: unknown; error?: { kind: string; message: string; field?: string } }
}

/** One raw HTTP request: full control over Host, Origin and Content-Type, which fetch would not allow. */
export function rawRequest(
  port: number,
  opts: { method?: string; path: string; headers?: Record<string, string>; body?: Buffer | string }
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: opts.method ?? 'GET',
        path: opts.path,
        headers: { host: `127.0.0.1:${port}`, ...opts.headers },
        // An empty Host means none at all.
        setHost: opts.headers?.host !== '',
        agent: false
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => {
          const body = Buffer.concat(chunks)
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            json: () => JSON.parse(body.toString('utf8')) as ReturnType<Reply['json']>
          })
        })
      }
    )
    req.on('error', reject)
    req.end(opts.body)
  })
}
