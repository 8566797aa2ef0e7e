/**
 * Type declarations for the part of Electron's API this app uses, for machines where npm dropped the
 * optional `electron` package (its binary download failed). When node_modules/electron exists,
 * tsconfig.node.json resolves the real electron.d.ts first and this file is not used.
 */
type Listener = (...args: never[]) => void

export interface WebContents {
  isDestroyed(): boolean
  send(channel: string, ...args: unknown[]): void
  getURL(): string
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' | 'allow' }): void
  on(event: 'will-navigate', listener: (event: { preventDefault(): void }, url: string) => void): this
}

export declare class BrowserWindow {
  constructor(options: {
    width: number
    height: number
    minWidth?: number
    minHeight?: number
    backgroundColor?: string
    show?: boolean
    title?: string
    webPreferences: {
      preload: string
      contextIsolation: boolean
      sandbox: boolean
      nodeIntegration: boolean
      webSecurity: boolean
      spellcheck?: boolean
    }
  })
  static getAllWindows(): BrowserWindow[]
  readonly webContents: WebContents
  once(event: 'ready-to-show', listener: () => void): this
  show(): void
  focus(): void
  restore(): void
  isMinimized(): boolean
  loadURL(url: string): Promise<void>
  loadFile(file: string): Promise<void>
}

export declare const app: {
  whenReady(): Promise<void>
  requestSingleInstanceLock(): boolean
  quit(): void
  getPath(name: 'userData'): string
  on(event: 'second-instance' | 'activate' | 'window-all-closed', listener: () => void): void
  on(event: 'before-quit', listener: (event: { preventDefault(): void }) => void): void
}

export interface IpcMainInvokeEvent {
  sender: WebContents
}

export declare const ipcMain: {
  handle(channel: string, listener: (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown): void
  removeHandler(channel: string): void
}

export interface IpcRendererEvent {
  sender: unknown
}

export declare const ipcRenderer: {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>
  on(channel: string, listener: (event: IpcRendererEvent, ...args: never[]) => void): void
  off(channel: string, listener: Listener): void
}

export declare const contextBridge: {
  exposeInMainWorld(key: string, api: unknown): void
}

export declare const protocol: {
  registerSchemesAsPrivileged(
    schemes: { scheme: string; privileges: { standard?: boolean; secure?: boolean; supportFetchAPI?: boolean; stream?: boolean } }[]
  ): void
  handle(scheme: string, handler: (request: Request) => Response | Promise<Response>): void
}

export declare const net: {
  fetch(url: string, init?: RequestInit): Promise<Response>
}

export declare const shell: {
  openExternal(url: string): Promise<void>
}

export declare const session: {
  defaultSession: {
    setPermissionRequestHandler(
      handler: (webContents: WebContents, permission: string, callback: (granted: boolean) => void) => void
    ): void
  }
}
