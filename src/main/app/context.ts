import path from 'node:path'
import { openDatabase, type Db } from '../db/connection'
import { schemaVersion } from '../db/migrate'
import { listSongs, songsNeedingAnalysis } from '../db/queries/songs'
import { FEATURE_VERSION } from '../../shared/features'
import { readMarker, writeMarker } from '../db/queries/settings'
import { EventBus } from './events'
import { JobRunner } from '../services/jobs/job-runner'
import { RenderService } from '../services/edits/render-service'
import { APP_VERSION } from './version'

export interface AppContext {
  readonly dataDir: string
  readonly db: Db
  readonly events: EventBus
  readonly jobs: JobRunner
  /** Edit rendering, off the main thread. */
  readonly renders: RenderService
  readonly appVersion: string
  schemaVersion(): number
  close(): Promise<void>
}

/**
 * Opens the data directory and wires the services. Plain Node: the Electron shell, serve mode, the CLI
 * and tests all start here.
 */
export function createAppContext(opts: { dataDir: string; recoverJobs?: boolean }): AppContext {
  const dataDir = path.resolve(opts.dataDir)
  // Creates the folder when missing; a folder this process cannot write opens read-only (db.readonly).
  const db = openDatabase(dataDir)
  const events = new EventBus()
  const jobs = new JobRunner(db, dataDir, events)
  // Recovery writes: a read-only data directory is only read (`status`, `songs`), never repaired.
  if ((opts.recoverJobs ?? true) && !db.readonly) jobs.recoverInterrupted()
  const renders = new RenderService(dataDir)
  return {
    dataDir,
    db,
    events,
    jobs,
    renders,
    appVersion: APP_VERSION,
    schemaVersion: () => schemaVersion(db),
    async close() {
      await jobs.shutdown()
      await renders.close()
      db.close()
    }
  }
}

/** First start: an empty library gets the generated demo songs and pairs (once; deleting them is respected). */
export function seedDemoLibraryOnce(ctx: AppContext): number | null {
  if (readMarker(ctx.db, 'demoLibrary') || listSongs(ctx.db).length > 0) return null
  writeMarker(ctx.db, 'demoLibrary')
  return ctx.jobs.start('demo.library', {}).id
}

/**
 * Songs analysed with another feature version (or left queued by a crash) are analysed again, so every
 * consumer sees features of the current layout.
 */
export function reanalyseOutdatedSongs(ctx: AppContext): number | null {
  const songIds = songsNeedingAnalysis(ctx.db, FEATURE_VERSION)
  return songIds.length > 0 ? ctx.jobs.start('songs.analyse', { songIds }).id : null
}
