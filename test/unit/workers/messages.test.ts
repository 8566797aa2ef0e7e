import { describe, expect, it } from 'vitest'
import { fromWorkerSchema, jobWorkerDataSchema } from '../../../src/main/workers/messages'

describe('job worker messages are parsed, not trusted', () => {
  it('accepts what a job context posts', () => {
    for (const m of [
      { type: 'progress', progress: 0.5, etaS: 3, message: 'half', metrics: { loss: 0.25 } },
      { type: 'log', line: 'x' },
      { type: 'checkpoint', data: { step: 3 } },
      { type: 'event', event: 'songs.changed', songIds: [1, 2] },
      { type: 'done', result: { counted: 3 } },
      { type: 'cancelled' },
      { type: 'error', error: { kind: 'corrupt', message: 'bad file', field: 'songId' } }
    ])
      expect(fromWorkerSchema.safeParse(m).success).toBe(true)
  })

  it('refuses unknown types, out-of-range progress, non-finite metrics and errors without a known kind', () => {
    for (const m of [
      { type: 'shell', command: 'rm -rf /' },
      { type: 'progress', progress: 2, etaS: null, message: null, metrics: {} },
      { type: 'progress', progress: 0.5, etaS: null, message: null, metrics: { loss: Number.NaN } },
      { type: 'error', message: 'only a message' },
      { type: 'error', error: { kind: 'explosion', message: 'x' } },
      { type: 'event', event: 'songs.changed', songIds: [-1] }
    ])
      expect(fromWorkerSchema.safeParse(m).success).toBe(false)
  })

  it('needs a real shared cancel flag in the worker data', () => {
    const init = { jobId: 1, kind: 'demo.count', config: {}, checkpoint: null, dataDir: '/tmp/x' }
    expect(jobWorkerDataSchema.safeParse({ init, cancelFlag: new SharedArrayBuffer(4) }).success).toBe(true)
    expect(jobWorkerDataSchema.safeParse({ init, cancelFlag: new ArrayBuffer(4) }).success).toBe(false)
  })
})
