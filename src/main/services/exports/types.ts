import type { AppContext } from '../../app/context'
import type { ExportSummary } from '../../../shared/api'

export interface ExportRequest {
  format: 'jsonl' | 'csv'
  /** Absolute path of the file or folder to write. */
  out: string
}

export type Exporter = (ctx: AppContext, req: ExportRequest) => Promise<Omit<ExportSummary, 'what'>>
