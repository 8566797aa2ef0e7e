/**
 * Backend process entry: the app context and the contract's dispatcher, off the window's thread. In the
 * desktop app Electron starts it with utilityProcess.fork (bundled as out/main/backend.js) and it talks over
 * process.parentPort; from source (tests, the stall benchmark) it runs in a worker thread over parentPort of
 * node:worker_threads. Same protocol either way (./protocol.ts).
 */
import { parentPort } from 'node:worker_threads'
import { electronPortChannel, nodePortChannel, type BackendChannel, type ElectronMessagePort } from './protocol'
import { serveBackend } from './host'

/** Electron adds parentPort to `process` in a utility process; plain Node has no such property. */
const utilityPort = (process as unknown as { parentPort?: ElectronMessagePort }).parentPort

function channel(): BackendChannel {
  if (utilityPort) return electronPortChannel(utilityPort)
  if (parentPort) return nodePortChannel(parentPort)
  throw new Error('the backend entry runs in an Electron utility process or a worker thread')
}

const host = serveBackend(channel())
void host.finished.then(() => {
  // The utility process would stay alive on its open port; a worker thread ends by itself once idle.
  if (utilityPort) process.exit(0)
})
