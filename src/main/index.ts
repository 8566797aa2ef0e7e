/** Electron bootstrap only: every behaviour lives in the plain-Node services behind src/shared/api.ts. */
import { app, BrowserWindow, session } from 'electron'
import { createAppContext, reanalyseOutdatedSongs, seedDemoLibraryOnce, type AppContext } from './app/context'
import { registerIpc } from './transports/electron/ipc'
import { createMainWindow } from './transports/electron/window'
import { handleFileScheme, registerFileScheme } from './transports/electron/file-protocol'
import { initComputeBackend } from './engines/ml/backend'
import { resolveDataDir } from './app/data-dir'

registerFileScheme()
let ctx: AppContext | null = null

if (!app.requestSingleInstanceLock()) app.quit()

app.on('second-instance', () => {
  const win = BrowserWindow.getAllWindows()[0]
  if (win) {
    if (win.isMinimized()) win.restore()
    win.focus()
  }
})

void app.whenReady().then(async () => {
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false))
  // The same folder the CLI and serve mode use (EDITORBOT_DATA_DIR, else the per-user default).
  ctx = createAppContext({ dataDir: resolveDataDir(undefined) })
  const backend = await initComputeBackend({ log: (line) => console.log(`[backend] ${line}`) })
  console.log(`[backend] training: ${backend.training}; inference: ${backend.inference}`)
  handleFileScheme(ctx.dataDir)
  registerIpc(ctx, () => BrowserWindow.getAllWindows().map((w) => w.webContents))
  createMainWindow()
  reanalyseOutdatedSongs(ctx)
  seedDemoLibraryOnce(ctx)
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createMainWindow()
  })
})

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit()
})

let quitting = false
app.on('before-quit', (event) => {
  if (quitting || !ctx) return
  // Let running jobs stop cleanly (they checkpoint) before the database closes.
  event.preventDefault()
  quitting = true
  void ctx.close().finally(() => app.quit())
})
