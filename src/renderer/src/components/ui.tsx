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

// Formatting lives in lib/format.ts (pure, tested in Node); re-exported for the views.
export { formatDuration, formatEta } from '../lib/format'
