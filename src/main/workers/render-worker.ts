import { parentPort, workerData } from 'node:worker_threads'
import { openDatabase } from '../db/connection'
import { renderEditToFile } from '../services/edits/edit-service'
import { toAppError } from '../../shared/result'
import type { RenderReply, RenderRequest } from './render-messages'

/**
 * Long-lived render thread: decoding originals and rendering edits never block the main thread. Requests
 * are handled one at a time; the last decoded song stays cached between them.
 */
const { dataDir } = workerData as { dataDir: string }
const db = openDatabase(dataDir)
let queue: Promise<void> = Promise.resolve()

parentPort?.on('message', (request: RenderRequest) => {
  queue = queue.then(async () => {
    let reply: RenderReply
    try {
      reply = { id: request.id, ok: true, value: await renderEditToFile(db, dataDir, request.editId) }
    } catch (e) {
      reply = { id: request.id, ok: false, error: toAppError(e) }
    }
    parentPort?.postMessage(reply)
  })
})
