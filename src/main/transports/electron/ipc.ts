import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron'
import { REQUEST_NAMES, type EventName } from '../../../shared/api'
import { err, type Result } from '../../../shared/result'
import { isTrustedSender, type AppEntry, type SenderFrame } from './policy'

function senderFrame(event: IpcMainInvokeEvent): SenderFrame | null {
  const frame = event.senderFrame
  return frame ? { url: frame.url, isTopFrame: frame.parent === null } : null
}

/**
 * Electron transport: one ipcMain handler per contract request (channel `api:<name>`), relayed to the backend
 * process; requests from anything but the app's own top frame are refused. The preload and renderer are the
 * same as before the backend moved out of the main process.
 */
export function registerIpc(
  call: (name: string, input: unknown) => Promise<Result<unknown>>,
  entry: AppEntry
): () => void {
  for (const name of REQUEST_NAMES)
    ipcMain.handle(`api:${name}`, (event, input: unknown) =>
      isTrustedSender(senderFrame(event), entry)
        ? call(name, input)
        : err('forbidden', `${name}: requests are accepted only from the app's own window`)
    )
  return () => {
    for (const name of REQUEST_NAMES) ipcMain.removeHandler(`api:${name}`)
  }
}

/** Backend events go to every window on `event:<name>`. */
export function forwardEvent(targets: readonly WebContents[], name: EventName, payload: unknown): void {
  for (const wc of targets) if (!wc.isDestroyed()) wc.send(`event:${name}`, payload)
}
