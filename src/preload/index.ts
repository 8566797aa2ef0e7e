import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron'
import { EVENT_NAMES, REQUEST_NAMES, type EventMap, type EventName, type RequestName } from '../shared/api'

/**
 * Exposes exactly one function per contract request and one subscription per contract event, each
 * bound to its fixed channel. No generic invoke, no ipcRenderer, no process.env reach the page.
 */
const requests = Object.fromEntries(
  REQUEST_NAMES.map((name) => [name, (input: unknown) => ipcRenderer.invoke(`api:${name}`, input)])
) as Record<RequestName, (input: unknown) => Promise<unknown>>

const events = Object.fromEntries(
  EVENT_NAMES.map((name) => [
    name,
    (listener: (payload: unknown) => void) => {
      const wrapped = (_e: IpcRendererEvent, payload: unknown): void => listener(payload)
      ipcRenderer.on(`event:${name}`, wrapped)
      return () => {
        ipcRenderer.off(`event:${name}`, wrapped)
      }
    }
  ])
) as { [E in EventName]: (listener: (payload: EventMap[E]) => void) => () => void }

/** Picked or dropped files: their paths on disk, which 'songs.import' copies into the data directory. */
const pathOfFile = (file: File): string => webUtils.getPathForFile(file)

contextBridge.exposeInMainWorld('editorbot', { requests, events, pathOfFile })
