import type { EventName } from '../../shared/api'
import { AppFailure, err, type AppError, type Result } from '../../shared/result'
import { fromBackendSchema, type BackendChannel, type ToBackend } from './protocol'

export interface BackendClientOptions {
  onEvent?: (name: EventName, payload: unknown) => void
  onLog?: (line: string) => void
}

/**
 * The window side of the backend protocol: starts the backend on a data directory, sends contract requests
 * and matches the answers, relays the backend's events. Every incoming message is parsed; an answer to
 * nothing or a malformed one is logged and dropped.
 */
export class BackendClient {
  private nextId = 0
  private readonly pending = new Map<number, (result: Result<unknown>) => void>()
  private ready: Promise<void> | null = null
  private closed: Promise<void> | null = null
  private onReady: { resolve: () => void; reject: (e: AppFailure) => void } | null = null
  private onClosed: (() => void) | null = null
  private failure: AppError | null = null

  constructor(
    private readonly channel: BackendChannel,
    private readonly opts: BackendClientOptions = {}
  ) {
    channel.onMessage((raw) => this.receive(raw))
  }

  /** Opens the app context in the backend; rejects with the backend's error when it cannot. */
  start(dataDir: string, opts: { seedDemo?: boolean } = {}): Promise<void> {
    this.ready ??= new Promise<void>((resolve, reject) => {
      this.onReady = { resolve, reject }
      this.post({ type: 'start', dataDir, seedDemo: opts.seedDemo ?? false })
    })
    return this.ready
  }

  /** One contract request; errors (including a backend that is gone) come back as values. */
  async call(name: string, input: unknown): Promise<Result<unknown>> {
    if (!this.ready) return err('internal', 'the backend was not started')
    try {
      await this.ready
    } catch (e) {
      return { ok: false, error: e instanceof AppFailure ? e.toError() : { kind: 'internal', message: String(e) } }
    }
    if (this.failure) return { ok: false, error: this.failure }
    const id = this.nextId++
    return new Promise((resolve) => {
      this.pending.set(id, resolve)
      this.post({ type: 'request', id, name, input })
    })
  }

  /** Asks the backend to stop its jobs and close the database; resolves when it has. */
  shutdown(): Promise<void> {
    if (this.failure) return Promise.resolve()
    this.closed ??= new Promise<void>((resolve) => {
      this.onClosed = resolve
      this.post({ type: 'shutdown' })
    })
    return this.closed
  }

  /** The backend process or thread is gone: every waiting and later call answers with this error. */
  fail(message: string): void {
    this.failure ??= { kind: 'internal', message }
    for (const resolve of this.pending.values()) resolve({ ok: false, error: this.failure })
    this.pending.clear()
    this.onReady?.reject(new AppFailure('internal', message))
    this.onClosed?.()
  }

  get pendingCount(): number {
    return this.pending.size
  }

  private post(message: ToBackend): void {
    this.channel.send(message)
  }

  private receive(raw: unknown): void {
    const parsed = fromBackendSchema.safeParse(raw)
    if (!parsed.success) {
      this.opts.onLog?.(`[backend] dropped a malformed message: ${parsed.error.issues[0]?.message}`)
      return
    }
    const message = parsed.data
    switch (message.type) {
      case 'ready':
        this.onReady?.resolve()
        break
      case 'failed':
        this.failure = message.error
        this.onReady?.reject(new AppFailure(message.error.kind, message.error.message, message.error.field))
        break
      case 'response': {
        const resolve = this.pending.get(message.id)
        if (!resolve) {
          this.opts.onLog?.(`[backend] dropped an answer to unknown request ${message.id}`)
          return
        }
        this.pending.delete(message.id)
        resolve(message.result as Result<unknown>)
        break
      }
      case 'event':
        this.opts.onEvent?.(message.name, message.payload)
        break
      case 'log':
        this.opts.onLog?.(message.line)
        break
      case 'closed':
        this.onClosed?.()
        break
    }
  }
}
