import { BrowserWindow, screen } from 'electron'
import { placeWindow, saveWindowState, type WindowState, type WindowSizing } from './window-state'
import { secureWebPreferences, type AppEntry } from './policy'

const SIZING: WindowSizing = { width: 1360, height: 860, minWidth: 1280, minHeight: 800 }

/** Work areas of the connected displays, the primary first. */
function displayWorkAreas(): Electron.Rectangle[] {
  const primary = screen.getPrimaryDisplay()
  return [primary, ...screen.getAllDisplays().filter((d) => d.id !== primary.id)].map((d) => d.workArea)
}

/**
 * The one app window, locked down (policy.ts): isolated, sandboxed, no Node. It opens where it was left
 * when that place is still on a display, and remembers its bounds when closed.
 */
export function createMainWindow(opts: {
  preload: string
  entry: AppEntry
  dataDir: string
  saved: WindowState | null
}): BrowserWindow {
  const bounds = placeWindow(opts.saved?.bounds ?? null, displayWorkAreas(), SIZING)
  const win = new BrowserWindow({
    ...bounds,
    minWidth: SIZING.minWidth,
    minHeight: SIZING.minHeight,
    backgroundColor: '#111418',
    show: false,
    title: 'EditorBot Studio',
    webPreferences: secureWebPreferences(opts.preload)
  })
  win.once('ready-to-show', () => {
    if (opts.saved?.maximized) win.maximize()
    win.show()
  })
  win.on('close', () => {
    try {
      saveWindowState(opts.dataDir, {
        bounds: win.getNormalBounds(),
        maximized: win.isMaximized(),
        fullScreen: win.isFullScreen()
      })
    } catch {
      // Remembering the size is a convenience; failing to write it must not block closing.
    }
  })
  if (opts.entry.kind === 'dev') void win.loadURL(opts.entry.origin)
  else void win.loadFile(opts.entry.indexHtml)
  return win
}
