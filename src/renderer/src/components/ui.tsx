import type { ReactNode } from 'react'

export function ProgressBar(props: { value: number; label: string; testId?: string }): React.JSX.Element {
  const pct = Math.round(Math.min(1, Math.max(0, props.value)) * 100)
  return (
    <div
      className="progress"
      role="progressbar"
      aria-label={props.label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={pct}
      data-testid={props.testId}
    >
      <div className="progress__fill" style={{ width: `${pct}%` }} />
    </div>
  )
}

export function EmptyState(props: { title: string; children?: ReactNode; testId?: string }): React.JSX.Element {
  return (
    <div className="empty" data-testid={props.testId ?? 'empty-state'}>
      <p className="empty__title">{props.title}</p>
      {props.children}
    </div>
  )
}

export function formatDuration(s: number | null | undefined): string {
  if (s === null || s === undefined || !Number.isFinite(s)) return '—'
  const m = Math.floor(s / 60)
  const sec = Math.round(s - m * 60)
  return `${m}:${sec < 10 ? '0' : ''}${sec}`
}

export function formatEta(s: number | null): string {
  if (s === null || !Number.isFinite(s)) return ''
  if (s < 60) return `${Math.ceil(s)} s left`
  return `${Math.ceil(s / 60)} min left`
}
