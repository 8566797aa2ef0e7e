/** Preferences (TRL layout, JSONL or CSV) with each judged song's features beside them. */
import fs from 'node:fs'
import path from 'node:path'
import { exportPreferences } from '../listen/export'
import type { Exporter } from './types'

export const exportPreferenceFiles: Exporter = async (ctx, { format, out }) => {
  const { rows, featuresFiles } = exportPreferences(ctx.db, { format, outPath: out })
  const dir = path.dirname(out)
  const files = [path.basename(out), ...featuresFiles]
  const bytes = files.reduce((sum, f) => sum + fs.statSync(path.join(dir, f)).size, 0)
  return { out, files, count: rows, bytes }
}
