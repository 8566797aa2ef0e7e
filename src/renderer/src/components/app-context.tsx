import { createContext, useContext } from 'react'
import type { AppInfo, Annotator, Settings } from '../../../shared/domain'

export type ToastKind = 'error' | 'info'

export interface AppContextValue {
  info: AppInfo
  settings: Settings
  /** Saves a settings patch; resolves once stored (errors are reported through notify). */
  updateSettings: (patch: Partial<Settings>) => Promise<void>
  annotator: Annotator | null
  chooseAnnotator: (a: Annotator | null) => void
  notify: (kind: ToastKind, message: string) => void
  /** Runs a request-making task and reports its error, if any, as a toast. */
  attempt: <T>(task: () => Promise<T>) => Promise<T | undefined>
  navigate: (view: ViewName, param?: string) => void
}

export type ViewName = 'listen' | 'library' | 'edits' | 'models' | 'training' | 'iterations' | 'jobs' | 'settings'
export const VIEWS: readonly { name: ViewName; label: string }[] = [
  { name: 'listen', label: 'Listen' },
  { name: 'library', label: 'Library' },
  { name: 'edits', label: 'Edits' },
  { name: 'models', label: 'Models' },
  { name: 'training', label: 'Training' },
  { name: 'iterations', label: 'Iterations' },
  { name: 'jobs', label: 'Jobs' },
  { name: 'settings', label: 'Settings' }
]

export const AppCtx = createContext<AppContextValue | null>(null)

export function useApp(): AppContextValue {
  const v = useContext(AppCtx)
  if (!v) throw new Error('useApp outside <App>')
  return v
}
