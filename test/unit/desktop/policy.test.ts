import fs from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import {
  appEntry,
  contentSecurityPolicy,
  fileRequestStatus,
  isAllowedNavigation,
  isPermissionAllowed,
  isTrustedSender,
  resolveFileRequest,
  secureWebPreferences,
  windowOpenDecision
} from '../../../src/main/transports/electron/policy'
import { tempDataDir } from '../../helpers/temp'

const indexHtml = path.resolve('/opt/editorbot/resources/app.asar/out/renderer/index.html')
const built = appEntry(indexHtml, undefined)
const dev = appEntry(indexHtml, 'http://localhost:5173/')
const appPage = pathToFileURL(indexHtml).toString()

describe('web preferences', () => {
  it('isolate, sandbox and keep Node out of every renderer context', () => {
    const prefs = secureWebPreferences('/app/out/preload/index.cjs')
    expect(prefs).toMatchObject({
      preload: '/app/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false
    })
  })
})

describe('content security policy', () => {
  const directives = (csp: string): Map<string, string[]> =>
    new Map(
      csp
        .split(';')
        .map((d) => d.trim().split(/\s+/))
        .map(([name, ...values]) => [name as string, values])
    )

  it('allows scripts only from the app: no inline, no eval, nothing framed, no plugins', () => {
    const csp = directives(contentSecurityPolicy({ dev: false }))
    expect(csp.get('default-src')).toEqual(["'none'"])
    expect(csp.get('script-src')).toEqual(["'self'"])
    expect(csp.get('object-src')).toEqual(["'none'"])
    expect(csp.get('frame-ancestors')).toEqual(["'none'"])
    expect(csp.get('base-uri')).toEqual(["'none'"])
    expect(csp.get('form-action')).toEqual(["'none'"])
    expect(csp.get('media-src')).toContain('editorbot-file:')
    for (const values of csp.values()) expect(values).not.toContain("'unsafe-eval'")
    expect(csp.get('connect-src')?.some((v) => v.startsWith('ws'))).toBe(false)
  })

  it('leaves frame-ancestors out of the meta-tag policy, where browsers ignore it with an error', () => {
    const meta = directives(contentSecurityPolicy({ dev: false, delivery: 'meta' }))
    expect(meta.has('frame-ancestors')).toBe(false)
    expect(meta.get('script-src')).toEqual(["'self'"])
  })

  it('loosens only what the dev server needs, and only in dev', () => {
    const csp = directives(contentSecurityPolicy({ dev: true }))
    expect(csp.get('script-src')).toContain("'unsafe-inline'")
    expect(csp.get('connect-src')).toContain('ws://localhost:*')
    expect(csp.get('script-src')).not.toContain("'unsafe-eval'")
  })
})

describe('navigation and windows', () => {
  it('stays on the app page, whatever the hash', () => {
    expect(isAllowedNavigation(appPage, built)).toBe(true)
    expect(isAllowedNavigation(`${appPage}#/listen`, built)).toBe(true)
    expect(isAllowedNavigation('https://example.com/', built)).toBe(false)
    expect(isAllowedNavigation(pathToFileURL('/etc/passwd').toString(), built)).toBe(false)
    expect(isAllowedNavigation(pathToFileURL('/home/me/song.wav').toString(), built)).toBe(false)
    expect(isAllowedNavigation('javascript:alert(1)', built)).toBe(false)
    expect(isAllowedNavigation('not a url', built)).toBe(false)
    expect(isAllowedNavigation('http://localhost:5173/#/jobs', dev)).toBe(true)
    expect(isAllowedNavigation('http://localhost:5174/', dev)).toBe(false)
  })

  it('denies every new window; only https links go to the system browser', () => {
    expect(windowOpenDecision('https://docs.example.org/x')).toEqual({ action: 'deny', openExternally: true })
    for (const url of ['http://example.com', 'file:///etc/passwd', 'javascript:alert(1)', 'smb://host/x', ''])
      expect(windowOpenDecision(url)).toEqual({ action: 'deny', openExternally: false })
  })
})

