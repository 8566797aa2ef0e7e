import os from 'node:os'
import { spawn } from 'node:child_process'
import path from 'node:path'
import fs from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Command } from '../framework'
import { startServer, isLoopback } from '../../http/serve'
import { reanalyseOutdatedSongs, seedDemoLibraryOnce } from '../../../app/context'
import { initComputeBackend } from '../../../engines/ml/backend'
import { AppFailure } from '../../../../shared/result'

/** The project folder: the nearest one up with a package.json (from the sources or from the CLI bundle). */
function projectRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url))
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir)
    if (up === dir) return process.cwd()
    dir = up
  }
  return dir
}

/** The renderer build that serve mode hands to browsers. */
export const DEFAULT_WEB_ROOT = path.join(projectRoot(), 'out/web')

/**
 * Serve is not a contract request: it starts another transport, the HTTP server, which sends every request
 * it receives through the same dispatcher (with transport 'http', so CLI-only requests are refused there).
 */
export const serveCommand: Command = {
  name: 'serve',
  summary: 'Serve the app UI and API over HTTP/WebSocket (127.0.0.1 by default; the printed URL carries the token)',
  usage:
    'serve [--host 127.0.0.1] [--port 5183] [--token T] [--allow-host NAME]... [--open] [--no-demo] [--data-dir DIR]',
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '5183' },
    token: { type: 'string' },
    'allow-host': { type: 'string', multiple: true },
    open: { type: 'boolean', default: false },
    'no-demo': { type: 'boolean', default: false },
    'web-root': { type: 'string' }
  },
  async run(args, io, open) {
    const host = String(args.values.host)
    const port = Number(args.values.port)
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new AppFailure('validation', `--port must be 0-65535, got '${String(args.values.port)}'`, 'port')
    // An empty token (flag or env) means none was given.
    const token = (args.values.token as string | undefined) || process.env.EDITORBOT_TOKEN || undefined
    // Names a browser may use besides loopback and the bound address (a reverse proxy, a DNS name).
    const allowedHosts = [
      ...((args.values['allow-host'] as string[] | undefined) ?? []),
      ...(process.env.EDITORBOT_ALLOWED_HOSTS ?? '').split(',')
    ].filter((name) => name.trim() !== '')
    const ctx = open()
    // The backend prints its own lines (skipped backends, then the one in use), each once.
    await initComputeBackend({ log: (l) => io.err(l) })
    const server = await startServer(ctx, {
      host,
      port,
      token,
      allowedHosts,
      webRoot: typeof args.values['web-root'] === 'string' ? path.resolve(args.values['web-root']) : DEFAULT_WEB_ROOT
    })
    const reanalysis = reanalyseOutdatedSongs(ctx)
    if (reanalysis !== null) io.err(`Re-analysing songs with outdated features (job ${reanalysis})...`)
    if (args.values['no-demo'] !== true) {
      const jobId = seedDemoLibraryOnce(ctx)
      if (jobId !== null) io.err(`Creating the demo library (job ${jobId})...`)
    }
    if (!isLoopback(host)) {
      io.err(`Bound to ${host}: anyone who can reach it and has the token (it is in the URLs below) can use it.`)
      // A wildcard address is not something to type into a browser: list this machine's LAN addresses.
      if (host === '0.0.0.0' || host === '::')
        for (const address of lanAddresses())
          io.err(`  from the LAN: http://${address}:${server.port}/?token=${encodeURIComponent(server.token)}`)
    }
    if (args.json) io.out(JSON.stringify({ event: 'ready', url: server.url, port: server.port, dataDir: ctx.dataDir }))
    else io.out(`EditorBot Studio is serving at ${server.url}  (data: ${ctx.dataDir}; Ctrl+C stops)`)
    if (args.values.open === true) openInBrowser(server.url, io)
    await new Promise<void>((resolve) => {
      const stop = (): void => resolve()
      process.once('SIGINT', stop)
      process.once('SIGTERM', stop)
    })
    io.err('Stopping...')
    await server.close()
    return 0
  }
}

/** Best effort, like Jupyter: the URL with the token opens in the default browser; failing that it is printed. */
function openInBrowser(url: string, io: { err(line: string): void }): void {
  const [command, ...args] =
    process.platform === 'darwin'
      ? ['open', url]
      : process.platform === 'win32'
        ? ['cmd', '/c', 'start', '""', url]
        : ['xdg-open', url]
  try {
    const child = spawn(command as string, args, { stdio: 'ignore', detached: true })
    child.on('error', () => io.err(`Could not open a browser: open ${url}`))
    child.unref()
  } catch {
    io.err(`Could not open a browser: open ${url}`)
  }
}

function lanAddresses(): string[] {
  return Object.values(os.networkInterfaces())
    .flatMap((list) => list ?? [])
    .filter((a) => a.family === 'IPv4' && !a.internal)
    .map((a) => a.address)
}
