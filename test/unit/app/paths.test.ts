import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {
  decodeComponent,
  isInside,
  resolveInDataDir,
  resolveRealFile,
  SERVED_DATA_FOLDERS
} from '../../../src/main/app/paths'
import { cleanUploadName } from '../../../src/main/services/songs/uploads'
import { allowedHostNames, hostNameOf, isJsonContentType } from '../../../src/main/transports/http/guard'

describe('data-directory confinement', () => {
  const root = path.resolve('/data/editorbot')
  it('accepts paths inside', () => {
    expect(resolveInDataDir(root, 'renders/edit-1.wav')).toBe(path.join(root, 'renders/edit-1.wav'))
    expect(resolveInDataDir(root, 'a/../b.wav')).toBe(path.join(root, 'b.wav'))
    expect(isInside(root, root)).toBe(true)
  })
  it('refuses escapes, absolute paths outside, sibling prefixes and NUL bytes', () => {
    expect(resolveInDataDir(root, '../secret')).toBeNull()
    expect(resolveInDataDir(root, 'renders/../../../etc/passwd')).toBeNull()
    expect(resolveInDataDir(root, '/etc/passwd')).toBeNull()
    expect(resolveInDataDir(root, '../editorbot-other/x')).toBeNull()
    expect(resolveInDataDir(root, 'a\0b')).toBeNull()
  })
})

describe('confinement by real path', () => {
  let base: string
  let data: string
  let outside: string
  beforeAll(() => {
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'editorbot-paths-'))
    data = path.join(base, 'data')
    outside = path.join(base, 'outside')
    for (const d of ['renders', 'songs', 'uploads']) fs.mkdirSync(path.join(data, d), { recursive: true })
    fs.mkdirSync(outside)
    fs.writeFileSync(path.join(data, 'renders', 'edit-1.wav'), 'RIFF')
    fs.writeFileSync(path.join(data, 'editorbot.sqlite'), 'SQLite format 3')
    fs.writeFileSync(path.join(data, 'uploads', 'staged.wav'), 'RIFF')
    fs.writeFileSync(path.join(outside, 'secret.wav'), 'secret')
    fs.symlinkSync(path.join(outside, 'secret.wav'), path.join(data, 'renders', 'out.wav'))
    fs.symlinkSync(path.join(data, 'editorbot.sqlite'), path.join(data, 'songs', 'db.wav'))
    fs.symlinkSync(path.join(data, 'renders', 'edit-1.wav'), path.join(data, 'songs', 'same.wav'))
    fs.symlinkSync(path.join(outside, 'missing.wav'), path.join(data, 'renders', 'dangling.wav'))
    fs.symlinkSync(outside, path.join(data, 'demo'))
  })
  afterAll(() => fs.rmSync(base, { recursive: true, force: true }))

  it('serves a regular file inside an allowed folder', () => {
    const r = resolveRealFile(data, 'renders/edit-1.wav', SERVED_DATA_FOLDERS)
    expect(r).toEqual({ ok: true, path: fs.realpathSync(path.join(data, 'renders', 'edit-1.wav')), size: 4 })
    // A link to a servable file inside the data directory is served as that file.
    expect(resolveRealFile(data, 'songs/same.wav', SERVED_DATA_FOLDERS)).toMatchObject({ ok: true, size: 4 })
  })

  it('refuses links that leave the data directory or reach internal files, however spelt', () => {
    const refused = (p: string): string | null => {
      const r = resolveRealFile(data, p, SERVED_DATA_FOLDERS)
      return r.ok ? null : r.reason
    }
    expect(refused('renders/out.wav')).toBe('outside')
    expect(refused('songs/db.wav')).toBe('outside')
    expect(refused('demo/secret.wav')).toBe('outside')
    expect(refused('editorbot.sqlite')).toBe('outside')
    expect(refused('uploads/staged.wav')).toBe('outside')
    expect(refused('renders/../editorbot.sqlite')).toBe('outside')
    expect(refused('renders/../../outside/secret.wav')).toBe('outside')
    expect(refused(path.join(outside, 'secret.wav'))).toBe('outside')
    expect(refused('renders/edit-1.wav\0.png')).toBe('outside')
    expect(refused('renders/dangling.wav')).toBe('missing')
    expect(refused('renders/nothing.wav')).toBe('missing')
    expect(refused('renders')).toBe('not_a_file')
    expect(refused('renders/')).toBe('not_a_file')
  })

  it('without a folder list confines to the root only (the renderer build)', () => {
    expect(resolveRealFile(data, 'editorbot.sqlite')).toMatchObject({ ok: true })
    expect(resolveRealFile(data, 'renders/out.wav')).toEqual({ ok: false, reason: 'outside' })
  })
})

describe('client-supplied names', () => {
  it('decodes percent-encoding, or says it is malformed', () => {
    expect(decodeComponent('a%20b%2F..')).toBe('a b/..')
    expect(decodeComponent('%E0%A4%A')).toBeNull()
    expect(decodeComponent('%zz')).toBeNull()
    expect(decodeComponent('100%')).toBeNull()
  })

  it('keeps only the last component of an upload name and refuses unusable ones', () => {
    expect(cleanUploadName('song.wav')).toBe('song.wav')
    expect(cleanUploadName('../../editorbot.sqlite')).toBe('editorbot.sqlite')
    expect(cleanUploadName('C:\\Users\\me\\song.mp3')).toBe('song.mp3')
    expect(cleanUploadName('a=b.wav')).toBe('a=b.wav')
    for (const bad of ['', '.', '..', 'dir/', 'dir/..', 'a\u0000b', 'a\nb.wav', 'x'.repeat(256)])
      expect(cleanUploadName(bad), JSON.stringify(bad)).toBeNull()
  })

  it('parses Host headers into names, refusing malformed ones', () => {
    expect(hostNameOf('127.0.0.1:5183')).toBe('127.0.0.1')
    expect(hostNameOf('LocalHost')).toBe('localhost')
    expect(hostNameOf('[::1]:5183')).toBe('::1')
    for (const bad of [undefined, '', 'a b', 'user@evil.example', 'evil.example/x', '[::1', 'a:b:c'])
      expect(hostNameOf(bad), String(bad)).toBeNull()
  })

  it('allows the loopback names always, the bound address and configured names beyond loopback', () => {
    expect([...allowedHostNames('127.0.0.1')].sort()).toEqual(['127.0.0.1', '::1', 'localhost'])
    const lan = allowedHostNames('192.168.1.20', ['Studio.example'])
    expect(lan.has('192.168.1.20')).toBe(true)
    expect(lan.has('studio.example')).toBe(true)
    expect(lan.has('evil.example')).toBe(false)
    expect(allowedHostNames('0.0.0.0').has(os.hostname().toLowerCase())).toBe(true)
  })

  it('recognises application/json with parameters and in any case, nothing else', () => {
    expect(isJsonContentType('application/json')).toBe(true)
    expect(isJsonContentType('Application/JSON; charset=utf-8')).toBe(true)
    for (const other of [undefined, '', 'text/plain', 'application/jsonp', 'application/x-www-form-urlencoded'])
      expect(isJsonContentType(other), String(other)).toBe(false)
  })
})
