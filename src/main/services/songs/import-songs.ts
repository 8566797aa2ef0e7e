import path from 'node:path'
import fs from 'node:fs'
import type { AppContext } from '../../app/context'
import type { ImportReport } from '../../../shared/api'
import { AppFailure } from '../../../shared/result'
import { expandImportPaths, registerSongFile } from './import'
import type { StagedUploads } from './uploads'

type ImportContext = Pick<AppContext, 'db' | 'dataDir' | 'events' | 'jobs'>

export interface ImportResult {
  reports: ImportReport[]
  jobId: number | null
}

/** Imports files and folders from this machine's disk (desktop app, CLI) and starts their analysis. */
export function importSongs(ctx: ImportContext, paths: readonly string[]): ImportResult {
  if (ctx.db.readonly)
    throw new AppFailure(
      'forbidden',
      `the data directory ${ctx.dataDir} is read-only here: songs can be listed but not imported. Give this user write access, or choose another data directory (--data-dir DIR or EDITORBOT_DATA_DIR).`
    )
  const { files, missing } = expandImportPaths(paths)
  const reports: ImportReport[] = missing.map((p) => ({
    path: p,
    outcome: 'failed',
    songId: null,
    reason: `${path.basename(p)}: no such file or folder`
  }))
  for (const file of files) reports.push(registerSongFile(ctx.db, ctx.dataDir, file))
  const toAnalyse = reports.filter((r) => r.outcome === 'stored').map((r) => r.songId as number)
  if (toAnalyse.length > 0) ctx.events.emit('songs.changed', { songIds: toAnalyse })
  const jobId = toAnalyse.length > 0 ? ctx.jobs.start('songs.analyse', { songIds: toAnalyse }).id : null
  return { reports, jobId }
}

/**
 * Serve mode: imports exactly the files this server's uploads staged, named by the path each upload
 * returned, and nothing else. Every path is checked before any is imported; each staged copy is removed
 * afterwards (the import copied it into songs/), whatever the outcome.
 */
export function importStagedUploads(
  ctx: ImportContext,
  uploads: StagedUploads,
  paths: readonly string[]
): ImportResult {
  for (const [i, p] of paths.entries())
    if (!uploads.has(p))
      throw new AppFailure(
        'forbidden',
        `paths.${i}: '${p}' is not a file uploaded to this server; in serve mode only uploaded files can be imported`,
        `paths.${i}`
      )
  const taken = [...new Set(paths)].map((p) => uploads.take(p)).filter((u) => u !== undefined)
  try {
    // A staged file replaced by a link or folder since its upload is not imported.
    const regular = taken.filter((u) => fs.lstatSync(u.file, { throwIfNoEntry: false })?.isFile() === true)
    const result = importSongs(
      ctx,
      regular.map((u) => u.file)
    )
    // Reports name the path the client sent, not this machine's absolute path.
    const clientPath = new Map(taken.map((u) => [u.file, u.path]))
    const reports = result.reports.map((r) => ({ ...r, path: clientPath.get(r.path) ?? r.path }))
    const refused: ImportReport[] = taken
      .filter((u) => !regular.includes(u))
      .map((u) => ({
        path: u.path,
        outcome: 'failed',
        songId: null,
        reason: `${path.basename(u.file)}: not a regular file`
      }))
    return { reports: [...reports, ...refused], jobId: result.jobId }
  } finally {
    for (const upload of taken) uploads.release(upload)
  }
}
