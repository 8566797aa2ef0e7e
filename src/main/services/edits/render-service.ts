import type { Worker } from 'node:worker_threads'
import { startWorker } from '../../workers/entry'
import type { RenderReply } from '../../workers/render-messages'
import { AppFailure } from '../../../shared/result'

type Rendered = Extract<RenderReply, { ok: true }>['value']

/** Renders edits in one background worker thread, started on first use. */
export class RenderService {
  private worker: Worker | null = null
  private nextId = 1
  private readonly pending = new Map<number, { resolve: (v: Rendered) => void; reject: (e: unknown) => void }>()

  constructor(private readonly dataDir: string) {}

  render(editId: number): Promise<Rendered> {
    const worker = this.ensureWorker()
    const id = this.nextId++
    return new Promise<Rendered>((resolve, reject) => {
      this.pending.set(id, { resolve, reject })
      // Keep the process alive while a render is owed (the CLI awaits it); idle, the worker holds nothing open.
      worker.ref()
      worker.postMessage({ id, editId })
    })
  }

  async close(): Promise<void> {
    const worker = this.worker
    this.worker = null
    if (worker) await worker.terminate()
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker
    const worker = startWorker('render-worker', { workerData: { dataDir: this.dataDir } })
    worker.on('message', (reply: RenderReply) => {
      const waiter = this.pending.get(reply.id)
      if (!waiter) return
      this.pending.delete(reply.id)
      if (this.pending.size === 0) worker.unref()
      if (reply.ok) waiter.resolve(reply.value)
      else waiter.reject(new AppFailure(reply.error.kind, reply.error.message, reply.error.field))
    })
    const failAll = (reason: string): void => {
      for (const waiter of this.pending.values()) waiter.reject(new AppFailure('internal', reason))
      this.pending.clear()
      if (this.worker === worker) this.worker = null
    }
    worker.on('error', (e) => failAll(`render worker failed: ${e.message}`))
    worker.on('exit', (code) => failAll(`render worker stopped (exit code ${code})`))
    worker.unref()
    this.worker = worker
    return worker
  }
}
