import { utilityProcess, type UtilityProcess } from 'electron'
import path from 'node:path'
import { BackendClient, type BackendClientOptions } from '../../backend/client'
import type { BackendChannel } from '../../backend/protocol'

export interface BackendProcess {
  readonly client: BackendClient
  /** Clean shutdown (jobs checkpoint, database closes), then the process ends; killed if it takes too long. */
  stop(timeoutMs?: number): Promise<void>
}

/** UtilityProcess delivers the message itself (its child receives `{ data }` events on process.parentPort). */
function utilityChannel(child: UtilityProcess): BackendChannel {
  return {
    send: (message) => child.postMessage(message),
    onMessage(listener) {
      child.on('message', listener)
      return () => child.off('message', listener)
    }
  }
}

/**
 * Starts the backend (app context + dispatcher, out/main/backend.js) in an Electron utility process, so
 * synchronous SQLite work and heavy requests never block the window's main process. Its stdout and stderr go
 * to the log; an unexpected exit fails every pending request with a value and is reported through onExit.
 */
export function startBackendProcess(
  mainDir: string,
  opts: BackendClientOptions & { onExit: (code: number) => void; log: (line: string) => void }
): BackendProcess {
  const child = utilityProcess.fork(path.join(mainDir, 'backend.js'), [], {
    serviceName: 'EditorBot Studio backend',
    stdio: 'pipe'
  })
  const client = new BackendClient(utilityChannel(child), opts)
  for (const stream of [child.stdout, child.stderr])
    stream?.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) opts.log(`[backend] ${line}`)
    })
  let stopping = false
  const exited = new Promise<number>((resolve) => {
    child.on('exit', (code) => {
      client.fail(`the backend process exited (code ${code})`)
      if (!stopping) opts.onExit(code)
      resolve(code)
    })
  })
  return {
    client,
    async stop(timeoutMs = 15_000) {
      stopping = true
      const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), timeoutMs).unref())
      if ((await Promise.race([client.shutdown(), timeout])) === 'timeout') opts.log('[backend] shutdown timed out')
      if ((await Promise.race([exited, timeout])) === 'timeout') child.kill()
    }
  }
}
