/** Metric rows as CSV: one column per metric name, in first-seen order (empty where a row lacks it). */
export function metricsCsv(rows: readonly Record<string, number | null>[]): string {
  const cols: string[] = []
  for (const r of rows) for (const k of Object.keys(r)) if (!cols.includes(k)) cols.push(k)
  const cell = (v: number | null | undefined): string => (v === null || v === undefined ? '' : String(v))
  const quote = (s: string): string => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s)
  return [cols.map(quote).join(','), ...rows.map((r) => cols.map((c) => cell(r[c])).join(','))].join('\n') + '\n'
}

/** The series a run's charts draw: [x, ...y] columns from its metric rows. */
export function columnsOf(
  rows: readonly Record<string, number | null>[],
  x: string,
  ys: readonly string[]
): (number | null)[][] {
  return [rows.map((r) => r[x] ?? null), ...ys.map((y) => rows.map((r) => r[y] ?? null))]
}
