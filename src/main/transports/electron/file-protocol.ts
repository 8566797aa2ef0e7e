import { net, protocol } from 'electron'
import { pathToFileURL } from 'node:url'
import { resolveInDataDir } from '../../app/paths'

export const FILE_SCHEME = 'editorbot-file'

/** Must run before app 'ready'. */
export function registerFileScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: FILE_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } }
  ])
}

/** Serves editorbot-file://data/<relative> from the data directory only; anything else is refused. */
export function handleFileScheme(dataDir: string): void {
  protocol.handle(FILE_SCHEME, (request) => {
    const url = new URL(request.url)
    const file = resolveInDataDir(dataDir, decodeURIComponent(url.pathname.replace(/^\/+/, '')))
    if (url.host !== 'data' || !file) return new Response('outside the data directory', { status: 403 })
    return net.fetch(pathToFileURL(file).toString(), { headers: request.headers })
  })
}
