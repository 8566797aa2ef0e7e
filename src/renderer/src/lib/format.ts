/** Durations and ETAs as the views show them. Pure. */

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
