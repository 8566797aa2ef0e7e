/**
 * The desktop app's security policy as pure functions, so each rule is unit-tested without the Electron
 * runtime; the glue (window.ts, index.ts, ipc.ts, file-protocol.ts) only applies them.
 */
import type { WebPreferences } from 'electron'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { decodeComponent, resolveRealFile, SERVED_DATA_FOLDERS, type RealFile } from '../../app/paths'

export const FILE_SCHEME = 'editorbot-file'

/** Where the renderer comes from: the built index.html, or electron-vite's dev server during `npm run dev`. */
export type AppEntry = { kind: 'file'; indexHtml: string } | { kind: 'dev'; origin: string }

export function appEntry(rendererIndexHtml: string, devServerUrl: string | undefined): AppEntry {
  return devServerUrl
    ? { kind: 'dev', origin: new URL(devServerUrl).origin }
    : { kind: 'file', indexHtml: rendererIndexHtml }
}

/** Renderer processes: isolated, sandboxed, no Node anywhere, web security on, no webviews. */
export function secureWebPreferences(preload: string): WebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    spellcheck: false
  }
}

/**
 * The Content-Security-Policy of the app's pages: scripts only from the app (no eval, no inline), audio and
 * fetches from the app and the data-directory protocol, nothing framed, no plugins, no forms. The dev server
 * additionally needs its HMR socket and the React refresh preamble (inline).
 */
export function contentSecurityPolicy(opts: { dev: boolean; delivery?: 'header' | 'meta' }): string {
  const devScript = opts.dev ? " 'unsafe-inline'" : ''
  const devConnect = opts.dev ? ' ws://localhost:* http://localhost:*' : ''
  return [
    "default-src 'none'",
    `script-src 'self'${devScript}`,
    // React and uPlot set style attributes; no stylesheet can run code.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    `media-src 'self' blob: ${FILE_SCHEME}:`,
    `connect-src 'self' ${FILE_SCHEME}:${devConnect}`,
    // Tone.js loads its AudioWorklet processors from blob URLs.
    "worker-src 'self' blob:",
    "font-src 'self'",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-src 'none'",
    // Browsers ignore frame-ancestors in a meta tag and log an error for it: only the header carries it.
    ...(opts.delivery === 'meta' ? [] : ["frame-ancestors 'none'"])
  ].join('; ')
}

/** True for the app's own page (any hash or query), false for everything else. */
export function isAppUrl(url: string, entry: AppEntry): boolean {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return false
  }
  if (entry.kind === 'dev') return parsed.origin === entry.origin
  if (parsed.protocol !== 'file:') return false
  try {
    return path.resolve(fileURLToPath(parsed)) === path.resolve(entry.indexHtml)
  } catch {
    return false
  }
}

/** Navigation stays on the app's page: links elsewhere, dropped files and redirects are refused. */
export function isAllowedNavigation(url: string, entry: AppEntry): boolean {
  return isAppUrl(url, entry)
}

/**
 * window.open and target=_blank never open an app window; https links (documentation) open in the system
 * browser, anything else (file:, javascript:, other schemes) nowhere.
 */
export function windowOpenDecision(url: string): { action: 'deny'; openExternally: boolean } {
  let protocol = ''
  try {
    protocol = new URL(url).protocol
  } catch {
    // not a URL: denied below
  }
  return { action: 'deny', openExternally: protocol === 'https:' }
}

/** The frame an IPC message came from: Electron's event.senderFrame, reduced to what the check needs. */
export interface SenderFrame {
  url: string
  /** True when the frame has no parent (the window's top frame). */
  isTopFrame: boolean
}

/** Contract requests are answered only for the app's own top frame: never for an iframe or a foreign page. */
export function isTrustedSender(frame: SenderFrame | null | undefined, entry: AppEntry): boolean {
  return !!frame && frame.isTopFrame && isAppUrl(frame.url, entry)
}

/**
 * Web permissions the app needs: fullscreen (annotation in fullscreen) and writing to the clipboard (copying
 * an id), both only for the app's own page. Microphone, camera, notifications (the main process shows those),
 * geolocation, MIDI, HID, serial and the rest are denied.
 */
const PERMISSIONS_NEEDED: ReadonlySet<string> = new Set(['fullscreen', 'clipboard-sanitized-write'])

export function isPermissionAllowed(permission: string, requestingUrl: string, entry: AppEntry): boolean {
  return PERMISSIONS_NEEDED.has(permission) && isAppUrl(requestingUrl, entry)
}

/**
 * editorbot-file://data/<relative> → a file of the data directory's served folders (renders, songs, demo),
 * by real path: '..', absolute paths, malformed encodings, other hosts and symlinks leading out are refused.
 */
export function resolveFileRequest(
  dataDir: string,
  requestUrl: string
): RealFile | { ok: false; reason: 'bad_request' } {
  let url: URL
  try {
    url = new URL(requestUrl)
  } catch {
    return { ok: false, reason: 'bad_request' }
  }
  if (url.protocol !== `${FILE_SCHEME}:` || url.host !== 'data') return { ok: false, reason: 'outside' }
  const relative = decodeComponent(url.pathname.replace(/^\/+/, ''))
  if (relative === null) return { ok: false, reason: 'bad_request' }
  return resolveRealFile(dataDir, relative, SERVED_DATA_FOLDERS)
}

/** HTTP status for a refused file request. */
export function fileRequestStatus(reason: 'outside' | 'missing' | 'not_a_file' | 'bad_request'): number {
  return reason === 'outside' ? 403 : reason === 'bad_request' ? 400 : 404
}
