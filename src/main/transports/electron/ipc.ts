import { ipcMain, type WebContents } from 'electron'
import type { AppContext } from '../../app/context'
import { REQUEST_NAMES } from '../../../shared/api'
import { createHandlers } from '../../api/handlers'
import { dispatch } from '../../api/dispatch'

/**
 * Electron transport: one ipcMain handler per contract request (channel `api:<name>`), and every main
 * event forwarded to the windows on `event:<name>`. Same dispatch as serve mode.
 */
export function registerIpc(ctx: AppContext, targets: () => WebContents[]): () => void {
  const handlers = createHandlers(ctx, { transport: 'electron' })
  for (const name of REQUEST_NAMES)
    ipcMain.handle(`api:${name}`, (_event, input: unknown) => dispatch(handlers, name, input))
  const stop = ctx.events.onAny((event, payload) => {
    for (const wc of targets()) if (!wc.isDestroyed()) wc.send(`event:${event}`, payload)
  })
  return () => {
    stop()
    for (const name of REQUEST_NAMES) ipcMain.removeHandler(`api:${name}`)
  }
}
