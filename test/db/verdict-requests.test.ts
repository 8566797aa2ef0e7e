import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import fs from 'node:fs'
import path from 'node:path'
import { createAppContext, type AppContext } from '../../src/main/app/context'
import { createHandlers } from '../../src/main/api/handlers'
import { dispatch } from '../../src/main/api/dispatch'
import { startServer, type RunningServer } from '../../src/main/transports/http/serve'
import * as pairsQ from '../../src/main/db/queries/pairs'
import * as verdictsQ from '../../src/main/db/queries/verdicts'
import type { EventMap, EventName } from '../../src/shared/api'
import type { VerdictRecord } from '../../src/shared/domain'
import { tempDataDir } from '../helpers/temp'
import { rawRequest } from '../helpers/http'
import { seedEdits, seedSong } from '../helpers/listen-fixtures'

describe('verdict and pair requests: events from the services, scripted verdicts for the CLI only', () => {
  let ctx: AppContext
  let server: RunningServer
  const cleanups: (() => void)[] = []
  const events: { name: EventName; payload: unknown }[] = []
  let song: number
  let edits: number[]

  beforeAll(async () => {
    const data = tempDataDir()
    const web = tempDataDir('editorbot-web-')
    cleanups.push(data.cleanup, web.cleanup)
    fs.writeFileSync(path.join(web.dir, 'index.html'), '<!doctype html><title>EditorBot</title>')
    ctx = createAppContext({ dataDir: data.dir })
    ctx.events.onAny((name, payload) => events.push({ name, payload }))
    song = seedSong(ctx.db)
    edits = seedEdits(ctx.db, song)
    server = await startServer(ctx, { host: '127.0.0.1', port: 0, webRoot: web.dir })
  })
  afterAll(async () => {
    await server?.close()
    await ctx?.close()
    for (const c of cleanups) c()
  })

  const call = async (transport: 'cli' | 'electron' | 'http', name: string, input: unknown) =>
    dispatch(createHandlers(ctx, { transport }), name, input)
  const eventsSince = (mark: number): { name: EventName; payload: unknown }[] => events.slice(mark)
  const pairsChanged = (queued: number): { name: EventName; payload: EventMap['pairs.changed'] } => ({
    name: 'pairs.changed',
    payload: { queued }
  })

  it('pairs.create and edits.create announce what changed, whichever transport asked', async () => {
    const mark = events.length
    const pair = await call('electron', 'pairs.create', { editAId: edits[0], editBId: edits[1] })
    expect(pair.ok).toBe(true)
    const edit = await call('http', 'edits.create', { songId: song, actions: new Array(16).fill(0) })
    expect(edit.ok).toBe(true)
    expect(eventsSince(mark)).toEqual([pairsChanged(1), { name: 'edits.changed', payload: { songId: song } }])
  })

  it('verdicts.record judges without listening from the CLI: sides in pair order, nothing heard claimed', async () => {
    const pairId = pairsQ.listPairs(ctx.db, 'queued')[0]!.id
    // The UI's request refuses the same verdict: nothing was heard.
    const person = await call('cli', 'annotators.create', { name: 'person' })
    const unheard = await call('cli', 'verdicts.submit', {
      pairId,
      annotatorId: (person as { value: { id: number } }).value.id,
      verdict: 'a',
      shownAEditId: edits[0],
      shownBEditId: edits[1],
      listenedAMs: 0,
      listenedBMs: 0,
      switches: 0,
      decisionMs: 0
    })
    expect(unheard).toMatchObject({ ok: false, error: { kind: 'validation', field: 'listenedAMs' } })

    const mark = events.length
    const recorded = await call('cli', 'verdicts.record', { pairId, annotator: 'script', verdict: 'b', strength: 2 })
    expect(recorded.ok, JSON.stringify(recorded)).toBe(true)
    const verdict = (recorded as { value: VerdictRecord }).value
    expect(verdict).toMatchObject({
      pairId,
      verdict: 'b',
      strength: 2,
      shownAEditId: edits[0],
      shownBEditId: edits[1],
      chosenEditId: edits[1],
      listenedAMs: 0,
      listenedBMs: 0
    })
    expect(eventsSince(mark)).toEqual([pairsChanged(0)])

    const undone = await call('cli', 'verdicts.undo', { annotatorId: verdict.annotatorId })
    expect(undone.ok).toBe(true)
    expect(eventsSince(mark)).toEqual([pairsChanged(0), pairsChanged(1)])
  })

  it('verdicts.record is refused over HTTP (serve mode) and IPC, and stores nothing', async () => {
    const pairId = pairsQ.listPairs(ctx.db, 'queued')[0]!.id
    const before = verdictsQ.listVerdicts(ctx.db, {}).length
    const input = { pairId, annotator: 'page', verdict: 'a' }
    const reply = await rawRequest(server.port, {
      method: 'POST',
      path: '/api/verdicts.record',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${server.token}` },
      body: JSON.stringify(input)
    })
    expect(reply.status).toBe(403)
    expect(reply.json().error?.kind).toBe('forbidden')
    expect(reply.json().error?.message).toMatch(/command line only/)
    const ipc = await call('electron', 'verdicts.record', input)
    expect(ipc).toMatchObject({ ok: false, error: { kind: 'forbidden' } })
    expect(verdictsQ.listVerdicts(ctx.db, {}).length).toBe(before)
    expect(pairsQ.getPair(ctx.db, pairId)?.status).toBe('queued')
  })

  it("verdicts.record keeps every other rule: unknown pair, bad verdict, another's lease, strength on a tie", async () => {
    expect(await call('cli', 'verdicts.record', { pairId: 999, annotator: 'x', verdict: 'a' })).toMatchObject({
      ok: false,
      error: { kind: 'not_found', field: 'pairId' }
    })
    expect(await call('cli', 'verdicts.record', { pairId: 1, annotator: 'x', verdict: 'maybe' })).toMatchObject({
      ok: false,
      error: { kind: 'validation', field: 'verdict' }
    })
    // Undo leased the pair back to 'script': anyone else is told it is being judged.
    const pairId = pairsQ.listPairs(ctx.db, 'queued')[0]!.id
    expect(await call('cli', 'verdicts.record', { pairId, annotator: 'x', verdict: 'a' })).toMatchObject({
      ok: false,
      error: { kind: 'conflict', field: 'pairId' }
    })
    expect(
      await call('cli', 'verdicts.record', { pairId, annotator: 'script', verdict: 'tie', strength: 1 })
    ).toMatchObject({ ok: false, error: { kind: 'validation', field: 'strength' } })
  })
})