describe('IPC sender check', () => {
  it("answers only the app's own top frame", () => {
    expect(isTrustedSender({ url: `${appPage}#/library`, isTopFrame: true }, built)).toBe(true)
    expect(isTrustedSender({ url: appPage, isTopFrame: false }, built)).toBe(false)
    expect(isTrustedSender({ url: 'https://evil.example/', isTopFrame: true }, built)).toBe(false)
    expect(isTrustedSender(null, built)).toBe(false)
    expect(isTrustedSender({ url: 'http://localhost:5173/', isTopFrame: true }, dev)).toBe(true)
  })
})

describe('permissions', () => {
  it('grants fullscreen and clipboard writes to the app page only, and denies the rest', () => {
    expect(isPermissionAllowed('fullscreen', appPage, built)).toBe(true)
    expect(isPermissionAllowed('clipboard-sanitized-write', appPage, built)).toBe(true)
    expect(isPermissionAllowed('fullscreen', 'https://evil.example/', built)).toBe(false)
    for (const p of [
      'media',
      'notifications',
      'geolocation',
      'midi',
      'midiSysex',
      'hid',
      'serial',
      'usb',
      'openExternal'
    ])
      expect(isPermissionAllowed(p, appPage, built)).toBe(false)
  })
})

describe('data-directory file protocol', () => {
  const data = tempDataDir()
  const outside = tempDataDir('editorbot-outside-')
  afterAll(() => {
    data.cleanup()
    outside.cleanup()
  })
  fs.mkdirSync(path.join(data.dir, 'renders'))
  fs.writeFileSync(path.join(data.dir, 'renders', 'edit 1.wav'), 'RIFF')
  fs.writeFileSync(path.join(data.dir, 'editorbot.sqlite'), 'db')
  fs.writeFileSync(path.join(outside.dir, 'secret.txt'), 'secret')
  fs.symlinkSync(path.join(outside.dir, 'secret.txt'), path.join(data.dir, 'renders', 'escape.wav'))
  fs.symlinkSync(path.join(data.dir, 'editorbot.sqlite'), path.join(data.dir, 'renders', 'db.wav'))

  it('serves files of the served folders by real path', () => {
    const file = resolveFileRequest(data.dir, 'editorbot-file://data/renders/edit%201.wav')
    expect(file).toMatchObject({ ok: true, path: fs.realpathSync(path.join(data.dir, 'renders', 'edit 1.wav')) })
  })

  it('refuses escapes: .., encoded .., symlinks out, the database, other hosts, bad encodings', () => {
    const reason = (url: string): string | null => {
      const r = resolveFileRequest(data.dir, url)
      return r.ok ? null : r.reason
    }
    expect(reason('editorbot-file://data/renders/escape.wav')).toBe('outside')
    expect(reason('editorbot-file://data/renders/db.wav')).toBe('outside')
    expect(reason('editorbot-file://data/editorbot.sqlite')).toBe('outside')
    // The URL parser folds encoded dot segments first, so this names data/etc/passwd, which is not there.
    expect(reason('editorbot-file://data/renders/%2e%2e/%2e%2e/etc/passwd')).toBe('missing')
    expect(reason('editorbot-file://data/..%2f..%2fetc%2fpasswd')).toBe('outside')
    expect(reason('editorbot-file://elsewhere/renders/edit%201.wav')).toBe('outside')
    expect(reason('editorbot-file://data/renders/%E0%A4%A')).toBe('bad_request')
    expect(reason('editorbot-file://data/renders/none.wav')).toBe('missing')
    expect(fileRequestStatus('outside')).toBe(403)
    expect(fileRequestStatus('missing')).toBe(404)
    expect(fileRequestStatus('bad_request')).toBe(400)
  })
})
