import type { Db } from '../../db/connection'
import { AppFailure } from '../../../shared/result'
import type { PolicySummary } from '../../../shared/domain'
import type { StagedUploads } from '../songs/uploads'
import { importPolicy } from './registry'

/** The import as transports make it: a path on this disk, or in serve mode only a file uploaded to this server. */
export function importPolicyRequest(
  db: Db,
  dataDir: string,
  file: string,
  name: string,
  uploads?: StagedUploads
): PolicySummary {
  if (!uploads) return importPolicy(db, dataDir, file, name)
  if (!uploads.has(file))
    throw new AppFailure(
      'forbidden',
      `path: '${file}' is not a file uploaded to this server; in serve mode only uploaded files can be imported`,
      'path'
    )
  const staged = uploads.take(file)!
  try {
    return importPolicy(db, dataDir, staged.file, name)
  } finally {
    uploads.release(staged)
  }
}
