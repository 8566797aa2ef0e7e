import type { MenuItemConstructorOptions } from 'electron'

export interface MenuActions {
  importFiles(): void
  importFolder(): void
  openDataFolder(): void
  showLogs(): void
  toggleAnnotationFullscreen(): void
}

export interface MenuOptions {
  platform: NodeJS.Platform
  appName: string
  /** Reload and developer tools only while developing. */
  dev: boolean
  actions: MenuActions
}

/**
 * The application menu: the platform's usual roles and shortcuts, plus import (native dialogs), fullscreen
 * annotation, the data folder and the log file. Single-key shortcuts belong to the Listen screen, so every
 * accelerator here has a modifier or is a function key.
 */
export function buildMenuTemplate(opts: MenuOptions): MenuItemConstructorOptions[] {
  const mac = opts.platform === 'darwin'
  const { actions } = opts
  const appMenu: MenuItemConstructorOptions = {
    label: opts.appName,
    submenu: [
      { role: 'about' },
      { type: 'separator' },
      { role: 'services' },
      { type: 'separator' },
      { role: 'hide' },
      { role: 'hideOthers' },
      { role: 'unhide' },
      { type: 'separator' },
      { role: 'quit' }
    ]
  }
  const file: MenuItemConstructorOptions = {
    label: '&File',
    submenu: [
      { label: 'Import Songs…', accelerator: 'CmdOrCtrl+O', click: () => actions.importFiles() },
      { label: 'Import Folder…', accelerator: 'CmdOrCtrl+Shift+O', click: () => actions.importFolder() },
      { type: 'separator' },
      { label: 'Open Data Folder', click: () => actions.openDataFolder() },
      { label: 'Show Logs', click: () => actions.showLogs() },
      { type: 'separator' },
      mac ? { role: 'close' } : { role: 'quit' }
    ]
  }
  const edit: MenuItemConstructorOptions = {
    label: '&Edit',
    submenu: [
      { role: 'undo' },
      { role: 'redo' },
      { type: 'separator' },
      { role: 'cut' },
      { role: 'copy' },
      { role: 'paste' },
      ...(mac ? [{ role: 'pasteAndMatchStyle' } as const] : []),
      { role: 'delete' },
      { type: 'separator' },
      { role: 'selectAll' }
    ]
  }
  const view: MenuItemConstructorOptions = {
    label: '&View',
    submenu: [
      {
        label: 'Fullscreen Annotation',
        accelerator: mac ? 'Ctrl+Cmd+F' : 'F11',
        click: () => actions.toggleAnnotationFullscreen()
      },
      { type: 'separator' },
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      ...(opts.dev
        ? ([{ type: 'separator' }, { role: 'reload' }, { role: 'toggleDevTools' }] as MenuItemConstructorOptions[])
        : [])
    ]
  }
  const window: MenuItemConstructorOptions = {
    label: '&Window',
    submenu: mac
      ? [{ role: 'minimize' }, { role: 'zoom' }, { type: 'separator' }, { role: 'front' }]
      : [{ role: 'minimize' }, { role: 'close' }]
  }
  const help: MenuItemConstructorOptions = {
    role: 'help',
    submenu: mac ? [{ label: 'Show Logs', click: () => actions.showLogs() }] : [{ role: 'about' }]
  }
  return [...(mac ? [appMenu] : []), file, edit, view, window, help]
}

/** The renderer's route for the A/B annotation screen (src/renderer/src/App.tsx reads the hash). */
export const ANNOTATION_HASH = '#/listen'

/** The page's URL with the annotation route: a same-document navigation, so nothing reloads. */
export function annotationUrl(currentUrl: string): string {
  const url = new URL(currentUrl)
  url.hash = ANNOTATION_HASH
  return url.toString()
}

/** Audio formats songs.import accepts (its AUDIO_EXTENSIONS, kept out of the main bundle), for the native open dialog. */
export const IMPORT_FILTERS = [
  { name: 'Audio', extensions: ['wav', 'wave', 'mp3', 'flac', 'ogg', 'oga'] },
  { name: 'All Files', extensions: ['*'] }
]
