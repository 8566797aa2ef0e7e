/**
 * Policy-training run metrics (one line per logged update, from each run's metrics JSONL in the data
 * directory) as one JSONL or CSV file, each row led by its run id and algorithm.
 */
import fs from 'node:fs'
import path from 'node:path'
import { z } from 'zod'
import * as policiesQ from '../../db/queries/policies'
import { AppFailure } from '../../../shared/result'
import type { Exporter } from './types'

const metricsLine = z.record(z.string(), z.number().nullable())
type MetricsRow = Record<string, string | number | null>

function runRows(dataDir: string, run: ReturnType<typeof policiesQ.listRuns>[number]): MetricsRow[] {
  const file = path.join(dataDir, run.metricsPath)
  if (!fs.existsSync(file)) return []
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((line, i) => {
      let raw: unknown
      try {
        raw = JSON.parse(line)
      } catch {
        raw = undefined
      }
      const parsed = metricsLine.safeParse(raw)
      if (!parsed.success)
        throw new AppFailure('corrupt', `run ${run.id}: line ${i + 1} of ${run.metricsPath} is not a metrics row`)
      return { run_id: run.id, algorithm: run.algorithm, ...parsed.data }
    })
}

const csvCell = (v: string | number | null | undefined): string =>
  v === null || v === undefined ? '' : /[",\n\r]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v)

export const exportRunMetrics: Exporter = async (ctx, { format, out }) => {
  const runs = policiesQ.listRuns(ctx.db)
  if (runs.length === 0) throw new AppFailure('not_found', 'no training runs yet: train a policy first', 'what')
  // Oldest run first (the registry lists newest first), so rows read in the order they were logged.
  const rows = [...runs].sort((a, b) => a.id - b.id).flatMap((run) => runRows(ctx.dataDir, run))
  let text: string
  if (format === 'jsonl') text = rows.map((r) => JSON.stringify(r) + '\n').join('')
  else {
    const columns: string[] = []
    for (const r of rows) for (const k of Object.keys(r)) if (!columns.includes(k)) columns.push(k)
    text = [columns.join(','), ...rows.map((r) => columns.map((c) => csvCell(r[c])).join(','))].join('\n') + '\n'
  }
  fs.mkdirSync(path.dirname(out), { recursive: true })
  const tmp = `${out}.${process.pid}.tmp`
  fs.writeFileSync(tmp, text)
  fs.renameSync(tmp, out)
  return { out, files: [path.basename(out)], count: rows.length, bytes: fs.statSync(out).size }
}
