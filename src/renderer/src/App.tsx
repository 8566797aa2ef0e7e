import { useCallback, useEffect, useMemo, useState } from 'react'
import { QueryClientProvider } from '@tanstack/react-query'
import { api, request } from './api/client'
import { createQueryClient, useInvalidationByEvents } from './api/queries'
import type { Annotator, AppInfo, Settings } from '../../shared/domain'
import { AppCtx, VIEWS, type AppContextValue, type ToastKind, type ViewName } from './components/app-context'
import { Toasts, type Toast } from './components/Toasts'
import { AnnotatorPicker } from './features/annotators/AnnotatorPicker'
import { ListenView } from './features/listen/ListenView'
import { LibraryView } from './features/library/LibraryView'
import { EditsView } from './features/edits/EditsView'
import { JobsView } from './features/jobs/JobsView'
import { TrainingView } from './features/training/TrainingView'
import { ModelsView } from './features/models/ModelsView'
import { IterationsView } from './features/iterations/IterationsView'
import { SettingsView } from './features/settings/SettingsView'

interface Route {
  view: ViewName
  param: string | null
}

/** `#/edits/3` -> { view: 'edits', param: '3' }; anything unknown is the listen screen. */
function parseHash(hash: string): Route {
  const [, view, param] = hash.replace(/^#/, '').split('/')
  const found = VIEWS.find((v) => v.name === view)
  return { view: found ? found.name : 'listen', param: param ? decodeURIComponent(param) : null }
}

let toastSeq = 0

const errorMessage = (e: unknown): string => (e instanceof Error ? e.message : String(e))

export function App(): React.JSX.Element {
  const [info, setInfo] = useState<AppInfo | null>(null)
  const [settings, setSettings] = useState<Settings | null>(null)
  const [annotator, setAnnotator] = useState<Annotator | null>(null)
  const [bootError, setBootError] = useState<string | null>(null)
  const [route, setRoute] = useState<Route>(() => parseHash(window.location.hash))
  const [toasts, setToasts] = useState<Toast[]>([])
  const [pickingAnnotator, setPickingAnnotator] = useState(false)

  const notify = useCallback((kind: ToastKind, message: string) => {
    const id = ++toastSeq
    setToasts((t) => [...t.slice(-4), { id, kind, message }])
    if (kind === 'info') setTimeout(() => setToasts((t) => t.filter((x) => x.id !== id)), 3500)
  }, [])
  const [queryClient] = useState(() => createQueryClient((message) => notify('error', message)))
  useInvalidationByEvents(queryClient)

  const attempt = useCallback(
    async <T,>(task: () => Promise<T>): Promise<T | undefined> => {
      try {
        return await task()
      } catch (e) {
        notify('error', errorMessage(e))
        return undefined
      }
    },
    [notify]
  )

  useEffect(() => {
    let live = true
    const boot = async (): Promise<void> => {
      const [appInfo, stored, annotators] = await Promise.all([
        request('app.info', {}),
        request('settings.get', {}),
        request('annotators.list', {})
      ])
      if (!live) return
      setInfo(appInfo)
      setSettings(stored)
      setAnnotator(annotators.find((a) => a.id === stored.lastAnnotatorId) ?? null)
    }
    boot().catch((e: unknown) => live && setBootError(errorMessage(e)))
    return () => {
      live = false
    }
  }, [])

  useEffect(() => {
    const onHash = (): void => setRoute(parseHash(window.location.hash))
    window.addEventListener('hashchange', onHash)
    return () => window.removeEventListener('hashchange', onHash)
  }, [])

  // The e2e tests wait for this: app.info loaded and the first view rendered.
  useEffect(() => {
    if (info && settings) document.body.dataset.appReady = 'true'
  }, [info, settings])

  const updateSettings = useCallback(
    async (patch: Partial<Settings>): Promise<void> => {
      const next = await attempt(() => request('settings.update', patch))
      if (next) setSettings(next)
    },
    [attempt]
  )

  const chooseAnnotator = useCallback(
    (a: Annotator | null) => {
      setAnnotator(a)
      setPickingAnnotator(false)
      if (a) void updateSettings({ lastAnnotatorId: a.id })
    },
    [updateSettings]
  )

  const navigate = useCallback((view: ViewName, param?: string) => {
    window.location.hash = param === undefined ? `#/${view}` : `#/${view}/${encodeURIComponent(param)}`
  }, [])

  const ctx = useMemo<AppContextValue | null>(
    () =>
      info && settings
        ? { info, settings, updateSettings, annotator, chooseAnnotator, notify, attempt, navigate }
        : null,
    [info, settings, updateSettings, annotator, chooseAnnotator, notify, attempt, navigate]
  )

  const dismiss = (id: number): void => setToasts((t) => t.filter((x) => x.id !== id))

  if (!ctx) {
    return (
      <div className="boot" data-testid="boot">
        {bootError ? (
          <div className="banner banner--error" role="alert">
            Cannot start EditorBot Studio: {bootError}
          </div>
        ) : (
          <p className="muted">Starting EditorBot Studio…</p>
        )}
      </div>
    )
  }

  const needsAnnotator = route.view === 'listen' && (annotator === null || pickingAnnotator)

  return (
    <QueryClientProvider client={queryClient}>
      <AppCtx.Provider value={ctx}>
        <div className="shell" data-transport={api.transport}>
          <header className="topbar">
            <span className="brand">EditorBot Studio</span>
            <nav className="tabs" aria-label="Views">
              {VIEWS.map((v) => (
                <button
                  key={v.name}
                  type="button"
                  className={`tab${route.view === v.name ? ' tab--active' : ''}`}
                  aria-current={route.view === v.name ? 'page' : undefined}
                  onClick={() => {
                    setPickingAnnotator(false)
                    navigate(v.name)
                  }}
                  data-testid={`nav-${v.name}`}
                >
                  {v.label}
                </button>
              ))}
            </nav>
            <div className="topbar__right">
              {annotator ? (
                <button
                  type="button"
                  className="chip"
                  onClick={() => setPickingAnnotator(true)}
                  aria-label={`Annotator ${annotator.name}: change`}
                  data-testid="annotator-badge"
                >
                  {annotator.name}
                </button>
              ) : (
                <span className="muted">no annotator</span>
              )}
            </div>
          </header>
          <main className="content">
            {needsAnnotator || (pickingAnnotator && route.view !== 'listen') ? (
              <AnnotatorPicker
                current={annotator}
                onCancel={annotator ? () => setPickingAnnotator(false) : undefined}
              />
            ) : route.view === 'listen' && annotator ? (
              <ListenView key={annotator.id} annotator={annotator} />
            ) : route.view === 'library' ? (
              <LibraryView songParam={route.param} />
            ) : route.view === 'edits' ? (
              <EditsView songParam={route.param} />
            ) : route.view === 'models' ? (
              <ModelsView />
            ) : route.view === 'training' ? (
              <TrainingView />
            ) : route.view === 'iterations' ? (
              <IterationsView iterationParam={route.param} />
            ) : route.view === 'jobs' ? (
              <JobsView />
            ) : (
              <SettingsView />
            )}
          </main>
          <Toasts toasts={toasts} dismiss={dismiss} />
        </div>
      </AppCtx.Provider>
    </QueryClientProvider>
  )
}
