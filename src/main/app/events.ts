import { EventEmitter } from 'node:events'
import type { EventMap, EventName } from '../../shared/api'

/** Typed fan-out of main-side events to every transport (Electron windows, WebSocket clients, CLI). */
export class EventBus {
  private readonly emitter = new EventEmitter()

  constructor() {
    this.emitter.setMaxListeners(100)
  }

  emit<E extends EventName>(event: E, payload: EventMap[E]): void {
    this.emitter.emit(event, payload)
    this.emitter.emit('*', event, payload)
  }

  on<E extends EventName>(event: E, listener: (payload: EventMap[E]) => void): () => void {
    this.emitter.on(event, listener)
    return () => this.emitter.off(event, listener)
  }

  /** Every event, for transports that forward all of them. */
  onAny(listener: <E extends EventName>(event: E, payload: EventMap[E]) => void): () => void {
    this.emitter.on('*', listener)
    return () => this.emitter.off('*', listener)
  }
}
