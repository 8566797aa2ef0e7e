import { net, protocol } from 'electron'
import { pathToFileURL } from 'node:url'
import { FILE_SCHEME, fileRequestStatus, resolveFileRequest } from './policy'

/** Must run before app 'ready'. */
export function registerFileScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: FILE_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } }
  ])
}

/** Serves editorbot-file://data/<relative> from the data directory's served folders only, by real path. */
export function handleFileScheme(dataDir: string): void {
  protocol.handle(FILE_SCHEME, (request) => {
    const file = resolveFileRequest(dataDir, request.url)
    if (!file.ok) return new Response(file.reason, { status: fileRequestStatus(file.reason) })
    return net.fetch(pathToFileURL(file.path).toString(), { headers: request.headers })
  })
}
