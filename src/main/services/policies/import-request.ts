import type { Db } from '../../db/connection'
import type { PolicySummary } from '../../../shared/domain'
import { withRequestedFile, type StagedUploads } from '../songs/uploads'
import { importPolicy } from './registry'

/** The import as transports make it: a path on this disk, or in serve mode only a file uploaded to this server. */
export function importPolicyRequest(
  db: Db,
  dataDir: string,
  file: string,
  name: string,
  uploads?: StagedUploads
): PolicySummary {
  return withRequestedFile(file, uploads, (onDisk) => importPolicy(db, dataDir, onDisk, name))
}
