import { startWorker } from '../workers/entry'
import { BackendClient, type BackendClientOptions } from './client'
import { nodePortChannel } from './protocol'

export interface BackendThread {
  client: BackendClient
  /** Shuts the backend down cleanly, then ends the thread. */
  stop(): Promise<void>
}

/**
 * Runs the backend entry in a worker thread: the plain-Node stand-in for Electron's utility process, with the
 * same protocol, used by tests and the stall benchmark (and anywhere Electron is not at hand).
 */
export function startBackendThread(opts: BackendClientOptions = {}): BackendThread {
  const worker = startWorker('../backend/entry', {})
  const client = new BackendClient(nodePortChannel(worker), opts)
  worker.on('error', (e) => client.fail(`backend thread failed: ${e.message}`))
  worker.on('exit', (code) => client.fail(`backend thread exited (code ${code})`))
  return {
    client,
    async stop() {
      await client.shutdown()
      await worker.terminate()
    }
  }
}
