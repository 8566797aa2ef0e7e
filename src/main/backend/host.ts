import { createAppContext, reanalyseOutdatedSongs, seedDemoLibraryOnce, type AppContext } from '../app/context'
import { createHandlers } from '../api/handlers'
import { dispatch, type Handlers } from '../api/dispatch'
import { initComputeBackend } from '../engines/ml/backend'
import { toAppError } from '../../shared/result'
import { toBackendSchema, type BackendChannel, type FromBackend } from './protocol'

export interface BackendHost {
  /** Resolves once 'shutdown' was handled (or the context failed to open). */
  readonly finished: Promise<void>
}

/**
 * Serves the API contract over a message channel: opens the app context on 'start', answers each 'request'
 * through the one dispatcher, forwards every app event, and closes cleanly on 'shutdown'. Plain Node: the
 * Electron utility process, worker threads (tests, the stall benchmark) and child processes all run it.
 */
export function serveBackend(channel: BackendChannel): BackendHost {
  const send = (message: FromBackend): void => channel.send(message)
  let ctx: AppContext | null = null
  let handlers: Handlers | null = null
  let stopEvents = (): void => {}
  let finish: () => void = () => {}
  const finished = new Promise<void>((resolve) => (finish = resolve))

  const start = async (dataDir: string, seedDemo: boolean): Promise<void> => {
    try {
      ctx = createAppContext({ dataDir })
    } catch (e) {
      send({ type: 'failed', error: toAppError(e) })
      finish()
      return
    }
    const opened = ctx
    handlers = createHandlers(opened, { transport: 'electron' })
    stopEvents = opened.events.onAny((name, payload) => send({ type: 'event', name, payload }))
    const backend = await initComputeBackend({ log: (line) => send({ type: 'log', line: `[backend] ${line}` }) })
    send({ type: 'log', line: `[backend] training: ${backend.training}; inference: ${backend.inference}` })
    reanalyseOutdatedSongs(opened)
    if (seedDemo) seedDemoLibraryOnce(opened)
    send({ type: 'ready', dataDir: opened.dataDir })
  }

  const shutdown = async (): Promise<void> => {
    stopEvents()
    if (ctx) await ctx.close()
    ctx = null
    handlers = null
    send({ type: 'closed' })
    finish()
  }

  channel.onMessage((raw) => {
    const parsed = toBackendSchema.safeParse(raw)
    if (!parsed.success) {
      send({ type: 'log', line: `[backend] ignored a malformed message: ${parsed.error.issues[0]?.message}` })
      return
    }
    const message = parsed.data
    if (message.type === 'start') {
      if (ctx) return
      void start(message.dataDir, message.seedDemo)
    } else if (message.type === 'request') {
      const ready = handlers
      if (!ready) {
        send({
          type: 'response',
          id: message.id,
          result: { ok: false, error: { kind: 'internal', message: 'the backend is not started yet' } }
        })
        return
      }
      void dispatch(ready, message.name, message.input).then((result) => {
        try {
          send({ type: 'response', id: message.id, result })
        } catch (e) {
          // A value the channel cannot carry (structured clone) still gets an answer.
          send({ type: 'response', id: message.id, result: { ok: false, error: toAppError(e) } })
        }
      })
    } else void shutdown()
  })
  return { finished }
}
