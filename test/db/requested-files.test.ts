import { afterAll, describe, expect, it } from 'vitest'
import fs from 'node:fs'
import path from 'node:path'
import { Readable } from 'node:stream'
import { StagedUploads, withRequestedFile } from '../../src/main/services/songs/uploads'
import { createAppContext } from '../../src/main/app/context'
import { createHandlers } from '../../src/main/api/handlers'
import { dispatch } from '../../src/main/api/dispatch'
import { tempDataDir } from '../helpers/temp'
import { failureOf } from '../helpers/failure'

const data = tempDataDir()
afterAll(() => data.cleanup())

describe('files named by import requests (reward models, policies)', () => {
  it('off serve mode the path is used as given', () => {
    expect(withRequestedFile('/some/model.onnx', undefined, (p) => p)).toBe('/some/model.onnx')
  })

  it('in serve mode only an upload of this server, once, removed after use; any other path is refused', async () => {
    const uploads = new StagedUploads(data.dir)
    const staged = await uploads.stage('model.onnx', Readable.from([Buffer.from('onnx bytes')]), 1024)
    const seen: string[] = []
    const refused = failureOf(() =>
      withRequestedFile(path.join(data.dir, 'elsewhere.onnx'), uploads, (p) => seen.push(p))
    )
    expect(refused).toMatchObject({ kind: 'forbidden', field: 'path' })
    expect(seen).toEqual([])

    const read = withRequestedFile(staged.path, uploads, (p) => fs.readFileSync(p, 'utf8'))
    expect(read).toBe('onnx bytes')
    expect(fs.existsSync(staged.file)).toBe(false)
    expect(failureOf(() => withRequestedFile(staged.path, uploads, (p) => p)).kind).toBe('forbidden')
  })

  it("serve mode's rewardModels.import and policies.import refuse a path that was not uploaded", async () => {
    const ctx = createAppContext({ dataDir: data.dir, recoverJobs: false })
    try {
      const outside = path.join(data.dir, 'not-uploaded.onnx')
      fs.writeFileSync(outside, 'x')
      const http = createHandlers(ctx, { transport: 'http', stagedUploads: new StagedUploads(data.dir) })
      for (const name of ['rewardModels.import', 'policies.import'])
        expect(await dispatch(http, name, { path: outside, name: 'm1' })).toMatchObject({
          ok: false,
          error: { kind: 'forbidden', field: 'path' }
        })
    } finally {
      await ctx.close()
    }
  })
})
