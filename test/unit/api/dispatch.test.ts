import { describe, expect, it } from 'vitest'
import { dispatch, type Handlers } from '../../../src/main/api/dispatch'
import { requestSchemas, REQUEST_NAMES } from '../../../src/shared/api'
import { AppFailure } from '../../../src/shared/result'

/** Handlers that echo their parsed input, so the tests see exactly what validation let through. */
const echo = new Proxy({} as Handlers, {
  get: (_t, name: string) => (input: unknown) => {
    if (name === 'songs.get') throw new AppFailure('not_found', 'no song with id 7', 'songId')
    if (name === 'songs.list') throw new Error('disk on fire')
    return { name, input }
  }
})

describe('dispatch', () => {
  it('passes valid input through the schema (with defaults applied)', async () => {
    const r = await dispatch(echo, 'edits.create', { songId: 3, actions: [0, 1, 8] })
    expect(r).toEqual({
      ok: true,
      value: { name: 'edits.create', input: { songId: 3, actions: [0, 1, 8], generator: 'manual' } }
    })
  })

  it('rejects malformed input with an error naming the field', async () => {
    const r = await dispatch(echo, 'pairs.queue', { songId: 'three', count: 2 })
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.error.kind).toBe('validation')
    expect(r.error.field).toBe('songId')
    expect(r.error.message).toMatch(/^pairs\.queue: songId: /)
  })

  it('names nested fields (array index) and unknown keys', async () => {
    const bad = await dispatch(echo, 'edits.create', { songId: 1, actions: [0, 9] })
    expect(!bad.ok && bad.error.field).toBe('actions.1')
    const extra = await dispatch(echo, 'songs.list', { sneaky: true })
    expect(!extra.ok && extra.error.kind).toBe('validation')
    expect(!extra.ok && extra.error.message).toMatch(/sneaky/)
  })

  it('refuses unknown request names', async () => {
    const r = await dispatch(echo, 'fs.readFile', {})
    expect(r).toEqual({
      ok: false,
      error: { kind: 'validation', message: "unknown request 'fs.readFile'", field: 'name' }
    })
  })

  it('turns service failures into error values, keeping kind and field', async () => {
    expect(await dispatch(echo, 'songs.get', { songId: 7 })).toEqual({
      ok: false,
      error: { kind: 'not_found', message: 'no song with id 7', field: 'songId' }
    })
    expect(await dispatch(echo, 'songs.list', {})).toEqual({
      ok: false,
      error: { kind: 'internal', message: 'disk on fire' }
    })
  })

  it('has a schema for every request name', () => {
    expect(REQUEST_NAMES.length).toBeGreaterThan(20)
    for (const name of REQUEST_NAMES) expect(requestSchemas[name]).toBeDefined()
  })
})
