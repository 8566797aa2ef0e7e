import { describe, expect, it } from 'vitest'
import fs from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import { createAppContext } from '../../src/main/app/context'
import { startServer } from '../../src/main/transports/http/serve'
import { tempDataDir } from '../helpers/temp'
import { rawRequest as request, type Reply } from '../helpers/http'

describe('serve mode: configured host names', () => {
  it('accepts names given with allowedHosts (a proxy in front) besides loopback, and still refuses others', async () => {
    const data = tempDataDir()
    const web = tempDataDir('editorbot-web-')
    const ctx = createAppContext({ dataDir: data.dir })
    const server = await startServer(ctx, {
      host: '127.0.0.1',
      port: 0,
      webRoot: web.dir,
      token: 'given-token-0123456789',
      allowedHosts: ['Studio.Example']
    })
    try {
      expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=given-token-0123456789`)
      const list = (host: string): Promise<Reply> =>
        request(server.port, {
          method: 'POST',
          path: '/api/songs.list',
          headers: { host, 'content-type': 'application/json', authorization: 'Bearer given-token-0123456789' }
        })
      expect((await list('studio.example')).status).toBe(200)
      expect((await list(`localhost:${server.port}`)).status).toBe(200)
      expect((await list('other.example')).status).toBe(403)
    } finally {
      await server.close()
      await ctx.close()
      data.cleanup()
      web.cleanup()
    }
  })
})

describe('serve mode: staged uploads across restarts', () => {
  it('removes uploads nobody imported at close, and at start only folders an upload made', async () => {
    const data = tempDataDir()
    const web = tempDataDir('editorbot-web-')
    const outside = tempDataDir('editorbot-outside-')
    const uploads = path.join(data.dir, 'uploads')
    const earlier = path.join(uploads, '0123456789abcdef')
    const withLink = path.join(uploads, 'fedcba9876543210')
    fs.mkdirSync(earlier, { recursive: true })
    fs.writeFileSync(path.join(earlier, 'song.wav'), 'RIFF')
    fs.mkdirSync(withLink)
    fs.writeFileSync(path.join(outside.dir, 'precious.wav'), 'keep me')
    fs.symlinkSync(outside.dir, path.join(withLink, 'elsewhere'))
    fs.mkdirSync(path.join(uploads, 'my-folder'))
    fs.writeFileSync(path.join(uploads, 'my-folder', 'notes.txt'), 'mine')
    const ctx = createAppContext({ dataDir: data.dir })
    const server = await startServer(ctx, { host: '127.0.0.1', port: 0, webRoot: web.dir })
    try {
      expect(fs.existsSync(earlier)).toBe(false)
      expect(fs.existsSync(path.join(withLink, 'elsewhere'))).toBe(true)
      expect(fs.readFileSync(path.join(uploads, 'my-folder', 'notes.txt'), 'utf8')).toBe('mine')
      const staged = await request(server.port, {
        method: 'POST',
        path: '/upload',
        headers: { 'x-file-name': 'later.wav', authorization: `Bearer ${server.token}` },
        body: 'RIFF'
      })
      const { path: stagedPath } = staged.json().value as { path: string }
      expect(fs.existsSync(path.join(data.dir, stagedPath))).toBe(true)
      await server.close()
      expect(fs.existsSync(path.dirname(path.join(data.dir, stagedPath)))).toBe(false)
      expect(fs.readFileSync(path.join(outside.dir, 'precious.wav'), 'utf8')).toBe('keep me')
    } finally {
      await server.close().catch(() => {})
      await ctx.close()
      data.cleanup()
      web.cleanup()
      outside.cleanup()
    }
  })
})

describe('serve mode: upload size limit', () => {
  it('refuses an oversized chunked upload with 413 and leaves nothing staged', async () => {
    const data = tempDataDir()
    const web = tempDataDir('editorbot-web-')
    const ctx = createAppContext({ dataDir: data.dir })
    const server = await startServer(ctx, { host: '127.0.0.1', port: 0, webRoot: web.dir, maxUploadBytes: 64 * 1024 })
    try {
      const status = await new Promise<number>((resolve, reject) => {
        const req = http.request(
          {
            host: '127.0.0.1',
            port: server.port,
            method: 'POST',
            path: '/upload',
            headers: {
              'x-file-name': 'big.wav',
              authorization: `Bearer ${server.token}`,
              'transfer-encoding': 'chunked'
            },
            agent: false
          },
          (res) => {
            res.resume()
            resolve(res.statusCode ?? 0)
          }
        )
        req.on('error', reject)
        for (let i = 0; i < 40; i++) req.write(Buffer.alloc(16 * 1024, i))
        req.end()
      })
      expect(status).toBe(413)
      expect(fs.readdirSync(path.join(data.dir, 'uploads'))).toEqual([])
    } finally {
      await server.close()
      await ctx.close()
      data.cleanup()
      web.cleanup()
    }
  })
})
