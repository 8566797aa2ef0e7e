import fs from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startBackendThread, type BackendThread } from '../../../src/main/backend/thread'
import { tempDataDir } from '../../helpers/temp'
import { writeDemoWav } from '../../helpers/songs'
import type { EventName } from '../../../src/shared/api'
import { AppFailure } from '../../../src/shared/result'

const data = tempDataDir()
const inbox = tempDataDir('editorbot-inbox-')
const events: { name: EventName; payload: unknown }[] = []
const logs: string[] = []
let backend: BackendThread

beforeAll(async () => {
  backend = startBackendThread({
    onEvent: (name, payload) => events.push({ name, payload }),
    onLog: (line) => logs.push(line)
  })
  await backend.client.start(data.dir)
})
afterAll(async () => {
  await backend.stop()
  data.cleanup()
  inbox.cleanup()
})

describe('backend process protocol (a worker thread standing in for the utility process)', () => {
  it('answers contract requests through the dispatcher, as values', async () => {
    const info = await backend.client.call('app.info', {})
    expect(info.ok).toBe(true)
    if (info.ok) expect(info.value).toMatchObject({ dataDir: data.dir, transport: 'electron' })
    const unknown = await backend.client.call('no.such.request', {})
    expect(unknown).toMatchObject({ ok: false, error: { kind: 'validation', field: 'name' } })
    const missing = await backend.client.call('songs.get', { songId: 999 })
    expect(missing).toMatchObject({ ok: false, error: { kind: 'not_found' } })
    const invalid = await backend.client.call('songs.get', { songId: 'x' })
    expect(invalid).toMatchObject({ ok: false, error: { kind: 'validation', field: 'songId' } })
  })

  it('matches concurrent answers to their requests', async () => {
    const names = ['first', 'second', 'third', 'fourth', 'fifth']
    const created = await Promise.all(names.map((name) => backend.client.call('annotators.create', { name })))
    expect(created.map((r) => (r.ok ? (r.value as { name: string }).name : null))).toEqual(names)
    expect(backend.client.pendingCount).toBe(0)
  })

  it('relays app events (an import and its analysis job) to the window side', async () => {
    const wav = writeDemoWav(inbox.dir, 'relay.wav', { bars: 4 })
    const imported = await backend.client.call('songs.import', { paths: [wav] })
    expect(imported.ok).toBe(true)
    const jobId = imported.ok ? (imported.value as { jobId: number }).jobId : -1
    await expect
      .poll(() => events.some((e) => e.name === 'job.state' && (e.payload as { state: string }).state === 'done'), {
        timeout: 60_000
      })
      .toBe(true)
    expect(events.some((e) => e.name === 'songs.changed')).toBe(true)
    expect(events.some((e) => e.name === 'job.progress' && (e.payload as { jobId: number }).jobId === jobId)).toBe(true)
    expect(logs.some((l) => l.includes('training:'))).toBe(true)
  })
})

describe('backend failures cross as values', () => {
  it('a data directory that cannot be opened rejects start and every later call', async () => {
    const blocked = tempDataDir()
    const file = `${blocked.dir}/not-a-folder`
    fs.writeFileSync(file, 'x')
    const other = startBackendThread()
    const started = await other.client.start(file).then(
      () => null,
      (e: unknown) => e
    )
    expect(started).toBeInstanceOf(AppFailure)
    expect((started as AppFailure).message).toMatch(/not-a-folder|ENOTDIR|EEXIST/)
    const after = await other.client.call('app.info', {})
    expect(after).toMatchObject({ ok: false, error: { message: (started as AppFailure).message } })
    await other.stop()
    blocked.cleanup()
  })
})
