import { z } from 'zod'
import { EVENT_NAMES } from '../../shared/api'
import { appErrorSchema } from '../../shared/result'

/**
 * The message protocol between the window-side process (Electron main, or a test/benchmark thread) and the
 * backend process that owns the app context and the contract's dispatcher. Every message is parsed with these
 * schemas on arrival: the other side is another process.
 */
const resultSchema = z.union([
  z.object({ ok: z.literal(true), value: z.unknown() }),
  z.object({ ok: z.literal(false), error: appErrorSchema })
])

const requestId = z.number().int().nonnegative()

export const toBackendSchema = z.discriminatedUnion('type', [
  /** First message: which data directory to open. */
  z.object({ type: z.literal('start'), dataDir: z.string().min(1), seedDemo: z.boolean() }),
  z.object({ type: z.literal('request'), id: requestId, name: z.string(), input: z.unknown() }),
  /** Stop jobs cleanly (they checkpoint), close the database, answer 'closed'. */
  z.object({ type: z.literal('shutdown') })
])
export type ToBackend = z.infer<typeof toBackendSchema>

export const fromBackendSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), dataDir: z.string() }),
  /** The context could not open (a database written by a newer app, an unwritable folder...). */
  z.object({ type: z.literal('failed'), error: appErrorSchema }),
  z.object({ type: z.literal('response'), id: requestId, result: resultSchema }),
  z.object({ type: z.literal('event'), name: z.enum(EVENT_NAMES), payload: z.unknown() }),
  z.object({ type: z.literal('log'), line: z.string() }),
  z.object({ type: z.literal('closed') })
])
export type FromBackend = z.infer<typeof fromBackendSchema>

/**
 * What both ends need of a message channel: Electron's MessagePortMain and utility-process parentPort,
 * Node's worker_threads ports and Worker objects all fit behind it through tiny adapters.
 */
export interface BackendChannel {
  send(message: unknown): void
  onMessage(listener: (message: unknown) => void): () => void
}

/** A worker_threads MessagePort, Worker or parentPort (they deliver the message itself). */
export interface NodeMessagePort {
  postMessage(message: unknown): void
  on(event: 'message', listener: (message: unknown) => void): unknown
  off(event: 'message', listener: (message: unknown) => void): unknown
}

export function nodePortChannel(port: NodeMessagePort): BackendChannel {
  return {
    send: (message) => port.postMessage(message),
    onMessage(listener) {
      port.on('message', listener)
      return () => port.off('message', listener)
    }
  }
}

/** Electron's MessagePortMain and utilityProcess parentPort deliver `{ data }` events. */
export interface ElectronMessagePort {
  postMessage(message: unknown): void
  on(event: 'message', listener: (event: { data: unknown }) => void): unknown
  off(event: 'message', listener: (event: { data: unknown }) => void): unknown
}

export function electronPortChannel(port: ElectronMessagePort): BackendChannel {
  return {
    send: (message) => port.postMessage(message),
    onMessage(listener) {
      const unwrap = (event: { data: unknown }): void => listener(event.data)
      port.on('message', unwrap)
      return () => port.off('message', unwrap)
    }
  }
}
