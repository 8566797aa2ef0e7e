/**
 * The project archive (docs/scale.md, "Project archives"): a gzip-compressed ustar file whose first entry
 * is `editorbot-archive.json` (what it is, which app and schema wrote it), then `editorbot.sqlite` (a
 * snapshot), then the data directory's files under their own relative paths, and last `manifest.json`:
 * the same identity plus every file's size and SHA-256 and the snapshot's row count per table.
 */
import { z } from 'zod'
import { DATABASE_FILE } from '../../db/connection'
import { UPLOADS_DIR } from '../songs/uploads'

export const ARCHIVE_FORMAT = 'editorbot-project'
export const ARCHIVE_FORMAT_VERSION = 1
export const HEADER_ENTRY = 'editorbot-archive.json'
export const MANIFEST_ENTRY = 'manifest.json'
/** Where serve-mode clients may write exports; never archived (an archive would contain earlier archives). */
export const EXPORTS_DIR = 'exports'

export const archiveHeaderSchema = z
  .object({
    format: z.literal(ARCHIVE_FORMAT),
    formatVersion: z.number().int().min(1),
    appVersion: z.string().min(1),
    schemaVersion: z.number().int().min(0),
    createdAt: z.string().min(1)
  })
  .strict()
export type ArchiveHeader = z.infer<typeof archiveHeaderSchema>

export const manifestFileSchema = z
  .object({
    path: z.string().min(1),
    size: z.number().int().min(0),
    sha256: z.string().regex(/^[0-9a-f]{64}$/)
  })
  .strict()
export type ManifestFile = z.infer<typeof manifestFileSchema>

export const archiveManifestSchema = archiveHeaderSchema
  .extend({
    database: z.literal(DATABASE_FILE),
    tables: z.record(z.string(), z.number().int().min(0)),
    files: z.array(manifestFileSchema)
  })
  .strict()
export type ArchiveManifest = z.infer<typeof archiveManifestSchema>

/**
 * Data-directory entries a project archive leaves out: the live database and its journals (the snapshot
 * stands for them), staged uploads, earlier exports, and files still being written (`*.tmp`).
 */
export function excludedFromArchive(relative: string): boolean {
  const top = relative.split('/')[0] ?? ''
  if (relative === DATABASE_FILE || relative.startsWith(`${DATABASE_FILE}-`)) return true
  if (top === UPLOADS_DIR || top === EXPORTS_DIR) return true
  return relative.endsWith('.tmp')
}
