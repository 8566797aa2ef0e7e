/**
 * Electron bootstrap only. Every behaviour lives in the plain-Node backend (src/main/backend: the app context
 * and the contract's dispatcher) running in a utility process; this process owns the window, the menu, the
 * native dialogs and notifications, and relays IPC to the backend.
 */
import { app, BrowserWindow, dialog, Menu, Notification, session, shell } from 'electron'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { resolveDataDir } from './app/data-dir'
import { forwardEvent, registerIpc } from './transports/electron/ipc'
import { createMainWindow } from './transports/electron/window'
import { handleFileScheme, registerFileScheme } from './transports/electron/file-protocol'
import { startBackendProcess, type BackendProcess } from './transports/electron/backend-process'
import {
  appEntry,
  contentSecurityPolicy,
  isAllowedNavigation,
  isAppUrl,
  isPermissionAllowed,
  windowOpenDecision
} from './transports/electron/policy'
import { annotationUrl, buildMenuTemplate, IMPORT_FILTERS } from './transports/electron/menu'
import { loadWindowState } from './transports/electron/window-state'
import { JobFeedback } from './transports/electron/job-feedback'
import { openLogFile, type LogFile } from './transports/electron/log-file'

const here = path.dirname(fileURLToPath(import.meta.url))
const entry = appEntry(path.join(here, '../renderer/index.html'), process.env.ELECTRON_RENDERER_URL)
const MAX_RESTARTS = 3

registerFileScheme()

// Every web contents (the window, and anything a bug might create) refuses popups, webviews and foreign pages.
app.on('web-contents-created', (_event, contents) => {
  contents.on('will-attach-webview', (event) => event.preventDefault())
  contents.setWindowOpenHandler(({ url }) => {
    const decision = windowOpenDecision(url)
    if (decision.openExternally) void shell.openExternal(url)
    return { action: decision.action }
  })
  const guard = (event: { preventDefault(): void }, url: string): void => {
    if (!isAllowedNavigation(url, entry)) event.preventDefault()
  }
  contents.on('will-navigate', guard)
  contents.on('will-redirect', guard)
})

if (!app.requestSingleInstanceLock()) app.quit()
else {
  app.on('second-instance', () => {
    const win = BrowserWindow.getAllWindows()[0]
    if (win) {
      if (win.isMinimized()) win.restore()
      win.focus()
    }
  })
  void app.whenReady().then(start)
}

async function start(): Promise<void> {
  // The same folder the CLI and serve mode use (EDITORBOT_DATA_DIR, else the per-user default).
  const dataDir = resolveDataDir(undefined)
  const log = openLogFile(dataDir, { echo: (line) => console.log(line) })
  log.write(`EditorBot Studio ${app.getVersion()} (Electron ${process.versions.electron}), data in ${dataDir}`)
  hardenSession()

  const feedback = new JobFeedback()
  const windows = (): BrowserWindow[] => BrowserWindow.getAllWindows()
  let restarts = 0
  let backend: BackendProcess
  const launch = (): BackendProcess =>
    startBackendProcess(here, {
      log: (line) => log.write(line),
      onLog: (line) => log.write(line),
      onEvent: (name, payload) => {
        forwardEvent(
          windows().map((w) => w.webContents),
          name,
          payload
        )
        const update = feedback.onEvent(name, payload)
        if (update.progress !== undefined) for (const w of windows()) w.setProgressBar(update.progress)
        if (update.notice && Notification.isSupported())
          new Notification({ title: update.notice.title, body: update.notice.body }).show()
      },
      onExit: (code) => {
        log.write(`[main] backend exited unexpectedly (code ${code})`)
        if (restarts++ < MAX_RESTARTS) {
          backend = launch()
          void backend.client.start(dataDir)
        }
      }
    })
  backend = launch()
  try {
    await backend.client.start(dataDir, { seedDemo: true })
  } catch (e) {
    dialog.showErrorBox('EditorBot Studio cannot open its data folder', `${dataDir}\n\n${(e as Error).message}`)
    app.exit(1)
    return
  }

  handleFileScheme(dataDir)
  registerIpc((name, input) => backend.client.call(name, input), entry)
  const open = (): BrowserWindow =>
    createMainWindow({
      preload: path.join(here, '../preload/index.cjs'),
      entry,
      dataDir,
      saved: loadWindowState(dataDir)
    })
  open()
  Menu.setApplicationMenu(Menu.buildFromTemplate(buildMenuTemplate(menuOptions(dataDir, log, () => backend))))
  app.on('activate', () => {
    if (windows().length === 0) open()
  })

  let quitting = false
  app.on('before-quit', (event) => {
    if (quitting) return
    // Let running jobs stop cleanly (they checkpoint) before the backend closes the database.
    event.preventDefault()
    quitting = true
    void backend.stop().finally(() => app.quit())
  })
}

function hardenSession(): void {
  const ses = session.defaultSession
  ses.setPermissionRequestHandler((_wc, permission, callback, details) =>
    callback(isPermissionAllowed(permission, details.requestingUrl, entry))
  )
  ses.setPermissionCheckHandler((_wc, permission, _origin, details) =>
    isPermissionAllowed(permission, details.requestingUrl ?? '', entry)
  )
  // The built page carries the same policy in its meta tag (electron.vite.config.ts); the header also covers
  // the dev server.
  const csp = contentSecurityPolicy({ dev: entry.kind === 'dev' })
  ses.webRequest.onHeadersReceived((details, callback) => {
    if (!isAppUrl(details.url, entry)) return callback({})
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] } })
  })
}

function menuOptions(
  dataDir: string,
  log: LogFile,
  backend: () => BackendProcess
): Parameters<typeof buildMenuTemplate>[0] {
  const focused = (): BrowserWindow | undefined => BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0]
  const importPaths = async (properties: ('openFile' | 'openDirectory' | 'multiSelections')[]): Promise<void> => {
    const win = focused()
    const options = { title: 'Import songs', properties, filters: IMPORT_FILTERS }
    const picked = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options)
    if (picked.canceled || picked.filePaths.length === 0) return
    const result = await backend().client.call('songs.import', { paths: picked.filePaths })
    if (!result.ok) dialog.showErrorBox('Import failed', result.error.message)
    // Success shows in the Library view (songs.changed) and, for long analyses, as a notification.
  }
  return {
    platform: process.platform,
    appName: app.getName(),
    dev: entry.kind === 'dev',
    actions: {
      importFiles: () => void importPaths(['openFile', 'multiSelections']),
      importFolder: () => void importPaths(['openDirectory', 'multiSelections']),
      openDataFolder: () => void shell.openPath(dataDir),
      showLogs: () => shell.showItemInFolder(log.path),
      toggleAnnotationFullscreen: () => {
        const win = focused()
        if (!win) return
        if (win.isFullScreen()) return win.setFullScreen(false)
        const url = win.webContents.getURL()
        if (url) void win.webContents.loadURL(annotationUrl(url))
        win.setFullScreen(true)
      }
    }
  }
}
