import type { EventMap, EventName, RequestName } from '../shared/api'

export interface PreloadBridge {
  requests: Record<RequestName, (input: unknown) => Promise<unknown>>
  events: { [E in EventName]: (listener: (payload: EventMap[E]) => void) => () => void }
  pathOfFile: (file: File) => string
}

declare global {
  interface Window {
    editorbot?: PreloadBridge
  }
}
