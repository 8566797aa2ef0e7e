import type { ToastKind } from './app-context'

export interface Toast {
  id: number
  kind: ToastKind
  message: string
}

/** Messages from failed requests and short confirmations; errors stay until dismissed. */
export function Toasts(props: { toasts: readonly Toast[]; dismiss: (id: number) => void }): React.JSX.Element {
  return (
    <div className="toasts" aria-live="polite" data-testid="toasts">
      {props.toasts.map((t) => (
        <div
          key={t.id}
          className={`toast toast--${t.kind}`}
          role={t.kind === 'error' ? 'alert' : 'status'}
          data-testid={`toast-${t.kind}`}
        >
          <span className="toast__msg">{t.message}</span>
          <button
            type="button"
            className="toast__close"
            aria-label="Dismiss message"
            onClick={() => props.dismiss(t.id)}
          >
            ×
          </button>
        </div>
      ))}
    </div>
  )
}
