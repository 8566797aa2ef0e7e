import type { ApiClient, EventMap, EventName, RequestInput, RequestName, ResponseOf } from '../../../shared/api'
import type { AppError, Result } from '../../../shared/result'
import '../../../preload/index.d'

/** The renderer's only door to the app: the preload bridge in Electron, HTTP + WebSocket in serve mode. */
export function createApiClient(): ApiClient {
  return window.editorbot ? electronClient() : httpClient()
}

/** Electron's custom protocol for data-directory files (registered in main, confined there). */
const FILE_PROTOCOL = 'editorbot-file'

function electronClient(): ApiClient {
  const bridge = window.editorbot!
  return {
    transport: 'electron',
    call: async (name, input) => (await bridge.requests[name](input)) as Result<ResponseOf<typeof name>>,
    on: (event, listener) => bridge.events[event](listener),
    fileUrl: (relativePath) => `${FILE_PROTOCOL}://data/${encodePath(relativePath)}`,
    upload: async (files) => ({ ok: true, value: files.map((f) => bridge.pathOfFile(f)) })
  }
}

const encodePath = (p: string): string => p.split(/[\\/]/).map(encodeURIComponent).join('/')

/**
 * Serve mode: every API request, data file and socket needs the server's token (loopback included). It
 * arrives in the URL that `editorbot serve` prints and opens; sessionStorage keeps it for reloads and
 * for navigations that drop the query string.
 */
function readToken(): string | null {
  const fromUrl = new URLSearchParams(window.location.search).get('token')
  if (fromUrl) sessionStorage.setItem('editorbot.token', fromUrl)
  return fromUrl ?? sessionStorage.getItem('editorbot.token')
}

function httpClient(): ApiClient {
  const token = readToken()
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (token) headers.authorization = `Bearer ${token}`
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>()
  let socket: WebSocket | null = null
  let retryMs = 500

  const connect = (): void => {
    const url = new URL('/events', window.location.href)
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:'
    if (token) url.searchParams.set('token', token)
    socket = new WebSocket(url)
    socket.onopen = () => (retryMs = 500)
    socket.onmessage = (m) => {
      const { event, payload } = JSON.parse(String(m.data)) as { event: EventName; payload: unknown }
      for (const l of listeners.get(event) ?? []) l(payload)
    }
    // The server may restart (or the laptop sleep): reconnect with backoff, never give up.
    socket.onclose = () => {
      socket = null
      setTimeout(connect, retryMs)
      retryMs = Math.min(retryMs * 2, 10_000)
    }
  }
  connect()

  return {
    transport: 'http',
    async call<K extends RequestName>(name: K, input: unknown): Promise<Result<ResponseOf<K>>> {
      try {
        const res = await fetch(`/api/${name}`, { method: 'POST', headers, body: JSON.stringify(input ?? {}) })
        return (await res.json()) as Result<ResponseOf<K>>
      } catch (e) {
        return { ok: false, error: { kind: 'internal', message: `cannot reach the EditorBot server: ${String(e)}` } }
      }
    },
    on<E extends EventName>(event: E, listener: (payload: EventMap[E]) => void) {
      const set = listeners.get(event) ?? new Set()
      set.add(listener as (p: unknown) => void)
      listeners.set(event, set)
      return () => set.delete(listener as (p: unknown) => void)
    },
    fileUrl(relativePath) {
      const url = `/files/${encodePath(relativePath)}`
      return token ? `${url}?token=${encodeURIComponent(token)}` : url
    },
    async upload(files) {
      const staged: string[] = []
      for (const file of files) {
        const res = await fetch('/upload', {
          method: 'POST',
          headers: {
            ...(token ? { authorization: `Bearer ${token}` } : {}),
            'x-file-name': encodeURIComponent(file.name)
          },
          body: file
        })
        const result = (await res.json()) as Result<{ path: string }>
        if (!result.ok) return result
        staged.push(result.value.path)
      }
      return { ok: true, value: staged }
    }
  }
}

export const api: ApiClient = createApiClient()

/** Calls a request and throws its error message; for UI code that shows errors through one boundary. */
export async function request<K extends RequestName>(name: K, input: RequestInput<K>): Promise<ResponseOf<K>> {
  const r = await api.call(name, input)
  if (!r.ok) throw new ApiError(r.error)
  return r.value
}

export class ApiError extends Error {
  constructor(readonly error: AppError) {
    super(error.message)
    this.name = 'ApiError'
  }
}
