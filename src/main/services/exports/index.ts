/**
 * `export --what ...` and the 'exports.write' request: one exporter per kind. Each writes its files under
 * `out` (a file or a folder, as the kind says) without leaving half-written files behind, and reports
 * what it wrote.
 */
import path from 'node:path'
import type { AppContext } from '../../app/context'
import { isInside } from '../../app/paths'
import type { ExportKind, ExportSummary, ParsedInput } from '../../../shared/api'
import { AppFailure } from '../../../shared/result'
import type { Exporter } from './types'
import { exportPreferenceFiles } from './preferences'
import { exportEditWavs } from './edits'
import { exportPolicies, exportRewardModels } from './models'
import { exportProjectArchive } from './project'
import { exportRunMetrics } from './metrics'
import { EXPORTS_DIR } from './archive-format'

export type { Exporter, ExportRequest } from './types'

/**
 * The registry: one exporter per `--what`. A new kind, or another exporter for an existing one (e.g. the
 * reward-model or policy services' own), is one entry here; the kind itself is listed in EXPORT_KINDS in
 * src/shared/api.ts, so the CLI, the contract and this table stay in step.
 */
export const EXPORTERS: Record<ExportKind, Exporter> = {
  preferences: exportPreferenceFiles,
  models: exportRewardModels,
  policies: exportPolicies,
  edits: exportEditWavs,
  metrics: exportRunMetrics,
  project: exportProjectArchive
}

export async function runExport(
  ctx: AppContext,
  input: ParsedInput<'exports.write'>,
  opts: { confineToDataDir: boolean }
): Promise<ExportSummary> {
  const out = path.resolve(ctx.dataDir, input.out)
  // Serve mode: a client on another machine writes only where the data directory's owner expects exports.
  if (opts.confineToDataDir && !isInside(path.join(ctx.dataDir, EXPORTS_DIR), out))
    throw new AppFailure(
      'forbidden',
      `out: in serve mode exports go under ${EXPORTS_DIR}/ in the data directory`,
      'out'
    )
  const summary = await EXPORTERS[input.what](ctx, { format: input.format, out })
  return { what: input.what, ...summary }
}

export { restoreProject, type RestoreSummary } from './restore'
