import os from 'node:os'
import type http from 'node:http'
import { timingSafeEqual } from 'node:crypto'

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1']
const WILDCARD_HOSTS = new Set(['0.0.0.0', '::'])

export function isLoopback(host: string): boolean {
  return LOOPBACK_NAMES.includes(host.toLowerCase())
}

/**
 * Host names a browser may use to reach this server. Always the loopback names; when bound beyond loopback
 * also the bound address (a wildcard bind: every address and the name of this machine) and the names the
 * user configured (a reverse proxy, a DNS name). Anything else is a DNS-rebinding attempt.
 */
export function allowedHostNames(bindHost: string, configured: readonly string[] = []): Set<string> {
  const names = new Set([...LOOPBACK_NAMES, ...configured.map((n) => n.trim().toLowerCase()).filter(Boolean)])
  if (isLoopback(bindHost)) return names
  if (WILDCARD_HOSTS.has(bindHost)) {
    for (const a of Object.values(os.networkInterfaces()).flatMap((list) => list ?? [])) names.add(a.address)
    const hostname = os.hostname().toLowerCase()
    names.add(hostname)
    names.add(`${hostname}.local`)
  } else names.add(bindHost.toLowerCase())
  return names
}

/** The host name of a Host header ('[::1]:5183' -> '::1', 'Example:80' -> 'example'), or null when malformed. */
export function hostNameOf(hostHeader: string | undefined): string | null {
  if (!hostHeader) return null
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s/@]+))(?::\d{1,5})?$/.exec(hostHeader)
  if (!match) return null
  return (match[1] ?? match[2] ?? '').toLowerCase()
}

export interface Refusal {
  status: number
  message: string
  field: string
}

export interface Guard {
  readonly token: string
  /** Checks Host for every request: a page served under a foreign name must never load. */
  checkHost(req: http.IncomingMessage): Refusal | null
  /** For the API, uploads, data files and the event socket: Host, Origin, fetch metadata and the token. */
  checkAccess(req: http.IncomingMessage, url: URL): Refusal | null
}

export function createGuard(opts: { token: string; allowedHosts: ReadonlySet<string> }): Guard {
  const expected = Buffer.from(opts.token)
  const tokenMatches = (given: string | null): boolean => {
    if (!given) return false
    const candidate = Buffer.from(given)
    return candidate.length === expected.length && timingSafeEqual(candidate, expected)
  }
  const checkHost = (req: http.IncomingMessage): Refusal | null => {
    const name = hostNameOf(req.headers.host)
    if (name !== null && opts.allowedHosts.has(name)) return null
    return {
      status: 403,
      message: `host '${req.headers.host ?? ''}' is not allowed: open the URL printed by \`editorbot serve\` (other names: --allow-host)`,
      field: 'host'
    }
  }
  return {
    token: opts.token,
    checkHost,
    checkAccess(req, url) {
      const hostRefusal = checkHost(req)
      if (hostRefusal) return hostRefusal
      // Browsers send Origin on every cross-origin request and on same-origin POSTs and sockets; it must be
      // this server itself. Tools (curl, scripts) send none and are held by the token alone.
      const origin = req.headers.origin
      if (origin !== undefined && origin !== `http://${req.headers.host}` && origin !== `https://${req.headers.host}`)
        return { status: 403, message: `requests from origin '${origin}' are not allowed`, field: 'origin' }
      if (req.headers['sec-fetch-site'] === 'cross-site')
        return { status: 403, message: 'cross-site requests are not allowed', field: 'origin' }
      const header = req.headers.authorization
      const given = header?.startsWith('Bearer ') ? header.slice(7) : url.searchParams.get('token')
      if (!tokenMatches(given))
        return {
          status: 401,
          message: 'missing or wrong token: open the URL printed by `editorbot serve`',
          field: 'token'
        }
      return null
    }
  }
}

/** True for 'application/json' with or without parameters ('; charset=utf-8'), in any letter case. */
export function isJsonContentType(value: string | undefined): boolean {
  return (value ?? '').split(';')[0]?.trim().toLowerCase() === 'application/json'
}
